package supersimtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/supersimkit/supersim"
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

// The retry waits of a [Server.Client]: short, so that tests of retries
// take milliseconds.
const (
	ClientRetryWaitMin = time.Millisecond
	ClientRetryWaitMax = 10 * time.Millisecond
)

// Server is a fake of the Super SIM API on loopback: GET /v1/UsageRecords,
// /v1/Sims, /v1/Fleets, /v1/Networks (each also by SID) and
// /v1/Sims/{Sim}/BillingPeriods, with Twilio's parameters, paging, errors
// and limits, over an [Account] the test controls. Close it when done.
type Server struct {
	// URL is the base URL to give supersim.WithBaseURL, like "http://127.0.0.1:PORT".
	URL string

	srv        *httptest.Server
	transport  *http.Transport // behind HTTPClient: trusts the server, keeps connections for concurrent walks
	data       Account         // without its Samples: usage holds them
	usage      *store
	account    string
	recordHead string            // a usage record's first member, rendered
	accounts   map[string]string // username -> secret, Account SID pair
	keys       map[string]string // username -> secret, API key pair
	clock      func() time.Time
	numbers    bool         // billed amounts as JSON numbers
	kore       *tokenIssuer // KORE mode: Bearer tokens from a token endpoint; nil for Twilio's Basic auth

	mu          sync.Mutex
	faults      []Fault
	latency     time.Duration
	requests    []Request
	maxInFlight int
	stats       Stats
	results     *memo[*result] // aggregated records per query, up to maxMemoRecords
	bodies      *memo[[]byte]  // rendered pages, up to maxMemoBytes, so that only latency is slow
}

// NewServer starts a Server, in Twilio mode unless [WithKORE] says
// otherwise. It panics if it cannot listen, as httptest.NewServer does, or
// if an option is out of range.
func NewServer(opts ...Option) *Server {
	set := settings{demoSeed: DemoSeed, clock: time.Now, lifetime: DefaultTokenLifetime,
		accountSID: AccountSID, authToken: AuthToken, apiKey: APIKey, apiSecret: APISecret}
	for _, opt := range opts {
		opt(&set)
	}
	if set.lifetime <= 0 {
		panic(fmt.Sprintf("supersimtest: WithTokenLifetime(%v): the lifetime must be positive", set.lifetime))
	}
	if !set.dataSet {
		set.data = DemoAccount(set.demoSeed, set.clock())
	}
	s := &Server{
		data: set.data, usage: newStore(set.data.Samples), account: set.accountSID, clock: set.clock, numbers: set.numbers,
		recordHead:  string(appendJSONString([]byte(`{"account_sid":`), set.accountSID)),
		accounts:    map[string]string{set.accountSID: set.authToken},
		keys:        map[string]string{set.apiKey: set.apiSecret},
		maxInFlight: set.maxInFlight,
		results:     newMemo(maxMemoRecords, func(r *result) int { return len(r.records) + 1 }),
		bodies:      newMemo(maxMemoBytes, func(b []byte) int { return len(b) }),
	}
	s.data.Samples = nil
	if set.kore {
		s.kore = newTokenIssuer(set.lifetime, set.clock, set.tls)
	}
	// Every field handlers read is set before the server starts.
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
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

// Close shuts the server (and its token endpoint) down and waits for
// their requests to end.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	if s.kore != nil {
		s.kore.srv.CloseClientConnections()
		s.kore.srv.Close()
	}
	s.transport.CloseIdleConnections()
}

// HTTPClient returns an *http.Client that trusts the server's certificate
// and its token endpoint's (for WithTLS), to give supersim.WithHTTPClient.
// Its connections are closed with the server.
func (s *Server) HTTPClient() *http.Client { return &http.Client{Transport: s.transport} }

