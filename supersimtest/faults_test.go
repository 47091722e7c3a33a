package supersimtest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

var twoDays = &supersim.ListUsageRecordsOptions{StartTime: day1, EndTime: day1.AddDate(0, 0, 2), Granularity: supersim.GranularityHour}

func TestFaultsThroughTheSDK(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	client, err := srv.Client(supersim.WithMaxRetries(5))
	require.NoError(t, err)
	srv.InjectFaults(1, supersimtest.FaultStatus(503, 0, "0"))
	srv.InjectFaults(1, supersimtest.FaultDrop())
	srv.InjectFaults(1, supersimtest.FaultTruncate(10))
	srv.InjectFaults(1, supersimtest.FaultBody(429, "slow down").After(20*time.Millisecond))
	recs, err := client.ListUsageRecords(context.Background(), twoDays).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 4)
	var statuses []int
	var faulty []bool
	for _, r := range srv.Requests() {
		statuses, faulty = append(statuses, r.Status), append(faulty, r.Fault)
	}
	assert.Equal(t, []int{503, 0, 200, 429, 200}, statuses)
	assert.Equal(t, []bool{true, true, true, true, false}, faulty)
}

func TestFaultStatusAnswersTwilioErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault      supersimtest.Fault
		status     int
		code       any // nil: no code in the body
		retryAfter string
	}{
		{supersimtest.FaultStatus(429, 0, ""), 429, float64(20429), ""},
		{supersimtest.FaultStatus(429, 0, "2"), 429, float64(20429), "2"},
		{supersimtest.FaultStatus(500, 0, ""), 500, float64(20500), ""},
		{supersimtest.FaultStatus(503, 0, "Wed, 21 Oct 2015 07:28:00 GMT"), 503, float64(20503), "Wed, 21 Oct 2015 07:28:00 GMT"},
		{supersimtest.FaultStatus(401, 0, ""), 401, float64(20003), ""},
		{supersimtest.FaultStatus(403, 0, ""), 403, float64(20403), ""},
		{supersimtest.FaultStatus(404, 0, ""), 404, float64(20404), ""},
		{supersimtest.FaultStatus(400, 0, ""), 400, nil, ""},
		{supersimtest.FaultStatus(400, 21481, ""), 400, float64(21481), ""},
		{supersimtest.FaultStatus(504, 0, ""), 504, nil, ""},
	}
	srv := newServer(t)
	for _, tt := range tests {
		srv.InjectFaults(1, tt.fault)
		resp, raw, err := fetch(t, srv, "/v1/UsageRecords", supersimtest.AccountSID, supersimtest.AuthToken)
		require.NoError(t, err)
		assert.Equal(t, tt.status, resp.StatusCode)
		assert.Equal(t, tt.retryAfter, resp.Header.Get("Retry-After"), "status %d", tt.status)
		var body map[string]any
		require.NoError(t, json.Unmarshal(raw, &body))
		assert.Equal(t, tt.code, body["code"], "status %d", tt.status)
		assert.Equal(t, float64(tt.status), body["status"])
		assert.NotEmpty(t, body["message"])
		if tt.code == nil {
			assert.NotContains(t, body, "more_info")
		}
	}
}

func TestFaultBodyIsSentAsIs(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	page := "<html><head><title>502 Bad Gateway</title></head></html>"
	srv.InjectFaults(1, supersimtest.FaultBody(502, page))
	resp, raw, err := fetch(t, srv, "/v1/UsageRecords", supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, page, string(raw))
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
}

func TestFaultTruncateSendsNBytes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, full, err := fetch(t, srv, "/v1/UsageRecords?"+rangeQuery, supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	for n, want := range map[int]int{0: 0, 20: 20, len(full) + 100: len(full) - 1} {
		srv.InjectFaults(1, supersimtest.FaultTruncate(n))
		resp, raw, err := fetch(t, srv, "/v1/UsageRecords?"+rangeQuery, supersimtest.AccountSID, supersimtest.AuthToken)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "n=%d", n)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, int64(len(full)), resp.ContentLength, "the real answer's length is announced")
		assert.Equal(t, string(full[:want]), string(raw), "n=%d", n)
	}
}

