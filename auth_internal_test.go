package supersim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/oauth2"
)

func TestTokenRenewal(t *testing.T) {
	t.Parallel()
	fetched := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for life, want := range map[time.Duration]time.Duration{
		time.Hour:        time.Hour - 30*time.Second, // replaced 30 s before it expires
		time.Minute:      30 * time.Second,
		20 * time.Second: 10 * time.Second, // a short life: half way through
		time.Second:      500 * time.Millisecond,
		-time.Second:     -time.Second, // expired on arrival: replaced at once
	} {
		token := &oauth2.Token{AccessToken: "x", Expiry: fetched.Add(life)}
		assert.Equal(t, fetched.Add(want), renewal(token, fetched), "life %v", life)
	}
	assert.True(t, renewal(&oauth2.Token{AccessToken: "x"}, fetched).IsZero(), "no expiry: never renewed")
}
