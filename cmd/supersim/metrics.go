package main

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/supersimkit/supersim"
)

// The metrics of "supersim serve": a snapshot that a background refresh
// recomputes from the API, and a prometheus.Collector that emits the last
// good snapshot as const metrics. A scrape reads the snapshot and the
// Client's counters only: it never sends an API request.

// topSIMs is how many SIMs have series of their own: those nearest their
// data limit. It caps the only per-SIM series.
const topSIMs = 10

// limitThresholds are the percentages of their data limit at or over which
// SIMs are counted per fleet, as "supersim limits" counts them.
var limitThresholds = []float64{50, 80, 100}

// snapshot is what one successful refresh computed. It is not changed
// once made.
type snapshot struct {
	fleets    []fleetUsage            // by SID; only the fleets the filters select
	top       []supersim.SimDataLimit // at most topSIMs, highest percentage first
	networks  []namedUsage            // month to date, by network SID
	countries []namedUsage            // month to date, by ISO country code
}

// fleetUsage is one fleet's part of a snapshot.
type fleetUsage struct {
	SID, Name   string
	LimitBytes  int64 // per SIM and billing period; 0 with data disabled
	PeriodBytes int64 // the data-limit watch's UsedBytes, summed over the fleet's SIMs
	Period      usage // the same buckets by direction, and billed
	SIMs        int   // SIMs the watch saw in the fleet, in every status
	Over        []int // SIMs at or over each of limitThresholds
	Month       usage // month to date
}

// namedUsage is the month-to-date usage of one network or country.
type namedUsage struct {
	Key, Name string
	usage
}

// promExporter refreshes snapshots and collects them for Prometheus.
type promExporter struct {
	client      *supersim.Client
	filter      supersim.ListUsageRecordsOptions // Sim, Fleet, Network, IsoCountry and PageSize
	concurrency int                              // the watch's; 0 for its default
	periods     *supersim.PeriodsInMemory
	now         func() time.Time

	refreshing sync.Mutex // held by a refresh: never two at once

	mu           sync.Mutex // guards the fields below
	snap         *snapshot  // the last good one; nil before the first success
	lastSuccess  time.Time
	lastDuration time.Duration
	refreshes    int
	failures     int
}

// newPromExporter returns an exporter of client's data selected by filter
// (its Sim, Fleet, Network, IsoCountry and PageSize), on the clock now.
func newPromExporter(client *supersim.Client, filter supersim.ListUsageRecordsOptions, concurrency int, now func() time.Time) *promExporter {
	return &promExporter{client: client, filter: filter, concurrency: concurrency, periods: &supersim.PeriodsInMemory{}, now: now}
}

// refresh computes a new snapshot and, if it succeeds, serves it from then
// on; if it fails, the last good snapshot stays and the failure is
// counted. Refreshes called at once run one after the other.
func (e *promExporter) refresh(ctx context.Context) error {
	e.refreshing.Lock()
	defer e.refreshing.Unlock()
	began := time.Now()
	snap, err := e.compute(ctx)
	took := time.Since(began)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refreshes++
	e.lastDuration = took
	if err != nil {
		e.failures++
		return err
	}
	e.snap, e.lastSuccess = snap, e.now()
	return nil
}

// lastRefresh returns when the last successful refresh ended (zero before
// the first) and how many refreshes failed.
func (e *promExporter) lastRefresh() (time.Time, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastSuccess, e.failures
}

