// Package retry holds the SDK's retry policy for go-retryablehttp: which
// failures are tried again and how long to wait before the next try.
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// MaxRetryAfter caps the wait a server may ask for in a Retry-After header,
// so that a misconfigured proxy cannot park a client for hours.
const MaxRetryAfter = time.Minute

// Retryable reports whether an answer with this status is worth another try:
// 429 and the transient 5xx (500, 502, 503, 504).
func Retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Policy is a retryablehttp.CheckRetry: it retries the statuses of
// [Retryable], connection errors and bodies cut short, and nothing once the
// context has ended. An error that comes with a response is one the response
// handler returned while reading the answer.
func Policy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	switch {
	case err == nil:
		return Retryable(resp.StatusCode), nil
	case resp != nil:
		// The client gave up on the answer itself (too many redirects):
		// another try would end the same way.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			return false, nil
		}
		// The answer came but reading it failed: try again only when the
		// body was cut short, not when it was read whole and is wrong.
		var netErr net.Error
		return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr), nil
	}
	// retryablehttp knows the transport errors that are not worth a retry
	// (bad TLS certificate, bad scheme, too many redirects).
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// Backoff returns a retryablehttp.Backoff: full jitter between min and an
// exponentially growing cap (min·2^attempt, at most max), or the server's
// Retry-After (seconds or an HTTP date) when it sent one, capped at
// [MaxRetryAfter]. notify, if not nil, hears of every wait.
func Backoff(notify func(wait time.Duration, attempt int, resp *http.Response)) retryablehttp.Backoff {
	return func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		wait, ok := RetryAfter(resp, time.Now())
		if !ok {
			wait = Jitter(min, max, attempt)
		}
		if notify != nil {
			notify(wait, attempt, resp)
		}
		return wait
	}
}

// MaxWait bounds the backoff wait a client may be configured with.
const MaxWait = time.Hour

// Jitter picks a wait uniformly in [min, min(max, min·2^attempt)], for
// 0 <= min <= max; any other bounds are first clamped into [0, MaxWait].
func Jitter(min, max time.Duration, attempt int) time.Duration {
	min, max = clamp(min), clamp(max)
	ceiling := max
	if attempt >= 0 && attempt < 62 && min > 0 && min<<attempt > 0 && min<<attempt < max {
		ceiling = min << attempt
	}
	if ceiling <= min {
		return min
	}
	return min + rand.N(ceiling-min+1) // no overflow: both within MaxWait
}

// clamp bounds d to [0, MaxWait].
func clamp(d time.Duration) time.Duration { return min(max(d, 0), MaxWait) }

// RetryAfter reads resp's Retry-After header as of now: delay seconds or an
// HTTP date, capped at MaxRetryAfter, never negative.
func RetryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	value := resp.Header.Get("Retry-After")
	if value == "" {
		return 0, false
	}
	var wait time.Duration
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds < 0 {
			return 0, false
		}
		if seconds > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		wait = time.Duration(seconds) * time.Second
	} else if at, err := http.ParseTime(value); err == nil {
		wait = at.Sub(now)
	} else {
		return 0, false
	}
	return min(max(wait, 0), MaxRetryAfter), true
}
