package supersim_test

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

var demoNow = time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)

// demoAPI is the fake API over the demo dataset at demoNow, and a client.
func demoAPI(t *testing.T) (*supersimtest.Server, *supersim.Client) {
	t.Helper()
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }))
	t.Cleanup(srv.Close)
	client, err := srv.Client(supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return srv, client
}

// dayByDay walks [start, end) one UTC day at a time, sequentially.
func dayByDay(t *testing.T, client *supersim.Client, opts supersim.ListUsageRecordsOptions) []supersim.UsageRecord {
	t.Helper()
	var all []supersim.UsageRecord
	end := opts.EndTime
	for day := opts.StartTime; day.Before(end); day = day.AddDate(0, 0, 1) {
		next := day.AddDate(0, 0, 1)
		if next.After(end) {
			next = end
		}
		opts.StartTime, opts.EndTime, opts.Concurrency = day, next, 0
		recs, err := client.ListUsageRecords(context.Background(), &opts).Collect()
		require.NoError(t, err)
		all = append(all, recs...)
	}
	return all
}

// byTime sorts a copy of recs oldest first, then by dimension. The API
// answers newest first while windows come oldest first, so a window of
// several days is not in the order of day-by-day walks; this compares
// the records regardless of that order.
func byTime(recs []supersim.UsageRecord) []supersim.UsageRecord {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b supersim.UsageRecord) int {
		return cmp.Or(a.Period.StartTime.Compare(b.Period.StartTime), strings.Compare(a.SimSID, b.SimSID),
			strings.Compare(a.FleetSID, b.FleetSID), strings.Compare(a.NetworkSID, b.NetworkSID), strings.Compare(a.IsoCountry, b.IsoCountry))
	})
	return out
}

func sumOf(recs []supersim.UsageRecord) supersimtest.Totals {
	var t supersimtest.Totals
	for _, r := range recs {
		t.AddRecord(r)
	}
	return t
}

func TestWindowedWalkYieldsTheSequentialWindowsInOrder(t *testing.T) {
	srv, client := demoAPI(t)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	tests := []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityHour, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 31), PageSize: 1000, Concurrency: 8},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupFleet, StartTime: start, EndTime: start.AddDate(0, 0, 30), PageSize: 7, Concurrency: 3},
		{Granularity: supersim.GranularityHour, Group: supersim.GroupNetwork, StartTime: start, EndTime: start.AddDate(0, 0, 5).Add(7 * time.Hour), PageSize: 50, Concurrency: 2},
	}
	for _, opts := range tests {
		t.Run(string(opts.Granularity)+"/"+string(opts.Group), func(t *testing.T) {
			got, err := client.ListUsageRecords(context.Background(), &opts).Collect()
			require.NoError(t, err)
			want := dayByDay(t, client, opts)
			require.NotEmpty(t, want)
			assertSameRecords(t, byTime(want), byTime(got)) // windows of several days: see byTime
			totals := srv.Totals(supersimtest.Filter{Start: opts.StartTime, End: opts.EndTime})
			sum := sumOf(got)
			assert.Equal(t, totals.Total, sum.Total)
			assert.Equal(t, totals.Billed.String(), sum.Billed.String())
		})
	}
}

func TestWindowedWalkCoversRangesTooLongForOneRequest(t *testing.T) {
	_, client := demoAPI(t)
	start := time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC) // 35 days before the demo ends
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupIsoCountry,
		StartTime: start, EndTime: start.AddDate(0, 0, 35), PageSize: 1000}

	_, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr, "one request may not cover 35 days of hours")
	assert.Equal(t, 83604, apiErr.Code)

	for _, concurrency := range []int{1, 4} {
		opts.Concurrency = concurrency
		got, err := client.ListUsageRecords(context.Background(), &opts).Collect()
		require.NoError(t, err)
		assertSameRecords(t, byTime(dayByDay(t, client, opts)), byTime(got)) // see byTime
	}
}

func TestWindowedFallsBackToOneWalk(t *testing.T) {
	start := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	tests := map[string]supersim.ListUsageRecordsOptions{
		"granularity all":       {Granularity: supersim.GranularityAll, StartTime: start, EndTime: start.AddDate(0, 0, 20), Concurrency: 8},
		"start not at midnight": {Granularity: supersim.GranularityHour, StartTime: start.Add(time.Hour), EndTime: start.AddDate(0, 0, 2), Concurrency: 8},
		"no end time":           {Granularity: supersim.GranularityDay, StartTime: start, Concurrency: 8},
		"concurrency 0":         {Granularity: supersim.GranularityDay, StartTime: start, EndTime: start.AddDate(0, 0, 20)},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			srv, client := demoAPI(t)
			it := client.ListUsageRecords(context.Background(), &opts)
			_, err := it.Collect()
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1, "one walk, one page")
			want := url.Values{"Granularity": {string(opts.Granularity)}, "StartTime": {opts.StartTime.Format(time.RFC3339)}}
			if !opts.EndTime.IsZero() {
				want.Set("EndTime", opts.EndTime.Format(time.RFC3339))
			}
			assert.Equal(t, want, reqs[0].Query)
		})
	}
}

