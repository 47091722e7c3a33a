package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/supersimkit/supersim"
)

// exportIntro is the first paragraph of "supersim export -help".
const exportIntro = `Streams every usage record of a query, as CSV (a header line, then one row
per record) or JSON Lines (one record per line, in the API's shape), to
stdout or -o FILE.

A killed export never leaves a record cut in half in FILE: -o FILE is
written as FILE.partial and renamed to FILE once complete, so FILE is a
complete export or not there. (FILE.partial may end in half a record; a
resumed export cuts it off. Without -checkpoint a failed export removes
FILE.partial.) stdout gets whole records in writes that a pipe takes whole;
a file behind > has no such guarantee: use -o.

With -checkpoint FILE the export saves where it stands after every page
(output synced first) and the same command resumes an interrupted export
(Ctrl-C, kill, a crash, an API failure) where it stopped: nothing lost,
nothing repeated, and the same bytes as an export without a checkpoint.
Long hour or day ranges are read in windows (-concurrency) and resumed
alike. -start and -end not given come from the checkpoint. A checkpointed
export reads whole buckets only: an -end past the start of the current hour
(the current day with -granularity day), UTC, is cut to it, with a line on
stderr, since usage still arriving there would shift the pages a resumed
run goes on from; the checkpoint keeps that end for every resumed run.

A progress line (records, pages, rate, elapsed) shows on stderr when it is a
terminal.
`

// exportFormats are the export's formats, the default first.
var exportFormats = []string{"csv", "jsonl"}

// export runs "supersim export".
func (a *app) export(ctx context.Context, args []string) int {
	q := newQueryFlags("export", exportIntro, exportFormats)
	outPath := q.fs.String("o", "", "write to `FILE` (as FILE.partial until complete) instead of stdout")
	cpPath := q.fs.String("checkpoint", "", "save progress in `FILE` after every page and resume from it (needs -o)")
	if err := q.parse(args); err != nil {
		return a.usageError(q, err)
	}
	if err := checkOutputFlags(*outPath, *cpPath); err != nil {
		return a.setupFailed(q, err)
	}
	q.wholeBuckets = *cpPath != ""
	creds, opts, err := a.query(q)
	if err != nil {
		return a.usageError(q, err)
	}
	client, release, err := a.connect(q, creds)
	if err != nil {
		return a.usageError(q, err)
	}
	defer release()
	e, err := a.startExport(q, &opts, creds.provider, *outPath, *cpPath, a.now())
	if err != nil {
		return a.setupFailed(q, err)
	}
	defer e.out.close()
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
		e.abandon(a.stderr)
		return code
	}
	if err := e.commitPage(nil); err != nil { // the end: whatever is left, and the checkpoint marked complete
		return e.writeFailed(a.stderr, err)
	}
	if err := e.out.finish(); err != nil {
		return e.writeFailed(a.stderr, err)
	}
	fmt.Fprintf(a.stderr, "supersim: exported %s (%s) to %s%s\n", plural(int(e.records), "record"), plural(int(e.pages), "page"), e.out.name(), e.thisRun())
	return e.exitCode(a.stderr)
}

// checkOutputFlags checks -o and -checkpoint before anything is read or
// written: a checkpoint needs a regular file to resume, apart from itself.
// -o naming a directory is an outputError (exit 1), like any output that
// cannot be written.
func checkOutputFlags(outPath, cpPath string) error {
	if outPath == "" {
		if cpPath != "" {
			return errors.New("-checkpoint needs -o FILE: an export to stdout cannot be resumed")
		}
		return nil
	}
	device, err := inPlace(outPath)
	switch {
	case err != nil:
		return err
	case cpPath == "":
		return nil
	case device:
		return fmt.Errorf("-checkpoint needs -o to name a regular file, and %s is not one: an export to it cannot be resumed", outPath)
	case samePath(outPath, cpPath), samePath(resolvedPath(outPath)+partialSuffix, cpPath):
		return fmt.Errorf("-o %s and -checkpoint %s name the same file: the checkpoint needs a file of its own", outPath, cpPath)
	}
	return nil
}