// Client returns a supersim client for this server: its HTTPClient,
// retry waits of ClientRetryWaitMin to ClientRetryWaitMax instead of
// production backoff, and the credentials of the mode: the Account SID
// pair (Twilio), or WithKORE(ClientID, ClientSecret) and
// WithTokenURL(TokenURL()) (KORE). opts come after the server's own, so
// they override them; another credential option conflicts with the
// server's (use supersim.NewClient with WithBaseURL and HTTPClient then).
func (s *Server) Client(opts ...supersim.Option) (*supersim.Client, error) {
	base := []supersim.Option{
		supersim.WithBaseURL(s.URL),
		supersim.WithHTTPClient(s.HTTPClient()),
		supersim.WithRetryWait(ClientRetryWaitMin, ClientRetryWaitMax),
	}
	if s.kore != nil {
		base = append(base, supersim.WithKORE(ClientID, ClientSecret), supersim.WithTokenURL(s.TokenURL()))
	} else {
		base = append(base, supersim.WithCredentials(s.account, s.accounts[s.account]))
	}
	return supersim.NewClient(append(base, opts...)...)
}

// Samples returns the usage the server serves, ordered by hour: a copy
// made at each call (the server keeps its samples in a compact form).
func (s *Server) Samples() []Sample { return s.usage.samples() }

// Totals sums the samples f selects, straight from the dataset: what any
// walk of the matching usage records must add up to. A zero End is the
// server's clock and a zero Start a month before End, as for a walk that
// sends neither: Totals(Filter{}) is what a walk with zero options reads.
func (s *Server) Totals(f Filter) Totals {
	if f.End.IsZero() {
		f.End = s.clock().UTC()
	}
	if f.Start.IsZero() {
		f.Start = f.End.AddDate(0, -1, 0)
	}
	return s.usage.totals(f)
}

// InjectFaults makes the next n API requests get f instead of their real
// answer, after any faults already queued.
func (s *Server) InjectFaults(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// SetLatency delays every API answer by d (0 for none), like a distant API.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// apiEndpoint is the API (every route) and its errors, for faults.
func (s *Server) apiEndpoint(auth AuthKind) endpoint {
	return endpoint{
		serve: func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, auth) },
		writeError: func(w http.ResponseWriter, status, code int) {
			writeError(w, statusError(status, code))
		},
	}
}

// serve answers one API request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Twilio-Request-Id", newRequestID())
	auth := s.authKind(r)
	a := s.arrive(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Auth: auth})
	if a.refused {
		writeError(w, &apiError{http.StatusTooManyRequests, 20429, "Too Many Requests"})
		s.finish(a, http.StatusTooManyRequests)
		return
	}
	if !sleep(r.Context(), a.latency) {
		s.finish(a, 0) // the client gave up
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	serveFault(rec, r, a.fault, s.apiEndpoint(auth))
	s.finish(a, rec.status)
}

// serveAPI answers an API request through the route table, once its
// credentials are checked.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, auth AuthKind) {
	serve, args := match(r.URL.EscapedPath())
	switch {
	case (auth == AuthNone || auth == AuthInvalid) && s.kore != nil:
		writeError(w, &apiError{401, 20003, "Authentication Error - a valid Bearer token is required"})
	case auth == AuthNone || auth == AuthInvalid:
		writeError(w, &apiError{401, 20003, "Authentication Error - invalid username"})
	case serve == nil:
		writeError(w, notFound(r))
	case r.Method != http.MethodGet:
		writeError(w, &apiError{405, 20004, "Method not allowed"})
	default:
		body, err := serve(s, r, args)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// authKind checks the credentials: Basic in Twilio mode, a Bearer token
// in KORE mode.
func (s *Server) authKind(r *http.Request) AuthKind {
	if r.Header.Get("Authorization") == "" {
		return AuthNone
	}
	if s.kore != nil {
		if token, ok := bearerToken(r); ok && s.kore.valid(token) {
			return AuthBearer
		}
		return AuthInvalid
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		return AuthInvalid
	case s.accounts[user] == pass && pass != "":
		return AuthAccount
	case s.keys[user] == pass && pass != "":
		return AuthAPIKey
	}
	return AuthInvalid
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
