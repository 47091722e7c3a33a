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
	// Margin is the spread allowed for in the records of a window before
	// any is measured: a size is chosen as if it held that much more than
	// the estimate, so that a window a little busier than the average does
	// not take one more request for a few records. Once blind windows (one
	// bucket each) show how much buckets differ, the margin is two standard
	// errors of a window's records instead: none for a fleet whose every
	// bucket holds as many records.
	Margin = 0.05
	// Resize is the change in the records per bucket, relative to the
	// estimate the window size was chosen for, that sizes windows anew:
	// smaller changes keep the size, so that the windows of a walk, and of
	// walks of the same data, stay the same.
	Resize = 0.10
	// Widen is the factor by which blind windows grow each time they all
	// came back empty: a stretch with no usage costs a few requests, not
	// one a bucket, while a window grown past an empty stretch into busy
	// buckets holds no more than Widen times what the walk looked at.
	Widen = 16
)

// Window is the time range [Start, End).
type Window struct {
	Start, End time.Time
	// Blind tells that it was cut before the records per bucket were
	// known: one bucket, or more after blind windows came back empty.
	Blind bool
}

// Planner cuts [start, end) into windows from the end backwards, newest
// first. Window boundaries are multiples of the bucket (an hour or a UTC
// day) from the Unix epoch, except end itself, which may fall inside a
// bucket; no window spans more than maxBuckets buckets.
//
// Windows are sized from the records per bucket observed so far (see
// [Planner.Whole] and [Planner.Partial]): the number of buckets, up to
// [MaxPages] pages' worth, whose records (plus a margin for how much
// buckets differ) fill their pages best, [TargetPages] breaking ties. A
// size holds until the estimate moves by more than [Resize], or another
// blind window shows its bucket. Windows cut before the first size are
// blind: one bucket, [Widen] times more each time blind windows all came
// back empty, up to maxBuckets. The first size is chosen once every blind
// window is whole (or one holds more than a page), so that walks of the
// same data cut the same windows. Near the end of the range, once windows
// are sized, they are cut to a page, so that the last ones are short (see
// [Planner.Next]).
type Planner struct {
	start, end time.Time // what is left to cut
	bucket     time.Duration
	maxBuckets int
	pageSize   float64
	blind      int     // buckets of a blind window
	blindOpen  int     // blind windows cut, not yet whole
	blindCut   int     // blind windows cut since the last all came back empty
	last       int     // buckets of the windows of the last round (a page each); 0 before it
	size       int     // buckets of a window at the estimate sizedAt
	sizedAt    float64 // records per bucket; 0 before any record is seen
	sizedWith  int     // len(buckets) when the size was chosen

	wholeRecords, wholeBuckets     float64   // windows walked to their end
	partialRecords, partialBuckets float64   // pages of windows not yet whole
	buckets                        []float64 // records of whole one-bucket blind windows
}

// NewPlanner returns a Planner of [start, end) in buckets of bucket, at
// most maxBuckets to a window, for pages of pageSize records.
func NewPlanner(start, end time.Time, bucket time.Duration, maxBuckets, pageSize int) *Planner {
	return &Planner{start: start.UTC(), end: end.UTC(), bucket: bucket, blind: 1,
		maxBuckets: max(maxBuckets, 1), pageSize: float64(max(pageSize, 1))}
}

// StartWide makes blind windows as long as one request may cover
// (maxBuckets) from the first: for a walk that needs no more than a page
// of records, which the first page of a window, newest first, then holds
// whenever its stretch does, in one request.
func (p *Planner) StartWide() { p.blind = p.maxBuckets }

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

// Ready reports whether windows are sized from an estimate: once records
// were seen and every blind window is whole, or a page of one showed that
// a bucket holds more than a page.
func (p *Planner) Ready() bool {
	return p.sizedAt > 0 || p.Estimate() > 0 && (p.blindOpen == 0 || p.partialRecords > 0)
}

// BlindCut returns the number of blind windows cut since blind windows
// last all came back empty.
func (p *Planner) BlindCut() int { return p.blindCut }

// Next cuts the next window, the newest of what is left, for a walk that
// runs up to spread windows at once. Once windows are sized and what is
// left fits in spread windows, it is cut into windows of about one page,
// so that the walk does not end with a long window walked alone, page
// after page. Blind windows are never cut shorter for it: a page of a
// range with no record seen yet is unknown, and cutting it into one-bucket
// windows would cost a request a bucket. Call it only while More.
func (p *Planner) Next(spread int) Window {
	buckets, blind := p.blind, !p.Ready()
	if !blind {
		if r := p.Estimate(); p.sizedAt == 0 || math.Abs(r-p.sizedAt) > Resize*p.sizedAt || len(p.buckets) != p.sizedWith {
			p.size, p.sizedAt, p.sizedWith = p.sizeFor(r), r, len(p.buckets)
			if p.wholeRecords == 0 && r >= p.pageSize {
				p.size = 1 // pages of a bucket not yet whole: it holds more than r
			}
		}
		buckets = p.size
	} else {
		p.blindOpen++
		p.blindCut++
	}
	buckets = min(buckets, p.maxBuckets)
	if left, spread := p.Buckets(Window{Start: p.start, End: p.end}), max(spread, 1); !blind && p.last == 0 && left <= float64(spread*buckets) {
		r := p.Estimate() // the last round: windows of a page
		p.last = max(1, int(min(p.pageSize/(r*(1+p.margin(1, r))), float64(p.maxBuckets))))
	}
	if p.last > 0 {
		buckets = min(buckets, p.last)
	}
	end := p.end
	start := end.Truncate(p.bucket) // Truncate works from the zero time: UTC hours and days alike
	if start.Equal(end) {
		start = start.Add(-p.bucket)
	}
	start = start.Add(-time.Duration(buckets-1) * p.bucket)
	if start.Before(p.start) {
		start = p.start
	}
	p.end = start
	return Window{Start: start, End: end, Blind: blind}
}

// sizeFor returns the number of buckets for a window at r records per
// bucket.
func (p *Planner) sizeFor(r float64) int {
	best, bestScore := 1, math.Inf(1)
	for n := 1; n <= p.maxBuckets; n++ {
		exact := float64(n) * r / p.pageSize
		pages := max(math.Ceil(exact*(1+p.margin(n, r))), 1)
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

// margin is the spread to allow for in the records of a window of n
// buckets at r records per bucket: two standard errors, from the bucket to
// bucket spread of the blind windows and the buckets seen, or Margin.
func (p *Planner) margin(n int, r float64) float64 {
	if len(p.buckets) < 2 {
		return Margin
	}
	var mean, sq float64
	for _, x := range p.buckets {
		mean += x / float64(len(p.buckets))
	}
	for _, x := range p.buckets {
		sq += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(sq / float64(len(p.buckets)-1))
	return 2 * sd * math.Sqrt(1/float64(n)+1/p.wholeBuckets) / r
}

// Whole records that window w, walked to its end, held records.
func (p *Planner) Whole(w Window, records int) {
	p.wholeRecords += float64(records)
	p.wholeBuckets += p.Buckets(w)
	if w.Blind && p.Buckets(w) == 1 {
		p.buckets = append(p.buckets, float64(records))
	}
	if w.Blind {
		p.blindOpen--
		if p.blindOpen == 0 && p.Estimate() == 0 { // all empty: look further at once
			p.blind, p.blindCut = min(Widen*p.blind, p.maxBuckets), 0
		}
	}
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