// compute reads the API for a snapshot: the fleets and networks, the
// data-limit watch (its billing periods cached across refreshes), and
// three month-to-date usage walks, grouped by fleet, network and country.
func (e *promExporter) compute(ctx context.Context) (*snapshot, error) {
	now := e.now().UTC()
	fleets, err := e.client.ListFleets(ctx, nil).Collect()
	if err != nil {
		return nil, err
	}
	networks, err := e.client.ListNetworks(ctx, nil).Collect()
	if err != nil {
		return nil, err
	}
	rows, err := e.client.DataLimits(ctx, &supersim.DataLimitsOptions{Fleet: e.filter.Fleet, Sim: e.filter.Sim,
		Periods: e.periods, Concurrency: e.concurrency, Now: now})
	if err != nil {
		return nil, err
	}
	month := map[supersim.Group]map[string]*usage{}
	for _, g := range []supersim.Group{supersim.GroupFleet, supersim.GroupNetwork, supersim.GroupIsoCountry} {
		if month[g], err = e.monthToDate(ctx, g, now); err != nil {
			return nil, err
		}
	}
	snap := &snapshot{fleets: e.fleetUsage(fleets, rows, month[supersim.GroupFleet])}
	for _, r := range rows {
		if len(snap.top) == topSIMs {
			break
		}
		if r.LimitBytes > 0 {
			snap.top = append(snap.top, r)
		}
	}
	names := map[string]string{}
	for _, n := range networks {
		names[n.SID] = n.FriendlyName
	}
	snap.networks = named(month[supersim.GroupNetwork], names)
	snap.countries = named(month[supersim.GroupIsoCountry], nil)
	return snap, nil
}

// fleetUsage is the per-fleet part of a snapshot: the fleets that -fleet
// selects (with -sim, those of the SIMs watched), with the watch's rows
// and the month's usage by fleet summed in. Usage of SIMs in no fleet
// comes under a fleet with an empty SID.
func (e *promExporter) fleetUsage(fleets []supersim.Fleet, rows []supersim.SimDataLimit, month map[string]*usage) []fleetUsage {
	byID := map[string]*fleetUsage{}
	for _, f := range fleets {
		if e.filter.Fleet != "" && e.filter.Fleet != f.SID && e.filter.Fleet != f.UniqueName {
			continue
		}
		if e.filter.Sim != "" && !slices.ContainsFunc(rows, func(r supersim.SimDataLimit) bool { return r.FleetSID == f.SID }) {
			continue
		}
		fu := &fleetUsage{SID: f.SID, Name: f.UniqueName, Over: make([]int, len(limitThresholds))}
		if f.DataEnabled && f.DataLimit > 0 {
			fu.LimitBytes = f.DataLimit * 1_000_000
		}
		byID[f.SID] = fu
	}
	for _, r := range rows {
		fu := byID[r.FleetSID]
		if fu == nil {
			continue
		}
		fu.SIMs++
		fu.PeriodBytes += r.UsedBytes
		fu.Period.Upload += r.UploadBytes
		fu.Period.Download += r.DownloadBytes
		if fu.Period.Billed == nil {
			fu.Period.Billed = billed{}
		}
		fu.Period.Billed.merge(r.Billed)
		for i, t := range limitThresholds {
			if r.LimitBytes > 0 && r.Percent >= t {
				fu.Over[i]++
			}
		}
	}
	for sid, u := range month {
		fu := byID[sid]
		if fu == nil && sid == "" {
			fu = &fleetUsage{Over: make([]int, len(limitThresholds))}
			byID[sid] = fu
		}
		if fu != nil {
			fu.Month = *u
		}
	}
	return slices.SortedFunc(func(yield func(fleetUsage) bool) {
		for _, fu := range byID {
			if !yield(*fu) {
				return
			}
		}
	}, func(a, b fleetUsage) int { return cmp.Compare(a.SID, b.SID) })
}

// monthToDate sums the usage of the calendar month (UTC) up to now,
// grouped by group, in one walk without buckets; by the group's SID or
// code. Twilio and KORE invoice by calendar month.
func (e *promExporter) monthToDate(ctx context.Context, group supersim.Group, now time.Time) (map[string]*usage, error) {
	out := map[string]*usage{}
	opts := e.filter
	opts.Group, opts.Granularity = group, supersim.GranularityAll
	opts.StartTime, opts.EndTime = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), now
	if !opts.EndTime.After(opts.StartTime) {
		return out, nil // the first instant of the month
	}
	for rec, err := range e.client.ListUsageRecords(ctx, &opts).All() {
		if err != nil {
			return nil, err
		}
		key := groupKey(group, rec)
		if out[key] == nil {
			out[key] = &usage{}
		}
		out[key].add(rec)
	}
	return out, nil
}

// named lists usage by key, with the names of names.
func named(byKey map[string]*usage, names map[string]string) []namedUsage {
	out := []namedUsage{}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, namedUsage{Key: key, Name: names[key], usage: *byKey[key]})
	}
	return out
}

