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

	"github.com/supersimkit/supersim"
)

// checkpointVersion is the version of the checkpoint file's format.
const checkpointVersion = 1

// checkpoint is where an export stands: how much of its output is whole
// and where the API's next page starts. It is saved after the output's
// data is written and synced, so the output is never shorter than the
// checkpoint says; a resumed export cuts the output back to OutputBytes and
// goes on from Next: nothing lost, nothing repeated.
type checkpoint struct {
	Version     int               `json:"version"`
	Query       map[string]string `json:"query"`        // the flags that shape the output, resolved
	OutputBytes int64             `json:"output_bytes"` // the output's whole part
	Records     int64             `json:"records"`      // records in that part
	Pages       int64             `json:"pages"`        // pages in that part
	Next        *position         `json:"next"`         // where to go on; null when the export is complete
}

// position is a supersim.Position as the checkpoint file stores it.
type position struct {
	PageToken string `json:"page_token"`
	Page      int    `json:"page"`
}

// loadCheckpoint reads the checkpoint at path; nil when there is none yet.
func loadCheckpoint(path string) (*checkpoint, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
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
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("saving the checkpoint: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		d.Sync()
		d.Close()
	}
	return nil
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

// resumeFrom sets where the walk starts in opts.
func (p *position) resumeFrom(opts *supersim.ListUsageRecordsOptions) {
	opts.PageToken, opts.Page = p.PageToken, p.Page
}

// positionOf turns the iterator's next position into the file's form;
// nil when no page follows.
func positionOf(pos supersim.Position, ok bool) *position {
	if !ok {
		return nil
	}
	return &position{PageToken: pos.PageToken, Page: pos.Page}
}

// mismatch is the error for a checkpoint of another export.
func mismatch(path string, diffs []string) error {
	return fmt.Errorf("checkpoint %s is for another export: %s; run with the flags it was made with, or delete it to start over",
		path, strings.Join(diffs, ", "))
}
