package main

import (
	"slices"
	"strings"
)

// isSID reports whether s is a Twilio SID: two letters and 32 hex digits
// (^[A-Z]{2}[0-9a-fA-F]{32}$).
func isSID(s string) bool {
	if len(s) != 34 || !isUpper(s[0]) || !isUpper(s[1]) {
		return false
	}
	for i := 2; i < 34; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// The shortest and longest runs of leading hex digits a short SID keeps.
const (
	minLead = 4
	maxLead = 27
)

// shortSID is sid with lead hex digits kept: "HSc2a5…6267".
func shortSID(sid string, lead int) string {
	return sid[:2+lead] + "…" + sid[len(sid)-4:]
}

// shortenSIDs shortens the SIDs among names to their two letters, the
// first hex digits, "…" and the last four ("HSc2a5…6267"), with as few
// leading digits (four or more) as keep every name distinct. Other names
// are left alone. When no number of digits does, names is returned as is.
//
// Two SIDs stay apart with lead digits when they differ in their last
// four or within their first 2+lead characters, so the digits needed are
// found by sorting the SIDs by their last four then their start, and
// comparing neighbours: O(n log n) rather than a pass per length.
func shortenSIDs(names []string) []string {
	var sids []int // indexes of the SIDs in names
	others := map[string]bool{}
	clash := false // whether another name could equal a short SID
	for i, n := range names {
		if isSID(n) {
			sids = append(sids, i)
			continue
		}
		if others[n] {
			return names // never distinct
		}
		others[n] = true
		clash = clash || strings.Contains(n, "…")
	}
	slices.SortFunc(sids, func(a, b int) int {
		x, y := names[a], names[b]
		return cmp2(x[len(x)-4:], y[len(y)-4:], x[:2+maxLead], y[:2+maxLead])
	})
	lead := minLead
	for k := 1; k < len(sids); k++ {
		x, y := names[sids[k-1]], names[sids[k]]
		if x[len(x)-4:] != y[len(y)-4:] {
			continue
		}
		common := commonPrefix(x[:2+maxLead], y[:2+maxLead])
		if common == 2+maxLead {
			return names // the same at every length
		}
		lead = max(lead, common-1) // 2+lead > common
	}
	for ; lead <= maxLead; lead++ {
		if !clash || !clashes(names, sids, others, lead) {
			short := slices.Clone(names)
			for _, i := range sids {
				short[i] = shortSID(names[i], lead)
			}
			return short
		}
	}
	return names
}

// clashes reports whether a SID with lead digits equals another name.
func clashes(names []string, sids []int, others map[string]bool, lead int) bool {
	for _, i := range sids {
		if others[shortSID(names[i], lead)] {
			return true
		}
	}
	return false
}

// cmp2 compares a1 to b1, then a2 to b2.
func cmp2(a1, b1, a2, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
