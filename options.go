package supersim

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
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
)

// Option configures a [Client] in [NewClient]. An Option that is given bad
// input makes NewClient fail with an error wrapping [ErrInvalidOption].
type Option func(*config) error

// config is what the options set. It holds the credentials, so it is only
// ever reached through a pointer and never printed.
type config struct {
	username, secret string // HTTP Basic pair, from an option or the environment
	credentialsSet   bool
	baseURL          *url.URL
	httpClient       *http.Client
	maxRetries       int
	retryWaitMin     time.Duration
	retryWaitMax     time.Duration
	userAgent        string
	logger           *slog.Logger
}

func defaultConfig() *config {
	base, _ := url.Parse(DefaultBaseURL)
	return &config{
		baseURL:      base,
		maxRetries:   DefaultMaxRetries,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
	}
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
		c.username, c.secret, c.credentialsSet = user, secret, true
		return nil
	}
}

// credentialsFromEnv fills in the credentials from TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN, or else TWILIO_API_KEY and TWILIO_API_SECRET.
func (c *config) credentialsFromEnv() error {
	pairs := [][2]string{{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"}, {"TWILIO_API_KEY", "TWILIO_API_SECRET"}}
	for _, pair := range pairs {
		user, secret := os.Getenv(pair[0]), os.Getenv(pair[1])
		if user != "" && secret != "" {
			c.username, c.secret, c.credentialsSet = user, secret, true
			return nil
		}
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
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("WithBaseURL: %q is not a URL", rawURL)
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("WithBaseURL: %q: scheme must be http or https", rawURL)
		case u.Host == "":
			return fmt.Errorf("WithBaseURL: %q: no host", rawURL)
		case u.User != nil:
			return fmt.Errorf("WithBaseURL: the URL must not carry credentials; use WithCredentials or WithAPIKey")
		case u.RawQuery != "" || u.Fragment != "":
			return fmt.Errorf("WithBaseURL: %q: no query or fragment allowed", rawURL)
		}
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient uses a copy of hc under the retry layer: its Transport
// (nil means a transport of the client's own), its Timeout per try
// (0 means none; the default is [DefaultTimeout]) and its Jar. hc itself
// is never changed. Redirects are followed only within the API origin.
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
// connection errors and bodies cut short.
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
// full jitter between min and max. A server's Retry-After overrides it, up to
// one minute. Every wait ends early when the request's context ends.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) error {
		if min < 0 || max < 0 {
			return fmt.Errorf("WithRetryWait: negative wait (min %v, max %v)", min, max)
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
