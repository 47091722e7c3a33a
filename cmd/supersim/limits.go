package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
)

// exitOverThreshold is the exit code of "supersim limits" when at least
// one SIM is at or over -threshold.
const exitOverThreshold = 4

// limitsIntro is the first paragraph of "supersim limits -help".
const limitsIntro = `Prints every SIM's data used in its current billing period against its
fleet's data_limit (× 1,000,000 bytes: the API says megabytes), highest
percentage first, with when the period ends and when the limit is reached at
the period's rate so far. A SIM is blocked once it reaches the limit. SIMs
whose fleet has data disabled, or that have no billing period (new), are
listed with limit 0 and percent 0. Used bytes count the usage buckets from
the period's start floored to the UTC hour: up to the first hour before the
period may be counted. Billing periods are cached on disk (-cache) until
they end, so a second run costs one request per SIM fewer. -demo reads the
fake API and no cache.
`

// limitsExitCodes is the exit-code section of "supersim limits -help".
const limitsExitCodes = `Exit codes:
  0    done: no SIM is at or over -threshold
  1    the API failed; nothing is printed on stdout
  2    usage error: bad flags (a -threshold that is not a positive number,
       a -sim that names no SIM), no credentials
  3    nothing matched: no SIM (in -fleet)
  4    done: at least one SIM is at or over -threshold (for cron and CI)
  130  interrupted (Ctrl-C, SIGTERM)
`

// limitsFormats are the formats of "supersim limits", the default first.
var limitsFormats = []string{"table", "csv", "json"}

// limitsFlags are the flags of "supersim limits": those of usage and
// export that apply (-fleet, -sim, -format, -demo, -base-url, -token-url),
// -threshold and -cache.
type limitsFlags struct {
	*queryFlags
	threshold string
	cacheDir  string
}

// newLimitsFlags registers the flags of "supersim limits".
func newLimitsFlags() *limitsFlags {
	q := newQueryFlags("limits", limitsIntro, limitsFormats)
	q.exitCodes = limitsExitCodes
	shared := q.fs
	q.fs = flag.NewFlagSet("supersim limits", flag.ContinueOnError)
	q.fs.SetOutput(shared.Output())
	q.fs.Usage = shared.Usage
	for _, name := range []string{"fleet", "sim", "format", "demo", "base-url", "token-url"} {
		f := shared.Lookup(name)
		q.fs.Var(f.Value, f.Name, f.Usage)
	}
	l := &limitsFlags{queryFlags: q}
	q.fs.StringVar(&l.threshold, "threshold", "80", "mark SIMs at or over `PCT` percent of their limit, and exit 4 if any\nis (a positive number; 100: those blocked)")
	q.fs.StringVar(&l.cacheDir, "cache", "", "the billing-period cache's `DIR` (default supersim in the user cache\ndirectory: $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on\nmacOS)")
	return l
}

// parseThreshold reads -threshold: a positive, finite percentage, with or
// without a trailing "%".
func parseThreshold(s string) (float64, error) {
	pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || pct <= 0 || math.IsInf(pct, 0) || math.IsNaN(pct) {
		return 0, fmt.Errorf("-threshold %q: want a positive percentage, such as 80 or 95.5", s)
	}
	return pct, nil
}

// limits runs "supersim limits".
func (a *app) limits(ctx context.Context, args []string) int {
	l := newLimitsFlags()
	if err := l.parse(args); err != nil {
		return a.usageError(l.queryFlags, err)
	}
	threshold, err := parseThreshold(l.threshold)
	if err != nil {
		return a.usageError(l.queryFlags, err)
	}
	if l.demo && l.isSet("cache") {
		return a.usageError(l.queryFlags, errors.New("-cache does not go with -demo: the demo account is made anew for each run"))
	}
	creds, err := a.source(l.queryFlags)
	if err != nil {
		return a.usageError(l.queryFlags, err)
	}
	client, release, err := a.connect(l.queryFlags, creds)
	if err != nil {
		return a.usageError(l.queryFlags, err)
	}
	defer release()

	now := a.now().UTC()
	opts := &supersim.DataLimitsOptions{Fleet: l.fleet, Sim: l.sim, Now: now}
	cache := a.periodCache(l, creds, now)
	if cache != nil {
		opts.Periods = cache
	}
	rows, err := client.DataLimits(ctx, opts)
	if cache != nil { // the periods read so far, even from a run that failed: each holds now
		if err := cache.save(); err != nil {
			fmt.Fprintf(a.stderr, "supersim: warning: saving the billing-period cache: %v\n", err)
		}
	}
	var invalid *supersim.ValidationError
	switch {
	case errors.As(err, &invalid):
		return a.usageError(l.queryFlags, flagErrors(err))
	case err != nil && l.sim != "" && errors.Is(err, supersim.ErrNotFound):
		return a.usageError(l.queryFlags, fmt.Errorf("-sim %q: no such SIM", l.sim))
	case err != nil:
		return fail(ctx, a.stderr, err, creds)
	}
	if err := writeLimits(a.stdout, l.format, limitsReport{Rows: rows, Source: creds.provider, Threshold: threshold, Now: now}); err != nil {
		fmt.Fprintf(a.stderr, "supersim: writing the report: %v\n", err)
		return exitAPIError
	}
	over := 0
	for _, r := range rows {
		if r.Percent >= threshold {
			over++
		}
	}
	switch {
	case len(rows) == 0:
		fmt.Fprintln(a.stderr, "supersim: warning: nothing matched: no SIM (a -fleet name that names nothing matches nothing)")
		return exitNoMatch
	case over > 0:
		fmt.Fprintf(a.stderr, "supersim: %s at or over %s of the data limit\n", plural(over, "SIM"), formatThreshold(threshold))
		return exitOverThreshold
	}
	return exitOK
}

// periodCache opens the billing-period cache for creds (nil for the demo,
// or with a warning when there is no user cache directory).
func (a *app) periodCache(l *limitsFlags, creds *credentials, now time.Time) *periodCache {
	if creds.pair == nil {
		return nil
	}
	dir := l.cacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			fmt.Fprintf(a.stderr, "supersim: warning: no user cache directory (%v): billing periods are not cached; give -cache DIR\n", err)
			return nil
		}
		dir = filepath.Join(base, "supersim")
	}
	origin := l.baseURL
	if origin == "" {
		origin = supersim.DefaultBaseURL
		if creds.provider == "KORE" {
			origin = supersim.KOREBaseURL
		}
	}
	warn := func(msg string) { fmt.Fprintln(a.stderr, "supersim: "+msg) }
	return openPeriodCache(dir, creds.provider, creds.id, strings.TrimRight(origin, "/"), now, warn)
}
