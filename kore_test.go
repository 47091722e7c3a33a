package supersim_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/supersimkit/supersim"
)

const (
	koreClientID     = "kore-client-7d1e"
	koreClientSecret = "kore-SECRET-b52f90"
)

// tokenServer is an OAuth 2.0 token endpoint for client credentials, on an
// origin of its own, as KORE's is.
type tokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	lifetime  int   // expires_in of the tokens it issues, in seconds
	failures  []int // statuses for the next exchanges, in order
	forms     []url.Values
	headers   []http.Header
	issued    []string // every token, in order
	valid     map[string]bool
	describer func(form url.Values) string // error_description of a refusal
}

func newTokenServer(t *testing.T, lifetime int) *tokenServer {
	ts := &tokenServer{lifetime: lifetime, valid: map[string]bool{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.forms = append(ts.forms, form)
	ts.headers = append(ts.headers, r.Header.Clone())
	w.Header().Set("Content-Type", "application/json")
	if len(ts.failures) > 0 {
		status := ts.failures[0]
		ts.failures = ts.failures[1:]
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":"temporarily_unavailable","error_description":"try later"}`)
		return
	}
	if r.Method != http.MethodPost || form.Get("grant_type") != "client_credentials" ||
		form.Get("client_id") != koreClientID || form.Get("client_secret") != koreClientSecret {
		description := "Client authentication failed"
		if ts.describer != nil {
			description = ts.describer(form)
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":%q}`, description)
		return
	}
	token := fmt.Sprintf("bearer-SECRET-%03d", len(ts.issued)+1)
	ts.issued = append(ts.issued, token)
	ts.valid[token] = true
	fmt.Fprintf(w, `{"access_token":%q,"expires_in":%d,"token_type":"Bearer","scope":"supersim"}`, token, ts.lifetime)
}

// exchanges counts the token requests so far.
func (ts *tokenServer) exchanges() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.forms)
}

// revoke makes every token issued so far invalid.
func (ts *tokenServer) revoke() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	clear(ts.valid)
}

func (ts *tokenServer) failNext(statuses ...int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.failures = append(ts.failures, statuses...)
}

// allows reports whether an Authorization header carries a valid token.
func (ts *tokenServer) allows(authorization string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	return ok && ts.valid[token]
}

// koreSecretForms are the ways KORE credentials could leak into text.
func (ts *tokenServer) secretForms() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string{koreClientSecret, "Bearer "}, ts.issued...)
}

// koreAPI is a KORE setup: a token server, an API that takes only the
// Bearer tokens it issued and serves records in pages, and a client.
type koreAPI struct {
	tokens *tokenServer
	api    *fakeAPI
	client *supersim.Client
	logs   *logBuffer
}

func newKOREAPI(t *testing.T, lifetime int, records []supersim.UsageRecord, opts ...supersim.Option) *koreAPI {
	t.Helper()
	k := &koreAPI{tokens: newTokenServer(t, lifetime), logs: &logBuffer{}}
	pages := pagedHandler(t, records, 10, "")
	k.api = &fakeAPI{logs: &logBuffer{}}
	k.api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.api.mu.Lock()
		k.api.requests = append(k.api.requests, r.Clone(context.Background()))
		k.api.mu.Unlock()
		if !k.tokens.allows(r.Header.Get("Authorization")) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code": 20003, "message": "Authenticate", "status": 401}`)
			return
		}
		pages(w, r)
	}))
	t.Cleanup(k.api.Close)
	all := append([]supersim.Option{
		supersim.WithKORE(koreClientID, koreClientSecret),
		supersim.WithTokenURL(k.tokens.URL + "/api-services/v1/auth/token"),
		supersim.WithBaseURL(k.api.URL),
		supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond),
		supersim.WithLogger(debugLogger(k.logs)),
	}, opts...)
	var err error
	k.client, err = supersim.NewClient(all...)
	require.NoError(t, err)
	t.Cleanup(func() { k.assertNoSecret(t, k.logs.String()) })
	return k
}

