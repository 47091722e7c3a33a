package supersim_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
)

// fleetAPI is a loopback Super SIM API over a synthetic fleet, for windowed
// walks at scale: sims SIMs with usage in every hour of [from, to), served
// with Group sim and Granularity hour or day, newest first (by period, then
// SIM) as Twilio's examples list them, paged with PageTokens tied to the
// query, with Twilio's range limits (83601/83602 for a StartTime or EndTime
// off the bucket, 83603, 83604), and at most maxInFlight requests at once:
// the rest are refused at once with 429 / Twilio error 20429 and no
// Retry-After, as Twilio documents. Usage is computed, not stored, so a
// fleet of thousands of SIMs costs no memory.
type fleetAPI struct {
	*httptest.Server
	fleetConfig
	sids []string // Sim SIDs, by SIM number

	inFlight, peak, served, refused atomic.Int64

	mu      sync.Mutex
	queries []url.Values // as the requests arrived
}

// fleetConfig shapes a fleetAPI.
type fleetConfig struct {
	sims        int
	from, to    time.Time     // the hours with usage
	latency     time.Duration // per answered request
	maxInFlight int           // 0 for no limit
	// fault, if set, may answer a request with a status instead (0 for
	// none); it must be safe for concurrent use.
	fault func(q url.Values) int
}

const fleetAccount = "AC00000000000000000000000000000000"

func newFleetAPI(tb testing.TB, cfg fleetConfig) *fleetAPI {
	tb.Helper()
	f := &fleetAPI{fleetConfig: cfg, sids: make([]string, cfg.sims)}
	for i := range f.sids {
		f.sids[i] = fmt.Sprintf("HS%032x", i+1)
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

// client returns a client of f with short retry waits; opts come last.
func (f *fleetAPI) client(tb testing.TB, opts ...supersim.Option) *supersim.Client {
	tb.Helper()
	all := append([]supersim.Option{supersim.WithBaseURL(f.URL), supersim.WithCredentials(fleetAccount, "fleet-token"),
		supersim.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, opts...)
	client, err := supersim.NewClient(all...)
	if err != nil {
		tb.Fatal(err)
	}
	return client
}

// Queries returns the query of every request so far, refused ones included.
func (f *fleetAPI) Queries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.queries...)
}

func (f *fleetAPI) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if n := f.inFlight.Add(1); f.maxInFlight > 0 && n > int64(f.maxInFlight) {
		f.inFlight.Add(-1)
		f.refused.Add(1)
		fleetError(w, 429, 20429, "Too Many Requests")
		return
	}
	defer f.inFlight.Add(-1)
	for peak := f.peak.Load(); ; peak = f.peak.Load() {
		if n := f.inFlight.Load(); n <= peak || f.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	timer := time.NewTimer(f.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.Context().Done():
		return
	}
	if f.fault != nil {
		if status := f.fault(q); status != 0 {
			fleetError(w, status, 20000+status, http.StatusText(status))
			return
		}
	}
	body, status, code, msg := f.page(r.Host, q)
	if status != http.StatusOK {
		fleetError(w, status, code, msg)
		return
	}
	f.served.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func fleetError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code": %d, "message": %q, "more_info": "https://www.twilio.com/docs/errors/%d", "status": %d}`,
		code, message, code, status)
}

// fleetQuery is a parsed request.
type fleetQuery struct {
	bucket     time.Duration
	start, end time.Time
	pageSize   int
	page       int
	filters    url.Values // all but the paging
}

