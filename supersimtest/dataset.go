package supersimtest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/supersimkit/supersim"
)

// Sample is one SIM's usage in one hour: the raw data the server aggregates
// into usage records. Samples may bill in several currencies, and a
// Currency of "" is usage whose billing is still pending (Billed is then
// normally zero): the server keeps each currency, and pending usage, in
// records of their own.
type Sample struct {
	Sim        string           // Sim SID, HS + 32 hex digits
	SimName    string           // the Sim's unique name, may be ""
	Fleet      string           // Fleet SID, HF + 32 hex digits
	FleetName  string           // the Fleet's unique name, may be ""
	Network    string           // Network SID, HW + 32 hex digits
	IsoCountry string           // ISO 3166-1 alpha-2, upper-case
	Hour       time.Time        // the start of the hour, UTC
	Upload     int64            // bytes
	Download   int64            // bytes
	Billed     supersim.Decimal // amount billed for the hour
	Currency   string           // ISO 4217; "" while billing is pending
}

// DemoSIMs, DemoFleets and DemoNetworks size the demo account: DemoSIMs
// SIMs with usage (and DemoIdleSIMs without) in DemoFleets fleets, roaming
// on DemoNetworks networks, over DemoDays days.
const (
	DemoSIMs     = 100
	DemoIdleSIMs = 3
	DemoFleets   = 4
	DemoNetworks = 5
	DemoDays     = 36 // a little over five weeks
)

// demoNetwork is a demo network's country and its price in millionths of a
// dollar per KiB.
type demoNetwork struct {
	country      string
	microsPerKiB int64
}

var demoNetworks = [DemoNetworks]demoNetwork{{"FR", 95}, {"DE", 110}, {"US", 80}, {"GB", 120}, {"ES", 105}}

var demoFleetNames = [DemoFleets]string{"paris-trackers", "berlin-meters", "texas-pumps", "london-kiosks"}

// DemoDataset returns the usage of the demo account ([DemoAccount]): its
// DemoSIMs SIMs' hourly usage for the DemoDays days up to the hour before
// now (UTC). The same seed and now give the same samples.
func DemoDataset(seed uint64, now time.Time) []Sample { return demoUsage(seed, now).samples }

// demoSim is a demo SIM that uses data.
type demoSim struct {
	sid, name           string
	fleet, home, roam   int
	activity, heaviness int64
	hourly              []hourUse // its usage, oldest hour first
}

// hourUse is one SIM's bytes in one hour.
type hourUse struct {
	hour  time.Time
	bytes int64
}

// demoData is the demo's usage and the SIDs it names.
type demoData struct {
	fleets   [DemoFleets]string
	networks [DemoNetworks]string
	sims     []demoSim
	samples  []Sample
	end      time.Time // the hour after the last sample
}

// demoUsage makes the demo's SIDs and usage, from a generator of their own
// so that the samples stay as they are when the account's other resources
// change.
func demoUsage(seed uint64, now time.Time) *demoData {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	sidOf := func(prefix string) string {
		return fmt.Sprintf("%s%016x%016x", prefix, rng.Uint64(), rng.Uint64())
	}
	d := &demoData{sims: make([]demoSim, DemoSIMs), end: now.UTC().Truncate(time.Hour)}
	for i := range d.fleets {
		d.fleets[i] = sidOf("HF")
	}
	for i := range d.networks {
		d.networks[i] = sidOf("HW")
	}
	for i := range d.sims {
		fleet := i % DemoFleets
		home := fleet % DemoNetworks
		d.sims[i] = demoSim{
			sid: sidOf("HS"), name: fmt.Sprintf("%s.sim.%d", demoFleetNames[fleet], i+1),
			fleet: fleet, home: home, roam: (home + 1 + rng.IntN(DemoNetworks-1)) % DemoNetworks,
			activity: 40 + rng.Int64N(55), heaviness: 1 + rng.Int64N(20),
		}
	}
	start := d.end.Truncate(24*time.Hour).AddDate(0, 0, -DemoDays)
	for hour := start; hour.Before(d.end); hour = hour.Add(time.Hour) {
		for i := range d.sims {
			s := &d.sims[i]
			if rng.Int64N(100) >= s.activity {
				continue // idle this hour
			}
			network := s.home
			if rng.IntN(10) == 0 {
				network = s.roam
			}
			up := rng.Int64N(s.heaviness * 8 << 10)
			down := rng.Int64N(s.heaviness * 32 << 10)
			micros := (up + down) * demoNetworks[network].microsPerKiB >> 10
			s.hourly = append(s.hourly, hourUse{hour, up + down})
			d.samples = append(d.samples, Sample{
				Sim: s.sid, SimName: s.name,
				Fleet: d.fleets[s.fleet], FleetName: demoFleetNames[s.fleet],
				Network: d.networks[network], IsoCountry: demoNetworks[network].country,
				Hour: hour, Upload: up, Download: down,
				Billed:   supersim.MustParseDecimal(fmt.Sprintf("%d.%06d", micros/1e6, micros%1e6)),
				Currency: "USD",
			})
		}
	}
	return d
}
