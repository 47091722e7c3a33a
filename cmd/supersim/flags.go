package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/apirules"
)

// queryFlags are the flags that usage and export share: what to read, and
// from where.
type queryFlags struct {
	sim, fleet, network, country string
	group, granularity           string
	start, end                   string
	pageSize, concurrency        int
	format                       string
	demo                         bool
	baseURL, tokenURL            string
	wholeBuckets                 bool   // export -checkpoint: the period ends at the last whole bucket
	schema                       string // export -schema: export or focus
	names                        bool   // export -names: sim_name and fleet_name columns
	sumsBuckets                  bool   // usage: a whole period too long for one request is read in buckets, summed

	fs          *flag.FlagSet
	name, intro string   // the subcommand and its help's first paragraph
	formats     []string // its output formats, the default first
	exitCodes   string   // its help's exit-code section; "" for exitCodesHelp
}

// defaultConcurrency is how many windows a long hourly or daily query
// fetches at once by default.
const defaultConcurrency = 4

// newQueryFlags registers the shared flags on a new flag set for the
// subcommand name; formats are its output formats, the first the default.
// intro is the help's first paragraph.
func newQueryFlags(name, intro string, formats []string) *queryFlags {
	q := &queryFlags{fs: flag.NewFlagSet("supersim "+name, flag.ContinueOnError), name: name, intro: intro, formats: formats}
	fs := q.fs
	fs.SetOutput(io.Discard) // errors are reported by the caller, help by printHelp
	fs.Usage = func() {}
	fs.StringVar(&q.sim, "sim", "", "only this Sim: SID (HS...) or unique name")
	fs.StringVar(&q.fleet, "fleet", "", "only this Fleet: SID (HF...) or unique name")
	fs.StringVar(&q.network, "network", "", "only this Network: SID (HW...)")
	fs.StringVar(&q.country, "country", "", "only this country: ISO 3166-1 alpha-2 code (FR)")
	fs.StringVar(&q.group, "group", "", "group by `dimension`: sim, fleet, network or country (isoCountry too)")
	fs.StringVar(&q.granularity, "granularity", "all", "time buckets: hour, day or all")
	fs.StringVar(&q.start, "start", "", "inclusive start, UTC: YYYY-MM-DD or RFC 3339, at most 546 days\n(18 months, the shortest) before today (default one month before -end)")
	fs.StringVar(&q.end, "end", "", "exclusive end, UTC: YYYY-MM-DD or RFC 3339, at the latest the end of\ntoday (default the start of today, UTC)")
	fs.IntVar(&q.pageSize, "page-size", 0, "records per page (default the provider's largest: 1000 on Twilio,\n249 on KORE)")
	fs.IntVar(&q.concurrency, "concurrency", defaultConcurrency,
		fmt.Sprintf("requests at once, 1 to %d, for hour or day buckets from a bucket\nboundary (0: one request after another)", supersim.MaxConcurrency))
	fs.StringVar(&q.format, "format", formats[0], "output `format`: "+strings.Join(formats, ", "))
	fs.BoolVar(&q.demo, "demo", false, "read the demo dataset of the built-in fake API; no credentials needed")
	fs.StringVar(&q.baseURL, "base-url", "", "API origin, for a proxy (default the provider's)")
	fs.StringVar(&q.tokenURL, "token-url", "", "KORE's OAuth 2.0 token endpoint, for a proxy (default KORE's)")
	return q
}

// printHelp prints the subcommand's help: what it does, its flags, the
// environment variables and the exit codes.
func (q *queryFlags) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: supersim %s [flags]\n\n%s\nFlags:\n", q.name, q.intro)
	q.fs.SetOutput(w)
	q.fs.PrintDefaults()
	q.fs.SetOutput(io.Discard)
	fmt.Fprintf(w, "\n%s\n%s", credentialsHelp, cmp.Or(q.exitCodes, exitCodesHelp))
}

// parse reads args, which must hold flags only, and checks the format.
// It returns flag.ErrHelp for -help.
func (q *queryFlags) parse(args []string) error {
	if err := q.fs.Parse(args); err != nil {
		return err
	}
	if q.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags come as -name value)", q.fs.Arg(0))
	}
	if !slices.Contains(q.formats, q.format) {
		return fmt.Errorf("-format %q: want %s", q.format, strings.Join(q.formats, ", "))
	}
	return nil
}

