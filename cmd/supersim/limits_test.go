package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
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

// demoSource is the one line a -demo run writes on stderr before its result.
const demoSource = "supersim: reading demo data from the built-in fake API (no account needed)\n"

// limitsCases are the golden files of "supersim limits -demo": the demo
// has SIMs over 80% and over 100% whatever the clock, so each exits 4.
var limitsCases = []struct {
	golden string
	args   []string
}{
	{"limits_demo.table", nil},
	{"limits_demo.csv", []string{"-format", "csv"}},
	{"limits_berlin.json", []string{"-format", "json", "-fleet", "berlin-meters"}},
}

func TestLimitsMatchGoldenFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range limitsCases {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, append([]string{"limits", "-demo"}, tt.args...)...)
			require.Equal(t, exitOverThreshold, r.code, r.stderr)
			assert.Regexp(t, `^`+regexp.QuoteMeta(demoSource)+`supersim: \d+ SIMs at or over 80% of the data limit\n$`, r.stderr)
			golden(t, tt.golden, r.stdout)
			if strings.HasSuffix(tt.golden, ".table") {
				assertFits(t, r.stdout)
			}
		})
	}
}

// TestLimitsPresentTheSDKsRows checks that the JSON and the CSV are the
// SDK's DataLimits rows, as they come, with exactly the contract's keys
// and columns, and that the table marks what it says it marks.
func TestLimitsPresentTheSDKsRows(t *testing.T) {
	t.Parallel()
	client, err := newFake(t).Client()
	require.NoError(t, err)
	want, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Now: fixedNow})
	require.NoError(t, err)

	jsonOut := runCmd(t, nil, "limits", "-demo", "-format", "json")
	require.Equal(t, exitOverThreshold, jsonOut.code)
	var objects []map[string]any
	require.NoError(t, json.Unmarshal([]byte(jsonOut.stdout), &objects))
	require.Len(t, objects, len(want))
	dec := json.NewDecoder(strings.NewReader(jsonOut.stdout))
	var keys []string
	for range 2 { // [ and {
		_, err := dec.Token()
		require.NoError(t, err)
	}
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, key.(string))
		var skip any
		require.NoError(t, dec.Decode(&skip))
	}
	assert.Equal(t, limitsColumns, keys, "exactly the contract's keys, in order")

	csvOut := runCmd(t, nil, "limits", "-demo", "-format", "csv")
	require.Equal(t, exitOverThreshold, csvOut.code)
	records, err := csv.NewReader(strings.NewReader(csvOut.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, limitsColumns, records[0])
	require.Len(t, records, len(want)+1)

	table := runCmd(t, nil, "limits", "-demo")
	tableLines := lines(table.stdout)
	over, noPeriod, off := 0, 0, 0
	for i, w := range want {
		o, rec := objects[i], records[i+1]
		assert.Equal(t, w.SimSID, o["sim_sid"])
		assert.Equal(t, w.SimName, o["sim_name"])
		assert.Equal(t, w.ICCID, o["iccid"])
		assert.Equal(t, w.FleetSID, o["fleet_sid"])
		assert.Equal(t, w.FleetName, o["fleet_name"])
		assert.Equal(t, float64(w.UsedBytes), o["used_bytes"])
		assert.Equal(t, float64(w.LimitBytes), o["limit_bytes"])
		assert.Equal(t, w.Percent, o["percent"])
		assert.Equal(t, w.DataEnabled, o["data_enabled"])
		assert.Equal(t, strconv.FormatInt(w.UsedBytes, 10), rec[7])
		assert.Equal(t, strconv.FormatFloat(w.Percent, 'f', -1, 64), rec[9])
		if w.PeriodStart.IsZero() {
			noPeriod++
			assert.Nil(t, o["period_start"], "null when there is no period")
			assert.Nil(t, o["period_end"])
			assert.Empty(t, rec[5], "an empty cell when there is no period")
			assert.Zero(t, w.LimitBytes)
		} else {
			assert.Equal(t, w.PeriodStart.UTC().Format(time.RFC3339), o["period_start"])
			assert.Equal(t, w.PeriodEnd.UTC().Format(time.RFC3339), rec[6])
		}
		line := tableLines[8+i]
		assert.True(t, strings.HasPrefix(line, cmpName(w)), "%q for %s", line, cmpName(w))
		if w.Percent >= 80 {
			over++
			assert.Contains(t, line, "%!", "marked at or over the threshold")
		} else {
			assert.NotContains(t, line, "!")
		}
		if w.FleetSID != "" && !w.DataEnabled {
			off++
			assert.Contains(t, line, " off ", "data disabled is marked")
		}
		if w.PeriodStart.IsZero() {
			assert.Contains(t, line, "no period")
		}
		if !w.Reaches.IsZero() {
			assert.Contains(t, line, w.Reaches.UTC().Format("01-02"))
		}
	}
	assert.GreaterOrEqual(t, over, 3, "the demo has SIMs over 80%")
	assert.Positive(t, noPeriod)
	assert.Positive(t, off)
	assert.Equal(t, strconv.Itoa(over)+" of "+strconv.Itoa(len(want))+" SIMs at or over 80%", tableLines[len(tableLines)-1])
}

