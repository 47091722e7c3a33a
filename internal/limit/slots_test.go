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
		require.NoError(t, s.Acquire(context.Background(), 0))
		order := make(chan int, 3)
		for i, prio := range []int{7, 3, 5} {
			go func() {
				if s.Acquire(context.Background(), prio) == nil {
					order <- prio
					s.Release()
				}
			}()
			waitForSlotWaiters(t, s, i+1)
		}
		s.Release()
		assert.Equal(t, []int{3, 5, 7}, []int{<-order, <-order, <-order})
	})
}

func TestSlotsFollowTheirBound(t *testing.T) {
	t.Parallel()
	var bound atomic.Int64
	bound.Store(1)
	s := NewSlots(3, func() int { return int(bound.Load()) })
	require.NoError(t, s.Acquire(context.Background(), 0))
	require.ErrorIs(t, s.Acquire(cancelled(), 0), context.Canceled, "bound 1: no second slot")
	assert.True(t, s.HeldBack(), "the bound, not n, holds the walk back")
	bound.Store(10)
	require.NoError(t, s.Acquire(context.Background(), 0), "the bound grew")
	require.NoError(t, s.Acquire(context.Background(), 0))
	require.ErrorIs(t, s.Acquire(cancelled(), 0), context.Canceled, "n = 3 still holds")
	assert.False(t, s.HeldBack(), "n holds the walk back, not the bound")
	bound.Store(0)
	for range 3 {
		s.Release()
	}
	require.NoError(t, s.Acquire(context.Background(), 0), "one slot at least, whatever the bound")
	s.Release()
}

func TestSlotsWaiterLeavesOnCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := NewSlots(1, nil)
		require.NoError(t, s.Acquire(context.Background(), 0))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Acquire(ctx, 0) }()
		waitForSlotWaiters(t, s, 1)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		s.Release()
		require.NoError(t, s.Acquire(context.Background(), 0), "the slot is free again")
		s.Release()
	})
}

// waitForSlotWaiters waits until n goroutines are queued in s.
func waitForSlotWaiters(t *testing.T, s *Slots, n int) {
	t.Helper()
	waitForQueue(t, &s.mu, &s.queue, n)
}
