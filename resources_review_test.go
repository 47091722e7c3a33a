package supersim_test

// Black-box review of ListSims, ListFleets, ListNetworks, ListBillingPeriods,
// GetSim, GetFleet, ListOptions, Iterator.Pages and NewPagedIterator.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/supersimkit/supersim"
)

const (
	rvAccount = "ACrev00000000000000000000000000000"
	rvToken   = "rv-SECRET-token-77aa"
)

// rvServer serves pages of raw JSON items for any path that it knows, and
// records each request's escaped path and query.
type rvServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	auth     []string
	pages    map[string][]string // path -> items (JSON objects), paged by PageSize (default 5)
	keys     map[string]string   // path -> key
	objects  map[string]string   // path -> body
	hook     func(w http.ResponseWriter, r *http.Request) bool
}

func newRV(t *testing.T) *rvServer {
	s := &rvServer{pages: map[string][]string{}, keys: map[string]string{}, objects: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *rvServer) client(t *testing.T, opts ...supersim.Option) *supersim.Client {
	all := append([]supersim.Option{supersim.WithBaseURL(s.URL), supersim.WithCredentials(rvAccount, rvToken),
		supersim.WithRetryWait(time.Millisecond, 3*time.Millisecond)}, opts...)
	c, err := supersim.NewClient(all...)
	require.NoError(t, err)
	return c
}

func (s *rvServer) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *rvServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	hook := s.hook
	s.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	path := r.URL.EscapedPath()
	w.Header().Set("Content-Type", "application/json")
	if body, ok := s.objects[path]; ok {
		fmt.Fprint(w, body)
		return
	}
	items, ok := s.pages[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code": 20404, "message": "The requested resource was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`)
		return
	}
	size := 5
	if n, _ := strconv.Atoi(r.URL.Query().Get("PageSize")); n > 0 {
		size = n
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
	from, to := min(page*size, len(items)), min((page+1)*size, len(items))
	next := "null"
	if to < len(items) {
		next = fmt.Sprintf(`"https://supersim.twilio.com%s?PageSize=%d&Page=%d&PageToken=PT%d"`, path, size, page+1, page+1)
	}
	fmt.Fprintf(w, `{"%s": [%s], "meta": {"page": %d, "page_size": %d, "key": "%s", "next_page_url": %s, "url": "u", "first_page_url": "f", "previous_page_url": null}}`,
		s.keys[path], strings.Join(items[from:to], ","), page, size, s.keys[path], next)
}

func rvSim(i int) string {
	return fmt.Sprintf(`{"sid": "HS%032x", "unique_name": "sim %d", "account_sid": %q, "iccid": "89883070000%09d", "status": "active",
		"fleet_sid": null, "date_created": "2025-07-30T20:00:00Z", "date_updated": "2025-07-30T21:00:00+01:00", "url": "u%d", "links": {}}`,
		i, i, rvAccount, i, i)
}

func rvNetwork(i int) string {
	return fmt.Sprintf(`{"sid": "HW%032x", "friendly_name": "net %d", "iso_country": "US", "identifiers": [{"mcc": "310", "mnc": "%03d"}, {"mcc": "311", "mnc": "%03d"}], "url": "u%d"}`,
		i, i, i%1000, (i+1)%1000, i)
}

// ---- Identifiers in paths ----

// A unique name "." or ".." is a dot-segment: a server or proxy that
// normalises paths (RFC 3986 5.2.4; Go's ServeMux here) resolves it, and
// the request reaches another resource than the SIM named. The SDK should
// refuse such names (nothing sent) rather than read another resource.
func TestReviewDotSegmentNamesLeaveTheirSegment(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/Sims":
			fmt.Fprint(w, `{"sims": [`+rvSim(1)+`], "meta": {"key": "sims", "page": 0, "page_size": 50, "next_page_url": null}}`)
		case "/v1/BillingPeriods":
			fmt.Fprint(w, `{"billing_periods": [{"sid": "HB1", "sim_sid": "HSother"}], "meta": {"key": "billing_periods", "page": 0, "page_size": 50, "next_page_url": null}}`)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"code": 20404, "message": "not found", "status": 404}`)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(rvAccount, rvToken))
	require.NoError(t, err)
	ctx := context.Background()

	sim, err := c.GetSim(ctx, ".")
	assert.Error(t, err, "GetSim(\".\") must not succeed: got %+v", sim)

	periods, err := c.ListBillingPeriods(ctx, "..", nil).Collect()
	assert.Error(t, err, "ListBillingPeriods(\"..\") must not read /v1/BillingPeriods: got %+v", periods)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range seen {
		assert.True(t, strings.HasPrefix(p, "/v1/Sims/"), "a request left /v1/Sims/{Sim}: %s (all: %q)", p, seen)
	}
}

