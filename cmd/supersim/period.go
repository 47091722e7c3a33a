package main

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/apirules"
)

// day is a UTC day, the API's day bucket.
const day = apirules.Day

// The API's rules (bucket boundaries, the longest period of one request,
// how far back it reads) are the SDK's, in internal/apirules: the command
// checks them before anything is sent only to word its errors with flags.

// period resolves -start and -end: by default the month of whole UTC days
// before today.
func (q *queryFlags) period(now time.Time) (start, end time.Time, err error) {
	end = now.UTC().Truncate(day)
	if q.end != "" {
		if end, err = parseTime("end", q.end); err != nil {
			return start, end, err
		}
	}
	start = end.AddDate(0, -1, 0)
	if q.start != "" {
		if start, err = parseTime("start", q.start); err != nil {
			return start, end, err
		}
	}
	if !start.Before(end) {
		why := ""
		if q.end == "" {
			why = " (the default: the start of today, UTC)"
		}
		return start, end, fmt.Errorf("-start %s is not before -end %s%s", stamp(start), stamp(end), why)
	}
	return start, end, nil
}

// checkPeriod refuses, as usage errors, the periods the API would refuse
// for opts (errors 83601, 83602, 83605) and those that make no sense at
// now: a -start in the future, or an -end past the end of today (UTC).
// An -end later than now but within today is allowed: see futureWarning.
func (q *queryFlags) checkPeriod(opts supersim.ListUsageRecordsOptions, now time.Time) error {
	var errs []error
	unit, code := apirules.Boundary(string(opts.Granularity))
	for _, t := range []struct {
		flag  string
		value string
		time  time.Time
	}{{"start", q.start, opts.StartTime}, {"end", q.end, opts.EndTime}} {
		if unit == 0 || apirules.OnBoundary(t.time, unit) {
			continue
		}
		given := t.value
		if given == "" {
			given = "(default)"
		}
		where := map[time.Duration]string{day: "a UTC midnight", time.Hour: "a whole UTC hour"}[unit]
		errs = append(errs, fmt.Errorf("-%s %s is %s, not on %s as -granularity %s needs (the API's error %d)",
			t.flag, given, stamp(t.time), where, opts.Granularity, code))
	}
	today := now.UTC().Truncate(day)
	if earliest := apirules.Earliest(now); opts.StartTime.Before(earliest) {
		errs = append(errs, fmt.Errorf("-start %s is more than %d days (18 months, the shortest) before today: the API reads back to %s (its error %d)",
			stamp(opts.StartTime), apirules.MaxAgeDays, stamp(earliest), apirules.CodeStartTooEarly))
	}
	if latest := today.Add(day); opts.EndTime.After(latest) {
		errs = append(errs, fmt.Errorf("-end %s is past the end of today: the latest is %s (there is no usage after now)",
			stamp(opts.EndTime), stamp(latest)))
	} else if !opts.StartTime.Before(now) {
		errs = append(errs, fmt.Errorf("-start %s is in the future (now is %s)", stamp(opts.StartTime), stamp(now)))
	}
	return errors.Join(errs...)
}

// checkOneRequest refuses, as a usage error, a period longer than one
// request may cover (the API's errors 83603 and 83604), for a walk of
// opts in one sequence: 31 days with -group sim or hour buckets, 89 days
// (three months, the shortest) with day buckets, 546 days (18 months, the
// shortest) for the whole period. why says why the walk is one sequence.
func checkOneRequest(opts supersim.ListUsageRecordsOptions, why string) error {
	days, code := apirules.MaxRangeDays(string(opts.Group), string(opts.Granularity))
	if !opts.EndTime.After(opts.StartTime.AddDate(0, 0, days)) {
		return nil
	}
	with := "-granularity " + cmp.Or(string(opts.Granularity), "all")
	if opts.Group == supersim.GroupSim {
		with = "-group sim"
	}
	return fmt.Errorf("-start %s to -end %s is longer than one request may read: at most %d days with %s (the API's error %d); %s",
		stamp(opts.StartTime), stamp(opts.EndTime), days, with, code, why)
}

// futureWarning is the warning for a period that ends after now: its
// last bucket is still filling up, and later ones are empty. "" when it
// ends by now.
func futureWarning(opts supersim.ListUsageRecordsOptions, now time.Time) string {
	if !opts.EndTime.After(now) {
		return ""
	}
	what := "its usage is counted up to now"
	switch opts.Granularity {
	case supersim.GranularityDay:
		what = "today is partial"
	case supersim.GranularityHour:
		what = "the current hour is partial, and the hours after it are empty"
	}
	return fmt.Sprintf("warning: the period reaches past now (%s UTC): %s", now.UTC().Format("2006-01-02 15:04"), what)
}

// wholeBucket is the bucket a checkpointed export ends on: a UTC day for
// day buckets, else an hour (the API's finest), and its name.
func wholeBucket(g supersim.Granularity) (time.Duration, string) {
	if g == supersim.GranularityDay {
		return day, "day"
	}
	return time.Hour, "hour"
}

// wholeEnd is where a checkpointed export of opts ends, at now: its
// EndTime, or the start of the current bucket (UTC) when EndTime is past
// it. A listing that reaches into the current bucket grows at its head
// while usage arrives, newest first, so a resumed export going on from a
// saved page would write some records twice and miss others. A period
// that starts within the current bucket is a usage error.
func wholeEnd(opts supersim.ListUsageRecordsOptions, now time.Time) (time.Time, error) {
	unit, name := wholeBucket(opts.Granularity)
	current := now.UTC().Truncate(unit)
	if !opts.EndTime.After(current) {
		return opts.EndTime, nil
	}
	if !opts.StartTime.Before(current) {
		return current, fmt.Errorf("-start %s is in the current %s, whose usage is still arriving: a checkpointed export reads whole %ss only, up to %s",
			stamp(opts.StartTime), name, name, stamp(current))
	}
	return current, nil
}

// parseTime reads an RFC 3339 time or a YYYY-MM-DD date (UTC midnight).
func parseTime(name, value string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, value); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("-%s %q: want YYYY-MM-DD or RFC 3339 (2026-01-02T15:04:05Z)", name, value)
}

// stamp writes t in RFC 3339, UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
