package supersimtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// koreServer is a KORE-mode server over the test samples.
func koreServer(t *testing.T, opts ...supersimtest.Option) *supersimtest.Server {
	t.Helper()
	return newServer(t, append([]supersimtest.Option{supersimtest.WithKORE()}, opts...)...)
}

// exchange posts a token request with form as the body.
func exchange(t *testing.T, srv *supersimtest.Server, method, contentType string, form url.Values, basicAuth bool) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.TokenURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if basicAuth {
		req.SetBasicAuth(supersimtest.ClientID, supersimtest.ClientSecret)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), supersimtest.ClientSecret, "the answer never quotes the secret")
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
	return resp.StatusCode, body, resp.Header
}

var goodForm = url.Values{"grant_type": {"client_credentials"}, "client_id": {supersimtest.ClientID}, "client_secret": {supersimtest.ClientSecret}}

const form = "application/x-www-form-urlencoded"

// newToken exchanges the client credentials for a token.
func newToken(t *testing.T, srv *supersimtest.Server) string {
	t.Helper()
	status, body, _ := exchange(t, srv, http.MethodPost, form, goodForm, false)
	require.Equal(t, 200, status, body)
	return body["access_token"].(string)
}

// bearerGet sends a usage records request with an Authorization header.
func bearerGet(t *testing.T, srv *supersimtest.Server, query, authorization string) (int, map[string]any) {
	t.Helper()
	return bearerGetPath(t, srv, "/v1/UsageRecords?"+query, authorization)
}

// bearerGetPath sends an API request with an Authorization header.
func bearerGetPath(t *testing.T, srv *supersimtest.Server, pathAndQuery, authorization string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+pathAndQuery, nil)
	require.NoError(t, err)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func TestKORETokenEndpoint(t *testing.T) {
	t.Parallel()
	srv := koreServer(t, supersimtest.WithTokenLifetime(90*time.Minute+time.Millisecond))
	tokenURL, err := url.Parse(srv.TokenURL())
	require.NoError(t, err)
	api, err := url.Parse(srv.URL)
	require.NoError(t, err)
	assert.NotEqual(t, api.Host, tokenURL.Host, "a second origin")
	assert.Equal(t, "/api-services/v1/auth/token", tokenURL.Path)

	withScope := url.Values{"scope": {"supersim"}}
	for k, v := range goodForm {
		withScope[k] = v
	}
	status, body, header := exchange(t, srv, http.MethodPost, form+"; charset=utf-8", withScope, false)
	require.Equal(t, 200, status, body)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.Equal(t, float64(5401), body["expires_in"], "whole seconds, rounded up")
	assert.Equal(t, "supersim", body["scope"])
	assert.Regexp(t, `^kore-[A-Za-z0-9_-]{43}$`, body["access_token"])
	assert.Equal(t, "no-store", header.Get("Cache-Control"))
	assert.NotEqual(t, body["access_token"], newToken(t, srv), "every exchange, a new random token")

	wrong := func(key, value string) url.Values {
		f := url.Values{}
		for k, v := range goodForm {
			f[k] = v
		}
		if value == "" {
			f.Del(key)
		} else {
			f.Set(key, value)
		}
		return f
	}
	tests := []struct {
		name        string
		method, typ string
		form        url.Values
		basic       bool
		status      int
		oauthError  string
	}{
		{"wrong secret", http.MethodPost, form, wrong("client_secret", "nope"), false, 401, "invalid_client"},
		{"no secret", http.MethodPost, form, wrong("client_secret", ""), false, 401, "invalid_client"},
		{"wrong client", http.MethodPost, form, wrong("client_id", "someone"), false, 401, "invalid_client"},
		{"credentials in a Basic header", http.MethodPost, form, wrong("client_secret", ""), true, 401, "invalid_client"},
		{"wrong grant type", http.MethodPost, form, wrong("grant_type", "password"), false, 400, "unsupported_grant_type"},
		{"no grant type", http.MethodPost, form, wrong("grant_type", ""), false, 400, "invalid_request"},
		{"not a form", http.MethodPost, "application/json", goodForm, false, 400, "invalid_request"},
		{"GET", http.MethodGet, "", nil, false, 405, "invalid_request"},
	}
	for _, tt := range tests {
		status, body, _ := exchange(t, srv, tt.method, tt.typ, tt.form, tt.basic)
		assert.Equal(t, tt.status, status, tt.name)
		assert.Equal(t, tt.oauthError, body["error"], tt.name)
		assert.NotEmpty(t, body["error_description"], tt.name)
		assert.NotContains(t, body, "access_token", tt.name)
	}
	assert.Equal(t, 2+len(tests), srv.TokenExchanges())
	assert.Empty(t, srv.Requests(), "token requests are not API requests")
	assert.Zero(t, srv.Stats().Served)
}

