package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// liveFakes are two fake APIs over the demo data of fixedNow: before,
// with usage up to the hour before now (12:00 UTC), at fixedNow; after,
// an hour later, when the usage of 12:00 has arrived.
func liveFakes(t *testing.T) (before, after *supersimtest.Server) {
	t.Helper()
	samples := supersimtest.DemoDataset(supersimtest.DemoSeed, fixedNow)
	lastHour := fixedNow.Truncate(time.Hour).Add(-time.Hour)
	grown := slices.Clone(samples)
	for _, s := range samples {
		if s.Hour.Equal(lastHour) {
			s.Hour = s.Hour.Add(time.Hour)
			grown = append(grown, s)
		}
	}
	require.Greater(t, len(grown), len(samples), "usage arrives for the current hour")
	before = supersimtest.NewServer(supersimtest.WithSamples(samples), supersimtest.WithClock(clock))
	after = supersimtest.NewServer(supersimtest.WithSamples(grown), supersimtest.WithClock(func() time.Time { return fixedNow.Add(time.Hour) }))
	t.Cleanup(before.Close)
	t.Cleanup(after.Close)
	return before, after
}

// runAt runs the command in process with the clock at now.
func runAt(t *testing.T, now time.Time, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	a := &app{stdout: &out, stderr: &errOut, env: twilioEnv(), now: func() time.Time { return now }}
	code := a.run(t.Context(), args)
	return result{code, out.String(), errOut.String()}
}

// TestCheckpointedExportOfALivePeriodIsExact exports today by the hour up
// to the end of today, with a checkpoint: interrupted, then resumed an
// hour later, after usage arrived for the hour that was current, it holds
// exactly the records of the whole hours before the first run's now,
// each once, in one sequence and in windows.
func TestCheckpointedExportOfALivePeriodIsExact(t *testing.T) {
	t.Parallel()
	for _, walk := range []string{"0", "4"} {
		t.Run("concurrency "+walk, func(t *testing.T) {
			t.Parallel()
			before, after := liveFakes(t)
			dir := t.TempDir()
			args := func(url, end string, extra ...string) []string {
				return append([]string{"export", "-base-url", url, "-group", "sim", "-granularity", "hour",
					"-start", "2026-06-15", "-end", end, "-page-size", "100", "-concurrency", walk}, extra...)
			}
			later := fixedNow.Add(time.Hour)
			clean := runAt(t, later, args(after.URL, "2026-06-15T12:00:00Z")...)
			require.Equal(t, exitOK, clean.code, clean.stderr)
			require.Greater(t, len(lines(clean.stdout)), 400, "pages enough to interrupt")

			out, cp := filepath.Join(dir, "out.csv"), filepath.Join(dir, "out.ckpt")
			g := newGate(t, before)
			g.set(4, 0)
			failed := runAt(t, fixedNow, args(g.URL, "2026-06-16", "-o", out, "-checkpoint", cp)...)
			require.Equal(t, exitAPIError, failed.code, failed.stderr)
			assert.Contains(t, failed.stderr, "supersim: -end 2026-06-16T00:00:00Z is past the last whole hour: "+
				"this checkpointed export ends at 2026-06-15T12:00:00Z")
			assert.NotContains(t, failed.stderr, "warning: the period reaches past now")
			saved := readCheckpoint(t, cp)
			require.NotNil(t, saved.Next, "interrupted")
			assert.Equal(t, "2026-06-16T00:00:00Z", saved.Query["end"], "the end asked for")
			require.NotNil(t, saved.End)
			assert.Equal(t, "2026-06-15T12:00:00Z", stamp(*saved.End), "the end exported")

			// An hour later the listing has grown at its head: the same
			// command resumes the same period.
			resumed := runAt(t, later, args(after.URL, "2026-06-16", "-o", out, "-checkpoint", cp)...)
			require.Equal(t, exitOK, resumed.code, resumed.stderr)
			assert.Contains(t, resumed.stderr, "this checkpointed export ends at 2026-06-15T12:00:00Z")
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			repeated, missing := compareRecords(lines(clean.stdout), lines(string(got)))
			assert.True(t, clean.stdout == string(got), "exactly the records of the whole hours, each once, in order: %d repeated, %d missing", repeated, missing)
		})
	}
}

