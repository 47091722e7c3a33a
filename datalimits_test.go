package supersim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// expectedUse computes, straight from the fake's account and by the
// definition (hourly samples from the current period's start floored to
// the hour, before now), the bytes used, uploaded, and billed per currency
// of each SIM.
func expectedUse(a supersimtest.Account, now time.Time) (used, upload map[string]int64, billed map[string]map[string]supersim.Decimal) {
	start := map[string]time.Time{}
	for _, p := range a.BillingPeriods {
		if !now.Before(p.StartTime) && now.Before(p.EndTime) {
			start[p.SimSID] = p.StartTime.Truncate(time.Hour)
		}
	}
	used, upload, billed = map[string]int64{}, map[string]int64{}, map[string]map[string]supersim.Decimal{}
	for _, s := range a.Samples {
		if from, ok := start[s.Sim]; ok && !s.Hour.Before(from) && s.Hour.Before(now) {
			used[s.Sim] += s.Upload + s.Download
			upload[s.Sim] += s.Upload
			if billed[s.Sim] == nil {
				billed[s.Sim] = map[string]supersim.Decimal{}
			}
			billed[s.Sim][s.Currency] = billed[s.Sim][s.Currency].Add(s.Billed)
		}
	}
	return used, upload, billed
}

func TestDataLimitsMatchTheDefinitionAndCostWhatTheySay(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	now := time.Now().UTC()
	account := srv.Account()
	want, wantUpload, wantBilled := expectedUse(account, now)
	limits := map[string]supersimtest.Fleet{}
	for _, f := range account.Fleets {
		limits[f.SID] = f
	}

	cache := &supersim.PeriodsInMemory{}
	rows, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Periods: cache, Now: now})
	require.NoError(t, err)
	require.Len(t, rows, len(account.Sims))
	over80, over100 := 0, 0
	for i, r := range rows {
		if i > 0 {
			assert.GreaterOrEqual(t, rows[i-1].Percent, r.Percent, "highest first")
		}
		f := limits[r.FleetSID]
		if r.PeriodStart.IsZero() || !f.DataEnabled || r.FleetSID == "" {
			assert.Zero(t, r.LimitBytes, r.SimName)
			assert.Zero(t, r.Percent, r.SimName)
		} else {
			assert.Equal(t, f.DataLimit*1_000_000, r.LimitBytes, r.SimName)
			assert.InDelta(t, float64(want[r.SimSID])/float64(r.LimitBytes)*100, r.Percent, 1e-9, r.SimName)
		}
		if r.FleetSID != "" {
			assert.Equal(t, f.UniqueName, r.FleetName)
			assert.Equal(t, want[r.SimSID], r.UsedBytes, "%s: used bytes by the definition", r.SimName)
			assert.Equal(t, wantUpload[r.SimSID], r.UploadBytes, r.SimName)
			assert.Equal(t, r.UsedBytes, r.UploadBytes+r.DownloadBytes, r.SimName)
			for currency, amount := range r.Billed {
				assert.Equal(t, wantBilled[r.SimSID][currency].String(), amount.String(), "%s: billed %s, exact", r.SimName, currency)
			}
			assert.Len(t, r.Billed, len(wantBilled[r.SimSID]), r.SimName)
		}
		if r.Percent >= 80 {
			over80++
		}
		if r.Percent >= 100 {
			over100++
			assert.True(t, r.Reaches.IsZero(), "already reached")
		}
	}
	assert.GreaterOrEqual(t, over80, 3, "the demo has SIMs above 80%")
	assert.GreaterOrEqual(t, over100, 1, "and one above 100%")

	// The second run reads its periods from the cache: no BillingPeriods request.
	before := len(srv.Requests())
	again, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Periods: cache, Now: now})
	require.NoError(t, err)
	assert.Equal(t, rows, again)
	withPeriod := map[string]bool{}
	for _, r := range rows {
		withPeriod["/v1/Sims/"+r.SimSID+"/BillingPeriods"] = !r.PeriodStart.IsZero()
	}
	for _, r := range srv.Requests()[before:] {
		assert.False(t, withPeriod[r.Path], "%s: a cached period costs no request", r.Path)
	}

	// One fleet, by name; one SIM, by name.
	paris, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Fleet: "paris-trackers", Now: now})
	require.NoError(t, err)
	require.NotEmpty(t, paris)
	for _, r := range paris {
		assert.Equal(t, "paris-trackers", r.FleetName)
	}
	one, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Sim: rows[0].SimName, Now: now})
	require.NoError(t, err)
	assert.Equal(t, []supersim.SimDataLimit{rows[0]}, one)

	_, err = client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Fleet: " x", Concurrency: 99})
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v)
}