// cmpName is the name the table gives the SIM.
func cmpName(r supersim.SimDataLimit) string {
	if r.SimName != "" {
		return r.SimName
	}
	return r.ICCID
}

func TestLimitsExitCodes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"below a high threshold", []string{"-threshold", "130"}, exitOK, ""},
		{"at 100% with a percent sign", []string{"-threshold", "100%"}, exitOverThreshold, "2 SIMs at or over 100% of the data limit"},
		{"one SIM", []string{"-sim", "texas-pumps.sim.39", "-format", "csv"}, exitOK, ""},
		{"no such fleet", []string{"-fleet", "nowhere"}, exitNoMatch, "nothing matched"},
		{"no such SIM", []string{"-sim", "nobody"}, exitUsage, `-sim "nobody": no such SIM`},
		{"threshold not a number", []string{"-threshold", "high"}, exitUsage, `-threshold "high": want a positive percentage`},
		{"threshold zero", []string{"-threshold", "0"}, exitUsage, "-threshold"},
		{"threshold negative", []string{"-threshold", "-5"}, exitUsage, "-threshold"},
		{"threshold NaN", []string{"-threshold", "NaN"}, exitUsage, "-threshold"},
		{"threshold infinite", []string{"-threshold", "+Inf"}, exitUsage, "-threshold"},
		{"bad format", []string{"-format", "jsonl"}, exitUsage, `-format "jsonl"`},
		{"a flag of usage only", []string{"-group", "sim"}, exitUsage, "-group"},
		{"a cache for the demo", []string{"-cache", "x"}, exitUsage, "-cache does not go with -demo"},
		{"a fleet name with spaces", []string{"-fleet", " x"}, exitUsage, "-fleet"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, append([]string{"limits", "-demo"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			if tt.code == exitUsage {
				assert.Empty(t, r.stdout, "nothing on stdout for a usage error")
			} else {
				assert.NotEmpty(t, r.stdout)
			}
		})
	}

	r := runCmd(t, nil, "limits", "-help")
	assert.Equal(t, exitOK, r.code)
	for _, want := range []string{"-threshold", "-cache", "-fleet", "-sim", "-format", "-base-url", "-token-url", "TWILIO_ACCOUNT_SID",
		"4    done: at least one SIM is at or over -threshold"} {
		assert.Contains(t, r.stdout, want)
	}
	assert.NotContains(t, r.stdout, "-group")

	r = runCmd(t, nil, "limits")
	assert.Equal(t, exitUsage, r.code, "no credentials")
	assert.Contains(t, r.stderr, "no credentials")
}

func TestLimitsAPIFailurePrintsNothing(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.InjectFaults(1, supersimtest.FaultStatus(http.StatusForbidden, 20003, ""))
	r := runCmd(t, twilioEnv(), "limits", "-base-url", srv.URL, "-cache", t.TempDir())
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Empty(t, r.stdout, "no partial output")
	assert.NotContains(t, r.stderr, supersimtest.AuthToken)
}

