// Package mocking is a small downstream package, written the way we
// recommend: its code depends on supersim.UsageRecordsLister, not on
// *supersim.Client, so its tests can hand it a fake. See costalerts_test.go
// for the two ways to do that.
package mocking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/supersimkit/supersim"
)

// Alert is a SIM whose bill over a period passed the limit.
type Alert struct {
	SimSID   string
	Billed   supersim.Decimal
	Currency string
}

// OverBudget lists the SIMs of fleet whose billed usage in [start, end)
// exceeds limit, most expensive first.
func OverBudget(ctx context.Context, usage supersim.UsageRecordsLister, fleet string, start, end time.Time, limit supersim.Decimal) ([]Alert, error) {
	it := usage.ListUsageRecords(ctx, &supersim.ListUsageRecordsOptions{
		Fleet: fleet, Group: supersim.GroupSim, StartTime: start, EndTime: end, PageSize: supersim.MaxPageSize,
	})
	bySim := map[string]*Alert{}
	for rec, err := range it.All() {
		if err != nil {
			return nil, fmt.Errorf("cost alerts for fleet %s: %w", fleet, err)
		}
		a := bySim[rec.SimSID]
		if a == nil {
			a = &Alert{SimSID: rec.SimSID, Currency: rec.BilledUnit}
			bySim[rec.SimSID] = a
		}
		a.Billed = a.Billed.Add(rec.DataTotalBilled)
	}
	var alerts []Alert
	for _, a := range bySim {
		if a.Billed.Cmp(limit) > 0 {
			alerts = append(alerts, *a)
		}
	}
	slices.SortFunc(alerts, func(a, b Alert) int { return b.Billed.Cmp(a.Billed) })
	return alerts, nil
}
