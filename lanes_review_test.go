package supersim_test

// An outside review of windowed walks whose windows keep their request
// slot from one page to the next (limit.Lane, issue 18). Black-box: the
// public API against fleetAPI, supersimtest and servers of our own.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// spoilOnce is an HTTP transport that spoils the 2xx answer to the first
// request that pick chooses: the answer's status and headers come, but
// its body is cut short (io.ErrUnexpectedEOF half-way) or, with stall,
// stops half-way until the try's context ends (a per-try timeout).
type spoilOnce struct {
	next  http.RoundTripper
	pick  func(q url.Values) bool
	stall bool

	mu      sync.Mutex
	spoiled url.Values // the query of the request spoiled
}

func (s *spoilOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	q := req.URL.Query()
	s.mu.Lock()
	spoil := s.spoiled == nil && s.pick(q)
	if spoil {
		s.spoiled = q
	}
	s.mu.Unlock()
	if !spoil {
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = &spoiledBody{r: bytes.NewReader(body[:len(body)/2]), ctx: req.Context(), stall: s.stall}
	return resp, nil
}

func (s *spoilOnce) spoiledQuery() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spoiled
}

// spoiledBody is half an answer's body, then a cut or a stall.
type spoiledBody struct {
	r     *bytes.Reader
	ctx   context.Context
	stall bool
}

func (b *spoiledBody) Read(p []byte) (int, error) {
	if b.r.Len() > 0 {
		return b.r.Read(p)
	}
	if b.stall {
		<-b.ctx.Done()
		return 0, context.Cause(b.ctx)
	}
	return 0, io.ErrUnexpectedEOF
}

func (b *spoiledBody) Close() error { return nil }

// A window whose try got a 2xx status but whose body was cut short
// (io.ErrUnexpectedEOF) or timed out while read waits out the retry's
// backoff without its walk slot, as after a 503: with Concurrency 1 the
// next window's page is fetched meanwhile. Found by the outside review:
// such a try ended as served and the window kept its slot (Lane.Keep).
// TestWindowedBackoffHoldsNoSlot, the same walk with a 503, is the control.
func TestWindowedAnswerCutShortHoldsNoSlotThroughBackoff(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stall bool
	}{{"body cut short", false}, {"per-try timeout while reading the body", true}} {
		t.Run(tt.name, func(t *testing.T) {
			end := june1.AddDate(0, 0, 5)
			f := smallFleet(t, fleetConfig{})
			opts := hourlyBySim(june1, end, 500, 1)
			spoil := &spoilOnce{stall: tt.stall, pick: func(q url.Values) bool {
				return q.Get("EndTime") != end.Format(time.RFC3339) && q.Get("Page") == "" // a later window's first page
			}}
			synctest.Test(t, func(t *testing.T) {
				clockAfter(opts.EndTime)
				spoil.next = &wire{}
				hc := &http.Client{Transport: spoil, Timeout: 10 * time.Second}
				client := f.client(t, supersim.WithHTTPClient(hc), supersim.WithRetryWait(300*time.Millisecond, 300*time.Millisecond))
				got, err := collect(context.Background(), client, opts)
				require.NoError(t, err)
				assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
			})
			spoiled := spoil.spoiledQuery()
			require.NotNil(t, spoiled)
			var tries []int // of the spoiled window's first page, in the server's log
			for i, q := range f.Queries() {
				if q.Get("EndTime") == spoiled.Get("EndTime") && q.Get("Page") == "" {
					tries = append(tries, i)
				}
			}
			require.Len(t, tries, 2)
			assert.Greater(t, tries[1]-tries[0], 1,
				"no other window was fetched while the spoiled one waited out its backoff: its slot was kept (%v)", tries)
		})
	}
}

// flights is an HTTP transport that counts the requests of a client in
// flight, from when one is sent to when its answer's body is read to its
// end or closed: what a walk's slots bound.
type flights struct {
	next      http.RoundTripper
	now, peak atomic.Int64
	sent      atomic.Int64
}