// Label names.
var (
	fleetLabels   = []string{"fleet_sid", "fleet_name"}
	dirLabel      = "direction" // "upload" or "download"
	currencyLabel = "currency"  // the API's billed_unit, "pending" while billing is
)

// desc makes a metric's description, named supersim_name.
func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("supersim_"+name, help, labels, nil)
}

// amountHelp is the end of every billed amount's help text.
const amountHelp = " The SDK sums amounts as exact decimals; each is converted to a float64 only here, for the exposition format (about 15 significant digits)."

// Descriptions of every metric.
var (
	descFleetPeriodBytes = desc("fleet_billing_period_data_bytes",
		"Data (upload + download) of the fleet's SIMs, each in its current billing period up to now, as the data-limit watch counts it (supersim limits). Recomputed at each refresh: usage arrives late.",
		fleetLabels...)
	descFleetPeriodDirBytes = desc("fleet_billing_period_transfer_bytes",
		"The same data as supersim_fleet_billing_period_data_bytes, by direction. Recomputed at each refresh: usage arrives late.",
		append(slices.Clone(fleetLabels), dirLabel)...)
	descFleetPeriodBilled = desc("fleet_billing_period_billed",
		"Amount billed for the data of supersim_fleet_billing_period_data_bytes, in currency. Recomputed at each refresh: usage arrives late."+amountHelp,
		append(slices.Clone(fleetLabels), currencyLabel)...)
	descFleetLimitBytes = desc("fleet_data_limit_bytes",
		"The fleet's data limit per SIM and billing period (data_limit x 1,000,000); 0 when data is disabled.",
		fleetLabels...)
	descFleetSIMs = desc("fleet_sims",
		"SIMs in the fleet, in every status.",
		fleetLabels...)
	descFleetOver = desc("fleet_sims_over_limit",
		"SIMs of the fleet whose data in their current billing period is at or over threshold percent of a data limit above 0.",
		append(slices.Clone(fleetLabels), "threshold")...)
	descFleetMonthBytes = desc("fleet_month_to_date_data_bytes",
		"Data of the fleet's SIMs in the calendar month (UTC) up to now, by direction. Recomputed at each refresh: usage arrives late. An empty fleet_sid is the SIMs in no fleet.",
		append(slices.Clone(fleetLabels), dirLabel)...)
	descFleetMonthBilled = desc("fleet_month_to_date_billed",
		"Amount billed for the fleet's data in the calendar month (UTC) up to now, in currency (the invoice's period)."+amountHelp,
		append(slices.Clone(fleetLabels), currencyLabel)...)
	descNetworkMonthBytes = desc("network_month_to_date_data_bytes",
		"Data in the calendar month (UTC) up to now, per network and direction.",
		"network_sid", "network_name", dirLabel)
	descCountryMonthBytes = desc("country_month_to_date_data_bytes",
		"Data in the calendar month (UTC) up to now, per country (ISO 3166-1 alpha-2) and direction.",
		"iso_country", dirLabel)
	descTopRatio = desc("top_sim_data_limit_used_ratio",
		"Data used / data limit in the current billing period (1 = at the limit, when the SIM is blocked), of the 10 SIMs with the highest ratio among those with a limit above 0; the only per-SIM series.",
		"sim_sid", "sim_name", "fleet_sid", "fleet_name")
	descTopBytes = desc("top_sim_billing_period_data_bytes",
		"Data used in the current billing period, of the same 10 SIMs as supersim_top_sim_data_limit_used_ratio.",
		"sim_sid", "sim_name", "fleet_sid", "fleet_name")

	descLastSuccess = desc("refresh_last_success_timestamp_seconds",
		"When the last successful refresh of the metrics from the API ended, in seconds since the Unix epoch; 0 before the first.")
	descDuration = desc("refresh_duration_seconds",
		"How long the last refresh took, successful or not.")
	descRefreshes = desc("refreshes_total",
		"Refreshes of the metrics from the API, successful or not.")
	descRefreshErrors = desc("refresh_errors_total",
		"Refreshes that failed; the metrics stay those of the last successful one.")

	descTries = desc("api_requests_total",
		"HTTP tries the client sent to the API: first tries, retries and re-sends of tries refused for the account's concurrency.")
	descRetries = desc("api_retries_total",
		"Tries that were retries after a failure (each drew on the retry budget).")
	descRateLimited = desc("api_rate_limited_total",
		"Answers from the API with HTTP 429 (too many requests).")
	descLimit = desc("api_concurrency_limit",
		"The client's adaptive limit of tries in flight at once.")
	descBudget = desc("api_retry_budget_tokens",
		"Tokens left in the client's retry budget: a retry costs 5, a success gives 1 back.")
	descBudgetCap = desc("api_retry_budget_capacity_tokens",
		"Tokens of a full retry budget.")
)