// Dot-segment names are refused before anything is sent: a server or
// proxy may resolve them to another resource however they are escaped.
func TestReviewDotSegmentNamesAreRefused(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	var v *supersim.ValidationError
	_, err := c.GetSim(ctx, ".")
	require.ErrorAs(t, err, &v)
	_, err = c.GetFleet(ctx, "..")
	require.ErrorAs(t, err, &v)
	_, err = c.ListBillingPeriods(ctx, "..", nil).Collect()
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "Sim", v.Field)
	assert.Empty(t, s.Requests())
}

// Odd identifiers each reach the server as one segment, escaped once.
func TestReviewOddIdentifiersAreOneSegment(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	names := map[string]string{
		"é/ü":       "%C3%A9%2F%C3%BC",
		"100%":      "100%25",
		"a?b#c":     "a%3Fb%23c",
		"x y":       "x%20y",
		"%2F":       "%252F",
		"\xff\xfe":  "%FF%FE",
		"a:b@c&d=e": "a:b@c&d=e",
		"...":       "...",
	}
	for name, esc := range names {
		s.objects["/v1/Sims/"+esc] = `{"sid": "HS1", "unique_name": "ok"}`
		sim, err := c.GetSim(ctx, name)
		if assert.NoError(t, err, "%q", name) {
			assert.Equal(t, "ok", sim.UniqueName)
		}
		s.objects["/v1/Fleets/"+esc] = `{"sid": "HF1", "unique_name": "ok"}`
		_, err = c.GetFleet(ctx, name)
		assert.NoError(t, err, "%q", name)
		s.pages["/v1/Sims/"+esc+"/BillingPeriods"] = nil
		s.keys["/v1/Sims/"+esc+"/BillingPeriods"] = "billing_periods"
		_, err = c.ListBillingPeriods(ctx, name, nil).Collect()
		assert.NoError(t, err, "%q", name)
	}
}

// An APIError names the request's path as sent: a name with a control
// character is refused before it could break an error's line in two, and a
// name with a slash stays one escaped segment in the error.
func TestReviewAPIErrorOfAnOddNameIsOneLine(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	_, err := c.GetSim(context.Background(), "evil\nlevel=ERROR msg=forged")
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v)
	assert.NotContains(t, err.Error(), "\n", "error text: %q", err.Error())
	assert.Empty(t, s.Requests())

	_, err = c.GetSim(context.Background(), "a/b")
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v1/Sims/a%2Fb", apiErr.Path)
}

// ---- Validation ----

func TestReviewValidationSendsNothingAndKeepsCallerOptions(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	fields := func(err error) []string {
		var out []string
		var u interface{ Unwrap() []error }
		if !errors.As(err, &u) {
			var v *supersim.ValidationError
			if errors.As(err, &v) {
				return []string{v.Field}
			}
			return nil
		}
		for _, e := range u.Unwrap() {
			var v *supersim.ValidationError
			if errors.As(e, &v) {
				out = append(out, v.Field)
			}
		}
		return out
	}
	n := &supersim.ListNetworksOptions{IsoCountry: "1r", Mcc: "２０８", Mnc: "1"}
	n.PageSize = 1001
	_, err := c.ListNetworks(ctx, n).Collect()
	assert.Equal(t, []string{"IsoCountry", "Mcc", "Mnc", "PageSize"}, fields(err))
	_, err = c.ListSims(ctx, &supersim.ListSimsOptions{Status: "Active"}).Collect()
	assert.Equal(t, []string{"Status"}, fields(err))
	_, err = c.ListSims(ctx, &supersim.ListSimsOptions{Iccid: "8988307000000000001 "}).Collect()
	assert.Equal(t, []string{"Iccid"}, fields(err))
	_, err = c.ListBillingPeriods(ctx, "HS"+strings.Repeat("x", 32), nil).Collect()
	assert.Equal(t, []string{"Sim"}, fields(err))
	_, err = c.GetFleet(ctx, " ")
	assert.Equal(t, []string{"Fleet"}, fields(err))
	assert.Empty(t, s.Requests())

	s.pages["/v1/Networks"] = nil
	s.keys["/v1/Networks"] = "networks"
	lower := &supersim.ListNetworksOptions{IsoCountry: "fr"}
	lower.PageSize = 7
	_, err = c.ListNetworks(ctx, lower).Collect()
	require.NoError(t, err)
	assert.Equal(t, "fr", lower.IsoCountry, "caller's options are not written")
	assert.Equal(t, []string{"/v1/Networks?IsoCountry=FR&PageSize=7"}, s.Requests())
}

