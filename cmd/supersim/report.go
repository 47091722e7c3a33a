package main

import (
	"maps"
	"slices"
	"time"

	"github.com/supersimkit/supersim"
)

// usage is summed usage: bytes, and the exact amount billed per currency.
type usage struct {
	Upload   int64
	Download int64
	Total    int64
	Billed   billed
	Records  int
}

// add adds one record.
func (u *usage) add(r supersim.UsageRecord) {
	u.Upload += r.DataUpload
	u.Download += r.DataDownload
	u.Total += r.DataTotal
	u.Records++
	if u.Billed == nil {
		u.Billed = billed{}
	}
	u.Billed.add(r.BilledUnit, r.DataTotalBilled)
}

// merge adds other.
func (u *usage) merge(other usage) {
	u.Upload += other.Upload
	u.Download += other.Download
	u.Total += other.Total
	u.Records += other.Records
	if u.Billed == nil {
		u.Billed = billed{}
	}
	u.Billed.merge(other.Billed)
}

// header is what a report covers, and when it was made.
type header struct {
	Provider    string // "Twilio", "KORE" or "demo"
	Start, End  time.Time
	Filters     []filter
	Group       supersim.Group
	Granularity supersim.Granularity
	Now         time.Time // buckets after it are not there yet, the one around it is partial
}

// report sums records per group and per time bucket.
type report struct {
	header
	groups  groupSums
	buckets map[time.Time]*bucket
	total   usage
}

// bucket is the usage of one hour or day, over every group.
type bucket struct {
	Start, End time.Time
	Partial    bool // still in progress when the report was made
	usage
}

// groupRow is the usage of one group.
type groupRow struct {
	Key  string // the SID or country code, "" when the API sent none
	Name string // the SIM's, fleet's or network's name; "" when unknown
	usage
}

// summary is a report ready to print: the groups with the most data first
// (at most top of them), the rest summed as others, and the buckets in
// time order with the empty ones filled in. Groups and others add up to
// total, and so do the buckets.
type summary struct {
	header
	Groups  []groupRow
	Others  usage // the groups past top
	NOthers int   // how many groups Others sums
	Total   usage
	Buckets []bucket // none for granularity all
}

func newReport(h header) *report {
	return &report{header: h, buckets: map[time.Time]*bucket{}}
}

// add counts one record.
func (r *report) add(rec supersim.UsageRecord) {
	r.total.add(rec)
	if r.Group != "" {
		r.groups.add(groupKey(r.Group, rec), rec)
	}
	if r.bucketSize() > 0 {
		start := rec.Period.StartTime.UTC()
		if r.buckets[start] == nil {
			r.buckets[start] = &bucket{Start: start, End: rec.Period.EndTime.UTC()}
		}
		r.buckets[start].add(rec)
	}
}

// groupKey is the grouped dimension of a record.
func groupKey(group supersim.Group, rec supersim.UsageRecord) string {
	switch group {
	case supersim.GroupSim:
		return rec.SimSID
	case supersim.GroupFleet:
		return rec.FleetSID
	case supersim.GroupNetwork:
		return rec.NetworkSID
	}
	return rec.IsoCountry
}

// bucketSize is the length of a bucket, 0 for granularity all.
func (h *header) bucketSize() time.Duration {
	switch h.Granularity {
	case supersim.GranularityHour:
		return time.Hour
	case supersim.GranularityDay:
		return 24 * time.Hour
	}
	return 0
}

// matched reports whether the query found any usage at all: a record with
// bytes or a billed amount.
func (r *report) matched() bool {
	return r.total.Total != 0 || r.total.Upload != 0 || r.total.Download != 0 || !r.total.Billed.isZero()
}

// summarize orders the report for printing, with at most top groups
// (0 for all) and the rest summed as others.
func (r *report) summarize(top int) summary {
	s := summary{header: r.header, Total: r.total, Others: usage{Billed: billed{}}}
	refs := r.groups.sorted()
	shown := refs
	if top > 0 && len(refs) > top {
		shown = refs[:top]
		for _, g := range refs[top:] {
			r.groups.mergeInto(&s.Others, g.slot)
		}
		s.NOthers = len(refs) - top
	}
	if len(shown) > 0 {
		s.Groups = make([]groupRow, len(shown))
		for i, g := range shown {
			s.Groups[i] = groupRow{Key: g.key, usage: r.groups.usage(g.slot)}
		}
	}
	s.Buckets = r.filledBuckets()
	return s
}

// name gives each group its name in names (SID → name), if there.
func (s *summary) name(names map[string]string) {
	for i := range s.Groups {
		s.Groups[i].Name = names[s.Groups[i].Key]
	}
}

// filledBuckets returns the buckets in time order, with a zero bucket for
// every hour or day of the period up to now that had no usage (the API
// leaves those out), so that charts and rows show gaps as gaps. The bucket
// that holds now is marked partial; later ones are not there yet.
func (r *report) filledBuckets() []bucket {
	size := r.bucketSize()
	if size == 0 {
		return nil
	}
	all := maps.Clone(r.buckets)
	for t := r.Start.Truncate(size); t.Before(r.End) && t.Before(r.Now); t = t.Add(size) {
		if all[t] == nil {
			all[t] = &bucket{Start: t, End: t.Add(size), usage: usage{Billed: billed{}}}
		}
	}
	out := make([]bucket, 0, len(all))
	for _, t := range slices.SortedFunc(maps.Keys(all), time.Time.Compare) {
		b := *all[t]
		b.Partial = !b.Start.After(r.Now) && r.Now.Before(b.End)
		out = append(out, b)
	}
	return out
}

// groupNoun is the plural the others row counts in.
func groupNoun(g supersim.Group) string {
	switch g {
	case supersim.GroupSim:
		return "SIMs"
	case supersim.GroupFleet:
		return "fleets"
	case supersim.GroupNetwork:
		return "networks"
	}
	return "countries"
}
