package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgressShowsRecordsPagesRateAndElapsed(t *testing.T) {
	t.Parallel()
	assert.Nil(t, newProgress(&bytes.Buffer{}, false).bar, "off")
	var out bytes.Buffer
	p := drawProgress(&out, 0) // every record redrawn
	for i := range 2500 {
		p.record(i%1000 == 999)
	}
	p.finish()
	shown := out.String()
	assert.Contains(t, shown, "\r", "drawn over one line")
	assert.Contains(t, shown, "0 records, 0 pages")
	assert.Contains(t, shown, "2000 records, 2 pages", "counted at page ends")
	assert.Regexp(t, `\(\d+ records/(s|min|hr)\)`, shown, "rate")
	assert.Regexp(t, `\[\d+s\]`, shown, "elapsed time")
}

// TestNoProgressOffATerminal runs both subcommands with stderr a file, as
// in a cron job or a pipe: stderr gets its few lines and no progress.
func TestNoProgressOffATerminal(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"usage", "-demo", "-group", "sim", "-granularity", "day", "-page-size", "100"},
		{"export", "-demo", "-group", "sim", "-granularity", "day", "-page-size", "100"},
	} {
		stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
		require.NoError(t, err)
		assert.False(t, isTerminal(stderr))
		a := &app{stdout: &bytes.Buffer{}, stderr: stderr, now: clock}
		require.Equal(t, exitOK, a.run(context.Background(), args))
		require.NoError(t, stderr.Close())
		written, err := os.ReadFile(stderr.Name())
		require.NoError(t, err)
		assert.NotContains(t, string(written), "\r", "%v", args)
		assert.NotContains(t, string(written), "records/", "%v", args)
		assert.LessOrEqual(t, strings.Count(string(written), "\n"), 2, "%v:\n%s", args, written)
	}
}
