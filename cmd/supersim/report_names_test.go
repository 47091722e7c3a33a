package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// refusing is a proxy in front of the fake API that answers every request
// for path with HTTP 403, as Twilio answers a restricted API key, and
// passes the others on.
func refusing(t *testing.T, fake *supersimtest.Server, path string) string {
	t.Helper()
	proxy := reverseProxy(t, fake)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"code": 20403, "message": "Forbidden", "more_info": "https://www.twilio.com/docs/errors/20403", "status": 403}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// requestsTo counts the requests the fake saw for each path.
func requestsTo(srv *supersimtest.Server) map[string][]url.Values {
	out := map[string][]url.Values{}
	for _, r := range srv.Requests() {
		out[r.Path] = append(out[r.Path], r.Query)
	}
	return out
}

func TestUsageNamesComeFromOneWalkOfTheirList(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args     []string
		list     string // the one list of names read; "" for none
		fleet    string // its Fleet filter
		name     string // a name the CSV holds
		noneRead bool
	}{
		{[]string{"-group", "sim"}, "/v1/Sims", "", "berlin-meters.sim.14", false},
		{[]string{"-group", "sim", "-fleet", "paris-trackers"}, "/v1/Sims", "paris-trackers", "paris-trackers.sim.9", false},
		{[]string{"-group", "fleet"}, "/v1/Fleets", "", "paris-trackers", false},
		{[]string{"-group", "network"}, "/v1/Networks", "", "Telekom Deutschland", false},
		{[]string{"-group", "isoCountry"}, "", "", "", true},
		{nil, "", "", "", true},
	} {
		srv := newFake(t)
		args := append([]string{"usage", "-base-url", srv.URL, "-format", "csv", "-start", "2026-06-01", "-end", "2026-06-15"}, tt.args...)
		r := runCmd(t, twilioEnv(), args...)
		require.Equal(t, exitOK, r.code, "%v: %s", tt.args, r.stderr)
		assert.NotContains(t, r.stderr, "warning", "%v", tt.args)
		seen := requestsTo(srv)
		for _, list := range []string{"/v1/Sims", "/v1/Fleets", "/v1/Networks"} {
			if list != tt.list {
				assert.Empty(t, seen[list], "%v: %s", tt.args, list)
				continue
			}
			require.Len(t, seen[list], 1, "%v: one page of %s, whole", tt.args, list)
			assert.Equal(t, "1000", seen[list][0].Get("PageSize"), "%v", tt.args)
			assert.Equal(t, tt.fleet, seen[list][0].Get("Fleet"), "%v", tt.args)
		}
		for path := range seen {
			assert.False(t, strings.Count(path, "/") > 2, "%v: no request per row (%s)", tt.args, path)
		}
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		require.NoError(t, err)
		require.Equal(t, "group_name", rows[0][2])
		for _, row := range rows[1:] {
			if row[0] == "group" && !tt.noneRead {
				assert.NotEmpty(t, row[2], "%v: every demo group has a name: %v", tt.args, row)
			} else {
				assert.Empty(t, row[2], "%v: %v", tt.args, row)
			}
		}
		if tt.name != "" {
			assert.Contains(t, r.stdout, ","+tt.name+",", "%v", tt.args)
		}
	}
}

