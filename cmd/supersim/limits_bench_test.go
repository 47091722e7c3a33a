package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// limitsAccount is an account of sims SIMs in fleets fleets, each SIM
// active with a current billing period that started in the last days
// hours before now (at odd seconds, spread over them) and hourly usage
// over those days: cheap to make, and the walks the watch makes are those
// of a real account whose periods started lately (hour buckets for the
// start days, day buckets after).
func limitsAccount(sims, fleets, days int, now time.Time) supersimtest.Account {
	var a supersimtest.Account
	sid := func(prefix string, i int) string { return fmt.Sprintf("%s%032x", prefix, i+1) }
	created := now.AddDate(0, -6, 0)
	for f := range fleets {
		a.Fleets = append(a.Fleets, supersimtest.Fleet{SID: sid("HF", f), UniqueName: "fleet-" + strconv.Itoa(f+1),
			DataEnabled: true, DataLimit: 100, NetworkAccessProfileSID: sid("HA", 0), DateCreated: created, DateUpdated: created})
	}
	hours := days * 24
	for i := range sims {
		s := supersimtest.Sim{SID: sid("HS", i), UniqueName: fmt.Sprintf("sim-%05d", i+1), ICCID: fmt.Sprintf("8988307%013d", i+1),
			Status: "active", FleetSID: sid("HF", i%fleets), DateCreated: created, DateUpdated: created}
		a.Sims = append(a.Sims, s)
		start := now.Truncate(time.Hour).Add(-time.Duration(1+i%(hours-1))*time.Hour + time.Duration(1+2*(i%29))*time.Second)
		a.BillingPeriods = append(a.BillingPeriods, supersimtest.BillingPeriod{SID: sid("HB", i), SimSID: s.SID,
			StartTime: start, EndTime: start.AddDate(0, 1, 0), PeriodType: "active", DateCreated: start, DateUpdated: start})
	}
	billed := supersim.MustParseDecimal("0.001")
	first := now.Truncate(time.Hour).Add(-time.Duration(hours) * time.Hour)
	a.Samples = make([]supersimtest.Sample, 0, hours*sims)
	for h := range hours {
		hour := first.Add(time.Duration(h) * time.Hour)
		for i, s := range a.Sims {
			a.Samples = append(a.Samples, supersimtest.Sample{Sim: s.SID, SimName: s.UniqueName, Fleet: s.FleetSID,
				FleetName: a.Fleets[i%fleets].UniqueName, Network: sid("HW", 0), IsoCountry: "FR", Hour: hour,
				Upload: int64(1000 + i%500), Download: int64(20_000 + (i*h)%7000), Billed: billed, Currency: "USD"})
		}
	}
	return a
}

// limitsBenchSIMs is the benchmark's account size: 10,000 SIMs by
// default, or LIMITS_BENCH_SIMS.
func limitsBenchSIMs(b *testing.B) int {
	n := 10_000
	if v := os.Getenv("LIMITS_BENCH_SIMS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			b.Fatalf("LIMITS_BENCH_SIMS=%q: want a number of SIMs, 10 or more", v)
		}
	}
	return n
}

// BenchmarkLimits runs "supersim limits" against the fake API at 50 ms a
// request, 8 in flight (the watch's default), on 10,000 SIMs in 10 fleets
// with three days of hourly usage: a first run with an empty billing-period
// cache, then a second with the cache it left. The command runs in a
// process of its own (the test binary as the command), so that its heap
// is its own, not the fake API's. It reports each run's requests, its
// pages of usage, Sims and Fleets, its wall time against the ideal
// (requests × 50 ms / 8), the command's peak heap (the largest heap the Go
// runtime's GC trace reports) and the most requests the fake API had in
// flight at once (two fleets' usage walks run side by side, sharing the
// 8). Targets: first run ≤
// SIMs + 2 × pages requests, second ≤ pages + 10, the first's wall ≤ 1.3 ×
// ideal, heap ≤ 64 MiB. LIMITS_BENCH_SIMS sets another number of SIMs.
//
//	go test -run '^$' -bench Limits -benchtime 1x ./cmd/supersim/
func BenchmarkLimits(b *testing.B) {
	const latency, inFlight = 50 * time.Millisecond, 8
	sims := limitsBenchSIMs(b)
	// The command reads the time itself: the account is made for now.
	srv := supersimtest.NewServer(supersimtest.WithAccount(limitsAccount(sims, 10, 3, time.Now().UTC())))
	b.Cleanup(srv.Close)
	srv.SetLatency(latency)
	for b.Loop() {
		dir := b.TempDir()
		var heap float64
		for run, name := range []string{"first", "second"} {
			before := len(srv.Requests())
			cmd := exec.Command(os.Args[0], "limits", "-base-url", srv.URL, "-cache", dir, "-format", "csv", "-threshold", "1000")
			cmd.Env = append(twilioEnv(), asCommand+"=1", "GODEBUG=gctrace=1")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			began := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("%s run: %v\n%s", name, err, stderr.String())
			}
			wall := time.Since(began)
			requests, pages := 0, 0
			for _, r := range srv.Requests()[before:] {
				requests++
				if p := r.Path; p == "/v1/UsageRecords" || p == "/v1/Sims" || p == "/v1/Fleets" {
					pages++
				}
			}
			ideal := time.Duration(requests) * latency / inFlight
			b.ReportMetric(float64(requests), name+"-requests")
			b.ReportMetric(float64(pages), name+"-pages")
			b.ReportMetric(wall.Seconds(), name+"-wall-s")
			b.ReportMetric(ideal.Seconds(), name+"-ideal-s")
			b.ReportMetric(wall.Seconds()/ideal.Seconds(), name+"-wall/ideal")
			heap = max(heap, gcPeakMiB(stderr.String()))
			b.Logf("%s run: %d requests (%d pages of usage, Sims and Fleets), %.1f s, ideal %.1f s (%.2f×), heap so far %.0f MiB, peak in flight so far %d",
				name, requests, pages, wall.Seconds(), ideal.Seconds(), wall.Seconds()/ideal.Seconds(), heap, srv.Stats().PeakInFlight)
			limit := sims + 2*pages
			if run == 1 {
				limit = pages + 10
			}
			if requests > limit {
				b.Errorf("%s run: %d requests, over the %d of the target", name, requests, limit)
			}
			if run == 0 && wall > ideal*13/10 {
				b.Errorf("%s run: %v, over 1.3 × the ideal %v", name, wall, ideal)
			}
		}
		b.ReportMetric(heap, "heap-MiB")
		b.ReportMetric(float64(srv.Stats().PeakInFlight), "peak-in-flight")
		if heap > 64 {
			b.Errorf("the command's heap peaked at %.0f MiB, over 64 MiB", heap)
		}
	}
	b.ReportMetric(float64(sims), "SIMs")
}

// gcTrace finds the heap sizes in a line of GODEBUG=gctrace=1: at the
// start of a GC, at its end, and live after it.
var gcTrace = regexp.MustCompile(`(\d+)->(\d+)->(\d+) MB`)

// gcPeakMiB is the largest heap a GC trace reports (at the start or the
// end of a GC), in MiB.
func gcPeakMiB(trace string) float64 {
	peak := 0
	for _, m := range gcTrace.FindAllStringSubmatch(trace, -1) {
		for _, v := range m[1:3] {
			n, _ := strconv.Atoi(v)
			peak = max(peak, n)
		}
	}
	return float64(peak)
}
