package supersimtest

import (
	"net/url"
	"time"
)

// AuthKind is how a request authenticated.
type AuthKind string

// The ways a request can authenticate.
const (
	AuthNone    AuthKind = "none"    // no Authorization header
	AuthAccount AuthKind = "account" // Basic: Account SID and Auth Token (Twilio mode)
	AuthAPIKey  AuthKind = "apikey"  // Basic: API Key SID and secret (Twilio mode)
	AuthBearer  AuthKind = "bearer"  // a Bearer token the server issued, unexpired and not revoked (KORE mode)
	AuthInvalid AuthKind = "invalid" // credentials the server does not accept
)

// Request is one API request the server received. It holds no
// credentials: only the kind of authentication.
type Request struct {
	Method  string
	Path    string
	Query   url.Values
	Auth    AuthKind
	Status  int  // the status it was answered with; 0 while unanswered, when dropped or when the client gave up
	Fault   bool // whether a queued Fault answered it
	Refused bool // whether the WithMaxInFlight cap refused it (429, code 20429)
}

// Stats counts the API requests the server has seen, for benchmarks and
// for tests of client-side concurrency. Requests to the KORE token
// endpoint do not count.
type Stats struct {
	Served       int // requests admitted and answered (or still being answered), faults included
	Refused      int // requests refused by the WithMaxInFlight cap
	InFlight     int // requests admitted and not yet finished
	PeakInFlight int // the most requests in flight at one time
}

// admission is what arrive decided for a request.
type admission struct {
	index   int // the request's place in the log
	refused bool
	fault   Fault
	faulty  bool
	latency time.Duration
}

// Requests returns every API request received so far, in the order they
// arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Stats returns the server's request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// arrive logs a request as it arrives and admits it, unless the
// WithMaxInFlight cap is reached; an admitted request gets the next
// queued fault, if any, and the latency to serve it with. Every admitted
// request must be finished with finish.
func (s *Server) arrive(entry Request) admission {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := admission{index: len(s.requests)}
	if s.maxInFlight > 0 && s.stats.InFlight >= s.maxInFlight {
		a.refused, entry.Refused = true, true
		s.stats.Refused++
		s.requests = append(s.requests, entry)
		return a
	}
	s.stats.InFlight++
	s.stats.Served++
	s.stats.PeakInFlight = max(s.stats.PeakInFlight, s.stats.InFlight)
	if len(s.faults) > 0 {
		a.fault, a.faulty, s.faults = s.faults[0], true, s.faults[1:]
	}
	entry.Fault = a.faulty
	s.requests = append(s.requests, entry)
	a.latency = s.latency + a.fault.latency
	return a
}

// finish records the status a logged request was answered with and, for
// an admitted one, that it is no longer in flight.
func (s *Server) finish(a admission, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[a.index].Status = status
	if !a.refused {
		s.stats.InFlight--
	}
}
