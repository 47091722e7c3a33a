package supersimtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	now     = time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)
	simA    = "HS" + strings.Repeat("a", 32)
	simB    = "HS" + strings.Repeat("b", 32)
	fleetX  = "HF" + strings.Repeat("1", 32)
	fleetY  = "HF" + strings.Repeat("2", 32)
	netFR   = "HW" + strings.Repeat("f", 32)
	netDE   = "HW" + strings.Repeat("d", 32)
	day1    = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day2    = day1.AddDate(0, 0, 1)
	samples = []supersimtest.Sample{
		{Sim: simA, SimName: "my.sim.1", Fleet: fleetX, FleetName: "fleet x", Network: netFR, IsoCountry: "FR", Hour: day1.Add(1 * time.Hour), Upload: 100, Download: 1000, Billed: supersim.MustParseDecimal("0.01"), Currency: "USD"},
		{Sim: simA, SimName: "my.sim.1", Fleet: fleetX, FleetName: "fleet x", Network: netFR, IsoCountry: "FR", Hour: day1.Add(2 * time.Hour), Upload: 200, Download: 2000, Billed: supersim.MustParseDecimal("0.02"), Currency: "USD"},
		{Sim: simA, SimName: "my.sim.1", Fleet: fleetX, FleetName: "fleet x", Network: netDE, IsoCountry: "DE", Hour: day2.Add(1 * time.Hour), Upload: 300, Download: 3000, Billed: supersim.MustParseDecimal("0.03"), Currency: "USD"},
		{Sim: simB, SimName: "sim b", Fleet: fleetY, FleetName: "fleet y", Network: netDE, IsoCountry: "DE", Hour: day1.Add(1 * time.Hour), Upload: 400, Download: 4000, Billed: supersim.MustParseDecimal("0.04"), Currency: "USD"},
		{Sim: simB, SimName: "sim b", Fleet: fleetY, FleetName: "fleet y", Network: netDE, IsoCountry: "DE", Hour: day2.Add(5 * time.Hour), Upload: 500, Download: 5000, Billed: supersim.MustParseDecimal("0.005"), Currency: "USD"},
	}
	rangeQuery = "StartTime=2026-06-01T00:00:00Z&EndTime=2026-06-03T00:00:00Z"
)

