package supersim

import (
	"context"
	"sync"
)

// windowedPager walks several queries, one per time window, up to
// concurrency of them at once, and hands out their pages in window order:
// every page of window 0, then of window 1, and so on. Each running window
// is at most one page ahead of its consumer, so memory stays bounded by
// concurrency pages in flight plus one parked page per window.
type windowedPager[T any] struct {
	ctx         context.Context
	cancel      context.CancelFunc
	windows     []fetchFunc[T]
	concurrency int
	lanes       []chan fetched[T] // one per window, made when it starts
	started     int               // windows started so far
	current     int               // the window being handed out
	running     sync.WaitGroup
}

func newWindowedPager[T any](ctx context.Context, windows []fetchFunc[T], concurrency int) *windowedPager[T] {
	ctx, cancel := context.WithCancel(ctx)
	return &windowedPager[T]{ctx: ctx, cancel: cancel, windows: windows, concurrency: concurrency,
		lanes: make([]chan fetched[T], len(windows))}
}

func (w *windowedPager[T]) nextPage([]T) (page[T], bool, error) {
	for w.current < len(w.windows) {
		for w.started < len(w.windows) && w.started < w.current+w.concurrency {
			w.start(w.started)
			w.started++
		}
		got, ok := <-w.lanes[w.current]
		if !ok { // the window is done
			w.lanes[w.current] = nil
			w.current++
			continue
		}
		return got.page, got.err == nil, got.err
	}
	return page[T]{}, false, nil
}

// start walks window i on a goroutine of its own, parking its pages in its lane.
func (w *windowedPager[T]) start(i int) {
	lane := make(chan fetched[T], 1)
	w.lanes[i] = lane
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		defer close(lane)
		walk := walker[T]{fetch: w.windows[i]}
		for !walk.done {
			var got fetched[T]
			got.page, got.err = walk.fetchNext(w.ctx, nil)
			select {
			case lane <- got:
			case <-w.ctx.Done():
				return
			}
			if got.err != nil {
				return
			}
		}
	}()
}

func (w *windowedPager[T]) stop() {
	w.cancel()
	w.running.Wait()
}
