package supersimtest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is what one request gets instead of its real answer. Make one
// with a constructor ([FaultStatus], [FaultBody], [FaultDrop],
// [FaultTruncate], [FaultStall], [FaultLatency], [FaultNone]) and queue it
// with [Server.InjectFaults] (API requests) or [Server.InjectTokenFaults]
// (the KORE token endpoint). The zero Fault is [FaultNone].
type Fault struct {
	kind       faultKind
	status     int    // faultStatus, faultBody
	code       int    // faultStatus: the Twilio code, 0 for the status's own
	retryAfter string // faultStatus: the Retry-After header, "" for none
	body       string // faultBody
	cut        int    // faultTruncate: bytes of the body sent
	latency    time.Duration
}

type faultKind int

const (
	faultNone faultKind = iota
	faultStatus
	faultBody
	faultDrop
	faultTruncate
	faultStall
)

// FaultNone serves the real answer: a place in the queue, so that the
// faults queued after it hit later requests.
func FaultNone() Fault { return Fault{} }

// FaultLatency serves the real answer after d; a client that gives up
// first ends the request. [Server.SetLatency] slows every request instead.
func FaultLatency(d time.Duration) Fault { return FaultNone().After(d) }

// FaultStatus answers with an HTTP status and an error body in the
// endpoint's format, with a Retry-After header unless retryAfter is ""
// ("2" seconds, or an HTTP date).
//
// On the API the body is Twilio's error JSON with twilioCode, or with
// Twilio's code for the status when twilioCode is 0: 20003 for 401, 20403
// for 403, 20404 for 404, 20004 for 405, 20429 for 429, 20500 for 500,
// 20503 for 503; other statuses (400, 502, 504, ...) then get a body
// without a code. On the token endpoint the body is an OAuth 2.0 error
// (RFC 6749): invalid_client for 401, invalid_request for other 4xx,
// temporarily_unavailable for 429 and 503, server_error for other 5xx;
// twilioCode is not used there.
func FaultStatus(status, twilioCode int, retryAfter string) Fault {
	return Fault{kind: faultStatus, status: status, code: twilioCode, retryAfter: retryAfter}
}

// FaultBody answers with status and exactly body, as a proxy or a load
// balancer in front of the API might (an HTML page, plain text, nothing).
func FaultBody(status int, body string) Fault {
	return Fault{kind: faultBody, status: status, body: body}
}

// FaultDrop closes the connection before any header is sent.
func FaultDrop() Fault { return Fault{kind: faultDrop} }

// FaultTruncate sends the real answer's status and headers, Content-Length
// included, then only its first n bytes (at most all but one), and closes
// the connection.
func FaultTruncate(n int) Fault { return Fault{kind: faultTruncate, cut: max(n, 0)} }

// FaultStall sends the real answer's status and headers and half its body,
// then waits until the client gives up (its context ends) or the server
// closes.
func FaultStall() Fault { return Fault{kind: faultStall} }

// After returns f delayed by d more: the request waits d before f
// answers it (a slow 429, a slow drop).
func (f Fault) After(d time.Duration) Fault {
	f.latency += d
	return f
}

// endpoint writes one of the server's endpoints' answers: the real one,
// and an error in the endpoint's format.
type endpoint struct {
	serve      http.HandlerFunc
	writeError func(w http.ResponseWriter, status, code int)
}

// serveFault answers r with f instead of the real answer.
func serveFault(w http.ResponseWriter, r *http.Request, f Fault, e endpoint) {
	switch f.kind {
	case faultNone:
		e.serve(w, r)
	case faultStatus:
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		e.writeError(w, f.status, f.code)
	case faultBody:
		w.Header().Set("Content-Type", http.DetectContentType([]byte(f.body)))
		w.WriteHeader(f.status)
		w.Write([]byte(f.body))
	case faultDrop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	case faultTruncate, faultStall:
		real := httptest.NewRecorder()
		e.serve(real, r)
		body := real.Body.Bytes()
		for k, v := range real.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(real.Code)
		cut := len(body) / 2
		if f.kind == faultTruncate {
			cut = min(f.cut, max(len(body)-1, 0))
		}
		w.Write(body[:cut])
		rc := http.NewResponseController(w)
		rc.Flush()
		if f.kind == faultStall {
			<-r.Context().Done()
			return
		}
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
		}
	}
}