// TestLimitsAPIFailureKeepsThePeriodsRead: a run that fails after some
// billing periods were read keeps them, for the next run.
func TestLimitsAPIFailureKeepsThePeriodsRead(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	srv.InjectFaults(12, supersimtest.FaultNone()) // Fleets, Sims, and 10 SIMs' billing periods
	srv.InjectFaults(1, supersimtest.FaultStatus(http.StatusForbidden, 20003, ""))
	r := runCmd(t, twilioEnv(), "limits", "-base-url", srv.URL, "-cache", dir)
	require.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	names := files(t, dir)
	require.Len(t, names, 1)
	data, err := os.ReadFile(filepath.Join(dir, names[0]))
	require.NoError(t, err)
	var file periodCacheFile
	require.NoError(t, json.Unmarshal(data, &file))
	assert.NotEmpty(t, file.Periods, "the periods read before the failure")

	before := len(srv.Requests())
	limitsRun(t, srv, twilioEnv(), dir)
	read := 0
	for _, req := range srv.Requests()[before:] {
		if sim, ok := strings.CutSuffix(strings.TrimPrefix(req.Path, "/v1/Sims/"), "/BillingPeriods"); ok {
			read++
			for _, p := range file.Periods {
				assert.NotEqual(t, p.SimSID, sim, "the next run reads only the others: not a SIM whose period the failed run kept")
			}
		}
	}
	// Counted by SIM, not by total: a request of the failed run may still reach the fake after it ended.
	assert.Positive(t, read, "the others are read")
}

// limitsRun runs "supersim limits -format json" against srv with the
// cache in dir, and returns its result and the billing-period requests
// it made.
func limitsRun(t *testing.T, srv *supersimtest.Server, env []string, dir string) (result, int) {
	t.Helper()
	before := len(srv.Requests())
	r := runCmd(t, env, "limits", "-base-url", srv.URL, "-cache", dir, "-format", "json")
	require.Equal(t, exitOverThreshold, r.code, r.stderr)
	periods := 0
	for _, req := range srv.Requests()[before:] {
		if strings.HasSuffix(req.Path, "/BillingPeriods") {
			periods++
		}
	}
	return r, periods
}

// withPeriod counts the demo SIMs that have billing periods: every one
// but the new ones.
func withPeriod(srv *supersimtest.Server) int {
	n := 0
	for _, s := range srv.Account().Sims {
		if s.Status != "new" {
			n++
		}
	}
	return n
}

// withoutCurrent counts the demo SIMs that have billing periods but none
// that holds now (the inactive one): a request each on every run, as the
// cache keeps current periods only.
func withoutCurrent(srv *supersimtest.Server) int {
	current := map[string]bool{}
	for _, p := range srv.Account().BillingPeriods {
		if !fixedNow.Before(p.StartTime) && fixedNow.Before(p.EndTime) {
			current[p.SimSID] = true
		}
	}
	n := 0
	for _, s := range srv.Account().Sims {
		if s.Status != "new" && !current[s.SID] {
			n++
		}
	}
	return n
}

func TestLimitsCacheSavesTheBillingPeriodRequests(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := filepath.Join(t.TempDir(), "made", "by", "the", "run")
	first, periods := limitsRun(t, srv, twilioEnv(), dir)
	assert.Equal(t, withPeriod(srv), periods, "one request per SIM that has periods")
	files := files(t, dir)
	require.Len(t, files, 1, "one file, no temporary files left")
	path := filepath.Join(dir, files[0])
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(data), supersimtest.AuthToken), "no secret in the cache")

	second, periods := limitsRun(t, srv, twilioEnv(), dir)
	assert.Equal(t, withoutCurrent(srv), periods, "every current period from the cache")
	assert.Equal(t, first.stdout, second.stdout)
	assert.NotContains(t, second.stderr, "warning")
	after, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), after.ModTime(), "an unchanged cache is not rewritten")

	// A temporary file a killed run left is removed when the cache is next saved.
	stale := path + ".123.tmp"
	require.NoError(t, os.WriteFile(stale, []byte("{"), 0o600))
	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	limitsRun(t, srv, twilioEnv(), dir)
	assert.NoFileExists(t, stale)
}

// cachedRun runs "supersim limits" once against a new fake API with a new
// cache, and returns the fake, the result, and the cache file's path and
// content.
func cachedRun(t *testing.T) (srv *supersimtest.Server, want result, path string, content []byte) {
	t.Helper()
	srv = newFake(t)
	dir := t.TempDir()
	want, _ = limitsRun(t, srv, twilioEnv(), dir)
	path = filepath.Join(dir, files(t, dir)[0])
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	return srv, want, path, content
}

