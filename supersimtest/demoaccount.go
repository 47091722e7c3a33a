package supersimtest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// demoFleet is a demo fleet's limit (MB per SIM and billing period), and
// the share of that limit its heaviest SIMs have used in their current
// billing period, heaviest first (the data-limit watch's demo).
type demoFleet struct {
	dataLimit   int64
	dataEnabled bool
	heaviest    []float64
}

var demoFleets = [DemoFleets]demoFleet{
	{50, true, []float64{1.25, 0.92, 0.83}}, // paris-trackers: one SIM over its limit
	{20, true, []float64{1.08, 0.88}},       // berlin-meters: one over
	{100, true, []float64{0.86}},            // texas-pumps
	{250, false, nil},                       // london-kiosks: data disabled
}

// demoNetworkNames are the demo networks' names and identifiers, in the
// order of demoNetworks.
var demoNetworkNames = [DemoNetworks]struct {
	name string
	ids  []NetworkIdentifier
}{
	{"Orange France", []NetworkIdentifier{{"208", "01"}}},
	{"Telekom Deutschland", []NetworkIdentifier{{"262", "01"}}},
	{"AT&T", []NetworkIdentifier{{"310", "410"}, {"310", "150"}}},
	{"Vodafone UK", []NetworkIdentifier{{"234", "15"}}},
	{"Movistar", []NetworkIdentifier{{"214", "07"}}},
}

// maxElapsed is the longest a demo SIM's current billing period has run:
// less than the shortest month, so that it holds now.
const maxElapsed = 27 * 24 * time.Hour

// DemoAccount returns the demo account for the clock now: DemoFleets
// fleets with unique names and different data limits (london-kiosks with
// data disabled), DemoNetworks networks with names and MCC/MNC identifiers,
// DemoSIMs SIMs with unique names, ICCIDs and hourly usage for the
// DemoDays days up to the hour before now ([DemoDataset]), in the statuses
// active, ready and scheduled, and DemoIdleSIMs SIMs without usage (new in
// a fleet, new without a fleet, inactive). Every SIM but the new ones has
// monthly billing periods starting at odd seconds, the last one holding
// now (none for the inactive SIM). In their current period, several SIMs
// have used over 80% of their fleet's data_limit and some over 100%,
// whatever now is. The same seed and now give the same account.
func DemoAccount(seed uint64, now time.Time) Account {
	d := demoUsage(seed, now)
	rng := rand.New(rand.NewPCG(seed, seed^0xacc0))
	hex := func(prefix string) string { return fmt.Sprintf("%s%016x%016x", prefix, rng.Uint64(), rng.Uint64()) }
	day := d.end.Truncate(24 * time.Hour)
	odd := func(t time.Time) time.Time { // a time of the hour with odd seconds
		return t.Add(time.Duration(1+rng.IntN(59))*time.Minute + time.Duration(1+2*rng.IntN(29))*time.Second)
	}
	a := Account{Samples: d.samples}
	profiles := [2]string{hex("HA"), hex("HA")}
	for i, f := range demoFleets {
		created := odd(day.AddDate(0, 0, -400+30*i).Add(9 * time.Hour))
		a.Fleets = append(a.Fleets, Fleet{SID: d.fleets[i], UniqueName: demoFleetNames[i], DataEnabled: f.dataEnabled,
			DataLimit: f.dataLimit, DataMetering: "payg", NetworkAccessProfileSID: profiles[i/2],
			SmsCommandsEnabled: i == 0, DateCreated: created, DateUpdated: created.AddDate(0, 0, 40)})
	}
	for i, n := range demoNetworkNames {
		a.Networks = append(a.Networks, Network{SID: d.networks[i], FriendlyName: n.name,
			IsoCountry: demoNetworks[i].country, Identifiers: n.ids})
	}
	targets := demoTargets(d, rng)
	for i, s := range d.sims {
		status := "active"
		switch {
		case i%10 == 3:
			status = "ready"
		case i%25 == 9:
			status = "scheduled"
		}
		start := odd(periodStart(s.hourly, d.end, targets[i]*float64(demoFleets[s.fleet].dataLimit)*1e6))
		previous := 0
		if status != "ready" {
			previous = rng.IntN(3)
		}
		a.Sims = append(a.Sims, demoSIM(rng, s.sid, s.name, status, d.fleets[s.fleet], start.AddDate(0, -previous, 0)))
		a.Sims[i].DateUpdated = start
		a.BillingPeriods = append(a.BillingPeriods, demoPeriods(hex, s.sid, start, previous, status)...)
	}
	a.Sims = append(a.Sims,
		demoSIM(rng, hex("HS"), "spare.sim.1", "new", d.fleets[0], odd(day.AddDate(0, 0, -12))),
		demoSIM(rng, hex("HS"), "unassigned.sim", "new", "", odd(day.AddDate(0, 0, -3))))
	retired := demoSIM(rng, hex("HS"), "retired.sim", "inactive", d.fleets[1], odd(day.AddDate(0, 0, -120)))
	retired.DateUpdated = odd(day.AddDate(0, 0, -60))
	a.Sims = append(a.Sims, retired)
	periods := demoPeriods(hex, retired.SID, retired.DateCreated.Add(time.Hour).AddDate(0, 1, 0), 1, "inactive")
	periods[1].EndTime = retired.DateUpdated
	a.BillingPeriods = append(a.BillingPeriods, periods...)
	return a
}