// TestDataLimitsKeepToConcurrency checks that the watch never has more
// than Concurrency requests in flight, however many fleets it walks: the
// fleets' usage walks run one after another (all at once, each at
// Concurrency, they held fleets × Concurrency requests and pages).
func TestDataLimitsKeepToConcurrency(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer()
	defer srv.Close()
	srv.SetLatency(5 * time.Millisecond) // requests overlap
	client, err := srv.Client()
	require.NoError(t, err)
	rows, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Concurrency: 2})
	require.NoError(t, err)
	fleets := map[string]bool{}
	for _, r := range rows {
		if !r.PeriodStart.IsZero() && r.FleetSID != "" {
			fleets[r.FleetSID] = true
		}
	}
	require.Greater(t, len(fleets), 2, "several fleets' usage to walk")
	assert.LessOrEqual(t, srv.Stats().PeakInFlight, 2)
}

// busyFleets is an account of fleets fleets of sims SIMs each, every SIM
// active with a period started in the last two days and hourly usage over
// them: enough usage pages per fleet for a walk to fill 8 slots.
func busyFleets(fleets, sims int, now time.Time) supersimtest.Account {
	var a supersimtest.Account
	sid := func(prefix string, i int) string { return fmt.Sprintf("%s%032x", prefix, i+1) }
	created := now.AddDate(0, -1, 0)
	for f := range fleets {
		a.Fleets = append(a.Fleets, supersimtest.Fleet{SID: sid("HF", f), UniqueName: fmt.Sprint("fleet-", f), DataEnabled: true,
			DataLimit: 100, NetworkAccessProfileSID: sid("HA", 0), DateCreated: created, DateUpdated: created})
	}
	first := now.Truncate(time.Hour).Add(-48 * time.Hour)
	for i := range fleets * sims {
		s := supersimtest.Sim{SID: sid("HS", i), UniqueName: fmt.Sprint("sim-", i), Status: "active", FleetSID: sid("HF", i%fleets),
			DateCreated: created, DateUpdated: created}
		a.Sims = append(a.Sims, s)
		start := first.Add(time.Duration(i%47)*time.Hour + 17*time.Second)
		a.BillingPeriods = append(a.BillingPeriods, supersimtest.BillingPeriod{SID: sid("HB", i), SimSID: s.SID, StartTime: start,
			EndTime: start.AddDate(0, 1, 0), PeriodType: "active", DateCreated: start, DateUpdated: start})
		for h := range 48 {
			a.Samples = append(a.Samples, supersimtest.Sample{Sim: s.SID, Fleet: s.FleetSID, Network: sid("HW", 0), IsoCountry: "FR",
				Hour: first.Add(time.Duration(h) * time.Hour), Upload: 100, Download: 1000, Billed: supersim.MustParseDecimal("0.01"), Currency: "USD"})
		}
	}
	return a
}

// TestDataLimitsShareConcurrencyAcrossFleets checks the default watch on
// fleets whose usage walks fill 8 slots each: two fleets' walks run side
// by side and share the watch's 8 requests in flight (with slots of their
// own, they held 16).
func TestDataLimitsShareConcurrencyAcrossFleets(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	srv := supersimtest.NewServer(supersimtest.WithAccount(busyFleets(4, 200, now)))
	defer srv.Close()
	srv.SetLatency(5 * time.Millisecond) // requests overlap
	client, err := srv.Client()
	require.NoError(t, err)
	cache := &supersim.PeriodsInMemory{}
	first, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Periods: cache, Now: now})
	require.NoError(t, err)
	before := len(srv.Requests())
	again, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{Periods: cache, Now: now})
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.LessOrEqual(t, srv.Stats().PeakInFlight, 8)
	pages := 0
	for _, r := range srv.Requests()[before:] {
		if r.Path == "/v1/UsageRecords" {
			pages++
		}
	}
	assert.Greater(t, pages, 4*16, "each fleet's walks have pages enough for 16 slots")
}

// TestDataLimitsWalkEachFleetsUsageOnce checks that walks side by side
// cost what walks one after another did: each fleet's usage is asked for
// once, its windows (the first page of each: no PageToken) disjoint.
func TestDataLimitsWalkEachFleetsUsageOnce(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	_, err = client.DataLimits(context.Background(), nil)
	require.NoError(t, err)
	type window struct{ start, end time.Time }
	windows := map[string][]window{} // by fleet and granularity
	fleets := map[string]bool{}
	for _, r := range srv.Requests() {
		q := r.Query
		if r.Path != "/v1/UsageRecords" || q.Get("PageToken") != "" {
			continue
		}
		start, err := time.Parse(time.RFC3339, q.Get("StartTime"))
		require.NoError(t, err)
		end, err := time.Parse(time.RFC3339, q.Get("EndTime"))
		require.NoError(t, err)
		key := q.Get("Fleet") + " " + q.Get("Granularity")
		for _, w := range windows[key] {
			assert.False(t, start.Before(w.end) && w.start.Before(end), "%s: [%v, %v) overlaps [%v, %v)", key, start, end, w.start, w.end)
		}
		windows[key] = append(windows[key], window{start, end})
		fleets[q.Get("Fleet")] = true
	}
	assert.Greater(t, len(fleets), 2, "several fleets walked")
}
