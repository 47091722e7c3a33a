package supersim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

const (
	validNetwork = "HWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	validSim     = "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	validFleet   = "HF0123456789ABCDEF0123456789abcdef"
)

func TestValidateRejectsEachBadField(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		opts  supersim.ListUsageRecordsOptions
		field string
	}{
		{"network not a SID", supersim.ListUsageRecordsOptions{Network: "my-network"}, "Network"},
		{"network too short", supersim.ListUsageRecordsOptions{Network: validNetwork[:33]}, "Network"},
		{"network bad hex", supersim.ListUsageRecordsOptions{Network: "HWzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}, "Network"},
		{"network lower-case prefix", supersim.ListUsageRecordsOptions{Network: "hw" + validNetwork[2:]}, "Network"},
		{"sim SID-shaped but not hex", supersim.ListUsageRecordsOptions{Sim: "HSzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}, "Sim"},
		{"sim with surrounding space", supersim.ListUsageRecordsOptions{Sim: " my.sim "}, "Sim"},
		{"fleet SID-shaped but not hex", supersim.ListUsageRecordsOptions{Fleet: "HF-0123456789abcdef0123456789abcde"}, "Fleet"},
		{"country three letters", supersim.ListUsageRecordsOptions{IsoCountry: "FRA"}, "IsoCountry"},
		{"country digits", supersim.ListUsageRecordsOptions{IsoCountry: "F1"}, "IsoCountry"},
		{"unknown group", supersim.ListUsageRecordsOptions{Group: "Sim"}, "Group"},
		{"unknown granularity", supersim.ListUsageRecordsOptions{Granularity: "week"}, "Granularity"},
		{"end before start", supersim.ListUsageRecordsOptions{StartTime: start, EndTime: start.Add(-time.Hour)}, "EndTime"},
		{"end equals start", supersim.ListUsageRecordsOptions{StartTime: start, EndTime: start}, "EndTime"},
		{"end past year 9999", supersim.ListUsageRecordsOptions{EndTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "EndTime"},
		{"start before year 0", supersim.ListUsageRecordsOptions{StartTime: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, "StartTime"},
		{"page size too large", supersim.ListUsageRecordsOptions{PageSize: 1001}, "PageSize"},
		{"page size negative", supersim.ListUsageRecordsOptions{PageSize: -1}, "PageSize"},
		{"page negative", supersim.ListUsageRecordsOptions{Page: -1}, "Page"},
		{"max records negative", supersim.ListUsageRecordsOptions{MaxRecords: -5}, "MaxRecords"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			require.Error(t, err)
			var verr *supersim.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.field, verr.Field)
			assert.Contains(t, err.Error(), "invalid "+tt.field)
		})
	}
}

func TestValidateAcceptsGoodOptions(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	good := []supersim.ListUsageRecordsOptions{
		{},
		{Sim: validSim, Fleet: validFleet, Network: validNetwork, IsoCountry: "fr"},
		{Sim: "my.sim.1", Fleet: "Fleet — Paris 🚚"},
		{Sim: "HS-short-name"},
		{Group: supersim.GroupIsoCountry, Granularity: supersim.GranularityHour, StartTime: start, EndTime: start.Add(time.Hour)},
		{StartTime: start},
		{PageSize: 1}, {PageSize: 1000},
		{PageToken: "PTabc", Page: 7, MaxRecords: 10},
	}
	for _, o := range good {
		assert.NoError(t, o.Validate(), "%+v", o)
	}
	var nilOpts *supersim.ListUsageRecordsOptions
	assert.NoError(t, nilOpts.Validate())
}

func TestInvalidOptionsReportEveryFieldAndSendNothing(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"))
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Network: "HWnope", IsoCountry: "France", PageSize: 5000, Group: "planet",
	})
	require.False(t, it.Next())
	var fields []string
	for _, err := range it.Err().(interface{ Unwrap() []error }).Unwrap() {
		var verr *supersim.ValidationError
		require.True(t, errors.As(err, &verr))
		fields = append(fields, verr.Field)
	}
	assert.ElementsMatch(t, []string{"Network", "IsoCountry", "PageSize", "Group"}, fields)
	assert.Empty(t, api.Requests(), "a request was sent for invalid options")
}

func TestQueryEncoding(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name string
		opts *supersim.ListUsageRecordsOptions
		want url.Values
	}{
		{"nil options send nothing", nil, url.Values{}},
		{"zero options send nothing", &supersim.ListUsageRecordsOptions{MaxRecords: 3}, url.Values{}},
		{"every filter", &supersim.ListUsageRecordsOptions{
			Sim: validSim, Fleet: validFleet, Network: validNetwork, IsoCountry: "fr",
			Group: supersim.GroupIsoCountry, Granularity: supersim.GranularityDay, PageSize: 1000,
		}, url.Values{
			"Sim": {validSim}, "Fleet": {validFleet}, "Network": {validNetwork}, "IsoCountry": {"FR"},
			"Group": {"isoCountry"}, "Granularity": {"day"}, "PageSize": {"1000"},
		}},
		{"unique names with dots, spaces and unicode arrive unchanged", &supersim.ListUsageRecordsOptions{
			Sim: "my.sim.1", Fleet: "Fleet & Co. — Zürich/2 +1%",
		}, url.Values{"Sim": {"my.sim.1"}, "Fleet": {"Fleet & Co. — Zürich/2 +1%"}}},
		{"times go out in UTC", &supersim.ListUsageRecordsOptions{
			StartTime: time.Date(2026, 5, 1, 2, 0, 0, 0, paris),
			EndTime:   time.Date(2026, 5, 2, 0, 30, 0, 0, time.UTC),
		}, url.Values{"StartTime": {"2026-05-01T00:00:00Z"}, "EndTime": {"2026-05-02T00:30:00Z"}}},
		{"fractions of a second go out as given, in UTC", &supersim.ListUsageRecordsOptions{
			StartTime: time.Date(2026, 5, 1, 2, 0, 0, 250_000_000, paris),
			EndTime:   time.Date(2026, 5, 1, 0, 0, 0, 850_000_000, time.UTC),
		}, url.Values{"StartTime": {"2026-05-01T00:00:00.25Z"}, "EndTime": {"2026-05-01T00:00:00.85Z"}}},
		{"nanoseconds are kept", &supersim.ListUsageRecordsOptions{
			StartTime: time.Date(2026, 5, 1, 0, 0, 0, 1, time.UTC),
		}, url.Values{"StartTime": {"2026-05-01T00:00:00.000000001Z"}}},
		{"resume position", &supersim.ListUsageRecordsOptions{PageToken: "PT9", Page: 9, PageSize: 10},
			url.Values{"PageToken": {"PT9"}, "Page": {"9"}, "PageSize": {"10"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, api := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"))
			_, err := client.ListUsageRecords(context.Background(), tt.opts).Collect()
			require.NoError(t, err)
			reqs := api.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, reqs[0].URL.Query(), "the whole query string")
		})
	}
}