func (f *flights) RoundTrip(req *http.Request) (*http.Response, error) {
	f.sent.Add(1)
	n := f.now.Add(1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	resp, err := f.next.RoundTrip(req)
	if err != nil {
		f.now.Add(-1)
		return nil, err
	}
	resp.Body = &flightBody{ReadCloser: resp.Body, f: f}
	return resp, nil
}

// flightBody ends its request's flight at its end or when closed.
type flightBody struct {
	io.ReadCloser
	f    *flights
	once sync.Once
}

func (b *flightBody) land() { b.once.Do(func() { b.f.now.Add(-1) }) }

func (b *flightBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.land()
	}
	return n, err
}

func (b *flightBody) Close() error {
	b.land()
	return b.ReadCloser.Close()
}

// flaky returns a fault for fleetAPI that answers about one request in
// every, by a hash of its query and how often that query came, with 500:
// each page fails a few times, then goes through.
func flaky(every int) func(q url.Values) int {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(q url.Values) int {
		key := q.Encode()
		mu.Lock()
		n := seen[key]
		seen[key]++
		mu.Unlock()
		h := 0
		for _, c := range key {
			h = h*31 + int(c)
		}
		if h < 0 {
			h = -h
		}
		if n < 2 && (h+n)%every == 0 {
			return http.StatusInternalServerError
		}
		return 0
	}
}

// walkWithin walks opts with client, failing the test if the walk takes
// longer than d (a hang).
func walkWithin(t *testing.T, d time.Duration, client *supersim.Client, opts supersim.ListUsageRecordsOptions) ([]supersim.UsageRecord, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	got, err := collect(ctx, client, opts)
	require.NotErrorIs(t, err, context.DeadlineExceeded, "the walk hung: %+v", opts)
	return got, err
}

// No more tries are on the wire at once than Concurrency, whatever the
// server does (500s retried, 429s when it runs fewer at once), and the
// records are those of one walk, in its order.
func TestReviewLanesInFlightNeverExceedsConcurrency(t *testing.T) {
	for _, tt := range []struct {
		name        string
		concurrency int
		maxInFlight int
		fault       func(url.Values) int
	}{
		{"no limit", 1, 0, nil},
		{"no limit", 3, 0, nil},
		{"no limit", 6, 0, nil},
		{"500s", 2, 0, flaky(5)},
		{"500s", 5, 0, flaky(4)},
		{"429s", 8, 3, nil},
		{"429s and 500s", 6, 2, flaky(6)},
	} {
		f := smallFleet(t, fleetConfig{latency: time.Millisecond, maxInFlight: tt.maxInFlight, fault: tt.fault})
		fl := &flights{next: &wire{}}
		client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: fl}), supersim.WithMaxRetries(8))
		opts := hourlyBySim(june1, june1.AddDate(0, 0, 3), 10, tt.concurrency) // 3 pages an hour
		got, err := walkWithin(t, time.Minute, client, opts)
		require.NoError(t, err, "%s, Concurrency %d", tt.name, tt.concurrency)
		assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
		assert.LessOrEqual(t, fl.peak.Load(), int64(tt.concurrency), "%s, Concurrency %d", tt.name, tt.concurrency)
		if tt.concurrency > 1 && tt.maxInFlight == 0 {
			assert.Greater(t, fl.peak.Load(), int64(1), "%s, Concurrency %d: windows ran at once", tt.name, tt.concurrency)
		}
		assert.Zero(t, fl.now.Load(), "an answer left open")
	}
}