func (k *koreAPI) assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range k.tokens.secretForms() {
		assert.NotContains(t, text, s, "a KORE credential leaked")
	}
}

func TestKOREClientSendsBearerTokensFromOneExchange(t *testing.T) {
	t.Parallel()
	records := makeRecords(35)
	k := newKOREAPI(t, 3600, records)
	assert.Equal(t, supersim.ProviderKORE, k.client.Provider())

	var wg sync.WaitGroup
	results := make([][]supersim.UsageRecord, 16)
	errs := make([]error, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = k.client.ListUsageRecords(context.Background(), nil).Collect()
		}()
	}
	wg.Wait()
	for i := range results {
		require.NoError(t, errs[i])
		assert.Len(t, results[i], len(records))
	}
	assert.Equal(t, 1, k.tokens.exchanges(), "concurrent first requests share one exchange")

	form := k.tokens.forms[0]
	assert.Equal(t, "client_credentials", form.Get("grant_type"))
	assert.Equal(t, koreClientID, form.Get("client_id"))
	assert.Equal(t, koreClientSecret, form.Get("client_secret"), "credentials in the form body, as KORE documents")
	assert.Empty(t, k.tokens.headers[0].Get("Authorization"))
	for _, r := range k.api.Requests() {
		assert.Equal(t, "Bearer "+k.tokens.issued[0], r.Header.Get("Authorization"))
		assert.NotContains(t, r.URL.RawQuery, koreClientSecret)
	}
}

func TestExpiredTokensAreReplacedBeforeTheNextRequest(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var mu sync.Mutex
	var got []string
	api := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		pagedHandler(t, makeRecords(30), 10, "")(w, r)
	})
	// Each token has expired by the time the next request needs one.
	ts := tokenSourceFunc(func() (*oauth2.Token, error) {
		n := calls.Add(1)
		return &oauth2.Token{AccessToken: fmt.Sprintf("short-%d", n), Expiry: time.Now().Add(-time.Millisecond)}, nil
	})
	client, err := supersim.NewClient(supersim.WithTokenSource(ts), supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{NoPrefetch: true}).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 30)
	assert.Equal(t, []string{"Bearer short-1", "Bearer short-2", "Bearer short-3"}, got)
}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }

func TestKORERevokedTokenCausesOneExchangeAndOneRetry(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(25))
	it := k.client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{NoPrefetch: true})
	require.True(t, it.Next())
	k.tokens.revoke()
	n := 1
	for it.Next() {
		n++
	}
	require.NoError(t, it.Err())
	assert.Equal(t, 25, n)
	assert.Equal(t, 2, k.tokens.exchanges())
	assert.Len(t, k.api.Requests(), 4, "page 1, page 2 refused, page 2 again, page 3")
}

func TestKORETokenRefusedTwiceEndsTheWalk(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5))
	k.api.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.api.mu.Lock()
		k.api.requests = append(k.api.requests, r.Clone(context.Background()))
		k.api.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code": 20003, "message": "Authenticate", "status": 401}`)
	})
	_, err := k.client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.Status)
	assert.ErrorIs(t, err, supersim.ErrUnauthorized)
	assert.Equal(t, 2, k.tokens.exchanges(), "one new token after the first 401, never a loop")
	assert.Len(t, k.api.Requests(), 2)
	k.assertNoSecret(t, err.Error())
	k.assertNoSecret(t, fmt.Sprintf("%+v %#v", err, apiErr))
}

