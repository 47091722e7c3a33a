package supersim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
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

func sumOf(recs []supersim.UsageRecord) supersimtest.Totals {
	var t supersimtest.Totals
	for _, r := range recs {
		t.AddRecord(r)
	}
	return t
}

// june1 is the start of the fleet API's usage in most tests here.
var june1 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// hourlyBySim are the options of an hourly export by SIM.
func hourlyBySim(start, end time.Time, pageSize, concurrency int) supersim.ListUsageRecordsOptions {
	return supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, Granularity: supersim.GranularityHour,
		StartTime: start, EndTime: end, PageSize: pageSize, Concurrency: concurrency}
}

// smallFleet serves 30 SIMs' hourly usage over 71 days from May 1.
func smallFleet(t *testing.T, cfg fleetConfig) *fleetAPI {
	t.Helper()
	if cfg.sims == 0 {
		cfg.sims = 30
	}
	cfg.from, cfg.to = june1.AddDate(0, -1, 0), june1.AddDate(0, 0, 40)
	return newFleetAPI(t, cfg)
}

func TestWindowedWalkIsOneWalk(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{})
	client := f.client(t)
	tests := []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityHour, StartTime: june1, EndTime: june1.AddDate(0, 0, 7), PageSize: 100},
		{Granularity: supersim.GranularityHour, StartTime: june1.Add(5 * time.Hour), EndTime: june1.AddDate(0, 0, 3).Add(17 * time.Hour), PageSize: 1000},
		{Granularity: supersim.GranularityDay, StartTime: june1.AddDate(0, 0, -20), EndTime: june1.AddDate(0, 0, 10), PageSize: 7},
		{Granularity: supersim.GranularityHour, StartTime: june1, EndTime: june1.Add(5 * time.Hour), PageSize: 1},
	}
	for _, opts := range tests {
		opts.Group = supersim.GroupSim
		one, err := collect(context.Background(), client, opts)
		require.NoError(t, err)
		want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
		assertSameRecords(t, want, one) // the API's own order: newest first
		for _, concurrency := range []int{1, 3, 8, supersim.MaxConcurrency} {
			opts.Concurrency = concurrency
			got, err := collect(context.Background(), client, opts)
			require.NoError(t, err, "%+v", opts)
			assertSameRecords(t, one, got)
		}
	}
}

func TestWindowedWalkCoversRangesTooLongForOneRequest(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{sims: 4})
	client := f.client(t)
	opts := supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, Granularity: supersim.GranularityHour,
		StartTime: june1.AddDate(0, -1, 0), EndTime: june1.AddDate(0, 0, 31), PageSize: 1000}
	_, err := collect(context.Background(), client, opts)
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v, "one request may not cover 62 days by SIM: refused before anything is sent")
	assert.Contains(t, v.Problem, "83603")

	want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
	for _, concurrency := range []int{1, 6} {
		opts.Concurrency = concurrency
		got, err := collect(context.Background(), client, opts)
		require.NoError(t, err)
		assertSameRecords(t, want, got)
	}
}

// TestWindowedWalkOfTheFakeAPI walks the fake API's demo dataset, grouped
// each way: the records of one walk, in its order, and the fake's own totals.
func TestWindowedWalkOfTheFakeAPI(t *testing.T) {
	t.Parallel()
	srv, client := demoAPI(t)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	tests := []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityHour, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 6), PageSize: 1000, Concurrency: 8},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupFleet, StartTime: start, EndTime: start.AddDate(0, 0, 30), PageSize: 7, Concurrency: 3},
		{Granularity: supersim.GranularityHour, Group: supersim.GroupNetwork, StartTime: start.Add(9 * time.Hour), EndTime: start.AddDate(0, 0, 5).Add(7 * time.Hour), PageSize: 50, Concurrency: 2},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupIsoCountry, StartTime: start, EndTime: start.AddDate(0, 0, 31), Concurrency: 4},
	}
	for _, opts := range tests {
		got, err := collect(context.Background(), client, opts)
		require.NoError(t, err, "%+v", opts)
		one := opts
		one.Concurrency = 0
		want, err := collect(context.Background(), client, one)
		require.NoError(t, err)
		require.NotEmpty(t, want)
		assertSameRecords(t, want, got)
		totals := srv.Totals(supersimtest.Filter{Start: opts.StartTime, End: opts.EndTime})
		sum := sumOf(got)
		assert.Equal(t, totals.Total, sum.Total)
		assert.Equal(t, totals.Billed.String(), sum.Billed.String())
	}
}