// parse checks a request the way Twilio does, as far as this API goes.
func (f *fleetAPI) parse(v url.Values) (*fleetQuery, int, string) {
	q := &fleetQuery{bucket: time.Hour, pageSize: 50, filters: url.Values{}}
	for k, vals := range v {
		if k != "Page" && k != "PageToken" && k != "PageSize" {
			q.filters[k] = vals
		}
	}
	if v.Get("Group") != "sim" {
		return nil, 83600, "this API serves Group=sim only"
	}
	switch v.Get("Granularity") {
	case "hour":
	case "day":
		q.bucket = 24 * time.Hour
	default:
		return nil, 83600, "this API serves Granularity hour or day only"
	}
	var err error
	q.end, q.start = f.to, f.to.AddDate(0, -1, 0)
	if raw := v.Get("EndTime"); raw != "" {
		if q.end, err = time.Parse(time.RFC3339Nano, raw); err != nil {
			return nil, 83600, "EndTime must be an ISO 8601 date-time"
		}
	}
	if raw := v.Get("StartTime"); raw != "" {
		if q.start, err = time.Parse(time.RFC3339Nano, raw); err != nil {
			return nil, 83600, "StartTime must be an ISO 8601 date-time"
		}
	}
	code := 83602
	if q.bucket > time.Hour {
		code = 83601
	}
	switch {
	case !q.end.After(q.start):
		return nil, 83600, "EndTime must be after StartTime"
	case !q.start.Equal(q.start.Truncate(q.bucket)) || !q.end.Equal(q.end.Truncate(q.bucket)):
		return nil, code, "StartTime and EndTime must be on a bucket boundary"
	case q.end.Sub(q.start) > 31*24*time.Hour:
		return nil, 83603, "Query period must be 31 days or less when grouping by Sim"
	}
	if q.pageSize, err = strconv.Atoi(cmpOr(v.Get("PageSize"), "50")); err != nil || q.pageSize < 1 || q.pageSize > 1000 {
		return nil, 83600, "PageSize must be between 1 and 1000"
	}
	q.page, _ = strconv.Atoi(cmpOr(v.Get("Page"), "0"))
	if token := v.Get("PageToken"); q.page > 0 && token != q.token(q.page) {
		return nil, 21481, "Invalid PageToken"
	}
	return q, 0, ""
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// token is the PageToken of page, tied to the query and the page size.
func (q *fleetQuery) token(page int) string {
	h := fnv.New32a()
	h.Write([]byte(q.filters.Encode()))
	return fmt.Sprintf("PT%d-%08x-%d", page, h.Sum32(), q.pageSize)
}

// buckets returns the buckets of q that hold usage, newest first.
func (f *fleetAPI) buckets(q *fleetQuery) []time.Time {
	var out []time.Time
	for b := q.end.Add(-q.bucket); !b.Before(q.start); b = b.Add(-q.bucket) {
		if b.Before(f.to) && b.Add(q.bucket).After(f.from) {
			out = append(out, b)
		}
	}
	return out
}

// usage is SIM sim's usage in [start, start+bucket), within [from, to).
func (f *fleetAPI) usage(sim int, start time.Time, bucket time.Duration) (up, down int64) {
	for h := start; h.Before(start.Add(bucket)); h = h.Add(time.Hour) {
		if h.Before(f.from) || !h.Before(f.to) {
			continue
		}
		n := h.Unix() / 3600
		u := 1000 + (int64(sim)*7919+n*31)%5000
		up, down = up+u, down+2*u+int64(sim%13)
	}
	return up, down
}

// record renders one record as Twilio sends it.
func (f *fleetAPI) record(buf []byte, sim int, start time.Time, bucket time.Duration) []byte {
	up, down := f.usage(sim, start, bucket)
	buf = append(buf, `{"account_sid":"`+fleetAccount+`","sim_sid":"`...)
	buf = append(buf, f.sids[sim]...)
	buf = append(buf, `","network_sid":null,"fleet_sid":null,"iso_country":null,"period":{"start_time":"`...)
	buf = start.AppendFormat(buf, time.RFC3339)
	buf = append(buf, `","end_time":"`...)
	buf = start.Add(bucket).AppendFormat(buf, time.RFC3339)
	buf = append(buf, `"},"data_upload":`...)
	buf = strconv.AppendInt(buf, up, 10)
	buf = append(buf, `,"data_download":`...)
	buf = strconv.AppendInt(buf, down, 10)
	buf = append(buf, `,"data_total":`...)
	buf = strconv.AppendInt(buf, up+down, 10)
	buf = append(buf, `,"data_total_billed":"`...)
	buf = appendBilled(buf, up+down)
	return append(buf, `","billed_unit":"USD"}`...)
}

// appendBilled appends the amount billed for total bytes, a micro-dollar
// per 100 bytes, with six decimals.
func appendBilled(buf []byte, total int64) []byte {
	micros := total / 100
	buf = strconv.AppendInt(buf, micros/1_000_000, 10)
	frac := strconv.AppendInt(nil, 1_000_000+micros%1_000_000, 10)
	return append(append(buf, '.'), frac[1:]...)
}

// page renders the page a request asks for.
func (f *fleetAPI) page(host string, v url.Values) ([]byte, int, int, string) {
	q, code, msg := f.parse(v)
	if q == nil {
		return nil, http.StatusBadRequest, code, msg
	}
	buckets := f.buckets(q)
	total := len(buckets) * f.sims
	from, to := min(q.page*q.pageSize, total), min((q.page+1)*q.pageSize, total)
	pageURL := func(page int) string {
		u := url.Values{}
		for k, vals := range q.filters {
			u[k] = vals
		}
		u.Set("PageSize", strconv.Itoa(q.pageSize))
		u.Set("Page", strconv.Itoa(page))
		if page > 0 {
			u.Set("PageToken", q.token(page))
		}
		return strconv.Quote("http://" + host + "/v1/UsageRecords?" + u.Encode())
	}
	buf := make([]byte, 0, 400*(to-from)+1024)
	buf = append(buf, `{"usage_records":[`...)
	for i := from; i < to; i++ {
		if i > from {
			buf = append(buf, ',')
		}
		buf = f.record(buf, i%f.sims, buckets[i/f.sims], q.bucket)
	}
	next := "null"
	if to < total {
		next = pageURL(q.page + 1)
	}
	buf = fmt.Appendf(buf, `],"meta":{"page":%d,"page_size":%d,"first_page_url":%s,"previous_page_url":null,"url":%s,"next_page_url":%s,"key":"usage_records"}}`,
		q.page, q.pageSize, pageURL(0), pageURL(q.page), next)
	return buf, http.StatusOK, 0, ""
}

// expected returns the records a walk of [start, end) must yield, in the
// order of one walk of the range: newest first.
func (f *fleetAPI) expected(granularity supersim.Granularity, start, end time.Time) []supersim.UsageRecord {
	q := &fleetQuery{bucket: time.Hour, start: start, end: end}
	if granularity == supersim.GranularityDay {
		q.bucket = 24 * time.Hour
	}
	var out []supersim.UsageRecord
	for _, b := range f.buckets(q) {
		for sim := range f.sims {
			up, down := f.usage(sim, b, q.bucket)
			out = append(out, supersim.UsageRecord{AccountSID: fleetAccount, SimSID: f.sids[sim],
				Period:     supersim.Period{StartTime: b, EndTime: b.Add(q.bucket)},
				DataUpload: up, DataDownload: down, DataTotal: up + down,
				DataTotalBilled: supersim.MustParseDecimal(string(appendBilled(nil, up+down))), BilledUnit: "USD"})
		}
	}
	return out
}

// collect walks opts with client and returns the records and the error.
func collect(ctx context.Context, client *supersim.Client, opts supersim.ListUsageRecordsOptions) ([]supersim.UsageRecord, error) {
	it := client.ListUsageRecords(ctx, &opts)
	defer it.Stop()
	return it.Collect()
}

// totalBytes sums the hourly usage of every SIM in [start, end).
func (f *fleetAPI) totalBytes(start, end time.Time) int64 {
	var total int64
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		for sim := range f.sims {
			up, down := f.usage(sim, h, time.Hour)
			total += up + down
		}
	}
	return total
}
