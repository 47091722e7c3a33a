package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// hangBound bounds a wait for an event (the first refresh, a scrape)
// generously: it catches a hang, not a slow machine.
const hangBound = 2 * time.Minute

// syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// served is a "supersim serve" running in process.
type served struct {
	base   string // http://127.0.0.1:port
	stderr *syncBuffer
	stop   func() int // stops it as SIGTERM would and returns its exit code
}

var servingLine = regexp.MustCompile(`serving (http://[^/\s]+)/metrics`)

// startServe runs "supersim serve -listen 127.0.0.1:0 args..." in process
// with env on the fixed clock, and returns once its first refresh has
// succeeded (/healthz answers 200). It is stopped when the test ends.
func startServe(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stderr: &syncBuffer{}}
	a := &app{stdout: io.Discard, stderr: s.stderr, env: env, now: clock}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, append([]string{"serve", "-listen", "127.0.0.1:0"}, args...)) }()
	code, stopped := 0, false
	s.stop = func() int {
		if !stopped {
			cancel()
			code, stopped = <-done, true
		}
		return code
	}
	t.Cleanup(func() { s.stop() })

	deadline := time.Now().Add(hangBound)
	for s.base == "" {
		if m := servingLine.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before serving:\n%s", code, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "serve did not start within %s:\n%s", hangBound, s.stderr)
	}
	for get(t, s.base+"/healthz").StatusCode != http.StatusOK {
		require.True(t, time.Now().Before(deadline), "no successful refresh within %s:\n%s", hangBound, s.stderr)
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// get fetches url over loopback and returns the answer, its body read.
func get(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// scrape fetches base/metrics and parses it.
func scrape(t *testing.T, base string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp := get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err)
	return fams, string(body)
}

// sample returns the value of the series of name whose labels include
// labels ("k=v" pairs); it fails the test unless there is exactly one.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	fam := fams[name]
	require.NotNil(t, fam, "no metric %s", name)
	var found []float64
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			match = match && have[k] == v
		}
		if match {
			found = append(found, m.GetGauge().GetValue()+m.GetCounter().GetValue())
		}
	}
	require.Len(t, found, 1, "series of %s with %v", name, labels)
	return found[0]
}

// watched is what the data-limit watch itself says of one fleet.
type watched struct {
	sid         string
	usedBytes   int64
	uploadBytes int64
	billed      supersim.Decimal // USD
	overAt      map[float64]int  // SIMs with a limit, at or over each threshold
	simsInView  int
}

// watch runs the data-limit watch on client at the fixed clock and sums
// it per fleet name, as "supersim limits" counts.
func watch(t *testing.T, client *supersim.Client) map[string]*watched {
	t.Helper()
	rows, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Now: fixedNow})
	require.NoError(t, err)
	out := map[string]*watched{}
	for _, r := range rows {
		if r.FleetSID == "" {
			continue
		}
		w := out[r.FleetName]
		if w == nil {
			w = &watched{sid: r.FleetSID, overAt: map[float64]int{}}
			out[r.FleetName] = w
		}
		w.usedBytes += r.UsedBytes
		w.uploadBytes += r.UploadBytes
		w.billed = w.billed.Add(r.Billed["USD"])
		w.simsInView++
		for _, threshold := range limitThresholds {
			if r.LimitBytes > 0 && r.Percent >= threshold {
				w.overAt[threshold]++
			}
		}
	}
	return out
}

