package supersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// benchPages serves pages pages of perPage records, pre-rendered as Twilio
// sends them (amounts as strings, absolute next_page_url), from loopback.
func benchPages(b *testing.B, pages, perPage int) *httptest.Server {
	b.Helper()
	bodies := make([][]byte, pages)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(bodies[page])
	}))
	b.Cleanup(srv.Close)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := range bodies {
		recs := make([]map[string]any, perPage)
		for i := range recs {
			n := p*perPage + i
			t0 := start.Add(time.Duration(n%744) * time.Hour)
			recs[i] = map[string]any{
				"account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				"sim_sid":     fmt.Sprintf("HS%032x", n), "network_sid": nil, "fleet_sid": nil, "iso_country": "FR",
				"period":      map[string]string{"start_time": t0.Format(time.RFC3339), "end_time": t0.Add(time.Hour).Format(time.RFC3339)},
				"data_upload": n * 1000, "data_download": n * 2000, "data_total": n * 3000,
				"data_total_billed": fmt.Sprintf("%d.%03d", n/1000, n%1000), "billed_unit": "USD",
			}
		}
		next := any(nil)
		if p+1 < pages {
			next = fmt.Sprintf("%s/v1/UsageRecords?Group=sim&PageSize=%d&Page=%d&PageToken=PT%d", srv.URL, perPage, p+1, p+1)
		}
		body, err := json.Marshal(map[string]any{
			"usage_records": recs,
			"meta": map[string]any{"page": p, "page_size": perPage, "key": "usage_records", "next_page_url": next,
				"url": srv.URL + "/v1/UsageRecords", "first_page_url": srv.URL + "/v1/UsageRecords", "previous_page_url": nil},
		})
		if err != nil {
			b.Fatal(err)
		}
		bodies[p] = body
	}
	return srv
}

// baselineRecord is what a hand-written client would decode into.
type baselineRecord struct {
	AccountSID string `json:"account_sid"`
	SimSID     string `json:"sim_sid"`
	NetworkSID string `json:"network_sid"`
	FleetSID   string `json:"fleet_sid"`
	IsoCountry string `json:"iso_country"`
	Period     struct {
		StartTime time.Time `json:"start_time"`
		EndTime   time.Time `json:"end_time"`
	} `json:"period"`
	DataUpload      int64  `json:"data_upload"`
	DataDownload    int64  `json:"data_download"`
	DataTotal       int64  `json:"data_total"`
	DataTotalBilled string `json:"data_total_billed"`
	BilledUnit      string `json:"billed_unit"`
}

// baselinePages follows next_page_url from url with plain net/http and
// encoding/json, as a hand-written client would: each page is decoded into
// a new P and handed to each, which returns its next_page_url.
func baselinePages[P any](b *testing.B, hc *http.Client, url string, each func(page *P) (next string)) {
	for url != "" {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth(testAccountSID, testAuthToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page P
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		url = each(&page)
	}
}

// baselineMeta is the part of a page's meta a hand-written client reads.
type baselineMeta struct {
	NextPageURL string `json:"next_page_url"`
}

// baselineWalk walks usage records with baselinePages.
func baselineWalk(b *testing.B, hc *http.Client, url string) (records int, bytes int64) {
	type usagePage struct {
		UsageRecords []baselineRecord `json:"usage_records"`
		Meta         baselineMeta     `json:"meta"`
	}
	baselinePages(b, hc, url, func(page *usagePage) string {
		for _, r := range page.UsageRecords {
			records++
			bytes += r.DataTotal
		}
		return page.Meta.NextPageURL
	})
	return records, bytes
}

// sdkWalk does the same walk through the SDK.
func sdkWalk(b *testing.B, client *supersim.Client, pageSize int) (records int, bytes int64) {
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, PageSize: pageSize})
	for it.Next() {
		records++
		bytes += it.Value().DataTotal
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
	return records, bytes
}

// measure runs walk and returns its duration and heap allocations.
func measure(walk func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	walk()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return elapsed, after.Mallocs - before.Mallocs
}

