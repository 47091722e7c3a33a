package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// TestHelpLinesFit80Columns checks the help of the command and of every
// command that its help lists, tabs expanded to 8 columns as a terminal
// shows them.
func TestHelpLinesFit80Columns(t *testing.T) {
	t.Parallel()
	top := runCmd(t, nil, "help")
	require.Equal(t, exitOK, top.code)
	helps := map[string]string{"supersim help": top.stdout}
	_, list, ok := strings.Cut(top.stdout, "\nCommands:\n")
	require.True(t, ok, top.stdout)
	list, _, _ = strings.Cut(list, "\n\n")
	for _, line := range lines(list) {
		name := strings.Fields(line)[0]
		if name == "version" {
			continue
		}
		r := runCmd(t, nil, name, "-help")
		require.Equal(t, exitOK, r.code, "%s -help: %s", name, r.stderr)
		helps["supersim "+name+" -help"] = r.stdout
	}
	require.Contains(t, helps, "supersim usage -help")
	require.Contains(t, helps, "supersim export -help")
	for cmd, help := range helps {
		for _, line := range lines(help) {
			assert.LessOrEqual(t, columns(line), 80, "%s: %q", cmd, line)
		}
	}
}

// columns is how wide line shows on a terminal: tabs to the next multiple
// of 8, every other character one column.
func columns(line string) int {
	n := 0
	for _, r := range line {
		if r == '\t' {
			n += 8 - n%8
			continue
		}
		n++
	}
	return n
}

