package supersim_test

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/supersimkit/supersim"
)

// Tests that wait (backoffs, Retry-After, per-try timeouts, latency) or
// that check that nothing more happens run their client in a
// testing/synctest bubble: its clock moves only when every goroutine of the
// bubble is blocked on it, so a wait takes no real time and a loaded
// machine cannot stretch or shrink it, and synctest.Wait tells when the
// client has done all it will do.
//
// The server stays outside the bubble, on real loopback: a goroutine
// waiting on the network is not "durably blocked", so a server inside
// would stop the clock for good. For the same reason the client keeps no
// idle connection (its reader would wait on the network forever): each
// request has a connection of its own. While a request is on the wire the
// bubble's clock stands still, so the time a request takes on a loaded
// machine counts as none.

// inBubble is the option of a Client that runs in a synctest bubble: an
// HTTP client without keep-alives, sending over w (nil for no latency).
// It must be called inside the bubble.
func inBubble(w *wire) supersim.Option {
	return supersim.WithHTTPClient(w.httpClient(0))
}

// wire is an HTTP transport for a bubble: each request waits latency on
// the bubble's clock (ended early by its context, as a slow network would
// be) before it goes to the server, and the bubble time it went is
// logged.
type wire struct {
	latency time.Duration

	once sync.Once
	next *http.Transport
	mu   sync.Mutex
	sent []time.Time // when each request left, on the bubble's clock
}

// httpClient returns an HTTP client over w with the given Timeout.
func (w *wire) httpClient(timeout time.Duration) *http.Client {
	if w == nil {
		w = &wire{}
	}
	return &http.Client{Transport: w, Timeout: timeout}
}

// RoundTrip implements http.RoundTripper.
func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	w.once.Do(func() {
		w.next = http.DefaultTransport.(*http.Transport).Clone()
		w.next.DisableKeepAlives = true
	})
	if w.latency > 0 {
		timer := time.NewTimer(w.latency)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-req.Context().Done():
			return nil, context.Cause(req.Context())
		}
	}
	w.mu.Lock()
	w.sent = append(w.sent, time.Now())
	w.mu.Unlock()
	return w.next.RoundTrip(req)
}

// sentAt returns when the requests left, on the bubble's clock.
func (w *wire) sentAt() []time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Time(nil), w.sent...)
}
