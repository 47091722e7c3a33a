package supersimtest

import (
	"cmp"
	"slices"
	"time"
)

// result is the usage records of one query, in the API's order, as the
// server keeps them between the query's pages.
type result struct {
	records []record
	buckets []bucket
	bigs    []Amount // the sums that overflow a fixed
}

// record is one usage record as the server computes it, before it is
// rendered for the wire: its sums, and the ids of its bucket and of its
// first sample's values, which the query shows when it grouped by or
// filtered on them.
type record struct {
	upload, download int64
	billed           fixed  // the amount billed, unless big says otherwise
	big              int32  // else its index in result.bigs; -1 for none
	bucket           int32  // in result.buckets
	group, currency  uint32 // the ranks of the grouped value and the currency, for ordering
	sim, fleet       uint32 // the ids of the first sample's values in the store
	network, place   uint32
}

// bucket is one period of a result.
type bucket struct {
	start, end time.Time
	rank       int    // newest first
	period     string // the record's members from period to data_upload's name, rendered
}

// recordKey identifies one output record: a bucket, a group and a
// currency (ranks).
type recordKey struct {
	bucket          int32
	group, currency uint32
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

// aggregate sums the samples that q selects into usage records: one per
// bucket, grouped value and billing currency, newest bucket first as in
// Twilio's examples, then by the grouped value and the currency,
// ascending. A dimension is shown in a record when the query grouped by
// it or filtered on it (see [Server.appendRecord]).
func (st *store) aggregate(q *listQuery) *result {
	lo, hi := st.span(q.start, q.end)
	rows := st.rows[lo:hi]
	res := &result{}
	if len(rows) == 0 {
		return res
	}
	sel := st.selection(q)
	first := rows[0].hour
	bucketOf := res.bucketHours(q, st.hours[first:rows[len(rows)-1].hour+1])
	groups, groupRank := st.grouping(q.group)
	currencies := len(st.currencies.values)
	size := len(res.buckets) * groups * currencies
	res.records = make([]record, 0, min(len(rows), size, 1<<14)) // hourly by SIM: a record per row
	var dense []int32                                            // record index + 1 by key, when the keys are few
	var index map[recordKey]int32
	if size <= 2*len(rows)+1024 {
		dense = make([]int32, size)
	} else {
		index = make(map[recordKey]int32)
	}
	for i := range rows {
		r := &rows[i]
		if !sel.has(r) {
			continue
		}
		key := recordKey{bucket: bucketOf[r.hour-first], currency: st.currencyRank[r.place]}
		if groupRank != nil {
			key.group = groupRank(r)
		}
		var at int32
		if dense != nil {
			slot := &dense[(int(key.bucket)*groups+int(key.group))*currencies+int(key.currency)]
			if *slot == 0 {
				*slot = res.start(key, r)
			}
			at = *slot - 1
		} else {
			var ok bool
			if at, ok = index[key]; !ok {
				at = res.start(key, r) - 1
				index[key] = at
			}
		}
		res.add(&res.records[at], r, &st.amounts[r.amount])
	}
	slices.SortFunc(res.records, func(a, b record) int {
		return cmp.Or(cmp.Compare(res.buckets[a.bucket].rank, res.buckets[b.bucket].rank),
			cmp.Compare(a.group, b.group), cmp.Compare(a.currency, b.currency))
	})
	return res
}

// bucketHours makes the buckets of hours (the store's, from the first a
// query reads) and returns each hour's bucket, by the hour's id less the
// first's.
func (res *result) bucketHours(q *listQuery, hours []time.Time) []int32 {
	bucketOf := make([]int32, len(hours))
	starts := map[time.Time]int32{}
	for i, hour := range hours {
		start, end := q.bucket(hour)
		b, ok := starts[start]
		if !ok {
			b = int32(len(res.buckets))
			starts[start] = b
			res.buckets = append(res.buckets, bucket{start: start, end: end, period: renderPeriod(start, end)})
		}
		bucketOf[i] = b
	}
	order := make([]int, len(res.buckets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return res.buckets[b].start.Compare(res.buckets[a].start) })
	for rank, b := range order {
		res.buckets[b].rank = rank
	}
	return bucketOf
}

// renderPeriod renders a bucket's period and the name after it.
func renderPeriod(start, end time.Time) string {
	b := start.UTC().AppendFormat([]byte(`,"period":{"start_time":"`), time.RFC3339Nano)
	b = end.UTC().AppendFormat(append(b, `","end_time":"`...), time.RFC3339Nano)
	return string(append(b, `"},"data_upload":`...))
}

// grouping returns how many values the grouped dimension has, and each
// row's rank among them; nil without Group.
func (st *store) grouping(group string) (int, func(r *row) uint32) {
	switch group {
	case "sim":
		return len(st.sids.values), func(r *row) uint32 { return st.simRank[r.sim] }
	case "fleet":
		return len(st.fleetSIDs.values), func(r *row) uint32 { return st.fleetRank[r.fleet] }
	case "network":
		return len(st.networks.values), func(r *row) uint32 { return st.networks.rank[r.network] }
	case "isoCountry":
		return len(st.countries.values), func(r *row) uint32 { return st.countryRank[r.place] }
	}
	return 1, nil
}

// start adds the record of key, with no usage yet and the values of r,
// and returns its index + 1.
func (res *result) start(key recordKey, r *row) int32 {
	res.records = append(res.records, record{bucket: key.bucket, group: key.group, currency: key.currency, big: -1,
		sim: r.sim, fleet: r.fleet, network: r.network, place: r.place})
	return int32(len(res.records))
}

// add adds r's usage to rec: billed as a fixed while the sum fits one, as
// an Amount from then on.
func (res *result) add(rec *record, r *row, amount *storedAmount) {
	rec.upload += r.upload
	rec.download += r.download
	if rec.big < 0 && amount.fits {
		if sum, ok := rec.billed.add(amount.fixed); ok {
			rec.billed = sum
			return
		}
	}
	if rec.big < 0 {
		rec.big = int32(len(res.bigs))
		res.bigs = append(res.bigs, rec.billed.amount())
	}
	res.bigs[rec.big] = res.bigs[rec.big].add(amount.amount)
}
