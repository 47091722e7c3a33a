package supersimtest_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

var (
	created = time.Date(2026, 3, 4, 14, 23, 17, 0, time.UTC)
	nap     = "HA" + strings.Repeat("3", 32)
	oddName = "tracker 7/eu?x"
	oddSim  = "HS" + strings.Repeat("c", 32)
	noFleet = "HS" + strings.Repeat("d", 32)
	account = supersimtest.Account{
		Fleets: []supersimtest.Fleet{
			{SID: fleetX, UniqueName: "fleet x", DataEnabled: true, DataLimit: 500, NetworkAccessProfileSID: nap, DateCreated: created, DateUpdated: created},
			{SID: fleetY, UniqueName: "fleet/y", DataLimit: 1000, SmsCommandsURL: "https://example.com/sms", SmsCommandsMethod: "GET", NetworkAccessProfileSID: "HA" + strings.Repeat("4", 32)},
		},
		Sims: []supersimtest.Sim{
			{SID: simA, UniqueName: "my.sim.1", ICCID: "89883070000123456789", Status: "active", FleetSID: fleetX, DateCreated: created, DateUpdated: created.Add(time.Hour)},
			{SID: simB, UniqueName: "sim b", ICCID: "8988307000012345678", Status: "ready", FleetSID: fleetY, DateCreated: created},
			{SID: oddSim, UniqueName: oddName, ICCID: "89883070000123456700", Status: "active", FleetSID: fleetX, DateCreated: created},
			{SID: noFleet, ICCID: "89883070000123456711", Status: "new", DateCreated: created},
		},
		Networks: []supersimtest.Network{
			{SID: netFR, FriendlyName: "Orange France", IsoCountry: "FR", Identifiers: []supersimtest.NetworkIdentifier{{MCC: "208", MNC: "01"}}},
			{SID: netDE, FriendlyName: "Telekom Deutschland", IsoCountry: "DE", Identifiers: []supersimtest.NetworkIdentifier{{MCC: "262", MNC: "01"}, {MCC: "262", MNC: "06"}}},
		},
		BillingPeriods: []supersimtest.BillingPeriod{
			{SID: "HB" + strings.Repeat("1", 32), SimSID: simA, StartTime: created, EndTime: created.AddDate(0, 1, 0), PeriodType: "ready", DateCreated: created.Add(time.Second), DateUpdated: created.Add(time.Second)},
			{SID: "HB" + strings.Repeat("2", 32), SimSID: simA, StartTime: created.AddDate(0, 1, 0), EndTime: created.AddDate(0, 2, 0), PeriodType: "active"},
			{SID: "HB" + strings.Repeat("3", 32), SimSID: oddSim, StartTime: created, EndTime: created.AddDate(0, 1, 0), PeriodType: "active"},
		},
		Samples: samples,
	}
)

func accountServer(t *testing.T, opts ...supersimtest.Option) *supersimtest.Server {
	t.Helper()
	return newServer(t, append([]supersimtest.Option{supersimtest.WithAccount(account)}, opts...)...)
}

// api sends a GET with the account's credentials and decodes the answer.
func api(t *testing.T, srv *supersimtest.Server, pathAndQuery string) (int, map[string]any) {
	t.Helper()
	return get(t, srv, pathAndQuery, supersimtest.AccountSID, supersimtest.AuthToken)
}

// items are a list page's items under key.
func items(t *testing.T, body map[string]any, key string) []map[string]any {
	t.Helper()
	require.Equal(t, key, body["meta"].(map[string]any)["key"])
	var out []map[string]any
	for _, item := range body[key].([]any) {
		out = append(out, item.(map[string]any))
	}
	return out
}

// sids are the sid members of items.
func sids(items []map[string]any) []string {
	var out []string
	for _, item := range items {
		out = append(out, item["sid"].(string))
	}
	return out
}