func TestKOREAPIAcceptsOnlyLiveTokens(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := now
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
	}
	srv := koreServer(t, supersimtest.WithTokenLifetime(time.Minute), supersimtest.WithClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}))
	token := newToken(t, srv)
	tests := []struct {
		name          string
		authorization string
		before        func()
		status        int
		kind          supersimtest.AuthKind
	}{
		{"no credentials", "", nil, 401, supersimtest.AuthNone},
		{"Basic, even Twilio's", basic(supersimtest.AccountSID, supersimtest.AuthToken), nil, 401, supersimtest.AuthInvalid},
		{"a token it did not issue", "Bearer kore-made-up", nil, 401, supersimtest.AuthInvalid},
		{"its token", "Bearer " + token, nil, 200, supersimtest.AuthBearer},
		{"its token, scheme in lower case", "bearer " + token, nil, 200, supersimtest.AuthBearer},
		{"its token, a second before expiry", "Bearer " + token, func() { advance(59 * time.Second) }, 200, supersimtest.AuthBearer},
		{"its token, expired", "Bearer " + token, func() { advance(time.Second) }, 401, supersimtest.AuthInvalid},
	}
	for i, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		status, body := bearerGet(t, srv, rangeQuery, tt.authorization)
		assert.Equal(t, tt.status, status, tt.name)
		if status == 401 {
			assert.Equal(t, float64(20003), body["code"], tt.name)
		}
		reqs := srv.Requests()
		require.Len(t, reqs, i+1)
		assert.Equal(t, tt.kind, reqs[i].Auth, tt.name)
	}

	fresh := newToken(t, srv)
	status, _ := bearerGet(t, srv, rangeQuery, "Bearer "+fresh)
	assert.Equal(t, 200, status)
	srv.RevokeTokens()
	status, body := bearerGet(t, srv, rangeQuery, "Bearer "+fresh)
	assert.Equal(t, 401, status, "revoked")
	assert.Equal(t, float64(20003), body["code"])
	status, _ = bearerGet(t, srv, rangeQuery, "Bearer "+newToken(t, srv))
	assert.Equal(t, 200, status, "a new exchange works again")

	log := fmt.Sprintf("%+v", srv.Requests())
	assert.NotContains(t, log, token, "the request log holds no token")
	assert.NotContains(t, log, fresh)
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

func TestTwilioModeRefusesBearerTokens(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	status, body := bearerGet(t, srv, rangeQuery, "Bearer anything")
	assert.Equal(t, 401, status)
	assert.Equal(t, float64(20003), body["code"])
	assert.Equal(t, supersimtest.AuthInvalid, srv.Requests()[0].Auth)
	assert.Empty(t, srv.TokenURL())
	assert.Zero(t, srv.TokenExchanges())
	assert.PanicsWithValue(t, "supersimtest: InjectTokenFaults needs a server made WithKORE", func() {
		srv.InjectTokenFaults(1, supersimtest.FaultDrop())
	})
}

func TestKOREPageSizeLimit(t *testing.T) {
	t.Parallel()
	srv := koreServer(t)
	token := "Bearer " + newToken(t, srv)
	status, _ := bearerGet(t, srv, rangeQuery+"&PageSize=249", token)
	assert.Equal(t, 200, status)
	status, body := bearerGet(t, srv, rangeQuery+"&PageSize=250", token)
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(83600), body["code"])
	assert.Contains(t, body["message"], "between 1 and 249")

	// The SDK's KORE client knows the limit and sends nothing.
	client, err := srv.Client()
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{StartTime: day1, EndTime: day2, PageSize: 250}).Collect()
	var invalid *supersim.ValidationError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "PageSize", invalid.Field)
	assert.Len(t, srv.Requests(), 2)
	assert.Equal(t, 1, srv.TokenExchanges(), "nothing sent for the refused walk")
}

func TestKOREClientSharesOneToken(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	start := now.Truncate(24*time.Hour).AddDate(0, 0, -7)
	var walks sync.WaitGroup
	var failures atomic.Int32
	for _, group := range []supersim.Group{supersim.GroupSim, supersim.GroupFleet, supersim.GroupNetwork, supersim.GroupIsoCountry} {
		walks.Add(1)
		go func() {
			defer walks.Done()
			opts := &supersim.ListUsageRecordsOptions{Group: group, Granularity: supersim.GranularityDay, StartTime: start, EndTime: start.AddDate(0, 0, 7), PageSize: supersim.MaxKOREPageSize}
			if _, err := client.ListUsageRecords(context.Background(), opts).Collect(); err != nil {
				failures.Add(1)
			}
		}()
	}
	walks.Wait()
	assert.Zero(t, failures.Load())
	assert.Equal(t, 1, srv.TokenExchanges(), "one exchange for every walk")
	reqs := srv.Requests()
	assert.Greater(t, len(reqs), 4, "some walks took several pages")
	for _, r := range reqs {
		assert.Equal(t, supersimtest.AuthBearer, r.Auth)
		assert.Equal(t, 200, r.Status)
	}
}

