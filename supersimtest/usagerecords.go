package supersimtest

import (
	"fmt"
	"net/http"
	"slices"
)

// What the server keeps of the answers it computed.
const (
	maxMemoRecords = 1 << 17 // aggregated records, 8 MiB (a larger result is kept alone)
	maxMemoBytes   = 8 << 20 // rendered pages, 20 or more
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
	res := s.result(q)
	body, apiErr := l.render(len(res.records), func(b []byte, from, to int) ([]byte, error) {
		b = append(slices.Grow(b, (to-from)*400), '[')
		for i := from; i < to; i++ {
			if i > from {
				b = append(b, ',')
			}
			b = s.appendRecord(b, q, res, &res.records[i])
		}
		return append(b, ']'), nil
	})
	if apiErr == nil {
		s.bodies.put(bodyKey, body)
	}
	return body, apiErr
}

// result returns the whole result of q, aggregated once per distinct
// query.
func (s *Server) result(q *listQuery) *result {
	key := q.resultKey()
	if cached, ok := s.results.get(key); ok {
		return cached
	}
	res := s.usage.aggregate(q)
	s.results.put(key, res)
	return res
}
