package supersim

import (
	"bytes"
	"context"
	"errors"
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
	limits  *limits      // tries in flight and retries, shared by every request
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
		own.ReadBufferSize = 64 << 10            // a page is read in few large reads, not 4 KiB ones
		next = own
	}
	t := &transport{base: cfg.baseURL, logger: logger, limits: newLimits(logger)}
	origin := &originTransport{
		next:      next,
		scheme:    cfg.baseURL.Scheme,
		host:      cfg.baseURL.Host,
		userAgent: userAgent(cfg.userAgent),
		logger:    logger,
	}
	switch {
	case cfg.tokenSource != nil:
		origin.creds = newBearerCredentials(callerTokens(cfg.tokenSource))
	case cfg.clientID != "":
		origin.creds = newBearerCredentials(koreExchange(cfg.clientID, cfg.secret, cfg.tokenURL.String(), t.tokenClient(cfg, next)))
	default:
		origin.creds = &basicCredentials{username: cfg.username, secret: cfg.secret}
	}
	hc.Transport = t.limits.transport(origin, hc.Timeout)
	hc.Timeout = 0 // per try, counted by the limits from when the try may go
	hc.CheckRedirect = origin.checkRedirect
	t.retrier = t.retrying(cfg, hc, lastAnswer)
	return t
}

// retrying wraps hc in go-retryablehttp with the client's retry policy and
// backoff; onFailure makes the error of a request that failed for good.
func (t *transport) retrying(cfg *config, hc *http.Client, onFailure retryablehttp.ErrorHandler) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // its own logger prints URLs to stderr; we log in originTransport
		RetryWaitMin: cfg.retryWaitMin,
		RetryWaitMax: cfg.retryWaitMax,
		RetryMax:     cfg.maxRetries,
		CheckRetry:   t.limits.budgeted(checkRetry),
		Backoff:      retry.Backoff(t.logRetry),
		ErrorHandler: onFailure,
	}
}

// tokenClient is the HTTP client of KORE token exchanges: the same retries
// and backoff as API requests (connection errors, 429, 5xx), no redirects
// (the client secret goes to the token URL and nowhere else), no API
// credentials. The last answer of a failed exchange reaches x/oauth2 as is,
// for it to read the OAuth error.
func (t *transport) tokenClient(cfg *config, next http.RoundTripper) *http.Client {
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc := &http.Client{Transport: wholeAnswers{next}, Timeout: DefaultTimeout, CheckRedirect: noRedirects}
	if cfg.httpClient != nil {
		hc.Timeout = cfg.httpClient.Timeout
	}
	exchange := t.retrying(cfg, hc, retryablehttp.PassthroughErrorHandler).StandardClient()
	exchange.CheckRedirect = noRedirects // the outer client is the one that would follow
	return exchange
}

// maxTokenAnswer bounds the body of a token endpoint's answer.
const maxTokenAnswer = 1 << 20

// wholeAnswers reads each answer's body before handing it on, so that a
// body cut short is a failed try, retried like a dropped connection,
// rather than an error once the retries are behind.
type wholeAnswers struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (w wholeAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// checkRetry is the retry policy of API requests: a failed token exchange
// was retried already and is final.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	var tokenErr *TokenError
	if errors.As(err, &tokenErr) {
		return false, nil
	}
	return retry.Policy(ctx, resp, err)
}

// get sends GET base+path?rawQuery and hands a 2xx answer's body and its
// length (-1 if unknown) to read, which may return an error wrapping
// io.ErrUnexpectedEOF to have the request tried again. Any other answer
// becomes an *APIError.
func (t *transport) get(ctx context.Context, path, rawQuery string, read func(body io.Reader, size int64) error) error {
	u := *t.base
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return fmt.Errorf("supersim: bad path %q: %w", path, err)
	}
	u.Path += unescaped
	u.RawPath = t.base.EscapedPath() + path // a segment escaped by the caller stays one segment
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
	var tokenErr *TokenError
	if errors.As(err, &tokenErr) {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, tokenErr
	}
	if resp != nil && resp.Request != nil && triesOf(resp.Request.Context()).refreshed {
		tries++ // a new token's second try counts too
	}
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
	if !errors.Is(err, ErrInvalidResponse) && !errors.Is(err, ErrPagingLoop) { // ours say "supersim:" already
		err = fmt.Errorf("supersim: %w", err)
	}
	if tries > 1 {
		return nil, fmt.Errorf("%w (after %d attempts)", err, tries)
	}
	return nil, err
}

// logRetry hears of every retry wait.
func (t *transport) logRetry(wait time.Duration, attempt int, resp *http.Response) {
	attrs := []any{"wait", wait, "attempt", attempt + 1}
	if resp != nil {
		attrs = append(attrs, "method", resp.Request.Method, "path", resp.Request.URL.Path, "status", resp.StatusCode)
	}
	t.logger.Warn("supersim: retrying request", attrs...)
}

// triesKey carries a request's *tries through the context.
type triesKey struct{}

// tries is what one request's tries have done so far. Tries of one request
// run one after another, never at once.
type tries struct {
	sent      int  // HTTP requests sent, a new token's second try included
	refreshed bool // the credentials were renewed after a 401 once already
}

func withTries(ctx context.Context) context.Context {
	return context.WithValue(ctx, triesKey{}, new(tries))
}

// triesOf returns the tries of the request with context ctx, or a blank
// record for a request that has none.
func triesOf(ctx context.Context) *tries {
	if t, ok := ctx.Value(triesKey{}).(*tries); ok {
		return t
	}
	return new(tries)
}

// originTransport adds the SDK's headers to every try, and the credentials
// only to requests for the API origin. A 401 to a Bearer token that looked
// valid is tried once more with a new token. It also logs each try.
type originTransport struct {
	next         http.RoundTripper
	scheme, host string
	creds        credentials
	userAgent    string
	logger       *slog.Logger
}

func (o *originTransport) sameOrigin(u *url.URL) bool {
	return u.Scheme == o.scheme && u.Host == o.host
}

// RoundTrip implements http.RoundTripper.
func (o *originTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, out, err := o.send(req)
	record := triesOf(req.Context())
	if err == nil && resp.StatusCode == http.StatusUnauthorized && o.sameOrigin(out.URL) &&
		!record.refreshed && o.creds.refused(out) {
		record.refreshed = true // once per request, whatever its tries
		drain(resp)
		resp, _, err = o.send(req)
	}
	return resp, err
}

// send makes one try of req with the SDK's headers and, for the API
// origin, the credentials; it returns the request as sent.
func (o *originTransport) send(req *http.Request) (*http.Response, *http.Request, error) {
	out := req.Clone(req.Context())
	out.Header.Set("User-Agent", o.userAgent)
	out.Header.Set("Accept", "application/json")
	out.Header.Del("Authorization")
	if o.sameOrigin(out.URL) {
		if err := o.creds.authorize(out); err != nil {
			return nil, out, err
		}
	}
	record := triesOf(req.Context())
	record.sent++
	try := record.sent
	start := time.Now()
	resp, err := o.next.RoundTrip(out)
	if !o.logger.Enabled(req.Context(), slog.LevelDebug) {
		return resp, out, err
	}
	attrs := []any{"method", out.Method, "path", out.URL.Path, "attempt", try, "duration", time.Since(start)}
	if err != nil {
		o.logger.Debug("supersim: request failed", append(attrs, "error", err)...)
	} else {
		o.logger.Debug("supersim: request", append(attrs, "status", resp.StatusCode)...)
	}
	return resp, out, err
}

// drain reads a little of an answer that is set aside, so that its
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
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
