package supersimtest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Fault is what one request gets instead of its answer. Set one of Status,
// Drop, Truncate or Stall; Latency adds to any of them. A Fault with none
// of them serves the real answer (after Latency), which lets a test queue
// faults for later requests.
type Fault struct {
	// Status answers with this HTTP status and Body (Twilio's error JSON for
	// the status if Body is ""), with a Retry-After header if RetryAfter is
	// set ("2", or an HTTP date).
	Status     int
	Body       string
	RetryAfter string
	// Drop closes the connection before any header is sent.
	Drop bool
	// Truncate sends the real answer's headers and half its body, then
	// closes the connection.
	Truncate bool
	// Stall sends the headers and half the body, then waits until the
	// client gives up (its context ends) or the server closes.
	Stall bool
	// Latency delays the answer; a client that gives up first ends it.
	Latency time.Duration
}

// AuthKind is how a request authenticated.
type AuthKind string

// The ways a request can authenticate.
const (
	AuthNone    AuthKind = "none"    // no Authorization header
	AuthAccount AuthKind = "account" // Account SID and Auth Token
	AuthAPIKey  AuthKind = "apikey"  // API Key SID and secret
	AuthInvalid AuthKind = "invalid" // credentials the server does not know
)

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Auth   AuthKind
	Status int  // the status it was answered with; 0 while unanswered or when dropped
	Fault  bool // whether a queued Fault answered it
}

// InjectFaults makes the next n requests fail with f, after any faults
// already queued.
func (s *Server) InjectFaults(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// SetLatency delays every answer by d (0 for none), like a distant API.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests returns every request received so far, in the order they arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// arrive logs a request as it arrives and hands it the next queued fault,
// if any, and the latency to serve it with; index is its place in the log.
func (s *Server) arrive(entry Request) (fault Fault, faulty bool, latency time.Duration, index int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) > 0 {
		fault, faulty, s.faults = s.faults[0], true, s.faults[1:]
	}
	entry.Fault = faulty
	s.requests = append(s.requests, entry)
	return fault, faulty, s.latency + fault.Latency, len(s.requests) - 1
}

// answered records the status a logged request was answered with.
func (s *Server) answered(index, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[index].Status = status
}

// serveFault answers with a fault instead of the real answer.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch {
	case f.Drop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	case f.Truncate, f.Stall:
		body, apiErr := s.page(r)
		if apiErr != nil {
			writeError(w, apiErr)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		rc := http.NewResponseController(w)
		rc.Flush()
		if f.Stall {
			<-r.Context().Done()
			return
		}
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
		}
	default:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body == "" {
			writeError(w, faultError(f.Status))
			return
		}
		w.WriteHeader(f.Status)
		w.Write([]byte(f.Body))
	}
}

// faultError is Twilio's error for a status.
func faultError(status int) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return &apiError{status, 20429, "Too Many Requests"}
	case http.StatusUnauthorized:
		return &apiError{status, 20003, "Authenticate"}
	case http.StatusNotFound:
		return &apiError{status, 20404, "The requested resource was not found"}
	}
	return &apiError{status, 20000 + status, http.StatusText(status)}
}