// Filters with query metacharacters are encoded as values.
func TestReviewFilterValuesAreQueryEscaped(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	s.pages["/v1/Sims"] = nil
	s.keys["/v1/Sims"] = "sims"
	_, err := c.ListSims(context.Background(), &supersim.ListSimsOptions{Fleet: "a&Status=ready#x y%"}).Collect()
	require.NoError(t, err)
	var o supersim.ListSimsOptions
	o.ResumeFrom(supersim.Position{PageToken: "x&Status=ready", Page: 2})
	_, err = c.ListSims(context.Background(), &o).Collect()
	require.NoError(t, err)
	assert.Equal(t, []string{"/v1/Sims?Fleet=a%26Status%3Dready%23x+y%25", "/v1/Sims?Page=2&PageToken=x%26Status%3Dready"}, s.Requests())
}

// ---- Strict decoding ----

func TestReviewNestedIdentifiersAreReadStrictly(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	s.keys["/v1/Networks"] = "networks"
	bad := map[string]string{
		"duplicate in nested":  `{"sid": "HW1", "identifiers": [{"mcc": "310", "mcc": "311"}]}`,
		"case-folded nested":   `{"sid": "HW1", "identifiers": [{"MCC": "310"}]}`,
		"folded via ſ":         `{"ſid": "HW1"}`,
		"number as mcc":        `{"sid": "HW1", "identifiers": [{"mcc": 310}]}`,
		"object not array":     `{"sid": "HW1", "identifiers": {"mcc": "310"}}`,
		"string element":       `{"sid": "HW1", "identifiers": ["310"]}`,
		"invalid UTF-8":        "{\"sid\": \"HW1\", \"friendly_name\": \"\xff\"}",
		"lone surrogate":       `{"sid": "HW1", "identifiers": [{"mnc": "\ud800"}]}`,
		"duplicate top member": `{"sid": "HW1", "identifiers": [], "identifiers": []}`,
		"escaped duplicate":    `{"sid": "HW1", "\u0073id": "HW2"}`,
	}
	for name, item := range bad {
		s.pages["/v1/Networks"] = []string{item}
		_, err := c.ListNetworks(context.Background(), nil).Collect()
		assert.ErrorIs(t, err, supersim.ErrInvalidResponse, name)
	}
	s.pages["/v1/Networks"] = []string{`{"sid": null, "friendly_name": "a\"b\\c\u00e9\n", "iso_country": null, "identifiers": null, "url": null, "extra": [{"x": null}]}`,
		`{"sid": "HW2", "identifiers": [{"mcc": null, "mnc": "01", "other": {"deep": [1, 2, {"z": "y"}]}}]}`}
	nets, err := c.ListNetworks(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, []supersim.Network{{FriendlyName: "a\"b\\cé\n"}, {SID: "HW2", Identifiers: []supersim.NetworkIdentifier{{MNC: "01"}}}}, nets)
}