// BenchmarkWalkVersusBaseline walks 200 pages of 1000 records with the SDK
// and with plain net/http + encoding/json, alternating in each iteration,
// and reports both per record and their ratios (SDK / baseline).
func BenchmarkWalkVersusBaseline(b *testing.B) {
	const pages, perPage = 200, 1000
	srv := benchPages(b, pages, perPage)
	client, err := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(testAccountSID, testAuthToken))
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.Cleanup(hc.CloseIdleConnections)
	firstPage := srv.URL + "/v1/UsageRecords?Group=sim&PageSize=1000"

	var sdkTime, baseTime time.Duration
	var sdkAllocs, baseAllocs uint64
	b.ResetTimer()
	for range b.N {
		var sdkRecords, baseRecords int
		var sdkBytes, baseBytes int64
		d, a := measure(func() { baseRecords, baseBytes = baselineWalk(b, hc, firstPage) })
		baseTime, baseAllocs = baseTime+d, baseAllocs+a
		d, a = measure(func() { sdkRecords, sdkBytes = sdkWalk(b, client, perPage) })
		sdkTime, sdkAllocs = sdkTime+d, sdkAllocs+a
		if sdkRecords != pages*perPage || sdkRecords != baseRecords || sdkBytes != baseBytes {
			b.Fatalf("walks differ: sdk %d records %d bytes, baseline %d records %d bytes", sdkRecords, sdkBytes, baseRecords, baseBytes)
		}
	}
	records := float64(b.N * pages * perPage)
	b.ReportMetric(float64(sdkTime.Nanoseconds())/records, "sdk-ns/record")
	b.ReportMetric(float64(baseTime.Nanoseconds())/records, "base-ns/record")
	b.ReportMetric(float64(sdkTime)/float64(baseTime), "ns-ratio")
	b.ReportMetric(float64(sdkAllocs)/records, "sdk-allocs/record")
	b.ReportMetric(float64(baseAllocs)/records, "base-allocs/record")
	b.ReportMetric(float64(sdkAllocs)/float64(baseAllocs), "allocs-ratio")
}

// templatePages serves pages of perPage identical records, rendered from
// one template, after latency each: a cheap server for long or slow walks.
func templatePages(b *testing.B, pages, perPage int, latency time.Duration) *httptest.Server {
	b.Helper()
	rec, err := json.Marshal(map[string]any{
		"account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sim_sid": "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"network_sid": nil, "fleet_sid": nil, "iso_country": "FR",
		"period":      map[string]string{"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-01T01:00:00Z"},
		"data_upload": 123456, "data_download": 654321, "data_total": 777777, "data_total_billed": "0.0375", "billed_unit": "USD",
	})
	if err != nil {
		b.Fatal(err)
	}
	records := append([]byte(`{"usage_records":[`), rec...)
	for range perPage - 1 {
		records = append(append(records, ','), rec...)
	}
	records = append(records, `],"meta":`...)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		next := "null"
		if page+1 < pages {
			next = fmt.Sprintf(`"%s/v1/UsageRecords?PageSize=%d&Page=%d&PageToken=PT%d"`, srv.URL, perPage, page+1, page+1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(records)
		fmt.Fprintf(w, `{"page":%d,"page_size":%d,"key":"usage_records","next_page_url":%s}}`, page, perPage, next)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// peakLiveHeap walks records records in pages of 1000 and returns the
// largest live heap seen at a page end, after a collection.
func peakLiveHeap(b *testing.B, records int) uint64 {
	srv := templatePages(b, records/1000, 1000, 0)
	client, err := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(testAccountSID, testAuthToken))
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	var stats runtime.MemStats
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 1000})
	n := 0
	for it.Next() {
		if n++; it.AtPageEnd() {
			runtime.GC()
			runtime.ReadMemStats(&stats)
			peak = max(peak, stats.HeapAlloc)
		}
	}
	if err := it.Err(); err != nil || n != records {
		b.Fatalf("walked %d of %d records: %v", n, records, err)
	}
	return peak
}