func newServer(t *testing.T, opts ...supersimtest.Option) *supersimtest.Server {
	t.Helper()
	srv := supersimtest.NewServer(append([]supersimtest.Option{
		supersimtest.WithSamples(samples), supersimtest.WithClock(func() time.Time { return now }),
	}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// fetch sends a raw request and reads the whole answer; an answer cut
// short gives the bytes that came and the read error.
func fetch(t *testing.T, srv *supersimtest.Server, pathAndQuery string, user, pass string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+pathAndQuery, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

// get sends a raw request and decodes the JSON answer.
func get(t *testing.T, srv *supersimtest.Server, pathAndQuery string, user, pass string) (int, map[string]any) {
	t.Helper()
	resp, raw, err := fetch(t, srv, pathAndQuery, user, pass)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
	return resp.StatusCode, body
}

func list(t *testing.T, srv *supersimtest.Server, query string) (int, map[string]any) {
	t.Helper()
	return get(t, srv, "/v1/UsageRecords?"+query, supersimtest.AccountSID, supersimtest.AuthToken)
}

func records(body map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range body["usage_records"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestAuthentication(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		user, pass string
		status     int
		kind       supersimtest.AuthKind
	}{
		{"", "", 401, supersimtest.AuthNone},
		{supersimtest.AccountSID, "wrong", 401, supersimtest.AuthInvalid},
		{supersimtest.APIKey, supersimtest.AuthToken, 401, supersimtest.AuthInvalid},
		{supersimtest.AccountSID, supersimtest.AuthToken, 200, supersimtest.AuthAccount},
		{supersimtest.APIKey, supersimtest.APISecret, 200, supersimtest.AuthAPIKey},
	}
	for i, tt := range tests {
		status, body := get(t, srv, "/v1/UsageRecords", tt.user, tt.pass)
		assert.Equal(t, tt.status, status)
		if status == 401 {
			assert.Equal(t, float64(20003), body["code"])
		}
		reqs := srv.Requests()
		require.Len(t, reqs, i+1)
		assert.Equal(t, tt.kind, reqs[i].Auth)
		assert.Equal(t, tt.status, reqs[i].Status)
	}
}

func TestUnknownPath(t *testing.T) {
	srv := newServer(t)
	status, body := get(t, srv, "/v1/SmsCommands", supersimtest.AccountSID, supersimtest.AuthToken)
	assert.Equal(t, 404, status)
	assert.Equal(t, float64(20404), body["code"])
	assert.Equal(t, "https://www.twilio.com/docs/errors/20404", body["more_info"])
}

func TestFilters(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		filter          string
		upload          float64
		sim, fleet, net any
		country         any
	}{
		{"", 1500, nil, nil, nil, nil},
		{"Sim=" + simA, 600, simA, nil, nil, nil},
		{"Sim=my.sim.1", 600, simA, nil, nil, nil},
		{"Sim=nobody", 0, nil, nil, nil, nil},
		{"Fleet=" + fleetY, 900, nil, fleetY, nil, nil},
		{"Fleet=fleet+x", 600, nil, fleetX, nil, nil},
		{"Network=" + netDE, 1200, nil, nil, netDE, nil},
		{"IsoCountry=fr", 300, nil, nil, nil, "FR"},
		{"IsoCountry=DE&Sim=my.sim.1", 300, simA, nil, nil, "DE"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			status, body := list(t, srv, rangeQuery+"&"+tt.filter)
			require.Equal(t, 200, status, body)
			recs := records(body)
			if tt.upload == 0 {
				assert.Empty(t, recs)
				return
			}
			require.Len(t, recs, 1)
			assert.Equal(t, tt.upload, recs[0]["data_upload"])
			assert.Equal(t, tt.sim, recs[0]["sim_sid"])
			assert.Equal(t, tt.fleet, recs[0]["fleet_sid"])
			assert.Equal(t, tt.net, recs[0]["network_sid"])
			assert.Equal(t, tt.country, recs[0]["iso_country"])
		})
	}
}

func TestGroupingSetsOnlyTheGroupedDimension(t *testing.T) {
	srv := newServer(t)
	status, body := list(t, srv, rangeQuery+"&Group=network")
	require.Equal(t, 200, status)
	recs := records(body)
	require.Len(t, recs, 2)
	for _, r := range recs {
		assert.Nil(t, r["sim_sid"])
		assert.Nil(t, r["fleet_sid"])
		assert.Nil(t, r["iso_country"])
	}
	byNet := map[any]float64{recs[0]["network_sid"]: recs[0]["data_total"].(float64), recs[1]["network_sid"]: recs[1]["data_total"].(float64)}
	assert.Equal(t, map[any]float64{netFR: 3300, netDE: 13200}, byNet)
	assert.Equal(t, netDE, recs[0]["network_sid"], "ordered by the grouped dimension")
	assert.Equal(t, "0.075", recs[0]["data_total_billed"], "amounts are JSON strings, summed exactly")
	assert.Equal(t, "0.03", recs[1]["data_total_billed"])
}

func TestGranularityBuckets(t *testing.T) {
	srv := newServer(t)
	_, body := list(t, srv, rangeQuery+"&Granularity=day")
	recs := records(body)
	require.Len(t, recs, 2)
	assert.Equal(t, "2026-06-02T00:00:00Z/2026-06-03T00:00:00Z", period(recs[0]), "newest first")
	assert.Equal(t, float64(3300+5500), recs[0]["data_total"])
	assert.Equal(t, "2026-06-01T00:00:00Z/2026-06-02T00:00:00Z", period(recs[1]))
	assert.Equal(t, float64(1100+2200+4400), recs[1]["data_total"])

	_, body = list(t, srv, rangeQuery+"&Granularity=hour")
	recs = records(body)
	require.Len(t, recs, 4, "empty hours are left out")
	assert.Equal(t, "2026-06-02T05:00:00Z/2026-06-02T06:00:00Z", period(recs[0]), "newest first")
	assert.Equal(t, "2026-06-01T01:00:00Z/2026-06-01T02:00:00Z", period(recs[3]))
	assert.Equal(t, float64(1100+4400), recs[3]["data_total"])

	_, body = list(t, srv, rangeQuery+"&Granularity=all")
	recs = records(body)
	require.Len(t, recs, 1)
	assert.Equal(t, "2026-06-01T00:00:00Z/2026-06-03T00:00:00Z", period(recs[0]))
	assert.Equal(t, "0.105", recs[0]["data_total_billed"])
	assert.Equal(t, "USD", recs[0]["billed_unit"])

	_, body = list(t, srv, "StartTime=2026-06-01T01:00:00Z&EndTime=2026-06-01T02:00:00Z")
	recs = records(body)
	require.Len(t, recs, 1)
	assert.Equal(t, float64(500), recs[0]["data_upload"], "StartTime inclusive, EndTime exclusive")
}

func period(r map[string]any) string {
	p := r["period"].(map[string]any)
	return p["start_time"].(string) + "/" + p["end_time"].(string)
}

// TestOrderLikeTwilioExamples checks the order of Twilio's examples
// (readAllDay, readDayGroupBySim, ...): newest bucket first, and within a
// bucket by the grouped value, ascending.
func TestOrderLikeTwilioExamples(t *testing.T) {
	srv := newServer(t)
	_, body := list(t, srv, rangeQuery+"&Granularity=day&Group=sim")
	var got []string
	for _, r := range records(body) {
		got = append(got, period(r)[:10]+" "+r["sim_sid"].(string))
	}
	assert.Equal(t, []string{"2026-06-02 " + simA, "2026-06-02 " + simB, "2026-06-01 " + simA, "2026-06-01 " + simB}, got)
}

func TestDefaultRange(t *testing.T) {
	edge := []supersimtest.Sample{
		{Sim: simA, Hour: now.AddDate(0, -1, 0).Truncate(time.Hour).Add(-time.Hour), Upload: 1, Currency: "USD"}, // before the default start
		{Sim: simA, Hour: now.AddDate(0, -1, 0).Truncate(time.Hour).Add(time.Hour), Upload: 2, Currency: "USD"},  // inside
		{Sim: simA, Hour: now.Truncate(time.Hour), Upload: 4, Currency: "USD"},                                   // inside: 12:00 < 12:30
		{Sim: simA, Hour: now.Add(time.Hour), Upload: 8, Currency: "USD"},                                        // after the default end
	}
	srv := newServer(t, supersimtest.WithSamples(edge))
	_, body := list(t, srv, "")
	recs := records(body)
	require.Len(t, recs, 1)
	assert.Equal(t, float64(6), recs[0]["data_upload"])
	p := recs[0]["period"].(map[string]any)
	assert.Equal(t, "2026-05-15T12:30:00Z", p["start_time"])
	assert.Equal(t, "2026-06-15T12:30:00Z", p["end_time"])

	// Defaulted times need not be on a bucket boundary: the buckets at the
	// edges are cut to the range, never labelled with time outside it.
	_, body = list(t, srv, "Granularity=day")
	recs = records(body)
	require.Len(t, recs, 2)
	assert.Equal(t, "2026-06-15T00:00:00Z/2026-06-15T12:30:00Z", period(recs[0]))
	assert.Equal(t, "2026-05-15T12:30:00Z/2026-05-16T00:00:00Z", period(recs[1]))
	_, body = list(t, srv, "Granularity=hour&StartTime=2026-06-15T00:00:00Z")
	recs = records(body)
	require.Len(t, recs, 1)
	assert.Equal(t, "2026-06-15T12:00:00Z/2026-06-15T12:30:00Z", period(recs[0]))
}

func TestPagingLikeTwilio(t *testing.T) {
	srv := newServer(t)
	status, body := list(t, srv, rangeQuery+"&Granularity=hour&Sim=my.sim.1&PageSize=2")
	require.Equal(t, 200, status)
	meta := body["meta"].(map[string]any)
	assert.Equal(t, float64(0), meta["page"])
	assert.Equal(t, float64(2), meta["page_size"])
	assert.Equal(t, "usage_records", meta["key"])
	assert.Nil(t, meta["previous_page_url"])
	next, err := url.Parse(meta["next_page_url"].(string))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/v1/UsageRecords", next.Scheme+"://"+next.Host+next.Path, "absolute, on the server's own host")
	q := next.Query()
	assert.Equal(t, "my.sim.1", q.Get("Sim"))
	assert.Equal(t, "hour", q.Get("Granularity"))
	assert.Equal(t, "2026-06-01T00:00:00Z", q.Get("StartTime"))
	assert.Equal(t, "2", q.Get("PageSize"))
	assert.Equal(t, "1", q.Get("Page"))
	assert.NotEmpty(t, q.Get("PageToken"))

	status, body = get(t, srv, strings.TrimPrefix(next.String(), srv.URL), supersimtest.AccountSID, supersimtest.AuthToken)
	require.Equal(t, 200, status)
	assert.Len(t, records(body), 1)
	meta = body["meta"].(map[string]any)
	assert.Nil(t, meta["next_page_url"])
	assert.NotNil(t, meta["previous_page_url"])

	// A token is only good for its own query and page.
	q.Set("Page", "2")
	status, body = list(t, srv, q.Encode())
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(21481), body["code"])
	q.Set("Page", "1")
	q.Set("Sim", simB)
	status, body = list(t, srv, q.Encode())
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(21481), body["code"])

	status, body = list(t, srv, "Page=3")
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(70002), body["code"])

	_, body = list(t, srv, rangeQuery+"&Granularity=hour")
	assert.Equal(t, float64(50), body["meta"].(map[string]any)["page_size"], "default page size")
}