func TestListDoesNotWriteCallersOptions(t *testing.T) {
	t.Parallel()
	client, _ := newFakeAPI(t, pagedHandler(t, makeRecords(5), 2, ""))
	opts := &supersim.ListUsageRecordsOptions{PageSize: 2, IsoCountry: "fr", StartTime: time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("X", 3600))}
	before := *opts
	_, err := client.ListUsageRecords(context.Background(), opts).Collect()
	require.NoError(t, err)
	assert.Equal(t, before, *opts)
}

func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	t.Run("billed as string", func(t *testing.T) {
		client, _ := newFakeAPI(t, serveFixture(t, 200, "page_billed_string.json"))
		recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
		require.NoError(t, err)
		require.Len(t, recs, 2)
		assert.Equal(t, supersim.UsageRecord{
			AccountSID: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", SimSID: validSim, IsoCountry: "FR",
			Period: supersim.Period{
				StartTime: time.Date(2019, 5, 3, 0, 0, 0, 0, time.UTC),
				EndTime:   time.Date(2019, 5, 4, 0, 0, 0, 0, time.UTC),
			},
			DataUpload: 1000, DataDownload: 1000, DataTotal: 2000,
			DataTotalBilled: supersim.MustParseDecimal("0.03"), BilledUnit: "USD",
		}, recs[0])
		assert.Equal(t, int64(11811160064), recs[1].DataTotal, "byte counts beyond 2^32")
		assert.Equal(t, "1234567.89", recs[1].DataTotalBilled.String(), "every digit kept")
		assert.Equal(t, "1234567.92", recs[0].DataTotalBilled.Add(recs[1].DataTotalBilled).String())
	})
	t.Run("billed as number and null", func(t *testing.T) {
		client, _ := newFakeAPI(t, serveFixture(t, 200, "page_billed_number.json"))
		recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
		require.NoError(t, err)
		require.Len(t, recs, 2)
		assert.Equal(t, "0.1", recs[0].DataTotalBilled.String())
		assert.Equal(t, "EUR", recs[0].BilledUnit)
		assert.Equal(t, "", recs[0].SimSID, "null becomes empty")
		assert.Equal(t, validNetwork, recs[0].NetworkSID)
		assert.True(t, recs[1].DataTotalBilled.IsZero(), "null amount is zero")
		assert.Equal(t, "", recs[1].BilledUnit)
		assert.Equal(t, time.UTC, recs[1].Period.StartTime.Location(), "times are in UTC")
		assert.Equal(t, time.Date(2019, 5, 3, 0, 0, 0, 0, time.UTC), recs[1].Period.StartTime)
	})
}

