package supersim_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int
		fixture      string
		sentinel     error
		code         int
		message      string
		wantAttempts int
	}{
		{"404", 404, "error_404.json", supersim.ErrNotFound, 20404, "The requested resource /v1/UsageRecords was not found", 1},
		{"401", 401, "error_401.json", supersim.ErrUnauthorized, 20003, "Authenticate", 1},
		{"400", 400, "error_400.json", nil, 83603, "Query period must be 31 days or less when grouping by Sim.", 1},
		{"429 after every retry", 429, "error_429.json", supersim.ErrRateLimited, 20429, "Too Many Requests", 3},
		{"503 after every retry", 503, "error_503.json", supersim.ErrServer, 20503, "Service Unavailable", 3},
		{"HTML 502 from a proxy", 502, "error_502.html", supersim.ErrServer, 0, `Bad Gateway (HTML body: "502 Bad Gateway")`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handler := serveFixture(t, tt.status, tt.fixture)
			client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Twilio-Request-Id", "RQ123")
				handler(w, r)
			}, supersim.WithMaxRetries(2))
			_, err := client.ListUsageRecords(context.Background(), nil).Collect()
			var apiErr *supersim.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.Status)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Equal(t, "RQ123", apiErr.RequestID)
			assert.Equal(t, tt.wantAttempts, apiErr.Attempts)
			assert.Len(t, api.Requests(), tt.wantAttempts)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			for _, other := range []error{supersim.ErrNotFound, supersim.ErrUnauthorized, supersim.ErrRateLimited, supersim.ErrServer} {
				if other != tt.sentinel {
					assert.NotErrorIs(t, err, other)
				}
			}
			if tt.code != 0 {
				assert.Equal(t, "https://www.twilio.com/docs/errors/"+itoa(tt.code), apiErr.MoreInfo)
			}
			assertNoSecret(t, err.Error())
		})
	}
}

func TestAPIErrorCarriesDetails(t *testing.T) {
	t.Parallel()
	client, _ := newFakeAPI(t, serveFixture(t, 400, "error_400.json"))
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, map[string]any{"parameter": "StartTime"}, apiErr.Details)
	assert.Equal(t, supersim.CodeSimRangeTooLong, apiErr.Code)
	assert.Equal(t, "GET", apiErr.Method)
	assert.Equal(t, endpoint, apiErr.Path)
	assert.Equal(t, "supersim: GET /api/v1/UsageRecords: HTTP 400, Twilio error 83603: Query period must be 31 days or less when grouping by Sim. (https://www.twilio.com/docs/errors/83603)", err.Error())
}

func TestEmptyAndHugeErrorBodies(t *testing.T) {
	t.Parallel()
	t.Run("empty", func(t *testing.T) {
		client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) })
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Forbidden (empty body)", apiErr.Message)
		assert.ErrorIs(t, err, supersim.ErrUnauthorized)
	})
	t.Run("huge", func(t *testing.T) {
		var written atomic.Int64
		client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			chunk := []byte(strings.Repeat("x", 1<<10))
			for range 10 << 10 { // 10 MiB, far past what is read
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		})
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Less(t, len(apiErr.Message), 300)
		assert.True(t, strings.HasPrefix(apiErr.Message, "Bad Request: xxx"))
	})
}

func TestRetriesRecoverFromTransientFailures(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ok := serveFixture(t, 200, "page_billed_string.json")
	client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			serveFixture(t, 503, "error_503.json")(w, r)
		case 2:
			serveFixture(t, 429, "error_429.json")(w, r)
		case 3:
			serveFixture(t, 502, "error_502.html")(w, r)
		default:
			ok(w, r)
		}
	})
	recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 2)
	assert.Len(t, api.Requests(), 4)
	logs := api.logs.String()
	assert.Equal(t, 3, strings.Count(logs, "level=WARN msg=\"supersim: retrying request\""), logs)
	assert.Equal(t, 4, strings.Count(logs, "level=DEBUG msg=\"supersim: request\""), logs)
	assert.Contains(t, logs, "status=503")
	assert.Contains(t, logs, "attempt=4")
	assert.Contains(t, logs, "path="+endpoint)
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 501} {
		client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.Status)
		assert.Len(t, api.Requests(), 1, "status %d was retried", status)
	}
}

// The wait before a retry is the server's Retry-After, in seconds or as an
// HTTP date, capped at a minute; the clock is a synctest bubble's, so the
// waits take no real time and are exact.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// sent is when the first try left: the bubble's clock starts on a
		// whole second (midnight UTC, 2000-01-01) and nothing waits before
		// it, so an HTTP date (whole seconds) can say exactly 3 s later.
		header func(sent time.Time) string
		wait   time.Duration
	}{
		{"seconds", func(time.Time) string { return "2" }, 2 * time.Second},
		{"an HTTP date", func(sent time.Time) string { return sent.Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 3 * time.Second},
		{"an hour, capped", func(time.Time) string { return "3600" }, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var w atomic.Pointer[wire]
			api := startFakeAPI(t, func(rw http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					rw.Header().Set("Retry-After", tt.header(w.Load().sentAt()[0]))
					serveFixture(t, 429, "error_429.json")(rw, r)
					return
				}
				serveFixture(t, 200, "page_billed_string.json")(rw, r)
			})
			synctest.Test(t, func(t *testing.T) {
				w.Store(&wire{})
				client := api.client(t, supersim.WithHTTPClient(w.Load().httpClient(0)))
				_, err := client.ListUsageRecords(context.Background(), nil).Collect()
				require.NoError(t, err)
				sent := w.Load().sentAt()
				require.Len(t, sent, 2)
				// The client's own backoff is 1 to 5 ms here.
				gap := sent[1].Sub(sent[0])
				assert.GreaterOrEqual(t, gap, tt.wait, "Retry-After ignored")
				assert.LessOrEqual(t, gap, tt.wait+5*time.Millisecond, "waited past the Retry-After or its cap")
			})
		})
	}
}

