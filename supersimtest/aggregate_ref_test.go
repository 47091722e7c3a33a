package supersimtest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// refRecord is one usage record as the server computed it before its
// samples were kept in a store: the reference of the differential test.
type refRecord struct {
	start, end                   time.Time
	sim, fleet, network, country string // "" unless grouped by or filtered on
	group                        string // the grouped dimension's value, for ordering
	upload, download             int64
	billed                       Amount
	currency                     string // "" while billing is pending
}

// refMatches reports whether a sample passes the query's filters and range.
func (q *listQuery) refMatches(s *Sample) bool {
	return !s.Hour.Before(q.start) && s.Hour.Before(q.end) &&
		matchesSIDOrName(q.sim, "HS", s.Sim, s.SimName) &&
		matchesSIDOrName(q.fleet, "HF", s.Fleet, s.FleetName) &&
		(q.network == "" || strings.EqualFold(q.network, s.Network)) &&
		(q.country == "" || q.country == s.IsoCountry)
}

// refKey identifies one output record: a bucket, a group and a currency.
type refKey struct {
	start           time.Time
	group, currency string
}

// refAggregate sums the matching samples into usage records: one per bucket,
// grouped value and billing currency, newest bucket first as in Twilio's
// examples, then by the grouped value and the currency, ascending. A
// dimension is set in a record when the query grouped by it or filtered on
// it; the others are "".
func (q *listQuery) refAggregate(samples []Sample, amounts []Amount) []refRecord {
	guess := min(len(samples), 1<<14) // hourly by SIM: a record per sample
	index := make(map[refKey]int, guess)
	records := make([]refRecord, 0, guess)
	for i := range samples {
		s := &samples[i]
		if !q.refMatches(s) {
			continue
		}
		start, end := q.bucket(s.Hour)
		key := refKey{start: start, group: q.refGroupOf(s), currency: s.Currency}
		at, ok := index[key]
		if !ok {
			at = len(records)
			index[key] = at
			records = append(records, q.refNewRecord(s, start, end, key.group))
		}
		r := &records[at]
		r.upload += s.Upload
		r.download += s.Download
		r.billed = r.billed.add(amounts[i])
	}
	slices.SortFunc(records, func(a, b refRecord) int {
		return cmp.Or(b.start.Compare(a.start), strings.Compare(a.group, b.group), strings.Compare(a.currency, b.currency))
	})
	return records
}

// refNewRecord starts the record of s's bucket and group, with no usage yet.
func (q *listQuery) refNewRecord(s *Sample, start, end time.Time, group string) refRecord {
	r := refRecord{start: start, end: end, group: group, currency: s.Currency}
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

// refGroupOf is the value of the grouped dimension in s, "" without Group.
func (q *listQuery) refGroupOf(s *Sample) string {
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

// refAppendRecord appends a record as Twilio sends it, byte for byte what
// encoding/json makes of it: nulls for empty dimensions and a pending
// billed_unit, times in RFC 3339 UTC, the amount as a string (or a number
// with WithBilledAsNumber).
func refAppendRecord(b []byte, account string, numbers bool, r refRecord) []byte {
	b = appendJSONString(append(b, `{"account_sid":`...), account)
	b = appendNullable(append(b, `,"sim_sid":`...), r.sim)
	b = appendNullable(append(b, `,"network_sid":`...), r.network)
	b = appendNullable(append(b, `,"fleet_sid":`...), r.fleet)
	b = appendNullable(append(b, `,"iso_country":`...), r.country)
	b = r.start.UTC().AppendFormat(append(b, `,"period":{"start_time":"`...), time.RFC3339Nano)
	b = r.end.UTC().AppendFormat(append(b, `","end_time":"`...), time.RFC3339Nano)
	b = strconv.AppendInt(append(b, `"},"data_upload":`...), r.upload, 10)
	b = strconv.AppendInt(append(b, `,"data_download":`...), r.download, 10)
	b = strconv.AppendInt(append(b, `,"data_total":`...), r.upload+r.download, 10)
	b = append(b, `,"data_total_billed":`...)
	if numbers {
		b = append(b, r.billed.String()...)
	} else {
		b = appendJSONString(b, r.billed.String())
	}
	return append(appendNullable(append(b, `,"billed_unit":`...), r.currency), '}')
}