func TestKOREBadCredentialsEndTheWalkBeforeAnyAPIRequest(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5), supersim.WithTokenURL("http://placeholder.invalid"))
	// The refusal echoes what it got, secret included: the error must not.
	k.tokens.describer = func(form url.Values) string {
		return "unknown client " + form.Get("client_id") + " with secret " + form.Get("client_secret")
	}
	client, err := supersim.NewClient(supersim.WithKORE(koreClientID, "wrong-"+koreClientSecret),
		supersim.WithTokenURL(k.tokens.URL), supersim.WithBaseURL(k.api.URL),
		supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond), supersim.WithLogger(debugLogger(k.logs)))
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)
	assert.ErrorIs(t, err, supersim.ErrUnauthorized)
	var tokenErr *supersim.TokenError
	require.ErrorAs(t, err, &tokenErr)
	assert.Equal(t, http.StatusUnauthorized, tokenErr.Status)
	assert.Equal(t, "invalid_client", tokenErr.Code)
	assert.Contains(t, tokenErr.Description, "unknown client "+koreClientID)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), "wrong-"+koreClientSecret)
	assert.Equal(t, 1, k.tokens.exchanges(), "a refusal is final")
	assert.Empty(t, k.api.Requests())
}

func TestKORETransientTokenFailuresAreRetried(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5))
	k.tokens.failNext(http.StatusServiceUnavailable, http.StatusTooManyRequests)
	recs, err := k.client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 5)
	assert.Equal(t, 3, k.tokens.exchanges())
	assert.Len(t, k.api.Requests(), 1)
}

func TestKORETokenEndpointDownFailsWithoutAPIRequests(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5), supersim.WithMaxRetries(2))
	k.tokens.failNext(503, 503, 503, 503)
	_, err := k.client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)
	assert.ErrorIs(t, err, supersim.ErrServer)
	var tokenErr *supersim.TokenError
	require.ErrorAs(t, err, &tokenErr)
	assert.Equal(t, 503, tokenErr.Status)
	assert.Equal(t, 3, k.tokens.exchanges(), "the first try and two retries")
	assert.Empty(t, k.api.Requests())
}

func TestKORETokenWaitHonoursTheContext(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5), supersim.WithRetryWait(time.Hour, time.Hour))
	k.tokens.failNext(503)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := k.client.ListUsageRecords(ctx, nil).Collect()
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, k.api.Requests())
}

func TestKORECredentialsStayOnTheirOrigins(t *testing.T) {
	t.Parallel()
	trap := trap(t) // fails the test if reached
	k := newKOREAPI(t, 3600, makeRecords(25))
	// next_page_url on another host: only its PageToken and Page are used.
	k.api.Config.Handler = pagedHandlerCounting(k, pagedHandler(t, makeRecords(25), 10, trap.URL))
	recs, err := k.client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 25)

	// A redirect off the API origin is not followed.
	k.api.Config.Handler = http.RedirectHandler(trap.URL+"/v1/UsageRecords", http.StatusFound)
	_, err = k.client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)

	// A token endpoint that redirects gets no second request with the secret.
	redirecting := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, trap.URL+"/token", http.StatusTemporaryRedirect)
	})
	client, err := supersim.NewClient(supersim.WithKORE(koreClientID, koreClientSecret),
		supersim.WithTokenURL(redirecting.URL), supersim.WithBaseURL(k.api.URL),
		supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)
	k.assertNoSecret(t, err.Error())

	for _, r := range k.api.Requests() {
		assert.NotContains(t, r.URL.String()+fmt.Sprint(r.Header), koreClientSecret)
	}
	for _, h := range k.tokens.headers {
		assert.Empty(t, h.Get("Authorization"), "the token endpoint gets no Bearer token")
	}
}

// pagedHandlerCounting records requests for k.api and serves with next.
func pagedHandlerCounting(k *koreAPI, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k.api.mu.Lock()
		k.api.requests = append(k.api.requests, r.Clone(context.Background()))
		k.api.mu.Unlock()
		if !k.tokens.allows(r.Header.Get("Authorization")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

func TestKOREPageSizeIsLimitedTo249(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5))
	_, err := k.client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 250}).Collect()
	var verr *supersim.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "PageSize", verr.Field)
	assert.Contains(t, verr.Error(), "249")
	assert.Empty(t, k.api.Requests())
	assert.Zero(t, k.tokens.exchanges())

	recs, err := k.client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 249}).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 5)

	// Twilio's limit stays 1000.
	twilio, _ := newFakeAPI(t, pagedHandler(t, makeRecords(5), 1000, ""))
	_, err = twilio.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 1000}).Collect()
	assert.NoError(t, err)
}