// Concurrency is honoured where a windowed walk can give the records of
// one walk of the range, and refused before anything is sent where it
// cannot.
func TestConcurrencyIsHonouredOrRefusedPerCase(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{})
	client := f.client(t)
	base := hourlyBySim(june1, june1.AddDate(0, 0, 2), 200, 4)
	refused := map[string]struct {
		change func(*supersim.ListUsageRecordsOptions)
		field  string
	}{
		"granularity all":        {func(o *supersim.ListUsageRecordsOptions) { o.Granularity = supersim.GranularityAll }, "Concurrency"},
		"no granularity (all)":   {func(o *supersim.ListUsageRecordsOptions) { o.Granularity = "" }, "Concurrency"},
		"no StartTime":           {func(o *supersim.ListUsageRecordsOptions) { o.StartTime = time.Time{} }, "Concurrency"},
		"StartTime off the hour": {func(o *supersim.ListUsageRecordsOptions) { o.StartTime = o.StartTime.Add(90 * time.Minute) }, "StartTime"},
		"daily, StartTime off a day": {func(o *supersim.ListUsageRecordsOptions) {
			o.Granularity, o.StartTime = supersim.GranularityDay, june1.Add(time.Hour)
		}, "StartTime"},
		"a sequential walk's Position": {func(o *supersim.ListUsageRecordsOptions) { o.PageToken, o.Page = "PT1", 1 }, "Concurrency"},
		"a window without Concurrency": {func(o *supersim.ListUsageRecordsOptions) { o.Concurrency, o.WindowEnd = 0, june1.Add(time.Hour) }, "Concurrency"},
		"a window past EndTime":        {func(o *supersim.ListUsageRecordsOptions) { o.WindowEnd = o.EndTime.Add(time.Hour) }, "WindowEnd"},
		"a window off the hour":        {func(o *supersim.ListUsageRecordsOptions) { o.WindowEnd = june1.Add(time.Minute) }, "WindowEnd"},
		"a token without WindowStart":  {func(o *supersim.ListUsageRecordsOptions) { o.PageToken, o.WindowEnd = "PT1", june1.Add(time.Hour) }, "WindowStart"},
		"concurrency 33":               {func(o *supersim.ListUsageRecordsOptions) { o.Concurrency = supersim.MaxConcurrency + 1 }, "Concurrency"},
		"concurrency -1":               {func(o *supersim.ListUsageRecordsOptions) { o.Concurrency = -1 }, "Concurrency"},
	}
	for name, tt := range refused {
		opts := base
		tt.change(&opts)
		_, err := collect(context.Background(), client, opts)
		var verr *supersim.ValidationError
		require.ErrorAs(t, err, &verr, name)
		assert.Equal(t, tt.field, verr.Field, name)
		assert.Equal(t, err, opts.Validate(), name)
	}
	assert.Empty(t, f.Queries(), "nothing is sent for refused options")

	t.Run("a StartTime on any UTC hour", func(t *testing.T) {
		opts := base
		opts.StartTime = june1.Add(13 * time.Hour)
		got, err := collect(context.Background(), client, opts)
		require.NoError(t, err)
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
	})
	t.Run("no EndTime: up to the end of the current bucket", func(t *testing.T) {
		live := newFleetAPI(t, fleetConfig{sims: 3, from: time.Now().Add(-72 * time.Hour).Truncate(time.Hour), to: time.Now().Add(2 * time.Hour)})
		opts := base
		opts.StartTime, opts.EndTime = live.from, time.Time{}
		before := time.Now()
		got, err := collect(context.Background(), live.client(t), opts)
		after := time.Now()
		require.NoError(t, err)
		var end time.Time // of the newest window
		for _, q := range live.Queries() {
			at, err := time.Parse(time.RFC3339, q.Get("EndTime"))
			require.NoError(t, err)
			if at.After(end) {
				end = at
			}
		}
		assert.Contains(t, []time.Time{before.UTC().Truncate(time.Hour).Add(time.Hour), after.UTC().Truncate(time.Hour).Add(time.Hour)}, end)
		assertSameRecords(t, live.expected(opts.Granularity, opts.StartTime, end), got)
	})
}