// BenchmarkPeakHeap compares the peak live heap of a 1,000,000-record walk
// with that of a 10,000-record walk: memory must not grow with the walk.
func BenchmarkPeakHeap(b *testing.B) {
	var small, large uint64
	for range b.N {
		small = max(small, peakLiveHeap(b, 10_000))
		large = max(large, peakLiveHeap(b, 1_000_000))
	}
	b.ReportMetric(float64(small)/(1<<20), "MiB-10k")
	b.ReportMetric(float64(large)/(1<<20), "MiB-1M")
	b.ReportMetric(float64(large)/float64(small), "heap-ratio")
}

// BenchmarkOverlap walks 50 pages served with 20 ms latency by a consumer
// that spends 10 ms per page, with and without prefetch.
func BenchmarkOverlap(b *testing.B) {
	const pages, latency, work = 50, 20 * time.Millisecond, 10 * time.Millisecond
	srv := templatePages(b, pages, 100, latency)
	client, err := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(testAccountSID, testAuthToken))
	if err != nil {
		b.Fatal(err)
	}
	walk := func(noPrefetch bool) time.Duration {
		start := time.Now()
		it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 100, NoPrefetch: noPrefetch})
		n := 0
		for it.Next() {
			if n++; it.AtPageEnd() {
				time.Sleep(work) // the caller's work on the page
			}
		}
		if it.Err() != nil || n != pages*100 {
			b.Fatalf("walked %d records: %v", n, it.Err())
		}
		return time.Since(start)
	}
	var overlapped, plain time.Duration
	for range b.N {
		plain += walk(true)
		overlapped += walk(false)
	}
	b.ReportMetric(float64(plain.Milliseconds())/float64(b.N), "ms-sequential")
	b.ReportMetric(float64(overlapped.Milliseconds())/float64(b.N), "ms-overlapped")
	b.ReportMetric(float64(overlapped)/float64(plain), "time-ratio")
}

// BenchmarkWindowedExport walks 31 days of hourly usage grouped by SIM
// (the demo dataset's 100 SIMs) from the fake API at 20 ms per page, in one
// sequential walk and with Concurrency 8.
func BenchmarkWindowedExport(b *testing.B) {
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return demoNow }))
	b.Cleanup(srv.Close)
	srv.SetLatency(20 * time.Millisecond)
	client, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupSim,
		StartTime: start, EndTime: start.AddDate(0, 0, 31), PageSize: 1000}
	walk := func(concurrency int) (time.Duration, int64) {
		o := opts
		o.Concurrency = concurrency
		began := time.Now()
		var total int64
		for rec, err := range client.ListUsageRecords(context.Background(), &o).All() {
			if err != nil {
				b.Fatal(err)
			}
			total += rec.DataTotal
		}
		return time.Since(began), total
	}
	walk(0) // let the fake aggregate and cache its answers first
	walk(8)
	var sequential, parallel time.Duration
	for range b.N {
		d, want := walk(0)
		sequential += d
		d, got := walk(8)
		parallel += d
		if got != want {
			b.Fatalf("windowed walk summed %d bytes, sequential %d", got, want)
		}
	}
	b.ReportMetric(float64(sequential.Milliseconds())/float64(b.N), "ms-sequential")
	b.ReportMetric(float64(parallel.Milliseconds())/float64(b.N), "ms-concurrency8")
	b.ReportMetric(float64(sequential)/float64(parallel), "speedup")
}