func TestWithTokenSourceSendsTheCallersTokens(t *testing.T) {
	t.Parallel()
	var got []string
	var mu sync.Mutex
	api := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		pagedHandler(t, makeRecords(3), 10, "")(w, r)
	})
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "caller-token", Expiry: time.Now().Add(time.Hour)})
	client, err := supersim.NewClient(supersim.WithTokenSource(ts), supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	assert.Equal(t, supersim.ProviderKORE, client.Provider())
	recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	assert.Equal(t, []string{"Bearer caller-token"}, got)

	failing, err := supersim.NewClient(supersim.WithTokenSource(errTokenSource{}), supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	_, err = failing.ListUsageRecords(context.Background(), nil).Collect()
	var tokenErr *supersim.TokenError
	require.ErrorAs(t, err, &tokenErr)
	assert.Contains(t, err.Error(), "vault sealed")
	assert.Len(t, got, 1, "no API request without a token")
}

type errTokenSource struct{}

func (errTokenSource) Token() (*oauth2.Token, error) { return nil, errors.New("vault sealed") }

func TestCredentialOptionsConflict(t *testing.T) {
	t.Parallel()
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	for name, opts := range map[string][]supersim.Option{
		"basic+kore":        {supersim.WithCredentials(testAccountSID, testAuthToken), supersim.WithKORE(koreClientID, koreClientSecret)},
		"kore+apikey":       {supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithAPIKey("SKx", "y")},
		"kore+tokensource":  {supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithTokenSource(ts)},
		"kore twice":        {supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithKORE(koreClientID, koreClientSecret)},
		"tokenurl on basic": {supersim.WithCredentials(testAccountSID, testAuthToken), supersim.WithTokenURL("https://auth.example.com/token")},
		"tokenurl on ts":    {supersim.WithTokenSource(ts), supersim.WithTokenURL("https://auth.example.com/token")},
		"kore no secret":    {supersim.WithKORE(koreClientID, "")},
		"nil token source":  {supersim.WithTokenSource(nil)},
		"token url creds":   {supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithTokenURL("https://id:" + koreClientSecret + "@auth.example.com/token")},
		"token url scheme":  {supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithTokenURL("ftp://auth.example.com/token")},
	} {
		_, err := supersim.NewClient(opts...)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, supersim.ErrInvalidOption, name)
		assert.NotContains(t, err.Error(), koreClientSecret, name)
		assert.NotContains(t, err.Error(), testAuthToken, name)
	}
}