func TestReviewDataLimitBoundsAndTypes(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	s.objects["/v1/Fleets/f"] = `{"data_limit": 9223372036854775807}`
	f, err := c.GetFleet(ctx, "f")
	require.NoError(t, err)
	assert.Equal(t, int64(9223372036854775807), f.DataLimit)
	for _, v := range []string{`9223372036854775808`, `-9223372036854775809`, `18446744073709551616`, `1e3`, `1.0`, `"1000"`, `true`, `[]`} {
		s.objects["/v1/Fleets/f"] = `{"data_limit": ` + v + `}`
		_, err := c.GetFleet(ctx, "f")
		assert.ErrorIs(t, err, supersim.ErrInvalidResponse, v)
	}
	for _, v := range []string{`{"data_enabled": "true"}`, `{"date_created": "2025-13-01T00:00:00Z"}`, `{"date_created": "2025-01-01 00:00:00"}`,
		`{"sid": "a", "SID": "b"}`, `null`, `[]`, ``, `{"sid": "HF1"`} {
		s.objects["/v1/Fleets/f"] = v
		_, err := c.GetFleet(ctx, "f")
		assert.ErrorIs(t, err, supersim.ErrInvalidResponse, v)
	}
	s.objects["/v1/Fleets/f"] = `{"date_created": "2025-07-30T22:00:00+02:00", "data_enabled": null}`
	f, err = c.GetFleet(ctx, "f")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 7, 30, 20, 0, 0, 0, time.UTC), f.DateCreated)
	assert.Equal(t, time.UTC, f.DateCreated.Location())
}

func TestReviewWrongMetaKeyOnEveryList(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	for path, key := range map[string]string{"/v1/Sims": "fleets", "/v1/Fleets": "sims", "/v1/Networks": "billing_periods", "/v1/Sims/x/BillingPeriods": "networks"} {
		s.pages[path] = nil
		s.keys[path] = key
	}
	_, err := c.ListSims(ctx, nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse)
	_, err = c.ListFleets(ctx, nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse)
	_, err = c.ListNetworks(ctx, nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse)
	_, err = c.ListBillingPeriods(ctx, "x", nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrInvalidResponse)
}

// ---- Memory: values from earlier pages do not change ----

func TestReviewValuesOfEarlierPagesStayPut(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	var items []string
	for i := range 23 {
		items = append(items, rvNetwork(i))
	}
	s.pages["/v1/Networks"] = items
	s.keys["/v1/Networks"] = "networks"
	want := func(i int) supersim.Network {
		return supersim.Network{SID: fmt.Sprintf("HW%032x", i), FriendlyName: fmt.Sprintf("net %d", i), IsoCountry: "US",
			Identifiers: []supersim.NetworkIdentifier{{MCC: "310", MNC: fmt.Sprintf("%03d", i)}, {MCC: "311", MNC: fmt.Sprintf("%03d", i+1)}},
			URL:         fmt.Sprintf("u%d", i)}
	}
	for _, prefetch := range []bool{true, false} {
		opts := &supersim.ListNetworksOptions{}
		opts.NoPrefetch = !prefetch
		got, err := c.ListNetworks(context.Background(), opts).Collect()
		require.NoError(t, err)
		require.Len(t, got, 23)
		for i, n := range got {
			assert.Equal(t, want(i), n)
		}
		it := c.ListNetworks(context.Background(), opts)
		var kept []supersim.Network
		for it.Next() {
			kept = append(kept, it.Value())
		}
		require.NoError(t, it.Err())
		for i, n := range kept {
			assert.Equal(t, want(i), n)
		}
		// Pages: copies of Items taken in the loop stay put.
		var copied []supersim.Network
		for p, err := range c.ListNetworks(context.Background(), opts).Pages() {
			require.NoError(t, err)
			copied = append(copied, p.Items...)
		}
		for i, n := range copied {
			assert.Equal(t, want(i), n)
		}
	}
	// Items with fields null on a later page do not keep the earlier page's values.
	s.pages["/v1/Networks"] = []string{rvNetwork(1), rvNetwork(2), `{"sid": null}`, `{}`, `{"identifiers": null}`, `{}`}
	opts := &supersim.ListNetworksOptions{}
	opts.PageSize = 2
	got, err := c.ListNetworks(context.Background(), opts).Collect()
	require.NoError(t, err)
	assert.Equal(t, []supersim.Network{want(1), want(2), {}, {}, {}, {}}, got)
}

