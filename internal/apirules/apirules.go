// Package apirules holds the rules of the Super SIM API that the SDK and
// the supersim command both apply before sending a request, so that each
// is written once: the bucket boundaries of StartTime and EndTime, the
// longest period one request may cover, how far back usage is kept, and
// the environment variables that hold credentials. Twilio words some
// limits in months without saying how it counts them; this package takes
// the strictest reading, so that no request it allows is refused. (The
// fake API in supersimtest keeps its own copy on purpose: it is the
// oracle the SDK is tested against.)
package apirules

import "time"

// Day is the API's day bucket: a UTC day.
const Day = 24 * time.Hour

// The API's error codes for the rules here.
const (
	CodeStartNotMidnight = 83601 // StartTime/EndTime must be at a UTC midnight
	CodeStartNotHour     = 83602 // StartTime/EndTime must be at a UTC hour
	CodeSimRangeTooLong  = 83603 // Group sim: at most 31 days
	CodeRangeTooLong     = 83604 // too long for the granularity
	CodeStartTooEarly    = 83605 // StartTime too far back
)

// The longest period one request may cover, in days: 31 days by SIM or by
// hour; "three months" by day, of which the shortest are 89 days;
// "18 months" for the whole period, of which the shortest are 546 days.
const (
	SimRangeDays  = 31
	HourRangeDays = 31
	DayRangeDays  = 89
	AllRangeDays  = 546
)

// MaxAgeDays is how far back StartTime may be, in days before the start
// of the current UTC day: "18 months", of which the shortest are 546 days.
const MaxAgeDays = 546

// Boundary returns the unit that StartTime and EndTime must be whole
// multiples of for a granularity ("hour", "day"), with the API's error
// code; 0 when any time goes.
func Boundary(granularity string) (unit time.Duration, code int) {
	switch granularity {
	case "hour":
		return time.Hour, CodeStartNotHour
	case "day":
		return Day, CodeStartNotMidnight
	}
	return 0, 0
}

// OnBoundary reports whether t is a whole number of units from the zero
// time, in UTC: on a UTC hour, or at a UTC midnight.
func OnBoundary(t time.Time, unit time.Duration) bool { return t.Equal(t.Truncate(unit)) }

// MaxRangeDays returns the longest period one request may cover, in days,
// for a grouping and granularity ("" is the API's default, all), with the
// API's error code for a longer one.
func MaxRangeDays(group, granularity string) (days, code int) {
	switch {
	case group == "sim":
		return SimRangeDays, CodeSimRangeTooLong
	case granularity == "hour":
		return HourRangeDays, CodeRangeTooLong
	case granularity == "day":
		return DayRangeDays, CodeRangeTooLong
	}
	return AllRangeDays, CodeRangeTooLong
}

// Earliest returns the earliest StartTime the API reads at now.
func Earliest(now time.Time) time.Time {
	return now.UTC().Truncate(Day).AddDate(0, 0, -MaxAgeDays)
}

// CredentialPair is a pair of environment variables that hold credentials.
type CredentialPair struct {
	ID, Secret string // the variables' names
	KORE       bool   // OAuth 2.0 client credentials for KORE; else HTTP Basic for Twilio
	What       string // what the pair holds, for help texts
}

// CredentialPairs are read in this order; the first complete pair is used.
var CredentialPairs = []CredentialPair{
	{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", false, "Twilio: Account SID and Auth Token"},
	{"TWILIO_API_KEY", "TWILIO_API_SECRET", false, "Twilio: API Key SID and secret"},
	{"KORE_CLIENT_ID", "KORE_CLIENT_SECRET", true, "KORE: OAuth 2.0 client credentials"},
}
