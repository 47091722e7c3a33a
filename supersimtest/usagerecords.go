package supersimtest

import (
	"fmt"
	"net/http"
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
	body, apiErr := l.render(len(records), func(from, to int) any {
		out := make([]wireRecord, 0, to-from)
		for _, rec := range records[from:to] {
			out = append(out, s.wire(rec))
		}
		return out
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
	records := q.aggregate(s.samples, s.amounts)
	s.results.put(key, records)
	return records
}
