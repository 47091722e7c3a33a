package supersim_test

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

func TestPrefetchStaysOnePageAhead(t *testing.T) {
	t.Parallel()
	records := makeRecords(50)
	api := startFakeAPI(t, pagedHandler(t, records, 10, ""))
	synctest.Test(t, func(t *testing.T) {
		client := api.client(t, inBubble(nil))
		it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10})
		defer it.Stop()
		require.True(t, it.Next())
		synctest.Wait() // the walk has done all it does while page 1 is read
		assert.Len(t, api.Requests(), 2, "page 2 is fetched while page 1 is read, and never more than one page ahead")

		got := []supersim.UsageRecord{it.Value()}
		for len(got) < 11 && it.Next() { // into page 2
			got = append(got, it.Value())
		}
		synctest.Wait()
		assert.Len(t, api.Requests(), 3, "page 3 is fetched once page 2 is read from")
		for it.Next() {
			got = append(got, it.Value())
		}
		require.NoError(t, it.Err())
		assertSameRecords(t, records, got)
		assert.Len(t, api.Requests(), 5)
	})
}

// The prefetch sends its request before the page before it is handed out,
// so that a caller busy with each page overlaps its work with the fetch:
// even on one P, where a goroutine left to start on its own waits for the
// caller to block. Not parallel: it runs with GOMAXPROCS 1.
func TestPrefetchStartsBeforeThePageIsHandedOut(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	api := startFakeAPI(t, pagedHandler(t, makeRecords(30), 10, ""))
	var sent atomic.Int32
	next := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(next.CloseIdleConnections)
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return next.RoundTrip(r)
	})}
	client := api.client(t, supersim.WithHTTPClient(counting))
	early := 0
	for range 10 {
		it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10})
		before := sent.Load()
		require.True(t, it.Next())
		if sent.Load() == before+2 {
			early++
		}
		it.Stop()
	}
	// Once in 61 schedules the runtime runs the longest waiting goroutine
	// first, for fairness: the caller, then.
	assert.Greater(t, early, 5, "page 2 was requested before page 1 was handed out")
}

func TestNoPrefetchFetchesOnDemand(t *testing.T) {
	t.Parallel()
	api := startFakeAPI(t, pagedHandler(t, makeRecords(50), 10, ""))
	synctest.Test(t, func(t *testing.T) {
		client := api.client(t, inBubble(nil))
		it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10, NoPrefetch: true})
		defer it.Stop()
		for range 10 {
			require.True(t, it.Next())
		}
		synctest.Wait() // the walk has done all it does while page 1 is read
		assert.Len(t, api.Requests(), 1, "page 2 waits until it is needed")
		require.True(t, it.Next())
		assert.Len(t, api.Requests(), 2)
	})
}

// stallingPages serves page 0 at once and stalls every later page until
// the request is cancelled. It reports the stalled request's arrival on
// arrived and its cancellation on cancelled.
func stallingPages(t *testing.T, arrived, cancelled chan<- struct{}) http.HandlerFunc {
	first := pagedHandler(t, makeRecords(30), 10, "")
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("PageToken") == "" {
			first(w, r)
			return
		}
		arrived <- struct{}{}
		<-r.Context().Done()
		cancelled <- struct{}{}
	}
}

// within fails the test unless ch delivers within five seconds.
func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal(what)
	}
}

func TestEarlyBreakCancelsThePrefetch(t *testing.T) {
	t.Parallel()
	arrived, cancelled := make(chan struct{}, 1), make(chan struct{}, 1)
	client, _ := newFakeAPI(t, stallingPages(t, arrived, cancelled))
	for range client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10}).All() {
		within(t, arrived, "page 2 was not fetched ahead")
		break
	}
	within(t, cancelled, "the prefetch of page 2 outlived the loop")
}

func TestCancelledContextStopsThePrefetch(t *testing.T) {
	t.Parallel()
	arrived, cancelled := make(chan struct{}, 1), make(chan struct{}, 1)
	client, _ := newFakeAPI(t, stallingPages(t, arrived, cancelled))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	it := client.ListUsageRecords(ctx, &supersim.ListUsageRecordsOptions{PageSize: 10})
	n := 0
	for it.Next() {
		if n++; n == 10 {
			within(t, arrived, "page 2 was not fetched ahead")
			cancel()
		}
	}
	assert.Equal(t, 10, n, "the records of page 1 all arrive")
	require.ErrorIs(t, it.Err(), context.Canceled)
	within(t, cancelled, "the prefetch outlived its context")
}

func TestPrefetchErrorsComeAfterTheRecordsBeforeThem(t *testing.T) {
	t.Parallel()
	records := makeRecords(30)
	var calls atomic.Int32
	pages := pagedHandler(t, records, 10, "")
	client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 3 {
			serveFixture(t, 404, "error_404.json")(w, r)
			return
		}
		pages(w, r)
	})
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10})
	var got []supersim.UsageRecord
	for it.Next() {
		got = append(got, it.Value())
	}
	assertSameRecords(t, records[:20], got)
	require.ErrorIs(t, it.Err(), supersim.ErrNotFound)
	pos, ok := it.NextPosition()
	assert.True(t, ok)
	assert.Equal(t, supersim.Position{PageToken: "PT2", Page: 2, Query: pos.Query}, pos, "resume at the page that failed")
}
