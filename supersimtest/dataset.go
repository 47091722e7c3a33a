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

// DemoSIMs, DemoFleets and DemoNetworks size the demo dataset.
const (
	DemoSIMs     = 100
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

// DemoDataset returns the demo data: DemoSIMs SIMs in DemoFleets fleets
// roaming on DemoNetworks networks in five countries, with hourly usage for
// the DemoDays days up to the hour before now (UTC). The same seed and now
// give the same samples.
func DemoDataset(seed uint64, now time.Time) []Sample {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	sidOf := func(prefix string) string {
		return fmt.Sprintf("%s%016x%016x", prefix, rng.Uint64(), rng.Uint64())
	}
	var fleets [DemoFleets]string
	for i := range fleets {
		fleets[i] = sidOf("HF")
	}
	var networks [DemoNetworks]string
	for i := range networks {
		networks[i] = sidOf("HW")
	}
	type sim struct {
		sid, name           string
		fleet, home, roam   int
		activity, heaviness int64
	}
	sims := make([]sim, DemoSIMs)
	for i := range sims {
		fleet := i % DemoFleets
		home := fleet % DemoNetworks
		sims[i] = sim{
			sid: sidOf("HS"), name: fmt.Sprintf("%s.sim.%d", demoFleetNames[fleet], i+1),
			fleet: fleet, home: home, roam: (home + 1 + rng.IntN(DemoNetworks-1)) % DemoNetworks,
			activity: 40 + rng.Int64N(55), heaviness: 1 + rng.Int64N(20),
		}
	}
	end := now.UTC().Truncate(time.Hour)
	start := end.Truncate(24*time.Hour).AddDate(0, 0, -DemoDays)
	var samples []Sample
	for hour := start; hour.Before(end); hour = hour.Add(time.Hour) {
		for _, s := range sims {
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
			samples = append(samples, Sample{
				Sim: s.sid, SimName: s.name,
				Fleet: fleets[s.fleet], FleetName: demoFleetNames[s.fleet],
				Network: networks[network], IsoCountry: demoNetworks[network].country,
				Hour: hour, Upload: up, Download: down,
				Billed:   supersim.MustParseDecimal(fmt.Sprintf("%d.%06d", micros/1e6, micros%1e6)),
				Currency: "USD",
			})
		}
	}
	return samples
}