// isSet reports whether the flag name was given on the command line.
func (q *queryFlags) isSet(name string) bool {
	set := false
	q.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// options turns the flags into list options for creds' provider, with the
// period's defaults resolved against now so that the report can say which
// period it covers.
func (q *queryFlags) options(now time.Time, creds *credentials) (supersim.ListUsageRecordsOptions, error) {
	opts := supersim.ListUsageRecordsOptions{
		Sim: q.sim, Fleet: q.fleet, Network: q.network, IsoCountry: q.country,
		Group: groupOf(q.group), Granularity: supersim.Granularity(q.granularity),
		PageSize: q.pageSize, Concurrency: q.concurrency,
	}
	if opts.PageSize == 0 {
		opts.PageSize = creds.maxPageSize
	}
	if opts.PageSize > creds.maxPageSize {
		return opts, fmt.Errorf("-page-size %d: %s allows at most %d", opts.PageSize, creds.provider, creds.maxPageSize)
	}
	var err error
	if opts.StartTime, opts.EndTime, err = q.period(now); err != nil {
		return opts, err
	}
	if err := q.checkPeriod(opts, now); err != nil {
		return opts, err
	}
	if q.sumsBuckets {
		opts.Granularity = summedGranularity(opts)
	}
	if !q.isSet("concurrency") && !windowed(opts) {
		opts.Concurrency = 0 // the default applies where windows do; an explicit -concurrency goes to the SDK as given
	}
	if !windowed(opts) || opts.Concurrency == 0 { // before the SDK's own check, to word it with flags and say why
		why := "-granularity hour or day from a bucket boundary is read in windows of one request each"
		if opts.Concurrency == 0 && windowed(opts) {
			why = "-concurrency 0 reads it in one sequence; leave it out, or set 1 or more, to read it in windows"
		}
		if err := checkOneRequest(opts, why); err != nil {
			return opts, err
		}
	}
	if err := opts.Validate(); err != nil {
		return opts, flagErrors(err)
	}
	return opts, nil
}

// summedGranularity is the granularity a report reads opts' period in:
// opts' own, or, for the whole period (-granularity all) when it is longer
// than one request may read (31 days with -group sim, 546 days else), day
// buckets (hour buckets when -start or -end is on a whole UTC hour but not
// at a midnight), which are read in windows (-concurrency) and summed by
// the report: the same totals, however long the period. A period off the
// hour keeps all, and is refused as too long.
func summedGranularity(opts supersim.ListUsageRecordsOptions) supersim.Granularity {
	if opts.Granularity != supersim.GranularityAll {
		return opts.Granularity
	}
	if days, _ := apirules.MaxRangeDays(string(opts.Group), string(opts.Granularity)); !opts.EndTime.After(opts.StartTime.AddDate(0, 0, days)) {
		return opts.Granularity
	}
	for _, g := range []supersim.Granularity{supersim.GranularityDay, supersim.GranularityHour} {
		unit, _ := apirules.Boundary(string(g))
		if apirules.OnBoundary(opts.StartTime, unit) && apirules.OnBoundary(opts.EndTime, unit) {
			return g
		}
	}
	return opts.Granularity
}

// groupOf is the API's Group for -group: "country", like the -country
// filter, is the API's isoCountry.
func groupOf(flag string) supersim.Group {
	if flag == "country" {
		return supersim.GroupIsoCountry
	}
	return supersim.Group(flag)
}

// windowed reports whether opts describe a walk the SDK can split into
// windows: hour or day buckets from a bucket boundary (a UTC hour; a UTC
// midnight for day).
func windowed(opts supersim.ListUsageRecordsOptions) bool {
	unit, _ := apirules.Boundary(string(opts.Granularity))
	return unit != 0 && apirules.OnBoundary(opts.StartTime, unit)
}

// flagNames maps the SDK's wire names of options to the flags that set them.
var flagNames = map[string]string{
	"Sim": "-sim", "Fleet": "-fleet", "Network": "-network", "IsoCountry": "-country",
	"Group": "-group", "Granularity": "-granularity", "StartTime": "-start", "EndTime": "-end",
	"PageSize": "-page-size", "Concurrency": "-concurrency",
}

// flagErrors rewords the SDK's validation errors with flag names.
func flagErrors(err error) error {
	var joined interface{ Unwrap() []error }
	errs := []error{err}
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		var v *supersim.ValidationError
		switch {
		case errors.As(e, &v) && flagNames[v.Field] != "" && v.Value != "":
			msgs = append(msgs, fmt.Sprintf("%s %q: %s", flagNames[v.Field], v.Value, v.Problem))
			continue
		case errors.As(e, &v) && flagNames[v.Field] != "":
			msgs = append(msgs, flagNames[v.Field]+": "+v.Problem)
			continue
		}
		msgs = append(msgs, oneLine(e))
	}
	return errors.New(strings.Join(msgs, "; "))
}

// filters describes the filter flags for the report header.
func (q *queryFlags) filters() []filter {
	var out []filter
	for _, f := range []filter{{"sim", q.sim}, {"fleet", q.fleet}, {"network", q.network}, {"country", strings.ToUpper(q.country)}} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// filter is one filter flag that was set.
type filter struct{ Name, Value string }
