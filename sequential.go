package supersim

import (
	"context"
	"runtime"
)

// fetched is the outcome of one page fetch.
type fetched[T any] struct {
	page page[T]
	err  error
}

// sequentialPager walks one query page after page. With prefetch on, it
// fetches page k+1 on a goroutine, started before page k is handed out,
// while the caller works through page k: never more than one page ahead,
// never past MaxRecords, and the two pages' memory is reused in turn.
type sequentialPager[T any] struct {
	ctx      context.Context
	cancel   context.CancelFunc
	walk     walker[T]
	prefetch bool
	limit    int // MaxRecords, 0 for none
	handed   int // items handed out so far
	ahead    chan fetched[T]
}

func newSequentialPager[T any](ctx context.Context, start Position, fetch fetchFunc[T], prefetch bool, limit int) *sequentialPager[T] {
	ctx, cancel := context.WithCancel(ctx)
	return &sequentialPager[T]{ctx: ctx, cancel: cancel, walk: walker[T]{fetch: fetch, next: start},
		prefetch: prefetch, limit: limit}
}

func (s *sequentialPager[T]) nextPage(spare []T) (page[T], bool, error) {
	var got fetched[T]
	switch {
	case s.ahead != nil:
		got = <-s.ahead // the fetch honours s.ctx, so this wait ends with it
		s.ahead = nil
	case s.walk.done:
		return page[T]{}, false, nil
	default:
		got.page, got.err = s.walk.fetchNext(s.ctx, spare)
		spare = nil // in use by the page just fetched
	}
	if got.err != nil {
		return got.page, false, got.err
	}
	s.handed += len(got.page.items)
	if s.prefetch && !got.page.last && (s.limit == 0 || s.handed < s.limit) {
		s.ahead = make(chan fetched[T], 1)
		go s.fetchAhead(spare)
		// Let the fetch send its request now. Left to wait until the
		// caller blocks, it would start only once a caller busy with the
		// page is done with it: always with one P, and often with more,
		// where an idle P is slow to wake (some 100 µs on a VM, about
		// what a page's encoding takes).
		runtime.Gosched()
	}
	return got.page, true, nil
}

// fetchAhead fetches the next page into buf and parks it in s.ahead.
func (s *sequentialPager[T]) fetchAhead(buf []T) {
	var got fetched[T]
	got.page, got.err = s.walk.fetchNext(s.ctx, buf)
	s.ahead <- got
}

func (s *sequentialPager[T]) stop() {
	s.cancel()
	if s.ahead != nil {
		<-s.ahead
		s.ahead = nil
	}
}
