package supersim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
// that no request goes out with a token about to expire on the way. A token
// that lives less than twice as long is replaced after half its life.
const tokenRefreshMargin = 30 * time.Second

// bearerCredentials sends OAuth 2.0 Bearer tokens. The token is fetched on
// the first request that needs it, shared by every goroutine and walk of the
// Client, replaced before it expires (see tokenRefreshMargin), and replaced
// once per request when the API refuses it (revoked or rotated).
//
// A new token comes from one exchange at a time, run on a goroutine of its
// own that every request needing a token waits for, each until its own
// context ends; the exchange is abandoned when no request waits for it any
// more. So a slow or stuck token source holds up no walk past its context,
// and never the Client.
type bearerCredentials struct {
	fetch func(ctx context.Context) (*oauth2.Token, error)
	now   func() time.Time

	mu      sync.Mutex
	token   *oauth2.Token
	renewAt time.Time // when token is to be replaced; zero for never
	pending *exchange // the exchange in flight, if any
}

// exchange is one fetch of a new token and the requests waiting for it.
type exchange struct {
	done    chan struct{} // closed once token and err are set
	token   *oauth2.Token
	err     error
	waiting int                // requests waiting for it
	cancel  context.CancelFunc // abandons it
}

func newBearerCredentials(fetch func(ctx context.Context) (*oauth2.Token, error)) *bearerCredentials {
	return &bearerCredentials{fetch: fetch, now: time.Now}
}

// current returns a token that is not due for renewal, waiting for an
// exchange if needed: the one in flight, or a new one.
func (b *bearerCredentials) current(ctx context.Context) (*oauth2.Token, error) {
	b.mu.Lock()
	if b.token != nil && (b.renewAt.IsZero() || b.now().Before(b.renewAt)) {
		token := b.token
		b.mu.Unlock()
		return token, nil
	}
	ex := b.pending
	if ex == nil {
		ex = b.start(ctx)
	}
	ex.waiting++
	b.mu.Unlock()

	select {
	case <-ex.done:
		return ex.token, ex.err
	case <-ctx.Done():
		b.mu.Lock()
		if ex.waiting--; ex.waiting == 0 && b.pending == ex {
			ex.cancel()
			b.pending = nil
		}
		b.mu.Unlock()
		return nil, ctx.Err()
	}
}

// start begins an exchange; b.mu is held. The exchange keeps the values of
// ctx, the context of the request that needed it, but not its end.
func (b *bearerCredentials) start(ctx context.Context) *exchange {
	exCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ex := &exchange{done: make(chan struct{}), cancel: cancel}
	b.pending = ex
	go func() {
		defer cancel()
		token, err := b.fetch(exCtx)
		if err == nil && (token == nil || token.AccessToken == "") {
			token, err = nil, &TokenError{Description: "the token source gave no access token"}
		}
		fetched := b.now()
		b.mu.Lock()
		if b.pending == ex {
			b.pending = nil
			if err == nil {
				b.token, b.renewAt = token, renewal(token, fetched)
			}
		}
		b.mu.Unlock()
		ex.token, ex.err = token, err
		close(ex.done)
	}()
	return ex
}

// renewal is when a token fetched at fetched is to be replaced: zero for a
// token without expiry, tokenRefreshMargin before its expiry, or half way
// through a shorter life.
func renewal(token *oauth2.Token, fetched time.Time) time.Time {
	if token.Expiry.IsZero() {
		return time.Time{}
	}
	life := token.Expiry.Sub(fetched)
	return token.Expiry.Add(-min(tokenRefreshMargin, max(life/2, 0)))
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
	b.mu.Lock()
	defer b.mu.Unlock()
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
			return nil, newTokenError(ctx, err, secretForms(clientSecret, clientID+":"+clientSecret))
		}
		return token, nil
	}
}

// callerTokens returns the fetch of tokens from a TokenSource the caller
// manages. A panic in ts becomes a TokenError: it would happen on a
// goroutine of the SDK's, where the caller could not recover it.
func callerTokens(ts oauth2.TokenSource) func(context.Context) (*oauth2.Token, error) {
	return func(ctx context.Context) (token *oauth2.Token, err error) {
		defer func() {
			if r := recover(); r != nil {
				token, err = nil, &TokenError{Description: fmt.Sprintf("the token source panicked: %v", r)}
			}
		}()
		token, err = ts.Token()
		if err != nil {
			return nil, newTokenError(ctx, err, nil)
		}
		return token, nil
	}
}

// TokenError is a failed OAuth 2.0 token exchange (KORE): the token
// endpoint refused the client credentials, or could not be reached, or the
// caller's TokenSource failed. A refusal (400, 401 or 403) matches
// [ErrUnauthorized] with [errors.Is]; a 429 matches [ErrRateLimited] and a
// 5xx [ErrServer], once the retries are spent. No request was sent to the
// API.
type TokenError struct {
	Status      int    // HTTP status of the token endpoint's last answer; 0 if none came
	Code        string // the OAuth error code, such as "invalid_client"
	Description string // the OAuth error_description, or what went wrong
	Err         error  // the cause when no answer came: a connection error, the context, the TokenSource's error
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
		fmt.Fprintf(&b, ": %s", e.Err)
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
// and description of an answer are kept, never its raw body, and every form
// of the secret is cut out before any text is shortened. The TokenError
// holds no secret at any depth: with forms (an exchange of ours), a cause
// other than the context is kept as its redacted text only, since an
// error's fields (a request, a form) may hold what its text does not show.
func newTokenError(ctx context.Context, err error, forms []string) *TokenError {
	var retrieve *oauth2.RetrieveError
	if !errors.As(err, &retrieve) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return &TokenError{Err: ctxErr}
		}
		if forms != nil {
			err = errors.New(redact(err.Error(), forms))
		}
		return &TokenError{Err: err}
	}
	e := &TokenError{
		Code:        clip(redact(retrieve.ErrorCode, forms), 64),
		Description: clip(redact(retrieve.ErrorDescription, forms), maxTokenErrorText),
	}
	if retrieve.Response != nil {
		e.Status = retrieve.Response.StatusCode
	}
	if e.Code == "" && e.Description == "" && e.Status != 0 {
		e.Description = http.StatusText(e.Status)
	}
	return e
}
