package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim/supersimtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// asCommand makes the test binary run as the supersim command, for the
// tests that need a process of its own (signals).
const asCommand = "SUPERSIM_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// fixedNow is the clock of every in-process run: the demo dataset covers
// the five weeks before it.
var fixedNow = time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// result is what one run of the command left.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command in process with env as its whole environment.
func runCmd(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runCmdContext(t, context.Background(), env, args...)
}

func runCmdContext(t *testing.T, ctx context.Context, env []string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, env: env, now: clock}
	code := a.run(ctx, args)
	return result{code, out.String(), errOut.String()}
}

// newFake starts the fake API on the fixed clock.
func newFake(t *testing.T) *supersimtest.Server {
	t.Helper()
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	t.Cleanup(srv.Close)
	return srv
}

// twilioEnv is an environment with the fake's Account SID pair.
func twilioEnv() []string {
	return []string{"TWILIO_ACCOUNT_SID=" + supersimtest.AccountSID, "TWILIO_AUTH_TOKEN=" + supersimtest.AuthToken}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/supersim -update to create it")
	assert.Equal(t, string(want), got)
}

// lines splits output into its lines.
func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// assertFits checks that every line of a table is at most 80 columns.
func assertFits(t *testing.T, table string) {
	t.Helper()
	for _, line := range lines(table) {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 80, "%q", line)
	}
}

func TestNoCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "Usage: supersim <command>")

	r = runCmd(t, nil, "report")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "report"`)

	r = runCmd(t, nil, "help")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "usage -demo")
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "-version"} {
		r := runCmd(t, nil, arg)
		assert.Equal(t, exitOK, r.code)
		assert.Empty(t, r.stderr)
		// A test binary has no module version: the build info says (devel).
		assert.Regexp(t, `^supersim \(devel\) go1\.\d+.* \w+/\w+\n$`, r.stdout)
	}
}

func TestHelpListsFlagsEnvironmentAndExitCodes(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"usage", "export"} {
		r := runCmd(t, nil, cmd, "-help")
		assert.Equal(t, exitOK, r.code, cmd)
		assert.Empty(t, r.stderr, cmd)
		for _, want := range []string{"-sim", "-fleet", "-network", "-country", "-group", "-granularity", "-start", "-end",
			"-page-size", "-concurrency", "-format", "-demo",
			"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "KORE_CLIENT_ID", "KORE_CLIENT_SECRET",
			"Exit codes", "130"} {
			assert.Contains(t, r.stdout, want, cmd)
		}
	}
	assert.Contains(t, runCmd(t, nil, "usage", "-help").stdout, "-top")
	assert.Contains(t, runCmd(t, nil, "export", "-help").stdout, "-checkpoint")
}
