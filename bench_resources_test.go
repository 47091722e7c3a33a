package supersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
)

// simPages serves pages pages of perPage Sims, pre-rendered as Twilio sends
// them, from loopback.
func simPages(b *testing.B, pages, perPage int) *httptest.Server {
	b.Helper()
	bodies := make([][]byte, pages)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(bodies[page])
	}))
	b.Cleanup(srv.Close)
	created := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	statuses := []string{"new", "ready", "active", "inactive", "scheduled"}
	for p := range bodies {
		sims := make([]map[string]any, perPage)
		for i := range sims {
			n := p*perPage + i
			sid := fmt.Sprintf("HS%032x", n)
			sims[i] = map[string]any{
				"sid": sid, "unique_name": fmt.Sprintf("tracker-%d", n), "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				"iccid": fmt.Sprintf("8988307%013d", n), "status": statuses[n%len(statuses)],
				"fleet_sid": fmt.Sprintf("HF%032x", n%10), "date_created": created.Add(time.Duration(n) * time.Minute).Format(time.RFC3339),
				"date_updated": created.Add(time.Duration(n) * time.Hour).Format(time.RFC3339),
				"url":          "https://supersim.twilio.com/v1/Sims/" + sid,
				"links":        map[string]string{"billing_periods": "https://supersim.twilio.com/v1/Sims/" + sid + "/BillingPeriods"},
			}
		}
		next := any(nil)
		if p+1 < pages {
			next = fmt.Sprintf("%s/v1/Sims?PageSize=%d&Page=%d&PageToken=PT%d", srv.URL, perPage, p+1, p+1)
		}
		body, err := json.Marshal(map[string]any{"sims": sims,
			"meta": map[string]any{"page": p, "page_size": perPage, "key": "sims", "next_page_url": next,
				"url": srv.URL + "/v1/Sims", "first_page_url": srv.URL + "/v1/Sims", "previous_page_url": nil}})
		if err != nil {
			b.Fatal(err)
		}
		bodies[p] = body
	}
	return srv
}

// baselineSim is what a hand-written client would decode a Sim into.
type baselineSim struct {
	SID         string    `json:"sid"`
	UniqueName  string    `json:"unique_name"`
	AccountSID  string    `json:"account_sid"`
	ICCID       string    `json:"iccid"`
	Status      string    `json:"status"`
	FleetSID    string    `json:"fleet_sid"`
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
	URL         string    `json:"url"`
}

// BenchmarkSimsWalkVersusBaseline walks 100 pages of 1000 Sims with the SDK
// (decoded by json tags) and with plain net/http + encoding/json,
// alternating, and reports both per Sim and their ratios (SDK / baseline).
func BenchmarkSimsWalkVersusBaseline(b *testing.B) {
	const pages, perPage = 100, 1000
	srv := simPages(b, pages, perPage)
	client, err := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(testAccountSID, testAuthToken))
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.Cleanup(hc.CloseIdleConnections)

	baseline := func() (n int, check int64) {
		type simsPage struct {
			Sims []baselineSim `json:"sims"`
			Meta baselineMeta  `json:"meta"`
		}
		baselinePages(b, hc, srv.URL+"/v1/Sims?PageSize=1000", func(page *simsPage) string {
			for _, s := range page.Sims {
				n++
				check += int64(len(s.ICCID)+len(s.Status)) + s.DateUpdated.Unix()
			}
			return page.Meta.NextPageURL
		})
		return n, check
	}
	sdk := func() (n int, check int64) {
		opts := &supersim.ListSimsOptions{}
		opts.PageSize = perPage
		it := client.ListSims(context.Background(), opts)
		for it.Next() {
			s := it.Value()
			n++
			check += int64(len(s.ICCID)+len(s.Status)) + s.DateUpdated.Unix()
		}
		if err := it.Err(); err != nil {
			b.Fatal(err)
		}
		return n, check
	}

	var sdkTime, baseTime time.Duration
	var sdkAllocs, baseAllocs uint64
	b.ResetTimer()
	for range b.N {
		var sdkN, baseN int
		var sdkCheck, baseCheck int64
		d, a := measure(func() { baseN, baseCheck = baseline() })
		baseTime, baseAllocs = baseTime+d, baseAllocs+a
		d, a = measure(func() { sdkN, sdkCheck = sdk() })
		sdkTime, sdkAllocs = sdkTime+d, sdkAllocs+a
		if sdkN != pages*perPage || sdkN != baseN || sdkCheck != baseCheck {
			b.Fatalf("walks differ: sdk %d Sims (check %d), baseline %d (check %d)", sdkN, sdkCheck, baseN, baseCheck)
		}
	}
	sims := float64(b.N * pages * perPage)
	b.ReportMetric(float64(sdkTime.Nanoseconds())/sims, "sdk-ns/sim")
	b.ReportMetric(float64(baseTime.Nanoseconds())/sims, "base-ns/sim")
	b.ReportMetric(float64(sdkTime)/float64(baseTime), "ns-ratio")
	b.ReportMetric(float64(sdkAllocs)/sims, "sdk-allocs/sim")
	b.ReportMetric(float64(baseAllocs)/sims, "base-allocs/sim")
}
