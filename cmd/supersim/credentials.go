package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/apirules"
)

// credentialPair is one pair of environment variables that the SDK reads.
type credentialPair struct {
	provider    string // "Twilio" or "KORE"
	id, secret  string // the variables' names
	what        string // what the pair holds, for -help
	option      func(id, secret string) supersim.Option
	maxPageSize int // the provider's PageSize limit
}

// credentialPairs are the pairs in the order the SDK's NewClient tries
// them: the first complete one wins. They are the SDK's own list
// (internal/apirules), so that the command reads what the SDK reads.
var credentialPairs = pairsOf(apirules.CredentialPairs)

// pairsOf returns the command's view of the SDK's credential pairs: HTTP
// Basic for Twilio (an Account SID or an API Key SID as the user alike),
// OAuth 2.0 client credentials for KORE.
func pairsOf(rules []apirules.CredentialPair) []credentialPair {
	pairs := make([]credentialPair, len(rules))
	for i, r := range rules {
		pairs[i] = credentialPair{"Twilio", r.ID, r.Secret, r.What, supersim.WithCredentials, supersim.MaxPageSize}
		if r.KORE {
			pairs[i] = credentialPair{"KORE", r.ID, r.Secret, r.What, supersim.WithKORE, supersim.MaxKOREPageSize}
		}
	}
	return pairs
}

// credentials is where a run reads usage from.
type credentials struct {
	provider    string          // "Twilio", "KORE" or "demo"
	pair        *credentialPair // nil for the demo
	id, secret  string
	maxPageSize int
	warnings    []string // about the variables that were set and not read
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

// findCredentials returns the first complete pair of credentialPairs in env,
// with a warning for each pair that is half set (ignored, as in the SDK).
// Without a complete pair, its error lists every pair it looked for and
// what is missing. Both name any other TWILIO_ or KORE_ variable (a
// misspelling is the likely cause), by name only.
func findCredentials(env environment) (*credentials, error) {
	var found *credentials
	var b strings.Builder
	b.WriteString("no credentials; looked for, in this order:")
	var halves []string
	for i := range credentialPairs {
		p := &credentialPairs[i]
		id, secret := env.get(p.id), env.get(p.secret)
		state := "neither is set"
		switch {
		case id != "" && secret != "":
			if found == nil {
				found = &credentials{provider: p.provider, pair: p, id: id, secret: secret, maxPageSize: p.maxPageSize}
			}
			continue
		case id != "":
			state = p.secret + " is not set"
		case secret != "":
			state = p.id + " is not set"
		}
		if id != "" || secret != "" {
			halves = append(halves, fmt.Sprintf("%s and %s: %s", p.id, p.secret, state))
		}
		fmt.Fprintf(&b, "\n  %s and %s: %s", p.id, p.secret, state)
	}
	misspelled := ""
	if unknown := unknownVariables(env); len(unknown) > 0 {
		misspelled = "set but not read (misspelled?): " + strings.Join(unknown, ", ")
	}
	if found != nil {
		for _, half := range halves {
			found.warnings = append(found.warnings, "warning: ignored half a pair of credentials, "+half)
		}
		if misspelled != "" && len(halves) > 0 {
			found.warnings = append(found.warnings, "warning: "+misspelled)
		}
		return found, nil
	}
	if misspelled != "" {
		b.WriteString("\n" + misspelled)
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
var credentialsHelp = environmentHelp(credentialPairs)

// environmentHelp writes the environment section of -help for pairs.
func environmentHelp(pairs []credentialPair) string {
	var b strings.Builder
	b.WriteString("Environment (the first complete pair wins, as in the SDK):\n")
	for _, p := range pairs {
		fmt.Fprintf(&b, "  %-39s  %s\n", p.id+", "+p.secret, p.what)
	}
	b.WriteString(`Without a complete pair the command fails (exit 2) unless -demo is given:
-demo reads the demo dataset of the built-in fake API (100 SIMs, 4 fleets,
5 networks, 5 weeks of hourly usage) and no account.
`)
	return b.String()
}
