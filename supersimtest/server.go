package supersimtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/conntrack"
)

// Credentials the server accepts unless [WithCredentials] says otherwise.
const (
	AccountSID = "AC00000000000000000000000000000000"
	AuthToken  = "supersimtest-auth-token"
	APIKey     = "SK00000000000000000000000000000000"
	APISecret  = "supersimtest-api-secret"
)

// DemoSeed seeds the demo dataset unless [WithDemoSeed] says otherwise.
const DemoSeed = 2026

// Server is a fake of the Super SIM API on loopback: GET /v1/UsageRecords
// with Twilio's parameters, paging, errors and limits, over data the test
// controls. Close it when done.
type Server struct {
	// URL is the base URL to give supersim.WithBaseURL, like "http://127.0.0.1:PORT".
	URL string

	srv       *httptest.Server
	transport *http.Transport // behind HTTPClient: trusts the server, keeps connections for concurrent walks
	samples   []Sample
	account   string
	accounts  map[string]string // username -> secret, Account SID pair
	keys      map[string]string // username -> secret, API key pair
	clock     func() time.Time
	numbers   bool // billed amounts as JSON numbers

	mu       sync.Mutex
	faults   []Fault
	latency  time.Duration
	requests []Request
	conns    conntrack.Tracker
	results  *memo[[]supersim.UsageRecord] // aggregated records per query
	bodies   *memo[[]byte]                 // rendered pages, so that only latency is slow
}

// Option configures a [Server].
type Option func(*settings)

type settings struct {
	samples    []Sample
	demoSeed   uint64
	clock      func() time.Time
	tls        bool
	numbers    bool
	accountSID string
	authToken  string
	apiKey     string
	apiSecret  string
}

// WithSamples serves these samples instead of the demo dataset. Every
// sample must have the same Currency.
func WithSamples(samples []Sample) Option {
	return func(s *settings) { s.samples = samples }
}

// WithDemoSeed seeds the demo dataset (see [DemoDataset]).
func WithDemoSeed(seed uint64) Option {
	return func(s *settings) { s.demoSeed = seed }
}

// WithClock sets the server's clock: the default EndTime, the 18-month
// limit on StartTime and the end of the demo dataset. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.clock = now }
}

// WithTLS serves HTTPS; use [Server.Client] or [Server.HTTPClient], which
// trust its certificate.
func WithTLS() Option {
	return func(s *settings) { s.tls = true }
}

// WithBilledAsNumber sends data_total_billed as a JSON number (0.03)
// instead of the JSON string ("0.03") Twilio's examples show.
func WithBilledAsNumber() Option {
	return func(s *settings) { s.numbers = true }
}

// WithCredentials sets the Account SID and Auth Token the server accepts
// (and the account_sid of every record), and the API key pair.
func WithCredentials(accountSID, authToken, apiKey, apiSecret string) Option {
	return func(s *settings) {
		s.accountSID, s.authToken, s.apiKey, s.apiSecret = accountSID, authToken, apiKey, apiSecret
	}
}

// NewServer starts a Server. It panics if the samples mix currencies, as
// httptest.NewServer panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	set := settings{demoSeed: DemoSeed, clock: time.Now,
		accountSID: AccountSID, authToken: AuthToken, apiKey: APIKey, apiSecret: APISecret}
	for _, opt := range opts {
		opt(&set)
	}
	if set.samples == nil {
		set.samples = DemoDataset(set.demoSeed, set.clock())
	}
	for _, sample := range set.samples {
		if sample.Currency != set.samples[0].Currency {
			panic(fmt.Sprintf("supersimtest: samples mix currencies %q and %q", set.samples[0].Currency, sample.Currency))
		}
	}
	s := &Server{
		samples: set.samples, account: set.accountSID, clock: set.clock, numbers: set.numbers,
		accounts: map[string]string{set.accountSID: set.authToken},
		keys:     map[string]string{set.apiKey: set.apiSecret},
		results:  newMemo[[]supersim.UsageRecord](64),
		bodies:   newMemo[[]byte](1024),
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = s.conns.Track
	if set.tls {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	s.transport = s.srv.Client().Transport.(*http.Transport).Clone()
	s.transport.MaxIdleConnsPerHost = supersim.MaxConcurrency
	return s
}

// Close shuts the server down and waits for its requests to end.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.transport.CloseIdleConnections()
}

// ActiveConnections counts the connections in the middle of a request:
// once a client has read or closed every response body, it is 0 (idle
// keep-alive connections do not count).
func (s *Server) ActiveConnections() int { return s.conns.Active() }

// HTTPClient returns an *http.Client that trusts the server's certificate
// (for WithTLS), to give supersim.WithHTTPClient. Its connections are
// closed with the server.
func (s *Server) HTTPClient() *http.Client { return &http.Client{Transport: s.transport} }

