package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-3", 0, false},
		{"86400", MaxRetryAfter, true},
		{"99999999999999999999", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0, true},
		{now.Add(time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		resp := &http.Response{Header: http.Header{}}
		if tt.header != "" {
			resp.Header.Set("Retry-After", tt.header)
		}
		got, ok := RetryAfter(resp, now)
		assert.Equal(t, tt.ok, ok, tt.header)
		assert.Equal(t, tt.want, got, tt.header)
	}
	_, ok := RetryAfter(nil, now)
	assert.False(t, ok)
}

func TestJitterStaysInBounds(t *testing.T) {
	min, max := 10*time.Millisecond, 300*time.Millisecond
	for attempt := 0; attempt < 70; attempt++ {
		ceiling := max
		if attempt < 5 {
			ceiling = min << attempt
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			w := Jitter(min, max, attempt)
			assert.GreaterOrEqual(t, w, min)
			assert.LessOrEqual(t, w, ceiling, "attempt %d", attempt)
			seen[w] = true
		}
		if attempt > 0 {
			assert.Greater(t, len(seen), 1, "no jitter at attempt %d", attempt)
		}
	}
	assert.Equal(t, time.Duration(0), Jitter(0, 0, 3))
	for attempt := range 70 { // extreme bounds are clamped, never an overflow or a panic
		w := Jitter(0, time.Duration(math.MaxInt64), attempt)
		assert.LessOrEqual(t, w, MaxWait)
		assert.GreaterOrEqual(t, w, time.Duration(0))
		assert.Equal(t, MaxWait, Jitter(time.Duration(math.MaxInt64), time.Duration(math.MaxInt64), attempt))
	}
	assert.Equal(t, 5*time.Millisecond, Jitter(5*time.Millisecond, 5*time.Millisecond, 3))
}

func TestBackoffPrefersRetryAfter(t *testing.T) {
	var heard []time.Duration
	backoff := Backoff(func(wait time.Duration, attempt int, resp *http.Response) { heard = append(heard, wait) })
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"2"}}}
	assert.Equal(t, 2*time.Second, backoff(time.Millisecond, 5*time.Millisecond, 0, resp))
	w := backoff(time.Millisecond, 5*time.Millisecond, 1, nil)
	assert.LessOrEqual(t, w, 2*time.Millisecond)
	assert.Equal(t, []time.Duration{2 * time.Second, w}, heard)
}

func TestPolicy(t *testing.T) {
	ctx := context.Background()
	for status, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 429: true, 500: true, 501: false, 502: true, 503: true, 504: true, 505: false} {
		got, err := Policy(ctx, &http.Response{StatusCode: status}, nil)
		assert.NoError(t, err)
		assert.Equal(t, want, got, "status %d", status)
	}
	resp := &http.Response{StatusCode: 200}
	got, _ := Policy(ctx, resp, fmt.Errorf("decode: %w", io.ErrUnexpectedEOF))
	assert.True(t, got, "a body cut short is retried")
	got, _ = Policy(ctx, resp, errors.New("invalid character '<'"))
	assert.False(t, got, "a body read whole but wrong is not")
	redirects := &url.Error{Op: "Get", URL: "https://api.example.com/v1", Err: errors.New("stopped after 10 redirects")}
	got, _ = Policy(ctx, &http.Response{StatusCode: 302}, redirects)
	assert.False(t, got, "a redirect loop is final, though *url.Error is a net.Error")
	got, _ = Policy(ctx, nil, errors.New("connection reset by peer"))
	assert.True(t, got, "connection errors are retried")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	got, err := Policy(cancelled, &http.Response{StatusCode: 503}, nil)
	assert.False(t, got)
	assert.ErrorIs(t, err, context.Canceled)
}
