package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/supersimkit/supersim"
)

// A Parquet export, -format parquet -o DIR, is a Hive-partitioned table:
// DIR/date=YYYY-MM-DD/part-NNNNN.parquet, a record in the partition of
// its start date (UTC), parts numbered from 00000 across the export. Each
// part is written as part-NNNNN.parquet.partial, renamed when whole
// (synced first with -checkpoint; without, all parts are synced at the
// end), so a file under a final name is always a whole one. A part holds
// at most about partRows rows, in row groups of rowGroupRows, and ends
// where the records' date changes: memory stays bounded whatever the
// export's size.
//
// With -checkpoint, the checkpoint is saved each time a part is renamed:
// the parts so far, and where the next part starts, as the position of a
// page and the records of that page that the finished parts hold (Skip).
// A resumed run removes the parts and .partial files that followed the
// checkpoint and writes again from there: it redoes at most the part a
// killed run was writing, and the table ends with exactly the rows of an
// export that was never interrupted.

// Sizes of a Parquet export's pieces.
const (
	partRows     = 1 << 20 // rows in a part, at most (checked at page ends)
	rowGroupRows = 1 << 14 // rows in a row group: what a part holds in memory
	batchRows    = 512     // rows handed to the Parquet writer at once
)

// partPrefix and partSuffix frame the names of a Parquet export's files.
const (
	partPrefix = "part-"
	partSuffix = ".parquet"
)

// exportRow is a record in a Parquet export: the CSV export's columns,
// with nulls for the fields the API sent as null (the SIDs and country a
// listing was not grouped or filtered by, and billed_unit while billing
// is pending).
type exportRow struct {
	AccountSID      string    `parquet:"account_sid,dict"`
	SimSID          string    `parquet:"sim_sid,optional,dict"`
	FleetSID        string    `parquet:"fleet_sid,optional,dict"`
	NetworkSID      string    `parquet:"network_sid,optional,dict"`
	IsoCountry      string    `parquet:"iso_country,optional,dict"`
	StartTime       time.Time `parquet:"start_time,timestamp(microsecond:utc),delta"`
	EndTime         time.Time `parquet:"end_time,timestamp(microsecond:utc),delta"`
	DataUpload      int64     `parquet:"data_upload"`
	DataDownload    int64     `parquet:"data_download"`
	DataTotal       int64     `parquet:"data_total"`
	DataTotalBilled [16]byte  `parquet:"data_total_billed,decimal(9:38)"`
	BilledUnit      string    `parquet:"billed_unit,optional,dict"`
}

// newExportRow is r as a row of a Parquet export; an error for an amount
// that DECIMAL(38,9) cannot hold exactly.
func newExportRow(r supersim.UsageRecord) (exportRow, error) {
	billed, err := decimal128(r.DataTotalBilled)
	if err != nil {
		return exportRow{}, fmt.Errorf("record of %s at %s: %w", orAll(r.SimSID), stamp(r.Period.StartTime), err)
	}
	return exportRow{r.AccountSID, r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry,
		r.Period.StartTime.UTC(), r.Period.EndTime.UTC(), r.DataUpload, r.DataDownload, r.DataTotal, billed, r.BilledUnit}, nil
}

// namedExportRow is a record in a Parquet export -names: the export's
// columns, then the names of its SIM and fleet (null when unknown).
type namedExportRow struct {
	exportRow
	SimName   string `parquet:"sim_name,optional,dict"`
	FleetName string `parquet:"fleet_name,optional,dict"`
}

// namedRowOf returns the function that makes the rows of a Parquet
// export -names, with the names that names reads.
func namedRowOf(names *recordNames) func(supersim.UsageRecord) (namedExportRow, error) {
	return func(r supersim.UsageRecord) (namedExportRow, error) {
		sim, fleet, err := names.of(r)
		if err != nil {
			return namedExportRow{}, err
		}
		row, err := newExportRow(r)
		return namedExportRow{row, sim, fleet}, err
	}
}

// orAll names a record's SIM for messages: its SID, or "all SIMs".
func orAll(sim string) string {
	if sim == "" {
		return "all SIMs"
	}
	return sim
}

// partWriter writes the rows of one part file at a time.
type partWriter interface {
	begin(w io.Writer)
	add(r supersim.UsageRecord) error
	end() error
	abort()
}

// parquetPart is a partWriter of rows of type T, made by rowOf. Rows are
// made in the caller's goroutine and encoded in batches by a goroutine of
// the part's own, so that encoding and compressing overlap the walk.
type parquetPart[T any] struct {
	rowOf func(supersim.UsageRecord) (T, error)
	w     *parquet.GenericWriter[T]
	batch []T        // the batch being filled
	free  chan []T   // batches to fill: batchesInFlight in all
	work  chan []T   // batches to encode; nil when no part is open
	done  chan error // the encoder's result, once work is closed
}

