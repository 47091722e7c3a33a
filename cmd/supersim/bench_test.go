package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// BenchmarkParquetVersusCSV compares the Parquet export with the CSV
// export on the same walk: a month of hourly usage by SIM (the demo's 100
// SIMs, some 52,000 records in pages of 1000) from the fake API on
// loopback, exported by the command to -o, alternately in either order.
// It reports records/s of each and their ratio (target: Parquet ≥ 0.8×
// CSV), the size of each and their ratio (target: ≤ 0.25×). Then, without
// the API, it writes 1,000,000 records from memory through each writer
// (records/s), Parquet in parts of at most a million rows (a day each
// here) and row groups of 65,536, sampling the heap the writer adds
// (target: ≤ 64 MiB).
func BenchmarkParquetVersusCSV(b *testing.B) {
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	b.Cleanup(srv.Close)
	args := []string{"export", "-base-url", srv.URL, "-group", "sim", "-granularity", "hour",
		"-start", "2026-05-15", "-end", "2026-06-15", "-page-size", "1000"}
	benchRun(b, append(args, "-o", filepath.Join(b.TempDir(), "warm.csv"))...) // the fake API aggregates once per query
	var took [2]time.Duration
	var size [2]int64
	var records int64
	round := 0
	for b.Loop() {
		dir := b.TempDir()
		outs := [2][]string{{"-o", filepath.Join(dir, "usage.csv")}, {"-format", "parquet", "-o", filepath.Join(dir, "table")}}
		for i := range 2 {
			which := (i + round) % 2
			began := time.Now()
			benchRun(b, append(args, outs[which]...)...)
			took[which] += time.Since(began)
		}
		round++
		size[0], size[1] = treeSize(b, outs[0][1]), treeSize(b, outs[1][3])
		records = countParquetRows(b, outs[1][3])
	}
	csvRate := float64(records) * float64(round) / took[0].Seconds()
	parquetRate := float64(records) * float64(round) / took[1].Seconds()
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(csvRate, "csv-records/s")
	b.ReportMetric(parquetRate, "parquet-records/s")
	b.ReportMetric(parquetRate/csvRate, "parquet/csv-rate")
	b.ReportMetric(float64(size[0]), "csv-bytes")
	b.ReportMetric(float64(size[1]), "parquet-bytes")
	b.ReportMetric(float64(size[1])/float64(size[0]), "parquet/csv-size")

	// The writers alone, on a million records.
	base := collect(b, srv)
	const many = 1_000_000
	csvWrite, _ := writeMany(b, base, many, func(dir string) exportSink {
		out, err := createOutput(nil, filepath.Join(dir, "usage.csv"))
		if err != nil {
			b.Fatal(err)
		}
		return &exporter{out: out, page: newPageBuffer("csv", nil, nil)}
	})
	parquetWrite, peak := writeMany(b, base, many, func(dir string) exportSink {
		return &parquetExporter{dir: dir, part: newPartWriter(nil, nil)}
	})
	b.ReportMetric(csvWrite, "write-csv-records/s")
	b.ReportMetric(parquetWrite, "write-parquet-records/s")
	b.ReportMetric(parquetWrite/csvWrite, "write-parquet/csv-rate")
	b.ReportMetric(float64(peak)/(1<<20), "write-parquet-heap-MiB")
	if peak > 64<<20 {
		b.Errorf("the Parquet writer's heap peaked at %d MiB writing %d records, over 64 MiB", peak>>20, many)
	}
}

// benchRun runs the command in process and fails the benchmark unless it
// succeeds.
func benchRun(b *testing.B, args ...string) {
	b.Helper()
	var stderr bytes.Buffer
	a := &app{stdout: &bytes.Buffer{}, stderr: &stderr, env: twilioEnv(), now: clock}
	if code := a.run(context.Background(), args); code != exitOK {
		b.Fatalf("exit %d: %s", code, stderr.String())
	}
}

// treeSize is the size of the file at path, or of the files below it.
func treeSize(b *testing.B, path string) int64 {
	b.Helper()
	var total int64
	err := filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		total += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// countParquetRows counts the rows of a Parquet export.
func countParquetRows(b *testing.B, dir string) int64 {
	b.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*"+partSuffix))
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		info, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		file, err := parquet.OpenFile(f, info.Size())
		if err != nil {
			b.Fatal(err)
		}
		n += file.NumRows()
		f.Close()
	}
	return n
}

