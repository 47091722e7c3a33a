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
	maxPageSize      = 1000 // Twilio's; KORE's is korePageSize
)

// listQuery is a parsed, validated GET /v1/UsageRecords.
type listQuery struct {
	sim, fleet, network, country string
	group, granularity           string
	start, end                   time.Time
	pageSize, page               int
	pageToken                    string
	endDefaulted                 bool       // EndTime was not sent: "now", bound into the PageTokens
	filters                      url.Values // what next_page_url carries besides paging
}

// parseQuery checks the parameters the way Twilio does, against the
// server's clock and with the largest PageSize the server allows.
func parseQuery(v url.Values, now time.Time, pageSizeLimit int) (*listQuery, *apiError) {
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
	if q.pageSize < 1 || q.pageSize > pageSizeLimit {
		return nil, badParam("PageSize must be between 1 and %d", pageSizeLimit)
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
// Twilio's limits. A defaulted EndTime is "now" on the first page and the
// same instant on every later one: the PageToken carries it.
func (q *listQuery) parseRange(v url.Values, now time.Time) *apiError {
	var err *apiError
	q.endDefaulted = v.Get("EndTime") == ""
	if end, ok := tokenEnd(q.pageToken); ok && q.endDefaulted {
		now = end
	}
	if q.end, err = timeParam(v, "EndTime", now); err != nil {
		return err
	}
	if q.start, err = timeParam(v, "StartTime", q.end.AddDate(0, -1, 0)); err != nil {
		return err
	}
	span := q.end.Sub(q.start)
	switch {
	case q.granularity == "day" && (offBoundary(v, "StartTime", q.start, 24*time.Hour) || offBoundary(v, "EndTime", q.end, 24*time.Hour)):
		return &apiError{400, 83601, "StartTime and EndTime must be at midnight UTC for Granularity day"}
	case q.granularity == "hour" && (offBoundary(v, "StartTime", q.start, time.Hour) || offBoundary(v, "EndTime", q.end, time.Hour)):
		return &apiError{400, 83602, "StartTime and EndTime must be on the hour UTC for Granularity hour"}
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

// offBoundary reports whether the parameter name was sent with a time t
// that is not on a multiple of unit (UTC). Defaulted times are not checked.
func offBoundary(v url.Values, name string, t time.Time, unit time.Duration) bool {
	return v.Get(name) != "" && !t.Equal(t.Truncate(unit))
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

// token is the opaque PageToken of page: the page, the fingerprint of the
// filters and, when EndTime was defaulted, the end the first page used.
func (q *listQuery) token(page int) string {
	text := fmt.Appendf(nil, "%d:%08x", page, q.fingerprint())
	if q.endDefaulted {
		text = fmt.Appendf(text, ":%d", q.end.UnixNano())
	}
	return "PT" + base64.RawURLEncoding.EncodeToString(text)
}

// tokenEnd reads the defaulted EndTime a PageToken carries, if any.
func tokenEnd(token string) (time.Time, bool) {
	text, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "PT"))
	if err != nil {
		return time.Time{}, false
	}
	parts := strings.Split(string(text), ":")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	nanos, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, nanos).UTC(), true
}

// checkToken accepts only the token this query hands out for q.page.
func (q *listQuery) checkToken() *apiError {
	if q.pageToken == "" || q.pageToken == q.token(q.page) {
		return nil
	}
	return &apiError{400, 21481, "Invalid PageToken"}
}
