package supersim_test

import (
	"context"
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
