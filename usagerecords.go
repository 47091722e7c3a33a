package supersim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/supersimkit/supersim/internal/apirules"
	"github.com/supersimkit/supersim/internal/limit"
	"github.com/supersimkit/supersim/internal/window"
)

// usageRecordsPath is the endpoint below the base URL.
const usageRecordsPath = "/v1/UsageRecords"

// Page size limits of the API.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000 // Twilio's limit
	MaxKOREPageSize = 249  // KORE's limit
)

// UsageRecordsService lists Super SIM usage records. Reach it as
// Client.UsageRecords.
type UsageRecordsService struct {
	client *Client
}

// Group is the dimension usage is grouped by.
type Group string

// The groupings the API knows. The empty Group means no grouping.
const (
	GroupSim        Group = "sim"
	GroupFleet      Group = "fleet"
	GroupNetwork    Group = "network"
	GroupIsoCountry Group = "isoCountry"
)

// Granularity is the time bucket of each record.
type Granularity string

// The granularities the API knows. The empty Granularity means the server's
// default, which is GranularityAll.
const (
	GranularityHour Granularity = "hour"
	GranularityDay  Granularity = "day"
	GranularityAll  Granularity = "all"
)

// ListUsageRecordsOptions filters, groups and pages a usage listing. The
// zero value lists the whole account's usage of the last month in one
// record. Unset fields are not sent. See
// https://www.twilio.com/docs/iot/supersim/api/usagerecord-resource
type ListUsageRecordsOptions struct {
	// Sim is a Sim SID (HS + 32 hex digits) or the Sim's unique name, sent as is.
	Sim string `url:"Sim,omitempty"`
	// Fleet is a Fleet SID (HF + 32 hex digits) or the Fleet's unique name.
	Fleet string `url:"Fleet,omitempty"`
	// Network is a Network SID: HW + 32 hex digits.
	Network string `url:"Network,omitempty"`
	// IsoCountry is an ISO 3166-1 alpha-2 code, in either case; sent upper-case.
	IsoCountry string `url:"IsoCountry,omitempty"`
	// Group is the dimension to group by; empty for none.
	Group Group `url:"Group,omitempty"`
	// Granularity is the time bucket; empty for the server's default (all).
	Granularity Granularity `url:"Granularity,omitempty"`
	// StartTime is the inclusive start; zero for the server's default
	// (a month before EndTime). Sent as RFC 3339 in UTC, with a fraction of
	// a second only when it has one.
	StartTime time.Time `url:"StartTime,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	// EndTime is the exclusive end; zero for the server's default (now).
	// When both are set it must be after StartTime.
	EndTime time.Time `url:"EndTime,omitempty" layout:"2006-01-02T15:04:05.999999999Z07:00"`
	// PageSize is the number of records per page: 1 to 1000 (1 to 249 on
	// KORE, which List checks), or 0 for the server's default (50).
	PageSize int `url:"PageSize,omitempty"`
	// PageToken resumes a walk at a saved [Position], with Page.
	PageToken string `url:"PageToken,omitempty"`
	// Page is the page number of a saved [Position]: with its PageToken,
	// or alone when the server's next_page_url had no PageToken (Twilio's
	// always has one, and answers a Page without it with error 70002).
	Page int `url:"Page,omitempty"`
	// WindowStart and WindowEnd, with PageToken and Page, resume a windowed
	// walk (see Concurrency) at a saved [Position]: set all four with
	// [ListUsageRecordsOptions.ResumeFrom]. Zero otherwise.
	WindowStart time.Time `url:"-"`
	WindowEnd   time.Time `url:"-"`
	// MaxRecords stops the walk after this many records; 0 for no limit.
	MaxRecords int `url:"-"`
	// Concurrency, from 1 to MaxConcurrency, walks an hourly or daily
	// export as time windows fetched at once: up to Concurrency requests
	// in flight, fewer while the account allows fewer (an HTTP 429 lowers
	// the number of requests the Client runs at once, for all its walks,
	// and successes raise it again; a request refused so is sent again,
	// not failed). It changes the speed, not the result: the records and
	// their order are those of one walk of the range, newest window first
	// and each window in the API's order (newest first), and a range
	// longer than one request may cover (31 days for hour or Group sim, 3
	// months for day) works as if one could. It needs Granularity hour or
	// day and a StartTime on a bucket boundary (a UTC hour; a UTC midnight
	// for day); without EndTime the walk ends with the current bucket.
	// Windows are sized from the records seen to hold about two pages, and
	// at most 11×Concurrency+2 pages are in memory. A windowed walk's
	// positions resume it like a sequential walk's (see [Position]). 0
	// walks the range as one query.
	Concurrency int `url:"-"`
	// NoPrefetch turns off fetching page k+1 while the caller works through
	// page k: each page is then fetched only when the previous one is used up.
	NoPrefetch bool `url:"-"`

	resumeQuery string // Position.Query of the position set by ResumeFrom
}

// MaxConcurrency bounds ListUsageRecordsOptions.Concurrency.
const MaxConcurrency = 32

// Validate checks every field and reports each invalid one as a
// *ValidationError, joined with errors.Join; it returns nil for valid
// options. List calls it before sending anything.
func (o *ListUsageRecordsOptions) Validate() error {
	if o == nil {
		return nil
	}
	var v validation
	v.sidOrName("Sim", o.Sim, "HS")
	v.sidOrName("Fleet", o.Fleet, "HF")
	v.sid("Network", o.Network, "HW")
	v.country("IsoCountry", o.IsoCountry)
	oneOf(&v, "Group", o.Group, GroupSim, GroupFleet, GroupNetwork, GroupIsoCountry)
	oneOf(&v, "Granularity", o.Granularity, GranularityHour, GranularityDay, GranularityAll)
	checkYear := func(field string, t time.Time) {
		if y := t.UTC().Year(); !t.IsZero() && (y < 0 || y > 9999) {
			v.bad(field, "must be within the years 0000 to 9999 (RFC 3339)", t.UTC().String())
		}
	}
	checkYear("StartTime", o.StartTime)
	checkYear("EndTime", o.EndTime)
	if !o.StartTime.IsZero() && !o.EndTime.IsZero() && !o.EndTime.After(o.StartTime) {
		v.bad("EndTime", "must be after StartTime "+o.StartTime.UTC().Format(time.RFC3339Nano), o.EndTime.UTC().Format(time.RFC3339Nano))
	}
	o.checkPeriod(&v)
	v.paging(o.paging())
	o.checkWindowed(v.bad)
	return v.err()
}

// ResumeFrom sets o to resume a walk at p, a Position saved from a walk of
// the same options (sequential or windowed): PageToken, Page, WindowStart
// and WindowEnd.
// List refuses a position saved from a walk of other options (see
// Position.Query) with a *ValidationError{Field: "ResumeFrom"}.
func (o *ListUsageRecordsOptions) ResumeFrom(p Position) {
	o.PageToken, o.Page, o.WindowStart, o.WindowEnd = p.PageToken, p.Page, p.WindowStart, p.WindowEnd
	o.resumeQuery = p.Query
}

// checkPeriod reports to v the times the API would refuse (see
// internal/apirules): off the granularity's bucket (errors 83601, 83602)
// and, for a walk in one query with both times set, a period longer than
// one request may cover (83603, 83604; a windowed walk covers any). What
// depends on the server's clock (a default EndTime, how far back usage is
// kept) is left to the server, which may be a fake with a clock of its own.
func (o *ListUsageRecordsOptions) checkPeriod(v *validation) {
	if unit, code := apirules.Boundary(string(o.Granularity)); unit != 0 {
		where := map[time.Duration]string{time.Hour: "a whole UTC hour", apirules.Day: "a UTC midnight"}[unit]
		for _, t := range []struct {
			field string
			time  time.Time
		}{{"StartTime", o.StartTime}, {"EndTime", o.EndTime}} {
			if !t.time.IsZero() && !apirules.OnBoundary(t.time, unit) {
				v.bad(t.field, fmt.Sprintf("must be on %s with Granularity %s (Twilio error %d otherwise)", where, o.Granularity, code),
					timeText(t.time))
			}
		}
	}
	days, code := apirules.MaxRangeDays(string(o.Group), string(o.Granularity))
	if o.Concurrency == 0 && !o.StartTime.IsZero() && o.EndTime.After(o.StartTime.AddDate(0, 0, days)) {
		v.bad("EndTime", fmt.Sprintf("the period is longer than one request may cover: at most %d days with Group %q and Granularity %q (Twilio error %d otherwise); set Concurrency to walk it in windows",
			days, o.Group, o.Granularity, code), timeText(o.StartTime)+" to "+timeText(o.EndTime))
	}
}

// paging returns the paging options as the list machinery reads them.
func (o *ListUsageRecordsOptions) paging() paging {
	return paging{pageSize: o.PageSize, maxRecords: o.MaxRecords, noPrefetch: o.NoPrefetch,
		start: Position{PageToken: o.PageToken, Page: o.Page, WindowStart: o.WindowStart, WindowEnd: o.WindowEnd, Query: o.resumeQuery}}
}

// normalize puts the options in the form they are sent in: times in UTC,
// the country upper-case.
func (o *ListUsageRecordsOptions) normalize() {
	o.IsoCountry = strings.ToUpper(o.IsoCountry)
	if !o.StartTime.IsZero() {
		o.StartTime = o.StartTime.UTC()
	}
	if !o.EndTime.IsZero() {
		o.EndTime = o.EndTime.UTC()
	}
}

// UsageRecord is the usage of one bucket of time, for one group if the
// listing was grouped. See
// https://www.twilio.com/docs/iot/supersim/api/usagerecord-resource
type UsageRecord struct {
	AccountSID      string  `json:"account_sid"`
	SimSID          string  `json:"sim_sid"`     // "" unless filtered or grouped by Sim
	NetworkSID      string  `json:"network_sid"` // "" unless filtered or grouped by Network
	FleetSID        string  `json:"fleet_sid"`   // "" unless filtered or grouped by Fleet
	IsoCountry      string  `json:"iso_country"` // "" unless filtered or grouped by country
	Period          Period  `json:"period"`
	DataUpload      int64   `json:"data_upload"`       // bytes sent by the SIMs
	DataDownload    int64   `json:"data_download"`     // bytes received by the SIMs
	DataTotal       int64   `json:"data_total"`        // DataUpload + DataDownload
	DataTotalBilled Decimal `json:"data_total_billed"` // exact amount, in BilledUnit
	BilledUnit      string  `json:"billed_unit"`       // ISO 4217 currency; "" while billing is pending
}

// Period is the bucket of time a record covers: [StartTime, EndTime), in UTC.
type Period struct {
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
}

// List returns an iterator over the usage records that opts select; nil
// opts list with the server's defaults. Invalid options make the first Next
// return false with the *ValidationError(s) in Err, and nothing is sent.
// Pages are fetched with ctx as the iterator needs them, the next one while
// the current one is read (see NoPrefetch), or window by window (see
// Concurrency). See
// https://www.twilio.com/docs/iot/supersim/api/usagerecord-resource#read-multiple-usagerecord-resources
func (s *UsageRecordsService) List(ctx context.Context, opts *ListUsageRecordsOptions) *Iterator[UsageRecord] {
	return s.list(ctx, opts, nil)
}

// list is List; a windowed walk takes its slots from slots if not nil
// (shared with other walks), else has Concurrency slots of its own.
func (s *UsageRecordsService) list(ctx context.Context, opts *ListUsageRecordsOptions, slots *limit.Slots) *Iterator[UsageRecord] {
	o, q, err := prepare(s.client, usageRecords, usageRecordsPath, opts)
	if err != nil {
		return NewSliceIterator[UsageRecord](nil, err)
	}
	if o.Concurrency == 0 {
		return walk(ctx, s.client.transport, usageRecords, q)
	}
	w := o.windowedWalk(time.Now())
	query := func(win window.Window) (fetchFunc[UsageRecord], error) {
		in := *o
		in.StartTime, in.EndTime = win.Start, win.End
		filters, err := encodeFilters(&in)
		return listFetcher(s.client.transport, usageRecordsPath, filters, o.PageSize, usageRecords.decode), err
	}
	if slots == nil {
		slots = s.client.transport.limits.walkSlots(o.Concurrency)
	}
	pager := newWindowedPager(ctx, w, query, recordBucket, slots, o.Concurrency, o.MaxRecords)
	it := newIterator[UsageRecord](pager, o.MaxRecords, w.start)
	it.query = q.digest
	return it
}

// usageRecords is the list of usage records: decoded by a table of their
// own, the hot path of long exports.
var usageRecords = resource[UsageRecord]{key: "usage_records", fields: usageRecordFields, koreMaxPageSize: MaxKOREPageSize}

var usageRecordFields = []field[UsageRecord]{
	{"account_sid", func(r *pageReader, u *UsageRecord) error { return r.str(&u.AccountSID) }},
	{"sim_sid", func(r *pageReader, u *UsageRecord) error { return r.str(&u.SimSID) }},
	{"network_sid", func(r *pageReader, u *UsageRecord) error { return r.str(&u.NetworkSID) }},
	{"fleet_sid", func(r *pageReader, u *UsageRecord) error { return r.str(&u.FleetSID) }},
	{"iso_country", func(r *pageReader, u *UsageRecord) error { return r.str(&u.IsoCountry) }},
	{"period", func(r *pageReader, u *UsageRecord) error { return readObject(r, &u.Period, periodFields) }},
	{"data_upload", func(r *pageReader, u *UsageRecord) error { return readInt(r, &u.DataUpload) }},
	{"data_download", func(r *pageReader, u *UsageRecord) error { return readInt(r, &u.DataDownload) }},
	{"data_total", func(r *pageReader, u *UsageRecord) error { return readInt(r, &u.DataTotal) }},
	{"data_total_billed", func(r *pageReader, u *UsageRecord) error { return r.readDecimal(&u.DataTotalBilled) }},
	{"billed_unit", func(r *pageReader, u *UsageRecord) error { return r.str(&u.BilledUnit) }},
}

var periodFields = []field[Period]{
	{"start_time", func(r *pageReader, p *Period) error { return r.readTime(&p.StartTime) }},
	{"end_time", func(r *pageReader, p *Period) error { return r.readTime(&p.EndTime) }},
}
