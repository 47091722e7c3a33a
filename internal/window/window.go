// Package window cuts the time range of a long export into windows, newest
// first, each sized from what the walk has seen so far to hold about
// [TargetPages] pages.
package window

import (
	"math"
	"time"
)

// The sizes a [Planner] aims at.
const (
	// TargetPages is the number of pages a window is sized to hold: few
	// enough that a window ahead of the one being read is soon whole, so
	// that pages waiting to be read stay few.
	TargetPages = 2
	// MaxPages bounds the pages a window of more than one bucket is sized
	// to hold; up to it, a size that fills its pages is preferred to one
	// that leaves a page mostly empty (which costs a request).
	MaxPages = 4
)

// Window is the time range [Start, End).
type Window struct {
	Start, End time.Time
}

// Planner cuts [start, end) into windows from the end backwards, newest
// first. Window boundaries are multiples of the bucket (an hour or a UTC
// day) from the Unix epoch, except end itself, which may fall inside a
// bucket; no window spans more than maxBuckets buckets. Each window is
// sized from the records per bucket observed so far (see [Planner.Whole]
// and [Planner.Partial]): the number of buckets, up to [MaxPages] pages'
// worth, whose records fill their pages best, [TargetPages] breaking ties.
// Before any record is seen, windows start at one bucket and double.
type Planner struct {
	start, end time.Time // what is left to cut
	bucket     time.Duration
	maxBuckets int
	pageSize   float64
	last       int // buckets of the window cut last

	wholeRecords, wholeBuckets     float64 // windows walked to their end
	partialRecords, partialBuckets float64 // pages of windows not yet whole
}

// NewPlanner returns a Planner of [start, end) in buckets of bucket, at
// most maxBuckets to a window, for pages of pageSize records.
func NewPlanner(start, end time.Time, bucket time.Duration, maxBuckets, pageSize int) *Planner {
	return &Planner{start: start.UTC(), end: end.UTC(), bucket: bucket,
		maxBuckets: max(maxBuckets, 1), pageSize: float64(max(pageSize, 1))}
}

// More reports whether some of the range is not cut yet.
func (p *Planner) More() bool { return p.start.Before(p.end) }

// Estimate returns the records per bucket observed so far; 0 when none
// were seen.
func (p *Planner) Estimate() float64 {
	switch {
	case p.wholeRecords > 0:
		return p.wholeRecords / p.wholeBuckets
	case p.partialRecords > 0:
		return p.partialRecords / (p.partialBuckets + p.wholeBuckets)
	}
	return 0
}

// Next cuts the next window, the newest of what is left. Call it only
// while More.
func (p *Planner) Next() Window {
	buckets := max(1, 2*p.last)
	if r := p.Estimate(); r > 0 {
		buckets = p.size(r)
	}
	buckets = min(buckets, p.maxBuckets)
	end := p.end
	start := end.Truncate(p.bucket) // Truncate works from the zero time: UTC hours and days alike
	if start.Equal(end) {
		start = start.Add(-p.bucket)
	}
	start = start.Add(-time.Duration(buckets-1) * p.bucket)
	if start.Before(p.start) {
		start = p.start
	}
	p.end, p.last = start, buckets
	return Window{Start: start, End: end}
}

// size returns the number of buckets for a window at r records per bucket.
func (p *Planner) size(r float64) int {
	best, bestScore := 1, math.Inf(1)
	for n := 1; n <= p.maxBuckets; n++ {
		exact := float64(n) * r / p.pageSize
		pages := max(math.Ceil(exact-1e-9), 1)
		if n > 1 && pages > MaxPages {
			break
		}
		// Requests beyond the whole pages' worth, then closeness to the target.
		score := pages/exact - 1 + 0.01*math.Abs(pages-TargetPages)
		if score < bestScore-1e-9 {
			best, bestScore = n, score
		}
	}
	return best
}

// Whole records that window w, walked to its end, held records.
func (p *Planner) Whole(w Window, records int) {
	p.wholeRecords += float64(records)
	p.wholeBuckets += p.Buckets(w)
}

// Partial records a page of a window not yet whole: records whose bucket
// starts range from oldest to newest.
func (p *Planner) Partial(records int, oldest, newest time.Time) {
	if records == 0 {
		return
	}
	p.partialRecords += float64(records)
	p.partialBuckets += math.Floor(newest.Sub(oldest).Hours()/p.bucket.Hours()) + 1
}

// Buckets is the number of buckets that w touches.
func (p *Planner) Buckets(w Window) float64 {
	return math.Ceil(w.End.Sub(w.Start.Truncate(p.bucket)).Hours() / p.bucket.Hours())
}