func TestFaultStallEndsWithTheClientsContext(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	client, err := srv.Client(supersim.WithMaxRetries(0))
	require.NoError(t, err)
	srv.InjectFaults(1, supersimtest.FaultStall())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = client.ListUsageRecords(ctx, twoDays).Collect()
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLatencyEndsWithTheClientsContext(t *testing.T) {
	t.Parallel()
	tests := map[string]func(*supersimtest.Server){
		"SetLatency":   func(srv *supersimtest.Server) { srv.SetLatency(time.Hour) },
		"FaultLatency": func(srv *supersimtest.Server) { srv.InjectFaults(1, supersimtest.FaultLatency(time.Hour)) },
		"a slow 503": func(srv *supersimtest.Server) {
			srv.InjectFaults(1, supersimtest.FaultStatus(503, 0, "").After(time.Hour))
		},
		"a slow drop": func(srv *supersimtest.Server) { srv.InjectFaults(1, supersimtest.FaultDrop().After(time.Hour)) },
		"slow, slower": func(srv *supersimtest.Server) {
			srv.InjectFaults(1, supersimtest.FaultNone().After(time.Minute).After(time.Hour))
		},
		"latency+fault": func(srv *supersimtest.Server) {
			srv.SetLatency(time.Hour)
			srv.InjectFaults(1, supersimtest.FaultNone())
		},
	}
	for name, slow := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			slow(srv)
			client, err := srv.Client(supersim.WithMaxRetries(0))
			require.NoError(t, err)
			_, err = client.ListUsageRecords(endedOnArrival(t, srv), nil).Collect()
			require.ErrorIs(t, err, context.Canceled)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Zero(t, reqs[0].Status, "not answered")
		})
	}
}

// endedOnArrival returns a context that the caller cancels once srv has
// logged a request: an event, where a deadline could come before the
// request on a loaded machine.
func endedOnArrival(t *testing.T, srv *supersimtest.Server) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		defer cancel()
		for len(srv.Requests()) == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond) // polls for the arrival; asserts nothing
		}
	}()
	return ctx
}

