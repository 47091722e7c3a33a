package supersim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/supersimkit/supersim/internal/retry"
)

// maxRedirects bounds the same-origin redirects followed for one try.
const maxRedirects = 10

// transport sends GET requests to the API origin through go-retryablehttp.
type transport struct {
	base    *url.URL // scheme, host and path prefix of the API
	retrier *retryablehttp.Client
	logger  *slog.Logger // never nil
}

func newTransport(cfg *config) *transport {
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hc := &http.Client{Timeout: DefaultTimeout}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	next := hc.Transport
	if next == nil {
		own := http.DefaultTransport.(*http.Transport).Clone()
		own.MaxIdleConnsPerHost = MaxConcurrency // windowed walks keep their connections
		next = own
	}
	origin := &originTransport{
		next:      next,
		scheme:    cfg.baseURL.Scheme,
		host:      cfg.baseURL.Host,
		username:  cfg.username,
		secret:    cfg.secret,
		userAgent: userAgent(cfg.userAgent),
		logger:    logger,
	}
	hc.Transport = origin
	hc.CheckRedirect = origin.checkRedirect

	t := &transport{base: cfg.baseURL, logger: logger}
	t.retrier = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // its own logger prints URLs to stderr; we log in originTransport
		RetryWaitMin: cfg.retryWaitMin,
		RetryWaitMax: cfg.retryWaitMax,
		RetryMax:     cfg.maxRetries,
		CheckRetry:   retry.Policy,
		Backoff:      retry.Backoff(t.logRetry),
		ErrorHandler: lastAnswer,
	}
	return t
}

// get sends GET base+path?rawQuery and hands a 2xx answer's body and its
// length (-1 if unknown) to read, which may return an error wrapping
// io.ErrUnexpectedEOF to have the request tried again. Any other answer
// becomes an *APIError.
func (t *transport) get(ctx context.Context, path, rawQuery string, read func(body io.Reader, size int64) error) error {
	u := *t.base
	u.Path += path
	u.RawQuery = rawQuery
	req, err := retryablehttp.NewRequestWithContext(withTries(ctx), http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("supersim: build request: %w", err)
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return newAPIError(resp)
		}
		defer resp.Body.Close()
		return read(resp.Body, resp.ContentLength)
	})
	resp, err := t.retrier.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// lastAnswer is the retryablehttp.ErrorHandler: it turns the final failure
// into the error the caller sees, and closes what is still open.
func lastAnswer(resp *http.Response, err error, tries int) (*http.Response, error) {
	if apiErr, ok := err.(*APIError); ok {
		apiErr.Attempts = tries
		return nil, apiErr
	}
	if err == nil && resp != nil { // retries spent on a retryable status
		apiErr := newAPIError(resp)
		apiErr.Attempts = tries
		return nil, apiErr
	}
	if resp != nil {
		resp.Body.Close()
	}
	if tries > 1 {
		return nil, fmt.Errorf("supersim: %w (after %d attempts)", err, tries)
	}
	return nil, fmt.Errorf("supersim: %w", err)
}

// logRetry hears of every retry wait.
func (t *transport) logRetry(wait time.Duration, attempt int, resp *http.Response) {
	attrs := []any{"wait", wait, "attempt", attempt + 1}
	if resp != nil {
		attrs = append(attrs, "method", resp.Request.Method, "path", resp.Request.URL.Path, "status", resp.StatusCode)
	}
	t.logger.Warn("supersim: retrying request", attrs...)
}

// triesKey carries a per-request try counter through the context.
type triesKey struct{}

func withTries(ctx context.Context) context.Context {
	return context.WithValue(ctx, triesKey{}, new(int))
}

// originTransport adds the SDK's headers to every try, and the credentials
// only to requests for the API origin. It also logs each try.
type originTransport struct {
	next             http.RoundTripper
	scheme, host     string
	username, secret string
	userAgent        string
	logger           *slog.Logger
}

func (o *originTransport) sameOrigin(u *url.URL) bool {
	return u.Scheme == o.scheme && u.Host == o.host
}

// RoundTrip implements http.RoundTripper.
func (o *originTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set("User-Agent", o.userAgent)
	out.Header.Set("Accept", "application/json")
	out.Header.Del("Authorization")
	if o.sameOrigin(out.URL) {
		out.SetBasicAuth(o.username, o.secret)
	}
	try := 1
	if n, ok := req.Context().Value(triesKey{}).(*int); ok {
		*n++
		try = *n
	}
	start := time.Now()
	resp, err := o.next.RoundTrip(out)
	if !o.logger.Enabled(req.Context(), slog.LevelDebug) {
		return resp, err
	}
	attrs := []any{"method", out.Method, "path", out.URL.Path, "attempt", try, "duration", time.Since(start)}
	if err != nil {
		o.logger.Debug("supersim: request failed", append(attrs, "error", err)...)
	} else {
		o.logger.Debug("supersim: request", append(attrs, "status", resp.StatusCode)...)
	}
	return resp, err
}

// checkRedirect follows redirects within the API origin only. A redirect
// elsewhere is not followed: the 3xx answer itself comes back, and the
// caller gets it as an *APIError.
func (o *originTransport) checkRedirect(req *http.Request, via []*http.Request) error {
	if !o.sameOrigin(req.URL) {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}
