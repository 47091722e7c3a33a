package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// killArgs is an export of some 6,000 records (about 2 MB of JSON Lines)
// in pages of 1000 from the API at url, read in windows, each page one
// large write for the output.
func killArgs(url string, extra ...string) []string {
	return append([]string{"export", "-base-url", url, "-format", "jsonl", "-group", "sim", "-granularity", "hour",
		"-start", "2026-06-11", "-end", "2026-06-15", "-page-size", "1000"}, extra...)
}

// commandProcess is the command started as a process of its own (the
// test binary, run as the command), with stdout to stdout.
func commandProcess(args []string, stdout io.Writer) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(twilioEnv(), asCommand+"=1")
	cmd.Stdout = stdout
	return cmd
}

// runKilled runs the command and kills it (SIGKILL) after the given time,
// unless it ends first. It returns the exit code, or -1 when killed.
func runKilled(t *testing.T, cmd *exec.Cmd, after time.Duration) int {
	t.Helper()
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(after):
		cmd.Process.Kill()
		err = <-done
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// TestKilledExportNeverEndsInHalfARecord kills the command with SIGKILL
// at random moments, mostly while it writes pages of about 240 KB, and
// checks what it leaves: -o FILE is there complete or not at all, the
// checkpointed export (windowed) resumes to the same bytes as a clean one
// without a checkpoint, and stdout (a pipe) ends in a whole record.
func TestKilledExportNeverEndsInHalfARecord(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("seed %d", seed)

	// Clean runs: the reference, and the shortest run bounds the kill times.
	ref := filepath.Join(dir, "ref.jsonl")
	took := time.Minute
	for range 3 {
		began := time.Now()
		require.Equal(t, exitOK, runKilled(t, commandProcess(killArgs(srv.URL, "-o", ref), io.Discard), time.Minute))
		took = min(took, time.Since(began))
	}
	want, err := os.ReadFile(ref)
	require.NoError(t, err)
	require.Greater(t, bytes.Count(want, []byte("\n")), 5000, "pages enough to kill an export half way")
	killAt := func() time.Duration { return time.Duration(rng.Int64N(int64(took))) }

	kills := 0
	// whole checks what a killed run left at path.
	whole := func(path string, data []byte) {
		t.Helper()
		if len(data) > 0 {
			assert.Equal(t, byte('\n'), data[len(data)-1], "%s ends in half a record (%d bytes, kill %d)", path, len(data), kills)
		}
		assert.True(t, bytes.HasPrefix(want, data), "%s holds what a clean export does", path)
	}
	complete := func(path string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		require.NoError(t, err)
		whole(path, data)
		assert.Equal(t, len(want), len(data), "%s is there complete or not at all (kill %d)", path, kills)
	}

	// -o FILE without a checkpoint: every run starts afresh.
	plain := filepath.Join(dir, "plain.jsonl")
	for range 8 {
		if runKilled(t, commandProcess(killArgs(srv.URL, "-o", plain), io.Discard), killAt()) < 0 {
			kills++
		}
		complete(plain)
	}

	// With a checkpoint every run goes on from the last: killed again and
	// again, the export ends with the same bytes as a clean one.
	out, cp := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "out.ckpt")
	for runs := 1; ; runs++ {
		require.LessOrEqual(t, runs, 30, "30 runs did not complete the export")
		after := killAt()
		if runs > 12 { // enough kills: on a loaded machine a run may get little done before its kill
			after = time.Minute
		}
		code := runKilled(t, commandProcess(killArgs(srv.URL, "-o", out, "-checkpoint", cp), io.Discard), after)
		if code < 0 {
			kills++
		}
		complete(out)
		if code == exitOK {
			break
		}
		require.Equal(t, -1, code, "killed, or done")
	}
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "nothing lost, nothing repeated: %d bytes, want %d", len(got), len(want))
	temps, err := filepath.Glob(cp + ".*")
	require.NoError(t, err)
	assert.Empty(t, temps, "no temporary checkpoint left behind")

	// stdout, a pipe: what the reader got ends in a whole record.
	for range 8 {
		var stdout bytes.Buffer
		if runKilled(t, commandProcess(killArgs(srv.URL), &stdout), killAt()) < 0 {
			kills++
		}
		whole("stdout", stdout.Bytes())
	}
	t.Logf("%d kills; a clean run took %v", kills, took)
	assert.Greater(t, kills, 10, "most runs were killed before their end")
}