func TestLimitsCorruptCacheIsIgnoredAndRebuilt(t *testing.T) {
	t.Parallel()
	srv, want, path, good := cachedRun(t)
	dir := filepath.Dir(path)

	for name, content := range map[string]string{
		"not JSON":     "garbage\x00",
		"cut short":    string(good[:len(good)/2]),
		"other format": strings.Replace(string(good), periodCacheFormat, "supersim-billing-periods/0", 1),
		"a bad period": strings.Replace(string(good), `"sim_sid":"HS`, `"sim_sid":"XX`, 1),
		"empty":        "",
	} {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600), name)
		r, periods := limitsRun(t, srv, twilioEnv(), dir)
		assert.Equal(t, want.stdout, r.stdout, "%s: the same answer", name)
		assert.Equal(t, 1, strings.Count(r.stderr, "warning: the billing-period cache "+path+" is corrupt; ignored, and rebuilt"), "%s: one warning\n%s", name, r.stderr)
		assert.Equal(t, withPeriod(srv), periods, "%s: every period read again", name)
		r, periods = limitsRun(t, srv, twilioEnv(), dir)
		assert.NotContains(t, r.stderr, "warning", "%s: rebuilt", name)
		assert.Equal(t, withoutCurrent(srv), periods, name)
	}
}

func TestLimitsForeignCacheIsIgnoredAndRebuilt(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	want, _ := limitsRun(t, srv, twilioEnv(), dir)
	mine := filepath.Join(dir, files(t, dir)[0])

	// The same account through an API key is another identity: another
	// file. Give it this account's file, as a copy would.
	keyEnv := []string{"TWILIO_API_KEY=" + supersimtest.APIKey, "TWILIO_API_SECRET=" + supersimtest.APISecret}
	theirs := openPeriodCache(dir, "Twilio", supersimtest.APIKey, srv.URL, fixedNow, func(string) {}).path
	require.NotEqual(t, mine, theirs)
	require.NoError(t, os.Rename(mine, theirs))
	r, periods := limitsRun(t, srv, keyEnv, dir)
	assert.Equal(t, want.stdout, r.stdout)
	assert.Equal(t, 1, strings.Count(r.stderr, "warning: the billing-period cache "+theirs+" belongs to another account or API origin; ignored, and rebuilt"), r.stderr)
	assert.Equal(t, withPeriod(srv), periods, "none of the foreign periods used")
	r, periods = limitsRun(t, srv, keyEnv, dir)
	assert.NotContains(t, r.stderr, "warning")
	assert.Equal(t, withoutCurrent(srv), periods, "rebuilt for the API key")

	// Another origin (a proxy) is another file too.
	other := newFake(t)
	_, periods = limitsRun(t, other, twilioEnv(), dir)
	assert.Equal(t, withPeriod(other), periods)
	assert.Len(t, files(t, dir), 2)
}

// TestLimitsStaleCacheIsNeverAWrongAnswer puts periods in the cache that
// do not hold now (ended, not started yet): each costs its request, as
// without a cache, and the answer is the same.
func TestLimitsStaleCacheIsNeverAWrongAnswer(t *testing.T) {
	t.Parallel()
	srv, want, path, data := cachedRun(t)
	dir := filepath.Dir(path)
	var file periodCacheFile
	require.NoError(t, json.Unmarshal(data, &file))
	require.Len(t, file.Periods, withPeriod(srv)-withoutCurrent(srv))

	ended, future := 0, 0
	for i := range file.Periods {
		p := &file.Periods[i]
		switch i % 3 {
		case 0: // the previous month's period: ended before now
			p.StartTime, p.EndTime = p.StartTime.AddDate(0, -1, 0), p.StartTime
			ended++
		case 1: // the next one: not started yet
			p.StartTime, p.EndTime = p.EndTime, p.EndTime.AddDate(0, 1, 0)
			future++
		}
	}
	stale, err := json.Marshal(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, stale, 0o600))

	r, periods := limitsRun(t, srv, twilioEnv(), dir)
	assert.Equal(t, want.stdout, r.stdout, "the same answer as without a cache")
	assert.NotContains(t, r.stderr, "warning", "a stale cache is not corrupt")
	assert.Equal(t, ended+future+withoutCurrent(srv), periods, "a request for each period that does not hold now, and for the inactive SIM")

	// The cache keeps the current periods again, and drops the ended ones.
	_, periods = limitsRun(t, srv, twilioEnv(), dir)
	assert.Equal(t, withoutCurrent(srv), periods, "only the inactive SIM, which has no current period")
}
