package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// The command is given its environment as a list, so these tests need no
// t.Setenv and run in parallel; main passes os.Environ (see signal_test.go
// for a run with a real process environment).

func TestNoCredentialsExit2NamingTheVariables(t *testing.T) {
	t.Parallel()
	allPairs := []string{"TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", "TWILIO_API_KEY and TWILIO_API_SECRET", "KORE_CLIENT_ID and KORE_CLIENT_SECRET"}
	for _, tt := range []struct {
		name string
		env  []string
		want []string
	}{
		{"nothing set", []string{"HOME=/root"}, []string{"neither is set", "-demo"}},
		{"misspelled token", []string{"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKN=" + supersimtest.AuthToken},
			[]string{"TWILIO_AUTH_TOKEN is not set", "set but not read (misspelled?): TWILIO_AUTH_TOKN"}},
		{"empty token", []string{"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKEN="}, []string{"TWILIO_AUTH_TOKEN is not set"}},
		{"secret without key", []string{"TWILIO_API_SECRET=" + supersimtest.APISecret}, []string{"TWILIO_API_KEY is not set"}},
		{"KORE id only", []string{"KORE_CLIENT_ID=client", "KORE_CLIENTSECRET=s3cr3t-kore"}, []string{"KORE_CLIENT_SECRET is not set", "KORE_CLIENTSECRET"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range []string{"usage", "export"} {
				r := runCmd(t, tt.env, cmd)
				assert.Equal(t, exitUsage, r.code, "no demo data in place of an account")
				assert.Empty(t, r.stdout)
				for _, want := range append(allPairs, tt.want...) {
					assert.Contains(t, r.stderr, want)
				}
				for _, secret := range []string{supersimtest.AuthToken, supersimtest.APISecret, "s3cr3t-kore"} {
					assert.NotContains(t, r.stderr, secret, "names only, never values")
				}
			}
		})
	}
}