func TestResourcesAsTwilioSendsThem(t *testing.T) {
	t.Parallel()
	srv := accountServer(t)

	status, body := api(t, srv, "/v1/Sims")
	require.Equal(t, 200, status, body)
	sims := items(t, body, "sims")
	require.Len(t, sims, 4)
	assert.Equal(t, map[string]any{
		"sid": simA, "account_sid": supersimtest.AccountSID, "unique_name": "my.sim.1", "status": "active",
		"fleet_sid": fleetX, "iccid": "89883070000123456789",
		"date_created": "2026-03-04T14:23:17Z", "date_updated": "2026-03-04T15:23:17Z",
		"url": "https://supersim.twilio.com/v1/Sims/" + simA,
		"links": map[string]any{
			"billing_periods":  "https://supersim.twilio.com/v1/Sims/" + simA + "/BillingPeriods",
			"sim_ip_addresses": "https://supersim.twilio.com/v1/Sims/" + simA + "/IpAddresses",
		},
	}, sims[0])
	assert.Nil(t, sims[3]["fleet_sid"], "no fleet: null")
	assert.Nil(t, sims[3]["unique_name"])

	status, fleet := api(t, srv, "/v1/Fleets/"+fleetX)
	require.Equal(t, 200, status, fleet)
	assert.Equal(t, map[string]any{
		"account_sid": supersimtest.AccountSID, "unique_name": "fleet x", "data_enabled": true,
		"data_limit": float64(500), "data_metering": "payg",
		"date_created": "2026-03-04T14:23:17Z", "date_updated": "2026-03-04T14:23:17Z",
		"sms_commands_enabled": false, "sms_commands_method": "POST", "sms_commands_url": nil,
		"ip_commands_method": "POST", "ip_commands_url": nil, "network_access_profile_sid": nap,
		"sid": fleetX, "url": "https://supersim.twilio.com/v1/Fleets/" + fleetX,
	}, fleet)

	status, body = api(t, srv, "/v1/Networks")
	require.Equal(t, 200, status, body)
	networks := items(t, body, "networks")
	require.Len(t, networks, 2)
	assert.Equal(t, map[string]any{
		"friendly_name": "Orange France", "iso_country": "FR",
		"identifiers": []any{map[string]any{"mcc": "208", "mnc": "01"}},
		"sid":         netFR, "url": "https://supersim.twilio.com/v1/Networks/" + netFR,
	}, networks[0])

	status, body = api(t, srv, "/v1/Sims/"+simA+"/BillingPeriods")
	require.Equal(t, 200, status, body)
	periods := items(t, body, "billing_periods")
	require.Len(t, periods, 2)
	assert.Equal(t, map[string]any{
		"sid": "HB" + strings.Repeat("1", 32), "account_sid": supersimtest.AccountSID, "sim_sid": simA,
		"period_type": "ready", "start_time": "2026-03-04T14:23:17Z", "end_time": "2026-04-04T14:23:17Z",
		"date_created": "2026-03-04T14:23:18Z", "date_updated": "2026-03-04T14:23:18Z",
	}, periods[0])
	assert.Nil(t, periods[1]["date_created"], "a zero time is null")

	status, body = api(t, srv, "/v1/Sims/"+noFleet+"/BillingPeriods")
	require.Equal(t, 200, status, body)
	assert.Empty(t, items(t, body, "billing_periods"), "an empty list is [], not null")
	got := srv.Account()
	assert.ElementsMatch(t, account.Samples, got.Samples)
	assert.True(t, slices.IsSortedFunc(got.Samples, func(a, b supersimtest.Sample) int { return a.Hour.Compare(b.Hour) }), "ordered by hour")
	got.Samples = account.Samples
	assert.Equal(t, account, got)
}

func TestFetchBySIDOrUniqueName(t *testing.T) {
	t.Parallel()
	srv := accountServer(t)
	for path, sid := range map[string]string{
		"/v1/Sims/" + simA:                        simA,
		"/v1/Sims/HS" + strings.ToUpper(simA[2:]): simA,
		"/v1/Sims/my.sim.1":                       simA,
		"/v1/Sims/sim%20b":                        simB,
		"/v1/Fleets/fleet%20x":                    fleetX,
		"/v1/Fleets/fleet%2Fy":                    fleetY,
		"/v1/Fleets/fleet/y":                      "",
		"/v1/Networks/" + netDE:                   netDE,
		"/v1/Sims/" + url.PathEscape(oddName):     oddSim,
		"/v1/Sims/nobody":                         "",
		"/v1/Fleets/" + fleetX[:33] + "9":         "",
		"/v1/Networks/Orange%20France":            "",
	} {
		status, body := api(t, srv, path)
		if sid == "" {
			assert.Equal(t, 404, status, path)
			assert.Equal(t, float64(20404), body["code"], path)
			assert.Equal(t, float64(404), body["status"], path)
			assert.Equal(t, "https://www.twilio.com/docs/errors/20404", body["more_info"], path)
			assert.Contains(t, body["message"], "was not found", path)
			continue
		}
		require.Equal(t, 200, status, "%s: %v", path, body)
		assert.Equal(t, sid, body["sid"], path)
	}
	status, body := api(t, srv, "/v1/Sims/nobody/BillingPeriods")
	assert.Equal(t, 404, status)
	assert.Equal(t, "The requested resource /v1/Sims/nobody/BillingPeriods was not found", body["message"])
}