func TestServeScrapesCostNoAPIRequest(t *testing.T) {
	srv := newFake(t)
	s := startServe(t, twilioEnv(), "-base-url", srv.URL, "-refresh", "1h")

	fams, body := scrape(t, s.base)
	requests := srv.Stats().Served
	require.Positive(t, requests, "the first refresh read the API")
	for range 5 {
		scrape(t, s.base)
		get(t, s.base+"/healthz")
	}
	assert.Equal(t, requests, srv.Stats().Served, "scrapes sent API requests")

	// The metrics are the data-limit watch's numbers, for every fleet.
	client, err := srv.Client()
	require.NoError(t, err)
	want := watch(t, client)
	require.Len(t, want, supersimtest.DemoFleets)
	for name, w := range want {
		assert.Equal(t, float64(w.usedBytes), sample(t, fams, "supersim_fleet_billing_period_data_bytes", "fleet_name="+name, "fleet_sid="+w.sid), name)
		assert.Equal(t, float64(w.uploadBytes), sample(t, fams, "supersim_fleet_billing_period_transfer_bytes", "fleet_name="+name, "direction=upload"), name)
		assert.Equal(t, float64(w.usedBytes-w.uploadBytes), sample(t, fams, "supersim_fleet_billing_period_transfer_bytes", "fleet_name="+name, "direction=download"), name)
		billedUSD, _ := w.billed.Rat().Float64()
		assert.InDelta(t, billedUSD, sample(t, fams, "supersim_fleet_billing_period_billed", "fleet_name="+name, "currency=USD"), 1e-9, name)
		assert.Equal(t, float64(w.simsInView), sample(t, fams, "supersim_fleet_sims", "fleet_name="+name), name)
		for _, threshold := range limitThresholds {
			assert.Equal(t, float64(w.overAt[threshold]), sample(t, fams, "supersim_fleet_sims_over_limit",
				"fleet_name="+name, fmt.Sprintf("threshold=%g", threshold)), name)
		}
	}
	assert.Positive(t, want["paris-trackers"].overAt[100], "the demo has a SIM over its limit")
	assert.Len(t, fams["supersim_top_sim_data_limit_used_ratio"].GetMetric(), topSIMs)
	assert.Equal(t, 1.0, sample(t, fams, "supersim_refreshes_total"))
	assert.Equal(t, float64(fixedNow.Unix()), sample(t, fams, "supersim_refresh_last_success_timestamp_seconds"))
	assert.Equal(t, float64(requests), sample(t, fams, "supersim_api_requests_total"))
	assert.NotContains(t, body, supersimtest.AuthToken, "a secret in the metrics")
	assert.NotContains(t, s.stderr.String(), supersimtest.AuthToken, "a secret on stderr")

	assert.Equal(t, exitOK, s.stop())
	assert.Contains(t, s.stderr.String(), "supersim: stopping")
}

// The month-to-date metrics are the fake's own sums of its samples.
func TestServeMonthToDateIsExact(t *testing.T) {
	srv := newFake(t)
	client, err := srv.Client()
	require.NoError(t, err)
	e := newPromExporter(client, supersim.ListUsageRecordsOptions{PageSize: supersim.MaxPageSize}, 0, clock)
	require.NoError(t, e.refresh(context.Background()))
	fams := gather(t, e)

	month := time.Date(fixedNow.Year(), fixedNow.Month(), 1, 0, 0, 0, 0, time.UTC)
	check := func(name string, f supersimtest.Filter, labels ...string) {
		t.Helper()
		f.Start, f.End = month, fixedNow
		want := srv.Totals(f)
		require.Positive(t, want.Total, "%v", f)
		assert.Equal(t, float64(want.Upload), sample(t, fams, name, append(labels, "direction=upload")...))
		assert.Equal(t, float64(want.Download), sample(t, fams, name, append(labels, "direction=download")...))
		if name == "supersim_fleet_month_to_date_data_bytes" {
			usd, err := strconv.ParseFloat(want.Billed.In("USD").String(), 64)
			require.NoError(t, err)
			assert.Equal(t, usd, sample(t, fams, "supersim_fleet_month_to_date_billed", append(labels, "currency=USD")...))
		}
	}
	for _, f := range srv.Account().Fleets {
		check("supersim_fleet_month_to_date_data_bytes", supersimtest.Filter{Fleet: f.SID}, "fleet_sid="+f.SID, "fleet_name="+f.UniqueName)
	}
	for _, n := range srv.Account().Networks {
		check("supersim_network_month_to_date_data_bytes", supersimtest.Filter{Network: n.SID}, "network_sid="+n.SID, "network_name="+n.FriendlyName)
	}
	check("supersim_country_month_to_date_data_bytes", supersimtest.Filter{IsoCountry: "FR"}, "iso_country=FR")
}