func TestParameterErrors(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		query string
		code  float64
	}{
		{"Network=HWnope", 83600},
		{"IsoCountry=FRA", 83600},
		{"Group=planet", 83600},
		{"Granularity=week", 83600},
		{"PageSize=0", 83600},
		{"PageSize=1001", 83600},
		{"PageSize=ten", 83600},
		{"StartTime=yesterday", 83600},
		{"StartTime=2026-06-02T00:00:00Z&EndTime=2026-06-01T00:00:00Z", 83600},
		{"Group=sim&StartTime=2026-05-01T00:00:00Z&EndTime=2026-06-02T00:00:00Z", 83603},
		{"Granularity=hour&StartTime=2026-05-01T00:00:00Z&EndTime=2026-06-02T00:00:00Z", 83604},
		{"Granularity=day&StartTime=2026-02-01T00:00:00Z&EndTime=2026-05-02T00:00:00Z", 83604},
		{"Granularity=all&StartTime=2025-01-01T00:00:00Z&EndTime=2026-07-02T00:00:00Z", 83604},
		{"StartTime=2024-12-01T00:00:00Z&EndTime=2025-01-01T00:00:00Z", 83605},
		{"Granularity=day&StartTime=2026-06-01T01:00:00Z&EndTime=2026-06-03T00:00:00Z", 83601},
		{"Granularity=day&StartTime=2026-06-01T00:00:00Z&EndTime=2026-06-02T12:00:00Z", 83601},
		{"Granularity=day&StartTime=2026-06-01T00:00:00%2B02:00&EndTime=2026-06-03T00:00:00Z", 83601},
		{"Granularity=hour&StartTime=2026-06-01T00:30:00Z&EndTime=2026-06-02T00:00:00Z", 83602},
		{"Granularity=hour&StartTime=2026-06-01T00:00:00Z&EndTime=2026-06-02T00:00:00.5Z", 83602},
	}
	for _, tt := range tests {
		status, body := list(t, srv, tt.query)
		assert.Equal(t, 400, status, tt.query)
		assert.Equal(t, tt.code, body["code"], tt.query)
		assert.NotEmpty(t, body["message"], tt.query)
	}
	for _, ok := range []string{
		"Group=sim&StartTime=2026-05-01T00:00:00Z&EndTime=2026-06-01T00:00:00Z",
		"Granularity=day&StartTime=2026-02-01T00:00:00Z&EndTime=2026-05-01T00:00:00Z",
		"Granularity=all&StartTime=2025-01-01T00:00:00Z&EndTime=2026-06-01T00:00:00Z",
		"Granularity=all&StartTime=2026-06-01T00:30:00Z&EndTime=2026-06-02T00:00:00.5Z",
		"Granularity=day&StartTime=2026-06-01T02:00:00%2B02:00&EndTime=2026-06-03T00:00:00Z",
		"Granularity=hour&StartTime=2026-06-01T01:00:00Z&EndTime=2026-06-02T05:00:00Z",
	} {
		status, _ := list(t, srv, ok)
		assert.Equal(t, 200, status, ok)
	}
}