func TestNullsDoNotInheritValuesFromThePreviousPage(t *testing.T) {
	t.Parallel()
	pages := []string{
		`{"usage_records":[{"sim_sid":"` + validSim + `","billed_unit":"USD","data_total_billed":"1.5","data_total":9}],"meta":{"key":"usage_records","page":0,"next_page_url":"https://x/v1/UsageRecords?Page=1&PageToken=PT1"}}`,
		`{"usage_records":[{"sim_sid":null,"billed_unit":null,"data_total_billed":null}],"meta":{"key":"usage_records","page":1,"next_page_url":null}}`,
	}
	client, _ := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("PageToken") == "PT1" {
			w.Write([]byte(pages[1]))
			return
		}
		w.Write([]byte(pages[0]))
	})
	recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, supersim.UsageRecord{}, recs[1])
	assert.Equal(t, validSim, recs[0].SimSID)
}

func TestPagingWalksEveryPageInOrder(t *testing.T) {
	t.Parallel()
	records := makeRecords(25)
	client, api := newFakeAPI(t, pagedHandler(t, records, 10, ""))
	opts := &supersim.ListUsageRecordsOptions{PageSize: 10, Sim: "my.sim.1", Granularity: supersim.GranularityHour}
	got, err := client.ListUsageRecords(context.Background(), opts).Collect()
	require.NoError(t, err)
	assertSameRecords(t, records, got)
	reqs := api.Requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		want := url.Values{"PageSize": {"10"}, "Sim": {"my.sim.1"}, "Granularity": {"hour"}}
		if i > 0 {
			want.Set("Page", []string{"", "1", "2"}[i])
			want.Set("PageToken", []string{"", "PT1", "PT2"}[i])
		}
		assert.Equal(t, want, r.URL.Query(), "request %d", i)
		assert.Equal(t, endpoint, r.URL.Path)
	}
}

func TestMaxRecordsStopsFetching(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, pagedHandler(t, makeRecords(50), 10, ""))
	got, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10, MaxRecords: 15}).Collect()
	require.NoError(t, err)
	assertSameRecords(t, makeRecords(15), got)
	assert.Len(t, api.Requests(), 2)
}

