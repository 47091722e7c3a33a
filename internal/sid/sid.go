// Package sid recognises Twilio SIDs: a two-letter prefix and 32 hex digits.
package sid

// Length is the length of every Twilio SID.
const Length = 34

// Valid reports whether s is prefix followed by exactly 32 hex digits
// (either case), as in ^HW[0-9a-fA-F]{32}$.
func Valid(s, prefix string) bool {
	if len(s) != Length || s[:2] != prefix {
		return false
	}
	for i := 2; i < Length; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// LooksLike reports whether s is shaped like a SID with this prefix (the
// prefix and the SID length), so that a malformed one is an error rather
// than a unique name.
func LooksLike(s, prefix string) bool {
	return len(s) == Length && s[:2] == prefix
}
