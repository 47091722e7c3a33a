package main

import (
	"regexp"
	"slices"
)

// sidPattern is a Twilio SID: two letters and 32 hex digits.
var sidPattern = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// shortenSIDs shortens the SIDs among names to their two letters, the
// first hex digits, "…" and the last four ("HSc2a5…6267"), with as few
// leading digits (four or more) as keep every name distinct. Other names
// are left alone.
func shortenSIDs(names []string) []string {
	for lead := 4; lead < 28; lead++ {
		short := make([]string, len(names))
		for i, n := range names {
			short[i] = n
			if sidPattern.MatchString(n) {
				short[i] = n[:2+lead] + "…" + n[len(n)-4:]
			}
		}
		if distinct(short) {
			return short
		}
	}
	return names
}

// distinct reports whether no string occurs twice in s.
func distinct(s []string) bool {
	sorted := slices.Clone(s)
	slices.Sort(sorted)
	return len(slices.Compact(sorted)) == len(s)
}
