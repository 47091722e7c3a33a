package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestExportMatchesGoldenFiles(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "export", "-demo", "-format", format, "-group", "fleet", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-13")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Regexp(t, `^supersim: reading demo data from the built-in fake API \(no account needed\)\n`+
				`supersim: exported 12 records to stdout\n$`, r.stderr, "no progress off a terminal")
			golden(t, "export_fleet_day."+format, r.stdout)
		})
	}
}

// TestExportIsEveryRecordOnce exports a range long enough for windows, at
// once and in one walk: the same records, adding up to the fake's totals.
func TestExportIsEveryRecordOnce(t *testing.T) {
	t.Parallel()
	args := []string{"export", "-demo", "-format", "jsonl", "-group", "sim", "-granularity", "hour", "-start", "2026-06-12", "-end", "2026-06-14"}
	windowed := runCmd(t, nil, append(args, "-concurrency", "8")...)
	sequential := runCmd(t, nil, append(args, "-concurrency", "1")...)
	require.Equal(t, exitOK, windowed.code, windowed.stderr)
	require.Equal(t, exitOK, sequential.code, sequential.stderr)

	got, want := lines(windowed.stdout), lines(sequential.stdout)
	slices.Sort(got)
	slices.Sort(want)
	assert.Equal(t, want, got, "the same records, each once")
	assert.Equal(t, len(got), len(slices.Compact(slices.Clone(got))), "no record twice")

	var sum supersimtest.Totals
	for _, line := range got {
		var rec supersim.UsageRecord
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		sum.AddRecord(rec)
	}
	srv := newFake(t)
	total := srv.Totals(supersimtest.Filter{Start: time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)})
	assert.Equal(t, total.Total, sum.Total)
	assert.True(t, total.Billed.Equal(sum.Billed), "%s vs %s", total.Billed, sum.Billed)
}

func TestExportNothingMatchedExits3(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "export", "-demo", "-fleet", "no-such-fleet", "-granularity", "day")
	assert.Equal(t, exitNoMatch, r.code)
	assert.Contains(t, r.stderr, "warning: nothing matched")
	assert.Equal(t, strings.Join(exportCSVHeader, ",")+"\n", r.stdout, "the header, and no record")
}

// exportArgs is a checkpointed export of 300 records in 6 pages of 50
// through the gate, one request after another (-concurrency 0) so that
// the gate's count of requests is the count of pages.
func exportArgs(g *gate, format, out, cp string) []string {
	return []string{"export", "-base-url", g.URL, "-format", format, "-group", "sim", "-granularity", "day",
		"-start", "2026-06-01", "-end", "2026-06-04", "-page-size", "50", "-concurrency", "0", "-o", out, "-checkpoint", cp}
}

func readCheckpoint(t *testing.T, path string) checkpoint {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var cp checkpoint
	require.NoError(t, json.Unmarshal(data, &cp))
	return cp
}

