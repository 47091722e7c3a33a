package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/supersimkit/supersim"
)

// exportIntro is the first paragraph of "supersim export -help".
const exportIntro = `Streams every usage record of a query, as CSV (a header line, then one row
per record) or JSON Lines (one record per line, in the API's shape), to
stdout or -o FILE. Records reach the output a page at a time, in one write
each, so a killed export never ends in half a record. With -checkpoint FILE
the export saves where it stands after every page (output synced first) and
the same command resumes an interrupted export (Ctrl-C, a crash, an API
failure) where it stopped: nothing lost, nothing repeated. A checkpointed
export walks its pages in one sequence (-concurrency does not apply), so
its range must fit in one request (31 days for hour buckets or -group sim).
A progress line (records, pages, rate, elapsed) shows on stderr when it is a
terminal.
`

// exportFormats are the export's formats, the default first.
var exportFormats = []string{"csv", "jsonl"}

// export runs "supersim export".
func (a *app) export(ctx context.Context, args []string) int {
	q := newQueryFlags("export", exportIntro, exportFormats)
	outPath := q.fs.String("o", "", "write to `FILE` instead of stdout")
	cpPath := q.fs.String("checkpoint", "", "save progress in `FILE` after every page and resume from it (needs -o)")
	if err := q.parse(args); err != nil {
		return a.usageError(q, err)
	}
	if *cpPath != "" && *outPath == "" {
		return a.usageError(q, errors.New("-checkpoint needs -o FILE: an export to stdout cannot be resumed"))
	}
	creds, opts, err := a.query(q)
	if err != nil {
		return a.usageError(q, err)
	}
	if *cpPath != "" {
		opts.Concurrency = q.checkpointConcurrency(a.stderr)
	}
	client, release, err := a.connect(q, creds)
	if err != nil {
		return a.usageError(q, err)
	}
	defer release()
	e, err := a.startExport(q, &opts, creds.provider, *outPath, *cpPath)
	if err != nil {
		return a.usageError(q, err)
	}
	defer e.close()
	if e.cp != nil && e.cp.Next == nil {
		fmt.Fprintf(a.stderr, "supersim: the export to %s is already complete (%s); delete %s to export again\n", *outPath, plural(int(e.cp.Records), "record"), *cpPath)
		return e.exitCode(a.stderr)
	}

	progress := newProgress(a.stderr, isTerminal(a.stderr))
	it := client.ListUsageRecords(ctx, &opts)
	defer it.Stop()
	err = e.drain(it, progress)
	progress.finish()
	if err != nil {
		return e.writeFailed(a.stderr, err)
	}
	if err := it.Err(); err != nil {
		code := fail(ctx, a.stderr, err, creds)
		if e.cp != nil {
			fmt.Fprintf(a.stderr, "supersim: %s holds %s, all whole; run the same command to resume from %s\n", *outPath, plural(int(e.records), "record"), *cpPath)
		}
		return code
	}
	if err := e.commitPage(nil); err != nil { // the end: whatever is left, and the checkpoint marked complete
		return e.writeFailed(a.stderr, err)
	}
	if err := e.close(); err != nil {
		return e.writeFailed(a.stderr, err)
	}
	fmt.Fprintf(a.stderr, "supersim: exported %s (%s) to %s%s\n", plural(int(e.records), "record"), plural(int(e.pages), "page"), e.dest, e.thisRun())
	return e.exitCode(a.stderr)
}

// checkpointConcurrency is the Concurrency of a checkpointed export: one
// sequential walk, the only kind that can be resumed from a position yet.
// It says so when -concurrency asked for more.
func (q *queryFlags) checkpointConcurrency(stderr io.Writer) int {
	if q.isSet("concurrency") && q.concurrency > 1 {
		fmt.Fprintln(stderr, "supersim: -checkpoint: exporting in one sequential walk (windowed walks cannot be resumed yet)")
	}
	return 0
}

// exporter writes an export's pages to its output and keeps its checkpoint.
type exporter struct {
	out    io.Writer
	file   *os.File // the -o file; nil for stdout
	dest   string   // the output's name for messages
	page   *pageBuffer
	cpPath string
	cp     *checkpoint // nil without -checkpoint

	bytes, records, pages int64 // in the output's whole part
	pending               int64 // records in page, not yet written
	resumedRecords        int64 // records the output held when this run began
}

