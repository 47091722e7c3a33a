package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInterruptExits130AndTheExportResumes runs the command as a process
// of its own, with its environment from os.Environ, interrupts it while
// the API holds a page, and resumes the export in process.
func TestInterruptExits130AndTheExportResumes(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	g := newGate(t, srv)
	dir := t.TempDir()
	cleanOut := filepath.Join(dir, "clean")
	clean := runCmd(t, twilioEnv(), exportArgs(g, "csv", cleanOut, filepath.Join(dir, "clean.json"))...)
	require.Equal(t, exitOK, clean.code, clean.stderr)
	want, err := os.ReadFile(cleanOut)
	require.NoError(t, err)

	g.set(0, 4) // hold page 4 until the command goes away
	out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "cp.json")
	cmd := exec.Command(os.Args[0], exportArgs(g, "csv", out, cp)...)
	cmd.Env = append(twilioEnv(), asCommand+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill() }) // if the test fails before Wait

	select {
	case <-g.held:
	case <-time.After(time.Minute):
		t.Fatalf("page 4 was never asked for; stderr:\n%s", stderr.String())
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v; stderr:\n%s", err, stderr.String())
	assert.Equal(t, exitInterrupted, exit.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "supersim: interrupted\n")
	assert.Contains(t, stderr.String(), "run the same command to resume from "+cp)
	assert.Empty(t, stdout.String())

	// Whole pages only, as many as the checkpoint counts: the held page's
	// records never arrived, and the pages before it may or may not have
	// been written when the signal came.
	saved := readCheckpoint(t, cp)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, saved.OutputBytes, int64(len(got)))
	assert.Contains(t, []int64{100, 150}, saved.Records)
	assert.Equal(t, int(saved.Records)+1, strings.Count(string(got), "\n"))
	assert.Equal(t, string(want[:len(got)]), string(got))

	g.set(0, 0)
	resumed := runCmd(t, twilioEnv(), exportArgs(g, "csv", out, cp)...)
	require.Equal(t, exitOK, resumed.code, resumed.stderr)
	got, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "nothing lost, nothing repeated")
}
