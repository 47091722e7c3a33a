package supersimtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// The client credentials a KORE-mode server ([WithKORE]) accepts at its
// token endpoint.
const (
	ClientID     = "supersimtest-client-id"
	ClientSecret = "supersimtest-client-secret"
)

// DefaultTokenLifetime is how long a KORE-mode server's tokens last unless
// [WithTokenLifetime] says otherwise: KORE's example answer says 3600 s.
const DefaultTokenLifetime = time.Hour

const (
	korePageSize = 249                           // KORE's largest PageSize
	tokenPath    = "/api-services/v1/auth/token" // as at api.korewireless.com
)

// tokenIssuer is the KORE token endpoint, on an origin of its own, and the
// Bearer tokens it issued.
type tokenIssuer struct {
	srv      *httptest.Server
	lifetime time.Duration
	clock    func() time.Time

	mu        sync.Mutex
	expiry    map[string]time.Time // issued, unrevoked tokens
	exchanges int
	faults    []Fault
}

func newTokenIssuer(lifetime time.Duration, clock func() time.Time, tls bool) *tokenIssuer {
	ti := &tokenIssuer{lifetime: lifetime, clock: clock, expiry: map[string]time.Time{}}
	ti.srv = httptest.NewUnstartedServer(http.HandlerFunc(ti.serve))
	if tls {
		ti.srv.StartTLS()
	} else {
		ti.srv.Start()
	}
	return ti
}

// valid reports whether token was issued here, has not expired by the
// server's clock and was not revoked.
func (ti *tokenIssuer) valid(token string) bool {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	expiry, ok := ti.expiry[token]
	return ok && ti.clock().Before(expiry)
}

// serve answers one request to the token server.
func (ti *tokenIssuer) serve(w http.ResponseWriter, r *http.Request) {
	ti.mu.Lock()
	ti.exchanges++
	var f Fault
	if len(ti.faults) > 0 {
		f, ti.faults = ti.faults[0], ti.faults[1:]
	}
	ti.mu.Unlock()
	if !sleep(r.Context(), f.latency) {
		return
	}
	serveFault(w, r, f, endpoint{serve: ti.exchange, writeError: writeOAuthStatus})
}

// exchange is the token endpoint: a client-credentials grant, credentials
// in the form body.
func (ti *tokenIssuer) exchange(w http.ResponseWriter, r *http.Request) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.URL.Path != tokenPath:
		writeOAuthError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.URL.Path)
		return
	case r.Method != http.MethodPost:
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	case mediaType != "application/x-www-form-urlencoded":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	case r.Header.Get("Authorization") != "":
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client credentials go in the form body, not in an Authorization header")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form body cannot be read")
		return
	}
	form := r.PostForm
	switch grant := form.Get("grant_type"); {
	case grant == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	case grant != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	case form.Get("client_id") != ClientID || form.Get("client_secret") != ClientSecret:
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client or Invalid client credentials")
		return
	}
	token := ti.issue()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": token,
		"expires_in":   int64((ti.lifetime + time.Second - 1) / time.Second),
		"token_type":   "Bearer",
		"scope":        form.Get("scope"),
	})
}

// issue makes a random token, valid for the lifetime from now.
func (ti *tokenIssuer) issue() string {
	token := "kore-" + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.expiry[token] = ti.clock().Add(ti.lifetime)
	return token
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return b
}

// writeOAuthError answers an OAuth 2.0 error (RFC 6749, section 5.2).
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// writeOAuthStatus answers a FaultStatus on the token endpoint.
func writeOAuthStatus(w http.ResponseWriter, status, _ int) {
	code := "server_error"
	switch {
	case status == http.StatusUnauthorized:
		code = "invalid_client"
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		code = "temporarily_unavailable"
	case status < 500:
		code = "invalid_request"
	}
	writeOAuthError(w, status, code, http.StatusText(status))
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// TokenURL is the KORE-mode token endpoint, to give
// supersim.WithTokenURL; "" without [WithKORE].
func (s *Server) TokenURL() string {
	if s.kore == nil {
		return ""
	}
	return s.kore.srv.URL + tokenPath
}

// RevokeTokens makes every token issued so far invalid, as a rotated
// secret or a revoked grant would: the API answers them 401 (code 20003),
// and only a new exchange gives a working token.
func (s *Server) RevokeTokens() {
	if s.kore == nil {
		return
	}
	s.kore.mu.Lock()
	defer s.kore.mu.Unlock()
	clear(s.kore.expiry)
}

// TokenExchanges counts the requests that reached the KORE token server,
// whatever their answer (faults and refusals included).
func (s *Server) TokenExchanges() int {
	if s.kore == nil {
		return 0
	}
	s.kore.mu.Lock()
	defer s.kore.mu.Unlock()
	return s.kore.exchanges
}

// InjectTokenFaults makes the next n requests to the KORE token endpoint
// get f instead of their real answer, after any faults already queued
// there. It panics without [WithKORE].
func (s *Server) InjectTokenFaults(n int, f Fault) {
	if s.kore == nil {
		panic("supersimtest: InjectTokenFaults needs a server made WithKORE")
	}
	s.kore.mu.Lock()
	defer s.kore.mu.Unlock()
	for range n {
		s.kore.faults = append(s.kore.faults, f)
	}
}
