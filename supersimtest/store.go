package supersimtest

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
)

// store is the server's usage in a compact form without pointers: the
// strings of the samples interned into tables, their hours and amounts
// into tables of distinct values, and one row of integers per sample,
// ordered by hour (stable), as the API reads them. The garbage collector
// never scans the rows, and a query reads only integers. The samples
// themselves are not kept: samples rebuilds them.
type store struct {
	rows       []row
	hours      []time.Time // distinct Sample.Hour values, by id, ordered by instant
	amounts    []storedAmount
	sims       pairs // (Sim, SimName): ids in sids and simNames
	fleets     pairs // (Fleet, FleetName): ids in fleetSIDs and fleetNames
	places     pairs // (IsoCountry, Currency): ids in countries and currencies
	sids       table
	simNames   table
	fleetSIDs  table
	fleetNames table
	networks   table
	countries  table
	currencies table
	// The ranks that order records, by the ids of rows: a Sim's SID, a
	// Fleet's SID, a place's country and its currency.
	simRank, fleetRank, countryRank, currencyRank []uint32

	empty []Sample // what samples returns without rows: nil or empty, as given
}

// row is one sample, by the ids of its values.
type row struct {
	upload, download int64
	hour             uint32 // in store.hours
	amount           uint32 // in store.amounts
	sim, fleet       uint32 // in store.sims, store.fleets
	network          uint32 // in store.networks
	place            uint32 // in store.places
}

// storedAmount is one distinct billed amount: as given, exactly as the
// server adds it, and as a fixed-point integer when it fits one.
type storedAmount struct {
	given  supersim.Decimal
	amount Amount
	fixed  fixed
	fits   bool // fixed holds the amount
}

// table interns strings: ids are given in order of first appearance.
type table struct {
	values []string          // by id
	rank   []uint32          // by id: the place of the value in sorted order
	json   []string          // by id: the value as a JSON string, null for ""
	ids    map[string]uint32 // while the store is built
	last   string            // the latest value interned, a fast path for runs
	lastID uint32
}

// intern returns the id of v, adding it if new.
func (t *table) intern(v string) uint32 {
	if len(t.values) > 0 && v == t.last {
		return t.lastID
	}
	id, added := internID(&t.ids, v)
	if added {
		t.values = append(t.values, v)
	}
	t.last, t.lastID = v, id
	return id
}

// internID returns the id of v in ids, giving it the next id (the count of
// ids) if it has none; added reports that it had none.
func internID[K comparable](ids *map[K]uint32, v K) (id uint32, added bool) {
	if id, ok := (*ids)[v]; ok {
		return id, false
	}
	if *ids == nil {
		*ids = map[K]uint32{}
	}
	id = uint32(len(*ids))
	(*ids)[v] = id
	return id, true
}

// finish ranks the values and renders them for the wire, once all are in.
func (t *table) finish() {
	order := make([]uint32, len(t.values))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(t.values[a], t.values[b]) })
	t.rank = make([]uint32, len(t.values))
	t.json = make([]string, len(t.values))
	for place, id := range order {
		t.rank[id] = uint32(place)
		t.json[id] = string(appendNullable(nil, t.values[id]))
	}
	t.ids, t.last = nil, ""
}

// pairs interns pairs of ids.
type pairs struct {
	values []pair
	ids    map[pair]uint32 // while the store is built
}

type pair struct{ a, b uint32 }

// intern returns the id of the pair (a, b), adding it if new.
func (p *pairs) intern(a, b uint32) uint32 {
	id, added := internID(&p.ids, pair{a, b})
	if added {
		p.values = append(p.values, pair{a, b})
	}
	return id
}

// rankBy returns, by pair id, the rank of the pair's first id (second: its
// second id) in a table.
func (p *pairs) rankBy(rank []uint32, second bool) []uint32 {
	out := make([]uint32, len(p.values))
	for id, v := range p.values {
		if second {
			out[id] = rank[v.b]
		} else {
			out[id] = rank[v.a]
		}
	}
	return out
}

