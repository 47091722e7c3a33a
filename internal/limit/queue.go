package limit

import (
	"context"
	"slices"
	"sync"
)

// waiter is a goroutine blocked in an Acquire.
type waiter struct {
	prio, seq int
	level     int           // the in-flight count it was admitted at, set before ready is closed
	refusals  int           // for Adaptive: its refusals at admission, set before ready is closed
	crowded   int           // for Adaptive: its crowded admissions at admission, likewise
	ready     chan struct{} // closed once it holds a slot
}

// queue holds waiters in order of priority (lower first), then arrival.
type queue struct {
	waiters []*waiter
	seq     int
}

func (q *queue) len() int { return len(q.waiters) }

// push queues a new waiter of priority prio.
func (q *queue) push(prio int) *waiter {
	q.seq++
	w := &waiter{prio: prio, seq: q.seq, ready: make(chan struct{})}
	i, _ := slices.BinarySearchFunc(q.waiters, w, func(a, b *waiter) int {
		if a.prio != b.prio {
			return a.prio - b.prio
		}
		return a.seq - b.seq
	})
	q.waiters = slices.Insert(q.waiters, i, w)
	return w
}

// grant admits the first waiter at level.
func (q *queue) grant(level int) {
	w := q.waiters[0]
	q.waiters[0] = nil
	q.waiters = q.waiters[1:]
	w.level = level
	close(w.ready)
}

// remove takes w out of the queue; false when it was granted already.
func (q *queue) remove(w *waiter) bool {
	i := slices.Index(q.waiters, w)
	if i < 0 {
		return false
	}
	q.waiters = slices.Delete(q.waiters, i, i+1)
	return true
}

// wait blocks until w holds a slot, and returns the level it was admitted
// at, or until ctx ends. A waiter granted a slot just as ctx ended hands it
// back through giveBack, called without mu held.
func wait(ctx context.Context, mu *sync.Mutex, q *queue, w *waiter, giveBack func(level int)) (int, error) {
	select {
	case <-w.ready:
		return w.level, nil
	case <-ctx.Done():
	}
	mu.Lock()
	removed := q.remove(w)
	mu.Unlock()
	if !removed { // granted meanwhile
		giveBack(w.level)
	}
	return 0, ctx.Err()
}