// recordingTransport answers every request itself and keeps them.
type recordingTransport struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	rt.mu.Lock()
	rt.requests = append(rt.requests, r)
	rt.bodies = append(rt.bodies, string(body))
	rt.mu.Unlock()
	answer := `{"usage_records": [], "meta": {"key": "usage_records", "page": 0, "page_size": 50, "next_page_url": null}}`
	if r.Method == http.MethodPost {
		answer = `{"access_token": "env-token", "expires_in": 3600, "token_type": "Bearer"}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
}

func TestKORECredentialsFromTheEnvironment(t *testing.T) {
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"} {
		t.Setenv(name, "")
	}
	t.Setenv("KORE_CLIENT_ID", koreClientID)
	t.Setenv("KORE_CLIENT_SECRET", koreClientSecret)
	rt := &recordingTransport{}
	client, err := supersim.NewClient(supersim.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	assert.Equal(t, supersim.ProviderKORE, client.Provider())
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	require.Len(t, rt.requests, 2)
	token, api := rt.requests[0], rt.requests[1]
	assert.Equal(t, supersim.KORETokenURL, token.URL.String())
	assert.Contains(t, rt.bodies[0], "client_secret="+koreClientSecret)
	assert.Equal(t, "https://supersim.api.korewireless.com/v1/UsageRecords", api.URL.String())
	assert.Equal(t, "Bearer env-token", api.Header.Get("Authorization"))

	// Twilio's variables come first.
	t.Setenv("TWILIO_API_KEY", "SKenv")
	t.Setenv("TWILIO_API_SECRET", "env-secret")
	client, err = supersim.NewClient()
	require.NoError(t, err)
	assert.Equal(t, supersim.ProviderTwilio, client.Provider())

	// Half a KORE pair is no credentials.
	t.Setenv("TWILIO_API_KEY", "")
	t.Setenv("KORE_CLIENT_SECRET", "")
	_, err = supersim.NewClient()
	assert.ErrorIs(t, err, supersim.ErrNoCredentials)
	assert.Contains(t, err.Error(), "KORE_CLIENT_ID")
}

// The hostile review's findings: each must hold from now on.

func TestTokenRefusalNeverQuotesTheSecretInAnyForm(t *testing.T) {
	t.Parallel()
	const secret = "Rv9+Sx/Q2w==k&Z"
	echoes := map[string]func(form url.Values) string{
		"raw":         func(f url.Values) string { return "bad secret " + f.Get("client_secret") },
		"url-encoded": func(f url.Values) string { return "got client_secret=" + url.QueryEscape(f.Get("client_secret")) },
		"base64": func(f url.Values) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(koreClientID+":"+secret))
		},
		"at the cut": func(f url.Values) string { return strings.Repeat("x", 295) + " " + f.Get("client_secret") },
	}
	for name, echo := range echoes {
		k := newKOREAPI(t, 3600, makeRecords(1))
		k.tokens.describer = echo
		client, err := supersim.NewClient(supersim.WithKORE(koreClientID, secret), supersim.WithTokenURL(k.tokens.URL),
			supersim.WithBaseURL(k.api.URL), supersim.WithLogger(debugLogger(k.logs)))
		require.NoError(t, err)
		_, err = client.ListUsageRecords(context.Background(), nil).Collect()
		require.ErrorIs(t, err, supersim.ErrUnauthorized, name)
		assertHoldsNoSecret(t, err, secret, url.QueryEscape(secret), "Rv9+Sx")
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), k.logs.String()} {
			for _, form := range []string{secret, url.QueryEscape(secret), "Rv9+Sx", base64.StdEncoding.EncodeToString([]byte(koreClientID + ":" + secret))} {
				assert.NotContains(t, text, form, name)
			}
		}
	}
}

func TestAPIErrorsNeverQuoteAnEscapedToken(t *testing.T) {
	t.Parallel()
	api := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		escaped := strings.NewReplacer("/", `\/`, "+", `\u002b`).Replace(token)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code": 20001, "message": "token %s", "details": {"sent": ["%s"]}}`, escaped, escaped)
	})
	const token = "eyJ+abc/def001=="
	client, err := supersim.NewClient(supersim.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})),
		supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	text := fmt.Sprintf("%v %+v %#v", err, apiErr.Details, apiErr)
	assert.NotContains(t, text, token)
	assert.NotContains(t, text, "abc/def001")
	assert.Contains(t, apiErr.Message, "[redacted]")
}

func TestAStuckTokenSourceHoldsUpNoWalkPastItsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	ts := tokenSourceFunc(func() (*oauth2.Token, error) {
		if calls.Add(1) == 1 {
			<-release // stuck, and deaf to any context
		}
		return &oauth2.Token{AccessToken: "fresh"}, nil
	})
	api := newPlainServer(t, pagedHandler(t, makeRecords(3), 10, ""))
	client, err := supersim.NewClient(supersim.WithTokenSource(ts), supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = client.ListUsageRecords(ctx, nil).Collect()
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The Client is still usable: the next walk starts an exchange of its own.
	recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	close(release) // the stuck call ends, and with it its goroutine
}