// batchesInFlight is how many batches a part holds: one being filled, one
// waiting and one being encoded.
const batchesInFlight = 3

// newParquetPart returns a partWriter of rows of type T.
func newParquetPart[T any](rowOf func(supersim.UsageRecord) (T, error)) *parquetPart[T] {
	p := &parquetPart[T]{rowOf: rowOf, free: make(chan []T, batchesInFlight)}
	for range batchesInFlight {
		p.free <- make([]T, 0, batchRows)
	}
	return p
}

// begin starts a part file on w, and its encoder.
func (p *parquetPart[T]) begin(w io.Writer) {
	if p.w == nil {
		p.w = parquet.NewGenericWriter[T](w,
			parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
			parquet.MaxRowsPerRowGroup(rowGroupRows),
			parquet.CreatedBy("supersim", moduleVersion(), ""),
		)
	} else {
		p.w.Reset(w)
	}
	p.work, p.done = make(chan []T, 1), make(chan error, 1)
	p.batch = <-p.free
	go p.encode(p.work, p.done)
}

// encode writes the batches of work, and then the footer, and sends the
// first error, if any, to done. It takes every batch, error or not.
func (p *parquetPart[T]) encode(work <-chan []T, done chan<- error) {
	var err error
	for batch := range work {
		if err == nil {
			_, err = p.w.Write(batch)
		}
		clear(batch)
		p.free <- batch[:0]
	}
	if err == nil {
		err = p.w.Close()
	}
	done <- err
}

// add adds r to the part.
func (p *parquetPart[T]) add(r supersim.UsageRecord) error {
	row, err := p.rowOf(r)
	if err != nil {
		return err
	}
	p.batch = append(p.batch, row)
	if len(p.batch) == cap(p.batch) {
		p.work <- p.batch
		p.batch = <-p.free
	}
	return nil
}

// end writes the rest of the part and its footer, and returns the first
// error of its encoding.
func (p *parquetPart[T]) end() error {
	if len(p.batch) > 0 {
		p.work <- p.batch
	} else {
		p.free <- p.batch
	}
	p.batch = nil
	close(p.work)
	p.work = nil
	return <-p.done
}

// abort ends the part being written, if any, for a file that is given up.
func (p *parquetPart[T]) abort() {
	if p.work != nil {
		p.end()
	}
}

// checkParquetFlags checks -o and -checkpoint of a Parquet export before
// anything is read or written: -o names a directory, or none yet.
func checkParquetFlags(dir, cpPath string) error {
	if dir == "" {
		return errors.New("-format parquet needs -o DIR: it writes a directory of files, not a stream")
	}
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return failedOutput(err)
	case !info.IsDir():
		return fmt.Errorf("-o %s is not a directory: -format parquet writes DIR/date=YYYY-MM-DD/part-NNNNN.parquet", dir)
	}
	if cpPath != "" && samePath(dir, cpPath) {
		return fmt.Errorf("-o %s and -checkpoint %s name the same path: the checkpoint needs a file of its own", dir, cpPath)
	}
	return nil
}

// parquetExporter writes an export as Parquet part files and keeps its
// checkpoint.
type parquetExporter struct {
	dir    string // -o DIR, resolved
	cpPath string
	cp     *checkpoint // nil without -checkpoint
	part   partWriter

	file *os.File // the part being written, if any
	date string   // its date; "" when no part is open
	path string   // its final name

	parts, records int64 // finished parts, and their rows
	open           int64 // rows in the part being written
	pages          int64 // pages read by this run
	resumed        int64 // records the finished parts held when this run began
	written        []string

	pageStart supersim.Position // where the page being read starts
	inPage    int               // records of that page read so far
	skip      int               // records still to pass over: the finished parts hold them
}

