package supersim

import (
	"context"
	"errors"
	"sync"
)

// windowedPager walks several queries, one per time window, and hands out
// their pages in window order: every page of window 0, then of window 1,
// and so on. At most concurrency requests are in flight at once, across
// windows; windows start up to lookahead ahead of the one being handed
// out, and each holds at most two pages (one parked, one being fetched),
// which bounds memory to 2·(lookahead+1) pages.
type windowedPager[T any] struct {
	ctx       context.Context
	cancel    context.CancelFunc
	windows   []fetchFunc[T]
	slots     chan struct{}     // one token per request allowed in flight
	lookahead int               // windows started beyond the current one
	lanes     []chan fetched[T] // one per window, made when it starts
	finished  []bool            // set by window i's goroutine, before its lane closes, once it walked the whole window
	spares    chan []T          // pages handed back, for walkers to reuse
	started   int               // windows started so far
	current   int               // the window being handed out
	running   sync.WaitGroup
}

func newWindowedPager[T any](ctx context.Context, windows []fetchFunc[T], concurrency, lookahead int) *windowedPager[T] {
	ctx, cancel := context.WithCancel(ctx)
	return &windowedPager[T]{ctx: ctx, cancel: cancel, windows: windows,
		slots: make(chan struct{}, concurrency), lookahead: max(lookahead, concurrency),
		lanes: make([]chan fetched[T], len(windows)), finished: make([]bool, len(windows)),
		spares: make(chan []T, concurrency)}
}

func (w *windowedPager[T]) nextPage(spare []T) (page[T], bool, error) {
	if spare != nil {
		select {
		case w.spares <- spare:
		default: // enough spares already
		}
	}
	for w.current < len(w.windows) {
		for w.started < len(w.windows) && w.started <= w.current+w.lookahead {
			w.start(w.started)
			w.started++
		}
		got, ok := <-w.lanes[w.current]
		if !ok && !w.finished[w.current] { // cut off by the context before its last page
			return page[T]{}, false, w.cutOff()
		}
		if !ok { // the window is done
			w.lanes[w.current] = nil
			w.current++
			continue
		}
		return got.page, got.err == nil, got.err
	}
	return page[T]{}, false, nil
}

// start walks window i on a goroutine of its own, parking its pages in its
// lane; each fetch waits for a free slot.
func (w *windowedPager[T]) start(i int) {
	lane := make(chan fetched[T], 1)
	w.lanes[i] = lane
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		defer close(lane)
		walk := walker[T]{fetch: w.windows[i]}
		defer func() { w.finished[i] = walk.done }() // runs before close(lane): the reader sees it
		for !walk.done {
			select {
			case w.slots <- struct{}{}:
			case <-w.ctx.Done():
				return
			}
			var buf []T
			select {
			case buf = <-w.spares:
			default:
			}
			var got fetched[T]
			got.page, got.err = walk.fetchNext(w.ctx, buf)
			<-w.slots
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

// cutOff is the error of a walk whose context ended before every window was
// walked: the context's own error, so that a cancelled or timed-out export
// never looks complete.
func (w *windowedPager[T]) cutOff() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	return errors.New("supersim: a window ended before its last page")
}

func (w *windowedPager[T]) stop() {
	w.cancel()
	w.running.Wait()
}