func TestKORERevokedTokenCausesOneRefresh(t *testing.T) {
	t.Parallel()
	srv := koreServer(t)
	client, err := srv.Client()
	require.NoError(t, err)
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		StartTime: day1, EndTime: day1.AddDate(0, 0, 2), Granularity: supersim.GranularityHour, PageSize: 1, NoPrefetch: true})
	defer it.Stop()
	require.True(t, it.Next())
	srv.RevokeTokens()
	n := 1
	for it.Next() {
		n++
	}
	require.NoError(t, it.Err())
	assert.Equal(t, 4, n)
	assert.Equal(t, 2, srv.TokenExchanges(), "one new exchange after the revocation")
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{200, 401, 200, 200, 200}, statuses)
}

func TestKOREExpiredTokenCausesOneRefresh(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	srv := koreServer(t, supersimtest.WithTokenLifetime(time.Hour),
		supersimtest.WithClock(func() time.Time { return time.Unix(0, clock.Load()).UTC() }))
	client, err := srv.Client()
	require.NoError(t, err)
	walk := func() error {
		_, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{StartTime: day1, EndTime: day2}).Collect()
		return err
	}
	require.NoError(t, walk())
	clock.Add(int64(2 * time.Hour)) // by the server's clock, the token has expired; the client cannot know
	require.NoError(t, walk())
	assert.Equal(t, 2, srv.TokenExchanges())
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{200, 401, 200}, statuses)
}

func TestKORETokenFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		faults    []supersimtest.Fault
		exchanges int
		check     func(t *testing.T, err error)
	}{
		{"503 then a token", []supersimtest.Fault{supersimtest.FaultStatus(503, 0, "0"), supersimtest.FaultStatus(503, 0, "")}, 3, nil},
		{"429 then a token", []supersimtest.Fault{supersimtest.FaultStatus(429, 0, "")}, 2, nil},
		{"dropped twice, then a token", []supersimtest.Fault{supersimtest.FaultDrop(), supersimtest.FaultDrop()}, 3, nil},
		{"slow, then a token", []supersimtest.Fault{supersimtest.FaultLatency(10 * time.Millisecond)}, 1, nil},
		{"cut mid-body, then a token", []supersimtest.Fault{supersimtest.FaultTruncate(10)}, 2, nil},
		{"refused", []supersimtest.Fault{supersimtest.FaultStatus(401, 0, "")}, 1, func(t *testing.T, err error) {
			require.ErrorIs(t, err, supersim.ErrUnauthorized)
			var tokenErr *supersim.TokenError
			require.ErrorAs(t, err, &tokenErr)
			assert.Equal(t, "invalid_client", tokenErr.Code)
		}},
		{"503 past the retries", []supersimtest.Fault{
			supersimtest.FaultStatus(503, 0, ""), supersimtest.FaultStatus(503, 0, ""), supersimtest.FaultStatus(503, 0, ""),
		}, 3, func(t *testing.T, err error) {
			require.ErrorIs(t, err, supersim.ErrServer)
			var tokenErr *supersim.TokenError
			require.ErrorAs(t, err, &tokenErr)
			assert.Equal(t, "temporarily_unavailable", tokenErr.Code)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := koreServer(t)
			for _, f := range tt.faults {
				srv.InjectTokenFaults(1, f)
			}
			client, err := srv.Client(supersim.WithMaxRetries(2))
			require.NoError(t, err)
			recs, err := client.ListUsageRecords(context.Background(), twoDays).Collect()
			assert.Equal(t, tt.exchanges, srv.TokenExchanges())
			if tt.check == nil {
				require.NoError(t, err)
				assert.Len(t, recs, 4)
				return
			}
			tt.check(t, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), supersimtest.ClientSecret)
			assert.Empty(t, srv.Requests(), "no API request without a token")
		})
	}
}

func TestKOREBadClientCredentialsThroughTheSDK(t *testing.T) {
	t.Parallel()
	srv := koreServer(t)
	const secret = "not-the-SECRET-4f1c"
	client, err := supersim.NewClient(supersim.WithKORE(supersimtest.ClientID, secret), supersim.WithTokenURL(srv.TokenURL()),
		supersim.WithBaseURL(srv.URL), supersim.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), twoDays).Collect()
	require.ErrorIs(t, err, supersim.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), secret)
	assert.Equal(t, 1, srv.TokenExchanges(), "a refusal is not retried")
	assert.Empty(t, srv.Requests())
	var apiErr *supersim.APIError
	assert.False(t, errors.As(err, &apiErr), "the API was never asked")
}

func TestKOREOverTLS(t *testing.T) {
	t.Parallel()
	srv := koreServer(t, supersimtest.WithTLS())
	assert.True(t, strings.HasPrefix(srv.URL, "https://"))
	assert.True(t, strings.HasPrefix(srv.TokenURL(), "https://"))
	client, err := srv.Client()
	require.NoError(t, err)
	recs, err := client.ListUsageRecords(context.Background(), twoDays).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 4)
	assert.Equal(t, 1, srv.TokenExchanges())
}

func TestTokenLifetimeMustBePositive(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, "supersimtest: WithTokenLifetime(0s): the lifetime must be positive", func() {
		supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithTokenLifetime(0), supersimtest.WithSamples(nil))
	})
}
