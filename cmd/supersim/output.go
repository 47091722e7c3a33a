package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// An export's output, and what a killed export leaves in it:
//
//   - -o FILE, a regular file (or none yet): the records go to FILE.partial,
//     which is synced and renamed over FILE once the export is complete.
//     FILE is therefore the last complete export or nothing, never a part
//     of one. A killed export leaves FILE.partial, whose last line may be
//     a record cut in half (Linux stops a write at a page boundary when
//     the process is killed); with -checkpoint the next run cuts
//     FILE.partial back to the last page the checkpoint counts and goes on,
//     without one the next run starts FILE.partial afresh.
//   - stdout, or -o naming a device or a pipe: the records are written in
//     place, in writes of whole records of at most pipeBuf bytes, which a
//     pipe takes whole or not at all: a killed export leaves its reader
//     whole records only. (stdout redirected to a regular file has no such
//     guarantee; -o FILE has.)

// partialSuffix names the file an export to -o FILE writes until it is
// complete.
const partialSuffix = ".partial"

// pipeBuf is the size up to which POSIX makes a write to a pipe atomic
// (PIPE_BUF: at least 512 bytes, 512 on macOS, 4096 on Linux).
const pipeBuf = 512

// syncAheadBytes is how much FILE.partial takes before a sync ahead starts
// (see output.syncAhead).
const syncAheadBytes = 2 << 20

// outputError is a failure to open, write, sync or rename the output or
// the checkpoint: exit 1, not a usage error.
type outputError struct{ err error }

// Error is the cause's text.
func (e *outputError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *outputError) Unwrap() error { return e.err }

// failedOutput wraps err, if any, as an outputError.
func failedOutput(err error) error {
	if err == nil {
		return nil
	}
	return &outputError{err}
}

// output is where an export writes its records.
type output struct {
	w       io.Writer
	file    *os.File // the file written, if any: FILE.partial or a device
	path    string   // -o FILE; "" for stdout
	partial string   // FILE.partial; "" when written in place

	unsynced int64      // bytes written to FILE.partial since the last sync began
	syncing  chan error // the sync ahead in flight; nil when none is
	syncErr  error      // the first error of a sync ahead
}

// name is the output's name for messages.
func (o *output) name() string {
	if o.path == "" {
		return "stdout"
	}
	return o.path
}

// working is the name of the file that holds the records while the
// export runs.
func (o *output) working() string {
	if o.partial != "" {
		return o.partial
	}
	return o.name()
}

// inPlace reports whether path is written in place: it exists and is a
// device, a pipe or a socket. It fails for a directory.
func inPlace(path string) (bool, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, failedOutput(err)
	case info.IsDir():
		return false, failedOutput(fmt.Errorf("%s is a directory", path))
	}
	return !info.Mode().IsRegular(), nil
}

// createOutput starts a new output: stdout for path "", else FILE.partial
// afresh (with FILE's permissions, if FILE exists), or the device path
// names.
func createOutput(stdout io.Writer, path string) (*output, error) {
	if path == "" {
		return &output{w: stdout}, nil
	}
	device, err := inPlace(path)
	if err != nil {
		return nil, err
	}
	if device {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, failedOutput(err)
		}
		return &output{w: f, file: f, path: path}, nil
	}
	target := resolvedPath(path) // FILE itself, not a link to it, is replaced at the end
	partial := target + partialSuffix
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nil, failedOutput(err)
	}
	if info, err := os.Stat(target); err == nil {
		err = f.Chmod(info.Mode().Perm())
		if err != nil {
			f.Close()
			os.Remove(partial)
			return nil, failedOutput(err)
		}
	}
	return &output{w: f, file: f, path: path, partial: partial}, nil
}

