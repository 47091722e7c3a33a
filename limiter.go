package supersim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/supersimkit/supersim/internal/limit"
)

// limits are what every request of a Client shares: a limit on the tries
// in flight that adapts to the server's refusals ([limit.Adaptive]) and a
// budget of retries ([limit.Budget]). A windowed walk adds slots of its own
// (its Concurrency), taken before the Client's.
type limits struct {
	adaptive *limit.Adaptive
	budget   *limit.Budget
	logger   *slog.Logger
	counts   counts // for Client.Stats
}

func newLimits(logger *slog.Logger) *limits {
	return &limits{adaptive: limit.NewAdaptive(), budget: limit.NewBudget(), logger: logger}
}

// transport returns next behind the limits. Each try waits for a slot
// (the walk's, then the Client's) and holds it from sending the request to
// the end of the answer's body, never while waiting out a backoff or a
// Retry-After; a windowed walk's window keeps its walk slot from a served
// answer to its next page's try, unless an earlier window waits for one
// (see [limit.Lane]). timeout, if not 0, bounds each try from the moment it holds
// its slots: time spent waiting for one does not count.
//
// A 429 answer lowers the Client's limit at once. When the refused try
// was not alone in flight and the answer asks for no particular wait, the
// try is sent again as soon as fewer requests run, without a backoff and
// without counting as one of the request's retries, and, for its first
// freeResends re-sends, without drawing on the retry budget: a Concurrency
// above what the account allows slows an export down to what it allows,
// but never ends it, even right after an outage emptied the budget.
func (l *limits) transport(next http.RoundTripper, timeout time.Duration) http.RoundTripper {
	return &limitedTransport{limits: l, next: next, timeout: timeout}
}

// budgeted charges the retry budget for every try that policy would retry,
// and stops retrying when the budget cannot pay: the last answer is then
// the request's result.
func (l *limits) budgeted(policy retryablehttp.CheckRetry) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		retry, checkErr := policy(ctx, resp, err)
		if !retry {
			return false, checkErr
		}
		if l.budget.TakeRetry() {
			l.counts.retries.Add(1)
			return true, checkErr
		}
		l.logger.Warn("supersim: retry budget spent: not retrying")
		return false, checkErr
	}
}

// walkSlots returns the slots of one windowed walk: n tries in flight at
// most, never more than the Client's limit, the earliest windows first.
func (l *limits) walkSlots(n int) *limit.Slots {
	return limit.NewSlots(n, l.adaptive.Limit)
}

// walkSlotKey carries a try's walk lane through the context.
type walkSlotKey struct{}

// withWalkSlot has the tries of requests made with ctx take a slot of
// their walk through lane first.
func withWalkSlot(ctx context.Context, lane *limit.Lane) context.Context {
	return context.WithValue(ctx, walkSlotKey{}, lane)
}

// freeResends is how many times one request refused for the account's
// concurrency is sent again without drawing on the retry budget: each
// refusal lowers the limit, so a few re-sends reach a level the account
// allows, and a budget emptied by an outage must not end an export that
// merely runs too many requests at once.
const freeResends = 8

// limitedTransport is the RoundTripper of [limits.transport].
type limitedTransport struct {
	*limits
	next    http.RoundTripper
	timeout time.Duration
}

// RoundTrip implements http.RoundTripper.
func (l *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for resends := 0; ; resends++ {
		t, err := l.admit(req.Context())
		if err != nil {
			return nil, err
		}
		l.counts.tries.Add(1)
		resp, err := l.next.RoundTrip(req.WithContext(t.ctx))
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			l.counts.rateLimited.Add(1)
		}
		switch {
		case err != nil:
			t.end(false)
			return nil, err
		case resp.StatusCode == http.StatusTooManyRequests:
			// A re-send is free of the retry budget (the account is busy,
			// not down) up to freeResends per request; past that it pays.
			if inFlight := t.ticket.Refused(); inFlight > 1 && resp.Header.Get("Retry-After") == "" &&
				(resends < freeResends || l.budget.TakeRetry()) {
				drain(resp)
				t.end(false)
				l.logger.Debug("supersim: one request too many at once; sending it again when fewer run",
					"method", req.Method, "path", req.URL.Path, "in_flight", inFlight, "limit", l.adaptive.Limit())
				continue
			}
		case resp.StatusCode >= 200 && resp.StatusCode <= 299:
			l.budget.Succeeded()
			t.served = true
		}
		resp.Body = &tryBody{ReadCloser: resp.Body, try: t}
		return resp, nil
	}
}

// admit waits for the slots of one try.
func (l *limitedTransport) admit(ctx context.Context) (*try, error) {
	lane, _ := ctx.Value(walkSlotKey{}).(*limit.Lane)
	if lane != nil {
		if err := lane.Acquire(ctx); err != nil {
			return nil, err
		}
	}
	ticket, err := l.adaptive.Acquire(ctx, lane != nil && lane.HeldBack())
	if err != nil {
		if lane != nil {
			lane.Release()
		}
		return nil, err
	}
	t := &try{ticket: ticket, walk: lane, ctx: ctx, cancel: func() {}}
	if l.timeout > 0 {
		t.ctx, t.cancel = context.WithTimeoutCause(ctx, l.timeout, tryTimeout(l.timeout))
	}
	return t, nil
}

// try is one admitted try: its slots and its timeout.
type try struct {
	ticket *limit.Ticket
	walk   *limit.Lane // nil outside windowed walks
	ctx    context.Context
	cancel context.CancelFunc
	served bool // a 2xx answer
	once   sync.Once
}

// end frees the try's slots; served tells whether it may raise the limit,
// and has the walk's lane keep its slot for its next page.
func (t *try) end(served bool) {
	t.once.Do(func() {
		t.ticket.Release(served)
		switch {
		case t.walk == nil:
		case served:
			t.walk.Keep()
		default:
			t.walk.Release()
		}
		t.cancel()
		// A try admitted by this release waits on this goroutine's P, which
		// is about to decode a page: let it send its request first.
		runtime.Gosched()
	})
}

// tryBody ends its try once the body is read to its end or closed.
type tryBody struct {
	io.ReadCloser
	try *try
}

// Read implements io.Reader.
func (b *tryBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.try.end(b.try.served)
	}
	return n, err
}

// Close implements io.Closer. A body closed before its end (cut short,
// timed out, or left unread) ends its try as not served, whatever its
// status: the retry that follows waits out its backoff without the walk's
// slot, and the try does not raise the limit.
func (b *tryBody) Close() error {
	err := b.ReadCloser.Close()
	b.try.end(false) // a no-op after Read's end at io.EOF
	return err
}

// tryTimeout is the error of a try that outlived the per-try timeout. Like
// http.Client's own timeout error it is a net.Error that timed out, so the
// retry policy tries again.
type tryTimeout time.Duration

// Error says how long the try had.
func (e tryTimeout) Error() string {
	return fmt.Sprintf("try timed out after %v (the HTTP client's Timeout)", time.Duration(e)) // within the caller's "supersim: ..."
}

// Timeout implements net.Error.
func (tryTimeout) Timeout() bool { return true }

// Temporary implements net.Error.
func (tryTimeout) Temporary() bool { return true }