// Walks left every way a caller may leave one (Stop mid-page, Stop while
// the windows ahead fetch, a cancelled context or deadline, MaxRecords, a
// window that fails, a break out of All) give back every slot and every
// goroutine: the bubble ends (synctest.Test fails on
// a goroutine left blocked), and a walk on the same Client afterwards runs
// as many requests at once as a new Client's. (An iterator dropped without
// Stop is TestReviewLanesDroppedIteratorEndsItsFetches: its cleanup runs
// outside any bubble.)
func TestReviewLanesLeftWalksGiveBackTheirSlots(t *testing.T) {
	const concurrency, latency = 4, 10 * time.Millisecond
	end := june1.AddDate(0, 0, 4)
	var failOn atomic.Value // an EndTime whose second page is refused with 400
	f := smallFleet(t, fleetConfig{fault: func(q url.Values) int {
		if at, _ := failOn.Load().(string); at != "" && q.Get("EndTime") == at && q.Get("Page") == "1" {
			return http.StatusBadRequest
		}
		return 0
	}})
	opts := hourlyBySim(june1, end, 10, concurrency)
	want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
	run := func(t *testing.T, leave func(t *testing.T, client *supersim.Client)) {
		synctest.Test(t, func(t *testing.T) {
			clockAfter(end)
			fl := &flights{next: &wire{latency: latency}}
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: fl}))
			for range 3 {
				leave(t, client)
			}
			synctest.Wait() // whatever the walks left behind is done
			assert.Zero(t, fl.now.Load(), "an answer left open")
			failOn.Store("")
			fl.peak.Store(0)
			got, err := collect(context.Background(), client, opts)
			require.NoError(t, err)
			assertSameRecords(t, want, got)
			assert.Equal(t, int64(concurrency), fl.peak.Load(), "a later walk runs Concurrency requests at once")
		})
	}
	t.Run("Stop mid-page", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			it := client.ListUsageRecords(context.Background(), &opts)
			for n := 0; n < 45 && it.Next(); n++ {
			}
			it.Stop()
			require.NoError(t, it.Err())
		})
	})
	t.Run("Stop with the first page", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			it := client.ListUsageRecords(context.Background(), &opts)
			require.True(t, it.Next())
			it.Stop()
		})
	})
	t.Run("break out of All after a while", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			it := client.ListUsageRecords(context.Background(), &opts)
			n := 0
			for range it.All() {
				if n++; n == 400 {
					break
				}
			}
		})
	})
	t.Run("context cancelled mid-walk", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			ctx, cancel := context.WithCancel(context.Background())
			it := client.ListUsageRecords(ctx, &opts)
			n := 0
			for it.Next() {
				if n++; n == 130 {
					cancel()
				}
			}
			cancel()
			require.ErrorIs(t, it.Err(), context.Canceled)
		})
	})
	t.Run("context deadline while requests are on the wire", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*latency+latency/2)
			defer cancel()
			_, err := collect(ctx, client, opts)
			require.ErrorIs(t, err, context.DeadlineExceeded)
		})
	})
	t.Run("MaxRecords", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			cut := opts
			cut.MaxRecords = 215
			got, err := collect(context.Background(), client, cut)
			require.NoError(t, err)
			assertSameRecords(t, want[:cut.MaxRecords], got)
		})
	})
	t.Run("a window fails", func(t *testing.T) {
		run(t, func(t *testing.T, client *supersim.Client) {
			failOn.Store(end.Add(-5 * time.Hour).Format(time.RFC3339))
			_, err := collect(context.Background(), client, opts)
			var apiErr *supersim.APIError
			require.ErrorAs(t, err, &apiErr)
		})
	})
}

// An iterator dropped mid-walk without Stop ends its fetches once the
// garbage collector finds it, whatever its windows keep: no goroutine is
// left, and the Client's next walk runs Concurrency requests at once.
func TestReviewLanesDroppedIteratorEndsItsFetches(t *testing.T) {
	f := smallFleet(t, fleetConfig{latency: 2 * time.Millisecond})
	before := goleak.IgnoreCurrent() // the server's
	fl := &flights{next: &wire{}}    // no keep-alive: no connection goroutine is left either
	client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: fl}))
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 4), 10, 4)
	for _, read := range []int{1, 70, 400} {
		func() {
			it := client.ListUsageRecords(context.Background(), &opts)
			for n := 0; n < read && it.Next(); n++ {
			}
		}()
	}
	require.Eventually(t, func() bool {
		runtime.GC()
		return fl.now.Load() == 0 && goleak.Find(before) == nil
	}, 20*time.Second, 10*time.Millisecond, "the dropped walks' fetches did not end")
	fl.peak.Store(0)
	got, err := walkWithin(t, time.Minute, client, opts)
	require.NoError(t, err)
	assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
	assert.Equal(t, int64(4), fl.peak.Load())
}