// gather gathers e's metrics as a scrape would, from a registry of e alone.
func gather(t *testing.T, e *promExporter) map[string]*dto.MetricFamily {
	t.Helper()
	ts := httptestServer(t, e.handler())
	fams, _ := scrape(t, ts)
	return fams
}

// httptestServer serves h on loopback until the test ends, and returns its URL.
func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestServeRefreshFailureKeepsTheLastGoodSnapshot(t *testing.T) {
	srv := newFake(t)
	client, err := srv.Client()
	require.NoError(t, err)
	e := newPromExporter(client, supersim.ListUsageRecordsOptions{PageSize: supersim.MaxPageSize}, 0, clock)
	base := httptestServer(t, e.handler())
	assert.Equal(t, http.StatusServiceUnavailable, get(t, base+"/healthz").StatusCode, "before the first refresh")

	require.NoError(t, e.refresh(context.Background()))
	good, _ := scrape(t, base)
	paris := sample(t, good, "supersim_fleet_billing_period_data_bytes", "fleet_name=paris-trackers")

	// The API fails: 403 is not retried.
	srv.InjectFaults(1, supersimtest.FaultStatus(http.StatusForbidden, 20003, ""))
	require.Error(t, e.refresh(context.Background()))
	after, _ := scrape(t, base)
	assert.Equal(t, paris, sample(t, after, "supersim_fleet_billing_period_data_bytes", "fleet_name=paris-trackers"))
	assert.Equal(t, sample(t, good, "supersim_fleet_sims_over_limit", "fleet_name=paris-trackers", "threshold=80"),
		sample(t, after, "supersim_fleet_sims_over_limit", "fleet_name=paris-trackers", "threshold=80"))
	assert.Equal(t, 1.0, sample(t, after, "supersim_refresh_errors_total"))
	assert.Equal(t, 2.0, sample(t, after, "supersim_refreshes_total"))
	assert.Equal(t, float64(fixedNow.Unix()), sample(t, after, "supersim_refresh_last_success_timestamp_seconds"))
	health := get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, health.StatusCode, "stale but served")

	// Faults that outlast the SDK's retries (5xx) fail a refresh too, and
	// show in the client's counters.
	srv.InjectFaults(supersim.DefaultMaxRetries+1, supersimtest.FaultStatus(http.StatusServiceUnavailable, 0, "0"))
	require.Error(t, e.refresh(context.Background()))
	after, _ = scrape(t, base)
	assert.Equal(t, 2.0, sample(t, after, "supersim_refresh_errors_total"))
	assert.Positive(t, sample(t, after, "supersim_api_retries_total"))
	assert.Equal(t, paris, sample(t, after, "supersim_fleet_billing_period_data_bytes", "fleet_name=paris-trackers"))

	require.NoError(t, e.refresh(context.Background()))
	after, _ = scrape(t, base)
	assert.Equal(t, 2.0, sample(t, after, "supersim_refresh_errors_total"), "a success does not reset the counter")
	assert.Equal(t, paris, sample(t, after, "supersim_fleet_billing_period_data_bytes", "fleet_name=paris-trackers"))
}

