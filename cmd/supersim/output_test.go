package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// files lists the names in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestExportRefusesOneFileForOutputAndCheckpoint(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	g := newGate(t, srv)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	existing := filepath.Join(dir, "existing.ckpt")
	require.NoError(t, os.WriteFile(existing, []byte("{}"), 0o644))
	require.NoError(t, os.Symlink(existing, filepath.Join(dir, "link.ckpt")))
	require.NoError(t, os.Link(existing, filepath.Join(dir, "hard.ckpt")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	before := files(t, dir)

	for _, tt := range []struct{ name, out, cp string }{
		{"the same name", out, out},
		{"another spelling", out, filepath.Join(dir, "sub", "..", ".", "out.csv")},
		{"relative and absolute", out, relativeTo(t, out)},
		{"FILE.partial", out, out + ".partial"},
		{"a link to it", existing, filepath.Join(dir, "link.ckpt")},
		{"a hard link to it", filepath.Join(dir, "hard.ckpt"), existing},
	} {
		g.set(0, 0)
		r := runCmd(t, twilioEnv(), exportArgs(g, "csv", tt.out, tt.cp)...)
		assert.Equal(t, exitUsage, r.code, tt.name)
		assert.Contains(t, r.stderr, "name the same file", tt.name)
		assert.Empty(t, g.queries(), tt.name)
		assert.Equal(t, before, files(t, dir), "%s: nothing written", tt.name)
	}
}

// relativeTo is path relative to the working directory.
func relativeTo(t *testing.T, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(wd, path)
	require.NoError(t, err)
	return rel
}

// failingWriter fails every write as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestExportWriteFailuresExit1AndLeaveNoFile(t *testing.T) {
	t.Parallel()
	base := []string{"export", "-demo", "-granularity", "day", "-group", "fleet", "-start", "2026-06-10", "-end", "2026-06-13"}
	for _, tt := range []struct {
		name string
		args func(dir string) []string
		want string
	}{
		{"-o a directory", func(dir string) []string { return []string{"-o", dir} }, "is a directory"},
		{"-o in no directory", func(dir string) []string { return []string{"-o", filepath.Join(dir, "none", "x.csv")} }, "no such file or directory"},
		{"-checkpoint in no directory", func(dir string) []string {
			return []string{"-o", filepath.Join(dir, "x.csv"), "-checkpoint", filepath.Join(dir, "none", "x.ckpt")}
		}, "no such file or directory"},
		{"-o /dev/full", func(string) []string { return []string{"-o", "/dev/full"} }, "no space left on device"},
	} {
		for _, format := range []string{"csv", "jsonl"} {
			dir := t.TempDir()
			r := runCmd(t, nil, append(append(base, "-format", format), tt.args(dir)...)...)
			assert.Equal(t, exitAPIError, r.code, "%s %s: %s", tt.name, format, r.stderr)
			assert.Contains(t, r.stderr, "writing the output failed", tt.name)
			assert.Contains(t, r.stderr, tt.want, tt.name)
			assert.Empty(t, files(t, dir), "%s %s: no file left", tt.name, format)
		}
	}

	// stdout on a full disk: the header (CSV) or the first page (JSON Lines).
	for _, format := range []string{"csv", "jsonl"} {
		var stderr bytes.Buffer
		a := &app{stdout: failingWriter{}, stderr: &stderr, now: clock}
		assert.Equal(t, exitAPIError, a.run(context.Background(), append(base, "-format", format)), format)
		assert.Contains(t, stderr.String(), "writing the output failed", format)
		assert.Contains(t, stderr.String(), "no space left on device", format)
	}
}

func TestExportRemovesStaleTemporaryCheckpoints(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cp := filepath.Join(dir, "x.ckpt")
	stale := []string{"x.ckpt.123.tmp", "x.ckpt.4294967295.tmp"}
	kept := []string{"x.ckpt.bak.tmp", "y.ckpt.123.tmp", "x.ckpt.tmp", "1.tmp"}
	for _, name := range append(slices.Clone(stale), kept...) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}
	r := runCmd(t, nil, "export", "-demo", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-13",
		"-o", filepath.Join(dir, "x.csv"), "-checkpoint", cp)
	require.Equal(t, exitOK, r.code, r.stderr)
	want := append(slices.Clone(kept), "x.csv", "x.ckpt")
	slices.Sort(want)
	assert.Equal(t, want, files(t, dir), "the stale temporary files of x.ckpt are gone, and nothing else")
}

func TestOutputWritesWholeRecordsInPipeSizedWrites(t *testing.T) {
	t.Parallel()
	var writes [][]byte
	o := &output{w: writerFunc(func(p []byte) (int, error) {
		writes = append(writes, bytes.Clone(p))
		return len(p), nil
	})}
	var data []byte
	var ends []int
	for _, n := range []int{100, 200, 300, 600, 50, 50} {
		data = append(data, bytes.Repeat([]byte{'x'}, n-1)...)
		data = append(data, '\n')
		ends = append(ends, len(data))
	}
	n, err := o.write(data, ends)
	require.NoError(t, err)
	assert.Equal(t, len(data), n)
	assert.Equal(t, data, bytes.Join(writes, nil))
	var sizes []int
	for _, w := range writes {
		sizes = append(sizes, len(w))
	}
	assert.Equal(t, []int{300, 300, 600, 100}, sizes, "whole records, at most 512 bytes a write unless one record is longer")

	o = &output{w: failingWriter{}}
	_, err = o.write(data, ends)
	assert.True(t, errors.Is(err, syscall.ENOSPC))
}

// writerFunc is a function as an io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A file being made is synced ahead as it grows, one sync at a time, and
// finish waits for the last before it syncs what is left and renames it.
func TestOutputSyncsAheadAsTheFileGrows(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.jsonl")
	o, err := createOutput(nil, path)
	require.NoError(t, err)
	page := bytes.Repeat(append(bytes.Repeat([]byte{'x'}, 999), '\n'), 256) // 256 KB
	var want []byte
	ahead := 0
	for range 4 * syncAheadBytes / len(page) {
		_, err := o.write(page, nil)
		require.NoError(t, err)
		want = append(want, page...)
		if o.syncing != nil {
			ahead++
		}
	}
	assert.Positive(t, ahead, "a sync ahead ran")
	require.NoError(t, o.finish())
	assert.Nil(t, o.syncing, "finish waited for the sync ahead")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "every byte written, in order")
}

// A sync ahead that failed fails the output's next sync, whatever that
// sync finds (on Linux, a failed sync may leave the next nothing to
// report).
func TestOutputKeepsTheErrorOfASyncAhead(t *testing.T) {
	t.Parallel()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	if devNull.Sync() == nil {
		devNull.Close()
		t.Skipf("%s syncs on this system", os.DevNull)
	}
	o := &output{w: devNull, file: devNull, path: "x", partial: "x" + partialSuffix} // as FILE.partial, a file that never syncs
	defer o.close()
	_, err = o.write(make([]byte, syncAheadBytes), nil)
	require.NoError(t, err)
	require.NotNil(t, o.syncing, "a sync ahead started")
	assert.Error(t, o.waitSyncAhead(), "its error is kept")
	assert.Error(t, o.sync())
}