// startParquet starts a Parquet export to dir: afresh, in a directory that
// holds no part files yet, or, with a checkpoint that exists, from where
// it stands, after removing the files that followed it. Its errors are
// outputErrors or usage errors. focus makes FOCUS rows for -schema focus
// (nil otherwise); names names SIMs and fleets for -names (nil otherwise).
func (a *app) startParquet(q *queryFlags, opts *supersim.ListUsageRecordsOptions, provider, dir, cpPath string, now time.Time,
	focus func(supersim.UsageRecord) (focusRow, error), names *recordNames) (*parquetExporter, error) {
	e := &parquetExporter{dir: resolvedPath(dir), cpPath: cpPath, part: newPartWriter(focus, names)}
	if cpPath != "" {
		cp, resumed, err := a.openCheckpoint(q, opts, provider, dir, cpPath, now)
		if err != nil {
			return nil, err
		}
		e.cp = cp
		if resumed {
			e.parts, e.records, e.resumed, e.skip = cp.Parts, cp.Records, cp.Records, cp.Skip
			if cp.Next != nil {
				e.pageStart = *cp.Next
				return e, e.takeUp()
			}
			return e, nil
		}
	}
	if found, err := e.partFiles(); err != nil {
		return nil, failedOutput(err)
	} else if len(found) > 0 {
		return nil, fmt.Errorf("-o %s already holds an export (%s): delete it, or name another directory", dir, found[0])
	}
	if err := e.removeParts(func(int64) bool { return true }); err != nil { // .partial files of a killed run
		return nil, failedOutput(err)
	}
	if err := os.MkdirAll(e.dir, 0o777); err != nil {
		return nil, failedOutput(err)
	}
	return e, failedOutput(e.save(&supersim.Position{}, 0))
}

// takeUp removes the part files that followed the checkpoint, and checks
// that the directory holds the ones it counts.
func (e *parquetExporter) takeUp() error {
	if err := e.removeParts(func(n int64) bool { return n >= e.cp.Parts }); err != nil {
		return failedOutput(err)
	}
	found, err := e.partFiles()
	if err != nil {
		return failedOutput(err)
	}
	if int64(len(found)) != e.cp.Parts {
		return fmt.Errorf("resuming from %s: %s holds %d of the %d part files it counts; delete the checkpoint and the directory to start over",
			e.cpPath, e.dir, len(found), e.cp.Parts)
	}
	return nil
}

// newPartWriter returns the partWriter of the export's own columns (with
// the names that names reads, when not nil), or of FOCUS's rows that focus
// makes when it is not nil.
func newPartWriter(focus func(supersim.UsageRecord) (focusRow, error), names *recordNames) partWriter {
	if focus != nil {
		return newParquetPart(focus)
	}
	if names != nil {
		return newParquetPart(namedRowOf(names))
	}
	return newParquetPart(newExportRow)
}

// partFiles lists the whole part files in the export's directory.
func (e *parquetExporter) partFiles() ([]string, error) {
	found, err := filepath.Glob(filepath.Join(e.dir, "date=*", partPrefix+"*"+partSuffix))
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, path := range found {
		if _, ok := partNumber(filepath.Base(path)); ok {
			parts = append(parts, path)
		}
	}
	return parts, nil
}

