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

// baselineWalk follows next_page_url with plain net/http and encoding/json.
func baselineWalk(b *testing.B, hc *http.Client, url string) (records int, bytes int64) {
	for url != "" {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth(testAccountSID, testAuthToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page struct {
			UsageRecords []baselineRecord `json:"usage_records"`
			Meta         struct {
				NextPageURL string `json:"next_page_url"`
			} `json:"meta"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range page.UsageRecords {
			records++
			bytes += r.DataTotal
		}
		url = page.Meta.NextPageURL
	}
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
