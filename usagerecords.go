package supersim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/supersimkit/supersim/internal/sid"
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
	// at most 9×Concurrency+2 pages are in memory. A windowed walk's
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

// Twilio's range limits, in days, for one request (errors 83603 and 83604).
const (
	maxHourRangeDays = 31
	maxDayRangeDays  = 89 // the shortest three months
)

// Validate checks every field and reports each invalid one as a
// *ValidationError, joined with errors.Join; it returns nil for valid
// options. List calls it before sending anything.
func (o *ListUsageRecordsOptions) Validate() error {
	if o == nil {
		return nil
	}
	var errs []error
	bad := func(field, problem, value string) {
		errs = append(errs, &ValidationError{Field: field, Problem: problem, Value: value})
	}
	checkSIDOrName := func(field, value, prefix string) {
		if sid.LooksLike(value, prefix) && !sid.Valid(value, prefix) {
			bad(field, "looks like a SID but is not "+prefix+" followed by 32 hex digits", value)
		} else if strings.TrimSpace(value) != value {
			bad(field, "has leading or trailing white space", value)
		}
	}
	checkSIDOrName("Sim", o.Sim, "HS")
	checkSIDOrName("Fleet", o.Fleet, "HF")
	if o.Network != "" && !sid.Valid(o.Network, "HW") {
		bad("Network", "must match ^HW[0-9a-fA-F]{32}$", o.Network)
	}
	if o.IsoCountry != "" && !isTwoLetters(o.IsoCountry) {
		bad("IsoCountry", "must be an ISO 3166-1 alpha-2 code such as US or fr", o.IsoCountry)
	}
	switch o.Group {
	case "", GroupSim, GroupFleet, GroupNetwork, GroupIsoCountry:
	default:
		bad("Group", "must be sim, fleet, network or isoCountry", string(o.Group))
	}
	switch o.Granularity {
	case "", GranularityHour, GranularityDay, GranularityAll:
	default:
		bad("Granularity", "must be hour, day or all", string(o.Granularity))
	}
	checkYear := func(field string, t time.Time) {
		if y := t.UTC().Year(); !t.IsZero() && (y < 0 || y > 9999) {
			bad(field, "must be within the years 0000 to 9999 (RFC 3339)", t.UTC().String())
		}
	}
	checkYear("StartTime", o.StartTime)
	checkYear("EndTime", o.EndTime)
	if !o.StartTime.IsZero() && !o.EndTime.IsZero() && !o.EndTime.After(o.StartTime) {
		bad("EndTime", "must be after StartTime "+o.StartTime.UTC().Format(time.RFC3339Nano), o.EndTime.UTC().Format(time.RFC3339Nano))
	}
	if o.PageSize < 0 || o.PageSize > MaxPageSize {
		bad("PageSize", "must be between 1 and 1000, or 0 for the default", strconv.Itoa(o.PageSize))
	}
	if o.Page < 0 {
		bad("Page", "must not be negative", strconv.Itoa(o.Page))
	}
	if o.MaxRecords < 0 {
		bad("MaxRecords", "must not be negative", strconv.Itoa(o.MaxRecords))
	}
	o.checkWindowed(bad)
	return errors.Join(errs...)
}

func isTwoLetters(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// ResumeFrom sets o to resume a walk at p, a Position saved from a walk of
// the same options (sequential or windowed): PageToken, Page, WindowStart
// and WindowEnd.
// List refuses a position saved from a walk of other options (see
// Position.Query) with a *ValidationError{Field: "ResumeFrom"}.
func (o *ListUsageRecordsOptions) ResumeFrom(p Position) {
	o.PageToken, o.Page, o.WindowStart, o.WindowEnd = p.PageToken, p.Page, p.WindowStart, p.WindowEnd
	o.resumeQuery = p.Query
}

// queryDigest identifies a walk's options for Position.Query: its filters,
// times and page size, as sent; not its position, Concurrency or limits.
func queryDigest(filters string) string {
	sum := sha256.Sum256([]byte(filters))
	return hex.EncodeToString(sum[:8])
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
	var o ListUsageRecordsOptions
	if opts != nil {
		o = *opts // a copy: the caller's options are never written
	}
	if err := o.Validate(); err != nil {
		return NewSliceIterator[UsageRecord](nil, err)
	}
	if limit := s.client.maxPageSize(); o.PageSize > limit {
		return NewSliceIterator[UsageRecord](nil, &ValidationError{Field: "PageSize",
			Problem: fmt.Sprintf("must be between 1 and %d on %s, or 0 for the default", limit, s.client.provider.name()),
			Value:   strconv.Itoa(o.PageSize)})
	}
	filters, err := o.filterQuery()
	if err != nil {
		return NewSliceIterator[UsageRecord](nil, err)
	}
	digest := queryDigest(filters)
	if o.resumeQuery != "" && o.resumeQuery != digest {
		return NewSliceIterator[UsageRecord](nil, &ValidationError{Field: "ResumeFrom",
			Problem: "the position was saved from a walk of other options (filters, times or page size): resume with the options it came from",
			Value:   o.resumeQuery})
	}
	it := s.list(ctx, o, filters)
	it.query = digest
	return it
}

// list starts the walk of valid options o, whose filters are encoded.
func (s *UsageRecordsService) list(ctx context.Context, o ListUsageRecordsOptions, filters string) *Iterator[UsageRecord] {
	fetch := listFetcher(s.client.transport, usageRecordsPath, filters, decodeUsageRecords)
	if o.Concurrency > 0 {
		walk := o.windowedWalk(time.Now())
		query := func(w window.Window) (fetchFunc[UsageRecord], error) {
			q := o
			q.StartTime, q.EndTime = w.Start, w.End
			return s.fetcher(q)
		}
		pager := newWindowedPager(ctx, walk, query, recordBucket, s.client.transport.limits.walkSlots(o.Concurrency),
			o.Concurrency, o.MaxRecords)
		return newIterator[UsageRecord](pager, o.MaxRecords, walk.start)
	}
	start := Position{PageToken: o.PageToken, Page: o.Page}
	return newIterator[UsageRecord](newSequentialPager(ctx, start, fetch, !o.NoPrefetch, o.MaxRecords), o.MaxRecords, start)
}

// fetcher returns the function that fetches o's pages. The filters are
// encoded once.
func (s *UsageRecordsService) fetcher(o ListUsageRecordsOptions) (fetchFunc[UsageRecord], error) {
	filters, err := o.filterQuery()
	if err != nil {
		return nil, err
	}
	return listFetcher(s.client.transport, usageRecordsPath, filters, decodeUsageRecords), nil
}