func TestWindowedWalkRidesOutRateLimits(t *testing.T) {
	srv, client := demoAPI(t)
	start := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupFleet,
		StartTime: start, EndTime: start.AddDate(0, 0, 16), PageSize: 100, Concurrency: 8}
	want := dayByDay(t, client, opts)
	// The faults hit whichever requests come next, so one window may meet
	// all of them in a row: give it the retries for that.
	client, err := srv.Client(supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond), supersim.WithMaxRetries(10))
	require.NoError(t, err)
	srv.InjectFaults(6, supersimtest.FaultStatus(429, 0, "0"))
	srv.InjectFaults(3, supersimtest.FaultStatus(503, 0, ""))
	got, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	require.NoError(t, err)
	assertSameRecords(t, want, got)
}

func TestWindowedErrorsComeAfterTheEarlierWindows(t *testing.T) {
	srv, client := demoAPI(t)
	start := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	broken := start.AddDate(0, 0, 3)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupSim,
		StartTime: start, EndTime: start.AddDate(0, 0, 10), PageSize: 500, Concurrency: 4}
	all := dayByDay(t, client, opts)

	// A proxy in front of the fake fails every window that holds day 3.
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var failedFrom time.Time
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, _ := time.Parse(time.RFC3339, r.URL.Query().Get("StartTime"))
		to, _ := time.Parse(time.RFC3339, r.URL.Query().Get("EndTime"))
		if !from.After(broken) && to.After(broken) {
			mu.Lock()
			failedFrom = from
			mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code": 83600, "message": "broken window", "status": 400}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	client, err = supersim.NewClient(supersim.WithBaseURL(front.URL), supersim.WithCredentials(supersimtest.AccountSID, supersimtest.AuthToken))
	require.NoError(t, err)

	got, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "broken window", apiErr.Message)
	mu.Lock()
	defer mu.Unlock()
	var before []supersim.UsageRecord
	for _, r := range all {
		if r.Period.StartTime.Before(failedFrom) {
			before = append(before, r)
		}
	}
	require.NotEmpty(t, before)
	assertSameRecords(t, before, got)
}

func TestWindowedEarlyBreakStopsEveryWindow(t *testing.T) {
	srv, _ := demoAPI(t)
	srv.SetLatency(5 * time.Millisecond)
	var tries atomic.Int32 // counted as the client sends them
	counting := srv.HTTPClient()
	next := counting.Transport
	counting.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		tries.Add(1)
		return next.RoundTrip(r)
	})
	client, err := srv.Client(supersim.WithHTTPClient(counting))
	require.NoError(t, err)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupSim,
		StartTime: start, EndTime: start.AddDate(0, 0, 31), PageSize: 100, Concurrency: 8}
	it := client.ListUsageRecords(context.Background(), &opts)
	n := 0
	for range it.All() {
		if n++; n == 150 {
			break
		}
	}
	sent := tries.Load()
	time.Sleep(30 * time.Millisecond)
	assert.Equal(t, sent, tries.Load(), "requests went on after the loop ended")
	const windowsStarted = 4*8 + 1 // the current window and 4×Concurrency ahead
	assert.LessOrEqual(t, int(sent), 2+2*windowsStarted, "at most two pages ahead per started window")
	_, ok := it.NextPosition()
	assert.False(t, ok, "a windowed walk has no position to resume from")
}

func TestConcurrencyIsValidated(t *testing.T) {
	for _, c := range []int{-1, supersim.MaxConcurrency + 1} {
		err := (&supersim.ListUsageRecordsOptions{Concurrency: c}).Validate()
		var verr *supersim.ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "Concurrency", verr.Field)
	}
}

// A walk cut off by its context must end with the context's error, never
// look complete: every window lane that closes without finishing its window
// is an error, wherever the cancel lands.
func TestWindowedWalkCancelledMidwayEndsWithAnError(t *testing.T) {
	_, client := demoAPI(t)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupNetwork,
		StartTime: start, EndTime: start.AddDate(0, 0, 2), PageSize: 10, Concurrency: 4}
	all, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	require.NoError(t, err)
	for _, cancelAt := range []int{1, 7, 30, len(all) / 2, len(all) - 3} {
		ctx, cancel := context.WithCancel(context.Background())
		it := client.ListUsageRecords(ctx, &opts)
		n := 0
		for it.Next() {
			if n++; n == cancelAt {
				cancel()
			}
		}
		cancel()
		if n == len(all) { // every page was in hand before the cancel: a complete walk
			assert.NoError(t, it.Err())
			continue
		}
		require.Error(t, it.Err(), "cancelled after %d records, walk ended after %d of %d without an error", cancelAt, n, len(all))
		assert.ErrorIs(t, it.Err(), context.Canceled)
	}
}