func TestExportCheckpointResumesAfterAnAPIFailure(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			g := newGate(t, srv)
			dir := t.TempDir()
			cleanOut, out, cp := filepath.Join(dir, "clean"), filepath.Join(dir, "out"), filepath.Join(dir, "cp.json")

			clean := runCmd(t, twilioEnv(), exportArgs(g, format, cleanOut, filepath.Join(dir, "clean.json"))...)
			require.Equal(t, exitOK, clean.code, clean.stderr)
			want, err := os.ReadFile(cleanOut)
			require.NoError(t, err)
			header := len(newPageBuffer(format, nil, nil).header())
			require.Equal(t, 300, strings.Count(string(want[header:]), "\n"))

			// Page 3 fails: pages 1 and 2 are in the output, and the checkpoint says so.
			g.set(3, 0)
			failed := runCmd(t, twilioEnv(), exportArgs(g, format, out, cp)...)
			require.Equal(t, exitAPIError, failed.code, failed.stderr)
			assert.Contains(t, failed.stderr, "Injected by the test")
			assert.Contains(t, failed.stderr, "the checkpoint counts 100 records in "+out+".partial; run the same command to resume from "+cp)
			saved := readCheckpoint(t, cp)
			assert.Equal(t, int64(100), saved.Records)
			assert.Equal(t, int64(2), saved.Pages)
			require.NotNil(t, saved.Next)
			assert.Equal(t, 2, saved.Next.Page)
			assert.NoFileExists(t, out, "FILE only once complete")
			got, err := os.ReadFile(out + ".partial")
			require.NoError(t, err)
			assert.Equal(t, string(want[:saved.OutputBytes]), string(got), "whole pages, as in a clean export")

			// A crash mid-write would leave a piece of a record: resuming cuts it off.
			f, err := os.OpenFile(out+".partial", os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString(`AC00000000000000000000000000000000,HSbad`)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			g.set(0, 0)
			resumed := runCmd(t, twilioEnv(), exportArgs(g, format, out, cp)...)
			require.Equal(t, exitOK, resumed.code, resumed.stderr)
			assert.Contains(t, resumed.stderr, "exported 300 records to "+out+", 200 of them in this run")
			got, err = os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "nothing lost, nothing repeated")
			assert.NoFileExists(t, out+".partial", "renamed")
			asked := g.queries()
			require.Len(t, asked, 4, "pages 3 to 6 only")
			assert.Equal(t, "2", asked[0].Get("Page"))
			assert.Equal(t, saved.Next.PageToken, asked[0].Get("PageToken"))
			assert.Nil(t, readCheckpoint(t, cp).Next, "marked complete")

			// Once complete, the same command writes nothing and asks nothing.
			g.set(0, 0)
			again := runCmd(t, twilioEnv(), exportArgs(g, format, out, cp)...)
			assert.Equal(t, exitOK, again.code)
			assert.Contains(t, again.stderr, "already complete (300 records)")
			assert.Empty(t, g.queries())
			got, err = os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestExportResumeKeepsThePeriodItStartedWith resumes a day later, when
// the default period has moved: -start and -end not given come from the
// checkpoint, with neither given or only -start.
func TestExportResumeKeepsThePeriodItStartedWith(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, given := range [][]string{nil, {"-start", "2026-06-10"}} {
		t.Run(strings.Join(given, " "), func(t *testing.T) {
			t.Parallel()
			g := newGate(t, srv)
			dir := t.TempDir()
			args := func(out, cp string) []string {
				return append([]string{"export", "-base-url", g.URL, "-group", "fleet", "-granularity", "day", "-page-size", "10",
					"-o", out, "-checkpoint", cp}, given...)
			}
			clean := runCmd(t, twilioEnv(), args(filepath.Join(dir, "clean"), filepath.Join(dir, "clean.json"))...)
			require.Equal(t, exitOK, clean.code, clean.stderr)

			g.set(2, 0)
			out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp.json")
			require.Equal(t, exitAPIError, runCmd(t, twilioEnv(), args(out, cp)...).code)

			g.set(0, 0)
			var stdout, stderr strings.Builder
			a := &app{stdout: &stdout, stderr: &stderr, env: twilioEnv(), now: func() time.Time { return fixedNow.Add(24 * time.Hour) }}
			require.Equal(t, exitOK, a.run(t.Context(), args(out, cp)), stderr.String())
			want, err := os.ReadFile(filepath.Join(dir, "clean"))
			require.NoError(t, err)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			assert.Equal(t, "2026-06-15T00:00:00Z", readCheckpoint(t, cp).Query["end"])
		})
	}
}

func TestExportCheckpointErrorsExit2(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	g := newGate(t, srv)
	dir := t.TempDir()
	out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp.json")
	g.set(2, 0)
	require.Equal(t, exitAPIError, runCmd(t, twilioEnv(), exportArgs(g, "csv", out, cp)...).code)
	partial := out + ".partial"
	before, err := os.ReadFile(partial)
	require.NoError(t, err)

	other := func(flag, value string) []string {
		args := exportArgs(g, "csv", out, cp)
		i := slices.Index(args, flag)
		if i < 0 {
			return append(args, flag, value)
		}
		args[i+1] = value
		return args
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"another group", other("-group", "fleet"), `group "fleet" (checkpoint: "sim")`},
		{"another format", other("-format", "jsonl"), `format "jsonl" (checkpoint: "csv")`},
		{"another period", other("-end", "2026-06-05"), `end "2026-06-05T00:00:00Z" (checkpoint: "2026-06-04T00:00:00Z")`},
		{"another output", other("-o", filepath.Join(dir, "elsewhere")), "(checkpoint: " + `"` + out},
		{"windows instead of one sequence", other("-concurrency", "4"), `walk "windows" (checkpoint: "one sequence")`},
		{"FOCUS's columns", other("-schema", "focus"), `schema "focus" (checkpoint: none)`},
		{"no output", []string{"export", "-demo", "-checkpoint", cp}, "-checkpoint needs -o FILE"},
	} {
		g.set(0, 0)
		r := runCmd(t, twilioEnv(), tt.args...)
		assert.Equal(t, exitUsage, r.code, tt.name)
		assert.Contains(t, r.stderr, tt.want, tt.name)
		assert.Empty(t, g.queries(), tt.name)
		after, err := os.ReadFile(partial)
		require.NoError(t, err)
		assert.Equal(t, before, after, "%s: the output is left alone", tt.name)
	}

	// An output shorter than the checkpoint counts was changed behind its back.
	require.NoError(t, os.Truncate(partial, int64(len(before)-1)))
	r := runCmd(t, twilioEnv(), exportArgs(g, "csv", out, cp)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "delete the checkpoint to start over")

	// So is a checkpoint that is not one.
	require.NoError(t, os.WriteFile(cp, []byte("{}"), 0o644))
	r = runCmd(t, twilioEnv(), exportArgs(g, "csv", out, cp)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "is not a supersim checkpoint")
}