// Describe sends every metric's description.
func (e *promExporter) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFleetPeriodBytes, descFleetPeriodDirBytes, descFleetPeriodBilled, descFleetLimitBytes, descFleetSIMs, descFleetOver,
		descFleetMonthBytes, descFleetMonthBilled, descNetworkMonthBytes, descCountryMonthBytes, descTopRatio, descTopBytes,
		descLastSuccess, descDuration, descRefreshes, descRefreshErrors,
		descTries, descRetries, descRateLimited, descLimit, descBudget, descBudgetCap} {
		ch <- d
	}
}

// Collect sends the last good snapshot's metrics, the refreshes' and the
// Client's counters. It sends no API request.
func (e *promExporter) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	snap, last, took, refreshes, failures := e.snap, e.lastSuccess, e.lastDuration, e.refreshes, e.failures
	e.mu.Unlock()

	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	lastSeconds := 0.0
	if !last.IsZero() {
		lastSeconds = float64(last.UnixNano()) / 1e9
	}
	gauge(descLastSuccess, lastSeconds)
	gauge(descDuration, took.Seconds())
	counter(descRefreshes, float64(refreshes))
	counter(descRefreshErrors, float64(failures))

	s := e.client.Stats()
	counter(descTries, float64(s.Tries))
	counter(descRetries, float64(s.Retries))
	counter(descRateLimited, float64(s.RateLimited))
	gauge(descLimit, float64(s.Limit))
	gauge(descBudget, float64(s.RetryBudget))
	gauge(descBudgetCap, float64(supersim.RetryBudgetCapacity))

	if snap == nil {
		return
	}
	directions := func(d *prometheus.Desc, u usage, labels ...string) {
		gauge(d, float64(u.Upload), append(labels, "upload")...)
		gauge(d, float64(u.Download), append(labels, "download")...)
	}
	for _, f := range snap.fleets {
		if f.SID != "" {
			gauge(descFleetPeriodBytes, float64(f.PeriodBytes), f.SID, f.Name)
			gauge(descFleetLimitBytes, float64(f.LimitBytes), f.SID, f.Name)
			gauge(descFleetSIMs, float64(f.SIMs), f.SID, f.Name)
			for i, t := range limitThresholds {
				gauge(descFleetOver, float64(f.Over[i]), f.SID, f.Name, strconv.FormatFloat(t, 'f', -1, 64))
			}
		}
		directions(descFleetMonthBytes, f.Month, f.SID, f.Name)
		amounts := func(d *prometheus.Desc, b billed) {
			for _, a := range b.amounts() {
				amount, _ := a.Amount.Rat().Float64()
				gauge(d, amount, f.SID, f.Name, cmp.Or(a.Currency, "pending"))
			}
		}
		amounts(descFleetMonthBilled, f.Month.Billed)
		if f.SID != "" {
			directions(descFleetPeriodDirBytes, f.Period, f.SID, f.Name)
			amounts(descFleetPeriodBilled, f.Period.Billed)
		}
	}
	for _, n := range snap.networks {
		directions(descNetworkMonthBytes, n.usage, n.Key, n.Name)
	}
	for _, c := range snap.countries {
		directions(descCountryMonthBytes, c.usage, c.Key)
	}
	for _, r := range snap.top {
		gauge(descTopRatio, r.Percent/100, r.SimSID, r.SimName, r.FleetSID, r.FleetName)
		gauge(descTopBytes, float64(r.UsedBytes), r.SimSID, r.SimName, r.FleetSID, r.FleetName)
	}
}
