package supersimtest

import "time"

// Option configures a [Server].
type Option func(*settings)

type settings struct {
	data        Account
	dataSet     bool
	demoSeed    uint64
	clock       func() time.Time
	tls         bool
	numbers     bool
	accountSID  string
	authToken   string
	apiKey      string
	apiSecret   string
	maxInFlight int
	kore        bool
	lifetime    time.Duration
}

// WithAccount serves a instead of the demo account ([DemoAccount]): its
// fleets, SIMs, networks, billing periods and usage samples.
func WithAccount(a Account) Option {
	return func(s *settings) { s.data, s.dataSet = a, true }
}

// WithSamples serves these samples, and no fleets, SIMs, networks or
// billing periods, instead of the demo account: WithAccount(Account{Samples:
// samples}). nil or an empty slice serves no usage at all.
func WithSamples(samples []Sample) Option {
	return WithAccount(Account{Samples: samples})
}

// WithDemoSeed seeds the demo account (see [DemoAccount]).
func WithDemoSeed(seed uint64) Option {
	return func(s *settings) { s.demoSeed = seed }
}

// WithClock sets the server's clock: the default EndTime, the 18-month
// limit on StartTime and the end of the demo dataset. The default is
// time.Now. KORE-mode tokens expire by it too.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.clock = now }
}

// WithTLS serves HTTPS; use [Server.Client] or [Server.HTTPClient], which
// trust its certificate.
func WithTLS() Option {
	return func(s *settings) { s.tls = true }
}

// WithBilledAsNumber sends data_total_billed as a JSON number (0.03)
// instead of the JSON string ("0.03") Twilio's examples show.
func WithBilledAsNumber() Option {
	return func(s *settings) { s.numbers = true }
}

// WithCredentials sets the Account SID and Auth Token the server accepts
// (and the account_sid of every record), and the API key pair.
func WithCredentials(accountSID, authToken, apiKey, apiSecret string) Option {
	return func(s *settings) {
		s.accountSID, s.authToken, s.apiKey, s.apiSecret = accountSID, authToken, apiKey, apiSecret
	}
}

// WithMaxInFlight caps the API requests the server works on at once at n
// (0, the default, for no cap), as a rate-limited API would: a request
// that arrives while n others are in flight is refused at once with 429
// and Twilio code 20429, without a Retry-After header, and takes no
// queued Fault. A request is in flight from its arrival until its answer
// is written or its client gives up, latency and stalls included.
// [Server.Stats] counts the requests served and refused and the peak in
// flight; [Request.Refused] marks the refused ones in the log.
func WithMaxInFlight(n int) Option {
	return func(s *settings) { s.maxInFlight = n }
}

// WithKORE serves the API as KORE does instead of Twilio: OAuth 2.0
// client-credentials Bearer tokens from a token endpoint on a second
// origin ([Server.TokenURL]), and PageSize 1–249 for usage records. See the package
// documentation for what it checks; [Server.Client] is configured for it.
func WithKORE() Option {
	return func(s *settings) { s.kore = true }
}

// WithTokenLifetime sets how long the tokens of a KORE-mode server last
// (default [DefaultTokenLifetime]), by the server's clock ([WithClock]).
// The token answer's expires_in is d in whole seconds, rounded up; the
// server enforces d exactly. NewServer panics if d is not positive.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *settings) { s.lifetime = d }
}
