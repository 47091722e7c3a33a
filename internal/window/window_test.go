package window

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var may1 = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// cutAll cuts the whole range and checks that the windows tile it, newest
// first, on bucket boundaries, none too long.
func cutAll(t *testing.T, p *Planner, start, end time.Time, bucket time.Duration, maxBuckets int) []Window {
	t.Helper()
	var ws []Window
	for p.More() {
		ws = append(ws, p.Next(1))
		require.Less(t, len(ws), 100_000)
	}
	require.NotEmpty(t, ws)
	assert.Equal(t, end, ws[0].End)
	assert.Equal(t, start, ws[len(ws)-1].Start)
	for i, w := range ws {
		assert.True(t, w.Start.Before(w.End))
		assert.LessOrEqual(t, w.End.Sub(w.Start), time.Duration(maxBuckets)*bucket)
		if w.Start != start {
			assert.Equal(t, w.Start, w.Start.Truncate(bucket), "windows start on a bucket boundary")
		}
		if i > 0 {
			assert.Equal(t, ws[i-1].Start, w.End, "no gap, no overlap")
		}
	}
	return ws
}

func TestPlannerSizesWindowsFromWhatItSaw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		perBucket int
		pageSize  int
		want      int // buckets per window
	}{
		{"200 SIMs hourly, pages of 1000: two whole pages", 200, 1000, 10},
		{"2000 SIMs: one hour is two pages", 2000, 1000, 1},
		{"20000 SIMs: one hour, however many pages", 20000, 1000, 1},
		{"a few SIMs: two pages, many hours", 10, 1000, 200},
		{"700 an hour: 4 hours fill 3 pages best", 700, 1000, 4},
		{"pages of 50, 40 an hour: four whole pages", 40, 50, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := may1, may1.AddDate(0, 0, 31)
			p := NewPlanner(start, end, time.Hour, 744, tt.pageSize)
			for _, w := range []Window{p.Next(1), p.Next(1)} { // every bucket alike: no margin
				assert.Equal(t, time.Hour, w.End.Sub(w.Start), "before any record is seen, one bucket")
				p.Whole(w, tt.perBucket)
			}
			second := p.Next(1)
			assert.Equal(t, time.Duration(tt.want)*time.Hour, second.End.Sub(second.Start))
			cutAll(t, p, start, second.Start, time.Hour, 744)
		})
	}
}

func TestPlannerEstimatesFromPagesBeforeAWindowIsWhole(t *testing.T) {
	t.Parallel()
	p := NewPlanner(may1, may1.AddDate(0, 0, 8), time.Hour, 744, 1000)
	first := p.Next(1)
	assert.Zero(t, p.Estimate())
	p.Partial(1000, first.Start, first.Start) // a full page, all in the newest hour
	assert.Equal(t, 1000.0, p.Estimate())
	p.Partial(1000, first.Start.Add(-4*time.Hour), first.Start) // five hours
	assert.Equal(t, 2000.0/6, p.Estimate())
	p.Whole(Window{Start: may1, End: may1.Add(3 * time.Hour)}, 6000)
	assert.Equal(t, 2000.0, p.Estimate(), "whole windows, once seen, are what counts")
}

func TestPlannerWidensWhileNothingIsSeen(t *testing.T) {
	t.Parallel()
	start, end := may1, may1.AddDate(0, 0, 200)
	p := NewPlanner(start, end, 24*time.Hour, 31, 1000)
	var days []int
	for range 4 {
		w := p.Next(1)
		p.Whole(w, 0)
		days = append(days, int(w.End.Sub(w.Start).Hours()/24))
	}
	assert.Equal(t, []int{1, Widen, 31, 31}, days, "capped by the range one request may cover")
	cutAll(t, p, start, end.AddDate(0, 0, -1-Widen-62), 24*time.Hour, 31)
}

// Near the end of a range where no record was seen yet, blind windows
// keep growing rather than be cut to a page each: an empty range costs a
// few requests, not one a bucket.
func TestPlannerCutsNoBlindWindowToAPage(t *testing.T) {
	t.Parallel()
	start, end := may1, may1.AddDate(0, 0, 62)
	p := NewPlanner(start, end, time.Hour, 744, 1000)
	var hours []int
	for p.More() {
		var round []Window // up to two blind windows at once
		for len(round) < 2 && p.More() {
			w := p.Next(32)
			assert.True(t, w.Blind)
			round = append(round, w)
			hours = append(hours, int(w.End.Sub(w.Start).Hours()))
		}
		for _, w := range round {
			p.Whole(w, 0)
		}
	}
	left := 62*24 - 2*(1+Widen+Widen*Widen) - 744
	assert.Equal(t, []int{1, 1, Widen, Widen, Widen * Widen, Widen * Widen, 744, left}, hours)
}

func TestPlannerCutsAnEndInsideABucket(t *testing.T) {
	t.Parallel()
	start, end := may1.Add(5*time.Hour), may1.AddDate(0, 0, 2).Add(13*time.Hour+30*time.Minute)
	p := NewPlanner(start, end, time.Hour, 744, 1000)
	first, blind := p.Next(1), p.Next(1)
	assert.Equal(t, Window{Start: end.Add(-30 * time.Minute), End: end, Blind: true}, first)
	p.Whole(first, 500) // two hours a page
	p.Whole(blind, 500)
	second := p.Next(1)
	assert.Equal(t, 4*time.Hour, second.End.Sub(second.Start))
	ws := cutAll(t, p, start, second.Start, time.Hour, 744)
	assert.Equal(t, start, ws[len(ws)-1].Start, "the oldest window starts where the range does")
	assert.Equal(t, end.Add(-90*time.Minute), second.End)
}