// TestUsageCSVMarksPartialBuckets checks the partial column against the
// JSON's: the hour that holds now (12:30) is partial, and so are the rows
// of a period that reaches past now.
func TestUsageCSVMarksPartialBuckets(t *testing.T) {
	t.Parallel()
	args := []string{"usage", "-demo", "-group", "fleet", "-granularity", "hour", "-start", "2026-06-15T10:00:00Z", "-end", "2026-06-15T14:00:00Z"}
	c := runCmd(t, nil, append(args, "-format", "csv")...)
	j := runCmd(t, nil, append(args, "-format", "json")...)
	require.Equal(t, exitOK, c.code, c.stderr)
	require.Equal(t, exitOK, j.code, j.stderr)
	rows, err := csv.NewReader(strings.NewReader(c.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "partial", rows[0][len(rows[0])-1])
	var rep struct {
		Buckets []struct {
			Start   time.Time `json:"start"`
			Partial bool      `json:"partial"`
		} `json:"buckets"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &rep))
	var partial []string
	hours := 0
	for _, row := range rows[1:] {
		last := row[len(row)-1]
		if row[0] != "hour" {
			assert.Equal(t, "true", last, "the period reaches past now: %v", row)
			continue
		}
		require.Less(t, hours, len(rep.Buckets))
		assert.Equal(t, stamp(rep.Buckets[hours].Start), row[3])
		assert.Equal(t, map[bool]string{true: "true", false: "false"}[rep.Buckets[hours].Partial], last, "%v", row)
		if last == "true" {
			partial = append(partial, row[3])
		}
		hours++
	}
	assert.Equal(t, len(rep.Buckets), hours)
	assert.Equal(t, []string{"2026-06-15T12:00:00Z"}, partial, "the hour that holds now, and no other")

	past := runCmd(t, nil, "usage", "-demo", "-group", "fleet", "-format", "csv", "-start", "2026-06-10", "-end", "2026-06-12")
	require.Equal(t, exitOK, past.code)
	assert.NotContains(t, past.stdout, ",true\n", "a period before now has nothing partial")
}

func TestUsageGroupCountryIsIsoCountry(t *testing.T) {
	t.Parallel()
	args := []string{"usage", "-demo", "-format", "csv", "-start", "2026-06-10", "-end", "2026-06-12", "-group"}
	country := runCmd(t, nil, append(args, "country")...)
	iso := runCmd(t, nil, append(args, "isoCountry")...)
	require.Equal(t, exitOK, country.code, country.stderr)
	require.Equal(t, exitOK, iso.code, iso.stderr)
	assert.Equal(t, iso.stdout, country.stdout)
	assert.Contains(t, country.stdout, "group,FR,")

	table := runCmd(t, nil, "usage", "-demo", "-group", "country", "-start", "2026-06-10", "-end", "2026-06-12")
	assert.Contains(t, table.stdout, "\nCOUNTRY ")
}

// TestUsageBySimOverTwoMonthsSumsWindows reads two months by SIM with the
// default granularity, longer than one request may read (31 days): the
// command reads it in day buckets, in windows, and sums them to the fake
// API's own totals.
func TestUsageBySimOverTwoMonthsSumsWindows(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	start, end := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	r := runCmd(t, twilioEnv(), "usage", "-base-url", srv.URL, "-group", "sim", "-format", "json", "-start", stamp(start), "-end", stamp(end))
	require.Equal(t, exitOK, r.code, r.stderr)
	var rep struct {
		Granularity string `json:"granularity"`
		Groups      []struct {
			jsonCounts
		} `json:"groups"`
		Total   jsonCounts `json:"total"`
		Buckets []any      `json:"buckets"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, "all", rep.Granularity, "the report is of the whole period")
	assert.Empty(t, rep.Buckets)
	assert.Len(t, rep.Groups, 100, "every demo SIM")
	want := srv.Totals(supersimtest.Filter{Start: start, End: end})
	var sum jsonCounts
	for _, g := range rep.Groups {
		sum.add(t, g.jsonCounts)
	}
	for _, got := range []jsonCounts{sum, rep.Total} {
		assert.Equal(t, want.Total, got.Total)
		assert.Equal(t, want.Upload, got.Upload)
		assert.Equal(t, want.Download, got.Download)
	}
	usage := requestsTo(srv)["/v1/UsageRecords"]
	require.Greater(t, len(usage), 1, "windows")
	for _, q := range usage {
		assert.Equal(t, "day", q.Get("Granularity"))
		assert.Equal(t, "sim", q.Get("Group"))
		s, err := time.Parse(time.RFC3339, q.Get("StartTime"))
		require.NoError(t, err)
		e, err := time.Parse(time.RFC3339, q.Get("EndTime"))
		require.NoError(t, err)
		assert.LessOrEqual(t, e.Sub(s), 31*24*time.Hour, "each request within the API's limit")
	}

	odd := runCmd(t, nil, "usage", "-demo", "-group", "sim", "-start", "2026-04-15T00:30:00Z", "-end", "2026-06-15")
	assert.Equal(t, exitUsage, odd.code, "a period off the hour cannot be read in buckets")
	assert.Contains(t, odd.stderr, "at most 31 days with -group sim")
}

// regexpSummary is the summary line of an export to stdout: no page count,
// which a windowed walk does not keep the same between identical runs.
var regexpSummary = regexp.MustCompile(`(?m)^supersim: exported \d+ records to stdout$`)

func TestExportSummaryIsTheSameForIdenticalRuns(t *testing.T) {
	t.Parallel()
	args := []string{"export", "-demo", "-group", "sim", "-granularity", "hour", "-start", "2026-06-12", "-end", "2026-06-14", "-page-size", "300"}
	first := runCmd(t, nil, args...)
	second := runCmd(t, nil, append(args, "-concurrency", "8")...)
	require.Equal(t, exitOK, first.code, first.stderr)
	require.Equal(t, exitOK, second.code, second.stderr)
	assert.Regexp(t, regexpSummary, first.stderr)
	assert.Equal(t, first.stderr, second.stderr)
	assert.Equal(t, first.stdout, second.stdout)
}

func TestProgressIsOffWhileRecordsGoToTheTerminal(t *testing.T) {
	t.Parallel()
	assert.True(t, showProgress(true, false), "stderr a terminal, records elsewhere")
	assert.False(t, showProgress(true, true), "records on the terminal too: the line would be drawn into them")
	assert.False(t, showProgress(false, false))
	assert.False(t, showProgress(false, true))
	var sb strings.Builder
	p := newProgress(bufio.NewWriter(&sb), false)
	p.record(true)
	p.finish()
	assert.Empty(t, sb.String())
}
