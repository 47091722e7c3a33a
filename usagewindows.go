package supersim

import (
	"strconv"
	"time"

	"github.com/supersimkit/supersim/internal/apirules"
	"github.com/supersimkit/supersim/internal/window"
)

// The rules of usage records' windowed walks (ListUsageRecordsOptions.Concurrency):
// the bucket and range of one request, where a walk starts, and what it
// needs of the options.

// windowBucket returns the bucket of a windowed walk of o and the most
// buckets one request may cover (Twilio errors 83603 and 83604).
func (o *ListUsageRecordsOptions) windowBucket() (time.Duration, int) {
	days, _ := apirules.MaxRangeDays(string(o.Group), string(o.Granularity))
	if o.Granularity == GranularityDay {
		return apirules.Day, days
	}
	return time.Hour, 24 * days
}

// windowedWalk returns where a windowed walk of the valid options o
// starts; without an EndTime, or with one past now, it ends with the
// bucket that holds now.
func (o *ListUsageRecordsOptions) windowedWalk(now time.Time) windowedWalk {
	bucket, maxBuckets := o.windowBucket()
	pageSize := o.PageSize
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	from, end := o.StartTime.UTC(), o.EndTime.UTC()
	if current := now.UTC().Truncate(bucket).Add(bucket); o.EndTime.IsZero() || end.After(current) {
		end = current // nothing is used in the future: an EndTime past now ends where one without it does
	}
	walk := windowedWalk{from: from,
		start: Position{PageToken: o.PageToken, Page: o.Page, WindowStart: o.WindowStart.UTC(), WindowEnd: o.WindowEnd.UTC()}}
	if !o.WindowEnd.IsZero() {
		end = walk.start.WindowEnd
		if o.PageToken != "" || o.Page > 0 {
			walk.first = &window.Window{Start: walk.start.WindowStart, End: end}
			walk.at, end = Position{PageToken: o.PageToken, Page: o.Page}, walk.first.Start
		}
	}
	walk.planner = window.NewPlanner(from, end, bucket, maxBuckets, pageSize)
	if o.MaxRecords > 0 && o.MaxRecords <= pageSize {
		walk.planner.StartWide() // a page holds them: the first request of one walk
	}
	return walk
}

// recordBucket is the bucket a usage record belongs to.
func recordBucket(r UsageRecord) time.Time { return r.Period.StartTime }

// checkWindowed checks Concurrency, what a windowed walk needs, and the
// window of a windowed Position to resume at, and reports each problem to
// bad. Decided per case: options whose windowed walk could not give the
// records of one walk of the range are refused; the others are honoured
// (see ListUsageRecordsOptions.Concurrency).
func (o *ListUsageRecordsOptions) checkWindowed(bad func(field, problem, value string)) {
	n := strconv.Itoa(o.Concurrency)
	inWindow := o.PageToken != "" || o.Page > 0
	switch {
	case o.Concurrency < 0 || o.Concurrency > MaxConcurrency:
		bad("Concurrency", "must be between 0 and "+strconv.Itoa(MaxConcurrency), n)
		return
	case o.Concurrency == 0:
		if !o.WindowStart.IsZero() || !o.WindowEnd.IsZero() {
			bad("Concurrency", "must be set to resume a windowed walk's Position (WindowStart or WindowEnd set)", n)
		}
		return
	case o.Granularity != GranularityHour && o.Granularity != GranularityDay:
		bad("Concurrency", "needs Granularity hour or day: with all, each window would be summed into records of its own", n)
		return
	}
	bucket, _ := o.windowBucket()
	boundary := "a UTC hour"
	if bucket == apirules.Day {
		boundary = "a UTC midnight"
	}
	if o.StartTime.IsZero() {
		bad("Concurrency", "needs a StartTime", n) // on the bucket's boundary: see checkPeriod
	}
	if o.WindowEnd.IsZero() {
		if inWindow {
			bad("Concurrency", "cannot resume a sequential walk's Position (PageToken or Page without WindowEnd)", n)
		}
		if !o.WindowStart.IsZero() {
			bad("WindowEnd", "must be set with WindowStart", "")
		}
		return
	}
	switch {
	case !o.StartTime.IsZero() && !o.WindowEnd.After(o.StartTime),
		!o.EndTime.IsZero() && o.WindowEnd.After(o.EndTime):
		bad("WindowEnd", "must be within (StartTime, EndTime]", timeText(o.WindowEnd))
	case !o.WindowEnd.Equal(o.EndTime) && !apirules.OnBoundary(o.WindowEnd, bucket):
		bad("WindowEnd", "must be on "+boundary+" or be EndTime", timeText(o.WindowEnd))
	}
	if inWindow && (o.WindowStart.Before(o.StartTime) || !o.WindowStart.Before(o.WindowEnd) || !apirules.OnBoundary(o.WindowStart, bucket)) {
		bad("WindowStart", "must be on "+boundary+" within [StartTime, WindowEnd) to resume inside a window", timeText(o.WindowStart))
	}
}

// timeText is t as a ValidationError shows it.
func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
