package supersim_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

func TestNewClientRejectsBadOptions(t *testing.T) {
	t.Parallel()
	creds := supersim.WithCredentials(testAccountSID, testAuthToken)
	tests := []struct {
		name   string
		option supersim.Option
		want   string
	}{
		{"base URL not a URL", supersim.WithBaseURL("http://[::1"), "WithBaseURL"},
		{"base URL relative", supersim.WithBaseURL("/v1"), "scheme must be http or https"},
		{"base URL ftp", supersim.WithBaseURL("ftp://example.com"), "scheme must be http or https"},
		{"base URL no host", supersim.WithBaseURL("https://"), "no host"},
		{"base URL with user info", supersim.WithBaseURL("https://AC1:" + testAuthToken + "@example.com"), "must not carry credentials"},
		{"base URL with query", supersim.WithBaseURL("https://example.com?x=1"), "no query"},
		{"base URL with credentials and a bad port", supersim.WithBaseURL("https://user:" + testAuthToken + "@host:bad"), "must not carry credentials"},
		{"base URL with credentials, no slashes", supersim.WithBaseURL("user:" + testAuthToken + "@host"), "must not carry credentials"},
		{"base URL with credentials, opaque", supersim.WithBaseURL("https:user:" + testAuthToken + "@host"), "must not carry credentials"},
		{"base URL with credentials, three slashes", supersim.WithBaseURL("https:///user:" + testAuthToken + "@host"), "must not carry credentials"},
		{"token URL with credentials, opaque", supersim.WithTokenURL("ftp:user:" + testAuthToken + "@host"), "must not carry credentials"},
		{"retry wait without bound", supersim.WithRetryWait(0, time.Duration(math.MaxInt64)), "over the 1h0m0s limit"},
		{"nil HTTP client", supersim.WithHTTPClient(nil), "nil *http.Client"},
		{"negative retries", supersim.WithMaxRetries(-1), "negative"},
		{"negative wait", supersim.WithRetryWait(-time.Second, time.Second), "negative wait"},
		{"min above max", supersim.WithRetryWait(2*time.Second, time.Second), "greater than max"},
		{"user agent with newline", supersim.WithUserAgent("app\r\nX-Evil: 1"), "control character"},
		{"credentials without token", supersim.WithCredentials(testAccountSID, ""), "must both be set"},
		{"API key without SID", supersim.WithAPIKey("", testAuthToken), "must both be set"},
		{"account SID with colon", supersim.WithCredentials("AC:1", testAuthToken), "must not contain ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := supersim.NewClient(creds, tt.option)
			require.Error(t, err)
			assert.Nil(t, client)
			assert.ErrorIs(t, err, supersim.ErrInvalidOption)
			assert.Contains(t, err.Error(), tt.want)
			assertNoSecret(t, err.Error())
		})
	}
}

func TestNewClientCredentials(t *testing.T) {
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"} {
		t.Setenv(name, "")
	}
	_, err := supersim.NewClient()
	require.ErrorIs(t, err, supersim.ErrNoCredentials)

	tests := []struct {
		name               string
		env                map[string]string
		opts               []supersim.Option
		wantUser, wantPass string
	}{
		{"account pair from env", map[string]string{"TWILIO_ACCOUNT_SID": "ACenv", "TWILIO_AUTH_TOKEN": "envtoken"}, nil, "ACenv", "envtoken"},
		{"API key pair from env", map[string]string{"TWILIO_API_KEY": "SKenv", "TWILIO_API_SECRET": "envsecret"}, nil, "SKenv", "envsecret"},
		{"half an account pair falls through to the key pair", map[string]string{"TWILIO_ACCOUNT_SID": "ACenv", "TWILIO_API_KEY": "SKenv", "TWILIO_API_SECRET": "envsecret"}, nil, "SKenv", "envsecret"},
		{"option beats env", map[string]string{"TWILIO_ACCOUNT_SID": "ACenv", "TWILIO_AUTH_TOKEN": "envtoken"}, []supersim.Option{supersim.WithAPIKey("SKopt", "optsecret")}, "SKopt", "optsecret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var user, pass string
			var ok bool
			srv := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
				user, pass, ok = r.BasicAuth()
				serveFixture(t, 200, "page_billed_string.json")(w, r)
			})
			client, err := supersim.NewClient(append(tt.opts, supersim.WithBaseURL(srv.URL))...)
			require.NoError(t, err)
			_, err = client.ListUsageRecords(context.Background(), nil).Collect()
			require.NoError(t, err)
			require.True(t, ok, "no basic auth sent")
			assert.Equal(t, tt.wantUser, user)
			assert.Equal(t, tt.wantPass, pass)
		})
	}
}

func TestClientIsNotPrintedWithSecrets(t *testing.T) {
	t.Parallel()
	client, err := supersim.NewClient(supersim.WithCredentials(testAccountSID, testAuthToken))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assertNoSecret(t, fmt.Sprintf(verb, client))
		assertNoSecret(t, fmt.Sprintf(verb, *client))
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"), supersim.WithUserAgent("billing-export/2.1"))
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	reqs := api.Requests()
	require.Len(t, reqs, 1)
	want := fmt.Sprintf("supersim-go/%s (%s/%s) go/%s billing-export/2.1", supersim.Version,
		runtime.GOOS, runtime.GOARCH, strings.TrimPrefix(runtime.Version(), "go"))
	assert.Equal(t, want, reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Accept"))
	user, pass, ok := reqs[0].BasicAuth()
	require.True(t, ok)
	assert.Equal(t, testAccountSID, user)
	assert.Equal(t, testAuthToken, pass)
}

func TestWithHTTPClientKeepsCallersClientIntact(t *testing.T) {
	t.Parallel()
	var used int
	mine := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used++
		return http.DefaultTransport.RoundTrip(r)
	})}
	before := *mine
	client, _ := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"), supersim.WithHTTPClient(mine))
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, 1, used, "the caller's transport carries the requests")
	assert.Nil(t, mine.CheckRedirect, "the caller's client was changed")
	assert.Equal(t, fmt.Sprintf("%p", before.Transport), fmt.Sprintf("%p", mine.Transport))
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	records := makeRecords(95)
	client, api := newFakeAPI(t, pagedHandler(t, records, 10, ""))
	const walkers = 8
	var wg sync.WaitGroup
	results := make([][]supersim.UsageRecord, walkers)
	errs := make([]error, walkers)
	for i := range walkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10}).Collect()
		}()
	}
	wg.Wait()
	for i := range walkers {
		require.NoError(t, errs[i])
		assertSameRecords(t, records, results[i])
	}
	assert.Len(t, api.Requests(), walkers*10)
}

// assertSameRecords compares records field by field, amounts as text.
func assertSameRecords(t *testing.T, want, got []supersim.UsageRecord) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i], got[i], "record %d", i)
	}
}

func TestContextErrorsAreReturned(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := client.ListUsageRecords(ctx, nil).Collect()
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, api.Requests())
	assert.False(t, errors.Is(err, supersim.ErrInvalidResponse))
}