// setupFailed reports an export that could not start: exit 1 when the
// output or the checkpoint could not be opened or written, else a usage
// error.
func (a *app) setupFailed(q *queryFlags, err error) int {
	var failed *outputError
	if errors.As(err, &failed) {
		fmt.Fprintf(a.stderr, "supersim: writing the output failed: %v\n", err)
		return exitAPIError
	}
	return a.usageError(q, err)
}

// exporter writes an export's pages to its output and keeps its checkpoint.
type exporter struct {
	out    *output
	page   *pageBuffer
	cpPath string
	cp     *checkpoint // nil without -checkpoint

	bytes, records, pages int64 // in the output's whole part
	pending               int64 // records in page, not yet written
	resumedRecords        int64 // records the output held when this run began
}

// startExport opens the output and the checkpoint, removing the temporary
// files a killed run may have left beside it. Without a checkpoint (or
// with a new one) it starts the output afresh; with a checkpoint that
// exists, it checks that it is for the same export, cuts the output back
// to its whole part and sets opts to go on from there. A checkpointed
// export ends at the last whole bucket at now (wholeEnd), and says so on
// stderr when that cuts -end. Its errors are outputErrors or usage
// errors; it leaves no output file behind on either.
func (a *app) startExport(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath, cpPath string, now time.Time) (*exporter, error) {
	e := &exporter{page: newPageBuffer(q.format), cpPath: cpPath}
	if cpPath != "" {
		removeStaleTemps(cpPath)
		cp, err := loadCheckpoint(cpPath)
		if err != nil {
			return nil, err
		}
		if cp != nil {
			return e, e.resume(q, opts, provider, outPath, cp, now, a.stderr)
		}
		query := exportQuery(q, *opts, provider, outPath)
		end, err := wholeEnd(*opts, now)
		if err != nil {
			return nil, err
		}
		noteCut(a.stderr, *opts, end)
		opts.EndTime = end
		e.cp = &checkpoint{Version: checkpointVersion, Query: query, End: &end}
	}
	out, err := createOutput(a.stdout, outPath)
	if err != nil {
		return nil, err
	}
	e.out = out
	header := e.page.header()
	if err := e.commit(header, []int{len(header)}, &supersim.Position{}); err != nil {
		out.discard()
		return nil, failedOutput(err)
	}
	return e, nil
}

// noteCut says on stderr that a checkpointed export of opts ends at end,
// before the -end asked for; nothing when it ends there.
func noteCut(stderr io.Writer, opts supersim.ListUsageRecordsOptions, end time.Time) {
	if !end.Before(opts.EndTime) {
		return
	}
	_, name := wholeBucket(opts.Granularity)
	fmt.Fprintf(stderr, "supersim: -end %s is past the last whole %s: this checkpointed export ends at %s, so that a resumed run reads the same records\n",
		stamp(opts.EndTime), name, stamp(end))
}

// resume takes up the export that cp describes. -start and -end that are
// not given come from the checkpoint, so that the same command resumes
// the same period whenever it runs, and the period ends where the
// checkpoint's ended. A checkpoint without that end (from an older
// supersim) whose period reaches into the current bucket is refused.
func (e *exporter) resume(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath string, cp *checkpoint, now time.Time, stderr io.Writer) error {
	for _, t := range []struct {
		flag string
		time *time.Time
	}{{"start", &opts.StartTime}, {"end", &opts.EndTime}} {
		if q.isSet(t.flag) {
			continue
		}
		saved, err := parseTime(t.flag, cp.Query[t.flag])
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", e.cpPath, err)
		}
		*t.time = saved
	}
	if diffs := cp.differences(exportQuery(q, *opts, provider, outPath)); len(diffs) > 0 {
		return mismatch(e.cpPath, diffs)
	}
	if cp.End != nil {
		noteCut(stderr, *opts, *cp.End)
		opts.EndTime = *cp.End
	}
	e.cp = cp
	e.bytes, e.records, e.pages, e.resumedRecords = cp.OutputBytes, cp.Records, cp.Pages, cp.Records
	if cp.Next == nil {
		// Complete; a run killed between saving this and renaming
		// FILE.partial over FILE left the rename to do.
		e.out = &output{path: outPath, partial: resolvedPath(outPath) + partialSuffix}
		if _, err := os.Stat(e.out.partial); err == nil {
			return failedOutput(e.out.finish())
		}
		return nil
	}
	if end, err := wholeEnd(*opts, now); err != nil || !end.Equal(opts.EndTime) {
		_, name := wholeBucket(opts.Granularity)
		return fmt.Errorf("checkpoint %s is for a period that ends past the last whole %s (%s), whose records may still change: "+
			"resuming it could repeat or lose some; delete it and %s to start over", e.cpPath, name, stamp(end), resolvedPath(outPath)+partialSuffix)
	}
	out, err := reopenOutput(outPath, cp.OutputBytes)
	var failed *outputError
	if err != nil && !errors.As(err, &failed) {
		err = fmt.Errorf("resuming from %s: %w; delete the checkpoint to start over", e.cpPath, err)
	}
	if err != nil {
		return err
	}
	e.out = out
	opts.ResumeFrom(*cp.Next)
	return nil
}

