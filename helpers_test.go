package supersim_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/conntrack"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if n := suite.scenarios.Load(); n > 0 && testing.Verbose() {
		fmt.Printf("reliability suite: %d scenarios, %d faults injected, %d records checked\n",
			n, suite.faults.Load(), suite.records.Load())
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

const (
	testAccountSID = "ACtest0000000000000000000000000000"
	testAuthToken  = "tok-SECRET-3f9a1c"
	basePath       = "/api" // the fake API lives under a prefix, so absolute-path bugs show
	endpoint       = basePath + "/v1/UsageRecords"
)

// secretForms are the ways a credential could leak into text.
var secretForms = []string{
	testAuthToken,
	base64.StdEncoding.EncodeToString([]byte(testAccountSID + ":" + testAuthToken)),
	"Basic ",
}

// assertNoSecret fails if text carries the auth token in any form.
func assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range secretForms {
		assert.NotContains(t, text, s, "a credential leaked")
	}
}

// logBuffer collects log lines from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// fakeAPI is an httptest server that answers GET {basePath}/v1/UsageRecords
// with handler and records every request.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	conns    conntrack.Tracker
	logs     *logBuffer
}

func (f *fakeAPI) Requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

// newFakeAPI starts a fake API and a client for it with test credentials,
// short retry waits and a debug logger; extra options come last.
func newFakeAPI(t *testing.T, handler http.HandlerFunc, opts ...supersim.Option) (*supersim.Client, *fakeAPI) {
	t.Helper()
	f := startFakeAPI(t, handler)
	return f.client(t, opts...), f
}

// startFakeAPI starts a fake API with no client: for a test whose client
// lives in a synctest bubble, where the server must not (see bubble_test.go).
func startFakeAPI(t *testing.T, handler http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{logs: &logBuffer{}}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Clone(context.Background()))
		f.mu.Unlock()
		if r.URL.Path != endpoint || r.Method != http.MethodGet {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
			return
		}
		handler(w, r)
	}))
	f.Config.ConnState = f.conns.Track
	f.Start()
	t.Cleanup(f.Close)
	t.Cleanup(func() { // runs before Close: every response body was closed
		assert.Eventually(t, func() bool { return f.conns.Active() == 0 }, 5*time.Second, time.Millisecond,
			"a connection is still in the middle of a response: a body was left open")
	})
	t.Cleanup(func() { assertNoSecret(t, f.logs.String()) })
	return f
}

// client returns a client of f with test credentials, short retry waits
// and a debug logger into f's logs; opts come last.
func (f *fakeAPI) client(t *testing.T, opts ...supersim.Option) *supersim.Client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]supersim.Option{
		supersim.WithBaseURL(f.URL + basePath),
		supersim.WithCredentials(testAccountSID, testAuthToken),
		supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond),
		supersim.WithLogger(logger),
	}, opts...)
	client, err := supersim.NewClient(all...)
	require.NoError(t, err)
	return client
}

// fixture returns a file of testdata/.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// serveFixture answers with a testdata file and a status.
func serveFixture(t *testing.T, status int, name string) http.HandlerFunc {
	body := fixture(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(name, ".html") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		w.Write(body)
	}
}

// makeRecords returns n distinct records, one per hour from a fixed start.
func makeRecords(n int) []supersim.UsageRecord {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]supersim.UsageRecord, n)
	for i := range recs {
		recs[i] = supersim.UsageRecord{
			AccountSID:      testAccountSID,
			SimSID:          fmt.Sprintf("HS%032x", i),
			Period:          supersim.Period{StartTime: start.Add(time.Duration(i) * time.Hour), EndTime: start.Add(time.Duration(i+1) * time.Hour)},
			DataUpload:      int64(i),
			DataDownload:    int64(2 * i),
			DataTotal:       int64(3 * i),
			DataTotalBilled: supersim.MustParseDecimal(fmt.Sprintf("%d.%02d", i/100, i%100)),
			BilledUnit:      "USD",
		}
	}
	return recs
}

// pagedHandler serves records in pages of pageSize the way Twilio does:
// next_page_url is absolute, on nextHost (the server's own host if ""),
// and carries the filters, PageSize, Page and an opaque PageToken.
func pagedHandler(t *testing.T, records []supersim.UsageRecord, pageSize int, nextHost string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page := 0
		if tok := q.Get("PageToken"); tok != "" {
			_, err := fmt.Sscanf(tok, "PT%d", &page)
			if err != nil || fmt.Sprint(page) != q.Get("Page") {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"code": 21481, "message": "Invalid PageToken", "status": 400}`)
				return
			}
		}
		from := min(page*pageSize, len(records))
		to := min(from+pageSize, len(records))
		host := nextHost
		if host == "" {
			host = "http://" + r.Host
		}
		self := func(p int) string {
			v := r.URL.Query()
			v.Set("PageSize", fmt.Sprint(pageSize))
			v.Set("Page", fmt.Sprint(p))
			v.Del("PageToken")
			if p > 0 {
				v.Set("PageToken", fmt.Sprintf("PT%d", p))
			}
			return host + "/v1/UsageRecords?" + v.Encode()
		}
		meta := map[string]any{
			"page": page, "page_size": pageSize, "key": "usage_records",
			"first_page_url": self(0), "url": self(page),
			"previous_page_url": nil, "next_page_url": nil,
		}
		if page > 0 {
			meta["previous_page_url"] = self(page - 1)
		}
		if to < len(records) {
			meta["next_page_url"] = self(page + 1)
		}
		w.Header().Set("Content-Type", "application/json")
		assert.NoError(t, json.NewEncoder(w).Encode(map[string]any{"usage_records": records[from:to], "meta": meta}))
	}
}

// newPlainServer starts a server at the root path with no client attached.
func newPlainServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// debugLogger logs everything to w as text.
func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
