package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/supersimkit/supersim"
)

// credentialPair is one pair of environment variables that the SDK reads.
type credentialPair struct {
	provider    string // "Twilio" or "KORE"
	id, secret  string // the variables' names
	option      func(id, secret string) supersim.Option
	maxPageSize int // the provider's PageSize limit
}

// credentialPairs are the pairs in the order the SDK's NewClient tries
// them: the first complete one wins.
var credentialPairs = []credentialPair{
	{"Twilio", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", supersim.WithCredentials, supersim.MaxPageSize},
	{"Twilio", "TWILIO_API_KEY", "TWILIO_API_SECRET", supersim.WithAPIKey, supersim.MaxPageSize},
	{"KORE", "KORE_CLIENT_ID", "KORE_CLIENT_SECRET", supersim.WithKORE, supersim.MaxKOREPageSize},
}

// credentials is where a run reads usage from.
type credentials struct {
	provider    string          // "Twilio", "KORE" or "demo"
	pair        *credentialPair // nil for the demo
	id, secret  string
	maxPageSize int
}

// describe names the source for the stderr line and the report header,
// without the secret.
func (c *credentials) describe() string {
	if c.pair == nil {
		return "demo data from the built-in fake API (no account needed)"
	}
	return fmt.Sprintf("%s, credentials from %s and %s", c.provider, c.pair.id, c.pair.secret)
}

// demoCredentials are those of a -demo run.
var demoCredentials = credentials{provider: "demo", maxPageSize: supersim.MaxPageSize}

// environment is KEY=value pairs, as from os.Environ; a later pair wins.
type environment []string

// get returns the value of key, or "".
func (e environment) get(key string) string {
	for _, kv := range slices.Backward(e) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// findCredentials returns the first complete pair of credentialPairs in env.
// Without one, its error lists every pair it looked for and what is
// missing, and any other TWILIO_ or KORE_ variable (a misspelling is the
// likely cause), by name only.
func findCredentials(env environment) (*credentials, error) {
	var b strings.Builder
	b.WriteString("no credentials; looked for, in this order:")
	for i := range credentialPairs {
		p := &credentialPairs[i]
		id, secret := env.get(p.id), env.get(p.secret)
		state := "neither is set"
		switch {
		case id != "" && secret != "":
			return &credentials{provider: p.provider, pair: p, id: id, secret: secret, maxPageSize: p.maxPageSize}, nil
		case id != "":
			state = p.secret + " is not set"
		case secret != "":
			state = p.id + " is not set"
		}
		fmt.Fprintf(&b, "\n  %s and %s: %s", p.id, p.secret, state)
	}
	if unknown := unknownVariables(env); len(unknown) > 0 {
		fmt.Fprintf(&b, "\nset but not read (misspelled?): %s", strings.Join(unknown, ", "))
	}
	b.WriteString("\nSet one pair, or run with -demo for demo data.")
	return nil, errors.New(b.String())
}

// unknownVariables lists the TWILIO_ and KORE_ variables set in env that
// are not credential variables, by name only.
func unknownVariables(env environment) []string {
	var names []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "TWILIO_") && !strings.HasPrefix(name, "KORE_") {
			continue
		}
		known := slices.ContainsFunc(credentialPairs, func(p credentialPair) bool { return p.id == name || p.secret == name })
		if !known && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// credentialsHelp is the environment section of every -help.
const credentialsHelp = `Environment (the first complete pair wins, as in the SDK):
  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN    Twilio: Account SID and Auth Token
  TWILIO_API_KEY, TWILIO_API_SECRET        Twilio: API Key SID and secret
  KORE_CLIENT_ID, KORE_CLIENT_SECRET       KORE: OAuth 2.0 client credentials
Without a complete pair the command fails (exit 2) unless -demo is given:
-demo reads the demo dataset of the built-in fake API (100 SIMs, 4 fleets,
5 networks, 5 weeks of hourly usage) and no account.
`
