package supersim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// The reliability suite runs the real client against faults and counts
// what it checked; README's Reliability section quotes the counts.
var suite struct {
	scenarios, faults, records atomic.Int64
}

// reliabilitySamples make 25 hourly records: three pages of 10.
func reliabilitySamples() []supersimtest.Sample {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	samples := make([]supersimtest.Sample, 25)
	for i := range samples {
		samples[i] = supersimtest.Sample{Sim: validSim, SimName: "my.sim.1", Network: validNetwork, IsoCountry: "FR",
			Hour: start.Add(time.Duration(i) * time.Hour), Upload: int64(i), Download: int64(1000 + i),
			Billed: supersim.MustParseDecimal(fmt.Sprintf("0.%03d", i)), Currency: "USD"}
	}
	return samples
}

var reliabilityOpts = supersim.ListUsageRecordsOptions{
	Granularity: supersim.GranularityHour, PageSize: 10,
	StartTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), EndTime: time.Date(2026, 6, 2, 2, 0, 0, 0, time.UTC),
}

// trap is a server on another origin that must never be reached.
func trap(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, withCredentials := r.BasicAuth()
		t.Errorf("a request reached another origin: %s %s (credentials: %v)", r.Method, r.URL, withCredentials)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// walk lists with a deadline and fails the test if the walk outlives it.
// Every error it returns has been checked for secrets.
func walk(t *testing.T, client *supersim.Client, opts supersim.ListUsageRecordsOptions, timeout time.Duration) ([]supersim.UsageRecord, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type result struct {
		recs []supersim.UsageRecord
		err  error
	}
	done := make(chan result, 1)
	go func() {
		recs, err := client.ListUsageRecords(ctx, &opts).Collect()
		done <- result{recs, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			assertNoSecret(t, r.err.Error())
			assertNoSecret(t, fmt.Sprintf("%+v", r.err))
			assertHoldsNoSecret(t, r.err, secretForms...)
		}
		return r.recs, r.err
	case <-time.After(timeout + time.Minute): // a hang, not a slow machine
		t.Fatal("the walk outlived its context")
		return nil, nil
	}
}

// outcome is what a scenario must end in.
type outcome struct {
	recovered bool             // every record, once, in order
	check     func(error) bool // else: the error it must end with
	describe  string           // for the README table
}

var (
	recovered  = outcome{recovered: true, describe: "retried and recovered"}
	isAPIError = func(status int) outcome {
		return outcome{describe: fmt.Sprintf("typed error: *APIError %d", status), check: func(err error) bool {
			var apiErr *supersim.APIError
			return errors.As(err, &apiErr) && apiErr.Status == status
		}}
	}
	isSentinel = func(sentinel error) outcome {
		return outcome{describe: "typed error: " + sentinel.Error(), check: func(err error) bool { return errors.Is(err, sentinel) }}
	}
	stoppedByContext = outcome{describe: "stopped by context", check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }}
)