// After the first refresh, a refresh costs what the data-limit watch costs
// with its cache of billing periods warm, plus five requests whatever the
// number of SIMs: the fleets, the networks and three month-to-date walks.
func TestServeRefreshCostsTheWarmWatch(t *testing.T) {
	watchSrv := newFake(t)
	watchClient, err := watchSrv.Client()
	require.NoError(t, err)
	cache := &supersim.PeriodsInMemory{}
	opts := &supersim.DataLimitsOptions{Periods: cache, Now: fixedNow}
	_, err = watchClient.DataLimits(context.Background(), opts)
	require.NoError(t, err)
	before := len(watchSrv.Requests())
	_, err = watchClient.DataLimits(context.Background(), opts)
	require.NoError(t, err)
	want := paths(watchSrv.Requests()[before:])
	want = append(want, "/v1/Fleets", "/v1/Networks", "/v1/UsageRecords", "/v1/UsageRecords", "/v1/UsageRecords")

	srv := newFake(t)
	client, err := srv.Client()
	require.NoError(t, err)
	e := newPromExporter(client, supersim.ListUsageRecordsOptions{PageSize: supersim.MaxPageSize}, 0, clock)
	require.NoError(t, e.refresh(context.Background()))
	first := paths(srv.Requests())
	require.NoError(t, e.refresh(context.Background()))
	second := paths(srv.Requests()[len(first):])
	assert.ElementsMatch(t, want, second)
	periods := func(paths []string) int {
		return len(slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return !strings.HasSuffix(p, "/BillingPeriods") }))
	}
	assert.Less(t, periods(second), periods(first)/10, "the cache of billing periods")
}

// paths lists the paths of requests.
func paths(requests []supersimtest.Request) []string {
	out := make([]string, len(requests))
	for i, r := range requests {
		out[i] = r.Path
	}
	return out
}

// Refreshes called at once run one after the other: the second sends
// nothing while the first one's first request (the fleets) is held up.
func TestServeRefreshesNeverOverlap(t *testing.T) {
	srv := newFake(t)
	client, err := srv.Client()
	require.NoError(t, err)
	e := newPromExporter(client, supersim.ListUsageRecordsOptions{PageSize: supersim.MaxPageSize}, 0, clock)
	srv.InjectFaults(1, supersimtest.FaultLatency(200*time.Millisecond))
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { assert.NoError(t, e.refresh(context.Background())) })
	}
	wg.Wait()
	requests := srv.Requests()
	require.Greater(t, len(requests), 2)
	assert.Equal(t, "/v1/Fleets", requests[0].Path)
	assert.Equal(t, "/v1/Networks", requests[1].Path, "a second refresh started during the first")
}

func TestServeFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no -listen", []string{"serve", "-demo"}, "-listen is required"},
		{"bad -listen", []string{"serve", "-demo", "-listen", "nope"}, `-listen "nope": want host:port`},
		{"short -refresh", []string{"serve", "-demo", "-listen", "127.0.0.1:0", "-refresh", "10s"}, "-refresh 10s: at least 1m0s"},
		{"report flag", []string{"serve", "-demo", "-listen", "127.0.0.1:0", "-group", "fleet"}, "flag provided but not defined: -group"},
		{"bad -fleet", []string{"serve", "-demo", "-listen", "127.0.0.1:0", "-fleet", "HF" + strings.Repeat("z", 32)}, "looks like a SID"},
		{"bad -concurrency", []string{"serve", "-demo", "-listen", "127.0.0.1:0", "-concurrency", "99"}, "-concurrency 99"},
		{"no credentials", []string{"serve", "-listen", "127.0.0.1:0"}, "no credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), hangBound) // a flag let through would serve
			defer cancel()
			r := runCmdContext(t, ctx, nil, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
		})
	}

	r := runCmd(t, nil, "serve", "-help")
	assert.Equal(t, exitOK, r.code)
	for _, want := range []string{"Usage: supersim serve -listen ADDR", "-refresh", "-fleet", "TWILIO_ACCOUNT_SID", "Exit codes:"} {
		assert.Contains(t, r.stdout, want)
	}
	assert.NotContains(t, r.stdout, "-granularity")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	r = runCmd(t, nil, "serve", "-demo", "-listen", busy.Addr().String())
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "address already in use")
}

func TestServeExitsWhenTheFirstRefreshIsRefusedForTheCredentials(t *testing.T) {
	srv := newFake(t)
	env := []string{"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKEN=wrong-token-value"}
	r := runCmd(t, env, "serve", "-base-url", srv.URL, "-listen", "127.0.0.1:0")
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "TWILIO_AUTH_TOKEN")
	assert.NotContains(t, r.stderr, "wrong-token-value")
}