// demoSIM is a demo Sim created a few days before its first billing
// period starts (or, for a new SIM, at first).
func demoSIM(rng *rand.Rand, sid, name, status, fleet string, first time.Time) Sim {
	created := first
	if status != "new" {
		created = first.Add(-time.Duration(1+rng.IntN(20*24)) * time.Hour)
	}
	iccid := fmt.Sprintf("8988307%013d", rng.Int64N(1e13))
	if name == "unassigned.sim" {
		iccid = iccid[:19] // ICCIDs have 19 or 20 digits
	}
	return Sim{SID: sid, UniqueName: name, ICCID: iccid, Status: status, FleetSID: fleet,
		DateCreated: created, DateUpdated: created}
}

// demoPeriods are a SIM's monthly billing periods: previous ones, then
// the current one from start; the first is "ready" when there are
// previous ones or the SIM is ready, the others "active".
func demoPeriods(hex func(string) string, sim string, start time.Time, previous int, status string) []BillingPeriod {
	var periods []BillingPeriod
	for k := previous; k >= 0; k-- {
		from := start.AddDate(0, -k, 0)
		kind := "active"
		if k == previous && (previous > 0 || status == "ready") {
			kind = "ready"
		}
		periods = append(periods, BillingPeriod{SID: hex("HB"), SimSID: sim, StartTime: from,
			EndTime: start.AddDate(0, 1-k, 0), PeriodType: kind,
			DateCreated: from.Add(time.Second), DateUpdated: from.Add(time.Second)})
	}
	return periods
}

// demoTargets is, for each SIM with usage, the share of its fleet's limit
// it has used in its current billing period: the fleet's heaviest SIMs
// (by usage over the longest period) get demoFleet.heaviest, the others
// less than 70%.
func demoTargets(d *demoData, rng *rand.Rand) []float64 {
	targets := make([]float64, len(d.sims))
	byUse := make([]int, len(d.sims))
	use := make([]int64, len(d.sims))
	for i, s := range d.sims {
		targets[i], byUse[i] = 0.05+0.65*rng.Float64(), i
		for _, h := range s.hourly {
			if !h.hour.Before(d.end.Add(-maxElapsed)) {
				use[i] += h.bytes
			}
		}
	}
	slices.SortStableFunc(byUse, func(a, b int) int { return cmp.Compare(use[b], use[a]) })
	taken := [DemoFleets]int{}
	for _, i := range byUse {
		if f := d.sims[i].fleet; taken[f] < len(demoFleets[f].heaviest) {
			targets[i] = demoFleets[f].heaviest[taken[f]]
			taken[f]++
		}
	}
	return targets
}

// periodStart is the latest hour from which a SIM's usage reaches used
// bytes, at most maxElapsed before end.
func periodStart(hourly []hourUse, end time.Time, used float64) time.Time {
	var sum int64
	for i := len(hourly) - 1; i >= 0; i-- {
		if hourly[i].hour.Before(end.Add(-maxElapsed)) {
			break
		}
		if sum += hourly[i].bytes; float64(sum) >= used {
			return hourly[i].hour
		}
	}
	return end.Add(-maxElapsed)
}