func TestContextEndsTheRetryWait(t *testing.T) {
	t.Parallel()
	api := startFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		serveFixture(t, 429, "error_429.json")(w, r)
	})
	synctest.Test(t, func(t *testing.T) {
		client := api.client(t, inBubble(nil))
		began := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := client.ListUsageRecords(ctx, nil).Collect()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 50*time.Millisecond, time.Since(began), "the retry wait ended with the context, not a minute later")
		assert.Len(t, api.Requests(), 1)
	})
}

func TestDroppedConnectionsAreRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ok := serveFixture(t, 200, "page_billed_string.json")
	full := fixture(t, "page_billed_string.json")
	client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1: // the connection dies before any header
			conn, _, err := w.(http.Hijacker).Hijack()
			if assert.NoError(t, err) { // never require off the test's goroutine
				conn.Close()
			}
		case 2: // the body is cut off mid-JSON
			w.Header().Set("Content-Length", itoa(len(full)))
			w.Write(full[:len(full)/2])
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		default:
			ok(w, r)
		}
	})
	recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 2)
	assert.Len(t, api.Requests(), 3)
}

func TestRetriesSpentOnConnectionErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	client, err := supersim.NewClient(supersim.WithBaseURL("http://"+addr),
		supersim.WithCredentials(testAccountSID, testAuthToken),
		supersim.WithRetryWait(time.Millisecond, 2*time.Millisecond), supersim.WithMaxRetries(2))
	require.NoError(t, err)
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after 3 attempts")
	assert.Contains(t, err.Error(), "connection refused")
	var apiErr *supersim.APIError
	assert.False(t, errors.As(err, &apiErr))
	assertNoSecret(t, err.Error())
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int32
	var gotAuth atomic.Bool
	other := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		if _, _, ok := r.BasicAuth(); ok {
			gotAuth.Store(true)
		}
		serveFixture(t, 200, "page_billed_string.json")(w, r)
	})
	t.Run("to another origin: not followed", func(t *testing.T) {
		client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1/UsageRecords", http.StatusFound)
		})
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusFound, apiErr.Status)
		assert.Contains(t, apiErr.Message, "not followed")
		assert.Zero(t, otherHits.Load())
		assert.False(t, gotAuth.Load())
	})
	t.Run("a loop within the origin: stopped, not retried", func(t *testing.T) {
		client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, endpoint+"?again=1", http.StatusFound)
		})
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "stopped after 10 redirects")
		assert.Len(t, api.Requests(), 10, "one try of 10 requests, not retried")
	})
	t.Run("within the origin: followed with credentials", func(t *testing.T) {
		var redirected atomic.Bool
		client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			if redirected.CompareAndSwap(false, true) {
				http.Redirect(w, r, endpoint+"?moved=1", http.StatusTemporaryRedirect)
				return
			}
			serveFixture(t, 200, "page_billed_string.json")(w, r)
		})
		recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
		require.NoError(t, err)
		assert.Len(t, recs, 2)
		reqs := api.Requests()
		require.Len(t, reqs, 2)
		_, pass, ok := reqs[1].BasicAuth()
		assert.True(t, ok)
		assert.Equal(t, testAuthToken, pass)
	})
}

func TestEchoedCredentialsAreRedactedFromAPIErrors(t *testing.T) {
	t.Parallel()
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad request; you sent Authorization: %s", r.Header.Get("Authorization"))
	}
	client, _ := newFakeAPI(t, echo)
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "[redacted]")
	assertNoSecret(t, apiErr.Message)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, apiErr))

	jsonEcho := func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code": 20001, "message": "user %s password %s", "details": {"auth": %q}}`, user, pass, r.Header.Get("Authorization"))
	}
	client, _ = newFakeAPI(t, jsonEcho)
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 20001, apiErr.Code)
	assertNoSecret(t, fmt.Sprintf("%v %+v", err, apiErr.Details))
}

func TestErrorsSaySupersimOnce(t *testing.T) {
	t.Parallel()
	client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"usage_records": [], "meta": {"key": "sims"}}`)
	})
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.ErrorIs(t, err, supersim.ErrInvalidResponse)
	assert.Equal(t, 1, strings.Count(err.Error(), "supersim:"), err.Error())
}

func TestEchoedSecretAcrossTheBodyLimitIsCutOutWhole(t *testing.T) {
	t.Parallel()
	for cut := 1; cut < 12; cut += 5 {
		client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			echo := "token=" + testAuthToken
			// The 64 KiB limit falls cut bytes into the echoed token.
			fmt.Fprint(w, strings.Repeat("x", 64<<10-len("token=")-cut)+" "+echo)
		})
		_, err := client.ListUsageRecords(context.Background(), nil).Collect()
		var apiErr *supersim.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.NotContains(t, apiErr.Message, testAuthToken[:5], "cut %d", cut)
	}
}

func TestAPIErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code": 20001, "message": "bad\nlevel=ERROR msg=forged\r\n", "more_info": "https://x\n"}`)
	})
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "\r")
}

func TestAttemptsCountTriesNotRedirectHops(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Redirect(w, r, endpoint+"?moved=1", http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}, supersim.WithMaxRetries(2))
	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 3, apiErr.Attempts)
}