func TestWindowedWalkFetchesNoMoreThanMaxRecordsNeeds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		maxRecords, pageSize, maxRequests int
	}{
		{1, 1000, 1},      // the first page has enough
		{30, 30, 1},       // the first window, one hour of 30 SIMs, is one page
		{2000, 1000, 4},   // the first, a window of 1890 records in two pages, one more
		{999, 50, 20 + 3}, // 20 pages, the first, and the last pages of two windows
		{95, 10, 10 + 18}, // an hour is 3 pages: the first estimate is low, up to 3 pages more per window ahead
	} {
		f := smallFleet(t, fleetConfig{})
		opts := supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, Granularity: supersim.GranularityHour,
			StartTime: june1, EndTime: june1.AddDate(0, 0, 8), PageSize: tt.pageSize, Concurrency: 8, MaxRecords: tt.maxRecords}
		got, err := collect(context.Background(), f.client(t), opts)
		require.NoError(t, err)
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime)[:tt.maxRecords], got)
		assert.LessOrEqual(t, len(f.Queries()), tt.maxRequests, "MaxRecords %d, pages of %d", tt.maxRecords, tt.pageSize)
	}
}

// A Concurrency above what the account allows slows the export down to
// what it allows, and never ends it.
func TestWindowedWalkAdaptsToTheAccountLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ serverLimit, concurrency int }{{2, 16}, {1, supersim.MaxConcurrency}, {3, 4}} {
		f := smallFleet(t, fleetConfig{maxInFlight: tt.serverLimit, latency: 2 * time.Millisecond})
		opts := hourlyBySim(june1, june1.AddDate(0, 0, 4), 60, tt.concurrency)
		got, err := collect(context.Background(), f.client(t), opts)
		require.NoError(t, err, "limit %d, concurrency %d", tt.serverLimit, tt.concurrency)
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
		served, refused := f.served.Load(), f.refused.Load()
		assert.LessOrEqual(t, refused*5, served, "limit %d, concurrency %d: %d refused, %d served", tt.serverLimit, tt.concurrency, refused, served)
		assert.LessOrEqual(t, f.peak.Load(), int64(tt.serverLimit))
	}
}

// A request waiting out a backoff holds no slot: with Concurrency 1, other
// windows' pages are fetched meanwhile.
func TestWindowedBackoffHoldsNoSlot(t *testing.T) {
	t.Parallel()
	var failed atomic.Value // the EndTime of the window that failed once
	end := june1.AddDate(0, 0, 5)
	f := smallFleet(t, fleetConfig{fault: func(q url.Values) int {
		if q.Get("EndTime") != end.Format(time.RFC3339) && failed.CompareAndSwap(nil, q.Get("EndTime")) {
			return http.StatusServiceUnavailable
		}
		return 0
	}})
	opts := hourlyBySim(june1, end, 500, 1)
	synctest.Test(t, func(t *testing.T) { // the backoff on the bubble's clock
		clockAfter(opts.EndTime)
		client := f.client(t, inBubble(nil), supersim.WithRetryWait(300*time.Millisecond, 300*time.Millisecond))
		got, err := collect(context.Background(), client, opts)
		require.NoError(t, err)
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
	})
	var tries []int // of the window that failed once, in the log
	queries := f.Queries()
	for i, q := range queries {
		if q.Get("EndTime") == failed.Load() && q.Get("Page") == "" {
			tries = append(tries, i)
		}
	}
	require.Len(t, tries, 2)
	assert.Greater(t, tries[1]-tries[0], 1, "other windows were fetched while the failed one waited: %v", tries)
}