func TestReliabilityAgainstTheFakeAPI(t *testing.T) {
	pastDate := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	const retries = 3 // 4 tries
	tests := []struct {
		name   string
		faults []supersimtest.Fault
		want   outcome
	}{
		{"429 storm within the budget, no Retry-After", repeat(retries, supersimtest.FaultStatus(429, 0, "")), recovered},
		{"429 storm within the budget, Retry-After seconds", repeat(retries, supersimtest.FaultStatus(429, 0, "0")), recovered},
		{"429 storm within the budget, Retry-After date", repeat(retries, supersimtest.FaultStatus(429, 0, pastDate)), recovered},
		{"429 storm past the budget", repeat(retries+1, supersimtest.FaultStatus(429, 0, "0")), isSentinel(supersim.ErrRateLimited)},
		{"500 burst within the budget", repeat(retries, supersimtest.FaultStatus(500, 0, "")), recovered},
		{"502 burst within the budget", repeat(retries, supersimtest.FaultBody(502, "<html><title>502 Bad Gateway</title></html>")), recovered},
		{"503 burst within the budget", repeat(retries, supersimtest.FaultStatus(503, 0, "0")), recovered},
		{"504 burst within the budget", repeat(retries, supersimtest.FaultBody(504, "")), recovered},
		{"503 burst past the budget", repeat(retries+1, supersimtest.FaultStatus(503, 0, "")), isAPIError(503)},
		{"504 burst past the budget", repeat(retries+1, supersimtest.FaultBody(504, "")), isAPIError(504)},
		{"mixed 5xx and 429", []supersimtest.Fault{supersimtest.FaultStatus(500, 0, ""), supersimtest.FaultStatus(429, 0, ""), supersimtest.FaultBody(502, "")}, recovered},
		{"connections dropped before the headers", repeat(retries, supersimtest.FaultDrop()), recovered},
		{"bodies cut off mid-JSON", repeat(retries, supersimtest.FaultTruncate(100)), recovered},
		{"drops and cuts mixed", []supersimtest.Fault{supersimtest.FaultDrop(), supersimtest.FaultTruncate(100), supersimtest.FaultDrop()}, recovered},
		{"cut off past the budget", repeat(retries+1, supersimtest.FaultTruncate(100)), isSentinel(supersim.ErrInvalidResponse)},
		{"server stalls mid-body", []supersimtest.Fault{supersimtest.FaultStall()}, stoppedByContext},
		{"slow answers", repeat(3, supersimtest.FaultLatency(30*time.Millisecond)), recovered},
		{"401 is not retried", []supersimtest.Fault{supersimtest.FaultStatus(401, 0, "")}, isSentinel(supersim.ErrUnauthorized)},
		{"404 is not retried", []supersimtest.Fault{supersimtest.FaultStatus(404, 0, "")}, isSentinel(supersim.ErrNotFound)},
		{"400 is not retried", []supersimtest.Fault{supersimtest.FaultStatus(400, 83600, "")}, isAPIError(400)},
	}
	clean := supersimtest.NewServer(supersimtest.WithSamples(reliabilitySamples()))
	want, err := clean.Client()
	require.NoError(t, err)
	expected, err := want.ListUsageRecords(context.Background(), &reliabilityOpts).Collect()
	require.NoError(t, err)
	require.Len(t, expected, 25)
	clean.Close()

	for _, tt := range tests {
		for _, atPage := range []int{0, 1, 2} {
			t.Run(fmt.Sprintf("%s/page %d", tt.name, atPage+1), func(t *testing.T) {
				srv := supersimtest.NewServer(supersimtest.WithSamples(reliabilitySamples()))
				defer srv.Close()
				logs := &logBuffer{}
				bodies := countBodies(srv.HTTPClient())
				client, err := srv.Client(supersim.WithMaxRetries(retries), supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond),
					supersim.WithLogger(debugLogger(logs)), supersim.WithHTTPClient(bodies.client))
				require.NoError(t, err)
				// Let atPage pages through, then the faults.
				srv.InjectFaults(atPage, supersimtest.FaultNone())
				for _, f := range tt.faults {
					srv.InjectFaults(1, f)
				}
				timeout := time.Minute // a bound on a hang: a walk that recovers takes milliseconds
				stall := tt.want.describe == stoppedByContext.describe
				if stall {
					timeout = time.Second // the stall ends only with the deadline
				}
				got, err := walk(t, client, reliabilityOpts, timeout)
				suite.scenarios.Add(1)
				suite.faults.Add(int64(len(tt.faults)))
				if tt.want.recovered {
					require.NoError(t, err)
					assertSameRecords(t, expected, got)
				} else {
					require.Error(t, err)
					assert.True(t, tt.want.check(err), "want %s, got %v", tt.want.describe, err)
					assertSameRecords(t, expected[:len(got)], got)
					if stall { // on a loaded machine the deadline may come before the stall
						assert.LessOrEqual(t, len(got), 10*atPage, "records past the stalled page")
					} else {
						assert.Equal(t, 10*atPage, len(got), "the pages before the fault, and no more")
					}
				}
				suite.records.Add(int64(len(got)))
				for _, r := range srv.Requests() {
					assert.Equal(t, supersimtest.AuthAccount, r.Auth)
				}
				require.Eventually(t, func() bool { return bodies.open.Load() == 0 }, 5*time.Second, time.Millisecond,
					"a response body was left open")
				assertNoSecret(t, logs.String())
			})
		}
	}
}