// ---- Pages, Next, MaxRecords, positions ----

func rvSims(s *rvServer, n int) {
	var items []string
	for i := range n {
		items = append(items, rvSim(i))
	}
	s.pages["/v1/Sims"] = items
	s.keys["/v1/Sims"] = "sims"
}

func names(sims []supersim.Sim) []string {
	var out []string
	for _, s := range sims {
		out = append(out, s.UniqueName)
	}
	return out
}

func TestReviewNextThenPagesYieldsTheRestOnce(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 12)
	it := c.ListSims(context.Background(), nil)
	require.True(t, it.Next())
	require.True(t, it.Next())
	seen := []string{it.Value().UniqueName}
	seen = seen[:0]
	var sizes []int
	var last []bool
	for p, err := range it.Pages() {
		require.NoError(t, err)
		sizes = append(sizes, len(p.Items))
		last = append(last, p.Last)
		for _, sim := range p.Items {
			seen = append(seen, sim.UniqueName)
		}
	}
	assert.Equal(t, []int{3, 5, 2}, sizes)
	assert.Equal(t, []bool{false, false, true}, last)
	assert.Equal(t, "sim 2", seen[0])
	assert.Len(t, seen, 10)
	assert.False(t, it.Next())
	assert.NoError(t, it.Err())
}

func TestReviewPagesRespectMaxRecords(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 12)
	opts := &supersim.ListSimsOptions{}
	opts.MaxRecords = 7
	var total int
	for p, err := range c.ListSims(context.Background(), opts).Pages() {
		require.NoError(t, err)
		total += len(p.Items)
	}
	assert.Equal(t, 7, total)
	assert.Len(t, s.Requests(), 2, "no request past MaxRecords: %q", s.Requests())
}

// When MaxRecords cuts a page short, its Next is the page's own position:
// resuming there reads the page again rather than lose the rest of it.
func TestReviewPagesNextAfterMaxRecordsCutLosesNothing(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 15)
	opts := &supersim.ListSimsOptions{}
	opts.MaxRecords = 3
	var done []string
	var next supersim.Position
	for p, err := range c.ListSims(context.Background(), opts).Pages() {
		require.NoError(t, err)
		done = append(done, names(p.Items)...)
		next = p.Next
	}
	require.Equal(t, []string{"sim 0", "sim 1", "sim 2"}, done)
	var resume supersim.ListSimsOptions
	resume.ResumeFrom(next)
	rest, err := c.ListSims(context.Background(), &resume).Collect()
	require.NoError(t, err)
	assert.Len(t, rest, 15, "resumed at Page.Next %+v: the cut page is read again, whole: got %q", next, rest)
	assert.Equal(t, done, names(rest)[:3])
}

func TestReviewResumeRefusesOtherWalks(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	ctx := context.Background()
	for _, sim := range []string{"HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "HSbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"} {
		var items []string
		for i := range 8 {
			items = append(items, fmt.Sprintf(`{"sid": "HB%d", "sim_sid": %q}`, i, sim))
		}
		s.pages["/v1/Sims/"+sim+"/BillingPeriods"] = items
		s.keys["/v1/Sims/"+sim+"/BillingPeriods"] = "billing_periods"
	}
	var at supersim.Position
	for p, err := range c.ListBillingPeriods(ctx, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", nil).Pages() {
		require.NoError(t, err)
		at = p.Next
		break
	}
	require.NotEmpty(t, at.Query)
	var o supersim.ListBillingPeriodsOptions
	o.ResumeFrom(at)
	_, err := c.ListBillingPeriods(ctx, "HSbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", &o).Collect()
	var v *supersim.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "ResumeFrom", v.Field)
	got, err := c.ListBillingPeriods(ctx, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &o).Collect()
	require.NoError(t, err)
	assert.Len(t, got, 3)

	// A BillingPeriods position does not resume Sims or Fleets.
	var so supersim.ListSimsOptions
	so.ResumeFrom(at)
	_, err = c.ListSims(ctx, &so).Collect()
	require.ErrorAs(t, err, &v)
	var fo supersim.ListFleetsOptions
	fo.ResumeFrom(at)
	_, err = c.ListFleets(ctx, &fo).Collect()
	require.ErrorAs(t, err, &v)
	// A windowed usage position does not resume a Sims walk.
	w := supersim.Position{Page: 1, PageToken: "x", WindowStart: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	var wo supersim.ListSimsOptions
	wo.ResumeFrom(w)
	_, err = c.ListSims(ctx, &wo).Collect()
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "ResumeFrom", v.Field)
	// A negative page is refused.
	var neg supersim.ListNetworksOptions
	neg.ResumeFrom(supersim.Position{Page: -1})
	_, err = c.ListNetworks(ctx, &neg).Collect()
	require.ErrorAs(t, err, &v)
	for _, r := range s.Requests() {
		assert.Contains(t, r, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "only SIM A's walk was sent: %q", s.Requests())
	}
}