// partNumber reads the number of a whole part file's name.
func partNumber(name string) (int64, bool) {
	rest, prefixed := strings.CutPrefix(name, partPrefix)
	digits, suffixed := strings.CutSuffix(rest, partSuffix)
	if !prefixed || !suffixed || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// removeParts removes every .partial part file, and the whole ones whose
// number drop says, from the export's directory.
func (e *parquetExporter) removeParts(drop func(n int64) bool) error {
	partials, err := filepath.Glob(filepath.Join(e.dir, "date=*", partPrefix+"*"+partSuffix+partialSuffix))
	if err != nil {
		return err
	}
	whole, err := e.partFiles()
	if err != nil {
		return err
	}
	for _, path := range whole {
		if n, _ := partNumber(filepath.Base(path)); drop(n) {
			partials = append(partials, path)
		}
	}
	for _, path := range partials {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

// checkpoint is the export's checkpoint; nil without -checkpoint.
func (e *parquetExporter) checkpoint() *checkpoint { return e.cp }

// drain writes the records of it to part files, until the walk ends or a
// write fails.
func (e *parquetExporter) drain(it *supersim.Iterator[supersim.UsageRecord], progress *progress) error {
	return drainPages(it, progress, e.add, e.pageEnd)
}

// add writes r to the part of its date, finishing the part of another
// date first.
func (e *parquetExporter) add(r supersim.UsageRecord) error {
	e.inPage++
	if e.skip > 0 {
		e.skip--
		return nil
	}
	date := r.Period.StartTime.UTC().Format(time.DateOnly)
	if e.date != "" && date != e.date {
		if err := e.finishPart(&e.pageStart, e.inPage-1); err != nil {
			return err
		}
	}
	if e.date == "" {
		if err := e.openPart(date); err != nil {
			return err
		}
	}
	e.open++
	return e.part.add(r)
}

// pageEnd notes that the next page starts at next (nil: none follows),
// and finishes the part being written there when it is full.
func (e *parquetExporter) pageEnd(next *supersim.Position) error {
	e.pages++
	if next == nil {
		return nil
	}
	e.pageStart, e.inPage = *next, 0
	if e.open >= partRows {
		return e.finishPart(next, 0)
	}
	return nil
}

// openPart starts the next part file, for records of date.
func (e *parquetExporter) openPart(date string) error {
	dir := filepath.Join(e.dir, "date="+date)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	e.path = filepath.Join(dir, fmt.Sprintf("%s%05d%s", partPrefix, e.parts, partSuffix))
	f, err := os.OpenFile(e.path+partialSuffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	e.file, e.date = f, date
	e.part.begin(f)
	return nil
}

// finishPart completes the part being written, and saves the checkpoint
// with where the next part starts: skip records into the page at next.
func (e *parquetExporter) finishPart(next *supersim.Position, skip int) error {
	if err := e.closePart(); err != nil {
		return err
	}
	return e.save(next, skip)
}

// closePart writes the rest of the part being written and gives it its
// final name: synced first with a checkpoint, which must never count a
// part a crash of the machine could lose. Without one, the parts are
// synced together once the export is complete (complete); a killed
// process loses nothing the system holds, so the rename alone keeps half
// files from final names.
func (e *parquetExporter) closePart() error {
	err := e.part.end()
	if err == nil && e.cp != nil {
		err = e.file.Sync()
	}
	if closeErr := e.file.Close(); err == nil {
		err = closeErr
	}
	e.file = nil
	if err == nil {
		err = os.Rename(e.path+partialSuffix, e.path)
	}
	if err != nil {
		return err
	}
	if e.cp != nil {
		syncDir(filepath.Dir(e.path))
	}
	e.written = append(e.written, e.path)
	e.parts++
	e.records += e.open
	e.open, e.date = 0, ""
	return nil
}

// save saves the checkpoint, if any: the parts so far, and where the next
// part starts (nil when the export is complete).
func (e *parquetExporter) save(next *supersim.Position, skip int) error {
	if e.cp == nil {
		return nil
	}
	e.cp.Parts, e.cp.Records, e.cp.Skip = e.parts, e.records, skip
	e.cp.Next = nil
	if next != nil {
		pos := *next
		e.cp.Next = &pos
	}
	return e.cp.save(e.cpPath)
}

// complete finishes the part being written and marks the checkpoint
// complete; without a checkpoint, it syncs the parts this run wrote.
func (e *parquetExporter) complete() error {
	if e.date != "" {
		if err := e.closePart(); err != nil {
			return err
		}
	}
	if e.cp == nil {
		return syncAll(e.written)
	}
	return e.save(nil, 0)
}

// syncAll makes the files at paths, and their names, durable: a few at a
// time, so that the system commits them together.
func syncAll(paths []string) error {
	const together = 8
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	slots := make(chan struct{}, together)
	for i, path := range paths {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			f, err := os.Open(path)
			if err == nil {
				err = f.Sync()
				f.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	dirs := map[string]bool{}
	for _, path := range paths {
		if dir := filepath.Dir(path); !dirs[dir] {
			dirs[dir] = true
			syncDir(dir)
		}
	}
	return errors.Join(errs...)
}

// writeFailed reports a failed write of a part file or the checkpoint.
func (e *parquetExporter) writeFailed(stderr io.Writer, err error) int {
	where := e.dir
	if e.file != nil {
		where = e.file.Name()
	}
	fmt.Fprintf(stderr, "supersim: writing the output failed: %s: %v\n", where, err)
	e.abandon(stderr)
	return exitAPIError
}

// abandon leaves an export that did not complete: with a checkpoint, its
// part files for the next run; without, none of the files this run wrote.
func (e *parquetExporter) abandon(stderr io.Writer) {
	e.close()
	if e.cp != nil {
		fmt.Fprintf(stderr, "supersim: the checkpoint counts %s in %s in %s; run the same command to resume from %s\n",
			plural(int(e.cp.Records), "record"), plural(int(e.cp.Parts), "file"), e.dir, e.cpPath)
		return
	}
	for _, path := range e.written {
		os.Remove(path)
		os.Remove(filepath.Dir(path)) // once empty
	}
	if e.date != "" {
		os.Remove(e.path + partialSuffix)
		os.Remove(filepath.Dir(e.path))
	}
	fmt.Fprintf(stderr, "supersim: %s not written (rerun with -checkpoint FILE to make a long export resumable)\n", e.dir)
}

// counts are the rows in the finished parts, and those they held when
// this run began.
func (e *parquetExporter) counts() (records, resumed int64) { return e.records, e.resumed }

// pieces counts the part files.
func (e *parquetExporter) pieces() string { return plural(int(e.parts), "file") }

// name is the export's directory.
func (e *parquetExporter) name() string { return e.dir }

// close closes the part file being written, if any, leaving it .partial.
func (e *parquetExporter) close() {
	e.part.abort()
	if e.file != nil {
		e.file.Close()
		e.file = nil
	}
}
