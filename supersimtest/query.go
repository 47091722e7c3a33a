package supersimtest

import (
	"net/http"
	"net/url"
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
)

// listQuery is a parsed, validated GET /v1/UsageRecords.
type listQuery struct {
	sim, fleet, network, country string
	group, granularity           string
	start, end                   time.Time
	endDefaulted                 bool     // EndTime was not sent: "now", bound into the PageTokens
	list                         *listing // paging, and the filters next_page_url carries
}

// parseQuery checks the parameters the way Twilio does, against the
// server's clock and with the largest PageSize the server allows.
func parseQuery(r *http.Request, now time.Time, pageSizeLimit int) (*listQuery, *apiError) {
	l, apiErr := parseListing(r, "usage_records", pageSizeLimit, 83600,
		"Sim", "Fleet", "Network", "IsoCountry", "Group", "Granularity", "StartTime", "EndTime")
	if apiErr != nil {
		return nil, apiErr
	}
	v := r.URL.Query()
	q := &listQuery{
		sim: v.Get("Sim"), fleet: v.Get("Fleet"), network: v.Get("Network"),
		country: strings.ToUpper(v.Get("IsoCountry")),
		group:   v.Get("Group"), granularity: v.Get("Granularity"),
		list: l,
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
	if err := q.parseRange(v, now); err != nil {
		return nil, err
	}
	if q.endDefaulted {
		l.bindEnd(q.end)
	}
	return q, nil
}

// parseRange reads StartTime and EndTime, applies their defaults and
// Twilio's limits. A defaulted EndTime is "now" on the first page and the
// same instant on every later one: the PageToken carries it.
func (q *listQuery) parseRange(v url.Values, now time.Time) *apiError {
	var err *apiError
	q.endDefaulted = v.Get("EndTime") == ""
	if end, ok := tokenEnd(q.list.token); ok && q.endDefaulted {
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
	return q.list.filters.Encode() + "|" + q.start.Format(time.RFC3339Nano) + "|" + q.end.Format(time.RFC3339Nano)
}