// collect returns the records of the benchmark's walk.
func collect(b *testing.B, srv *supersimtest.Server) []supersim.UsageRecord {
	b.Helper()
	client, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Group: supersim.GroupSim, Granularity: supersim.GranularityHour, PageSize: 1000,
		StartTime: time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC), EndTime: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC),
	})
	records, err := it.Collect()
	if err != nil {
		b.Fatal(err)
	}
	return records
}

// writeMany writes n records made from base, newest first, in pages of
// 1000, through the sink that open makes in a new directory, and returns
// the records written per second and the peak of the heap meanwhile, less
// the heap it started with (the records, the fake API).
func writeMany(b *testing.B, base []supersim.UsageRecord, n int, open func(dir string) exportSink) (perSecond float64, peak uint64) {
	b.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before) // the records and the fake API: not the writer's
	stop, peakHeap := sampleHeap()
	sink := open(b.TempDir())
	began := time.Now()
	for i := range n {
		r := base[i%len(base)]
		shift := time.Duration(i/len(base)) * 31 * 24 * time.Hour // each round a month earlier: new dates
		r.Period.StartTime, r.Period.EndTime = r.Period.StartTime.Add(-shift), r.Period.EndTime.Add(-shift)
		var err error
		switch s := sink.(type) {
		case *exporter:
			err = s.page.add(r)
			s.pending++
			if err == nil && (i+1)%1000 == 0 {
				err = s.commitPage(&supersim.Position{})
			}
		case *parquetExporter:
			err = s.add(r)
			if err == nil && (i+1)%1000 == 0 {
				err = s.pageEnd(&supersim.Position{})
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := sink.complete(); err != nil {
		b.Fatal(err)
	}
	perSecond = float64(n) / time.Since(began).Seconds()
	stop()
	return perSecond, *peakHeap - min(*peakHeap, before.HeapAlloc)
}

// sampleHeap samples the heap's objects (live, and garbage not yet
// collected: an upper bound of the live heap) every millisecond until stop
// is called, and keeps their peak.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}

// BenchmarkUsageNames measures what names cost a report: "usage -group
// sim" over a month by day (the demo's 100 SIMs, some 3,100 records in 4
// pages, windowed), over 31 days at once (one page) and over three days
// by day (three windows of one page), from the fake API
// at 50 ms a request, with names (one walk of the Sims list, overlapped
// with the usage walk) and with -names=false, alternately in either order.
// It reports the wall time of each and their ratio (target: ≤ 1.2), and
// checks that names cost one request a run (the demo's SIMs fit a page).
func BenchmarkUsageNames(b *testing.B) {
	srv := supersimtest.NewServer(supersimtest.WithClock(clock))
	b.Cleanup(srv.Close)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"by-day", []string{"-granularity", "day", "-start", "2026-05-15", "-end", "2026-06-15"}},
		{"whole", []string{"-start", "2026-05-15", "-end", "2026-06-15"}},
		{"three-days", []string{"-granularity", "day", "-start", "2026-06-12", "-end", "2026-06-15"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			args := append([]string{"usage", "-base-url", srv.URL, "-group", "sim", "-format", "csv"}, tt.args...)
			before := simsRequests(srv)
			srv.SetLatency(0)
			benchRun(b, args...) // the fake API aggregates once per query
			srv.SetLatency(50 * time.Millisecond)
			defer srv.SetLatency(0)
			var took [2]time.Duration
			round := 0
			for b.Loop() {
				for i := range 2 {
					which := (i + round) % 2
					began := time.Now()
					benchRun(b, append(args, "-names="+[]string{"true", "false"}[which])...)
					took[which] += time.Since(began)
				}
				round++
			}
			if sims, want := simsRequests(srv)-before, 1+round; sims != want { // the warm-up run has names too
				b.Errorf("%d requests of /v1/Sims in %d runs with names; want one each", sims, want)
			}
			b.ReportMetric(took[0].Seconds()/float64(round), "s/names")
			b.ReportMetric(took[1].Seconds()/float64(round), "s/sids")
			b.ReportMetric(float64(took[0])/float64(took[1]), "names/sids")
		})
	}
}

// simsRequests counts the requests of the Sims list that srv has seen.
func simsRequests(srv *supersimtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == "/v1/Sims" {
			n++
		}
	}
	return n
}
