package supersim_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// A windowed walk over a range whose newest part holds no usage costs
// about the requests of one walk, not one per bucket: blind windows grow
// while they come back empty. With MaxRecords that fit in a page, the
// first window is as long as one request may cover: one request, as one
// walk of the newest 31 days.
func TestWindowedWalkCrossesEmptyStretchesInFewRequests(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		days        int
		usageDays   int // the oldest days with usage; 0 for none
		granularity supersim.Granularity
		pageSize    int
		concurrency int
		maxRecords  int
		extra       int // requests allowed beyond one walk's
	}{
		{"62 days hourly, no usage, Concurrency 4", 62, 0, supersim.GranularityHour, 1000, 4, 0, 12},
		{"62 days hourly, no usage, Concurrency 32", 62, 0, supersim.GranularityHour, 1000, 32, 0, 12},
		{"30 days hourly, usage in the oldest 10", 30, 10, supersim.GranularityHour, 1000, 32, 0, 12},
		{"300 days daily, no usage", 300, 0, supersim.GranularityDay, 1000, 32, 0, 12},
		{"MaxRecords 1, the newest 20 of 30 days empty", 30, 10, supersim.GranularityHour, 50, 8, 1, 0},
		{"MaxRecords 1, the newest 50 of 60 days empty", 60, 10, supersim.GranularityHour, 50, 8, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := june1.AddDate(0, 0, -tt.days)
			f := newFleetAPI(t, fleetConfig{sims: 30, from: start, to: start.AddDate(0, 0, tt.usageDays)})
			opts := supersim.ListUsageRecordsOptions{Group: supersim.GroupSim, Granularity: tt.granularity,
				StartTime: start, EndTime: june1, PageSize: tt.pageSize, MaxRecords: tt.maxRecords}
			client := f.client(t)
			var want []supersim.UsageRecord // one walk per 31 days, newest first: what one request may cover
			for end := june1; end.After(start) && (tt.maxRecords == 0 || len(want) < tt.maxRecords); end = end.AddDate(0, 0, -31) {
				part := opts
				part.StartTime, part.EndTime = end.AddDate(0, 0, -31), end
				if part.StartTime.Before(start) {
					part.StartTime = start
				}
				part.MaxRecords = max(tt.maxRecords-len(want), 0)
				recs, err := collect(context.Background(), client, part)
				require.NoError(t, err)
				want = append(want, recs...)
			}
			oneWalk := len(f.Queries())

			opts.Concurrency = tt.concurrency
			got, err := collect(context.Background(), client, opts)
			require.NoError(t, err)
			assertSameRecords(t, want, got)
			requests := len(f.Queries()) - oneWalk
			t.Logf("%d requests; one walk sends %d", requests, oneWalk)
			assert.LessOrEqual(t, requests, oneWalk+tt.extra, "one walk sends %d requests", oneWalk)
		})
	}
}
