package supersim

import (
	"context"
	"fmt"
	"runtime"
	"strings"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// Client reads Super SIM usage from Twilio's API or KORE's. Make one with
// [NewClient] and share it: a Client is safe for concurrent use by many
// goroutines, and every call it makes honours its context. Its walks share
// one adaptive limit of requests in flight, which follows the account's
// concurrency limit, and one retry budget; with KORE, one Bearer token.
type Client struct {
	// UsageRecords lists usage records: GET /v1/UsageRecords.
	UsageRecords *UsageRecordsService

	transport *transport
	provider  Provider
}

// UsageRecordsLister is what code that reads usage needs from a [Client].
// Depend on it rather than on *Client, and pass a fake in tests: one built on
// [NewSliceIterator], or a real Client pointed at a supersimtest server.
type UsageRecordsLister interface {
	ListUsageRecords(ctx context.Context, opts *ListUsageRecordsOptions) *Iterator[UsageRecord]
}

var _ UsageRecordsLister = (*Client)(nil)

// NewClient returns a Client configured by opts. Without a credential
// option ([WithCredentials], [WithAPIKey], [WithKORE] or [WithTokenSource])
// it reads TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or else
// TWILIO_API_KEY and TWILIO_API_SECRET, or else KORE_CLIENT_ID and
// KORE_CLIENT_SECRET (a KORE client), and fails with [ErrNoCredentials]
// when no pair is complete. An option given bad input, or two credential
// options, make it fail with an error wrapping [ErrInvalidOption] that
// names the option.
func NewClient(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(cfg); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidOption, err)
		}
	}
	if err := cfg.finish(); err != nil {
		return nil, err
	}
	c := &Client{transport: newTransport(cfg), provider: cfg.provider}
	c.UsageRecords = &UsageRecordsService{client: c}
	return c, nil
}

// Provider reports whose API the Client reads: [ProviderTwilio] or
// [ProviderKORE].
func (c *Client) Provider() Provider { return c.provider }

// ListUsageRecords is a shortcut for c.UsageRecords.List(ctx, opts).
func (c *Client) ListUsageRecords(ctx context.Context, opts *ListUsageRecordsOptions) *Iterator[UsageRecord] {
	return c.UsageRecords.List(ctx, opts)
}

// userAgent is the SDK's User-Agent, with the caller's suffix if any.
func userAgent(suffix string) string {
	ua := fmt.Sprintf("supersim-go/%s (%s/%s) go/%s", Version, runtime.GOOS, runtime.GOARCH,
		strings.TrimPrefix(runtime.Version(), "go"))
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}
