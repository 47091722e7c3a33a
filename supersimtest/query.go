package supersimtest

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/supersimkit/supersim/internal/sid"
)

// Twilio's limits on one request's range.
const (
	maxSimGroupRange = 31 * 24 * time.Hour // 83603
	maxHourRange     = 31 * 24 * time.Hour // 83604
	maxDayMonths     = 3                   // 83604
	maxAllMonths     = 18                  // 83604
	maxAgeMonths     = 18                  // 83605
	defaultPageSize  = 50
	maxPageSize      = 1000
)

// apiError is an answer in Twilio's error format.
type apiError struct {
	status  int
	code    int
	message string
}

func badParam(format string, args ...any) *apiError {
	return &apiError{400, 83600, fmt.Sprintf(format, args...)}
}

// listQuery is a parsed, validated GET /v1/UsageRecords.
type listQuery struct {
	sim, fleet, network, country string
	group, granularity           string
	start, end                   time.Time
	pageSize, page               int
	pageToken                    string
	filters                      url.Values // what next_page_url carries besides paging
}

// parseQuery checks the parameters the way Twilio does, against the
// server's clock.
func parseQuery(v url.Values, now time.Time) (*listQuery, *apiError) {
	q := &listQuery{
		sim: v.Get("Sim"), fleet: v.Get("Fleet"), network: v.Get("Network"),
		country: strings.ToUpper(v.Get("IsoCountry")),
		group:   v.Get("Group"), granularity: v.Get("Granularity"),
		pageSize: defaultPageSize, pageToken: v.Get("PageToken"),
		filters: url.Values{},
	}
	for _, name := range []string{"Sim", "Fleet", "Network", "IsoCountry", "Group", "Granularity", "StartTime", "EndTime"} {
		if value := v.Get(name); value != "" {
			q.filters.Set(name, value)
		}
	}
	if q.network != "" && !sid.Valid(q.network, "HW") {
		return nil, badParam("Network must be a Network Sid")
	}
	if q.country != "" && len(q.country) != 2 {
		return nil, badParam("IsoCountry must be an ISO 3166-1 alpha-2 code")
	}
	switch q.group {
	case "", "sim", "fleet", "network", "isoCountry":
	default:
		return nil, badParam("Group must be one of sim, fleet, network, isoCountry")
	}
	switch q.granularity {
	case "":
		q.granularity = "all"
	case "hour", "day", "all":
	default:
		return nil, badParam("Granularity must be one of hour, day, all")
	}
	var err *apiError
	if q.pageSize, err = intParam(v, "PageSize", defaultPageSize); err != nil {
		return nil, err
	}
	if q.pageSize < 1 || q.pageSize > maxPageSize {
		return nil, badParam("PageSize must be between 1 and %d", maxPageSize)
	}
	if q.page, err = intParam(v, "Page", 0); err != nil {
		return nil, err
	}
	if q.page < 0 {
		return nil, badParam("Page must not be negative")
	}
	if q.page > 0 && q.pageToken == "" {
		return nil, &apiError{400, 70002, "Paged requests must include a PageToken"}
	}
	if err := q.parseRange(v, now); err != nil {
		return nil, err
	}
	return q, nil
}

func intParam(v url.Values, name string, def int) (int, *apiError) {
	raw := v.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, badParam("%s must be an integer", name)
	}
	return n, nil
}

// parseRange reads StartTime and EndTime, applies their defaults and
// Twilio's limits.
func (q *listQuery) parseRange(v url.Values, now time.Time) *apiError {
	var err *apiError
	if q.end, err = timeParam(v, "EndTime", now); err != nil {
		return err
	}
	if q.start, err = timeParam(v, "StartTime", q.end.AddDate(0, -1, 0)); err != nil {
		return err
	}
	span := q.end.Sub(q.start)
	switch {
	case !q.end.After(q.start):
		return badParam("EndTime must be after StartTime")
	case q.start.Before(now.Truncate(24*time.Hour).AddDate(0, -maxAgeMonths, 0)):
		return &apiError{400, 83605, "StartTime must be at most 18 months before the start of the current UTC day"}
	case q.group == "sim" && span > maxSimGroupRange:
		return &apiError{400, 83603, "Query period must be 31 days or less when grouping by Sim"}
	case q.granularity == "hour" && span > maxHourRange,
		q.granularity == "day" && q.end.After(q.start.AddDate(0, maxDayMonths, 0)),
		q.granularity == "all" && q.end.After(q.start.AddDate(0, maxAllMonths, 0)):
		return &apiError{400, 83604, "Query period is too long for Granularity " + q.granularity}
	}
	return nil
}

func timeParam(v url.Values, name string, def time.Time) (time.Time, *apiError) {
	raw := v.Get(name)
	if raw == "" {
		return def.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, badParam("%s must be an ISO 8601 date-time", name)
	}
	return t.UTC(), nil
}

// resultKey identifies the records q selects, defaults resolved.
func (q *listQuery) resultKey() string {
	return q.filters.Encode() + "|" + q.start.Format(time.RFC3339Nano) + "|" + q.end.Format(time.RFC3339Nano)
}

// fingerprint identifies the filters a PageToken was handed out for.
func (q *listQuery) fingerprint() uint32 {
	h := fnv.New32a()
	h.Write([]byte(q.filters.Encode()))
	fmt.Fprintf(h, "|%d", q.pageSize)
	return h.Sum32()
}

// token is the opaque PageToken of page.
func (q *listQuery) token(page int) string {
	return "PT" + base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%08x", page, q.fingerprint()))
}

// checkToken accepts only the token this query hands out for q.page.
func (q *listQuery) checkToken() *apiError {
	if q.pageToken == "" || q.pageToken == q.token(q.page) {
		return nil
	}
	return &apiError{400, 21481, "Invalid PageToken"}
}
