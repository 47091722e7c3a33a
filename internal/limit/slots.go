package limit

import (
	"context"
	"sync"
)

// Slots bounds the requests of one walk in flight at once, and hands its
// slots out in the walk's order: each line of requests of the walk (a
// [Lane]: the pages of one window) has a priority, and a slot goes to the
// lowest priority value that asked for one, then the first that asked. The
// bound is n, or less while bound says so (the Client's [Adaptive] limit,
// so that a walk does not queue more requests at the Client than the
// Client may run).
type Slots struct {
	mu    sync.Mutex
	n     int
	bound func() int
	inUse int // handed out, or kept by a lane
	queue queue
	lanes int // lanes made by NextLane so far
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

// HeldBack reports whether the bound keeps the walk from more requests
// now: some wait for a slot, or every slot the bound allows is taken while
// n allows more.
func (s *Slots) HeldBack() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	capacity := s.Capacity()
	return s.queue.len() > 0 || s.inUse >= capacity && capacity < s.n
}

// release frees a slot, for the first waiter if any; s.mu is held.
func (s *Slots) release() {
	s.inUse--
	s.admit()
}

// admit hands free slots to waiters in order (also the slots the bound
// added since the last call); s.mu is held.
func (s *Slots) admit() {
	for s.queue.len() > 0 && s.free() {
		s.inUse++
		s.queue.grant(s.inUse)
	}
}

// Lane is one line of requests of a walk, sent one after another (the
// pages of one window), at priority prio. It asks for a slot when its next
// request is decided ([Lane.Ask]), so that slots go in the walk's order
// rather than in the order goroutines run, and it keeps its slot from one
// request to the next ([Lane.Keep]) unless an earlier lane waits for one
// or the bound shrank: otherwise a slot freed while the lane reads an
// answer would go to a later lane that waits, and the earliest lanes,
// whose pages the walk hands out first, would take turns with later ones.
type Lane struct {
	slots *Slots
	prio  int
	// Guarded by slots.mu:
	kept  bool    // holds a slot between two requests
	asked *waiter // queued by Ask, for Acquire to wait on
}

// Lane returns a line of requests at priority prio: lower goes first.
func (s *Slots) Lane(prio int) *Lane { return &Lane{slots: s, prio: prio} }

// NextLane returns a line of requests after every lane NextLane made
// before: walks that share the slots get them in the order their windows
// opened, whichever walk opened them.
func (s *Slots) NextLane() *Lane {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lanes++
	return s.Lane(s.lanes - 1)
}

// mayKeep reports whether the lane may keep the slot it holds; s.mu is
// held.
func (l *Lane) mayKeep() bool {
	s := l.slots
	return s.inUse <= s.Capacity() && (s.queue.len() == 0 || s.queue.waiters[0].prio > l.prio)
}

// Ask queues the lane for a slot for its next request, unless it keeps
// one or asked already. [Lane.Acquire] waits for it.
func (l *Lane) Ask() {
	s := l.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	if !l.kept && l.asked == nil {
		l.asked = s.queue.push(l.prio)
		s.admit()
	}
}

// Acquire takes a slot for one request of the lane: the one it keeps, if
// it may still keep it, or else the one it asked for, waiting its turn
// (asking now if it did not), or until ctx ends.
func (l *Lane) Acquire(ctx context.Context) error {
	s := l.slots
	s.mu.Lock()
	w := l.asked
	l.asked = nil
	if l.kept {
		l.kept = false
		if l.mayKeep() {
			s.mu.Unlock()
			return nil
		}
		s.inUse--
	}
	if w == nil {
		w = s.queue.push(l.prio)
	}
	s.admit()
	s.mu.Unlock()
	_, err := wait(ctx, &s.mu, &s.queue, w, func(int) { l.Release() })
	return err
}

// Keep ends a request of the lane whose next one is likely to follow: the
// lane keeps its slot if it may (see [Lane]), for [Lane.Acquire] to take
// again or [Lane.Drop] to free; otherwise the slot is freed.
func (l *Lane) Keep() {
	s := l.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.mayKeep() {
		l.kept = true
		s.admit()
		return
	}
	s.release()
}

// HeldBack reports whether the bound keeps the lane's walk from more
// requests now (see [Slots.HeldBack]).
func (l *Lane) HeldBack() bool { return l.slots.HeldBack() }

// Release ends a request of the lane and frees its slot.
func (l *Lane) Release() {
	s := l.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release()
}

// Drop frees the slot the lane keeps, and its place in the queue, if any:
// it sends no request for now.
func (l *Lane) Drop() {
	s := l.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.asked != nil && !s.queue.remove(l.asked) {
		s.release() // granted meanwhile
	}
	if l.kept {
		s.release()
	}
	l.asked, l.kept = nil, false
}
