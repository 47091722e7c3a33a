package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeriodsTheAPIRefusesAreUsageErrors runs periods that the fake API,
// like Twilio, would refuse: the command refuses them first (exit 2,
// nothing asked), for both subcommands. The clock is 2026-06-15 12:30 UTC.
func TestPeriodsTheAPIRefusesAreUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"day, -end at noon", []string{"-granularity", "day", "-start", "2026-06-01", "-end", "2026-06-10T12:00:00Z"},
			"-end 2026-06-10T12:00:00Z is 2026-06-10T12:00:00Z, not on a UTC midnight as -granularity day needs (the API's error 83601)"},
		{"day, -start at a local midnight", []string{"-granularity", "day", "-start", "2026-06-01T00:00:00+02:00", "-end", "2026-06-10"},
			"-start 2026-06-01T00:00:00+02:00 is 2026-05-31T22:00:00Z, not on a UTC midnight"},
		{"day, defaulted -start off midnight", []string{"-granularity", "day", "-end", "2026-06-10T12:00:00Z"},
			"-start (default) is 2026-05-10T12:00:00Z, not on a UTC midnight"},
		{"hour, -start at half past", []string{"-granularity", "hour", "-start", "2026-06-10T10:30:00Z", "-end", "2026-06-11"},
			"-start 2026-06-10T10:30:00Z is 2026-06-10T10:30:00Z, not on a whole UTC hour as -granularity hour needs (the API's error 83602)"},
		{"-start 546 days back and a day", []string{"-start", "2024-12-15", "-end", "2025-01-01"},
			"-start 2024-12-15T00:00:00Z is more than 546 days (18 months, the shortest) before today: the API reads back to 2024-12-16T00:00:00Z (its error 83605)"},
		{"-end years ahead", []string{"-granularity", "day", "-end", "2030-01-01"},
			"-end 2030-01-01T00:00:00Z is past the end of today: the latest is 2026-06-16T00:00:00Z"},
		{"-start later today", []string{"-start", "2026-06-15T13:00:00Z", "-end", "2026-06-16"},
			"-start 2026-06-15T13:00:00Z is in the future"},
		{"-group sim over 32 days in one sequence", []string{"-group", "sim", "-concurrency", "0", "-start", "2026-05-01", "-end", "2026-06-02"},
			"is longer than one request may read: at most 31 days with -group sim (the API's error 83603)"},
		{"the whole period over 546 days", []string{"-start", "2024-12-16T12:30:00Z", "-end", "2026-06-15T13:00:00Z"},
			"at most 546 days with -granularity all (the API's error 83604)"},
		{"days in one sequence over 89 days", []string{"-granularity", "day", "-concurrency", "0", "-start", "2026-01-01", "-end", "2026-04-01"},
			"at most 89 days with -granularity day (the API's error 83604); -concurrency 0 reads it in one sequence"},
	} {
		for _, cmd := range []string{"usage", "export"} {
			r := runCmd(t, nil, append([]string{cmd, "-demo"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, "%s %s: %s", cmd, tt.name, r.stderr)
			assert.Contains(t, r.stderr, tt.want, "%s %s", cmd, tt.name)
			assert.NotContains(t, r.stderr, "reading", "%s %s: refused before reading", cmd, tt.name)
			assert.Empty(t, r.stdout, "%s %s", cmd, tt.name)
		}
	}

	// The limits themselves are fine.
	for _, args := range [][]string{
		{"-granularity", "day", "-start", "2026-06-01T02:00:00+02:00", "-end", "2026-06-10"}, // a UTC midnight
		{"-granularity", "hour", "-start", "2026-06-10T10:00:00Z", "-end", "2026-06-10T12:00:00Z"},
		{"-start", "2024-12-16", "-end", "2025-01-01"},
		{"-granularity", "day", "-concurrency", "0", "-start", "2026-01-01", "-end", "2026-03-31"}, // 89 days
		{"-granularity", "day", "-start", "2026-06-14", "-end", "2026-06-16"},
		{"-group", "sim", "-start", "2026-05-01", "-end", "2026-06-01"},
		{"-group", "sim", "-granularity", "day", "-start", "2026-04-01", "-end", "2026-06-01"}, // in windows
	} {
		r := runCmd(t, nil, append([]string{"usage", "-demo"}, args...)...)
		assert.Contains(t, []int{exitOK, exitNoMatch}, r.code, "%v: %s", args, r.stderr)
	}
}

// TestPeriodPastNowWarnsAndMarksThePartialBucket reads a period that ends
// tomorrow: a warning on stderr, exit 0, the bucket in progress marked in
// the table and the JSON, and no bucket after now.
func TestPeriodPastNowWarnsAndMarksThePartialBucket(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		granularity, warning, partialLine, lastStart string
	}{
		{"day", "today is partial", "2026-06-15* ", "2026-06-15T00:00:00Z"},
		{"hour", "the current hour is partial, and the hours after it are empty", "2026-06-15* ", "2026-06-15T12:00:00Z"},
	} {
		args := []string{"usage", "-demo", "-granularity", tt.granularity, "-start", "2026-06-14", "-end", "2026-06-16"}
		r := runCmd(t, nil, args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "supersim: warning: the period reaches past now (2026-06-15 12:30 UTC): "+tt.warning)
		assert.Contains(t, r.stdout, "\n"+tt.partialLine, tt.granularity)
		assert.Equal(t, 2, strings.Count(r.stdout, "*"), "one partial day, one footnote\n%s", r.stdout)
		assert.Contains(t, r.stdout, "\n* partial: still in progress at 2026-06-15 12:30 UTC\n")
		assertFits(t, r.stdout)

		r = runCmd(t, nil, append(args, "-format", "json")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		var rep struct {
			Buckets []struct {
				Start   string `json:"start"`
				Partial bool   `json:"partial"`
			} `json:"buckets"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		require.NotEmpty(t, rep.Buckets)
		last := rep.Buckets[len(rep.Buckets)-1]
		assert.Equal(t, tt.lastStart, last.Start, "%s: no bucket after now", tt.granularity)
		assert.True(t, last.Partial, tt.granularity)
		for _, b := range rep.Buckets[:len(rep.Buckets)-1] {
			assert.False(t, b.Partial, "%s %s", tt.granularity, b.Start)
		}
	}
}
