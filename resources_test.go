package supersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// resourceAPI serves the resources' lists and fetches under basePath,
// paged from raw JSON items, and records every request with its escaped
// path.
type resourceAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // escaped path and raw query
	lists    map[string]resourceList
	objects  map[string]string // escaped path -> JSON body
}

// resourceList is one list the resourceAPI serves.
type resourceList struct {
	key      string
	items    []string // JSON objects
	pageSize int
}

func newResourceAPI(t *testing.T) (*resourceAPI, *supersim.Client) {
	t.Helper()
	api := &resourceAPI{lists: map[string]resourceList{}, objects: map[string]string{}}
	api.Server = httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(api.Close)
	client, err := supersim.NewClient(supersim.WithBaseURL(api.URL+basePath),
		supersim.WithCredentials(testAccountSID, testAuthToken), supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return api, client
}

func (a *resourceAPI) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...)
}

func (a *resourceAPI) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), basePath)
	a.mu.Lock()
	a.requests = append(a.requests, path+"?"+r.URL.RawQuery)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if body, ok := a.objects[path]; ok {
		fmt.Fprint(w, body)
		return
	}
	l, ok := a.lists[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"code": 20404, "message": "The requested resource %s was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`, path)
		return
	}
	size := l.pageSize
	if n := atoi(r.URL.Query().Get("PageSize")); n > 0 {
		size = n
	}
	page := atoi(r.URL.Query().Get("Page"))
	from, to := min(page*size, len(l.items)), min((page+1)*size, len(l.items))
	next := "null"
	if to < len(l.items) {
		next = fmt.Sprintf(`"https://supersim.twilio.com%s?PageSize=%d&Page=%d&PageToken=PT%d"`, path, size, page+1, page+1)
	}
	fmt.Fprintf(w, `{"%s": [%s], "meta": {"page": %d, "page_size": %d, "key": "%s", "next_page_url": %s, "url": "", "first_page_url": "", "previous_page_url": null}}`,
		l.key, strings.Join(l.items[from:to], ","), page, size, l.key, next)
}

// simJSON is a Sim as Twilio sends it.
func simJSON(i int) string {
	return fmt.Sprintf(`{"sid": "HS%032x", "unique_name": "tracker %d", "account_sid": %q, "iccid": "89883070000%09d",
		"status": "active", "fleet_sid": null, "date_created": "2025-07-30T20:00:00Z", "date_updated": "2025-07-30T21:00:00+01:00",
		"url": "https://supersim.twilio.com/v1/Sims/HS%032x", "links": {"billing_periods": "x"}}`, i, i, testAccountSID, i, i)
}

