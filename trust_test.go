package supersim_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestAPageWithMoreRecordsThanAskedForIsRefusedAsItIsRead(t *testing.T) {
	t.Parallel()
	// 300,000 empty records for PageSize 10: 0.9 MB that decoded whole took 362 MiB.
	body := `{"usage_records": [{}` + strings.Repeat(`,{}`, 300_000-1) + `], "meta": {"key": "usage_records", "page_size": 10}}`
	client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body)
	})
	_, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10}).Collect()
	require.ErrorIs(t, err, supersim.ErrInvalidResponse)
	assert.Contains(t, err.Error(), "more items than the 10 asked for")
	assert.Len(t, api.Requests(), 1, "not retried")

	// Without a PageSize, the most any page may hold.
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	assert.ErrorContains(t, err, "more items than the 1000 asked for")
}

func TestAWindowedWalkEndingInTheFutureEndsWithTheCurrentBucket(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	start := time.Now().UTC().Truncate(time.Hour).Add(-60 * time.Hour)
	walk := func(end time.Time) ([]supersim.UsageRecord, int) {
		before := len(srv.Requests())
		recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
			Group: supersim.GroupFleet, Granularity: supersim.GranularityHour, StartTime: start, EndTime: end, Concurrency: 4}).Collect()
		require.NoError(t, err)
		return recs, len(srv.Requests()) - before
	}
	open, openRequests := walk(time.Time{})
	future, futureRequests := walk(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, open, future, "the same records as a walk without EndTime")
	assert.LessOrEqual(t, futureRequests, openRequests+2, "no request per empty future bucket (878 before)")
	_, farRequests := walk(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	assert.LessOrEqual(t, farRequests, openRequests+2)
}

func TestTimesTheAPIWouldRefuseAreRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	client, api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"usage_records": [], "meta": {"key": "usage_records"}}`)
	})
	today := time.Now().UTC().Truncate(24 * time.Hour)
	field := func(opts supersim.ListUsageRecordsOptions) []string {
		_, err := client.ListUsageRecords(context.Background(), &opts).Collect()
		var fields []string
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var v *supersim.ValidationError
			require.ErrorAs(t, e, &v)
			fields = append(fields, v.Field)
		}
		return fields
	}
	hour, day := supersim.GranularityHour, supersim.GranularityDay
	for _, concurrency := range []int{0, 4} { // sequential and windowed walks alike
		assert.Equal(t, []string{"StartTime", "EndTime"}, field(supersim.ListUsageRecordsOptions{Granularity: hour,
			StartTime: today.Add(-90 * time.Minute), EndTime: today.Add(30 * time.Second), Concurrency: concurrency}), "83602")
		assert.Equal(t, []string{"StartTime", "EndTime"}, field(supersim.ListUsageRecordsOptions{Granularity: day,
			StartTime: today.Add(-47 * time.Hour), EndTime: today.Add(time.Hour), Concurrency: concurrency}), "83601")
	}
	assert.Equal(t, []string{"EndTime"}, field(supersim.ListUsageRecordsOptions{Group: supersim.GroupSim,
		StartTime: today.AddDate(0, 0, -40), EndTime: today}), "83603")
	assert.Equal(t, []string{"EndTime"}, field(supersim.ListUsageRecordsOptions{Granularity: day,
		StartTime: today.AddDate(0, 0, -90), EndTime: today}), "83604: three months are at most 89 days")
	assert.Empty(t, api.Requests(), "nothing is sent")

	// What the API accepts goes through: a whole hour; 89 days by day; 31 days by SIM.
	for _, opts := range []supersim.ListUsageRecordsOptions{
		{Granularity: hour, StartTime: today.Add(-time.Hour), EndTime: today},
		{Granularity: day, StartTime: today.AddDate(0, 0, -89), EndTime: today},
		{Group: supersim.GroupSim, StartTime: today.AddDate(0, 0, -31), EndTime: today},
		{StartTime: today.Add(-90 * time.Minute), EndTime: today.Add(30 * time.Second)},
	} {
		_, err := client.ListUsageRecords(context.Background(), &opts).Collect()
		require.NoError(t, err)
	}
	assert.Len(t, api.Requests(), 4)
}
