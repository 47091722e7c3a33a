package main

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// shortenSIDsNaive is the former shortenSIDs: a pass per number of leading
// digits, the reference the fast one must agree with.
func shortenSIDsNaive(names []string) []string {
	pattern := regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)
	for lead := 4; lead < 28; lead++ {
		short := make([]string, len(names))
		for i, n := range names {
			short[i] = n
			if pattern.MatchString(n) {
				short[i] = n[:2+lead] + "…" + n[len(n)-4:]
			}
		}
		sorted := slices.Clone(short)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) == len(short) {
			return short
		}
	}
	return names
}

func TestShortenSIDsCases(t *testing.T) {
	sid := func(s string) string { return s + strings.Repeat("0", 34-len(s)) }
	cases := [][]string{
		nil,
		{},
		{"HSc2a5000000000000000000000000006267"[:34]},
		{"(none)", "DE", "DE"},
		{sid("HSc2a5"), sid("HSc2a5")},
		{sid("HSc2a5"), sid("HSc2a6")},
		{sid("HSc2a5aaaaaaaaaa"), sid("HSc2a5aaaaaaaaab")},
		{sid("HS") + "", "HS0000…0000"},                                                     // a name that equals the short SID
		{sid("HS"), "HS0000…0000", "HS00000…0000"},                                          // and the next one too
		{sid("HSC2A5"), sid("HSc2a5"), "hsc2a5" + sid("")},                                  // upper-case hex, no SID
		{sid("HSaaaaaaaaaaaaaaaaaaaaaaaaaaa0") + "", sid("HSaaaaaaaaaaaaaaaaaaaaaaaaaaa1")}, // differ at the last kept digit
		{sid("HSaaaaaaaaaaaaaaaaaaaaaaaaaaaa0"), sid("HSaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")},    // only at the dropped one
		{"XX", "HSc2a5…6267", "(none)"},
	}
	for _, names := range cases {
		if got, want := shortenSIDs(names), shortenSIDsNaive(names); !slices.Equal(got, want) {
			t.Errorf("shortenSIDs(%q) = %q, want %q", names, got, want)
		}
	}
}

func TestShortenSIDsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const hex = "0123456789abcdefA"
	for range 3000 {
		var names []string
		base := []byte("HS" + strings.Repeat("c", 32))
		for range rng.IntN(12) {
			s := slices.Clone(base)
			for range rng.IntN(4) {
				s[2+rng.IntN(32)] = hex[rng.IntN(len(hex))]
			}
			switch rng.IntN(10) {
			case 0:
				names = append(names, string(s[:2+4+rng.IntN(3)])+"…"+string(s[30:]))
			case 1:
				names = append(names, "DE")
			default:
				names = append(names, string(s))
			}
		}
		if got, want := shortenSIDs(names), shortenSIDsNaive(names); !slices.Equal(got, want) {
			t.Fatalf("shortenSIDs(%q) = %q, want %q", names, got, want)
		}
	}
}