func TestRequestIDOnEveryAnswer(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	pattern := regexp.MustCompile(`^RQ[0-9a-f]{32}$`)
	seen := map[string]bool{}
	check := func(what string, resp *http.Response) {
		id := resp.Header.Get("Twilio-Request-Id")
		assert.Regexp(t, pattern, id, what)
		assert.False(t, seen[id], "%s: the id %s came twice", what, id)
		seen[id] = true
	}
	for _, query := range []string{rangeQuery, rangeQuery} {
		resp, _, err := fetch(t, srv, "/v1/UsageRecords?"+query, supersimtest.AccountSID, supersimtest.AuthToken)
		require.NoError(t, err)
		check("200", resp)
	}
	resp, _, err := fetch(t, srv, "/v1/UsageRecords", supersimtest.AccountSID, "wrong")
	require.NoError(t, err)
	check("401", resp)
	resp, _, err = fetch(t, srv, "/v1/Sims", supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	check("404", resp)
	resp, _, err = fetch(t, srv, "/v1/UsageRecords?PageSize=0", supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	check("400", resp)
	for _, f := range []supersimtest.Fault{supersimtest.FaultStatus(503, 0, ""), supersimtest.FaultBody(502, "bad gateway"), supersimtest.FaultTruncate(5)} {
		srv.InjectFaults(1, f)
		resp, _, _ = fetch(t, srv, "/v1/UsageRecords", supersimtest.AccountSID, supersimtest.AuthToken)
		check("fault", resp)
	}
}

func TestMaxInFlightRefusesAtOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t, supersimtest.WithMaxInFlight(2))
	srv.InjectFaults(2, supersimtest.FaultStall())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 { // each answer's headers are in: both requests are in flight, stalled
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/UsageRecords?"+rangeQuery, nil)
		require.NoError(t, err)
		req.SetBasicAuth(supersimtest.AccountSID, supersimtest.AuthToken)
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
	}
	assert.Equal(t, supersimtest.Stats{Served: 2, PeakInFlight: 2, InFlight: 2}, srv.Stats())

	srv.InjectFaults(1, supersimtest.FaultStatus(500, 0, "")) // a refused request takes no fault
	resp, raw, err := fetch(t, srv, "/v1/UsageRecords?"+rangeQuery, supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	assert.Equal(t, 429, resp.StatusCode)
	assert.Empty(t, resp.Header.Values("Retry-After"))
	assert.Regexp(t, `^RQ[0-9a-f]{32}$`, resp.Header.Get("Twilio-Request-Id"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	assert.Equal(t, float64(20429), body["code"])
	assert.Equal(t, supersimtest.Stats{Served: 2, Refused: 1, PeakInFlight: 2, InFlight: 2}, srv.Stats())

	cancel() // the stalled requests end
	require.Eventually(t, func() bool { return srv.Stats().InFlight == 0 }, 5*time.Second, time.Millisecond)
	resp, _, err = fetch(t, srv, "/v1/UsageRecords?"+rangeQuery, supersimtest.AccountSID, supersimtest.AuthToken)
	require.NoError(t, err)
	assert.Equal(t, 500, resp.StatusCode, "the fault queued meanwhile")
	assert.Equal(t, supersimtest.Stats{Served: 3, Refused: 1, PeakInFlight: 2}, srv.Stats())

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, []bool{false, false, true, false}, []bool{reqs[0].Refused, reqs[1].Refused, reqs[2].Refused, reqs[3].Refused})
	assert.Equal(t, 429, reqs[2].Status)
	assert.False(t, reqs[2].Fault)
}

func TestMaxInFlightUnderAConcurrentWalk(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return now }), supersimtest.WithMaxInFlight(2))
	defer srv.Close()
	srv.SetLatency(2 * time.Millisecond)
	client, err := srv.Client(supersim.WithMaxRetries(50))
	require.NoError(t, err)
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	opts := &supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupFleet,
		StartTime: start, EndTime: start.AddDate(0, 0, 8), PageSize: 20, Concurrency: 8}
	var got supersimtest.Totals
	for rec, err := range client.ListUsageRecords(context.Background(), opts).All() {
		require.NoError(t, err)
		got.AddRecord(rec)
	}
	want := srv.Totals(supersimtest.Filter{Start: start, End: start.AddDate(0, 0, 8)})
	assert.Equal(t, want.Total, got.Total)
	assert.True(t, want.Billed.Equal(got.Billed))
	stats := srv.Stats()
	assert.LessOrEqual(t, stats.PeakInFlight, 2)
	assert.Positive(t, stats.Served)
	assert.Equal(t, stats.Served+stats.Refused, len(srv.Requests()))
}

// waitLog keeps the retry waits a client logs.
type waitLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (l *waitLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *waitLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *waitLog) WithGroup(string) slog.Handler            { return l }
func (l *waitLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" {
			l.mu.Lock()
			l.waits = append(l.waits, a.Value.Duration())
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func TestClientRetriesWithShortWaits(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	log := &waitLog{}
	client, err := srv.Client(supersim.WithLogger(slog.New(log)), supersim.WithMaxRetries(4))
	require.NoError(t, err)
	srv.InjectFaults(4, supersimtest.FaultStatus(503, 0, ""))
	_, err = client.ListUsageRecords(context.Background(), twoDays).Collect()
	require.NoError(t, err)
	require.Len(t, log.waits, 4)
	for _, w := range log.waits {
		assert.LessOrEqual(t, w, supersimtest.ClientRetryWaitMax)
		assert.GreaterOrEqual(t, w, supersimtest.ClientRetryWaitMin)
	}

	// The caller's options come last and win.
	log = &waitLog{}
	client, err = srv.Client(supersim.WithLogger(slog.New(log)), supersim.WithRetryWait(30*time.Millisecond, 30*time.Millisecond))
	require.NoError(t, err)
	srv.InjectFaults(2, supersimtest.FaultStatus(503, 0, ""))
	_, err = client.ListUsageRecords(context.Background(), twoDays).Collect()
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{30 * time.Millisecond, 30 * time.Millisecond}, log.waits)
}
