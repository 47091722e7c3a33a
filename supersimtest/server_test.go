package supersimtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
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

// get sends a raw request and decodes the JSON answer.
func get(t *testing.T, srv *supersimtest.Server, pathAndQuery string, user, pass string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+pathAndQuery, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
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
	status, body := get(t, srv, "/v1/Sims", supersimtest.AccountSID, supersimtest.AuthToken)
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
	period := func(r map[string]any) string {
		p := r["period"].(map[string]any)
		return p["start_time"].(string) + "/" + p["end_time"].(string)
	}
	_, body := list(t, srv, rangeQuery+"&Granularity=day")
	recs := records(body)
	require.Len(t, recs, 2)
	assert.Equal(t, "2026-06-01T00:00:00Z/2026-06-02T00:00:00Z", period(recs[0]))
	assert.Equal(t, float64(1100+2200+4400), recs[0]["data_total"])
	assert.Equal(t, "2026-06-02T00:00:00Z/2026-06-03T00:00:00Z", period(recs[1]))

	_, body = list(t, srv, rangeQuery+"&Granularity=hour")
	recs = records(body)
	require.Len(t, recs, 4, "empty hours are left out")
	assert.Equal(t, "2026-06-01T01:00:00Z/2026-06-01T02:00:00Z", period(recs[0]))
	assert.Equal(t, float64(1100+4400), recs[0]["data_total"])

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

func TestFaultInjection(t *testing.T) {
	srv := newServer(t)
	client, err := srv.Client(supersim.WithRetryWait(time.Millisecond, 2*time.Millisecond), supersim.WithMaxRetries(5))
	require.NoError(t, err)
	srv.InjectFaults(1, supersimtest.Fault{Status: 503, RetryAfter: "0"})
	srv.InjectFaults(1, supersimtest.Fault{Drop: true})
	srv.InjectFaults(1, supersimtest.Fault{Truncate: true})
	srv.InjectFaults(1, supersimtest.Fault{Status: 429, Body: "slow down", Latency: 20 * time.Millisecond})
	recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		StartTime: day1, EndTime: day1.AddDate(0, 0, 2), Granularity: supersim.GranularityHour,
	}).Collect()
	require.NoError(t, err)
	assert.Len(t, recs, 4)
	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	statuses := []int{}
	for _, r := range reqs {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{503, 0, 200, 429, 200}, statuses)
	assert.Equal(t, []bool{true, true, true, true, false}, []bool{reqs[0].Fault, reqs[1].Fault, reqs[2].Fault, reqs[3].Fault, reqs[4].Fault})
}

func TestStallEndsWithTheClientsContext(t *testing.T) {
	srv := newServer(t)
	client, err := srv.Client(supersim.WithMaxRetries(0))
	require.NoError(t, err)
	srv.InjectFaults(1, supersimtest.Fault{Stall: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = client.ListUsageRecords(ctx, &supersim.ListUsageRecordsOptions{StartTime: day1, EndTime: day2}).Collect()
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLatencyEndsWithTheClientsContext(t *testing.T) {
	srv := newServer(t)
	srv.SetLatency(time.Hour)
	client, err := srv.Client(supersim.WithMaxRetries(0))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = client.ListUsageRecords(ctx, nil).Collect()
	require.ErrorIs(t, err, context.DeadlineExceeded)
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

func TestMixedCurrenciesPanic(t *testing.T) {
	mixed := []supersimtest.Sample{{Currency: "USD"}, {Currency: "EUR"}}
	assert.PanicsWithValue(t, `supersimtest: samples mix currencies "USD" and "EUR"`, func() {
		supersimtest.NewServer(supersimtest.WithSamples(mixed))
	})
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