// exportQuery is what a checkpoint must agree on to be resumed: every
// flag that shapes the output, resolved (the period in RFC 3339), and the
// output's path, resolved.
func exportQuery(q *queryFlags, opts supersim.ListUsageRecordsOptions, provider, outPath string) map[string]string {
	return map[string]string{
		"provider": provider, "o": resolvedPath(outPath), "format": q.format,
		"sim": opts.Sim, "fleet": opts.Fleet, "network": opts.Network, "country": opts.IsoCountry,
		"group": string(opts.Group), "granularity": string(opts.Granularity),
		"start": stamp(opts.StartTime), "end": stamp(opts.EndTime), "page-size": strconv.Itoa(opts.PageSize),
		"walk": walkKind(opts),
	}
}

// walkKind is how the export walks its pages: its positions resume only a
// walk of the same kind (-concurrency 0 or not), whatever the number.
func walkKind(opts supersim.ListUsageRecordsOptions) string {
	if opts.Concurrency > 0 {
		return "windows"
	}
	return "one sequence"
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
			if err := e.commitPage(nextPosition(it)); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitPage writes the records of the page just read, and then saves the
// checkpoint with next, the position of the page that follows (nil when
// none does).
func (e *exporter) commitPage(next *supersim.Position) error {
	data, ends := e.page.take()
	if e.pending > 0 {
		e.pages++
	}
	e.records += e.pending
	e.pending = 0
	return e.commit(data, ends, next)
}

// commit writes data, records ending at ends, and with a checkpoint syncs
// the output and then saves where it stands.
func (e *exporter) commit(data []byte, ends []int, next *supersim.Position) error {
	if len(data) > 0 {
		n, err := e.out.write(data, ends)
		e.bytes += int64(n)
		if err != nil {
			return err
		}
	}
	if e.cp == nil {
		return nil
	}
	if err := e.out.sync(); err != nil {
		return err
	}
	e.cp.OutputBytes, e.cp.Records, e.cp.Pages, e.cp.Next = e.bytes, e.records, e.pages, next
	return e.cp.save(e.cpPath)
}

// writeFailed reports a failed write of the output or the checkpoint
// during the export.
func (e *exporter) writeFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "supersim: writing the output failed: %s: %v\n", e.out.working(), err)
	e.abandon(stderr)
	return exitAPIError
}

// abandon leaves an export that did not complete: with a checkpoint, its
// FILE.partial for the next run; without, FILE.partial removed, as
// nothing can go on from it.
func (e *exporter) abandon(stderr io.Writer) {
	if e.cp != nil {
		e.out.close()
		fmt.Fprintf(stderr, "supersim: the checkpoint counts %s in %s; run the same command to resume from %s\n",
			plural(int(e.cp.Records), "record"), e.out.working(), e.cpPath)
		return
	}
	e.out.discard()
	if e.out.partial != "" {
		fmt.Fprintf(stderr, "supersim: %s not written (rerun with -checkpoint FILE to make a long export resumable)\n", e.out.path)
	}
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
