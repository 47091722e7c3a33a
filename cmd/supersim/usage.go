package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/apirules"
	"github.com/supersimkit/supersim/internal/limit"
)

// usageIntro is the first paragraph of "supersim usage -help".
const usageIntro = `Prints a usage report: upload, download, total bytes and the exact amount
billed, per group (-group), with others and a total, and per hour or day for
-granularity hour or day (a chart in the table). The header says where the
data comes from, the period (UTC) and the filters. Table, CSV and JSON hold
the same content; CSV and JSON always print SIDs whole. Groups by SIM,
fleet or network are named (the SIM's unique name or ICCID, the fleet's
unique name, the network's friendly name) from one walk of that list.

A whole period (-granularity all) longer than one request may read (31
days with -group sim, 546 days else) is read in day buckets (hour buckets
when -start or -end is off a midnight), in windows, and summed.
`

// usageFormats are the report's formats, the default first.
var usageFormats = []string{"table", "csv", "json"}

// usage runs "supersim usage".
func (a *app) usage(ctx context.Context, args []string) int {
	q := newQueryFlags("usage", usageIntro, usageFormats)
	top := q.fs.Int("top", 0, "show the `N` groups with the most data, the rest summed as others\n(0 for all; needs -group)")
	fullSIDs := q.fs.Bool("full-sids", false, "print SIDs whole in the table, names beside them (wider than 80\ncolumns)")
	withNames := q.fs.Bool("names", true, "name the SIMs, fleets or networks grouped by (-names=false: SIDs\nonly, without reading the Sims, Fleets or Networks list)")
	if err := q.parse(args); err != nil {
		return a.usageError(q, err)
	}
	if *top < 0 {
		return a.usageError(q, fmt.Errorf("-top %d: must not be negative", *top))
	}
	if *top > 0 && q.group == "" {
		return a.usageError(q, fmt.Errorf("-top %d needs -group: without it there is one row, the total", *top))
	}
	q.sumsBuckets = true
	creds, opts, err := a.query(q)
	if err != nil {
		return a.usageError(q, err)
	}

	client, release, err := a.connect(q, creds)
	if err != nil {
		return a.usageError(q, err)
	}
	defer release()

	rep := newReport(header{Provider: creds.provider, Start: opts.StartTime, End: opts.EndTime,
		Filters: q.filters(), Group: opts.Group, Granularity: supersim.Granularity(q.granularity), Now: a.now().UTC()})
	namesCtx, stopNames := context.WithCancel(ctx)
	var names *nameWalk
	startNames := func() {
		if *withNames && names == nil {
			names = walkGroupNames(namesCtx, client, opts)
		}
	}
	if !fillsFirstRound(opts) {
		startNames() // at once, beside the usage walk
	}
	defer func() {
		stopNames()
		names.wait()
	}()
	progress := newProgress(a.stderr, isTerminal(a.stderr)) // cleared before the report is printed
	it := client.ListUsageRecords(ctx, &opts)
	defer it.Stop()
	for it.Next() {
		startNames() // else once the walk's first windows were answered
		rep.add(it.Value())
		progress.record(it.AtPageEnd())
	}
	progress.finish()
	if err := it.Err(); err != nil {
		return fail(ctx, a.stderr, err, creds)
	}
	s := rep.summarize(*top)
	byID, err := names.wait()
	switch {
	case err != nil && ctx.Err() != nil:
		return fail(ctx, a.stderr, err, creds)
	case err != nil:
		fmt.Fprintln(a.stderr, namesWarning(err))
	default:
		s.name(byID)
	}
	if err := writeReport(a.stdout, q.format, s, *fullSIDs); err != nil {
		fmt.Fprintf(a.stderr, "supersim: writing the report: %v\n", err)
		return exitAPIError
	}
	if !rep.matched() {
		fmt.Fprintln(a.stderr, "supersim: warning: nothing matched: no usage in this period for these filters (a -sim or -fleet name that names nothing matches nothing)")
		return exitNoMatch
	}
	return exitOK
}

// fillsFirstRound reports whether a walk of opts starts with as many
// requests at once as a new Client runs (limit.InitialLimit, raised as
// requests succeed): a windowed walk of that many buckets or more. A names
// request sent beside its first round would take a window's place and
// delay the walk by a round trip; sent once the first windows are
// answered, it overlaps the rest of the walk instead.
func fillsFirstRound(opts supersim.ListUsageRecordsOptions) bool {
	if !windowed(opts) || opts.Concurrency == 0 {
		return false
	}
	unit, _ := apirules.Boundary(string(opts.Granularity))
	return opts.EndTime.Sub(opts.StartTime) >= time.Duration(limit.InitialLimit)*unit
}

// writeReport prints s in format.
func writeReport(w io.Writer, format string, s summary, fullSIDs bool) error {
	switch format {
	case "csv":
		return writeReportCSV(w, s)
	case "json":
		return writeReportJSON(w, s)
	}
	return writeTable(w, s, fullSIDs)
}

// usageError reports a usage error with a pointer to -help and returns
// exitUsage; for -help itself it prints the help on stdout and returns
// exitOK.
func (a *app) usageError(q *queryFlags, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		q.printHelp(a.stdout)
		return exitOK
	}
	fmt.Fprintf(a.stderr, "supersim: %v\n(run \"supersim %s -help\" for help)\n", err, q.name)
	return exitUsage
}
