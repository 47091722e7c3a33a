package supersim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// KORE serves Super SIM since it bought Twilio's IoT business: the same
// GET /v1/UsageRecords at its own origin, with OAuth 2.0 client-credentials
// Bearer tokens from its token endpoint.
const (
	KOREBaseURL  = "https://supersim.api.korewireless.com"
	KORETokenURL = "https://api.korewireless.com/api-services/v1/auth/token"
)

// Provider names the API a [Client] reads: Twilio's or KORE's.
type Provider string

// The providers of the Super SIM API.
const (
	ProviderTwilio Provider = "twilio" // HTTP Basic auth at DefaultBaseURL
	ProviderKORE   Provider = "kore"   // OAuth 2.0 Bearer tokens at KOREBaseURL
)

// name is the provider's name as people write it.
func (p Provider) name() string {
	if p == ProviderKORE {
		return "KORE"
	}
	return "Twilio"
}

// credentials puts a request's Authorization header. A Client has exactly
// one, used only for requests to the API origin.
type credentials interface {
	// authorize sets out's Authorization header.
	authorize(out *http.Request) error
	// refused hears that the API answered out with 401. It returns true when
	// the request is worth one more try with fresh credentials.
	refused(out *http.Request) bool
}

// basicCredentials is Twilio's HTTP Basic pair: an Account SID and its Auth
// Token, or an API Key SID and its secret.
type basicCredentials struct {
	username, secret string
}

func (b *basicCredentials) authorize(out *http.Request) error {
	out.SetBasicAuth(b.username, b.secret)
	return nil
}

func (b *basicCredentials) refused(*http.Request) bool { return false }

// tokenRefreshMargin is how long before its expiry a token is replaced, so
// that no request goes out with a token about to expire on the way.
const tokenRefreshMargin = 30 * time.Second

// bearerCredentials sends OAuth 2.0 Bearer tokens. The token is fetched on
// the first request that needs it, shared by every goroutine and walk of the
// Client, replaced tokenRefreshMargin before it expires, and replaced once
// when the API refuses it (revoked or rotated).
type bearerCredentials struct {
	fetch func(ctx context.Context) (*oauth2.Token, error)
	lock  chan struct{} // held while reading or replacing token; a channel so that waiting honours the context
	token *oauth2.Token
	now   func() time.Time
}

func newBearerCredentials(fetch func(ctx context.Context) (*oauth2.Token, error)) *bearerCredentials {
	return &bearerCredentials{fetch: fetch, lock: make(chan struct{}, 1), now: time.Now}
}

// current returns a token valid for at least tokenRefreshMargin, fetching a
// new one if needed. Concurrent callers share one exchange.
func (b *bearerCredentials) current(ctx context.Context) (*oauth2.Token, error) {
	select {
	case b.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.lock }()
	if b.usable(b.token) {
		return b.token, nil
	}
	token, err := b.fetch(ctx)
	if err != nil {
		return nil, err
	}
	if token == nil || token.AccessToken == "" {
		return nil, &TokenError{Description: "the token source gave no access token"}
	}
	b.token = token
	return token, nil
}

func (b *bearerCredentials) usable(t *oauth2.Token) bool {
	return t != nil && (t.Expiry.IsZero() || b.now().Add(tokenRefreshMargin).Before(t.Expiry))
}

func (b *bearerCredentials) authorize(out *http.Request) error {
	token, err := b.current(out.Context())
	if err != nil {
		return err
	}
	out.Header.Set("Authorization", "Bearer "+token.AccessToken)
	return nil
}

// refused forgets the token that out carried, unless another request has
// already replaced it, so that many requests refused at once cause one
// exchange.
func (b *bearerCredentials) refused(out *http.Request) bool {
	sent := strings.TrimPrefix(out.Header.Get("Authorization"), "Bearer ")
	select {
	case b.lock <- struct{}{}:
	case <-out.Context().Done():
		return false
	}
	defer func() { <-b.lock }()
	if b.token != nil && b.token.AccessToken == sent {
		b.token = nil
	}
	return true
}

// koreExchange returns the fetch of new tokens from tokenURL with the client
// credentials in the form body, as KORE documents. Exchanges go through
// client, which retries transient failures and never follows a redirect,
// so the secret reaches tokenURL and nothing else.
func koreExchange(clientID, clientSecret, tokenURL string, client *http.Client) func(context.Context) (*oauth2.Token, error) {
	cfg := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     tokenURL,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		token, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, client))
		if err != nil {
			return nil, newTokenError(ctx, err, clientSecret)
		}
		return token, nil
	}
}

// callerTokens returns the fetch of tokens from a TokenSource the caller
// manages.
func callerTokens(ts oauth2.TokenSource) func(context.Context) (*oauth2.Token, error) {
	return func(ctx context.Context) (*oauth2.Token, error) {
		token, err := ts.Token()
		if err != nil {
			return nil, newTokenError(ctx, err, "")
		}
		return token, nil
	}
}

// TokenError is a failed OAuth 2.0 token exchange (KORE): the token
// endpoint refused the client credentials, or could not be reached. A
// refusal (400, 401 or 403) matches [ErrUnauthorized] with [errors.Is]; a
// 429 matches [ErrRateLimited] and a 5xx [ErrServer], once the retries are
// spent. No request was sent to the API.
type TokenError struct {
	Status      int    // HTTP status of the token endpoint's last answer; 0 if none came
	Code        string // the OAuth error code, such as "invalid_client"
	Description string // the OAuth error_description, or what went wrong
	Err         error  // the cause when no answer came (a connection error, the context)
}

// Error describes the failure, never with the client secret or a token.
func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("supersim: token exchange failed")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ", OAuth error %q", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause, if any.
func (e *TokenError) Unwrap() error { return e.Err }

// Is matches ErrUnauthorized, ErrRateLimited and ErrServer by status, like
// [APIError.Is].
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrServer:
		return e.Status >= 500 && e.Status <= 599
	}
	return false
}

// maxTokenErrorText bounds the OAuth error text quoted in a TokenError.
const maxTokenErrorText = 300

// newTokenError describes err from an exchange. Only the OAuth error code
// and description of the answer are kept, never its raw body, and the
// secret is cut out of any text that would carry it.
func newTokenError(ctx context.Context, err error, secret string) *TokenError {
	var retrieve *oauth2.RetrieveError
	if !errors.As(err, &retrieve) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return &TokenError{Err: ctxErr}
		}
		return &TokenError{Description: redact(err.Error(), secret)}
	}
	e := &TokenError{
		Code:        redact(clip(retrieve.ErrorCode, 64), secret),
		Description: redact(clip(retrieve.ErrorDescription, maxTokenErrorText), secret),
	}
	if retrieve.Response != nil {
		e.Status = retrieve.Response.StatusCode
	}
	if e.Code == "" && e.Description == "" && e.Status != 0 {
		e.Description = http.StatusText(e.Status)
	}
	return e
}

// redact cuts secret out of text.
func redact(text, secret string) string {
	if secret == "" {
		return text
	}
	return strings.ReplaceAll(text, secret, "[redacted]")
}

// clip shortens text to at most n bytes of valid UTF-8 on one line.
func clip(text string, n int) string {
	text = strings.ToValidUTF8(strings.Join(strings.Fields(text), " "), "?")
	if len(text) <= n {
		return text
	}
	return strings.ToValidUTF8(text[:n], "") + "..."
}