func TestReviewPagesLongerThanPageSizeAndLoopGuard(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	big := make([]string, 1500)
	for i := range big {
		big[i] = rvSim(i)
	}
	s.objects["/v1/Sims"] = `{"sims": [` + strings.Join(big, ",") + `], "meta": {"key": "sims", "page": 0, "page_size": 2, "next_page_url": null}}`
	opts := &supersim.ListSimsOptions{}
	opts.PageSize = 2
	_, err := c.ListSims(context.Background(), opts).Collect()
	require.ErrorIs(t, err, supersim.ErrInvalidResponse, "more items than asked for cannot be the page asked for")
	opts.PageSize = 0
	got, err := c.ListSims(context.Background(), opts).Collect()
	require.ErrorIs(t, err, supersim.ErrInvalidResponse, "more than any page may hold")
	assert.Empty(t, got)

	// Same token again: a loop.
	s.objects["/v1/Fleets"] = `{"fleets": [{"sid": "HF1"}], "meta": {"key": "fleets", "page": 0, "next_page_url": "https://x/v1/Fleets?Page=1&PageToken=A"}}`
	_, err = c.ListFleets(context.Background(), nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrPagingLoop)
}

// ---- Network failures, retries, redirects, providers ----

func TestReviewRetriesApplyToTheNewEndpoints(t *testing.T) {
	s := newRV(t)
	c := s.client(t, supersim.WithMaxRetries(3))
	rvSims(s, 7)
	s.objects["/v1/Fleets/f"] = `{"sid": "HF1"}`
	var n atomic.Int32
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		switch n.Add(1) % 3 {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		case 2:
			hj, ok := w.(http.Hijacker)
			if ok {
				conn, _, _ := hj.Hijack()
				conn.Close()
				return true
			}
		}
		return false
	}
	sims, err := c.ListSims(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, sims, 7)
	n.Store(0)
	_, err = c.GetFleet(context.Background(), "f")
	require.NoError(t, err)
	// 503 for ever: an APIError matching ErrServer, after 4 tries.
	s.hook = func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(503); return true }
	_, err = c.GetSim(context.Background(), "x")
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, supersim.ErrServer)
	assert.Equal(t, 4, apiErr.Attempts)
	// A body cut short is retried.
	s.hook = nil
	var cut atomic.Int32
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if cut.Add(1) == 1 {
			w.Header().Set("Content-Length", "500")
			fmt.Fprint(w, `{"networks": [{"sid": "HW`)
			return true
		}
		return false
	}
	s.pages["/v1/Networks"] = []string{rvNetwork(1)}
	s.keys["/v1/Networks"] = "networks"
	nets, err := c.ListNetworks(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, nets, 1)
}