func repeat(n int, f supersimtest.Fault) []supersimtest.Fault {
	out := make([]supersimtest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

func TestReliabilityAgainstHostileServers(t *testing.T) {
	elsewhere := trap(t)
	page := func(n int, records, next string) string {
		return fmt.Sprintf(`{"usage_records":[%s],"meta":{"key":"usage_records","page":%d,"page_size":1,"next_page_url":%s}}`, records, n, next)
	}
	record := `{"account_sid":"AC1","data_total":7,"data_total_billed":"0.01","period":{"start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T01:00:00Z"}}`
	// onward serves page n with one record and a next_page_url built by next.
	onward := func(pages int, next func(host string, n int) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n := atoi(r.URL.Query().Get("Page"))
			link := "null"
			if n+1 < pages {
				link = `"` + next(r.Host, n+1) + `"`
			}
			w.Write([]byte(page(n, record, link)))
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    outcome
		records int // delivered before the end
	}{
		{"next_page_url on another host", onward(3, func(_ string, n int) string {
			return fmt.Sprintf("%s/v1/UsageRecords?Page=%d&PageToken=PT%d", elsewhere.URL, n, n)
		}), recovered, 3},
		{"next_page_url on another scheme (https to http)", onward(3, func(host string, n int) string {
			return fmt.Sprintf("https://%s/v1/UsageRecords?Page=%d&PageToken=PT%d", host, n, n)
		}), recovered, 3},
		{"next_page_url on another path", onward(3, func(host string, n int) string {
			return fmt.Sprintf("http://%s/elsewhere/steal?Page=%d&PageToken=PT%d", host, n, n)
		}), recovered, 3},
		{"a repeated PageToken", onward(100, func(host string, n int) string {
			return fmt.Sprintf("http://%s/v1/UsageRecords?Page=%d&PageToken=SAME", host, n)
		}), isSentinel(supersim.ErrPagingLoop), 1},
		{"empty pages pointing onward forever", func(w http.ResponseWriter, r *http.Request) {
			n := atoi(r.URL.Query().Get("Page"))
			w.Write([]byte(page(n, "", fmt.Sprintf(`"http://%s/v1/UsageRecords?Page=%d&PageToken=PT%d"`, r.Host, n+1, n+1))))
		}, isSentinel(supersim.ErrPagingLoop), 0},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+"/v1/UsageRecords", http.StatusTemporaryRedirect)
		}, isAPIError(http.StatusTemporaryRedirect), 0},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"usage_records":[{"data_total":1,}]}`))
		}, isSentinel(supersim.ErrInvalidResponse), 0},
		{"a wrong key", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"sims":[],"meta":{"key":"sims","next_page_url":null}}`))
		}, isSentinel(supersim.ErrInvalidResponse), 0},
		{"records of the wrong type", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"usage_records":[{"data_upload":"lots"}],"meta":{"key":"usage_records"}}`))
		}, isSentinel(supersim.ErrInvalidResponse), 0},
		{"a huge error body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(strings.Repeat("x", 8<<20)))
		}, isAPIError(http.StatusBadRequest), 0},
		{"a page declared over 64 MiB", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(65<<20))
			w.Write([]byte(`{"usage_records":[`)) // the client gives up before the rest
		}, isSentinel(supersim.ErrInvalidResponse), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, api := newFakeAPI(t, tt.handler, supersim.WithMaxRetries(2))
			got, err := walk(t, client, supersim.ListUsageRecordsOptions{}, time.Minute) // a bound on a hang
			suite.scenarios.Add(1)
			suite.faults.Add(1)
			suite.records.Add(int64(len(got)))
			assert.Len(t, got, tt.records)
			if tt.want.recovered {
				require.NoError(t, err)
				for _, r := range api.Requests() {
					assert.Equal(t, endpoint, r.URL.Path, "requests stay on the API path")
				}
			} else {
				require.Error(t, err)
				assert.True(t, tt.want.check(err), "want %s, got %v", tt.want.describe, err)
			}
		})
	}
}

// TestSharedClientUnderFaults pages with one client from many goroutines
// while the fake API drops, cuts and refuses requests, and checks every
// walk against the fake's own data.
func TestSharedClientUnderFaults(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }))
	defer srv.Close()
	bodies := countBodies(srv.HTTPClient())
	client, err := srv.Client(supersim.WithMaxRetries(8), supersim.WithRetryWait(time.Millisecond, 3*time.Millisecond),
		supersim.WithHTTPClient(bodies.client))
	require.NoError(t, err)
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 7)
	samples := srv.Samples()
	walks := []supersim.ListUsageRecordsOptions{
		{Group: supersim.GroupSim, Granularity: supersim.GranularityDay, PageSize: 37},
		{Group: supersim.GroupFleet, Granularity: supersim.GranularityHour, PageSize: 100},
		{Group: supersim.GroupNetwork, Granularity: supersim.GranularityHour, PageSize: 250, Concurrency: 3},
		{Group: supersim.GroupIsoCountry, Granularity: supersim.GranularityDay, PageSize: 3},
		{Sim: samples[0].SimName, Granularity: supersim.GranularityHour, PageSize: 10},
		{Fleet: samples[0].Fleet, Granularity: supersim.GranularityHour, PageSize: 50, NoPrefetch: true},
		{Network: samples[0].Network, Group: supersim.GroupSim, Granularity: supersim.GranularityDay, PageSize: 20, Concurrency: 2},
		{IsoCountry: strings.ToLower(samples[0].IsoCountry), Granularity: supersim.GranularityAll},
	}
	faults := []supersimtest.Fault{supersimtest.FaultStatus(429, 0, "0"), supersimtest.FaultDrop(), supersimtest.FaultTruncate(100),
		supersimtest.FaultStatus(503, 0, ""), supersimtest.FaultBody(502, ""), supersimtest.FaultNone(), supersimtest.FaultNone(), supersimtest.FaultNone()}
	for i := range 40 {
		srv.InjectFaults(1, faults[i%len(faults)])
	}
	var done sync.WaitGroup
	for _, opts := range walks {
		opts.StartTime, opts.EndTime = start, end
		done.Add(1)
		go func() {
			defer done.Done()
			got, err := walk(t, client, opts, time.Minute) // a bound on a hang
			if !assert.NoError(t, err, "%+v", opts) {
				return
			}
			want := srv.Totals(supersimtest.Filter{Sim: opts.Sim, Fleet: opts.Fleet, Network: opts.Network,
				IsoCountry: opts.IsoCountry, Start: start, End: end})
			sum := sumOf(got)
			assert.Equal(t, want.Upload, sum.Upload, "%+v", opts)
			assert.Equal(t, want.Total, sum.Total, "%+v", opts)
			assert.True(t, want.Billed.Equal(sum.Billed), "%+v: billed %s, want %s", opts, sum.Billed, want.Billed)
			suite.records.Add(int64(len(got)))
		}()
	}
	done.Wait()
	suite.scenarios.Add(int64(len(walks)))
	suite.faults.Add(40)
	assert.Eventually(t, func() bool { return bodies.open.Load() == 0 }, 5*time.Second, time.Millisecond,
		"a response body was left open")
}

// bodyCounter is an HTTP client whose transport counts the response
// bodies handed out and not closed yet: once a walk is over, 0.
type bodyCounter struct {
	client *http.Client
	next   http.RoundTripper
	open   atomic.Int64
}

func countBodies(hc *http.Client) *bodyCounter {
	c := &bodyCounter{next: hc.Transport}
	c.client = &http.Client{Transport: c}
	return c
}

// RoundTrip passes the request on and wraps the response body.
func (c *bodyCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		c.open.Add(1)
		resp.Body = &countedBody{ReadCloser: resp.Body, counter: c}
	}
	return resp, err
}

// countedBody is a response body that tells its counter when it is closed.
type countedBody struct {
	io.ReadCloser
	counter *bodyCounter
	once    sync.Once
}

// Close closes the body; the first call counts.
func (b *countedBody) Close() error {
	b.once.Do(func() { b.counter.open.Add(-1) })
	return b.ReadCloser.Close()
}