func TestEscapedUniqueNameInAPath(t *testing.T) {
	t.Parallel()
	srv := accountServer(t)
	escaped := "/v1/Sims/" + url.PathEscape(oddName) + "/BillingPeriods"
	require.Equal(t, "/v1/Sims/tracker%207%2Feu%3Fx/BillingPeriods", escaped)
	status, body := api(t, srv, escaped+"?PageSize=1")
	require.Equal(t, 200, status, body)
	assert.Equal(t, []string{"HB" + strings.Repeat("3", 32)}, sids(items(t, body, "billing_periods")))
	self := body["meta"].(map[string]any)["url"].(string)
	assert.Equal(t, srv.URL+escaped+"?PageSize=1&Page=0", self, "page URLs keep the escaped segment")

	// Unescaped once: a name that is itself escaped text is not decoded twice.
	status, _ = api(t, srv, "/v1/Sims/"+url.PathEscape(url.PathEscape(oddName)))
	assert.Equal(t, 404, status)
}

// walk follows next_page_url from the first page and returns every item.
func walk(t *testing.T, srv *supersimtest.Server, pathAndQuery, key string) []map[string]any {
	t.Helper()
	var all []map[string]any
	for next := srv.URL + pathAndQuery; ; {
		status, body := api(t, srv, strings.TrimPrefix(next, srv.URL))
		require.Equal(t, 200, status, body)
		all = append(all, items(t, body, key)...)
		link, ok := body["meta"].(map[string]any)["next_page_url"].(string)
		if !ok {
			return all
		}
		require.True(t, strings.HasPrefix(link, srv.URL), link)
		next = link
	}
}