// Two windowed walks on one Client at once, against an account that runs
// two requests at once, and a third sequential one: each gets one walk's
// records, none hangs, and together they run no more tries at once than
// their Concurrency allows.
func TestReviewLanesWalksShareAClient(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }), supersimtest.WithMaxInFlight(2))
	t.Cleanup(srv.Close)
	srv.SetLatency(time.Millisecond)
	fl := &flights{next: srv.HTTPClient().Transport}
	client, err := srv.Client(supersim.WithHTTPClient(&http.Client{Transport: fl}), supersim.WithRetryWait(time.Millisecond, 3*time.Millisecond))
	require.NoError(t, err)
	start := time.Date(2026, 5, 25, 0, 0, 0, 0, time.UTC)
	walks := []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityHour, Group: supersim.GroupFleet, StartTime: start, EndTime: start.AddDate(0, 0, 6), PageSize: 25, Concurrency: 8},
		{Granularity: supersim.GranularityHour, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 2), PageSize: 60, Concurrency: 3},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 10), PageSize: 40},
	}
	wants := make([][]supersim.UsageRecord, len(walks))
	for i, opts := range walks { // the sequential walks first, one at a time
		opts.Concurrency = 0
		wants[i], err = walkWithin(t, time.Minute, client, opts)
		require.NoError(t, err)
		require.NotEmpty(t, wants[i])
	}
	fl.peak.Store(0)
	var done sync.WaitGroup
	for i, opts := range walks {
		done.Add(1)
		go func() {
			defer done.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			got, err := collect(ctx, client, opts)
			if assert.NoError(t, err, "%+v", opts) {
				assertSameRecords(t, wants[i], got)
			}
		}()
	}
	done.Wait()
	assert.LessOrEqual(t, fl.peak.Load(), int64(8+3+1))
	assert.Zero(t, fl.now.Load())
	stats := srv.Stats()
	assert.LessOrEqual(t, stats.Refused*4, stats.Served, "%+v", stats)
}

// Walks through every kind of fault the fake API has (429s with and
// without Retry-After, 5xx, dropped connections, answers cut short or
// stalled past the per-try timeout), at several Concurrency levels: the
// records of one walk, in its order, and no hang.
func TestReviewLanesFaultStormGivesOneWalk(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }))
	t.Cleanup(srv.Close)
	start := time.Date(2026, 5, 28, 0, 0, 0, 0, time.UTC)
	base := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupSim,
		StartTime: start, EndTime: start.AddDate(0, 0, 3), PageSize: 50}
	plain, err := srv.Client()
	require.NoError(t, err)
	want, err := walkWithin(t, time.Minute, plain, base)
	require.NoError(t, err)
	require.Greater(t, len(want), 20*base.PageSize)
	faults := []supersimtest.Fault{supersimtest.FaultStatus(429, 0, ""), supersimtest.FaultStatus(429, 0, "0"),
		supersimtest.FaultStatus(500, 0, ""), supersimtest.FaultDrop(), supersimtest.FaultTruncate(200),
		supersimtest.FaultStall(), supersimtest.FaultBody(502, "bad gateway")}
	for _, concurrency := range []int{1, 2, 5, 12} {
		faulty := countFaults(srv)
		for range 3 { // each fault, then two requests served: no request runs out of retries
			for _, fault := range faults {
				srv.InjectFaults(1, fault)
				srv.InjectFaults(2, supersimtest.FaultNone())
			}
		}
		fl := &flights{next: srv.HTTPClient().Transport}
		client, err := srv.Client(supersim.WithHTTPClient(&http.Client{Transport: fl, Timeout: 500 * time.Millisecond}),
			supersim.WithRetryWait(time.Millisecond, 3*time.Millisecond), supersim.WithMaxRetries(10))
		require.NoError(t, err)
		opts := base
		opts.Concurrency = concurrency
		got, err := walkWithin(t, time.Minute, client, opts)
		require.NoError(t, err, "Concurrency %d", concurrency)
		assertSameRecords(t, want, got)
		assert.LessOrEqual(t, fl.peak.Load(), int64(concurrency), "Concurrency %d", concurrency)
		assert.Zero(t, fl.now.Load())
		assert.Equal(t, faulty+3*3*len(faults), countFaults(srv), "every fault was served")
	}
}

func countFaults(srv *supersimtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Fault {
			n++
		}
	}
	return n
}

