package supersim

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/supersimkit/supersim/internal/limit"
)

// The data-limit watch: how close each Super SIM is to its fleet's data
// limit in its current billing period. A SIM is blocked once its data in
// the period reaches the limit, and neither Twilio nor KORE warns before.

// SimDataLimit is one SIM's standing against its fleet's data limit.
type SimDataLimit struct {
	SimSID, SimName, ICCID string
	Status                 SimStatus
	FleetSID, FleetName    string // "" for a SIM in no fleet
	DataEnabled            bool   // the fleet's data_enabled
	// PeriodStart and PeriodEnd are the current billing period; zero when
	// the SIM has none (a new SIM, or one whose periods ended).
	PeriodStart, PeriodEnd time.Time
	// UsedBytes is the data (upload + download) of the SIM's usage buckets
	// that start at or after PeriodStart floored to the UTC hour, and
	// before now: buckets are whole UTC hours and a period starts to the
	// second, so up to the first hour before the period may be counted.
	UsedBytes int64
	// UploadBytes and DownloadBytes split UsedBytes by direction.
	UploadBytes, DownloadBytes int64
	// Billed is the amount billed for the same buckets, exact, by
	// currency ("" for usage whose billing is pending); nil when none.
	Billed map[string]Decimal
	// LimitBytes is the fleet's data_limit × 1,000,000 (the API says
	// megabytes); 0 when the fleet has data disabled, the SIM is in no
	// fleet, or it has no current period.
	LimitBytes int64
	// Percent is UsedBytes / LimitBytes × 100; 0 when LimitBytes is 0.
	Percent float64
	// Reaches is when UsedBytes reaches LimitBytes at the period's rate so
	// far; zero when it does not before PeriodEnd (or already has).
	Reaches time.Time
}

// PeriodCache keeps SIMs' current billing periods between runs of a
// data-limit watch, so that only SIMs whose period ended cost a request.
// Period returns what was stored for the SIM; the watch uses it only while
// it holds now.
type PeriodCache interface {
	Period(simSID string) (BillingPeriod, bool)
	StorePeriod(p BillingPeriod)
}

// PeriodsInMemory is a [PeriodCache] in memory, safe for concurrent use:
// for a process that watches again and again, such as a metrics exporter.
// Its zero value is ready to use.
type PeriodsInMemory struct {
	mu      sync.Mutex
	periods map[string]BillingPeriod // by SIM SID
}

// Period returns the period stored for the SIM.
func (m *PeriodsInMemory) Period(sim string) (BillingPeriod, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.periods[sim]
	return p, ok
}

// StorePeriod keeps p as its SIM's period.
func (m *PeriodsInMemory) StorePeriod(p BillingPeriod) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.periods == nil {
		m.periods = map[string]BillingPeriod{}
	}
	m.periods[p.SimSID] = p
}

// DataLimitsOptions selects the SIMs of a data-limit watch; the zero value
// watches every SIM of the account.
type DataLimitsOptions struct {
	// Fleet is a Fleet SID or unique name: only its SIMs.
	Fleet string
	// Sim is a Sim SID or unique name: only that SIM.
	Sim string
	// Periods, if set, serves current billing periods it holds and keeps
	// those fetched.
	Periods PeriodCache
	// Concurrency is how many SIMs' billing periods are fetched at once,
	// and how many usage requests run at once (the usage walks of two
	// fleets side by side share it): 1 to MaxConcurrency, or 0 for 8. The
	// Client's adaptive limit applies beneath it.
	Concurrency int
	// Now is the time to watch at; zero for time.Now().
	Now time.Time
}

// DataLimits returns every selected SIM's standing against its fleet's
// data limit, highest percentage first (then by SIM SID). Its cost: one
// walk of Fleets and one of Sims (filtered by fleet, or one fetch with
// Sim), one request per SIM for its billing periods unless opts.Periods
// holds its current one, and per fleet, usage grouped by SIM: by day for
// the days after each SIM's period started, by hour for the days periods
// started on. Never one usage walk per SIM. Two fleets' usage is walked at
// once, the next fleet's starting as one ends, so that one walk's first
// and last requests, fewer than Concurrency, leave no slot idle; together
// they have at most Concurrency requests in flight, and hold at most
// 2 × (11 × max(Concurrency/2, 1) + 2) pages of usage (about 28 MiB at
// Concurrency 8 with pages of 1000, as one walk at Concurrency 8).
func (c *Client) DataLimits(ctx context.Context, opts *DataLimitsOptions) ([]SimDataLimit, error) {
	var o DataLimitsOptions
	if opts != nil {
		o = *opts
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if o.Concurrency == 0 {
		o.Concurrency = 8
	}
	fleets, sims, err := c.fleetsAndSims(ctx, o)
	if err != nil {
		return nil, err
	}
	rows := make([]SimDataLimit, len(sims))
	for i, s := range sims {
		f := fleets[s.FleetSID]
		rows[i] = SimDataLimit{SimSID: s.SID, SimName: s.UniqueName, ICCID: s.ICCID, Status: s.Status,
			FleetSID: s.FleetSID, FleetName: f.UniqueName, DataEnabled: f.DataEnabled}
	}
	if err := c.currentPeriods(ctx, o, rows); err != nil {
		return nil, err
	}
	if err := c.usedInPeriods(ctx, o, rows); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].rate(fleets[rows[i].FleetSID], o.Now)
	}
	slices.SortStableFunc(rows, func(a, b SimDataLimit) int {
		return cmp.Or(cmp.Compare(b.Percent, a.Percent), cmp.Compare(a.SimSID, b.SimSID))
	})
	return rows, nil
}