// BenchmarkLimitedFleetExport exports a fleet's usage by SIM in pages of
// 1000, served at 40 ms a page by a server that runs at most L requests at
// once and refuses the rest at once with 429 / Twilio error 20429 (no
// Retry-After), with a new Client of default options and Concurrency N:
// issue 10's two cases (hourly), a fleet whose hours take 8 pages each, and
// issue 18's daily export whose days take 10 pages each.
// It reports the wall time over the ideal (pages × 40 ms / min(L, N)), the
// share of requests refused, the peak live heap (from a second walk that
// collects garbage every 8th page), and the share of the records delivered,
// each once and in the order of one walk (checked as they come).
func BenchmarkLimitedFleetExport(b *testing.B) {
	const latency, pageSize = 40 * time.Millisecond, 1000
	for _, bc := range []struct {
		name                           string
		sims, days, limit, concurrency int
		granularity                    supersim.Granularity
	}{
		{"2000sims-8days-L8-N8", 2000, 8, 8, 8, supersim.GranularityHour},
		{"200sims-62days-L2-N32", 200, 62, 2, 32, supersim.GranularityHour},
		{"8000sims-1day-L8-N8", 8000, 1, 8, 8, supersim.GranularityHour},           // 8 pages an hour
		{"10000sims-31days-daily-L8-N8", 10000, 31, 8, 8, supersim.GranularityDay}, // 10 pages a day bucket: as much as full speed holds
	} {
		b.Run(bc.name, func(b *testing.B) {
			start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			end := start.AddDate(0, 0, bc.days)
			cfg := fleetConfig{sims: bc.sims, from: start, to: end, latency: latency, maxInFlight: bc.limit}
			opts := supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, Granularity: bc.granularity,
				StartTime: start, EndTime: end, PageSize: pageSize, Concurrency: bc.concurrency}
			records := bc.sims * 24 * bc.days
			if bc.granularity == supersim.GranularityDay {
				records = bc.sims * bc.days
			}
			ideal := time.Duration((records+pageSize-1)/pageSize) * latency / time.Duration(min(bc.limit, bc.concurrency))
			want := newFleetAPI(b, cfg).totalBytes(start, end)
			var wall time.Duration
			var delivered, refused, requests int64
			var peak uint64
			for range b.N {
				f := newFleetAPI(b, cfg)
				began := time.Now()
				n, total := exportInOrder(b, f, opts, nil)
				wall += time.Since(began)
				if total != want {
					b.Fatalf("the walk summed %d bytes, the fleet %d", total, want)
				}
				delivered += int64(n)
				refused += f.refused.Load()
				requests += f.refused.Load() + f.served.Load()
				f.Close()

				f = newFleetAPI(b, cfg)
				pages := 0
				exportInOrder(b, f, opts, func() {
					if pages++; pages%8 == 0 {
						runtime.GC()
						var stats runtime.MemStats
						runtime.ReadMemStats(&stats)
						peak = max(peak, stats.HeapAlloc)
					}
				})
				f.Close()
			}
			b.ReportMetric(float64(wall)/float64(b.N)/float64(ideal), "wall/ideal")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms-wall")
			b.ReportMetric(float64(ideal.Milliseconds()), "ms-ideal")
			b.ReportMetric(float64(refused)/float64(requests), "refused-share")
			b.ReportMetric(float64(peak)/(1<<20), "MiB-peak-heap")
			b.ReportMetric(float64(delivered)/float64(b.N*records), "complete")
		})
	}
}

// exportInOrder walks opts from f with a new Client of default options,
// checks that the records come newest first, SIMs in order within an hour
// (so that none comes twice), and returns how many came and their bytes.
// atPageEnd, if not nil, runs at every page end.
func exportInOrder(b *testing.B, f *fleetAPI, opts supersim.ListUsageRecordsOptions, atPageEnd func()) (int, int64) {
	client, err := supersim.NewClient(supersim.WithBaseURL(f.URL), supersim.WithCredentials(fleetAccount, "fleet-token"))
	if err != nil {
		b.Fatal(err)
	}
	it := client.ListUsageRecords(context.Background(), &opts)
	defer it.Stop()
	var n int
	var total int64
	var last supersim.UsageRecord
	for it.Next() {
		rec := it.Value()
		if n > 0 && !rec.Period.StartTime.Before(last.Period.StartTime) &&
			!(rec.Period.StartTime.Equal(last.Period.StartTime) && rec.SimSID > last.SimSID) {
			b.Fatalf("record %d (%s, %s) came after (%s, %s)", n, rec.Period.StartTime, rec.SimSID, last.Period.StartTime, last.SimSID)
		}
		last = rec
		n++
		total += rec.DataTotal
		if atPageEnd != nil && it.AtPageEnd() {
			atPageEnd()
		}
	}
	if err := it.Err(); err != nil {
		b.Fatalf("after %d records: %v", n, err)
	}
	return n, total
}
