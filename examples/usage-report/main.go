// Command usage-report prints a Super SIM data usage report: upload,
// download, total and the exact billed amount per group, with totals, and a
// per-day chart for -granularity day.
//
// With TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
// TWILIO_API_SECRET) set it reads the real API; without them it starts the
// built-in fake API (supersimtest) with its demo dataset, so it runs
// anywhere:
//
//	go run ./examples/usage-report -group fleet -granularity day
//
// Exit codes: 0 on success, 1 when the API fails, 2 for bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, time.Now, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK       = 0
	exitAPIError = 1
	exitUsage    = 2
)

// config is what the flags say.
type config struct {
	opts     supersim.ListUsageRecordsOptions
	format   string
	top      int
	baseURL  string
	progress bool
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("usage-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var group, granularity, start, end string
	fs.StringVar(&c.opts.Sim, "sim", "", "only this Sim (SID or unique name)")
	fs.StringVar(&c.opts.Fleet, "fleet", "", "only this Fleet (SID or unique name)")
	fs.StringVar(&c.opts.Network, "network", "", "only this Network (SID, HW...)")
	fs.StringVar(&c.opts.IsoCountry, "country", "", "only this country (ISO 3166-1 alpha-2)")
	fs.StringVar(&group, "group", "", "group by sim, fleet, network or isoCountry")
	fs.StringVar(&granularity, "granularity", "", "time buckets: hour, day or all (default all)")
	fs.StringVar(&start, "start", "", "start, inclusive: RFC 3339 or YYYY-MM-DD (UTC); default a month before -end")
	fs.StringVar(&end, "end", "", "end, exclusive: RFC 3339 or YYYY-MM-DD (UTC); default now")
	fs.IntVar(&c.opts.PageSize, "page-size", 1000, "records per page, 1 to 1000")
	fs.StringVar(&c.format, "format", "table", "output: table, csv or json")
	fs.IntVar(&c.top, "top", 0, "show only the N groups with the most data (0 = all)")
	fs.StringVar(&c.baseURL, "base-url", supersim.DefaultBaseURL, "API base URL, with TWILIO_* credentials")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.opts.Group, c.opts.Granularity = supersim.Group(group), supersim.Granularity(granularity)
	var err error
	if c.opts.StartTime, err = parseTime("start", start); err != nil {
		return nil, err
	}
	if c.opts.EndTime, err = parseTime("end", end); err != nil {
		return nil, err
	}
	switch c.format {
	case "table", "csv", "json":
	default:
		return nil, fmt.Errorf("-format %q: want table, csv or json", c.format)
	}
	if c.top < 0 {
		return nil, fmt.Errorf("-top %d: must not be negative", c.top)
	}
	if err := c.opts.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseTime reads RFC 3339 or a UTC date.
func parseTime(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, value); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("-%s %q: want RFC 3339 (2026-01-02T15:04:05Z) or YYYY-MM-DD", name, value)
}

// run is the whole command, with its surroundings passed in for tests.
func run(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "usage-report: %v\n", err)
		return exitUsage
	}
	client, cleanup, err := newClient(cfg, getenv, now, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "usage-report: %v\n", err)
		return exitUsage
	}
	defer cleanup()

	rep := newReport(cfg.opts.Group)
	progress := newProgress(stderr, now)
	it := client.ListUsageRecords(ctx, &cfg.opts)
	for it.Next() {
		rep.add(it.Value())
		progress.record(it.AtPageEnd())
	}
	progress.done()
	if err := it.Err(); err != nil {
		fmt.Fprintf(stderr, "usage-report: %s\n", describe(err))
		return exitAPIError
	}
	if err := rep.write(stdout, cfg.format, cfg.top, cfg.opts.Granularity == supersim.GranularityDay); err != nil {
		fmt.Fprintf(stderr, "usage-report: %v\n", err)
		return exitAPIError
	}
	return exitOK
}

// newClient talks to the real API when TWILIO_* credentials are set, and
// otherwise to a fake API with the demo dataset, started here.
func newClient(cfg *config, getenv func(string) string, now func() time.Time, stderr io.Writer) (*supersim.Client, func(), error) {
	ua := supersim.WithUserAgent("usage-report")
	if sid, token := getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN"); sid != "" && token != "" {
		client, err := supersim.NewClient(supersim.WithCredentials(sid, token), supersim.WithBaseURL(cfg.baseURL), ua)
		return client, func() {}, err
	}
	if key, secret := getenv("TWILIO_API_KEY"), getenv("TWILIO_API_SECRET"); key != "" && secret != "" {
		client, err := supersim.NewClient(supersim.WithAPIKey(key, secret), supersim.WithBaseURL(cfg.baseURL), ua)
		return client, func() {}, err
	}
	srv := supersimtest.NewServer(supersimtest.WithClock(now))
	fmt.Fprintf(stderr, "usage-report: no TWILIO_* credentials set: reading demo data from the built-in fake API at %s\n", srv.URL)
	client, err := srv.Client(ua)
	return client, srv.Close, err
}

// describe words an error for a person: Twilio's code and message for an
// API error, every field for invalid options.
func describe(err error) string {
	var apiErr *supersim.APIError
	if errors.As(err, &apiErr) {
		msg := fmt.Sprintf("the API answered HTTP %d", apiErr.Status)
		if apiErr.Code != 0 {
			msg += fmt.Sprintf(", Twilio error %d", apiErr.Code)
		}
		if apiErr.Message != "" {
			msg += ": " + apiErr.Message
		}
		if apiErr.MoreInfo != "" {
			msg += " (" + apiErr.MoreInfo + ")"
		}
		return msg
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
