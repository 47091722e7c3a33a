package supersimtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
)

// What the server keeps of the answers it computed.
const (
	maxMemoRecords = 1 << 19  // aggregated records, about 100 MiB
	maxMemoBytes   = 32 << 20 // rendered pages
)

// listUsageRecords answers GET /v1/UsageRecords: the page of the records
// the query aggregates, rendered once per page.
func (s *Server) listUsageRecords(r *http.Request, _ []string) ([]byte, *apiError) {
	pageSizeLimit := maxPageSize
	if s.kore != nil {
		pageSizeLimit = korePageSize
	}
	q, apiErr := parseQuery(r, s.clock().UTC(), pageSizeLimit)
	if apiErr != nil {
		return nil, apiErr
	}
	l := q.list
	if apiErr := l.checkToken(); apiErr != nil {
		return nil, apiErr
	}
	bodyKey := fmt.Sprintf("%s|%s|%d|%d", l.urlScope, q.resultKey(), l.size, l.page)
	if body, ok := s.bodies.get(bodyKey); ok {
		return body, nil
	}
	records := s.records(q)
	body, apiErr := l.render(len(records), func(b []byte, from, to int) ([]byte, error) {
		b = append(slices.Grow(b, (to-from)*400), '[')
		for i, rec := range records[from:to] {
			if i > 0 {
				b = append(b, ',')
			}
			b = s.appendRecord(b, rec)
		}
		return append(b, ']'), nil
	})
	if apiErr == nil {
		s.bodies.put(bodyKey, body)
	}
	return body, apiErr
}

// records returns the whole result of q, aggregated once per distinct query.
func (s *Server) records(q *listQuery) []record {
	key := q.resultKey()
	if cached, ok := s.results.get(key); ok {
		return cached
	}
	lo, hi := s.span(q.start, q.end)
	records := q.aggregate(s.samples[lo:hi], s.amounts[lo:hi])
	s.results.put(key, records)
	return records
}

// byHour returns samples ordered by hour: samples itself when they are
// (the demo's are), else a sorted copy, stable.
func byHour(samples []Sample) []Sample {
	order := func(a, b Sample) int { return a.Hour.Compare(b.Hour) }
	if slices.IsSortedFunc(samples, order) {
		return samples
	}
	sorted := slices.Clone(samples)
	slices.SortStableFunc(sorted, order)
	return sorted
}

// span is where the samples of [start, end) are: a query touches only
// the hours of its range.
func (s *Server) span(start, end time.Time) (lo, hi int) {
	at := func(t time.Time) int {
		return sort.Search(len(s.samples), func(i int) bool { return !s.samples[i].Hour.Before(t) })
	}
	lo = at(start)
	return lo, max(lo, at(end))
}