func TestBreakingOutOfAllStopsFetching(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, pagedHandler(t, makeRecords(50), 10, ""))
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10, NoPrefetch: true})
	n := 0
	for rec, err := range it.All() {
		require.NoError(t, err)
		n++
		if rec.DataUpload == 11 {
			break
		}
	}
	assert.Equal(t, 12, n)
	assert.Len(t, api.Requests(), 2)
	assert.False(t, it.Next(), "a stopped iterator stays stopped")
	assert.NoError(t, it.Err())
	assert.Len(t, api.Requests(), 2)
}

func TestResumeFromSavedPosition(t *testing.T) {
	t.Parallel()
	records := makeRecords(45)
	client, _ := newFakeAPI(t, pagedHandler(t, records, 10, ""))
	opts := supersim.ListUsageRecordsOptions{PageSize: 10}

	// First run: stop at the end of the second page and save the position.
	it := client.ListUsageRecords(context.Background(), &opts)
	var first []supersim.UsageRecord
	var saved supersim.Position
	for it.Next() {
		first = append(first, it.Value())
		if len(first) == 20 {
			require.True(t, it.AtPageEnd())
			var ok bool
			saved, ok = it.NextPosition()
			require.True(t, ok)
			it.Stop()
		}
	}
	require.NoError(t, it.Err())
	assert.Equal(t, supersim.Position{PageToken: "PT2", Page: 2, Query: saved.Query}, saved)
	assert.NotEmpty(t, saved.Query, "a position names the options it came from")
	assert.Equal(t, 1, it.Meta().Page)

	// Second run: resume there.
	opts.PageToken, opts.Page = saved.PageToken, saved.Page
	rest, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	require.NoError(t, err)
	assertSameRecords(t, records, append(first, rest...))
}

func TestNextPageURLOnAnotherHostStaysOnTheAPIOrigin(t *testing.T) {
	t.Parallel()
	var stolen int
	other := newPlainServer(t, func(w http.ResponseWriter, r *http.Request) { stolen++ })
	for _, host := range []string{other.URL, "https://evil.example", "http://" + strings.TrimPrefix(other.URL, "http://") + "/other/path"} {
		records := makeRecords(25)
		client, api := newFakeAPI(t, pagedHandler(t, records, 10, host))
		got, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10}).Collect()
		require.NoError(t, err)
		assertSameRecords(t, records, got)
		assert.Len(t, api.Requests(), 3)
	}
	assert.Zero(t, stolen, "a request went to the next_page_url's host")
}

func TestPagingLoopsEndInAnError(t *testing.T) {
	t.Parallel()
	page := func(n int, records, next string) string {
		return `{"usage_records":[` + records + `],"meta":{"key":"usage_records","page":` + itoa(n) + `,"next_page_url":` + next + `}}`
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"same next page again", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(page(1, `{"data_total":1}`, `"https://x/v1/UsageRecords?Page=1&PageToken=PT1"`)))
		}},
		{"page number goes back", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(page(3, `{"data_total":1}`, `"https://x/v1/UsageRecords?Page=2&PageToken=PTnew"`)))
		}},
		{"empty pages pointing onward forever", func(w http.ResponseWriter, r *http.Request) {
			n := 0
			if p := r.URL.Query().Get("Page"); p != "" {
				n = atoi(p)
			}
			w.Write([]byte(page(n, ``, `"https://x/v1/UsageRecords?Page=`+itoa(n+1)+`&PageToken=PT`+itoa(n+1)+`"`)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, api := newFakeAPI(t, tt.handler)
			_, err := client.ListUsageRecords(context.Background(), nil).Collect()
			require.ErrorIs(t, err, supersim.ErrPagingLoop)
			assert.LessOrEqual(t, len(api.Requests()), 10)
		})
	}
}

func TestMalformedPagesAreTypedErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not JSON":             `<html>oops</html>`,
		"wrong key":            `{"sims":[],"meta":{"key":"sims","next_page_url":null}}`,
		"record of wrong type": `{"usage_records":[{"data_total":"many"}],"meta":{"key":"usage_records"}}`,
		"bad amount":           `{"usage_records":[{"data_total_billed":"1,5"}],"meta":{"key":"usage_records"}}`,
		"bad next page":        `{"usage_records":[],"meta":{"key":"usage_records","next_page_url":"https://x/v1/UsageRecords?Page=x"}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
			_, err := client.ListUsageRecords(context.Background(), nil).Collect()
			require.ErrorIs(t, err, supersim.ErrInvalidResponse)
			assert.Len(t, api.Requests(), 1, "a malformed answer is not retried")
		})
	}
}

// A server whose next_page_url carries only Page hands out positions
// without a PageToken: they must resume like any other.
func TestResumeFromAPositionWithoutPageToken(t *testing.T) {
	t.Parallel()
	records := makeRecords(25)
	byNumber := func(w http.ResponseWriter, r *http.Request) {
		page := atoi(r.URL.Query().Get("Page"))
		from, to := min(page*10, len(records)), min(page*10+10, len(records))
		next := any(nil)
		if to < len(records) {
			next = fmt.Sprintf("http://%s/v1/UsageRecords?PageSize=10&Page=%d", r.Host, page+1)
		}
		w.Header().Set("Content-Type", "application/json")
		assert.NoError(t, json.NewEncoder(w).Encode(map[string]any{"usage_records": records[from:to],
			"meta": map[string]any{"key": "usage_records", "page": page, "page_size": 10, "next_page_url": next}}))
	}
	client, _ := newFakeAPI(t, byNumber)
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10})
	var first []supersim.UsageRecord
	var saved supersim.Position
	for it.Next() {
		first = append(first, it.Value())
		if len(first) == 10 {
			var ok bool
			saved, ok = it.NextPosition()
			require.True(t, ok)
			it.Stop()
		}
	}
	require.NoError(t, it.Err())
	assert.Equal(t, supersim.Position{Page: 1, Query: saved.Query}, saved)
	assert.NotEmpty(t, saved.Query)
	rest, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		PageSize: 10, PageToken: saved.PageToken, Page: saved.Page}).Collect()
	require.NoError(t, err)
	assertSameRecords(t, records, append(first, rest...))
}

// A position saved from one walk resumes only a walk of the same options:
// with other filters, times or page size, ResumeFrom would walk another
// query's records, so List refuses it before sending anything.
func TestResumeFromOtherOptionsIsRefused(t *testing.T) {
	t.Parallel()
	_, client := demoAPI(t)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	opts := supersim.ListUsageRecordsOptions{Granularity: supersim.GranularityHour, Group: supersim.GroupFleet,
		StartTime: start, EndTime: start.AddDate(0, 0, 3), PageSize: 20, Concurrency: 4}
	it := client.ListUsageRecords(context.Background(), &opts)
	var saved []supersim.Position
	for it.Next() {
		if pos, ok := it.NextPosition(); ok && it.AtPageEnd() {
			saved = append(saved, pos)
		}
	}
	require.NoError(t, it.Err())
	require.NotEmpty(t, saved)
	for _, other := range []func(o *supersim.ListUsageRecordsOptions){
		func(o *supersim.ListUsageRecordsOptions) { o.Group = supersim.GroupNetwork },
		func(o *supersim.ListUsageRecordsOptions) { o.IsoCountry = "FR" },
		func(o *supersim.ListUsageRecordsOptions) { o.StartTime = o.StartTime.Add(time.Hour) },
		func(o *supersim.ListUsageRecordsOptions) { o.PageSize = 50 },
	} {
		for _, pos := range saved {
			o := opts
			other(&o)
			o.ResumeFrom(pos)
			_, err := client.ListUsageRecords(context.Background(), &o).Collect()
			var verr *supersim.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, "ResumeFrom", verr.Field)
		}
	}
	// The same options, with another Concurrency, resume.
	o := opts
	o.Concurrency = 2
	o.ResumeFrom(saved[len(saved)/2])
	_, err := client.ListUsageRecords(context.Background(), &o).Collect()
	assert.NoError(t, err)
}