// startExport opens the output and the checkpoint. Without a checkpoint
// (or with a new one) it starts the output afresh; with a checkpoint that
// exists, it checks that it is for the same export, cuts the output back
// to its whole part and sets opts to go on from there. Unless -start or
// -end is given, a resumed export keeps the period it was started with.
func (a *app) startExport(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath, cpPath string) (*exporter, error) {
	e := &exporter{out: a.stdout, dest: "stdout", page: newPageBuffer(q.format), cpPath: cpPath}
	if outPath != "" {
		e.dest = outPath
	}
	if cpPath != "" {
		cp, err := loadCheckpoint(cpPath)
		if err != nil {
			return nil, err
		}
		if cp != nil {
			return e, e.resume(q, opts, provider, outPath, cp)
		}
		e.cp = &checkpoint{Version: checkpointVersion, Query: exportQuery(q, *opts, provider, outPath)}
	}
	if outPath != "" {
		f, err := os.Create(outPath)
		if err != nil {
			return nil, err
		}
		e.file, e.out = f, f
	}
	if err := e.commit(e.page.header(), &position{}); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// resume takes up the export that cp describes.
func (e *exporter) resume(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath string, cp *checkpoint) error {
	if !q.isSet("start") && !q.isSet("end") {
		start, errStart := parseTime("start", cp.Query["start"])
		end, errEnd := parseTime("end", cp.Query["end"])
		if err := errors.Join(errStart, errEnd); err != nil {
			return fmt.Errorf("checkpoint %s: %w", e.cpPath, err)
		}
		opts.StartTime, opts.EndTime = start, end
	}
	if diffs := cp.differences(exportQuery(q, *opts, provider, outPath)); len(diffs) > 0 {
		return mismatch(e.cpPath, diffs)
	}
	f, err := os.OpenFile(outPath, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("resuming from %s: %w; delete the checkpoint to start over", e.cpPath, err)
	}
	info, err := f.Stat()
	if err == nil && info.Size() < cp.OutputBytes {
		err = fmt.Errorf("%s has %d bytes, fewer than the %d the checkpoint %s counts: it was changed since; delete the checkpoint to start over",
			outPath, info.Size(), cp.OutputBytes, e.cpPath)
	}
	if err == nil {
		err = f.Truncate(cp.OutputBytes) // drop whatever followed the last whole page
	}
	if err == nil {
		_, err = f.Seek(cp.OutputBytes, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return err
	}
	e.file, e.out, e.cp = f, f, cp
	e.bytes, e.records, e.pages, e.resumedRecords = cp.OutputBytes, cp.Records, cp.Pages, cp.Records
	if cp.Next != nil {
		cp.Next.resumeFrom(opts)
	}
	return nil
}

// exportQuery is what a checkpoint must agree on to be resumed: every
// flag that shapes the output, resolved (the period in RFC 3339), and the
// output's absolute path.
func exportQuery(q *queryFlags, opts supersim.ListUsageRecordsOptions, provider, outPath string) map[string]string {
	abs, err := filepath.Abs(outPath)
	if err != nil {
		abs = outPath
	}
	return map[string]string{
		"provider": provider, "o": abs, "format": q.format,
		"sim": opts.Sim, "fleet": opts.Fleet, "network": opts.Network, "country": opts.IsoCountry,
		"group": string(opts.Group), "granularity": string(opts.Granularity),
		"start": stamp(opts.StartTime), "end": stamp(opts.EndTime), "page-size": strconv.Itoa(opts.PageSize),
	}
}

// drain writes the records of it a page at a time, each page followed by
// its checkpoint, until the walk ends or a write fails.
func (e *exporter) drain(it *supersim.Iterator[supersim.UsageRecord], progress *progress) error {
	for it.Next() {
		if err := e.page.add(it.Value()); err != nil {
			return err
		}
		e.pending++
		progress.record(it.AtPageEnd())
		if it.AtPageEnd() {
			if err := e.commitPage(positionOf(it.NextPosition())); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitPage writes the records of the page just read, and then saves the
// checkpoint with next, the position of the page that follows (nil when
// none does).
func (e *exporter) commitPage(next *position) error {
	data, err := e.page.take()
	if err != nil {
		return err
	}
	if e.pending > 0 {
		e.pages++
	}
	e.records += e.pending
	e.pending = 0
	return e.commit(data, next)
}

// commit writes data in one write, and with a checkpoint syncs the output
// and then saves where it stands.
func (e *exporter) commit(data []byte, next *position) error {
	if len(data) > 0 {
		n, err := e.out.Write(data)
		e.bytes += int64(n)
		if err != nil {
			return err
		}
	}
	if e.cp == nil {
		return nil
	}
	if err := e.file.Sync(); err != nil {
		return err
	}
	e.cp.OutputBytes, e.cp.Records, e.cp.Pages, e.cp.Next = e.bytes, e.records, e.pages, next
	return e.cp.save(e.cpPath)
}

// writeFailed reports a failed write of the output or the checkpoint.
func (e *exporter) writeFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "supersim: writing %s: %v\n", e.dest, err)
	return exitAPIError
}

// thisRun says how many of the records this run wrote, when it resumed.
func (e *exporter) thisRun() string {
	if e.resumedRecords == 0 {
		return ""
	}
	return fmt.Sprintf(", %d of them in this run", e.records-e.resumedRecords)
}

// exitCode is exitOK, or exitNoMatch with a warning when the export holds
// no record.
func (e *exporter) exitCode(stderr io.Writer) int {
	if e.records > 0 {
		return exitOK
	}
	fmt.Fprintln(stderr, "supersim: warning: nothing matched: no usage records in this period for these filters")
	return exitNoMatch
}

// close closes the output file, if any and not yet closed.
func (e *exporter) close() error {
	if e.file == nil {
		return nil
	}
	f := e.file
	e.file = nil
	return f.Close()
}
