package limit

import (
	"context"
	"sync"
)

// Slots bounds the requests of one walk in flight at once, and admits its
// waiting requests in the walk's order: lowest priority value first, then
// first come. The bound is n, or less while bound says so (the Client's
// [Adaptive] limit, so that a walk does not queue more requests at the
// Client than the Client may run).
type Slots struct {
	mu    sync.Mutex
	n     int
	bound func() int
	inUse int
	queue queue
}

// NewSlots returns n slots, further bounded by bound if it is not nil.
func NewSlots(n int, bound func() int) *Slots {
	return &Slots{n: max(n, 1), bound: bound}
}

// Capacity returns how many slots there are now: n, or the bound if lower,
// and at least one.
func (s *Slots) Capacity() int {
	if s.bound != nil {
		return min(s.n, max(s.bound(), 1))
	}
	return s.n
}

// free reports whether another slot may be handed out; s.mu is held.
func (s *Slots) free() bool { return s.inUse < s.Capacity() }

// Acquire waits for a slot, or until ctx ends.
func (s *Slots) Acquire(ctx context.Context, prio int) error {
	s.mu.Lock()
	w := s.queue.push(prio)
	s.admit() // also when the bound grew since the last Release
	s.mu.Unlock()
	_, err := wait(ctx, &s.mu, &s.queue, w, func(int) { s.Release() })
	return err
}

// HeldBack reports whether the bound keeps the walk from more requests
// now: some wait for a slot, or every slot the bound allows is taken while
// n allows more.
func (s *Slots) HeldBack() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	capacity := s.Capacity()
	return s.queue.len() > 0 || s.inUse >= capacity && capacity < s.n
}

// Release frees a slot, for the first waiter if any.
func (s *Slots) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inUse--
	s.admit()
}

// admit hands free slots to waiters in order; s.mu is held.
func (s *Slots) admit() {
	for s.queue.len() > 0 && s.free() {
		s.inUse++
		s.queue.grant(s.inUse)
	}
}
