package supersimtest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/supersimkit/supersim/internal/sid"
)

// record is one usage record as the server computes it, before it is
// rendered for the wire.
type record struct {
	start, end                   time.Time
	sim, fleet, network, country string // "" unless grouped by or filtered on
	group                        string // the grouped dimension's value, for ordering
	upload, download             int64
	billed                       Amount
	currency                     string // "" while billing is pending
}

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

// bucket returns the period that holds hour, within [q.start, q.end): a
// defaulted StartTime or EndTime need not fall on a bucket boundary, and
// no record is labelled with time outside the range asked for.
func (q *listQuery) bucket(hour time.Time) (start, end time.Time) {
	switch q.granularity {
	case "hour":
		start, end = hour, hour.Add(time.Hour)
	case "day":
		start = hour.Truncate(24 * time.Hour)
		end = start.AddDate(0, 0, 1)
	default:
		return q.start, q.end
	}
	if start.Before(q.start) {
		start = q.start
	}
	if end.After(q.end) {
		end = q.end
	}
	return start, end
}

// recordKey identifies one output record: a bucket, a group and a currency.
type recordKey struct {
	start           time.Time
	group, currency string
}

// aggregate sums the matching samples into usage records: one per bucket,
// grouped value and billing currency, newest bucket first as in Twilio's
// examples, then by the grouped value and the currency, ascending. A
// dimension is set in a record when the query grouped by it or filtered on
// it; the others are "".
func (q *listQuery) aggregate(samples []Sample, amounts []Amount) []record {
	guess := min(len(samples), 1<<14) // hourly by SIM: a record per sample
	index := make(map[recordKey]int, guess)
	records := make([]record, 0, guess)
	for i := range samples {
		s := &samples[i]
		if !q.matches(s) {
			continue
		}
		start, end := q.bucket(s.Hour)
		key := recordKey{start: start, group: q.groupOf(s), currency: s.Currency}
		at, ok := index[key]
		if !ok {
			at = len(records)
			index[key] = at
			records = append(records, q.newRecord(s, start, end, key.group))
		}
		r := &records[at]
		r.upload += s.Upload
		r.download += s.Download
		r.billed = r.billed.add(amounts[i])
	}
	slices.SortFunc(records, func(a, b record) int {
		return cmp.Or(b.start.Compare(a.start), strings.Compare(a.group, b.group), strings.Compare(a.currency, b.currency))
	})
	return records
}

// newRecord starts the record of s's bucket and group, with no usage yet.
func (q *listQuery) newRecord(s *Sample, start, end time.Time, group string) record {
	r := record{start: start, end: end, group: group, currency: s.Currency}
	if q.group == "sim" || q.sim != "" {
		r.sim = s.Sim
	}
	if q.group == "fleet" || q.fleet != "" {
		r.fleet = s.Fleet
	}
	if q.group == "network" || q.network != "" {
		r.network = s.Network
	}
	if q.group == "isoCountry" || q.country != "" {
		r.country = s.IsoCountry
	}
	return r
}

// groupOf is the value of the grouped dimension in s, "" without Group.
func (q *listQuery) groupOf(s *Sample) string {
	switch q.group {
	case "sim":
		return s.Sim
	case "fleet":
		return s.Fleet
	case "network":
		return s.Network
	case "isoCountry":
		return s.IsoCountry
	}
	return ""
}
