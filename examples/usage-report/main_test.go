package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim/supersimtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var fixedNow = time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

func noEnv(string) string { return "" }

// runReport runs the command on the demo dataset at fixedNow.
func runReport(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, getenv, clock, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReportsMatchGoldenFiles(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"fleet_day.table", []string{"-group", "fleet", "-granularity", "day", "-start", "2026-06-01", "-end", "2026-06-15"}},
		{"country.csv", []string{"-group", "isoCountry", "-format", "csv", "-start", "2026-06-01", "-end", "2026-06-15"}},
		{"network_day.json", []string{"-group", "network", "-granularity", "day", "-format", "json", "-start", "2026-06-10", "-end", "2026-06-13"}},
		{"sim_top5.table", []string{"-group", "sim", "-top", "5", "-start", "2026-06-01T00:00:00Z", "-end", "2026-06-08T00:00:00Z"}},
		{"default.table", nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errOut := runReport(t, noEnv, tt.args...)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, errOut, "no TWILIO_* credentials set", "the fake API is announced on stderr")
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr, no progress when it is not a terminal")
			path := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), out)
		})
	}
}

func TestReportTotalsAreExact(t *testing.T) {
	code, out, _ := runReport(t, noEnv, "-group", "sim", "-format", "csv", "-start", "2026-06-01", "-end", "2026-06-15")
	require.Equal(t, 0, code)
	want := supersimtest.NewServer(supersimtest.WithClock(clock))
	defer want.Close()
	totals := want.Totals(supersimtest.Filter{Start: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, 1+supersimtest.DemoSIMs+1)
	assert.Equal(t, strings.Join([]string{"TOTAL", itoa(totals.Upload), itoa(totals.Download), itoa(totals.Total), totals.Billed.String(), "USD"}, ","), lines[len(lines)-1])
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"-format", "xml"},
		{"-start", "yesterday"},
		{"-end", "2026-13-01"},
		{"-group", "planet"},
		{"-network", "HWnope"},
		{"-page-size", "5000"},
		{"-top", "-1"},
		{"-start", "2026-06-02", "-end", "2026-06-01"},
		{"-nope"},
		{"stray"},
	} {
		code, out, errOut := runReport(t, noEnv, args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "usage-report", "%v", args)
	}
}

func TestAPIErrorsExit1WithTwilioCode(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	defer srv.Close()
	env := map[string]string{"TWILIO_ACCOUNT_SID": supersimtest.AccountSID, "TWILIO_AUTH_TOKEN": "wrong-token"}
	code, out, errOut := runReport(t, func(k string) string { return env[k] }, "-base-url", srv.URL)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "Twilio error 20003")
	assert.NotContains(t, errOut, "wrong-token")
	assert.NotContains(t, errOut, "no TWILIO_* credentials", "real credentials do not start the fake")

	// Range limits come back as Twilio errors too.
	env["TWILIO_AUTH_TOKEN"] = supersimtest.AuthToken
	code, _, errOut = runReport(t, func(k string) string { return env[k] }, "-base-url", srv.URL, "-group", "sim", "-start", "2026-01-01")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Twilio error 83603")
}

func TestAPIKeyCredentialsFromEnvironment(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	defer srv.Close()
	env := map[string]string{"TWILIO_API_KEY": supersimtest.APIKey, "TWILIO_API_SECRET": supersimtest.APISecret}
	code, out, errOut := runReport(t, func(k string) string { return env[k] }, "-base-url", srv.URL, "-format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "TOTAL,")
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, supersimtest.AuthAPIKey, reqs[0].Auth)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