func (o *DataLimitsOptions) validate() error {
	var v validation
	v.sidOrName("Fleet", o.Fleet, "HF")
	v.sidOrName("Sim", o.Sim, "HS")
	if o.Concurrency < 0 || o.Concurrency > MaxConcurrency {
		v.bad("Concurrency", fmt.Sprintf("must be between 1 and %d, or 0 for 8", MaxConcurrency), fmt.Sprint(o.Concurrency))
	}
	return v.err()
}

// fleetsAndSims reads the fleets (by SID) and the selected SIMs, at once.
func (c *Client) fleetsAndSims(ctx context.Context, o DataLimitsOptions) (map[string]Fleet, []Sim, error) {
	var fleets []Fleet
	var fleetsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		fleets, fleetsErr = c.ListFleets(ctx, nil).Collect()
	}()
	var sims []Sim
	var err error
	if o.Sim != "" {
		var sim *Sim
		if sim, err = c.GetSim(ctx, o.Sim); err == nil {
			sims = []Sim{*sim}
		}
	} else {
		sims, err = c.ListSims(ctx, &ListSimsOptions{Fleet: o.Fleet, ListOptions: ListOptions{PageSize: MaxPageSize}}).Collect()
	}
	<-done
	if err = cmp.Or(err, fleetsErr); err != nil {
		return nil, nil, err
	}
	bySID := make(map[string]Fleet, len(fleets))
	for _, f := range fleets {
		bySID[f.SID] = f
	}
	if o.Fleet != "" && o.Sim != "" {
		sims = slices.DeleteFunc(sims, func(s Sim) bool {
			f := bySID[s.FleetSID]
			return s.FleetSID != o.Fleet && (f.UniqueName == "" || f.UniqueName != o.Fleet)
		})
	}
	return bySID, sims, nil
}

// currentPeriods sets each row's current billing period: from o.Periods
// while it holds now, else from the SIM's list, o.Concurrency SIMs at a
// time. A new SIM has none, and costs no request.
func (c *Client) currentPeriods(ctx context.Context, o DataLimitsOptions, rows []SimDataLimit) error {
	uncached := func(yield func(*SimDataLimit) bool) {
		for i := range rows {
			if rows[i].Status == SimStatusNew {
				continue
			}
			if p, ok := cachedPeriod(o, rows[i].SimSID); ok {
				rows[i].PeriodStart, rows[i].PeriodEnd = p.StartTime, p.EndTime
				continue
			}
			if !yield(&rows[i]) {
				return
			}
		}
	}
	return each(ctx, o.Concurrency, uncached, func(ctx context.Context, row *SimDataLimit) error {
		return c.currentPeriod(ctx, o, row)
	})
}

