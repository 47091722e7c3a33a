package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// regexpSID finds a whole Sim SID.
var regexpSID = regexp.MustCompile(`HS[0-9a-f]{32}`)

// usageCases are the report's golden files: each format, each granularity.
var usageCases = []struct {
	golden string
	args   []string
}{
	{"usage_default.table", nil},
	{"usage_fleet_day.table", []string{"-group", "fleet", "-granularity", "day", "-start", "2026-06-01", "-end", "2026-06-15"}},
	{"usage_sim_top5.table", []string{"-group", "sim", "-top", "5", "-start", "2026-06-01", "-end", "2026-06-08T00:00:00Z"}},
	{"usage_network_hour.table", []string{"-group", "network", "-granularity", "hour", "-start", "2026-06-12", "-end", "2026-06-15"}},
	{"usage_country_day_top3.csv", []string{"-group", "isoCountry", "-granularity", "day", "-top", "3", "-format", "csv", "-start", "2026-06-10", "-end", "2026-06-15"}},
	{"usage_sim_hour.csv", []string{"-group", "sim", "-granularity", "hour", "-top", "2", "-format", "csv", "-start", "2026-06-14", "-end", "2026-06-14T06:00:00Z"}},
	{"usage_fleet_day_top2.json", []string{"-group", "fleet", "-granularity", "day", "-top", "2", "-format", "json", "-country", "fr", "-start", "2026-06-10", "-end", "2026-06-13"}},
	{"usage_all.json", []string{"-format", "json", "-fleet", "paris-trackers"}},
}

func TestUsageMatchesGoldenFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range usageCases {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, append([]string{"usage", "-demo"}, tt.args...)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, "supersim: reading demo data from the built-in fake API (no account needed)\n", r.stderr,
				"one line on stderr: the source; no progress off a terminal")
			golden(t, tt.golden, r.stdout)
			if strings.HasSuffix(tt.golden, ".table") {
				assertFits(t, r.stdout)
			}
		})
	}
}

func TestUsageTableFits80ColumnsUnlessFullSIDs(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-group", "sim"},
		{"-group", "sim", "-granularity", "day"},
		{"-group", "sim", "-granularity", "hour"},
		{"-group", "network", "-granularity", "day", "-top", "1"},
		{"-group", "fleet", "-sim", "HS00000000000000000000000000000000"},
	} {
		r := runCmd(t, nil, append([]string{"usage", "-demo", "-start", "2026-06-12"}, args...)...)
		require.Contains(t, []int{exitOK, exitNoMatch}, r.code, r.stderr)
		assertFits(t, r.stdout)
	}

	r := runCmd(t, nil, "usage", "-demo", "-group", "sim", "-full-sids", "-top", "1", "-start", "2026-06-01", "-end", "2026-06-08")
	require.Equal(t, exitOK, r.code)
	sid := regexpSID.FindString(r.stdout)
	require.NotEmpty(t, sid, "a whole SID in\n%s", r.stdout)
	assert.Regexp(t, `\nSIM +NAME +UPLOAD`, r.stdout, "-full-sids: the SID and the name beside it")
	assert.Regexp(t, sid+`  +paris-trackers\.sim\.9  `, r.stdout)
	short := runCmd(t, nil, "usage", "-demo", "-group", "sim", "-top", "1", "-start", "2026-06-01", "-end", "2026-06-08")
	assert.Contains(t, short.stdout, "\nparis-trackers.sim.9  ", "the same SIM, by name")
	assert.NotContains(t, short.stdout, sid[:6], "no SID where the name is known")
}

