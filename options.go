package supersim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/supersimkit/supersim/internal/apirules"

	"github.com/supersimkit/supersim/internal/retry"
)

// DefaultBaseURL is the API origin a [Client] talks to unless [WithBaseURL]
// names another.
const DefaultBaseURL = "https://supersim.twilio.com"

// Defaults for the retry layer and the HTTP client.
const (
	DefaultMaxRetries   = 4 // retries after the first try: 5 tries in all
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultTimeout      = 60 * time.Second // per try, headers and body; see WithHTTPClient
	MaxRetryWait        = retry.MaxWait    // the longest backoff WithRetryWait accepts
)

// Option configures a [Client] in [NewClient]. An Option that is given bad
// input makes NewClient fail with an error wrapping [ErrInvalidOption].
type Option func(*config) error

// config is what the options set. It holds the credentials, so it is only
// ever reached through a pointer and never printed.
type config struct {
	credential       string // the option that gave the credentials, "" until one does
	provider         Provider
	username, secret string             // Twilio's HTTP Basic pair
	clientID         string             // KORE client credentials, with secret
	tokenSource      oauth2.TokenSource // Bearer tokens the caller manages
	tokenURL         *url.URL           // nil for KORETokenURL
	baseURL          *url.URL           // nil for the provider's origin
	httpClient       *http.Client
	maxRetries       int
	retryWaitMin     time.Duration
	retryWaitMax     time.Duration
	userAgent        string
	logger           *slog.Logger
}

func defaultConfig() *config {
	return &config{
		maxRetries:   DefaultMaxRetries,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
	}
}

// setCredentials records that option gave the credentials, refusing a
// second credential option.
func (c *config) setCredentials(option string, provider Provider) error {
	if c.credential != "" {
		return fmt.Errorf("%s: %s already gave the credentials; give one credential option", option, c.credential)
	}
	c.credential, c.provider = option, provider
	return nil
}

// finish fills in what no option set: credentials from the environment,
// the provider's origin, and checks that the options fit together.
func (c *config) finish() error {
	if c.credential == "" {
		if err := c.credentialsFromEnv(); err != nil {
			return err
		}
	}
	if c.tokenURL != nil && c.clientID == "" {
		return fmt.Errorf("%w: WithTokenURL: only a client made with WithKORE (or KORE_CLIENT_ID and KORE_CLIENT_SECRET) exchanges tokens", ErrInvalidOption)
	}
	if c.tokenURL == nil {
		c.tokenURL, _ = url.Parse(KORETokenURL)
	}
	if c.baseURL == nil {
		origin := DefaultBaseURL
		if c.provider == ProviderKORE {
			origin = KOREBaseURL
		}
		c.baseURL, _ = url.Parse(origin)
	}
	return nil
}

// WithCredentials authenticates with an Account SID (AC...) and its Auth
// Token, sent as HTTP Basic auth to the API origin only.
func WithCredentials(accountSID, authToken string) Option {
	return basicAuth("WithCredentials", "accountSID", "authToken", accountSID, authToken)
}

// WithAPIKey authenticates with an API Key SID (SK...) and its secret, the
// pair Twilio recommends, sent as HTTP Basic auth to the API origin only.
func WithAPIKey(keySID, keySecret string) Option {
	return basicAuth("WithAPIKey", "keySID", "keySecret", keySID, keySecret)
}

func basicAuth(option, userName, secretName, user, secret string) Option {
	return func(c *config) error {
		if user == "" || secret == "" {
			return fmt.Errorf("%s: %s and %s must both be set", option, userName, secretName)
		}
		if strings.Contains(user, ":") {
			return fmt.Errorf("%s: %s must not contain ':'", option, userName)
		}
		if err := c.setCredentials(option, ProviderTwilio); err != nil {
			return err
		}
		c.username, c.secret = user, secret
		return nil
	}
}

// WithKORE authenticates against KORE with an API client's Client ID and
// Client Secret (OAuth 2.0 client credentials). It makes a KORE client:
// requests go to [KOREBaseURL] unless [WithBaseURL] names another origin,
// carry "Authorization: Bearer" tokens exchanged at [KORETokenURL] (or
// [WithTokenURL]), and PageSize is limited to [MaxKOREPageSize]. The token
// is fetched on the first request, shared by every goroutine and walk of
// the Client, replaced before it expires, and replaced once when the API
// refuses it. The secret goes to the token endpoint only, in the form body.
func WithKORE(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return fmt.Errorf("WithKORE: clientID and clientSecret must both be set")
		}
		if err := c.setCredentials("WithKORE", ProviderKORE); err != nil {
			return err
		}
		c.clientID, c.secret = clientID, clientSecret
		return nil
	}
}

// WithTokenURL exchanges KORE client credentials at rawURL instead of
// [KORETokenURL]: a proxy, or a fake such as supersimtest's. It needs a
// client made with [WithKORE] or from KORE_CLIENT_ID and KORE_CLIENT_SECRET,
// and an absolute http or https URL without credentials or fragment.
func WithTokenURL(rawURL string) Option {
	return func(c *config) error {
		u, err := parseHTTPURL("WithTokenURL", rawURL)
		if err != nil {
			return err
		}
		if u.Fragment != "" {
			return fmt.Errorf("WithTokenURL: %q: no fragment allowed", u.Redacted())
		}
		c.tokenURL = u
		return nil
	}
}

