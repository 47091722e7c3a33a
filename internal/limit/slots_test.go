package limit

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlotsAdmitLowestPriorityFirst(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := NewSlots(1, nil)
		first := s.Lane(0)
		require.NoError(t, first.Acquire(context.Background()))
		order := make(chan int, 3)
		for i, prio := range []int{7, 3, 5} {
			go func() {
				lane := s.Lane(prio)
				if lane.Acquire(context.Background()) == nil {
					order <- prio
					lane.Release()
				}
			}()
			waitForSlotWaiters(t, s, i+1)
		}
		first.Release()
		assert.Equal(t, []int{3, 5, 7}, []int{<-order, <-order, <-order})
	})
}

func TestSlotsFollowTheirBound(t *testing.T) {
	t.Parallel()
	var bound atomic.Int64
	bound.Store(1)
	s := NewSlots(3, func() int { return int(bound.Load()) })
	lane := s.Lane(0)
	require.NoError(t, lane.Acquire(context.Background()))
	require.ErrorIs(t, lane.Acquire(cancelled()), context.Canceled, "bound 1: no second slot")
	assert.True(t, s.HeldBack(), "the bound, not n, holds the walk back")
	bound.Store(10)
	require.NoError(t, lane.Acquire(context.Background()), "the bound grew")
	require.NoError(t, lane.Acquire(context.Background()))
	require.ErrorIs(t, lane.Acquire(cancelled()), context.Canceled, "n = 3 still holds")
	assert.False(t, s.HeldBack(), "n holds the walk back, not the bound")
	bound.Store(0)
	for range 3 {
		lane.Release()
	}
	require.NoError(t, lane.Acquire(context.Background()), "one slot at least, whatever the bound")
	lane.Release()
}

func TestSlotsWaiterLeavesOnCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := NewSlots(1, nil)
		lane := s.Lane(0)
		require.NoError(t, lane.Acquire(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- lane.Acquire(ctx) }()
		waitForSlotWaiters(t, s, 1)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		lane.Release()
		require.NoError(t, lane.Acquire(context.Background()), "the slot is free again")
		lane.Release()
	})
}

// A lane keeps its slot from one request to its next: a later lane that
// waits does not take it in between, an earlier one does.
func TestLaneKeepsItsSlotUnlessAnEarlierLaneWaits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := NewSlots(1, nil)
		earlier, lane, later := s.Lane(0), s.Lane(1), s.Lane(2)
		admitted := make(chan int, 2)
		waiting := func(l *Lane) {
			go func() {
				if l.Acquire(context.Background()) == nil {
					admitted <- l.prio
				}
			}()
		}
		require.NoError(t, lane.Acquire(context.Background()))
		waiting(later)
		waitForSlotWaiters(t, s, 1)
		lane.Keep()
		synctest.Wait()
		require.Empty(t, admitted, "a later lane waits while the lane keeps its slot")
		require.NoError(t, lane.Acquire(cancelled()), "the lane's next request has its slot at once")

		waiting(earlier)
		waitForSlotWaiters(t, s, 2)
		lane.Keep()
		assert.Equal(t, 0, <-admitted, "an earlier lane that waits takes the slot")
		require.ErrorIs(t, lane.Acquire(cancelled()), context.Canceled, "and the lane waits its turn")
		earlier.Release()
		assert.Equal(t, 2, <-admitted)
		later.Keep()
		later.Drop()
		require.NoError(t, lane.Acquire(context.Background()), "a slot dropped is free")
		lane.Release()
	})
}

// Slots go in the order lanes asked for them, not the order their
// requests reach Acquire; a lane that drops its turn frees its place.
func TestLanesHaveSlotsInTheOrderTheyAsked(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := NewSlots(1, nil)
		first, second, third := s.Lane(2), s.Lane(0), s.Lane(1)
		first.Ask()
		second.Ask()
		third.Ask()
		require.ErrorIs(t, second.Acquire(cancelled()), context.Canceled, "the slot went to the first that asked")
		require.NoError(t, first.Acquire(context.Background()))
		third.Drop()
		waitForSlotWaiters(t, s, 0)
		first.Keep()
		second.Ask()
		first.Drop()
		require.NoError(t, second.Acquire(context.Background()), "the slot dropped went to the lane waiting")
		second.Release()
		third.Ask()
		third.Drop()
		require.NoError(t, first.Acquire(context.Background()), "a slot granted to a lane that dropped its turn is free")
		first.Release()
	})
}

// A lane gives its slot up once the bound holds fewer slots than are in
// use.
func TestLaneGivesUpItsSlotWhenTheBoundShrinks(t *testing.T) {
	t.Parallel()
	var bound atomic.Int64
	bound.Store(2)
	s := NewSlots(2, func() int { return int(bound.Load()) })
	a, b := s.Lane(0), s.Lane(1)
	require.NoError(t, a.Acquire(context.Background()))
	require.NoError(t, b.Acquire(context.Background()))
	bound.Store(1)
	b.Keep()
	require.ErrorIs(t, b.Acquire(cancelled()), context.Canceled, "two in use, one allowed: b gave its slot up")
	a.Keep()
	require.NoError(t, a.Acquire(cancelled()), "one in use, one allowed: a keeps its slot")
	a.Release()
}

// waitForSlotWaiters waits until n goroutines are queued in s.
func waitForSlotWaiters(t *testing.T, s *Slots, n int) {
	t.Helper()
	waitForQueue(t, &s.mu, &s.queue, n)
}