func TestOneTokenRefreshPerRequestWhateverItsRetries(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(5))
	var n atomic.Int32
	k.api.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.api.mu.Lock()
		k.api.requests = append(k.api.requests, r.Clone(context.Background()))
		k.api.mu.Unlock()
		if n.Add(1)%2 == 1 {
			w.WriteHeader(http.StatusUnauthorized)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	_, err := k.client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.Status, "401, 503, then 401 again: unauthorized")
	assert.Equal(t, 2, k.tokens.exchanges(), "one refresh for the request")
	assert.Len(t, k.api.Requests(), 3)
	assert.Equal(t, 3, apiErr.Attempts, "every request sent counts")
}

func TestTokenSourceFailuresAreTypedAndRecoverable(t *testing.T) {
	t.Parallel()
	sealed := errors.New("vault sealed")
	api := newPlainServer(t, pagedHandler(t, makeRecords(30), 10, ""))
	var calls atomic.Int32
	panicky := tokenSourceFunc(func() (*oauth2.Token, error) {
		if calls.Add(1) > 1 {
			panic("token source exploded")
		}
		return &oauth2.Token{AccessToken: "once", Expiry: time.Now().Add(-time.Second)}, nil
	})
	client, err := supersim.NewClient(supersim.WithTokenSource(panicky), supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	// Page 2 is fetched ahead on the SDK's goroutine: the panic must not crash the program.
	_, err = client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10}).Collect()
	var tokenErr *supersim.TokenError
	require.ErrorAs(t, err, &tokenErr)
	assert.Contains(t, err.Error(), "panicked")

	failing, err := supersim.NewClient(supersim.WithTokenSource(tokenSourceFunc(func() (*oauth2.Token, error) { return nil, sealed })),
		supersim.WithBaseURL(api.URL))
	require.NoError(t, err)
	_, err = failing.ListUsageRecords(context.Background(), nil).Collect()
	assert.ErrorIs(t, err, sealed, "the source's own error stays in the chain")

	closed := newPlainServer(t, func(http.ResponseWriter, *http.Request) {})
	closed.Close()
	unreachable, err := supersim.NewClient(supersim.WithKORE(koreClientID, koreClientSecret), supersim.WithTokenURL(closed.URL),
		supersim.WithBaseURL(api.URL), supersim.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = unreachable.ListUsageRecords(context.Background(), nil).Collect()
	require.ErrorAs(t, err, &tokenErr)
	assert.NotNil(t, tokenErr.Err, "a connection error is the cause")
	assert.NotContains(t, err.Error(), koreClientSecret)
}

func TestTokenErrorsHoldNoSecretAtAnyDepth(t *testing.T) {
	t.Parallel()
	const secret = "Zq7/k+Secret=="
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), "Zq7/k+",
		base64.StdEncoding.EncodeToString([]byte(koreClientID + ":" + secret)),
		base64.StdEncoding.EncodeToString([]byte(secret))}
	answers := map[string]http.HandlerFunc{
		"no access_token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3600}`)
		},
		"JSON that does not parse": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token": "abc", `)
		},
	}
	tokenURLs := map[string]string{}
	for name, answer := range answers {
		tokenURLs[name] = newPlainServer(t, answer).URL
	}
	closed := newPlainServer(t, func(http.ResponseWriter, *http.Request) {})
	closed.Close()
	tokenURLs["unreachable"] = closed.URL

	api := newPlainServer(t, pagedHandler(t, makeRecords(3), 10, ""))
	for name, tokenURL := range tokenURLs {
		client, err := supersim.NewClient(supersim.WithKORE(koreClientID, secret), supersim.WithTokenURL(tokenURL),
			supersim.WithBaseURL(api.URL), supersim.WithMaxRetries(1), supersim.WithRetryWait(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		_, err = client.ListUsageRecords(context.Background(), nil).Collect()
		var tokenErr *supersim.TokenError
		require.ErrorAs(t, err, &tokenErr, name)
		assertHoldsNoSecret(t, err, forms...)
	}
}
