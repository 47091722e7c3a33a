package supersim_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// A server that is down makes the client fail fast, however many retries
// each request may have: the Client's retry budget runs out.
func TestDownServerFailsFast(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{fault: func(url.Values) int { return http.StatusServiceUnavailable }})
	client := f.client(t, supersim.WithMaxRetries(1000), supersim.WithRetryWait(time.Millisecond, 2*time.Millisecond))
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 20), 100, 8)
	_, err := collect(context.Background(), client, opts)
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.Status)
	sent := len(f.Queries())
	assert.LessOrEqual(t, sent, 110, "500 tokens pay for 100 retries")
	assert.Greater(t, sent, 50)

	opts.Concurrency = 0 // one query of the whole range, unlike any window's
	_, err = collect(context.Background(), client, opts)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 1, apiErr.Attempts, "the budget is spent: no retries until requests succeed again")
	whole := 0
	for _, q := range f.Queries() {
		if q.Get("StartTime") == june1.Format(time.RFC3339) && q.Get("EndTime") == opts.EndTime.Format(time.RFC3339) {
			whole++
		}
	}
	assert.Equal(t, 1, whole)
}

// The account's limit is the Client's: walks at once on one Client share
// what it allows, and none fails for it.
func TestWalksShareTheClientsLimit(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{maxInFlight: 3, latency: 2 * time.Millisecond})
	client := f.client(t)
	walks := []supersim.ListUsageRecordsOptions{
		hourlyBySim(june1, june1.AddDate(0, 0, 2), 50, 8),
		hourlyBySim(june1.AddDate(0, 0, -5), june1.AddDate(0, 0, -2), 70, 8),
		hourlyBySim(june1.AddDate(0, 0, 3), june1.AddDate(0, 0, 4), 40, 0),
	}
	got := make([][]supersim.UsageRecord, len(walks))
	errs := make([]error, len(walks))
	var done sync.WaitGroup
	for i, opts := range walks {
		done.Add(1)
		go func() {
			defer done.Done()
			got[i], errs[i] = collect(context.Background(), client, opts)
		}()
	}
	done.Wait()
	for i, opts := range walks {
		require.NoError(t, errs[i])
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got[i])
	}
	served, refused := f.served.Load(), f.refused.Load()
	assert.LessOrEqual(t, refused*5, served, "%d refused, %d served", refused, served)
}

// The per-try timeout counts from when the try may go: tries queued behind
// the walk's one slot do not time out, and a try on the wire still does.
// The wire's latency and the timeout are on a synctest bubble's clock.
func TestTryTimeoutStartsWhenTheTryMayGo(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{})
	opts := hourlyBySim(june1, june1.Add(12*time.Hour), 30, 1) // 12 pages, one at a time, others waiting
	synctest.Test(t, func(t *testing.T) {
		// A try takes 150 ms on the wire, within the 250 ms timeout; one
		// queued behind others waits 150 ms for each.
		w := &wire{latency: 150 * time.Millisecond}
		client := f.client(t, supersim.WithHTTPClient(w.httpClient(250*time.Millisecond)), supersim.WithMaxRetries(0))
		began := time.Now()
		got, err := collect(context.Background(), client, opts)
		require.NoError(t, err, "a try that waited for its slot longer than the timeout was cut off")
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
		sent := w.sentAt()
		require.Len(t, sent, 12)
		assert.Equal(t, began.Add(12*150*time.Millisecond), sent[11], "one try at a time, each after the one before")

		// A try longer on the wire than the timeout is cut off.
		slow := &wire{latency: time.Second}
		client = f.client(t, supersim.WithHTTPClient(slow.httpClient(250*time.Millisecond)), supersim.WithMaxRetries(0))
		_, err = collect(context.Background(), client, opts)
		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.Contains(t, err.Error(), "timed out after 250ms")
		assert.Empty(t, slow.sentAt(), "no try outlived its timeout")
	})
}

// An outage empties the Client's retry budget; once the server is back,
// behind a concurrency limit, a windowed export on the same Client must
// still adapt and complete: re-sends for the account's limit are not
// retries of a failing server.
func TestAnEmptyRetryBudgetDoesNotEndAnExportThatRunsTooMany(t *testing.T) {
	t.Parallel()
	var down atomic.Int32
	down.Store(1)
	f := smallFleet(t, fleetConfig{maxInFlight: 2, latency: 2 * time.Millisecond, fault: func(url.Values) int {
		if down.Load() == 1 {
			return http.StatusServiceUnavailable
		}
		return 0
	}})
	client := f.client(t, supersim.WithMaxRetries(200))
	_, err := collect(context.Background(), client, hourlyBySim(june1, june1.Add(time.Hour), 50, 0))
	require.ErrorIs(t, err, supersim.ErrServer, "the outage")
	down.Store(0)

	opts := hourlyBySim(june1, june1.AddDate(0, 0, 3), 30, 8)
	got, err := collect(context.Background(), client, opts)
	require.NoError(t, err)
	assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
}