// A window's pages go one after another, none waiting for a slot: a later
// window waiting to start does not take the slot of one reading its page,
// and the windows ahead of the one being read fetch all their pages while
// it is read, as long as a bucket holds up to 10 pages (issue 18's day
// buckets of 10,000 SIMs). So Concurrency windows run at once, in walk
// order.
func TestWindowedWindowsFetchPageAfterPage(t *testing.T) {
	t.Parallel()
	const pageSize, latency, hours = 10, 40 * time.Millisecond, 16
	for _, tt := range []struct{ pagesPerBucket, concurrency int }{{4, 2}, {10, 8}} {
		f := newFleetAPI(t, fleetConfig{sims: tt.pagesPerBucket * pageSize, from: june1, to: june1.Add(hours * time.Hour)})
		opts := hourlyBySim(june1, june1.Add(hours*time.Hour), pageSize, tt.concurrency)
		sends := &sendLog{next: &wire{latency: latency}}
		synctest.Test(t, func(t *testing.T) {
			clockAfter(opts.EndTime)
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: sends}))
			got, err := collect(context.Background(), client, opts)
			require.NoError(t, err)
			assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
		})
		sent := map[string][]time.Time{} // by window, when each page went
		for _, req := range sends.sent {
			sent[req.window] = append(sent[req.window], req.at)
		}
		require.Len(t, sent, hours, "windows of an hour")
		for window, times := range sent {
			require.Len(t, times, tt.pagesPerBucket)
			for i := 1; i < len(times); i++ {
				assert.Equal(t, latency, times[i].Sub(times[i-1]), "%d pages a bucket, Concurrency %d: window %s, page %d waited",
					tt.pagesPerBucket, tt.concurrency, window, i)
			}
		}
	}
}

// sendLog is the HTTP transport of a client in a synctest bubble that logs
// when each request went on its way, its slots taken, on the bubble's
// clock, and for which window.
type sendLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	sent []sentRequest
}

// sentRequest is one request that a sendLog sent.
type sentRequest struct {
	at     time.Time
	window string // its StartTime
}

// RoundTrip implements http.RoundTripper.
func (l *sendLog) RoundTrip(req *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.sent = append(l.sent, sentRequest{at: time.Now(), window: req.URL.Query().Get("StartTime")})
	l.mu.Unlock()
	return l.next.RoundTrip(req)
}

// checkpoint is what a program saves to resume an export: how many
// records it wrote, and where to go on.
type checkpoint struct {
	Records int
	Next    supersim.Position
}

func TestWindowedWalkResumesWhereItStopped(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{})
	client := f.client(t)
	opts := hourlyBySim(june1.AddDate(0, 0, -4), june1.AddDate(0, 0, 6), 100, 4)
	want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
	var boundaries int // checkpoints at the start of a window
	for _, pages := range []int{1, 2, 5, 17, 40, 65} {
		// A walk that checkpoints at every page end and dies after pages.
		var saved []byte
		var records []supersim.UsageRecord
		it := client.ListUsageRecords(context.Background(), &opts)
		for n := 0; n < pages && it.Next(); {
			records = append(records, it.Value())
			if it.AtPageEnd() {
				next, ok := it.NextPosition()
				require.True(t, ok)
				var err error
				saved, err = json.Marshal(checkpoint{Records: len(records), Next: next})
				require.NoError(t, err)
				n++
				if next.PageToken == "" && next.Page == 0 {
					boundaries++
				}
			}
		}
		it.Stop()
		var c checkpoint
		require.NoError(t, json.Unmarshal(saved, &c))
		resumed := opts
		resumed.ResumeFrom(c.Next)
		rest, err := collect(context.Background(), client, resumed)
		require.NoError(t, err, "resuming after %d pages at %+v", pages, c.Next)
		assertSameRecords(t, want, append(records[:c.Records], rest...))
	}
	assert.Positive(t, boundaries, "some checkpoints fell between windows")
}

func TestWindowedWalkResumesAfterAFailure(t *testing.T) {
	t.Parallel()
	var fails atomic.Int32
	f := smallFleet(t, fleetConfig{fault: func(q url.Values) int {
		if q.Get("Page") == "2" && fails.Add(1) == 3 { // the second page of some window, once
			return http.StatusBadRequest
		}
		return 0
	}})
	client := f.client(t)
	opts := hourlyBySim(june1.AddDate(0, 0, -2), june1.AddDate(0, 0, 2), 20, 6)
	want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
	it := client.ListUsageRecords(context.Background(), &opts)
	got, err := it.Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Less(t, len(got), len(want))
	at, ok := it.NextPosition()
	require.True(t, ok)
	assert.Equal(t, 2, at.Page, "the position of the page that failed")
	assert.False(t, at.WindowStart.IsZero())
	opts.ResumeFrom(at)
	rest, err := collect(context.Background(), client, opts)
	require.NoError(t, err)
	assertSameRecords(t, want, append(got, rest...))
}

