package supersimtest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/internal/sid"
)

// matches reports whether a sample passes the query's filters and range.
func (q *listQuery) matches(s *Sample) bool {
	return !s.Hour.Before(q.start) && s.Hour.Before(q.end) &&
		matchesSIDOrName(q.sim, "HS", s.Sim, s.SimName) &&
		matchesSIDOrName(q.fleet, "HF", s.Fleet, s.FleetName) &&
		(q.network == "" || strings.EqualFold(q.network, s.Network)) &&
		(q.country == "" || q.country == s.IsoCountry)
}

func matchesSIDOrName(filter, prefix, sidValue, name string) bool {
	if filter == "" {
		return true
	}
	if sid.Valid(filter, prefix) {
		return strings.EqualFold(filter, sidValue)
	}
	return filter == name
}

// bucket returns the period that holds hour.
func (q *listQuery) bucket(hour time.Time) supersim.Period {
	switch q.granularity {
	case "hour":
		return supersim.Period{StartTime: hour, EndTime: hour.Add(time.Hour)}
	case "day":
		day := hour.Truncate(24 * time.Hour)
		return supersim.Period{StartTime: day, EndTime: day.AddDate(0, 0, 1)}
	}
	return supersim.Period{StartTime: q.start, EndTime: q.end}
}

// recordKey identifies one output record: a bucket and a group.
type recordKey struct {
	start time.Time
	group string
}

// aggregate sums the matching samples into usage records, ordered by
// period start, then by the grouped dimension. A dimension is set in a
// record when the query grouped by it or filtered on it; the others are "".
func (q *listQuery) aggregate(samples []Sample, account string) []supersim.UsageRecord {
	index := map[recordKey]int{}
	var records []supersim.UsageRecord
	for i := range samples {
		s := &samples[i]
		if !q.matches(s) {
			continue
		}
		key := recordKey{start: q.bucket(s.Hour).StartTime, group: q.groupOf(s)}
		at, ok := index[key]
		if !ok {
			at = len(records)
			index[key] = at
			records = append(records, q.newRecord(s, account))
		}
		r := &records[at]
		r.DataUpload += s.Upload
		r.DataDownload += s.Download
		r.DataTotal += s.Upload + s.Download
		r.DataTotalBilled = r.DataTotalBilled.Add(s.Billed)
		r.BilledUnit = s.Currency
	}
	slices.SortFunc(records, func(a, b supersim.UsageRecord) int {
		return cmp.Or(a.Period.StartTime.Compare(b.Period.StartTime), strings.Compare(q.groupOfRecord(a), q.groupOfRecord(b)))
	})
	return records
}

// newRecord starts the record of s's bucket and group, with no usage yet.
func (q *listQuery) newRecord(s *Sample, account string) supersim.UsageRecord {
	r := supersim.UsageRecord{AccountSID: account, Period: q.bucket(s.Hour)}
	if q.group == "sim" || q.sim != "" {
		r.SimSID = s.Sim
	}
	if q.group == "fleet" || q.fleet != "" {
		r.FleetSID = s.Fleet
	}
	if q.group == "network" || q.network != "" {
		r.NetworkSID = s.Network
	}
	if q.group == "isoCountry" || q.country != "" {
		r.IsoCountry = s.IsoCountry
	}
	return r
}

func (q *listQuery) groupOf(s *Sample) string {
	return q.pick(s.Sim, s.Fleet, s.Network, s.IsoCountry)
}

func (q *listQuery) groupOfRecord(r supersim.UsageRecord) string {
	return q.pick(r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry)
}

func (q *listQuery) pick(sim, fleet, network, country string) string {
	switch q.group {
	case "sim":
		return sim
	case "fleet":
		return fleet
	case "network":
		return network
	case "isoCountry":
		return country
	}
	return ""
}

// Totals is the usage of a set of samples, summed exactly.
type Totals struct {
	Upload, Download, Total int64
	Billed                  supersim.Decimal
	Records                 int // samples (or, with AddRecord, records) counted
}

// AddRecord adds a usage record's bytes and amount to t, to sum a walk
// for comparing with [Server.Totals].
func (t *Totals) AddRecord(r supersim.UsageRecord) {
	t.Upload += r.DataUpload
	t.Download += r.DataDownload
	t.Total += r.DataTotal
	t.Billed = t.Billed.Add(r.DataTotalBilled)
	t.Records++
}

// Filter selects samples for [Server.Totals], with the meaning of the API's
// parameters: Sim and Fleet by SID or unique name, [Start, End).
type Filter struct {
	Sim, Fleet, Network, IsoCountry string
	Start, End                      time.Time
}

// totals sums the samples that f selects.
func totals(samples []Sample, f Filter) Totals {
	q := &listQuery{sim: f.Sim, fleet: f.Fleet, network: f.Network, country: strings.ToUpper(f.IsoCountry), start: f.Start, end: f.End}
	var t Totals
	for i := range samples {
		if s := &samples[i]; q.matches(s) {
			t.Upload += s.Upload
			t.Download += s.Download
			t.Total += s.Upload + s.Download
			t.Billed = t.Billed.Add(s.Billed)
			t.Records++
		}
	}
	return t
}