// each calls do for every item, n items at a time, and returns the first
// error: it cancels the context the others run with, and no item starts
// after it.
func each[T any](ctx context.Context, n int, items iter.Seq[T], do func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for item := range work {
				if err := do(ctx, item); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for item := range items {
		select {
		case work <- item:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// cachedPeriod returns the SIM's period that o.Periods holds, if it holds now.
func cachedPeriod(o DataLimitsOptions, sim string) (BillingPeriod, bool) {
	if o.Periods == nil {
		return BillingPeriod{}, false
	}
	p, ok := o.Periods.Period(sim)
	return p, ok && p.SimSID == sim && holds(p, o.Now)
}

func holds(p BillingPeriod, now time.Time) bool {
	return !now.Before(p.StartTime) && now.Before(p.EndTime)
}

// currentPeriod reads the SIM's billing periods and keeps the one that
// holds now.
func (c *Client) currentPeriod(ctx context.Context, o DataLimitsOptions, row *SimDataLimit) error {
	for p, err := range c.ListBillingPeriods(ctx, row.SimSID, nil).All() {
		if err != nil {
			return err
		}
		if holds(p, o.Now) {
			row.PeriodStart, row.PeriodEnd = p.StartTime, p.EndTime
			if o.Periods != nil {
				o.Periods.StorePeriod(p)
			}
		}
	}
	return nil
}

// fleetsAtOnce is how many fleets' usage a data-limit watch walks side by
// side: two, so that while one fleet's walk starts or ends with fewer
// requests than its slots allow, the other's take the slots left.
const fleetsAtOnce = 2

// usedInPeriods sets each row's UsedBytes from usage grouped by SIM, fleet
// by fleet, fleetsAtOnce fleets at a time (each fleet's walks one after
// another). The walks share o.Concurrency slots, the windows opened first
// served first, and each holds the pages of a walk at Concurrency
// o.Concurrency/fleetsAtOnce (at least 1): the requests in flight stay
// o.Concurrency, and the pages held about those of one walk at
// o.Concurrency, however many fleets there are.
func (c *Client) usedInPeriods(ctx context.Context, o DataLimitsOptions, rows []SimDataLimit) error {
	byFleet := map[string]map[string]*SimDataLimit{}
	for i := range rows {
		r := &rows[i]
		if r.PeriodStart.IsZero() || r.FleetSID == "" {
			continue
		}
		if byFleet[r.FleetSID] == nil {
			byFleet[r.FleetSID] = map[string]*SimDataLimit{}
		}
		byFleet[r.FleetSID][r.SimSID] = r
	}
	slots := c.transport.limits.walkSlots(o.Concurrency)
	fleets := slices.Values(slices.Sorted(maps.Keys(byFleet)))
	return each(ctx, fleetsAtOnce, fleets, func(ctx context.Context, fleet string) error {
		return c.usedInFleet(ctx, o, slots, fleet, byFleet[fleet])
	})
}

// usedInFleet sums the fleet's usage into its SIMs' rows: day buckets after
// the day each SIM's period started on, hour buckets of that day from the
// period's start floored to the hour. The day walk starts on the day after
// the earliest start; the hour walks cover the start days, consecutive ones
// in one walk. The walks take their slots from slots.
func (c *Client) usedInFleet(ctx context.Context, o DataLimitsOptions, slots *limit.Slots, fleet string, sims map[string]*SimDataLimit) error {
	startDay := func(r *SimDataLimit) time.Time { return r.PeriodStart.Truncate(time.Hour).Truncate(24 * time.Hour) }
	today := o.Now.Truncate(24 * time.Hour)
	var days []time.Time
	for _, r := range sims {
		days = append(days, startDay(r))
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	days = slices.Compact(days)

	walk := func(granularity Granularity, start, end time.Time, add func(r *SimDataLimit, bucket time.Time) bool) error {
		opts := &ListUsageRecordsOptions{Fleet: fleet, Group: GroupSim, Granularity: granularity, StartTime: start,
			PageSize: MaxPageSize, Concurrency: max(o.Concurrency/fleetsAtOnce, 1)}
		if c.provider == ProviderKORE {
			opts.PageSize = MaxKOREPageSize
		}
		if end.Before(o.Now) {
			opts.EndTime = end
		}
		for rec, err := range c.UsageRecords.list(ctx, opts, slots).All() {
			if err != nil {
				return err
			}
			if r, ok := sims[rec.SimSID]; ok && rec.Period.StartTime.Before(o.Now) && add(r, rec.Period.StartTime) {
				r.add(rec)
			}
		}
		return nil
	}
	if first := days[0].Add(24 * time.Hour); !first.After(today) {
		err := walk(GranularityDay, first, today.Add(24*time.Hour), func(r *SimDataLimit, bucket time.Time) bool {
			return bucket.After(startDay(r))
		})
		if err != nil {
			return err
		}
	}
	for i := 0; i < len(days); {
		j := i + 1
		for j < len(days) && days[j].Equal(days[j-1].Add(24*time.Hour)) {
			j++
		}
		err := walk(GranularityHour, days[i], days[j-1].Add(24*time.Hour), func(r *SimDataLimit, bucket time.Time) bool {
			return bucket.Truncate(24*time.Hour).Equal(startDay(r)) && !bucket.Before(r.PeriodStart.Truncate(time.Hour))
		})
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// add counts one usage bucket of the SIM's period.
func (r *SimDataLimit) add(rec UsageRecord) {
	r.UsedBytes += rec.DataTotal
	r.UploadBytes += rec.DataUpload
	r.DownloadBytes += rec.DataDownload
	if r.Billed == nil {
		r.Billed = map[string]Decimal{}
	}
	r.Billed[rec.BilledUnit] = r.Billed[rec.BilledUnit].Add(rec.DataTotalBilled)
}

// rate sets LimitBytes, Percent and Reaches from the fleet's limit.
func (r *SimDataLimit) rate(f Fleet, now time.Time) {
	if r.PeriodStart.IsZero() || r.FleetSID == "" || !f.DataEnabled || f.DataLimit <= 0 {
		return
	}
	r.LimitBytes = f.DataLimit * 1_000_000
	r.Percent = float64(r.UsedBytes) / float64(r.LimitBytes) * 100
	elapsed := now.Sub(r.PeriodStart.Truncate(time.Hour))
	if r.UsedBytes <= 0 || r.UsedBytes >= r.LimitBytes || elapsed <= 0 {
		return
	}
	left := time.Duration(float64(elapsed) * float64(r.LimitBytes-r.UsedBytes) / float64(r.UsedBytes))
	if at := now.Add(left); at.Before(r.PeriodEnd) {
		r.Reaches = at.Truncate(time.Second)
	}
}