// A walk that fails part-way (a page refused with 400 until the account
// is fixed) resumes from its Position at any other Concurrency, or
// sequentially from its start, and the records come out once each, in
// one walk's order.
func TestReviewLanesResumeAtAnotherConcurrency(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	var hits atomic.Int32
	f := smallFleet(t, fleetConfig{latency: time.Millisecond, fault: func(q url.Values) int {
		if broken.Load() && q.Get("Page") == "2" && hits.Add(1) >= 5 { // some window's third page
			return http.StatusBadRequest
		}
		return 0
	}})
	client := f.client(t)
	for _, tt := range []struct{ from, to int }{{8, 2}, {2, 8}, {5, 1}, {1, 5}, {3, 3}} {
		broken.Store(true)
		hits.Store(0)
		opts := hourlyBySim(june1.AddDate(0, 0, -1), june1.AddDate(0, 0, 2), 10, tt.from)
		want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		it := client.ListUsageRecords(ctx, &opts)
		got, err := it.Collect()
		cancel()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr, "%d -> %d", tt.from, tt.to)
		at, ok := it.NextPosition()
		require.True(t, ok)
		broken.Store(false)
		resumed := opts
		resumed.Concurrency = tt.to
		resumed.ResumeFrom(at)
		rest, err := walkWithin(t, time.Minute, client, resumed)
		require.NoError(t, err, "%d -> %d from %+v", tt.from, tt.to, at)
		assertSameRecords(t, want, append(got, rest...))
	}
}

// MaxRecords cuts a windowed walk anywhere (inside a page, at a page's
// end, at a window's end), with answers refused now and then: the first
// MaxRecords records of one walk, and the walk ends at once.
func TestReviewLanesMaxRecordsCuts(t *testing.T) {
	f := smallFleet(t, fleetConfig{latency: time.Millisecond, maxInFlight: 3, fault: flaky(7)})
	client := f.client(t, supersim.WithMaxRetries(8))
	opts := hourlyBySim(june1, june1.AddDate(0, 0, 3), 10, 6)
	want := f.expected(opts.Granularity, opts.StartTime, opts.EndTime)
	for _, n := range []int{1, 9, 10, 11, 29, 30, 31, 60, 61, 299, 300, 301, len(want) - 1, len(want), len(want) + 5} {
		cut := opts
		cut.MaxRecords = n
		got, err := walkWithin(t, time.Minute, client, cut)
		require.NoError(t, err, "MaxRecords %d", n)
		assertSameRecords(t, want[:min(n, len(want))], got)
	}
}

// The reader never waits long for the page it needs, however many later
// windows are ahead and keep their slots: the window being read always
// may fetch, and gets a slot within the time of one page (another
// window's page on the wire), so it waits at most two pages' latency, at
// any pace of reading. In a synctest bubble: exact.
func TestReviewLanesReaderWaitsAtMostTwoPages(t *testing.T) {
	const latency = 10 * time.Millisecond
	for _, tt := range []struct {
		concurrency, sims int
		pace              time.Duration // of the reader, per page
	}{{2, 40, 0}, {3, 30, 3 * time.Millisecond}, {4, 50, 25 * time.Millisecond}, {8, 100, time.Millisecond}, {1, 30, 0}} {
		f := newFleetAPI(t, fleetConfig{sims: tt.sims, from: june1, to: june1.Add(30 * time.Hour)})
		opts := hourlyBySim(june1, june1.Add(30*time.Hour), 10, tt.concurrency)
		var worst time.Duration
		synctest.Test(t, func(t *testing.T) {
			clockAfter(opts.EndTime)
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: &wire{latency: latency}}))
			it := client.ListUsageRecords(context.Background(), &opts)
			defer it.Stop()
			n := 0
			for {
				began := time.Now()
				if !it.Next() {
					break
				}
				if n++; n > 1 { // the first page is fetched when the walk starts
					worst = max(worst, time.Since(began))
				}
				if it.AtPageEnd() {
					time.Sleep(tt.pace)
				}
			}
			require.NoError(t, it.Err())
			require.Equal(t, tt.sims*30, n)
		})
		assert.LessOrEqual(t, worst, 2*latency, "Concurrency %d, %d pages a window, reading a page in %v", tt.concurrency, tt.sims/10, tt.pace)
		t.Logf("Concurrency %d, %d pages a window, pace %v: worst wait %v", tt.concurrency, tt.sims/10, tt.pace, worst)
	}
}

