package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
)

// checkpointVersion is the version of the checkpoint file's format: 2
// since the output is written as FILE.partial until complete and
// positions may name a window.
const checkpointVersion = 2

// checkpoint is where an export stands: how much of its output (FILE.partial
// until the export is complete) is whole and where the API's next page
// starts, and the end of the period it exports: -end, cut to the last
// whole bucket when it reached past it (see wholeEnd), so that a resumed
// run reads the same records whenever it runs. It is saved after the output's data is written and synced, so the
// output is never shorter than the checkpoint says; a resumed export cuts
// the output back to OutputBytes and goes on from Next: nothing lost,
// nothing repeated.
type checkpoint struct {
	Version     int                `json:"version"`
	Query       map[string]string  `json:"query"`           // the flags that shape the output, resolved
	OutputBytes int64              `json:"output_bytes"`    // the output's whole part
	Records     int64              `json:"records"`         // records in that part
	Pages       int64              `json:"pages"`           // pages in that part
	Next        *supersim.Position `json:"next"`            // where to go on; null when the export is complete
	End         *time.Time         `json:"end,omitempty"`   // the period's end as exported; older checkpoints have none
	Parts       int64              `json:"parts,omitempty"` // Parquet: the part files finished
	Skip        int                `json:"skip,omitempty"`  // Parquet: the records of the page at Next that those parts hold
}

// loadCheckpoint reads the checkpoint at path; nil when there is none yet.
// A file it cannot read is an outputError; one that is not a checkpoint of
// this version, a usage error.
func loadCheckpoint(path string) (*checkpoint, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, failedOutput(err)
	}
	var c checkpoint
	if err := json.Unmarshal(data, &c); err != nil || c.Version != checkpointVersion || c.Query == nil {
		return nil, fmt.Errorf("checkpoint %s is not a supersim checkpoint (version %d); delete it to start over", path, checkpointVersion)
	}
	return &c, nil
}

// save replaces the checkpoint at path atomically: it writes a temporary
// file in the same directory, syncs it and renames it over path, so a crash
// leaves the old checkpoint or the new one, never a mix.
func (c *checkpoint) save(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("saving the checkpoint: %w", err)
	}
	return nil
}

// tempPattern is what os.CreateTemp makes of the name of a checkpoint's
// temporary file: the checkpoint's name, "." and digits, ".tmp".
const tempPattern = ".*.tmp"

// removeStaleTemps removes the temporary files that saving the checkpoint
// at path leaves when the process is killed between creating and renaming
// one (run before this run saves any).
func removeStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, entry := range entries {
		rest, isOurs := strings.CutPrefix(entry.Name(), base+".")
		digits, isTemp := strings.CutSuffix(rest, ".tmp")
		if isOurs && isTemp && digits != "" && strings.Trim(digits, "0123456789") == "" && entry.Type().IsRegular() {
			os.Remove(filepath.Join(dir, entry.Name()))
		}
	}
}

// differences names the query settings in which c and query differ.
func (c *checkpoint) differences(query map[string]string) []string {
	var diffs []string
	for key, want := range c.Query {
		if got := query[key]; got != want {
			diffs = append(diffs, fmt.Sprintf("%s %q (checkpoint: %q)", key, got, want))
		}
	}
	for key, got := range query {
		if _, ok := c.Query[key]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %q (checkpoint: none)", key, got))
		}
	}
	slices.Sort(diffs)
	return diffs
}

// mismatch is the error for a checkpoint of another export.
func mismatch(path string, diffs []string) error {
	return fmt.Errorf("checkpoint %s is for another export: %s; run with the flags it was made with, or delete it to start over",
		path, strings.Join(diffs, ", "))
}