func TestEveryListPagesWithTokens(t *testing.T) {
	t.Parallel()
	srv := newServer(t, supersimtest.WithAccount(supersimtest.DemoAccount(3, now)))
	a := srv.Account()
	periods := map[string]int{}
	most := a.Sims[0].SID
	for _, p := range a.BillingPeriods {
		if periods[p.SimSID]++; periods[p.SimSID] > periods[most] {
			most = p.SimSID
		}
	}
	require.GreaterOrEqual(t, periods[most], 2)
	lists := []struct {
		path, key string
		want      int
	}{
		{"/v1/Sims", "sims", len(a.Sims)},
		{"/v1/Fleets", "fleets", len(a.Fleets)},
		{"/v1/Networks", "networks", len(a.Networks)},
		{"/v1/Sims/" + most + "/BillingPeriods", "billing_periods", periods[most]},
	}
	for _, l := range lists {
		all := walk(t, srv, l.path+"?PageSize=2", l.key)
		assert.Len(t, all, l.want, l.path)
		seen := map[string]bool{}
		for _, sid := range sids(all) {
			assert.False(t, seen[sid], "%s: %s twice", l.path, sid)
			seen[sid] = true
		}

		status, body := api(t, srv, l.path+"?PageSize=1")
		require.Equal(t, 200, status)
		meta := body["meta"].(map[string]any)
		assert.Equal(t, float64(0), meta["page"])
		assert.Equal(t, float64(1), meta["page_size"])
		assert.Nil(t, meta["previous_page_url"])
		assert.Equal(t, srv.URL+l.path+"?PageSize=1&Page=0", meta["first_page_url"])
		next, err := url.Parse(meta["next_page_url"].(string))
		require.NoError(t, err)

		q := next.Query()
		q.Set("Page", "2")
		status, body = api(t, srv, l.path+"?"+q.Encode())
		assert.Equal(t, 400, status, l.path)
		assert.Equal(t, float64(21481), body["code"], "a token is good for its own page only")
		q.Set("Page", "1")
		status, body = api(t, srv, "/v1/UsageRecords?"+q.Encode())
		assert.Equal(t, 400, status, "nor for another list")
		assert.Equal(t, float64(21481), body["code"], "nor for another list")
		status, body = api(t, srv, l.path+"?Page=1")
		assert.Equal(t, 400, status)
		assert.Equal(t, float64(70002), body["code"])

		_, body = api(t, srv, l.path)
		assert.Equal(t, float64(50), body["meta"].(map[string]any)["page_size"], "default page size")
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	srv := accountServer(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"/v1/Sims?Status=active", []string{simA, oddSim}},
		{"/v1/Sims?Status=new", []string{noFleet}},
		{"/v1/Sims?Fleet=" + fleetX, []string{simA, oddSim}},
		{"/v1/Sims?Fleet=fleet%2Fy", []string{simB}},
		{"/v1/Sims?Fleet=no+such+fleet", nil},
		{"/v1/Sims?Iccid=8988307000012345678", []string{simB}},
		{"/v1/Sims?Status=ready&Fleet=fleet+x", nil},
		{"/v1/Fleets?NetworkAccessProfile=" + nap, []string{fleetX}},
		{"/v1/Networks?IsoCountry=de", []string{netDE}},
		{"/v1/Networks?Mcc=262&Mnc=06", []string{netDE}},
		{"/v1/Networks?Mnc=01", []string{netFR, netDE}},
		{"/v1/Networks?Mcc=208&Mnc=06", nil},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.query)
		require.NoError(t, err)
		key := strings.ToLower(strings.TrimPrefix(u.Path, "/v1/"))
		status, body := api(t, srv, tt.query)
		require.Equal(t, 200, status, "%s: %v", tt.query, body)
		assert.Equal(t, tt.want, sids(items(t, body, key)), tt.query)
		self, err := url.Parse(body["meta"].(map[string]any)["url"].(string))
		require.NoError(t, err)
		want := u.Query()
		want.Set("PageSize", "50")
		want.Set("Page", "0")
		assert.Equal(t, want, self.Query(), "the filters are in the page URLs")
	}
	for _, bad := range []string{
		"/v1/Sims?Status=asleep", "/v1/Sims?Iccid=8988307", "/v1/Sims?Iccid=898830700001234567x",
		"/v1/Networks?IsoCountry=FRA", "/v1/Networks?IsoCountry=F1", "/v1/Networks?Mcc=20", "/v1/Networks?Mnc=1",
		"/v1/Networks?Mnc=0001", "/v1/Fleets?PageSize=ten",
	} {
		status, body := api(t, srv, bad)
		assert.Equal(t, 400, status, bad)
		assert.Equal(t, float64(20001), body["code"], bad)
		assert.Equal(t, "https://www.twilio.com/docs/errors/20001", body["more_info"], bad)
	}
}

func TestPageSizeLimitsPerResourceAndProvider(t *testing.T) {
	t.Parallel()
	twilio := accountServer(t)
	kore := accountServer(t, supersimtest.WithKORE())
	token := "Bearer " + newToken(t, kore)
	limits := []struct {
		path              string
		twilioMax, korMax int
		code              float64
	}{
		{"/v1/UsageRecords?" + rangeQuery, 1000, 249, 83600},
		{"/v1/Sims", 1000, 1000, 20001},
		{"/v1/Fleets", 1000, 1000, 20001},
		{"/v1/Networks", 1000, 1000, 20001},
		{"/v1/Sims/" + simA + "/BillingPeriods", 1000, 1000, 20001},
	}
	sep := func(path string) string {
		if strings.Contains(path, "?") {
			return "&"
		}
		return "?"
	}
	for _, l := range limits {
		for _, size := range []int{0, 1, l.twilioMax, l.twilioMax + 1} {
			status, body := api(t, twilio, l.path+sep(l.path)+"PageSize="+strconv.Itoa(size))
			if size >= 1 && size <= l.twilioMax {
				assert.Equal(t, 200, status, "Twilio %s PageSize %d", l.path, size)
				continue
			}
			assert.Equal(t, 400, status, "Twilio %s PageSize %d", l.path, size)
			assert.Equal(t, l.code, body["code"], l.path)
		}
		for _, size := range []int{0, 1, l.korMax, l.korMax + 1} {
			status, body := bearerGetPath(t, kore, l.path+sep(l.path)+"PageSize="+strconv.Itoa(size), token)
			if size >= 1 && size <= l.korMax {
				assert.Equal(t, 200, status, "KORE %s PageSize %d", l.path, size)
				continue
			}
			assert.Equal(t, 400, status, "KORE %s PageSize %d", l.path, size)
			assert.Equal(t, l.code, body["code"], l.path)
		}
	}
}

