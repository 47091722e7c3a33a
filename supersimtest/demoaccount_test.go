package supersimtest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// limitShares is the data-limit watch's arithmetic, written out for the
// test: per SIM of a fleet with data enabled, the bytes used from its
// current billing period's start floored to the hour until now, over
// data_limit × 1,000,000.
func limitShares(a supersimtest.Account, now time.Time) map[string]float64 {
	limits := map[string]int64{}
	for _, f := range a.Fleets {
		if f.DataEnabled {
			limits[f.SID] = f.DataLimit * 1_000_000
		}
	}
	current := map[string]time.Time{}
	for _, p := range a.BillingPeriods {
		if !p.StartTime.After(now) && now.Before(p.EndTime) {
			current[p.SimSID] = p.StartTime.Truncate(time.Hour)
		}
	}
	used := map[string]int64{}
	for _, s := range a.Samples {
		if from, ok := current[s.Sim]; ok && !s.Hour.Before(from) && s.Hour.Before(now) {
			used[s.Sim] += s.Upload + s.Download
		}
	}
	shares := map[string]float64{}
	for _, sim := range a.Sims {
		if _, ok := current[sim.SID]; ok && limits[sim.FleetSID] > 0 {
			shares[sim.UniqueName] = float64(used[sim.SID]) / float64(limits[sim.FleetSID])
		}
	}
	return shares
}

func TestDemoAccountHasSIMsNearAndOverTheirLimit(t *testing.T) {
	t.Parallel()
	// By construction the shares do not depend on now; try every other
	// hour of the day, on days of months of each length, and other seeds.
	type clock struct {
		seed uint64
		now  time.Time
	}
	var clocks []clock
	for h := 0; h < 24; h += 2 {
		day := time.Date(2026, time.Month(1+h/2), 28+h%4, 0, 0, 0, 0, time.UTC)
		clocks = append(clocks, clock{supersimtest.DemoSeed, day.Add(time.Duration(h)*time.Hour + 17*time.Minute + time.Duration(h)*time.Second)})
	}
	for _, seed := range []uint64{1, 7, 99} {
		clocks = append(clocks, clock{seed, time.Date(2026, 12, 3, 23, 59, 59, 0, time.UTC)})
	}
	for _, c := range clocks {
		shares := limitShares(supersimtest.DemoAccount(c.seed, c.now), c.now)
		var over80, over100 []string
		for name, share := range shares {
			if share >= 0.8 {
				over80 = append(over80, fmt.Sprintf("%s %.2f", name, share))
			}
			if share >= 1 {
				over100 = append(over100, name)
			}
		}
		require.GreaterOrEqual(t, len(over80), 3, "seed %d, now %v: %v", c.seed, c.now, over80)
		require.NotEmpty(t, over100, "seed %d, now %v", c.seed, c.now)
		require.Less(t, len(over80), len(shares)/4, "most SIMs are well below their limit")
		if c.seed == supersimtest.DemoSeed && c.now.Hour() == 0 {
			slices.Sort(over80)
			t.Logf("over 80%%: %s", strings.Join(over80, ", "))
		}
	}
}
