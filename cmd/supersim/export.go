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
stdout or -o FILE; or writes it as Parquet files (-format parquet -o DIR).

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

-format parquet -o DIR writes a table partitioned by the records' start
date (UTC), DIR/date=YYYY-MM-DD/part-NNNNN.parquet, with the CSV export's
columns: times as TIMESTAMP (microseconds, UTC), byte counts as INT64,
data_total_billed as DECIMAL(38,9) (an amount that does not fit exactly
is an error, never rounded), null for absent SIDs and a pending billed_unit.
Each file is written as FILE.partial and renamed when whole; -checkpoint
saves progress at each finished file, and a resumed run redoes at most the
file that was being written.

-schema focus writes FinOps FOCUS 1.2 columns instead, in any format:
BilledCost and EffectiveCost (the amount billed), BillingCurrency,
BillingAccountId, BillingPeriodStart/End (the calendar month, UTC),
ChargeCategory Usage, ChargePeriodStart/End, ConsumedQuantity in Bytes,
ResourceId (the SIM), ServiceName, ProviderName, PublisherName and
InvoiceIssuerName (Twilio or KORE), the other mandatory columns null, and
x_ columns for upload, download, fleet, network and country.

A progress line (records, pages, rate, elapsed) shows on stderr when it is a
terminal, unless the records go to that terminal too (stdout, without -o).
`

// exportFormats are the export's formats, the default first.
var exportFormats = []string{"csv", "jsonl", "parquet"}

// export runs "supersim export".
func (a *app) export(ctx context.Context, args []string) int {
	q := newQueryFlags("export", exportIntro, exportFormats)
	outPath := q.fs.String("o", "", "write to `FILE` (as FILE.partial until complete) instead of stdout;\nfor -format parquet, the directory of its files")
	cpPath := q.fs.String("checkpoint", "", "save progress in `FILE` after every page (every part file for\nParquet) and resume from it (needs -o)")
	q.fs.StringVar(&q.schema, "schema", "export", "columns: export (the API's fields) or focus (FinOps FOCUS\n1.2)")
	withNames := q.fs.Bool("names", false, "add sim_name (unique name, else ICCID) and fleet_name (unique\nname) columns, from the Sims and Fleets lists")
	if err := q.parse(args); err != nil {
		return a.usageError(q, err)
	}
	if q.schema != "export" && q.schema != "focus" {
		return a.usageError(q, fmt.Errorf("-schema %q: want export or focus", q.schema))
	}
	if *withNames && q.schema == "focus" {
		return a.usageError(q, errors.New("-names goes with -schema export: FOCUS has columns of its own"))
	}
	q.names = *withNames
	checkFlags := checkOutputFlags
	if q.format == "parquet" {
		checkFlags = checkParquetFlags
	}
	if err := checkFlags(*outPath, *cpPath); err != nil {
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
	var focus func(supersim.UsageRecord) (focusRow, error)
	if q.schema == "focus" {
		focus = newFocusRow(client.Provider())
	}
	var names *recordNames
	if q.names {
		namesCtx, stopNames := context.WithCancel(ctx)
		names = startRecordNames(namesCtx, client, opts.Fleet) // while the first pages are read
		defer func() {
			stopNames()
			names.wait()
		}()
	}
	var e exportSink
	if q.format == "parquet" {
		e, err = a.startParquet(q, &opts, creds.provider, *outPath, *cpPath, a.now(), focus, names)
	} else {
		e, err = a.startExport(q, &opts, creds.provider, *outPath, *cpPath, a.now(), focus, names)
	}
	if err != nil {
		return a.setupFailed(q, err)
	}
	defer e.close()
	if cp := e.checkpoint(); cp != nil && cp.Next == nil {
		fmt.Fprintf(a.stderr, "supersim: the export to %s is already complete (%s); delete %s to export again\n", *outPath, plural(int(cp.Records), "record"), *cpPath)
		return exitCode(a.stderr, cp.Records)
	}

	progress := newProgress(a.stderr, showProgress(isTerminal(a.stderr), *outPath == "" && isTerminal(a.stdout)))
	it := client.ListUsageRecords(ctx, &opts)
	defer it.Stop()
	err = e.drain(it, progress)
	progress.finish()
	var namesFailed *namesError
	if errors.As(err, &namesFailed) { // an API failure, not a failed write
		code := fail(ctx, a.stderr, namesFailed, creds)
		e.abandon(a.stderr)
		return code
	}
	if err != nil {
		return e.writeFailed(a.stderr, err)
	}
	if err := it.Err(); err != nil {
		code := fail(ctx, a.stderr, err, creds)
		e.abandon(a.stderr)
		return code
	}
	if err := e.complete(); err != nil {
		return e.writeFailed(a.stderr, err)
	}
	records, resumed := e.counts()
	thisRun := ""
	if resumed > 0 {
		thisRun = fmt.Sprintf(", %d of them in this run", records-resumed)
	}
	pieces := ""
	if p := e.pieces(); p != "" {
		pieces = " (" + p + ")"
	}
	fmt.Fprintf(a.stderr, "supersim: exported %s%s to %s%s\n", plural(int(records), "record"), pieces, e.name(), thisRun)
	return exitCode(a.stderr, records)
}

// exportSink is where an export writes its records: a stream of CSV or
// JSON Lines (exporter), or Parquet files (parquetExporter).
type exportSink interface {
	// checkpoint is the export's checkpoint; nil without -checkpoint.
	checkpoint() *checkpoint
	// drain writes the records of it until the walk ends or a write fails.
	drain(it *supersim.Iterator[supersim.UsageRecord], progress *progress) error
	// complete writes what is left and marks the checkpoint complete.
	complete() error
	// writeFailed reports a failed write and returns the exit code.
	writeFailed(stderr io.Writer, err error) int
	// abandon leaves an export that did not complete.
	abandon(stderr io.Writer)
	// counts are the records exported, and those the output held when
	// this run began.
	counts() (records, resumed int64)
	// pieces says what files the records came in, "" for a stream.
	pieces() string
	// name is the output's name for messages.
	name() string
	// close closes what is open.
	close()
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

// exporter writes an export's pages to a stream (stdout or -o FILE) and
// keeps its checkpoint.
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
// to its whole part and sets opts to go on from there. focus makes FOCUS
// rows for -schema focus (nil otherwise); names names SIMs and fleets for
// -names (nil otherwise). Its errors are outputErrors or
// usage errors; it leaves no output file behind on either.
func (a *app) startExport(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath, cpPath string, now time.Time,
	focus func(supersim.UsageRecord) (focusRow, error), names *recordNames) (*exporter, error) {
	e := &exporter{page: newPageBuffer(q.format, focus, names), cpPath: cpPath}
	if cpPath != "" {
		cp, resumed, err := a.openCheckpoint(q, opts, provider, outPath, cpPath, now)
		if err != nil {
			return nil, err
		}
		e.cp = cp
		if resumed {
			return e, e.resume(outPath)
		}
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

// openCheckpoint opens the checkpoint at cpPath, removing the temporary
// files a killed run may have left beside it: a new one (resumed false)
// for an export that ends at the last whole bucket at now (wholeEnd; a
// line on stderr when that cuts -end), or the one there (resumed true),
// once it is found to be for this export: -start and -end that are not
// given come from it, so that the same command resumes the same period
// whenever it runs, and the period ends where the checkpoint's ended.
// A checkpoint without that end (from an older supersim) whose period
// reaches into the current bucket is refused. opts get the period, and
// the position to go on from when the export is not complete.
func (a *app) openCheckpoint(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, outPath, cpPath string, now time.Time) (cp *checkpoint, resumed bool, err error) {
	removeStaleTemps(cpPath)
	if cp, err = loadCheckpoint(cpPath); err != nil {
		return nil, false, err
	}
	if cp == nil {
		query := exportQuery(q, *opts, provider, outPath)
		end, err := wholeEnd(*opts, now)
		if err != nil {
			return nil, false, err
		}
		noteCut(a.stderr, *opts, end)
		opts.EndTime = end
		return &checkpoint{Version: checkpointVersion, Query: query, End: &end}, false, nil
	}
	for _, t := range []struct {
		flag string
		time *time.Time
	}{{"start", &opts.StartTime}, {"end", &opts.EndTime}} {
		if q.isSet(t.flag) {
			continue
		}
		saved, err := parseTime(t.flag, cp.Query[t.flag])
		if err != nil {
			return nil, false, fmt.Errorf("checkpoint %s: %w", cpPath, err)
		}
		*t.time = saved
	}
	if diffs := cp.differences(exportQuery(q, *opts, provider, outPath)); len(diffs) > 0 {
		return nil, false, mismatch(cpPath, diffs)
	}
	if cp.End != nil {
		noteCut(a.stderr, *opts, *cp.End)
		opts.EndTime = *cp.End
	}
	if end, err := wholeEnd(*opts, now); cp.Next != nil && (err != nil || !end.Equal(opts.EndTime)) {
		_, name := wholeBucket(opts.Granularity)
		return nil, false, fmt.Errorf("checkpoint %s is for a period that ends past the last whole %s (%s), whose records may still change: "+
			"resuming it could repeat or lose some; delete it and the output to start over", cpPath, name, stamp(end))
	}
	if cp.Next != nil {
		opts.ResumeFrom(*cp.Next)
	}
	return cp, true, nil
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

// resume takes up the output of the export that e.cp describes, cut back
// to its whole part.
func (e *exporter) resume(outPath string) error {
	cp := e.cp
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
	out, err := reopenOutput(outPath, cp.OutputBytes)
	var failed *outputError
	if err != nil && !errors.As(err, &failed) {
		err = fmt.Errorf("resuming from %s: %w; delete the checkpoint to start over", e.cpPath, err)
	}
	if err != nil {
		return err
	}
	e.out = out
	return nil
}

// exportQuery is what a checkpoint must agree on to be resumed: every
// flag that shapes the output, resolved (the period in RFC 3339), and the
// output's path, resolved.
func exportQuery(q *queryFlags, opts supersim.ListUsageRecordsOptions, provider, outPath string) map[string]string {
	query := map[string]string{
		"provider": provider, "o": resolvedPath(outPath), "format": q.format,
		"sim": opts.Sim, "fleet": opts.Fleet, "network": opts.Network, "country": opts.IsoCountry,
		"group": string(opts.Group), "granularity": string(opts.Granularity),
		"start": stamp(opts.StartTime), "end": stamp(opts.EndTime), "page-size": strconv.Itoa(opts.PageSize),
		"walk": walkKind(opts),
	}
	if q.schema == "focus" { // absent for the export's own columns, as in checkpoints made before -schema
		query["schema"] = q.schema
	}
	if q.names { // absent without, as in checkpoints made before -names
		query["names"] = "true"
	}
	return query
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
	return drainPages(it, progress, func(r supersim.UsageRecord) error {
		if err := e.page.add(r); err != nil {
			return err
		}
		e.pending++
		return nil
	}, e.commitPage)
}

// drainPages walks it page by page ([supersim.Iterator.Pages]): add gets
// each record, then pageEnd the position of the page that follows (nil
// when none does), until the walk ends (its error, if any, is it.Err()) or
// add or pageEnd fail.
func drainPages(it *supersim.Iterator[supersim.UsageRecord], progress *progress,
	add func(supersim.UsageRecord) error, pageEnd func(next *supersim.Position) error) error {
	for page, err := range it.Pages() {
		if err != nil {
			return nil // the walk's own error, which it.Err() gives
		}
		for i, r := range page.Items {
			if err := add(r); err != nil {
				return err
			}
			progress.record(i == len(page.Items)-1)
		}
		var next *supersim.Position
		if !page.Last {
			next = &page.Next
		}
		if err := pageEnd(next); err != nil {
			return err
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

// checkpoint is the export's checkpoint; nil without -checkpoint.
func (e *exporter) checkpoint() *checkpoint { return e.cp }

// complete writes whatever is left, marks the checkpoint complete and
// completes the output.
func (e *exporter) complete() error {
	if err := e.commitPage(nil); err != nil {
		return err
	}
	return e.out.finish()
}

// counts are the records in the output, and those it held when this run
// began.
func (e *exporter) counts() (records, resumed int64) { return e.records, e.resumedRecords }

// pieces is "": a stream is one output. (The summary counts no pages: a
// windowed walk sizes its windows from the records seen while fetches
// overlap, so identical runs may read the same records in more or fewer
// pages, and the count would vary between them.)
func (e *exporter) pieces() string { return "" }

// name is the output's name for messages.
func (e *exporter) name() string { return e.out.name() }

// close closes the output, if open.
func (e *exporter) close() { e.out.close() }

// exitCode is exitOK, or exitNoMatch with a warning when the export holds
// no record.
func exitCode(stderr io.Writer, records int64) int {
	if records > 0 {
		return exitOK
	}
	fmt.Fprintln(stderr, "supersim: warning: nothing matched: no usage records in this period for these filters")
	return exitNoMatch
}
