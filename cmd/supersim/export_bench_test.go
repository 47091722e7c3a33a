package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// BenchmarkExportVersusWalk compares the export to a file, as CSV and as
// JSON Lines, with the SDK's plain walk of the same pages: a month of
// hourly usage by SIM (some 52,000 records in pages of 1000, one sequence)
// from the fake API on loopback, the three in turn, in a rotating order.
// It reports records/s of each and each export's ratio to the walk
// (target: ≥ 0.85, issue 18).
func BenchmarkExportVersusWalk(b *testing.B) {
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	b.Cleanup(srv.Close)
	client, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	start, end := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	args := []string{"export", "-base-url", srv.URL, "-group", "sim", "-granularity", "hour",
		"-start", "2026-05-15", "-end", "2026-06-15", "-page-size", "1000", "-concurrency", "0"}
	walk := func() int64 {
		it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
			Group: supersim.GroupSim, Granularity: supersim.GranularityHour, PageSize: 1000, StartTime: start, EndTime: end,
		})
		defer it.Stop()
		var n int64
		for page, err := range it.Pages() {
			if err != nil {
				b.Fatal(err)
			}
			n += int64(len(page.Items))
		}
		return n
	}
	records := walk() // the fake API aggregates once per query
	benchRun(b, append(args, "-o", filepath.Join(b.TempDir(), "warm.csv"))...)
	runs := [3]func(dir string){
		func(string) {
			if n := walk(); n != records {
				b.Fatalf("walked %d records, then %d", records, n)
			}
		},
		func(dir string) { benchRun(b, append(args, "-o", filepath.Join(dir, "usage.csv"))...) },
		func(dir string) {
			benchRun(b, append(args, "-format", "jsonl", "-o", filepath.Join(dir, "usage.jsonl"))...)
		},
	}
	var took [3]time.Duration
	round := 0
	for b.Loop() {
		dir := b.TempDir()
		for i := range runs {
			which := (i + round) % len(runs)
			began := time.Now()
			runs[which](dir)
			took[which] += time.Since(began)
		}
		round++
	}
	rate := func(d time.Duration) float64 { return float64(records) * float64(round) / d.Seconds() }
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(rate(took[0]), "walk-records/s")
	b.ReportMetric(rate(took[1]), "csv-records/s")
	b.ReportMetric(rate(took[2]), "jsonl-records/s")
	b.ReportMetric(rate(took[1])/rate(took[0]), "csv/walk")
	b.ReportMetric(rate(took[2])/rate(took[0]), "jsonl/walk")
}