func TestBilledAsNumber(t *testing.T) {
	srv := newServer(t, supersimtest.WithBilledAsNumber())
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/UsageRecords?"+rangeQuery, nil)
	req.SetBasicAuth(supersimtest.AccountSID, supersimtest.AuthToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"data_total_billed":0.105`)
	http.DefaultClient.CloseIdleConnections()
}

func TestTLS(t *testing.T) {
	srv := newServer(t, supersimtest.WithTLS())
	require.True(t, strings.HasPrefix(srv.URL, "https://"))
	client, err := srv.Client()
	require.NoError(t, err)
	recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{StartTime: day1, EndTime: day2, PageSize: 1, Granularity: supersim.GranularityHour}).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 2)
	assert.Len(t, srv.Requests(), 2, "one record a page")
	for _, r := range srv.Requests() {
		assert.Equal(t, supersimtest.AuthAccount, r.Auth)
	}
}

func TestDemoDatasetIsDeterministic(t *testing.T) {
	a := supersimtest.DemoDataset(7, now)
	b := supersimtest.DemoDataset(7, now)
	c := supersimtest.DemoDataset(8, now)
	require.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	sims, fleets, networks, countries := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	first, last := a[0].Hour, a[0].Hour
	for _, s := range a {
		sims[s.Sim], fleets[s.Fleet], networks[s.Network], countries[s.IsoCountry] = true, true, true, true
		first, last = minTime(first, s.Hour), maxTime(last, s.Hour)
	}
	assert.Len(t, sims, supersimtest.DemoSIMs)
	assert.Len(t, fleets, supersimtest.DemoFleets)
	assert.Len(t, networks, supersimtest.DemoNetworks)
	assert.Len(t, countries, 5)
	assert.GreaterOrEqual(t, last.Sub(first), 35*24*time.Hour)
	assert.True(t, last.Before(now))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestWithSamplesNilServesNothing(t *testing.T) {
	t.Parallel()
	for name, none := range map[string][]supersimtest.Sample{"nil": nil, "empty": {}} {
		srv := newServer(t, supersimtest.WithSamples(none))
		assert.Empty(t, srv.Samples(), name)
		status, body := list(t, srv, "")
		require.Equal(t, 200, status, name)
		assert.Empty(t, records(body), name)
		assert.Zero(t, srv.Totals(supersimtest.Filter{Start: day1, End: now}).Records, name)
	}
	demo := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return now }))
	defer demo.Close()
	assert.NotEmpty(t, demo.Samples(), "without WithSamples: the demo dataset")
}

// TestDefaultedEndTimeIsFixedForTheWalk walks with no EndTime while the
// server's clock runs an hour a request: every page must see the "now" of
// the first.
func TestDefaultedEndTimeIsFixedForTheWalk(t *testing.T) {
	t.Parallel()
	first := now.Truncate(time.Hour)
	var hourly []supersimtest.Sample
	for h := -10; h < 10; h++ {
		hourly = append(hourly, supersimtest.Sample{Sim: simA, Hour: first.Add(time.Duration(h) * time.Hour), Upload: int64(h + 100), Currency: "USD"})
	}
	var mu sync.Mutex
	clock := now
	srv := newServer(t, supersimtest.WithSamples(hourly), supersimtest.WithClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Hour)
		return clock.Add(-time.Hour)
	}))
	client, err := srv.Client()
	require.NoError(t, err)
	recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Granularity: supersim.GranularityHour, StartTime: first.Add(-10 * time.Hour), PageSize: 3}).Collect()
	require.NoError(t, err)
	require.Len(t, srv.Requests(), 4, "11 records, 3 a page")
	require.Len(t, recs, 11, "the hours before the first page's now (12:30), each once")
	for i, r := range recs {
		assert.Equal(t, first.Add(-time.Duration(i)*time.Hour), r.Period.StartTime, "record %d", i)
	}
	assert.Equal(t, now, recs[0].Period.EndTime, "the newest bucket ends at the first page's now")

	// The token carries that EndTime for its own query only.
	_, body := list(t, srv, "Granularity=hour&PageSize=3&StartTime="+first.Add(-10*time.Hour).Format(time.RFC3339))
	next, err := url.Parse(body["meta"].(map[string]any)["next_page_url"].(string))
	require.NoError(t, err)
	q := next.Query()
	assert.Empty(t, q.Get("EndTime"), "the link does not name it")
	q.Set("EndTime", first.Format(time.RFC3339))
	status, body := list(t, srv, q.Encode())
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(21481), body["code"], "a token for a defaulted EndTime is not good for a given one")
}

func TestZeroFilterTotalsWhatAZeroOptionsWalkReads(t *testing.T) {
	t.Parallel()
	later := time.Date(2026, 7, 1, 18, 0, 0, 0, time.UTC) // the default month holds day2, not day1
	srv := newServer(t, supersimtest.WithClock(func() time.Time { return later }))
	client, err := srv.Client()
	require.NoError(t, err)
	var walked supersimtest.Totals
	for r, err := range client.ListUsageRecords(context.Background(), nil).All() {
		require.NoError(t, err)
		walked.AddRecord(r)
	}
	want := srv.Totals(supersimtest.Filter{})
	assert.Equal(t, 2, want.Records, "the samples of day2")
	assert.Equal(t, want.Total, walked.Total)
	assert.Equal(t, want.Upload, walked.Upload)
	assert.True(t, want.Billed.Equal(walked.Billed))
	assert.Equal(t, want, srv.Totals(supersimtest.Filter{Start: later.AddDate(0, -1, 0), End: later}))
}