func TestReviewRedirectElsewhereGetsNoCredentials(t *testing.T) {
	var otherAuth []string
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherAuth = append(otherAuth, r.Header.Get("Authorization")+"|"+r.URL.RawQuery)
		mu.Unlock()
		fmt.Fprint(w, `{"sid": "HSevil"}`)
	}))
	defer other.Close()
	s := newRV(t)
	c := s.client(t)
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		return true
	}
	_, err := c.GetSim(context.Background(), "x")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), rvToken)
	_, err = c.ListBillingPeriods(context.Background(), "x", nil).Collect()
	require.Error(t, err)
	_, err = c.ListSims(context.Background(), nil).Collect()
	require.Error(t, err)
	mu.Lock()
	defer mu.Unlock()
	for _, a := range otherAuth {
		assert.NotContains(t, a, "Basic", "credentials reached another host")
	}
	// A next_page_url naming another host still goes to the API origin.
	s.hook = nil
	s.objects["/v1/Fleets"] = `{"fleets": [{"sid": "HF1"}], "meta": {"key": "fleets", "page": 0, "next_page_url": "` + other.URL + `/v1/Fleets?Page=1&PageToken=Z"}}`
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("Page") == "1" {
			fmt.Fprint(w, `{"fleets": [{"sid": "HF2"}], "meta": {"key": "fleets", "page": 1, "next_page_url": null}}`)
			return true
		}
		return false
	}
	fl, err := c.ListFleets(context.Background(), nil).Collect()
	require.NoError(t, err)
	assert.Len(t, fl, 2)
	assert.Empty(t, otherAuth)
}

type rvTokens struct{ n atomic.Int32 }

func (ts *rvTokens) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: fmt.Sprintf("kore-%d", ts.n.Add(1)), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestReviewKOREBearerOnTheNewEndpoints(t *testing.T) {
	s := newRV(t)
	c, err := supersim.NewClient(supersim.WithBaseURL(s.URL), supersim.WithTokenSource(&rvTokens{}), supersim.WithRetryWait(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, supersim.ProviderKORE, c.Provider())
	rvSims(s, 3)
	s.objects["/v1/Fleets/f"] = `{"sid": "HF1"}`
	s.objects["/v1/Sims/s"] = `{"sid": "HS1"}`
	s.pages["/v1/Networks"] = nil
	s.keys["/v1/Networks"] = "networks"
	s.pages["/v1/Sims/s/BillingPeriods"] = nil
	s.keys["/v1/Sims/s/BillingPeriods"] = "billing_periods"
	var refused atomic.Bool
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v1/Fleets/f" && !refused.Swap(true) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"code": 20003, "message": "expired"}`)
			return true
		}
		return false
	}
	opts := &supersim.ListSimsOptions{}
	opts.PageSize = 1000
	_, err = c.ListSims(context.Background(), opts).Collect()
	require.NoError(t, err)
	_, err = c.ListNetworks(context.Background(), nil).Collect()
	require.NoError(t, err)
	_, err = c.ListBillingPeriods(context.Background(), "s", nil).Collect()
	require.NoError(t, err)
	_, err = c.GetSim(context.Background(), "s")
	require.NoError(t, err)
	_, err = c.GetFleet(context.Background(), "f")
	require.NoError(t, err, "a refused token is replaced once")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.auth {
		assert.True(t, strings.HasPrefix(a, "Bearer kore-"), "request %s: %q", s.requests[i], a)
	}
	assert.Equal(t, "Bearer kore-2", s.auth[len(s.auth)-1])
}