// TestCheckpointedExportEndsAtTheLastWholeBucket checks where the end of
// a checkpointed export is cut for each granularity, and what is refused.
func TestCheckpointedExportEndsAtTheLastWholeBucket(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tt := range []struct {
		granularity, start, end string
		code                    int
		note, exported          string
	}{
		{"hour", "2026-06-15T10:00:00Z", "2026-06-15T13:00:00Z", exitOK, "past the last whole hour", "2026-06-15T12:00:00Z"},
		{"day", "2026-06-13", "2026-06-16", exitOK, "past the last whole day", "2026-06-15T00:00:00Z"},
		{"all", "2026-06-13", "2026-06-15T12:10:00Z", exitOK, "past the last whole hour", "2026-06-15T12:00:00Z"},
		{"hour", "2026-06-15T11:00:00Z", "2026-06-15T12:00:00Z", exitOK, "", "2026-06-15T12:00:00Z"},
		{"hour", "2026-06-15T12:00:00Z", "2026-06-15T13:00:00Z", exitUsage, "-start 2026-06-15T12:00:00Z is in the current hour", ""},
		{"day", "2026-06-15", "2026-06-16", exitUsage, "-start 2026-06-15T00:00:00Z is in the current day", ""},
	} {
		dir := t.TempDir()
		name := tt.granularity + " " + tt.start + " " + tt.end
		out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp")
		r := runCmd(t, twilioEnv(), "export", "-base-url", srv.URL, "-granularity", tt.granularity,
			"-start", tt.start, "-end", tt.end, "-o", out, "-checkpoint", cp)
		require.Equal(t, tt.code, r.code, "%s: %s", name, r.stderr)
		if tt.code != exitOK {
			assert.Contains(t, r.stderr, tt.note, name)
			assert.NoFileExists(t, cp, name)
			assert.NoFileExists(t, out+partialSuffix, name)
			continue
		}
		saved := readCheckpoint(t, cp)
		require.NotNil(t, saved.End, name)
		assert.Equal(t, tt.exported, stamp(*saved.End), name)
		if tt.note == "" {
			assert.NotContains(t, r.stderr, "this checkpointed export ends at", name)
			continue
		}
		assert.Contains(t, r.stderr, tt.note+": this checkpointed export ends at "+tt.exported, name)
		for _, line := range lines(readString(t, out))[1:] {
			cells := strings.Split(line, ",")
			assert.Less(t, cells[5], tt.exported, "%s: no record starts past the end", name)
			assert.LessOrEqual(t, cells[6], tt.exported, "%s: no record ends past the end", name)
		}
	}
}

// TestResumeRefusesAnotherOrALivePeriod refuses to resume a checkpoint
// for another end, and one of an older supersim whose period reaches past
// the last whole hour.
func TestResumeRefusesAnotherOrALivePeriod(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	g := newGate(t, srv)
	dir := t.TempDir()
	out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp")
	args := func(end string) []string {
		return []string{"export", "-base-url", g.URL, "-group", "sim", "-granularity", "hour", "-start", "2026-06-15",
			"-end", end, "-page-size", "100", "-concurrency", "0", "-o", out, "-checkpoint", cp}
	}
	g.set(2, 0)
	require.Equal(t, exitAPIError, runCmd(t, twilioEnv(), args("2026-06-16")...).code)

	g.set(0, 0)
	r := runCmd(t, twilioEnv(), args("2026-06-15T13:00:00Z")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, `end "2026-06-15T13:00:00Z" (checkpoint: "2026-06-16T00:00:00Z")`)

	// A checkpoint without the end exported, for a period past now.
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(readString(t, cp)), &raw))
	delete(raw, "end")
	data, err := json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cp, data, 0o644))
	r = runCmd(t, twilioEnv(), args("2026-06-16")...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "ends past the last whole hour")
	assert.Empty(t, g.queries(), "nothing read")
}

// compareRecords counts the lines of got that repeat one before them,
// and the lines of want that got lacks.
func compareRecords(want, got []string) (repeated, missing int) {
	seen := map[string]bool{}
	for _, line := range got {
		if seen[line] {
			repeated++
		}
		seen[line] = true
	}
	for _, line := range want {
		if !seen[line] {
			missing++
		}
	}
	return repeated, missing
}

// readString returns the file at path, or "" when there is none.
func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ""
	}
	require.NoError(t, err)
	return string(data)
}
