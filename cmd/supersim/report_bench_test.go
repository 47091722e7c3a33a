package main

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
)

// benchSIMs is how many SIMs the report benchmarks group.
const benchSIMs = 100_000

// benchSID is the i-th of SIDs that share a long prefix: they differ only
// in their last hex digits before the last four, so that shortening them
// needs many leading digits.
func benchSID(i int) string {
	return fmt.Sprintf("HS%026x%06x", 0xc2a5, i) // 2 + 26 + 6 = 34
}

// BenchmarkReportGroupSim measures the memory a -group sim report holds
// per SIM once 100,000 SIMs' records are added.
func BenchmarkReportGroupSim(b *testing.B) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]supersim.UsageRecord, benchSIMs)
	for i := range recs {
		recs[i] = supersim.UsageRecord{SimSID: benchSID(i), DataUpload: int64(i), DataDownload: 2 * int64(i), DataTotal: 3 * int64(i),
			DataTotalBilled: supersim.MustParseDecimal("0.0123"), BilledUnit: "USD",
			Period: supersim.Period{StartTime: start, EndTime: start.Add(24 * time.Hour)}}
	}
	var perSIM float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		rep := newReport(header{Group: supersim.GroupSim, Start: start, End: start.Add(24 * time.Hour), Now: start})
		for i := range recs {
			r := recs[i]
			r.SimSID = string([]byte(r.SimSID)) // a fresh string per record, as the walk decodes
			rep.add(r)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perSIM = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / benchSIMs
		runtime.KeepAlive(rep)
	}
	b.ReportMetric(perSIM, "B/SIM")
}

// BenchmarkShortenSIDs measures shortening 100,000 SIDs that share a long
// prefix.
func BenchmarkShortenSIDs(b *testing.B) {
	sids := make([]string, benchSIMs)
	for i := range sids {
		sids[i] = benchSID(i)
	}
	for b.Loop() {
		shortenSIDs(sids)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/shorten")
}