// reopenOutput takes up the FILE.partial of an interrupted export whose
// whole part is size bytes: it cuts off whatever follows and writes on
// from there. Its errors other than outputErrors say that the file does
// not fit the checkpoint.
func reopenOutput(path string, size int64) (*output, error) {
	partial := resolvedPath(path) + partialSuffix
	f, err := os.OpenFile(partial, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s, the export in progress, is gone", partial)
	}
	if err != nil {
		return nil, failedOutput(err)
	}
	info, err := f.Stat()
	if err == nil && info.Size() < size {
		f.Close()
		return nil, fmt.Errorf("%s has %d bytes, fewer than the %d the checkpoint counts: it was changed since", partial, info.Size(), size)
	}
	if err == nil {
		err = f.Truncate(size) // drop whatever followed the last whole page
	}
	if err == nil {
		_, err = f.Seek(size, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, failedOutput(err)
	}
	return &output{w: f, file: f, path: path, partial: partial}, nil
}

// write writes data, whose records end at the offsets ends. To a file
// being made it goes in one write, and a sync ahead starts once
// syncAheadBytes are not yet being synced; in place, in writes of whole
// records of at most pipeBuf bytes (a longer record in a write of its
// own).
func (o *output) write(data []byte, ends []int) (int, error) {
	if o.partial != "" {
		n, err := o.w.Write(data)
		if o.unsynced += int64(n); err == nil && o.unsynced >= syncAheadBytes {
			o.syncAhead()
		}
		return n, err
	}
	written, from := 0, 0
	for i, end := range ends {
		if i+1 < len(ends) && ends[i+1]-from <= pipeBuf {
			continue // the next record fits in this write too
		}
		n, err := o.w.Write(data[from:end])
		written += n
		if err != nil {
			return written, err
		}
		from = end
	}
	return written, nil
}

// sync makes what was written durable, for a file.
func (o *output) sync() error {
	if o.file == nil {
		return nil
	}
	if err := o.waitSyncAhead(); err != nil {
		return err
	}
	o.unsynced = 0
	return o.file.Sync()
}

// syncAhead starts syncing FILE.partial on a goroutine, unless the last
// sync ahead is still running: the disk takes the export while it is
// walked, and the sync of finish finds little left to write. (All at the
// end, a month's hourly usage by SIM, 18 MB of JSON Lines, took 13-17 ms
// to sync on ext4: a quarter of the walk.) A sync holds up the writes
// that come meanwhile (on ext4 they wait for its journal commit), so a
// sync ahead starts only once syncAheadBytes more were written.
func (o *output) syncAhead() {
	if o.syncing != nil {
		select {
		case err := <-o.syncing:
			o.keepSyncErr(err)
		default:
			return // still running: a later write starts the next
		}
	}
	o.unsynced = 0
	done, f := make(chan error, 1), o.file
	go func() { done <- f.Sync() }()
	o.syncing = done
}

// waitSyncAhead waits for the sync ahead in flight, if any, and returns
// the first error of the syncs ahead: a sync that failed may leave the
// next one nothing to report, though the data it was for never reached
// the disk.
func (o *output) waitSyncAhead() error {
	if o.syncing != nil {
		o.keepSyncErr(<-o.syncing)
		o.syncing = nil
	}
	return o.syncErr
}

// keepSyncErr keeps err if it is the first error of a sync ahead.
func (o *output) keepSyncErr(err error) {
	if o.syncErr == nil {
		o.syncErr = err
	}
}

// finish completes the output: FILE.partial, synced, becomes FILE.
func (o *output) finish() error {
	if o.partial == "" {
		return o.close()
	}
	err := o.sync()
	if closeErr := o.close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(o.partial, resolvedPath(o.path))
	}
	if err != nil {
		return err
	}
	syncDir(filepath.Dir(o.partial))
	return nil
}

// discard closes the output and removes FILE.partial, for an export that
// cannot be resumed.
func (o *output) discard() {
	o.close()
	if o.partial != "" {
		os.Remove(o.partial)
	}
}

// close closes the file, if any and not yet closed, once a sync ahead is
// done with it.
func (o *output) close() error {
	if o.file == nil {
		return nil
	}
	o.waitSyncAhead()
	f := o.file
	o.file = nil
	return f.Close()
}

// syncDir makes the renames in dir durable, where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