func TestKOREServesTheResources(t *testing.T) {
	t.Parallel()
	srv := accountServer(t, supersimtest.WithKORE())
	token := "Bearer " + newToken(t, srv)
	status, body := bearerGetPath(t, srv, "/v1/Fleets/fleet%20x", token)
	require.Equal(t, 200, status, body)
	assert.Equal(t, "https://supersim.api.korewireless.com/v1/Fleets/"+fleetX, body["url"], "KORE's origin")
	status, body = bearerGetPath(t, srv, "/v1/Sims", basic(supersimtest.AccountSID, supersimtest.AuthToken))
	assert.Equal(t, 401, status, "Basic is refused in KORE mode")
	assert.Equal(t, float64(20003), body["code"])
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, supersimtest.AuthBearer, reqs[0].Auth)
	assert.Equal(t, "/v1/Fleets/fleet x", reqs[0].Path)
}

func TestFaultsAuthAndLimitsApplyToEveryRoute(t *testing.T) {
	t.Parallel()
	srv := accountServer(t)
	paths := []string{"/v1/Sims", "/v1/Sims/" + simA, "/v1/Fleets", "/v1/Fleets/" + fleetX,
		"/v1/Networks", "/v1/Networks/" + netFR, "/v1/Sims/" + simA + "/BillingPeriods"}
	for _, path := range paths {
		status, body := get(t, srv, path, supersimtest.AccountSID, "wrong")
		assert.Equal(t, 401, status, path)
		assert.Equal(t, float64(20003), body["code"], path)

		srv.InjectFaults(1, supersimtest.FaultStatus(503, 0, "1"))
		resp, _, err := fetch(t, srv, path, supersimtest.AccountSID, supersimtest.AuthToken)
		require.NoError(t, err)
		assert.Equal(t, 503, resp.StatusCode, path)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"), path)
		assert.Regexp(t, `^RQ[0-9a-f]{32}$`, resp.Header.Get("Twilio-Request-Id"), path)

		srv.InjectFaults(1, supersimtest.FaultTruncate(5))
		_, raw, err := fetch(t, srv, path, supersimtest.AccountSID, supersimtest.AuthToken)
		assert.Error(t, err, path)
		assert.Len(t, raw, 5, path)

		status, _ = api(t, srv, path)
		assert.Equal(t, 200, status, path)
		status, _ = get(t, srv, path, supersimtest.APIKey, supersimtest.APISecret)
		assert.Equal(t, 200, status, path)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 5*len(paths))
	for i, path := range paths {
		got := reqs[5*i : 5*i+5]
		assert.Equal(t, []supersimtest.AuthKind{supersimtest.AuthInvalid, supersimtest.AuthAccount, supersimtest.AuthAccount, supersimtest.AuthAccount, supersimtest.AuthAPIKey},
			[]supersimtest.AuthKind{got[0].Auth, got[1].Auth, got[2].Auth, got[3].Auth, got[4].Auth}, path)
		assert.True(t, got[1].Fault && got[2].Fault && !got[3].Fault, path)
		assert.Equal(t, path, got[3].Path)
	}

	// Latency holds every route's answer until the client gives up.
	srv.SetLatency(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/Networks", nil)
	require.NoError(t, err)
	req.SetBasicAuth(supersimtest.AccountSID, supersimtest.AuthToken)
	done := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Stats().InFlight == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	require.Error(t, <-done)
	srv.SetLatency(0)
}

func TestMaxInFlightAppliesToEveryRoute(t *testing.T) {
	t.Parallel()
	srv := accountServer(t, supersimtest.WithMaxInFlight(1))
	srv.InjectFaults(1, supersimtest.FaultStall())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/Sims", nil)
	require.NoError(t, err)
	req.SetBasicAuth(supersimtest.AccountSID, supersimtest.AuthToken)
	resp, err := srv.HTTPClient().Do(req) // headers and half the body come; the rest stalls
	require.NoError(t, err)
	defer resp.Body.Close()
	status, body := api(t, srv, "/v1/Fleets")
	assert.Equal(t, 429, status)
	assert.Equal(t, float64(20429), body["code"])
	assert.True(t, srv.Requests()[1].Refused)
}