// A reader that stops after its first page lets the walk fetch at most
// 10×Concurrency pages ahead, besides the page at hand and the one being
// read (the memory bound of ListUsageRecordsOptions.Concurrency), and the
// windows that fetched them keep no request going.
func TestReviewLanesPagesAheadAreBounded(t *testing.T) {
	for _, concurrency := range []int{1, 2, 4, 7} {
		f := newFleetAPI(t, fleetConfig{sims: 60, from: june1, to: june1.Add(48 * time.Hour)})
		opts := hourlyBySim(june1, june1.Add(48*time.Hour), 10, concurrency) // 6 pages an hour
		synctest.Test(t, func(t *testing.T) {
			clockAfter(opts.EndTime)
			fl := &flights{next: &wire{latency: 5 * time.Millisecond}}
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: fl}))
			it := client.ListUsageRecords(context.Background(), &opts)
			defer it.Stop()
			require.True(t, it.Next())
			time.Sleep(10 * time.Second) // the walk fetches all it may ahead, then waits for the reader
			synctest.Wait()
			sent := fl.sent.Load()
			t.Logf("Concurrency %d: %d pages sent for a reader at its first page", concurrency, sent)
			assert.LessOrEqual(t, sent, int64(1+10*concurrency+1), "Concurrency %d", concurrency)
			assert.GreaterOrEqual(t, sent, int64(10*concurrency), "Concurrency %d: the walk fetched ahead", concurrency)
			assert.Zero(t, fl.now.Load())
			n := 1
			for it.Next() {
				n++
			}
			require.NoError(t, it.Err())
			assert.Equal(t, 60*48, n)
		})
	}
}

// A window back from a backoff gets the next slot that a later window
// would keep: later windows give way to an earlier one that waits, so the
// window being read is not starved while later windows fetch page after
// page. Concurrency 2 and 3, buckets of 10 pages: the newest window's
// third page is refused once with 503; its retry must go within one page's
// latency of its backoff's end, not once a later window is whole or the
// pages held ahead run out. (The only test here, or in windowed_test.go,
// that fails if Lane.mayKeep ignores the waiters: 80ms instead of 50ms.)
func TestReviewLanesEarlierWindowBackFromBackoffGetsTheNextSlot(t *testing.T) {
	const latency, backoff = 10 * time.Millisecond, 35 * time.Millisecond
	const hours = 12
	end := june1.Add(hours * time.Hour)
	var refused atomic.Bool
	f := newFleetAPI(t, fleetConfig{sims: 100, from: june1, to: end, fault: func(q url.Values) int {
		if q.Get("EndTime") == end.Format(time.RFC3339) && q.Get("Page") == "2" && refused.CompareAndSwap(false, true) {
			return http.StatusServiceUnavailable
		}
		return 0
	}})
	for _, concurrency := range []int{2, 3} {
		refused.Store(false)
		opts := hourlyBySim(june1, end, 10, concurrency)
		sends := &sendLog{next: &wire{latency: latency}}
		synctest.Test(t, func(t *testing.T) {
			clockAfter(opts.EndTime)
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: sends}), supersim.WithRetryWait(backoff, backoff))
			got, err := collect(context.Background(), client, opts)
			require.NoError(t, err)
			assertSameRecords(t, f.expected(opts.Granularity, opts.StartTime, opts.EndTime), got)
		})
		newest := end.Add(-time.Hour).Format(time.RFC3339)
		var times []time.Time // of the newest window's pages, its retry included
		for _, s := range sends.sent {
			if s.window == newest {
				times = append(times, s.at)
			}
		}
		require.Len(t, times, 11, "10 pages and one retry")
		assert.LessOrEqual(t, times[3].Sub(times[2]), latency+backoff+latency,
			"Concurrency %d: the retry waited for a slot that later windows kept", concurrency)
	}
}

// capped is an HTTP transport, for a client in a synctest bubble, that
// plays an account running at most max requests at once: a request
// beyond them is refused at once with 429 (Twilio's 20429, no
// Retry-After); the others take latency on the bubble's clock.
type capped struct {
	max     int
	latency time.Duration
	next    http.RoundTripper // the server, for the answers served

	mu              sync.Mutex
	now, peak       int
	served, refused int
}

func (c *capped) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.now >= c.max {
		c.refused++
		c.mu.Unlock()
		body := `{"code": 20429, "message": "Too Many Requests", "status": 429}`
		return &http.Response{StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Proto: "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewBufferString(body)), ContentLength: int64(len(body)), Request: req}, nil
	}
	c.now++
	c.peak = max(c.peak, c.now)
	c.served++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	timer := time.NewTimer(c.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-req.Context().Done():
		return nil, context.Cause(req.Context())
	}
	return c.next.RoundTrip(req)
}