func TestResourcesDecodeAsTwilioSendsThem(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	for path, file := range map[string]string{"/v1/Sims": "sims.json", "/v1/Fleets": "fleets.json", "/v1/Networks": "networks.json",
		"/v1/Sims/HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/BillingPeriods": "billing_periods.json",
		"/v1/Sims/My%20SIM": "sim.json", "/v1/Fleets/HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "fleet.json"} {
		api.objects[path] = string(fixture(t, "resources/"+file))
	}
	ctx := context.Background()
	created := time.Date(2015, 7, 30, 20, 0, 0, 0, time.UTC)

	sims, err := client.ListSims(ctx, &supersim.ListSimsOptions{Fleet: "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}).Collect()
	require.NoError(t, err)
	require.Len(t, sims, 1)
	assert.Equal(t, supersim.Sim{SID: "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", UniqueName: "My SIM", AccountSID: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		ICCID: "89883070000123456789", Status: supersim.SimStatusNew, FleetSID: "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		DateCreated: created, DateUpdated: created, URL: "https://supersim.twilio.com/v1/Sims/HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, sims[0])

	sim, err := client.GetSim(ctx, "My SIM")
	require.NoError(t, err)
	assert.Equal(t, "", sim.FleetSID, "null fleet_sid")
	assert.Equal(t, "89883070000123456789", sim.ICCID)

	fleets, err := client.ListFleets(ctx, nil).Collect()
	require.NoError(t, err)
	require.Len(t, fleets, 1)
	fleetCreated := time.Date(2019, 7, 30, 20, 0, 0, 0, time.UTC)
	want := supersim.Fleet{SID: "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", UniqueName: "unique_name", AccountSID: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		DataEnabled: true, DataLimit: 1000, DataMetering: "payg", NetworkAccessProfileSID: "HAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		SmsCommandsEnabled: true, SmsCommandsMethod: "POST", IPCommandsMethod: "POST",
		DateCreated: fleetCreated, DateUpdated: fleetCreated, URL: "https://supersim.twilio.com/v1/Fleets/HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
	listed := want
	listed.UniqueName = "Pilot Fleet"
	listed.DateCreated = time.Date(2019, 10, 15, 20, 0, 0, 0, time.UTC)
	listed.DateUpdated = listed.DateCreated
	assert.Equal(t, listed, fleets[0])
	fleet, err := client.GetFleet(ctx, "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	require.NoError(t, err)
	assert.Equal(t, want, *fleet)

	networks, err := client.ListNetworks(ctx, nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, []supersim.Network{{SID: "HWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FriendlyName: "AT&T", IsoCountry: "US",
		Identifiers: []supersim.NetworkIdentifier{{MCC: "310", MNC: "410"}}, URL: "https://supersim.twilio.com/v1/Networks/HWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}, networks)

	periods, err := client.ListBillingPeriods(ctx, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", nil).Collect()
	require.NoError(t, err)
	require.Len(t, periods, 1)
	assert.Equal(t, time.Date(2021, 6, 9, 13, 18, 15, 0, time.UTC), periods[0].StartTime)
	assert.Equal(t, time.Date(2021, 7, 9, 13, 18, 15, 0, time.UTC), periods[0].EndTime)
	assert.Equal(t, "active", periods[0].PeriodType)
	assert.Equal(t, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", periods[0].SimSID)
}

func TestResourceListsPageAndSendExactlyTheirFilters(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	var items []string
	for i := range 25 {
		items = append(items, simJSON(i))
	}
	api.lists["/v1/Sims"] = resourceList{key: "sims", items: items, pageSize: 10}
	opts := &supersim.ListSimsOptions{Status: supersim.SimStatusActive, Fleet: "paris trackers", Iccid: "8988307000000000001"}
	opts.PageSize = 10
	sims, err := client.ListSims(context.Background(), opts).Collect()
	require.NoError(t, err)
	require.Len(t, sims, 25)
	for i, s := range sims {
		assert.Equal(t, fmt.Sprintf("tracker %d", i), s.UniqueName)
		assert.Equal(t, time.Date(2025, 7, 30, 20, 0, 0, 0, time.UTC), s.DateUpdated, "times in UTC")
	}
	assert.Equal(t, []string{
		"/v1/Sims?Fleet=paris+trackers&Iccid=8988307000000000001&PageSize=10&Status=active",
		"/v1/Sims?Fleet=paris+trackers&Iccid=8988307000000000001&PageSize=10&Status=active&Page=1&PageToken=PT1",
		"/v1/Sims?Fleet=paris+trackers&Iccid=8988307000000000001&PageSize=10&Status=active&Page=2&PageToken=PT2",
	}, api.Requests())
	assert.Equal(t, opts.PageSize, 10, "the caller's options are not written")

	api.lists["/v1/Networks"] = resourceList{key: "networks", pageSize: 50}
	_, err = client.ListNetworks(context.Background(), &supersim.ListNetworksOptions{IsoCountry: "fr", Mcc: "208", Mnc: "01"}).Collect()
	require.NoError(t, err)
	_, err = client.ListFleets(context.Background(), &supersim.ListFleetsOptions{NetworkAccessProfile: "HA" + strings.Repeat("0", 32)}).Collect()
	require.ErrorIs(t, err, supersim.ErrNotFound)
	got := api.Requests()
	assert.Equal(t, []string{"/v1/Networks?IsoCountry=FR&Mcc=208&Mnc=01", "/v1/Fleets?NetworkAccessProfile=HA" + strings.Repeat("0", 32)}, got[3:])
}

func TestAnIdentifierInAPathIsOneSegmentEscapedOnce(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	const name = "tracker 7/eu?x%41"
	api.lists["/v1/Sims/tracker%207%2Feu%3Fx%2541/BillingPeriods"] = resourceList{key: "billing_periods", pageSize: 50}
	_, err := client.ListBillingPeriods(context.Background(), name, nil).Collect()
	require.NoError(t, err)
	_, err = client.GetSim(context.Background(), name)
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, supersim.ErrNotFound)
	_, err = client.GetFleet(context.Background(), "fleet#1")
	require.ErrorIs(t, err, supersim.ErrNotFound)
	assert.Equal(t, []string{
		"/v1/Sims/tracker%207%2Feu%3Fx%2541/BillingPeriods?",
		"/v1/Sims/tracker%207%2Feu%3Fx%2541?",
		"/v1/Fleets/fleet%231?",
	}, api.Requests())
}

func TestInvalidResourceOptionsAreRefusedFieldByFieldWithNothingSent(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	ctx := context.Background()
	fields := func(err error) []string {
		var names []string
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var v *supersim.ValidationError
			require.ErrorAs(t, e, &v)
			names = append(names, v.Field)
		}
		return names
	}
	simOpts := &supersim.ListSimsOptions{Status: "lost", Fleet: "HFnothex" + strings.Repeat("z", 26), Iccid: "8988-3070"}
	simOpts.PageSize, simOpts.MaxRecords = 1001, -1
	_, err := client.ListSims(ctx, simOpts).Collect()
	require.Error(t, err)
	assert.Equal(t, []string{"Status", "Fleet", "Iccid", "PageSize", "MaxRecords"}, fields(err))

	_, err = client.ListSims(ctx, &supersim.ListSimsOptions{Iccid: "123456789012345678"}).Collect() // 18 digits
	assert.Equal(t, []string{"Iccid"}, fields(err))

	_, err = client.ListNetworks(ctx, &supersim.ListNetworksOptions{IsoCountry: "FRA", Mcc: "20", Mnc: "1234"}).Collect()
	assert.Equal(t, []string{"IsoCountry", "Mcc", "Mnc"}, fields(err))

	_, err = client.ListFleets(ctx, &supersim.ListFleetsOptions{NetworkAccessProfile: " nap"}).Collect()
	assert.Equal(t, []string{"NetworkAccessProfile"}, fields(err))

	bpOpts := &supersim.ListBillingPeriodsOptions{}
	bpOpts.PageSize = -3
	_, err = client.ListBillingPeriods(ctx, "", bpOpts).Collect()
	assert.Equal(t, []string{"Sim", "PageSize"}, fields(err))

	for _, bad := range []string{"", " name", "HS" + strings.Repeat("g", 32)} {
		_, err = client.GetSim(ctx, bad)
		var v *supersim.ValidationError
		require.ErrorAs(t, err, &v, bad)
		assert.Equal(t, "Sim", v.Field)
		_, err = client.GetFleet(ctx, strings.Replace(bad, "HS", "HF", 1))
		require.ErrorAs(t, err, &v, bad)
		assert.Equal(t, "Fleet", v.Field)
	}
	assert.Empty(t, api.Requests(), "nothing is sent")
}

func TestResourceWalksResumeOnlyWithTheirOwnOptions(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	var items []string
	for i := range 30 {
		items = append(items, simJSON(i))
	}
	api.lists["/v1/Sims"] = resourceList{key: "sims", items: items, pageSize: 10}
	api.lists["/v1/Sims/HS0/BillingPeriods"] = resourceList{key: "billing_periods", pageSize: 10}
	ctx := context.Background()

	// A checkpoint per page: stop after the first, resume from the saved JSON.
	var saved []byte
	for page, err := range client.ListSims(ctx, nil).Pages() {
		require.NoError(t, err)
		require.Len(t, page.Items, 10)
		saved, err = json.Marshal(page.Next)
		require.NoError(t, err)
		break
	}
	var at supersim.Position
	require.NoError(t, json.Unmarshal(saved, &at))
	var opts supersim.ListSimsOptions
	opts.ResumeFrom(at)
	rest, err := client.ListSims(ctx, &opts).Collect()
	require.NoError(t, err)
	require.Len(t, rest, 20)
	assert.Equal(t, "tracker 10", rest[0].UniqueName)

	other := supersim.ListSimsOptions{Status: supersim.SimStatusReady}
	other.ResumeFrom(at)
	_, err = client.ListSims(ctx, &other).Collect()
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "ResumeFrom", v.Field)

	var periods supersim.ListBillingPeriodsOptions
	periods.ResumeFrom(at)
	_, err = client.ListBillingPeriods(ctx, "HS0", &periods).Collect()
	require.ErrorAs(t, err, &v, "a Sims position does not resume a SIM's billing periods")

	limited := supersim.ListSimsOptions{}
	limited.MaxRecords = 12
	got, err := client.ListSims(ctx, &limited).Collect()
	require.NoError(t, err)
	assert.Len(t, got, 12)
}

func TestResourcePagesOverKOREAllowAThousand(t *testing.T) {
	t.Parallel()
	k := newKOREAPI(t, 3600, makeRecords(1))
	var mu sync.Mutex
	var seen []string
	k.api.Config.Handler = pagedHandlerCounting(k, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.URL.RawQuery)
		fmt.Fprint(w, `{"sims": [], "meta": {"key": "sims", "page": 0, "page_size": 1000, "next_page_url": null}}`)
	})
	opts := &supersim.ListSimsOptions{}
	opts.PageSize = 1000
	_, err := k.client.ListSims(context.Background(), opts).Collect()
	require.NoError(t, err)
	_, err = k.client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 1000}).Collect()
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"PageSize=1000"}, seen, "KORE's 249 limit is for usage records only")
}

func TestResourcePagesAreReadStrictly(t *testing.T) {
	t.Parallel()
	api, client := newResourceAPI(t)
	cases := map[string]string{
		"wrong key":        `{"fleets": [], "meta": {"key": "fleets"}}`,
		"duplicate member": `{"sims": [{"sid": "HS1", "sid": "HS2"}], "meta": {"key": "sims"}}`,
		"case-folded name": `{"sims": [{"Unique_Name": "x"}], "meta": {"key": "sims"}}`,
		"wrong type":       `{"sims": [{"date_created": 5}], "meta": {"key": "sims"}}`,
		"not a time":       `{"sims": [{"date_created": "yesterday"}], "meta": {"key": "sims"}}`,
	}
	for name, body := range cases {
		api.objects["/v1/Sims"] = body
		_, err := client.ListSims(context.Background(), nil).Collect()
		assert.ErrorIs(t, err, supersim.ErrInvalidResponse, name)
	}
	api.objects["/v1/Sims"] = `{"sims": [{"sid": "HS1", "new_member": {"a": [1]}, "status": null}], "meta": {"key": "sims", "new": 1}}`
	sims, err := client.ListSims(context.Background(), nil).Collect()
	require.NoError(t, err, "unknown members are ignored")
	assert.Equal(t, []supersim.Sim{{SID: "HS1"}}, sims)

	api.objects["/v1/Fleets/f"] = `{"sid": "HF1", "data_limit": 1.5}`
	_, err = client.GetFleet(context.Background(), "f")
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse)
	api.objects["/v1/Fleets/f"] = `{"sid": "HF1"} {}`
	_, err = client.GetFleet(context.Background(), "f")
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse, "data after the object")
}