func TestUsageWithoutNamesPrintsSIDsAndOneWarning(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	base := refusing(t, srv, "/v1/Fleets")
	want := runCmd(t, nil, "usage", "-demo", "-group", "fleet", "-format", "json", "-start", "2026-06-01", "-end", "2026-06-15")
	require.Equal(t, exitOK, want.code)

	for _, format := range []string{"table", "csv", "json"} {
		r := runCmd(t, twilioEnv(), "usage", "-base-url", base, "-group", "fleet", "-format", format, "-start", "2026-06-01", "-end", "2026-06-15")
		require.Equal(t, exitOK, r.code, "%s: %s", format, r.stderr)
		warnings := regexpWarning.FindAllString(r.stderr, -1)
		require.Len(t, warnings, 1, "%s: one warning: %s", format, r.stderr)
		assert.Contains(t, warnings[0], "names could not be read", format)
		assert.Contains(t, warnings[0], "403", format)
		assert.Contains(t, r.stdout, "HF8be2", "%s: the fleets by SID", format)
		assert.NotContains(t, r.stdout, "paris-trackers", format)
		if format != "json" {
			continue
		}
		var got, named struct {
			Groups []struct {
				Group string  `json:"group"`
				Name  *string `json:"group_name"`
			} `json:"groups"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		require.NoError(t, json.Unmarshal([]byte(want.stdout), &named))
		require.Len(t, got.Groups, len(named.Groups))
		for i, g := range got.Groups {
			assert.Equal(t, named.Groups[i].Group, g.Group)
			assert.Nil(t, g.Name, "null, not a name")
		}
	}
}

// regexpWarning finds a warning line.
var regexpWarning = regexp.MustCompile(`(?m)^supersim: warning: .*$`)

func TestExportNamesAddsSimAndFleetNameColumns(t *testing.T) {
	t.Parallel()
	args := []string{"export", "-demo", "-names", "-group", "fleet", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-12"}
	r := runCmd(t, nil, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, append(append([]string{}, exportCSVHeader...), "sim_name", "fleet_name"), rows[0])
	require.Len(t, rows, 1+8, "4 fleets, 2 days")
	fleets := map[string]string{}
	for _, f := range newFake(t).Account().Fleets {
		fleets[f.SID] = f.UniqueName
	}
	for _, row := range rows[1:] {
		assert.Empty(t, row[12], "no SIM in records grouped by fleet")
		assert.Equal(t, fleets[row[2]], row[13])
		assert.NotEmpty(t, row[13])
	}

	jsonl := runCmd(t, nil, append(args, "-format", "jsonl", "-group", "sim")...)
	require.Equal(t, exitOK, jsonl.code, jsonl.stderr)
	for _, line := range strings.Split(strings.TrimSpace(jsonl.stdout), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		assert.NotEmpty(t, rec["sim_name"], line)
		assert.Contains(t, rec, "fleet_name", line)
		assert.Nil(t, rec["fleet_name"], "records grouped by SIM have no fleet")
	}

	dir := filepath.Join(t.TempDir(), "table")
	pq := runCmd(t, nil, append(args, "-format", "parquet", "-o", dir)...)
	require.Equal(t, exitOK, pq.code, pq.stderr)
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*"+partSuffix))
	require.NoError(t, err)
	n := 0
	for _, path := range paths {
		got, err := parquet.ReadFile[namedExportRow](path)
		require.NoError(t, err)
		for _, row := range got {
			assert.Equal(t, fleets[row.FleetSID], row.FleetName)
			n++
		}
	}
	assert.Equal(t, 8, n)

	plain := runCmd(t, nil, "export", "-demo", "-group", "fleet", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-12")
	require.Equal(t, exitOK, plain.code)
	assert.Equal(t, strings.Join(exportCSVHeader, ","), lines(plain.stdout)[0], "no names without -names")
}

func TestExportNamesThatCannotBeReadFailTheExport(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	base := refusing(t, srv, "/v1/Sims")
	out := filepath.Join(t.TempDir(), "usage.csv")
	r := runCmd(t, twilioEnv(), "export", "-base-url", base, "-names", "-o", out, "-start", "2026-06-10", "-end", "2026-06-12")
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "names of SIMs and fleets")
	assert.Contains(t, r.stderr, "403")
	assert.NoFileExists(t, out, "no export without its names")

	bad := runCmd(t, nil, "export", "-demo", "-names", "-schema", "focus")
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, "-names goes with -schema export")
}

// TestUsageWalkFailureFailsTheReportWithNames checks that a usage walk
// that fails beside a names walk that succeeds leaves no report: exit 1.
func TestUsageWalkFailureFailsTheReportWithNames(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	base := refusing(t, srv, "/v1/UsageRecords")
	r := runCmd(t, twilioEnv(), "usage", "-base-url", base, "-group", "fleet")
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Empty(t, r.stdout, "no partial output")
	assert.Contains(t, r.stderr, "403")
	assert.NotContains(t, r.stderr, "warning", "the names walk, ended with the report, says nothing")
}