// Against an account that runs fewer requests at once than Concurrency,
// the Client's limit drops and the windows that keep slots give them up:
// the walk runs at the account's pace (close to pages ÷ cap × latency),
// few requests are refused, and the reader waits little.
func TestReviewLanesAccountCapBelowConcurrency(t *testing.T) {
	const latency = 10 * time.Millisecond
	const hours = 24
	end := june1.Add(hours * time.Hour)
	f := newFleetAPI(t, fleetConfig{sims: 60, from: june1, to: end}) // 6 pages an hour
	for _, tt := range []struct{ cap, concurrency int }{{1, 8}, {2, 8}, {3, 16}, {2, 3}} {
		opts := hourlyBySim(june1, end, 10, tt.concurrency)
		acct := &capped{max: tt.cap, latency: latency, next: &wire{}}
		var took, worst time.Duration
		synctest.Test(t, func(t *testing.T) {
			clockAfter(opts.EndTime)
			client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: acct}))
			began := time.Now()
			it := client.ListUsageRecords(context.Background(), &opts)
			defer it.Stop()
			n := 0
			for {
				at := time.Now()
				if !it.Next() {
					break
				}
				if n++; n > 1 {
					worst = max(worst, time.Since(at))
				}
			}
			took = time.Since(began)
			require.NoError(t, it.Err())
			require.Equal(t, 60*hours, n)
		})
		pages := 6 * hours
		ideal := time.Duration(pages/tt.cap) * latency
		t.Logf("cap %d, Concurrency %d: %v (ideal %v), worst reader wait %v, %d served, %d refused",
			tt.cap, tt.concurrency, took, ideal, worst, acct.served, acct.refused)
		assert.LessOrEqual(t, acct.peak, tt.cap)
		assert.LessOrEqual(t, took, ideal*5/4, "cap %d, Concurrency %d", tt.cap, tt.concurrency)
		assert.LessOrEqual(t, acct.refused*10, acct.served, "cap %d, Concurrency %d", tt.cap, tt.concurrency)
	}
}

// An Iterator dropped without Stop inside a testing/synctest bubble does
// not kill the process once the garbage collector finds it, after the
// bubble ended. Found by the outside review: newIterator's cleanup ran
// outside the bubble and cancelled the pager's context, whose channel
// belongs to the bubble ("fatal error: close of synctest channel from
// outside bubble"); Iterators made in a bubble now get no cleanup.
// Windowed and sequential walks alike. It runs in a child process, so that
// a crash fails this test rather than the whole binary.
func TestDroppedIteratorInSynctestBubbleDoesNotCrash(t *testing.T) {
	if os.Getenv("SUPERSIM_REVIEW_CHILD") == "1" {
		f := smallFleet(t, fleetConfig{})
		collected := make(chan struct{}, 2) // made outside the bubbles: each iterator's own cleanup signals it
		for _, concurrency := range []int{2, 0} {
			opts := hourlyBySim(june1, june1.AddDate(0, 0, 2), 10, concurrency)
			synctest.Test(t, func(t *testing.T) {
				clockAfter(opts.EndTime)
				client := f.client(t, supersim.WithHTTPClient(&http.Client{Transport: &wire{}}))
				func() {
					it := client.ListUsageRecords(context.Background(), &opts)
					runtime.AddCleanup(it, func(ch chan struct{}) { ch <- struct{}{} }, collected)
					require.True(t, it.Next())
				}() // dropped without Stop, as Iterator's documentation allows
				time.Sleep(time.Second)
				synctest.Wait()
			})
		}
		deadline := time.After(time.Minute) // bounds a hang only: the parent gives the child 2 minutes
		for seen := 0; seen < 2; {          // until the garbage collector found both iterators
			runtime.GC()
			select {
			case <-collected:
				seen++
			case <-time.After(10 * time.Millisecond): // a poll interval, not a verdict
			case <-deadline:
				t.Fatal("the garbage collector never found the dropped iterators")
			}
		}
		for range 5 { // let any cleanup the SDK registered run its stop
			runtime.GC()
			runtime.Gosched()
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDroppedIteratorInSynctestBubbleDoesNotCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SUPERSIM_REVIEW_CHILD=1")
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "the child test process died:\n%s", out)
}