// newStore keeps samples in a store, ordered by hour: in their order when
// they are, else sorted, stable.
func newStore(samples []Sample) *store {
	st := &store{rows: make([]row, len(samples))}
	if len(samples) == 0 && samples != nil {
		st.empty = []Sample{}
	}
	var hourIDs map[time.Time]uint32
	var amountIDs map[supersim.Decimal]uint32
	for i := range samples {
		s := &samples[i]
		hour, added := internID(&hourIDs, s.Hour)
		if added {
			st.hours = append(st.hours, s.Hour)
		}
		amount, added := internID(&amountIDs, s.Billed)
		if added {
			st.amounts = append(st.amounts, newStoredAmount(s.Billed))
		}
		st.rows[i] = row{
			upload: s.Upload, download: s.Download, hour: hour, amount: amount,
			sim:     st.sims.intern(st.sids.intern(s.Sim), st.simNames.intern(s.SimName)),
			fleet:   st.fleets.intern(st.fleetSIDs.intern(s.Fleet), st.fleetNames.intern(s.FleetName)),
			network: st.networks.intern(s.Network),
			place:   st.places.intern(st.countries.intern(s.IsoCountry), st.currencies.intern(s.Currency)),
		}
	}
	st.sortByHour()
	st.sims.ids, st.fleets.ids, st.places.ids = nil, nil, nil
	for _, t := range []*table{&st.sids, &st.simNames, &st.fleetSIDs, &st.fleetNames, &st.networks, &st.countries, &st.currencies} {
		t.finish()
	}
	st.simRank = st.sims.rankBy(st.sids.rank, false)
	st.fleetRank = st.fleets.rankBy(st.fleetSIDs.rank, false)
	st.countryRank = st.places.rankBy(st.countries.rank, false)
	st.currencyRank = st.places.rankBy(st.currencies.rank, true)
	return st
}

// sortByHour numbers the hours in order of their instants (stable) and
// orders the rows by them (stable).
func (st *store) sortByHour() {
	order := make([]uint32, len(st.hours))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortStableFunc(order, func(a, b uint32) int { return st.hours[a].Compare(st.hours[b]) })
	renumber := make([]uint32, len(order))
	hours := make([]time.Time, len(order))
	for id, old := range order {
		renumber[old] = uint32(id)
		hours[id] = st.hours[old]
	}
	st.hours = hours
	for i := range st.rows {
		st.rows[i].hour = renumber[st.rows[i].hour]
	}
	byInstant := func(a, b row) int { return hours[a.hour].Compare(hours[b.hour]) }
	if !slices.IsSortedFunc(st.rows, byInstant) {
		slices.SortStableFunc(st.rows, byInstant)
	}
}

func newStoredAmount(d supersim.Decimal) storedAmount {
	a := mustParseAmount(d.String())
	f, fits := fixedOf(a)
	return storedAmount{given: d, amount: a, fixed: f, fits: fits}
}

// samples rebuilds the samples, ordered by hour.
func (st *store) samples() []Sample {
	if len(st.rows) == 0 {
		return st.empty
	}
	out := make([]Sample, len(st.rows))
	for i, r := range st.rows {
		sim, fleet, place := st.sims.values[r.sim], st.fleets.values[r.fleet], st.places.values[r.place]
		out[i] = Sample{
			Sim: st.sids.values[sim.a], SimName: st.simNames.values[sim.b],
			Fleet: st.fleetSIDs.values[fleet.a], FleetName: st.fleetNames.values[fleet.b],
			Network: st.networks.values[r.network], IsoCountry: st.countries.values[place.a],
			Hour: st.hours[r.hour], Upload: r.upload, Download: r.download,
			Billed: st.amounts[r.amount].given, Currency: st.currencies.values[place.b],
		}
	}
	return out
}

// span is where the rows of [start, end) are: a query reads only the
// hours of its range.
func (st *store) span(start, end time.Time) (lo, hi int) {
	at := func(t time.Time) int {
		return sort.Search(len(st.rows), func(i int) bool { return !st.hours[st.rows[i].hour].Before(t) })
	}
	lo = at(start)
	return lo, max(lo, at(end))
}

// selection is which ids pass a query's filters; a nil slice passes all.
type selection struct {
	sims, fleets, networks, countries []bool
}

// selection returns the ids that pass q's Sim, Fleet, Network and
// IsoCountry filters.
func (st *store) selection(q *listQuery) selection {
	var sel selection
	if q.sim != "" {
		sel.sims = pairsMatching(st.sims.values, &st.sids, &st.simNames, q.sim, "HS")
	}
	if q.fleet != "" {
		sel.fleets = pairsMatching(st.fleets.values, &st.fleetSIDs, &st.fleetNames, q.fleet, "HF")
	}
	if q.network != "" {
		sel.networks = make([]bool, len(st.networks.values))
		for id, v := range st.networks.values {
			sel.networks[id] = strings.EqualFold(q.network, v)
		}
	}
	if q.country != "" {
		sel.countries = make([]bool, len(st.places.values))
		for id, p := range st.places.values {
			sel.countries[id] = st.countries.values[p.a] == q.country
		}
	}
	return sel
}

// pairsMatching marks the (SID, name) pairs that filter selects.
func pairsMatching(values []pair, sids, names *table, filter, prefix string) []bool {
	out := make([]bool, len(values))
	for id, p := range values {
		out[id] = matchesSIDOrName(filter, prefix, sids.values[p.a], names.values[p.b])
	}
	return out
}

// has reports whether r passes the filters.
func (sel *selection) has(r *row) bool {
	return (sel.sims == nil || sel.sims[r.sim]) && (sel.fleets == nil || sel.fleets[r.fleet]) &&
		(sel.networks == nil || sel.networks[r.network]) && (sel.countries == nil || sel.countries[r.place])
}