func TestCredentialPairsInTheSDKsOrder(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tt := range []struct {
		name     string
		env      []string
		auth     supersimtest.AuthKind
		stderr   string
		provider string
	}{
		{"account pair", twilioEnv(), supersimtest.AuthAccount,
			"reading Twilio, credentials from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN at " + srv.URL, `"provider": "Twilio"`},
		{"API key pair", []string{"TWILIO_API_KEY=" + supersimtest.APIKey, "TWILIO_API_SECRET=" + supersimtest.APISecret}, supersimtest.AuthAPIKey,
			"reading Twilio, credentials from TWILIO_API_KEY and TWILIO_API_SECRET", `"provider": "Twilio"`},
		{"account pair first", append(twilioEnv(), "TWILIO_API_KEY=SKnope", "TWILIO_API_SECRET=nope"), supersimtest.AuthAccount,
			"TWILIO_ACCOUNT_SID", `"provider": "Twilio"`},
		{"a complete pair wins over a half one", []string{"TWILIO_ACCOUNT_SID=ACnope", "TWILIO_API_KEY=" + supersimtest.APIKey, "TWILIO_API_SECRET=" + supersimtest.APISecret},
			supersimtest.AuthAPIKey, "TWILIO_API_KEY", `"provider": "Twilio"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			r := runCmd(t, tt.env, "usage", "-base-url", srv.URL, "-format", "json")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			assert.Contains(t, r.stdout, tt.provider)
			reqs := srv.Requests()[before:]
			require.NotEmpty(t, reqs)
			assert.Equal(t, tt.auth, reqs[0].Auth)
			assert.Equal(t, "1000", reqs[0].Query.Get("PageSize"), "Twilio's largest page by default")
		})
	}
}

func TestKORECredentials(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithClock(clock))
	t.Cleanup(srv.Close)
	env := []string{"KORE_CLIENT_ID=" + supersimtest.ClientID, "KORE_CLIENT_SECRET=" + supersimtest.ClientSecret}
	r := runCmd(t, env, "usage", "-base-url", srv.URL, "-token-url", srv.TokenURL(), "-format", "json", "-group", "fleet")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "reading KORE, credentials from KORE_CLIENT_ID and KORE_CLIENT_SECRET at "+srv.URL)
	assert.Contains(t, r.stdout, `"provider": "KORE"`)
	assert.NotContains(t, r.stderr, supersimtest.ClientSecret)
	reqs := requestsTo(srv)["/v1/UsageRecords"]
	require.NotEmpty(t, reqs)
	assert.Equal(t, "249", reqs[0].Get("PageSize"), "KORE's largest page by default")
	for _, req := range srv.Requests() {
		assert.Equal(t, supersimtest.AuthBearer, req.Auth, req.Path)
	}

	r = runCmd(t, env, "usage", "-base-url", srv.URL, "-token-url", srv.TokenURL(), "-page-size", "250")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-page-size 250: KORE allows at most 249")

	// A refused client secret: exit 1, the OAuth error named, the secret not.
	bad := []string{"KORE_CLIENT_ID=" + supersimtest.ClientID, "KORE_CLIENT_SECRET=s3cr3t-kore"}
	r = runCmd(t, bad, "usage", "-base-url", srv.URL, "-token-url", srv.TokenURL())
	assert.Equal(t, exitAPIError, r.code)
	assert.Contains(t, r.stderr, "invalid_client")
	assert.Contains(t, r.stderr, "(credentials from KORE_CLIENT_ID and KORE_CLIENT_SECRET)")
	assert.NotContains(t, r.stderr, "s3cr3t-kore")

	// -token-url is KORE's alone.
	r = runCmd(t, twilioEnv(), "usage", "-token-url", srv.TokenURL())
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-token-url is for KORE credentials")
}

func TestRefusedCredentialsExit1WithTwilioCodeAndNoSecret(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	env := []string{"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKEN=wrong-token-123"}
	for _, cmd := range []string{"usage", "export"} {
		r := runCmd(t, env, cmd, "-base-url", srv.URL)
		assert.Equal(t, exitAPIError, r.code, cmd)
		assert.Contains(t, r.stderr, "Twilio error 20003", cmd)
		assert.Contains(t, r.stderr, "(credentials from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)", cmd)
		assert.NotContains(t, r.stderr, "wrong-token-123", cmd)
		assert.NotContains(t, r.stderr, "supersim: supersim:", cmd)
		if cmd == "usage" {
			assert.Empty(t, r.stdout, "no report from a failed walk")
		}
	}

	// The API's own refusals (a range too long for Group sim, should one
	// get past the command's checks) come through too, as API errors. A
	// failed usage walk fails the report whatever the names walk did.
	srv.InjectFaults(1, supersimtest.FaultStatus(http.StatusBadRequest, supersim.CodeSimRangeTooLong, ""))
	r := runCmd(t, twilioEnv(), "usage", "-base-url", srv.URL, "-group", "sim", "-names=false") // the fault for the usage walk, not the names
	assert.Equal(t, exitAPIError, r.code)
	assert.Contains(t, r.stderr, "Twilio error 83603")
	assert.Equal(t, 1, strings.Count(r.stderr, "Twilio error 83603"), "said once")
}

func TestDemoAndBaseURLDoNotGoTogether(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "usage", "-demo", "-base-url", "http://127.0.0.1:1")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-base-url and -token-url do not go with -demo")
}

// TestHalfSetPairsAreIgnoredWithAWarning reads KORE with a Twilio pair
// whose token is misspelled: the run goes on with KORE and says which
// half pair it ignored, by name only.
func TestHalfSetPairsAreIgnoredWithAWarning(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithClock(clock))
	t.Cleanup(srv.Close)
	env := []string{"KORE_CLIENT_ID=" + supersimtest.ClientID, "KORE_CLIENT_SECRET=" + supersimtest.ClientSecret,
		"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKN=" + supersimtest.AuthToken}
	r := runCmd(t, env, "usage", "-base-url", srv.URL, "-token-url", srv.TokenURL(), "-format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "supersim: warning: ignored half a pair of credentials, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: TWILIO_AUTH_TOKEN is not set\n")
	assert.Contains(t, r.stderr, "supersim: warning: set but not read (misspelled?): TWILIO_AUTH_TOKN\n")
	assert.Contains(t, r.stderr, "reading KORE, credentials from KORE_CLIENT_ID and KORE_CLIENT_SECRET")
	assert.NotContains(t, r.stderr, supersimtest.AuthToken)
	assert.NotContains(t, r.stderr, supersimtest.ClientSecret)

	// A complete pair and nothing half set: no warning.
	r = runCmd(t, env[:2], "usage", "-base-url", srv.URL, "-token-url", srv.TokenURL(), "-format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "warning")
}
