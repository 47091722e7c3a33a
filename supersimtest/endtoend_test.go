package supersimtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// TestSDKSumsEqualTheDatasetTotals walks the demo dataset through the SDK
// in many shapes and checks that the records add up, to the byte and to the
// last digit of the amount, to the totals computed straight from the samples.
func TestSDKSumsEqualTheDatasetTotals(t *testing.T) {
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	start := now.Truncate(24*time.Hour).AddDate(0, 0, -30)
	end := now.Truncate(24 * time.Hour)
	sample := srv.Samples()[0]
	tests := []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityAll},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupFleet},
		{Granularity: supersim.GranularityDay, Group: supersim.GroupIsoCountry},
		{Granularity: supersim.GranularityHour, Group: supersim.GroupNetwork, PageSize: 1000},
		{Granularity: supersim.GranularityAll, Group: supersim.GroupSim, PageSize: 7},
		{Granularity: supersim.GranularityHour, Sim: sample.SimName},
		{Granularity: supersim.GranularityDay, Fleet: sample.Fleet, IsoCountry: sample.IsoCountry, Group: supersim.GroupSim, PageSize: 100},
		{Granularity: supersim.GranularityDay, Network: sample.Network},
	}
	for _, opts := range tests {
		opts.StartTime, opts.EndTime = start, end
		t.Run(string(opts.Group)+"/"+string(opts.Granularity)+"/"+opts.Sim+opts.Fleet+opts.Network, func(t *testing.T) {
			want := srv.Totals(supersimtest.Filter{Sim: opts.Sim, Fleet: opts.Fleet, Network: opts.Network, IsoCountry: opts.IsoCountry, Start: start, End: end})
			require.NotZero(t, want.Records, "the case selects no data")
			var got supersimtest.Totals
			for rec, err := range client.ListUsageRecords(context.Background(), &opts).All() {
				require.NoError(t, err)
				got.AddRecord(rec)
				assert.Equal(t, "USD", rec.BilledUnit)
			}
			assert.Equal(t, want.Upload, got.Upload)
			assert.Equal(t, want.Download, got.Download)
			assert.Equal(t, want.Total, got.Total)
			assert.Equal(t, want.Billed.String(), got.Billed.String())
			assert.True(t, want.Billed.Equal(got.Billed), "billed %s, want %s", got.Billed, want.Billed)
			assert.Equal(t, []string{"USD"}, got.Billed.Currencies())
		})
	}
}
