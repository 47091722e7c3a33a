package limit

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelled is a context that has ended: Acquire with it admits only when a
// slot is free at once.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// round plays one round trip against a server that runs at most serverLimit
// requests at once, with more demand than the limit: it admits every
// request the limit allows, has the server refuse those beyond its limit
// (the refusals come back first, and are released at once), then releases
// the others as served. It returns the admitted and refused counts.
func round(a *Adaptive, serverLimit int) (admitted, refused int) {
	var tickets []*Ticket
	for {
		t, err := a.Acquire(cancelled(), true)
		if err != nil {
			break
		}
		tickets = append(tickets, t)
	}
	for _, t := range tickets[min(serverLimit, len(tickets)):] {
		t.Refused()
		t.Release(false)
		refused++
	}
	for _, t := range tickets[:min(serverLimit, len(tickets))] {
		t.Release(true)
	}
	return len(tickets), refused
}

func TestAdaptiveSlowStartDoublesUpToTheMaximum(t *testing.T) {
	t.Parallel()
	a := NewAdaptive()
	var limits []int
	for a.Limit() < MaxLimit {
		admitted, refused := round(a, 1000)
		require.Zero(t, refused)
		require.Equal(t, a.Limit()/2, admitted, "each round doubles the limit")
		limits = append(limits, a.Limit())
	}
	assert.Equal(t, []int{8, 16, 32, 64, 128}, limits)
	round(a, 1000)
	assert.Equal(t, MaxLimit, a.Limit())
}

func TestAdaptiveSettlesAtTheServerLimitAndProbesRarely(t *testing.T) {
	t.Parallel()
	for _, serverLimit := range []int{1, 2, 8, 30} {
		a := NewAdaptive()
		var admitted, refused, atLimit int
		const rounds = 1000
		for range rounds {
			n, r := round(a, serverLimit)
			admitted, refused = admitted+n, refused+r
			if a.Limit() == serverLimit {
				atLimit++
			}
		}
		assert.LessOrEqual(t, float64(refused), 0.02*float64(admitted), "limit %d: %d of %d refused", serverLimit, refused, admitted)
		assert.GreaterOrEqual(t, atLimit, rounds*9/10, "limit %d: at the server's limit in %d of %d rounds", serverLimit, atLimit, rounds)
		assert.LessOrEqual(t, a.Limit(), serverLimit+1)
	}
}

func TestAdaptiveFollowsAServerLimitThatMoves(t *testing.T) {
	t.Parallel()
	a := NewAdaptive()
	for range 50 {
		round(a, 2)
	}
	require.LessOrEqual(t, a.Limit(), 3)
	rounds := 0
	for a.Limit() < 10 && rounds < 2000 {
		round(a, 10)
		rounds++
	}
	assert.GreaterOrEqual(t, a.Limit(), 10, "the limit grows back once the server allows more")
	for range 5 {
		round(a, 3)
	}
	assert.LessOrEqual(t, a.Limit(), 3, "and drops at once when it allows fewer")
}

func TestAdaptiveDoesNotGrowWithoutDemand(t *testing.T) {
	t.Parallel()
	a := NewAdaptive()
	for range 100 {
		var tickets []*Ticket
		for range InitialLimit - 1 {
			ticket, err := a.Acquire(context.Background(), false)
			require.NoError(t, err)
			tickets = append(tickets, ticket)
		}
		for _, ticket := range tickets {
			ticket.Release(true)
		}
	}
	assert.Equal(t, InitialLimit, a.Limit())
}

func TestAdaptiveRefusalsOfOneRoundLowerTheLimitOnce(t *testing.T) {
	t.Parallel()
	a := NewAdaptive()
	for range 3 {
		round(a, 1000)
	}
	require.Equal(t, 32, a.Limit())
	admitted, refused := round(a, 5)
	assert.Equal(t, 32, admitted)
	assert.Equal(t, 27, refused)
	assert.Equal(t, 5, a.Limit(), "down to the highest level that was served, not halved 27 times")
}

func TestAdaptiveWaitersGoInOrderAndLeaveOnCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptive()
		var held []*Ticket
		for range InitialLimit {
			ticket, err := a.Acquire(context.Background(), false)
			require.NoError(t, err)
			held = append(held, ticket)
		}
		gone, leave := context.WithCancel(context.Background())
		leaving := make(chan error, 1)
		go func() {
			_, err := a.Acquire(gone, false)
			leaving <- err
		}()
		waitForWaiters(t, a, 1)
		leave()
		require.ErrorIs(t, <-leaving, context.Canceled)
		waitForWaiters(t, a, 0)
		order := make(chan int, 2)
		for i := range 2 {
			go func() {
				ticket, err := a.Acquire(context.Background(), false)
				if err == nil {
					order <- i
					ticket.Release(false)
				}
			}()
			waitForWaiters(t, a, i+1)
		}
		waitForWaiters(t, a, 2)
		held[0].Release(false) // one slot: the first waiter takes it, then hands it on
		assert.Equal(t, 0, <-order)
		assert.Equal(t, 1, <-order)
		for _, ticket := range held[1:] {
			ticket.Release(false)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		assert.Zero(t, a.inFlight)
	})
}

// waitForWaiters waits until n goroutines are queued in a.
func waitForWaiters(t *testing.T, a *Adaptive, n int) {
	t.Helper()
	waitForQueue(t, &a.mu, &a.queue, n)
}

// waitForQueue waits until every other goroutine of the synctest bubble
// is blocked, and checks that n of them are queued in q, guarded by mu.
func waitForQueue(t *testing.T, mu *sync.Mutex, q *queue, n int) {
	t.Helper()
	synctest.Wait()
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, n, q.len(), "goroutines queued")
}

// Of two requests sent at once, one refused: the one served says nothing
// of the server's limit, and does not undo the refusal's lesson.
func TestAdaptiveASuccessBesideARefusalIsNoEvidence(t *testing.T) {
	t.Parallel()
	a := NewAdaptive()
	round(a, 1) // 4 at once, 3 refused: limit 1, ceiling 2
	require.Equal(t, 1, a.Limit())
	for range ProbeEvery {
		round(a, 1)
	}
	require.Equal(t, 2, a.Limit(), "a probe after ProbeEvery successes")
	first, err := a.Acquire(context.Background(), true)
	require.NoError(t, err)
	second, err := a.Acquire(context.Background(), true)
	require.NoError(t, err)
	assert.Equal(t, 2, second.Refused(), "refused with two in flight")
	second.Release(false)
	first.Release(true)
	assert.Equal(t, 1, a.Limit())
	for range ProbeEvery {
		round(a, 1)
	}
	assert.Equal(t, 1, a.Limit(), "the probe was refused: the next one waits twice as long")
	for range ProbeEvery {
		round(a, 1)
	}
	assert.Equal(t, 2, a.Limit())
}