// Client returns a supersim client for this server, authenticated with the
// Account SID pair; opts come after the server's own options.
func (s *Server) Client(opts ...supersim.Option) (*supersim.Client, error) {
	base := []supersim.Option{
		supersim.WithBaseURL(s.URL),
		supersim.WithCredentials(s.account, s.accounts[s.account]),
		supersim.WithHTTPClient(s.HTTPClient()),
	}
	return supersim.NewClient(append(base, opts...)...)
}

// Samples returns the dataset the server serves.
func (s *Server) Samples() []Sample { return s.samples }

// Totals sums the samples f selects, straight from the dataset: what any
// walk of the matching usage records must add up to.
func (s *Server) Totals(f Filter) Totals { return totals(s.samples, f) }

// serve answers one request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	auth := s.authKind(r)
	fault, faulty, latency, index := s.arrive(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Auth: auth})
	if !sleep(r.Context(), latency) {
		return // the client gave up: the log keeps status 0
	}
	rec := &statusRecorder{ResponseWriter: w}
	switch {
	case faulty && (fault.Status != 0 || fault.Drop || fault.Truncate || fault.Stall):
		s.serveFault(rec, r, fault)
	default:
		s.serveAPI(rec, r, auth)
	}
	s.answered(index, rec.status)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, auth AuthKind) {
	switch {
	case auth == AuthNone || auth == AuthInvalid:
		writeError(w, &apiError{401, 20003, "Authentication Error - invalid username"})
	case r.URL.Path != "/v1/UsageRecords":
		writeError(w, &apiError{404, 20404, "The requested resource " + r.URL.Path + " was not found"})
	case r.Method != http.MethodGet:
		writeError(w, &apiError{405, 20004, "Method not allowed"})
	default:
		body, err := s.page(r)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// authKind checks the Basic credentials.
func (s *Server) authKind(r *http.Request) AuthKind {
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		return AuthNone
	case s.accounts[user] == pass && pass != "":
		return AuthAccount
	case s.keys[user] == pass && pass != "":
		return AuthAPIKey
	}
	return AuthInvalid
}

// page renders the page a request asks for.
func (s *Server) page(r *http.Request) ([]byte, *apiError) {
	q, apiErr := parseQuery(r.URL.Query(), s.clock().UTC())
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := q.checkToken(); apiErr != nil {
		return nil, apiErr
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	bodyKey := fmt.Sprintf("%s://%s|%s|%d|%d", scheme, r.Host, q.resultKey(), q.pageSize, q.page)
	if body, ok := s.bodies.get(bodyKey); ok {
		return body, nil
	}
	records := s.records(q)
	from := min(q.page*q.pageSize, len(records))
	to := min(from+q.pageSize, len(records))
	pageURL := func(page int) *string {
		v := make(map[string][]string, len(q.filters)+3)
		for k, vals := range q.filters {
			v[k] = vals
		}
		v["PageSize"] = []string{strconv.Itoa(q.pageSize)}
		v["Page"] = []string{strconv.Itoa(page)}
		if page > 0 {
			v["PageToken"] = []string{q.token(page)}
		}
		u := fmt.Sprintf("%s://%s/v1/UsageRecords?%s", scheme, r.Host, encode(v))
		return &u
	}
	meta := wireMeta{Page: q.page, PageSize: q.pageSize, Key: "usage_records",
		FirstPageURL: pageURL(0), URL: pageURL(q.page)}
	if q.page > 0 {
		meta.PreviousPageURL = pageURL(q.page - 1)
	}
	if to < len(records) {
		meta.NextPageURL = pageURL(q.page + 1)
	}
	out := wirePage{UsageRecords: make([]wireRecord, 0, to-from), Meta: meta}
	for _, rec := range records[from:to] {
		out.UsageRecords = append(out.UsageRecords, s.wire(rec))
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, &apiError{500, 20500, "Internal Server Error"}
	}
	s.bodies.put(bodyKey, body)
	return body, nil
}

// records returns the whole result of q, aggregated once per distinct query.
func (s *Server) records(q *listQuery) []supersim.UsageRecord {
	key := q.resultKey()
	if cached, ok := s.results.get(key); ok {
		return cached
	}
	records := q.aggregate(s.samples, s.account)
	s.results.put(key, records)
	return records
}

// sleep waits d or until ctx ends; it reports whether the wait ran out.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// encode is url.Values.Encode with Twilio's parameter order.
func encode(v map[string][]string) string {
	order := []string{"Sim", "Fleet", "Network", "IsoCountry", "Group", "Granularity", "StartTime", "EndTime", "PageSize", "Page", "PageToken"}
	var parts []string
	for _, k := range order {
		for _, val := range v[k] {
			parts = append(parts, k+"="+queryEscape(val))
		}
	}
	return strings.Join(parts, "&")
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{
		"code": e.code, "message": e.message, "status": e.status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", e.code),
	})
}

// statusRecorder remembers the status written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status written.
func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records an implicit 200.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