func TestPlannerWorksInAnyZone(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("CEST", 2*3600)
	p := NewPlanner(may1.In(cest), may1.AddDate(0, 0, 3).In(cest), 24*time.Hour, 89, 1000)
	ws := cutAll(t, p, may1, may1.AddDate(0, 0, 3), 24*time.Hour, 89)
	for _, w := range ws {
		assert.Equal(t, time.UTC, w.Start.Location())
		assert.Zero(t, w.Start.Hour(), "UTC midnights")
	}
}

func TestPlannerKeepsItsSizeThroughSmallChanges(t *testing.T) {
	t.Parallel()
	p := NewPlanner(may1, may1.AddDate(0, 0, 31), time.Hour, 744, 1000)
	wholeBlind(p, 1, 100, 100)
	sizes := func(n int) []int {
		var out []int
		for range n {
			w := p.Next(1)
			out = append(out, int(w.End.Sub(w.Start).Hours()))
		}
		return out
	}
	assert.Equal(t, []int{20, 20}, sizes(2), "two whole pages at 100 an hour")
	p.Whole(Window{Start: may1, End: may1.Add(10 * time.Hour)}, 1050) // 104 an hour over 12 hours
	assert.Equal(t, []int{20, 20}, sizes(2), "a 4% change keeps the size")
	p.Whole(Window{Start: may1, End: may1.Add(10 * time.Hour)}, 4000) // 239 an hour over 22 hours
	assert.Equal(t, []int{8}, sizes(1), "a 2.5-fold change sizes windows anew")
}

func TestPlannerSharesOutTheLastWindows(t *testing.T) {
	t.Parallel()
	start, end := may1, may1.Add(100*time.Hour)
	p := NewPlanner(start, end, time.Hour, 744, 1000)
	wholeBlind(p, 4, 100, 100) // 20 hours a window from now on
	var sizes []int
	for p.More() {
		w := p.Next(4)
		sizes = append(sizes, int(w.End.Sub(w.Start).Hours()))
	}
	assert.Equal(t, []int{20, 10, 10, 10, 10, 10, 10, 10, 8}, sizes,
		"once what is left fits in four windows, windows of a page")
}

func TestPlannerStartsBlindWithOneBucket(t *testing.T) {
	t.Parallel()
	p := NewPlanner(may1, may1.AddDate(0, 0, 10), time.Hour, 744, 1000)
	for range 8 {
		w := p.Next(8)
		assert.Equal(t, time.Hour, w.End.Sub(w.Start), "windows cut before any comes back are one bucket")
		assert.True(t, w.Blind)
	}
	assert.Equal(t, 8, p.BlindCut())
	assert.False(t, p.Ready())
}

func TestPlannerSizesOnceEveryBlindWindowIsWhole(t *testing.T) {
	t.Parallel()
	p := NewPlanner(may1, may1.AddDate(0, 0, 10), time.Hour, 744, 1000)
	a, b := p.Next(8), p.Next(8)
	p.Whole(a, 100)
	assert.False(t, p.Ready(), "one of two blind windows is not whole yet")
	assert.True(t, p.Next(8).Blind)
	p.Whole(b, 100)
	p.Partial(0, may1, may1)
	assert.False(t, p.Ready(), "the third blind window is not whole")
	p.Partial(1000, may1, may1) // a page of it, all in one bucket
	assert.True(t, p.Ready(), "it holds more than a page")
	w := p.Next(8)
	assert.False(t, w.Blind)
	assert.Equal(t, 20*time.Hour, w.End.Sub(w.Start), "sized from the whole windows: 100 an hour")

	p = NewPlanner(may1, may1.AddDate(0, 0, 10), time.Hour, 744, 1000)
	p.Next(8)
	p.Partial(1000, may1, may1)
	w = p.Next(8)
	assert.Equal(t, time.Hour, w.End.Sub(w.Start), "an hour holds more than a page: one hour")
}

func TestPlannerAllowsForBucketsThatDiffer(t *testing.T) {
	t.Parallel()
	p := NewPlanner(may1, may1.AddDate(0, 0, 31), time.Hour, 744, 1000)
	wholeBlind(p, 4, 180, 220, 190, 210) // 200 an hour, give or take 10%
	w := p.Next(4)
	assert.Equal(t, 9*time.Hour, w.End.Sub(w.Start), "1800 records in two pages, not 2000 that a busy window spills over")
}

// wholeBlind cuts one blind window per count, then has each come back
// whole with its count of records.
func wholeBlind(p *Planner, spread int, counts ...int) {
	var ws []Window
	for range counts {
		ws = append(ws, p.Next(spread))
	}
	for i, w := range ws {
		p.Whole(w, counts[i])
	}
}

func TestPlannerStartsWideWhenAsked(t *testing.T) {
	t.Parallel()
	start, end := may1, may1.AddDate(0, 0, 40)
	p := NewPlanner(start, end, time.Hour, 744, 1000)
	p.StartWide()
	w := p.Next(1)
	assert.Equal(t, Window{Start: end.Add(-744 * time.Hour), End: end, Blind: true}, w, "as long as one request may cover")
	p.Whole(w, 0)
	cutAll(t, p, start, w.Start, time.Hour, 744)
}