func TestReviewSecretsNeverInErrorsOrLogs(t *testing.T) {
	s := newRV(t)
	var logs bytes.Buffer
	var lmu sync.Mutex
	h := slog.NewTextHandler(&lockedWriter{w: &logs, mu: &lmu}, &slog.HandlerOptions{Level: slog.LevelDebug})
	c := s.client(t, supersim.WithLogger(slog.New(h)), supersim.WithMaxRetries(1))
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		auth := r.Header.Get("Authorization")
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"code": 20001, "message": "bad auth %s %s", "details": {"echo": %q}}`, auth, rvToken, auth)
		return true
	}
	_, err := c.GetSim(context.Background(), "x")
	require.Error(t, err)
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, apiErr), rvToken)
	_, err = c.ListFleets(context.Background(), nil).Collect()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), rvToken)
	lmu.Lock()
	defer lmu.Unlock()
	assert.NotContains(t, logs.String(), rvToken)
	assert.NotEmpty(t, logs.String())
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestReviewNotFoundIsAnAPIError(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	_, err := c.GetFleet(context.Background(), "HF"+strings.Repeat("0", 32))
	var apiErr *supersim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, supersim.ErrNotFound)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, 1, apiErr.Attempts)
	_, err = c.ListBillingPeriods(context.Background(), "nosuch", nil).Collect()
	assert.ErrorIs(t, err, supersim.ErrNotFound)
}

// ---- Concurrency, goroutines ----

func TestReviewConcurrentWalksOnOneClient(t *testing.T) {
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 40)
	var items []string
	for i := range 33 {
		items = append(items, rvNetwork(i))
	}
	s.pages["/v1/Networks"] = items
	s.keys["/v1/Networks"] = "networks"
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g%2 == 0 {
				got, err := c.ListSims(context.Background(), nil).Collect()
				assert.NoError(t, err)
				assert.Len(t, got, 40)
				return
			}
			n := 0
			for p, err := range c.ListNetworks(context.Background(), nil).Pages() {
				assert.NoError(t, err)
				for _, x := range p.Items {
					assert.Len(t, x.Identifiers, 2)
				}
				n += len(p.Items)
			}
			assert.Equal(t, 33, n)
		}()
	}
	wg.Wait()
}

func rvLeakOpts() []goleak.Option {
	return []goleak.Option{goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait")}
}

func TestReviewNoGoroutineLeftAfterBreakOrDrop(t *testing.T) {
	before := goleak.IgnoreCurrent()
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 50)
	release := make(chan struct{})
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("Page") != "" {
			select { // the prefetch hangs until released or cancelled
			case <-release:
			case <-r.Context().Done():
			}
		}
		return false
	}
	for p, err := range c.ListSims(context.Background(), nil).Pages() {
		require.NoError(t, err)
		require.Len(t, p.Items, 5)
		break
	}
	for v, err := range c.ListSims(context.Background(), nil).All() {
		require.NoError(t, err)
		_ = v
		break
	}
	func() {
		it := c.ListSims(context.Background(), nil)
		require.True(t, it.Next()) // dropped without Stop
	}()
	for range 20 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if goleak.Find(append(rvLeakOpts(), before)...) == nil {
			break
		}
	}
	close(release)
	s.Close()
	assert.NoError(t, goleak.Find(append(rvLeakOpts(), before)...))
}

// NewPagedIterator: pages, positions, error, resume.
func TestReviewNewPagedIterator(t *testing.T) {
	boom := errors.New("boom")
	pages := [][]int{{1, 2}, {}, {3}, {4, 5, 6}}
	it := supersim.NewPagedIterator(pages, supersim.Position{Page: 2}, boom)
	var got []supersim.Page[int]
	var errs []error
	for p, err := range it.Pages() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, p)
	}
	require.Len(t, got, 2)
	assert.Equal(t, []int{3}, got[0].Items)
	assert.Equal(t, 2, got[0].Position.Page)
	assert.Equal(t, 3, got[0].Next.Page)
	assert.Equal(t, 4, got[1].Next.Page)
	assert.False(t, got[1].Last, "an error follows")
	assert.Equal(t, []error{boom}, errs)
	all, err := supersim.NewPagedIterator(pages, supersim.Position{Page: -5}, nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, all)
	all, err = supersim.NewPagedIterator(pages, supersim.Position{Page: 99}, boom).Collect()
	assert.Empty(t, all)
	assert.ErrorIs(t, err, boom)
}

func TestReviewCancelMidWalk(t *testing.T) {
	before := goleak.IgnoreCurrent()
	s := newRV(t)
	c := s.client(t)
	rvSims(s, 20)
	ctx, cancel := context.WithCancel(context.Background())
	s.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("Page") == "2" {
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	}
	it := c.ListSims(ctx, nil)
	got, err := it.Collect()
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, got, 10)
	at, more := it.NextPosition()
	assert.True(t, more)
	assert.Equal(t, 2, at.Page, "the failed page's position")
	s.hook = nil
	var o supersim.ListSimsOptions
	o.ResumeFrom(at)
	rest, err := c.ListSims(context.Background(), &o).Collect()
	require.NoError(t, err)
	assert.Len(t, rest, 10)
	s.Close()
	for range 20 {
		if goleak.Find(append(rvLeakOpts(), before)...) == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	assert.NoError(t, goleak.Find(append(rvLeakOpts(), before)...))
}

var _ = net.ErrClosed