// WithTokenSource sends Bearer tokens from ts, which the caller manages
// (golang.org/x/oauth2): a KORE client, as with [WithKORE]. The Client asks
// ts for a token on the first request, keeps it until shortly before its
// Expiry (for ever without one), and asks again once for a request that the
// API answered 401. ts need not cache tokens (the Client does; a caching
// source would hand back the refused token), must be safe for concurrent
// use, and should return promptly: a request waits for it only until its
// own context ends. An error or a panic in ts ends the walk with a
// [*TokenError] that wraps the error.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return fmt.Errorf("WithTokenSource: nil oauth2.TokenSource")
		}
		if err := c.setCredentials("WithTokenSource", ProviderKORE); err != nil {
			return err
		}
		c.tokenSource = ts
		return nil
	}
}

// credentialsFromEnv fills in the credentials from the first complete pair
// of environment variables (see internal/apirules.CredentialPairs).
func (c *config) credentialsFromEnv() error {
	for _, pair := range apirules.CredentialPairs {
		user, secret := os.Getenv(pair.ID), os.Getenv(pair.Secret)
		if user == "" || secret == "" {
			continue
		}
		c.credential, c.provider, c.secret = "the environment ("+pair.ID+")", ProviderTwilio, secret
		if pair.KORE {
			c.provider, c.clientID = ProviderKORE, user
		} else {
			c.username = user
		}
		return nil
	}
	return ErrNoCredentials
}

// WithBaseURL sends requests to rawURL instead of [DefaultBaseURL], for a
// proxy, a regional edge or a fake server such as supersimtest. It must be an
// absolute http or https URL without credentials, query or fragment; a path
// prefix is kept ("http://127.0.0.1:8080/twilio" serves /twilio/v1/UsageRecords).
// Credentials are sent to this origin and no other.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := parseHTTPURL("WithBaseURL", rawURL)
		if err != nil {
			return err
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("WithBaseURL: %q: no query or fragment allowed", u.Redacted())
		}
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		c.baseURL = u
		return nil
	}
}

// parseHTTPURL parses rawURL for option: absolute http or https, with a
// host and no credentials. Its errors never quote the credentials a bad URL
// may carry.
func parseHTTPURL(option, rawURL string) (*url.URL, error) {
	if strings.Contains(rawURL, "@") { // user info, however the rest is spelled: never quoted
		return nil, fmt.Errorf("%s: the URL must not carry credentials ('@'); give them with a credential option", option)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			return nil, fmt.Errorf("%s: not a valid URL: %v", option, urlErr.Err)
		}
		return nil, fmt.Errorf("%s: not a valid URL", option)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%s: %q: scheme must be http or https", option, rawURL)
	case u.Host == "":
		return nil, fmt.Errorf("%s: %q: no host", option, rawURL)
	}
	return u, nil
}

// WithHTTPClient uses a copy of hc under the retry layer: its Transport
// (nil means a transport of the client's own), its Timeout per try
// (0 means none; the default is [DefaultTimeout]), counted from when the
// try may go under the Client's limit of requests in flight, and its Jar.
// hc itself is never changed. Redirects are followed only within the API
// origin.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed request is tried again after
// the first try: WithMaxRetries(4) means at most 5 tries. 0 disables
// retries. Failures that are retried: HTTP 429, 500, 502, 503, 504,
// connection errors and bodies cut short. Retries also draw on the
// Client's retry budget, shared by all its requests, so that a server that
// is down fails fast; and a 429 that the account's concurrency limit
// explains is sent again without counting as a retry (see the README's
// "The account's limit").
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries: %d is negative", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithRetryWait bounds the wait before a retry: exponential backoff with
// full jitter between min and max, at most [MaxRetryWait]. A server's
// Retry-After overrides it, up to one minute. Every wait ends early when the
// request's context ends.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) error {
		if min < 0 || max < 0 {
			return fmt.Errorf("WithRetryWait: negative wait (min %v, max %v)", min, max)
		}
		if max > MaxRetryWait {
			return fmt.Errorf("WithRetryWait: max %v is over the %v limit", max, MaxRetryWait)
		}
		if min > max {
			return fmt.Errorf("WithRetryWait: min %v is greater than max %v", min, max)
		}
		c.retryWaitMin, c.retryWaitMax = min, max
		return nil
	}
}

// WithUserAgent appends ua to the SDK's own User-Agent
// ("supersim-go/VERSION (GOOS/GOARCH) go/VERSION").
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		for _, r := range ua {
			if r < 0x20 || r == 0x7f {
				return fmt.Errorf("WithUserAgent: control character %U in %q", r, ua)
			}
		}
		c.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithLogger logs a debug line per HTTP try (method, path, status, attempt,
// duration) and a warning per retry (with the wait). nil, the default, logs
// nothing. Credentials and Authorization headers are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}