// TestExportCheckpointResumesAWindowedExport exports 35 days of hourly
// records per fleet, longer than one request may read, in windows: with a
// checkpoint, failed half way and resumed, it writes the same bytes as an
// export without one, in CSV and JSON Lines.
func TestExportCheckpointResumesAWindowedExport(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			g := newGate(t, srv)
			dir := t.TempDir()
			args := func(extra ...string) []string {
				return append([]string{"export", "-base-url", g.URL, "-format", format, "-group", "fleet", "-granularity", "hour",
					"-start", "2026-05-10", "-end", "2026-06-14", "-page-size", "100", "-concurrency", "3"}, extra...)
			}
			plain := runCmd(t, twilioEnv(), args()...)
			require.Equal(t, exitOK, plain.code, plain.stderr)
			pages := len(g.queries())
			require.Greater(t, pages, 20, "pages enough to fail half way")

			out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp")
			g.set(pages/2, 0)
			failed := runCmd(t, twilioEnv(), args("-o", out, "-checkpoint", cp)...)
			require.Equal(t, exitAPIError, failed.code, failed.stderr)
			saved := readCheckpoint(t, cp)
			require.NotNil(t, saved.Next)
			assert.False(t, saved.Next.WindowEnd.IsZero(), "a windowed position")
			assert.Equal(t, "windows", saved.Query["walk"])

			// Resumed with more requests at once: the same walk, faster.
			g.set(0, 0)
			resumed := runCmd(t, twilioEnv(), args("-o", out, "-checkpoint", cp, "-concurrency", "5")...)
			require.Equal(t, exitOK, resumed.code, resumed.stderr)
			records := strings.Count(plain.stdout, "\n") - strings.Count(string(newPageBuffer(format, nil, nil).header()), "\n")
			assert.Contains(t, resumed.stderr, fmt.Sprintf("exported %d records", records))
			assert.Contains(t, resumed.stderr, fmt.Sprintf(", %d of them in this run", records-int(saved.Records)))
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.True(t, plain.stdout == string(got), "the same bytes as without a checkpoint: %d and %d", len(plain.stdout), len(got))
			assert.Less(t, len(g.queries()), pages, "the resumed run asked only for what was left")
		})
	}
}