func TestWindowedErrorsComeAfterTheNewerWindows(t *testing.T) {
	t.Parallel()
	broken := june1.AddDate(0, 0, 3).Add(5 * time.Hour)
	var mu sync.Mutex
	var failedEnd time.Time
	f := smallFleet(t, fleetConfig{fault: func(q url.Values) int {
		from, _ := time.Parse(time.RFC3339, q.Get("StartTime"))
		to, _ := time.Parse(time.RFC3339, q.Get("EndTime"))
		if !from.After(broken) && to.After(broken) {
			mu.Lock()
			defer mu.Unlock()
			failedEnd = to
			return http.StatusBadRequest
		}
		return 0
	}})
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 10), 100, 4)
	got, err := collect(context.Background(), f.client(t), opts)
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	mu.Lock()
	defer mu.Unlock()
	var newer []supersim.UsageRecord
	for _, r := range f.expected(opts.Granularity, opts.StartTime, opts.EndTime) {
		if !r.Period.StartTime.Before(failedEnd) {
			newer = append(newer, r)
		}
	}
	require.NotEmpty(t, newer)
	assertSameRecords(t, newer, got)
}

func TestWindowedEarlyBreakStopsEveryWindow(t *testing.T) {
	t.Parallel()
	var tries atomic.Int32 // counted as the client sends them
	f := smallFleet(t, fleetConfig{latency: time.Millisecond})
	next := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(next.CloseIdleConnections)
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		tries.Add(1)
		return next.RoundTrip(r)
	})}
	client := f.client(t, supersim.WithHTTPClient(counting))
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 31), 100, 8)
	it := client.ListUsageRecords(context.Background(), &opts)
	n := 0
	for range it.All() {
		if n++; n == 150 {
			break
		}
	}
	// Every fetch ended before the loop did (goleak checks no goroutine is left).
	assert.LessOrEqual(t, int(tries.Load()), 2+4*8+1, "at most the pages read and 4×Concurrency+1 ahead")
	at, ok := it.NextPosition()
	assert.True(t, ok, "a windowed walk resumes too")
	assert.False(t, at.WindowEnd.IsZero())
}

// A walk cut off by its context must end with the context's error, never
// look complete, wherever the cancel or the deadline lands.
func TestWindowedWalkCutOffByItsContextEndsWithAnError(t *testing.T) {
	t.Parallel()
	f := smallFleet(t, fleetConfig{})
	client := f.client(t)
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 2), 10, 4)
	all := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
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
	slow := smallFleet(t, fleetConfig{latency: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	got, err := collect(ctx, slow.client(t), opts)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, len(got), len(all))
	assertSameRecords(t, all[:len(got)], got)
}

func TestPositionsSurviveJSON(t *testing.T) {
	t.Parallel()
	windowed := supersim.Position{PageToken: "PT2", Page: 2, WindowStart: june1, WindowEnd: june1.Add(3 * time.Hour)}
	data, err := json.Marshal(windowed)
	require.NoError(t, err)
	var back supersim.Position
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, windowed, back)
	sequential, err := json.Marshal(supersim.Position{PageToken: "PT2", Page: 2})
	require.NoError(t, err)
	assert.JSONEq(t, `{"PageToken":"PT2","Page":2}`, string(sequential), "a sequential position reads as before")
	assert.False(t, strings.Contains(string(sequential), "Window"))
}

// The fake API capped at two requests at once, as an account may be: a
// walk with Concurrency 16 gives one walk's records, and few are refused.
func TestWindowedWalkOfTheFakeAPIUnderItsCap(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }), supersimtest.WithMaxInFlight(2))
	t.Cleanup(srv.Close)
	srv.SetLatency(2 * time.Millisecond)
	client, err := srv.Client()
	require.NoError(t, err)
	start := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupFleet,
		StartTime: start, EndTime: start.AddDate(0, 0, 10), PageSize: 40, Concurrency: 16}
	got, err := collect(context.Background(), client, opts)
	require.NoError(t, err)
	one := opts
	one.Concurrency = 0
	want, err := collect(context.Background(), client, one)
	require.NoError(t, err)
	assertSameRecords(t, want, got)
	stats := srv.Stats()
	assert.LessOrEqual(t, stats.PeakInFlight, 2)
	assert.LessOrEqual(t, stats.Refused*5, stats.Served, "%+v", stats)
}