// TestUsageFormatsHoldTheSameContent reads one query's CSV and JSON and
// checks them against each other, against the table, and against the
// fake's own totals: groups and others add up to the total, and so do the
// buckets.
func TestUsageFormatsHoldTheSameContent(t *testing.T) {
	t.Parallel()
	args := []string{"usage", "-demo", "-group", "sim", "-granularity", "day", "-top", "7", "-start", "2026-06-01", "-end", "2026-06-11"}
	csvOut := runCmd(t, nil, append(args, "-format", "csv")...)
	jsonOut := runCmd(t, nil, append(args, "-format", "json")...)
	table := runCmd(t, nil, args...)
	require.Equal(t, exitOK, csvOut.code)
	require.Equal(t, exitOK, jsonOut.code)
	require.Equal(t, exitOK, table.code)

	rows, err := csv.NewReader(strings.NewReader(csvOut.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, reportCSVHeader, rows[0])
	var rep struct {
		Period struct{ Start, End time.Time }
		Groups []struct {
			Group     string
			GroupName string `json:"group_name"`
			jsonCounts
		}
		Others struct {
			Groups int
			jsonCounts
		}
		Total   jsonCounts
		Buckets []struct {
			Start, End time.Time
			jsonCounts
		}
	}
	require.NoError(t, json.Unmarshal([]byte(jsonOut.stdout), &rep))

	// The CSV's rows are the JSON's groups, others, total and buckets, in order.
	var fromJSON [][]string
	for _, g := range rep.Groups {
		assert.NotEmpty(t, g.GroupName, "every demo SIM has a name")
		fromJSON = append(fromJSON, g.csv("group", g.Group, g.GroupName, rep.Period.Start, rep.Period.End))
	}
	fromJSON = append(fromJSON, rep.Others.csv("others", "others (93 SIMs)", "", rep.Period.Start, rep.Period.End))
	fromJSON = append(fromJSON, rep.Total.csv("total", "", "", rep.Period.Start, rep.Period.End))
	for _, b := range rep.Buckets {
		fromJSON = append(fromJSON, b.csv("day", "", "", b.Start, b.End))
	}
	assert.Equal(t, fromJSON, rows[1:])
	assert.Equal(t, 93, rep.Others.Groups)
	assert.Len(t, rep.Buckets, 10, "one per day, 1 to 10 June")

	// Rows add up to the total; so do the buckets; the total is the fake's.
	var groups, buckets jsonCounts
	for _, g := range rep.Groups {
		groups.add(t, g.jsonCounts)
	}
	groups.add(t, rep.Others.jsonCounts)
	for _, b := range rep.Buckets {
		buckets.add(t, b.jsonCounts)
	}
	srv := newFake(t)
	want := srv.Totals(supersimtest.Filter{Start: rep.Period.Start, End: rep.Period.End})
	require.Equal(t, []string{"USD"}, want.Billed.Currencies())
	for _, got := range []jsonCounts{groups, buckets, rep.Total} {
		assert.Equal(t, want.Upload, got.Upload)
		assert.Equal(t, want.Download, got.Download)
		assert.Equal(t, want.Total, got.Total)
		require.Len(t, got.Billed, 1)
		assert.Equal(t, "USD", got.Billed[0].Currency)
		assert.Equal(t, 0, supersim.MustParseDecimal(got.Billed[0].Amount).Cmp(supersim.MustParseDecimal(want.Billed.String())),
			"%s vs %s", got.Billed[0].Amount, want.Billed)
	}

	// The table shows the same total, the others row and every day.
	assert.Contains(t, table.stdout, "others (93 SIMs)")
	for _, g := range rep.Groups {
		assert.Contains(t, table.stdout, "\n"+g.GroupName+" ", "the table names the SIM")
	}
	assert.Contains(t, table.stdout, rep.Total.Billed[0].Amount+" USD")
	for _, b := range rep.Buckets {
		assert.Contains(t, table.stdout, b.Start.Format(time.DateOnly)+"  ")
	}
}

// jsonCounts is the usage part of the JSON report, read back.
type jsonCounts struct {
	Upload   int64        `json:"upload_bytes"`
	Download int64        `json:"download_bytes"`
	Total    int64        `json:"total_bytes"`
	Billed   []jsonAmount `json:"billed"`
}

type jsonAmount struct{ Amount, Currency string }

func (c jsonCounts) csv(kind, group, name string, start, end time.Time) []string {
	return []string{kind, group, name, start.Format(time.RFC3339), end.Format(time.RFC3339),
		strconv.FormatInt(c.Upload, 10), strconv.FormatInt(c.Download, 10), strconv.FormatInt(c.Total, 10),
		c.Billed[0].Amount, c.Billed[0].Currency, "false"}
}

func (c *jsonCounts) add(t *testing.T, o jsonCounts) {
	t.Helper()
	c.Upload += o.Upload
	c.Download += o.Download
	c.Total += o.Total
	require.Len(t, o.Billed, 1)
	if c.Billed == nil {
		c.Billed = []jsonAmount{{"0", o.Billed[0].Currency}}
	}
	sum := supersim.MustParseDecimal(c.Billed[0].Amount).Add(supersim.MustParseDecimal(o.Billed[0].Amount))
	c.Billed[0].Amount = sum.String()
}

func TestUsageNothingMatchedExits3WithAWarning(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-sim", "no-such-sim"},
		{"-fleet", "no-such-fleet", "-format", "json"},
		{"-start", "2025-01-01", "-end", "2025-01-02", "-format", "csv"}, // before the demo data
	} {
		r := runCmd(t, nil, append([]string{"usage", "-demo"}, args...)...)
		assert.Equal(t, exitNoMatch, r.code, "%v", args)
		assert.Contains(t, r.stderr, "warning: nothing matched", "%v", args)
		assert.NotEmpty(t, r.stdout, "the report still says what was asked")
	}
}

func TestUsageBadFlagsExit2(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-format", "xml"}, `-format "xml"`},
		{[]string{"-start", "yesterday"}, `-start "yesterday"`},
		{[]string{"-end", "2026-13-01"}, `-end "2026-13-01"`},
		{[]string{"-group", "planet"}, `-group "planet"`},
		{[]string{"-granularity", "week"}, `-granularity "week"`},
		{[]string{"-network", "HWnope"}, `-network "HWnope"`},
		{[]string{"-country", "FRA"}, `-country "FRA"`},
		{[]string{"-page-size", "5000"}, "-page-size 5000"},
		{[]string{"-concurrency", "99"}, `-concurrency "99"`},
		{[]string{"-top", "-1"}, "-top -1"},
		{[]string{"-top", "3"}, "-top 3 needs -group"},
		{[]string{"-start", "2026-06-02", "-end", "2026-06-01"}, "-start 2026-06-02T00:00:00Z is not before -end"},
		{[]string{"-start", "2026-06-20"}, "(the default: the start of today, UTC)"},
		{[]string{"-nope"}, "-nope"},
		{[]string{"stray"}, `unexpected argument "stray"`},
	} {
		r := runCmd(t, nil, append([]string{"usage", "-demo"}, tt.args...)...)
		assert.Equal(t, exitUsage, r.code, "%v", tt.args)
		assert.Empty(t, r.stdout, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
		assert.Contains(t, r.stderr, `run "supersim usage -help"`, "%v", tt.args)
		assert.NotContains(t, r.stderr, "reading demo data", "%v: flags are checked before the source is read", tt.args)
	}
}

func TestUsageInterruptedExits130(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCmdContext(t, ctx, nil, "usage", "-demo", "-group", "sim")
	assert.Equal(t, exitInterrupted, r.code)
	assert.Contains(t, r.stderr, "supersim: interrupted")
	assert.Empty(t, r.stdout, "no report from half a walk")
}
