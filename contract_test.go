//go:build contract

// Contract tests: the client against Twilio's and KORE's own OpenAPI
// descriptions of GET /v1/UsageRecords (testdata/openapi; the other
// resources are in contract_resources_test.go), served by
// Stoplight Prism in its strict mode (`prism mock --errors`), which answers
// the named examples of the descriptions and refuses requests that break
// them. Run them with .ci/run, or see the README's "Contract tests".
//
// Prism is found through the PRISM environment variable (the path of its
// executable) or else on PATH. A test that cannot start it fails: it never
// skips.

package supersim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/supersimkit/supersim"
)

// The descriptions, as copied from their publishers (see their README files).
var (
	twilioSpec    = filepath.Join("testdata", "openapi", "twilio_supersim_v1.yaml")
	koreSpec      = filepath.Join("testdata", "openapi", "kore", "kore_supersim_v1.yaml")
	koreTokenSpec = filepath.Join("testdata", "openapi", "kore", "kore_token_api_v1.yaml")
)

// exampleCount is how many named examples both descriptions give for a
// UsageRecords page.
const exampleCount = 13

// prismStartDeadline bounds Prism's start: it parses a 250 KB description,
// which takes a few seconds on a loaded machine.
const prismStartDeadline = 90 * time.Second

// prismReady is the line Prism logs once it accepts connections.
const prismReady = "Prism is listening on "

// ---- Prism ----------------------------------------------------------------

// prismOutput collects what Prism prints and signals when it is listening.
type prismOutput struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (p *prismOutput) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	if strings.Contains(p.buf.String(), prismReady) {
		p.once.Do(func() { close(p.ready) })
	}
	return len(b), nil
}

func (p *prismOutput) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// prismPath returns Prism's executable: $PRISM, or prism on PATH.
func prismPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PRISM"); p != "" {
		return p
	}
	p, err := exec.LookPath("prism")
	require.NoError(t, err, "Prism not found: set PRISM to its executable or put prism on PATH "+
		"(.ci/run installs it: npm install --prefix .ci/prism @stoplight/prism-cli)")
	return p
}

// startPrism serves spec with `prism mock --errors` on a free loopback port
// and returns its base URL. Prism (and anything it spawns) is killed when
// the test ends. The test fails if Prism does not start.
func startPrism(t *testing.T, spec string) string {
	t.Helper()
	bin := prismPath(t)
	for attempt := 1; ; attempt++ {
		base, out, err := tryStartPrism(t, bin, spec)
		if err == nil {
			return base
		}
		// Another process may take the port between our probe and Prism's
		// listen; only then is another try worth it.
		if attempt < 3 && strings.Contains(out, "EADDRINUSE") {
			continue
		}
		require.NoError(t, err, "Prism did not start; its output:\n%s", out)
	}
}

// tryStartPrism makes one attempt at starting Prism; on failure it returns
// Prism's output so far.
func tryStartPrism(t *testing.T, bin, spec string) (string, string, error) {
	port := freePort(t)
	cmd := exec.Command(bin, "mock", "--errors", "-h", "127.0.0.1", "-p", strconv.Itoa(port), spec)
	out := &prismOutput{ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // one group: Prism and its children
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return "", "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	select {
	case <-out.ready:
		t.Cleanup(kill)
		return "http://127.0.0.1:" + strconv.Itoa(port), "", nil
	case err := <-exited:
		return "", out.String(), fmt.Errorf("prism exited before listening: %v", err)
	case <-time.After(prismStartDeadline):
		kill()
		return "", out.String(), fmt.Errorf("prism not listening after %v", prismStartDeadline)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// ---- requests to Prism ------------------------------------------------------

// exchange is one request the client sent and what came back.
type exchange struct {
	method, path string
	rawPath      string // the path as sent, escaped
	query        url.Values
	header       http.Header
	form         url.Values // the form body of a POST (a token exchange)
	status       int
	body         string // kept for answers of 400 and above, to show Prism's reasons
}

// recorder is the http.RoundTripper under the client: it asks Prism for a
// named example of the API's answer (the Prefer header, on every request
// but a token exchange) and records every exchange, token exchanges
// included.
type recorder struct {
	example string // "" sends no Prefer header
	base    *http.Transport

	mu        sync.Mutex
	exchanges []exchange
}

func newRecorder(t *testing.T, example string) *recorder {
	r := &recorder{example: example, base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(r.base.CloseIdleConnections)
	return r
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if r.example != "" && req.URL.Path != tokenPath {
		req.Header.Set("Prefer", "example="+r.example)
	}
	x := exchange{
		method: req.Method, path: req.URL.Path, rawPath: req.URL.EscapedPath(),
		query: req.URL.Query(), header: req.Header.Clone(),
	}
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if x.form, err = url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	x.status = resp.StatusCode
	if resp.StatusCode >= 400 {
		body, readErr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if readErr != nil {
			return nil, readErr
		}
		x.body = string(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, x)
	r.mu.Unlock()
	return resp, nil
}

// Exchanges returns the exchanges with path (unescaped), or all of them
// for "".
func (r *recorder) Exchanges(path string) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []exchange
	for _, x := range r.exchanges {
		if path == "" || x.path == path {
			out = append(out, x)
		}
	}
	return out
}

// APIExchanges returns the exchanges with the API: all but token exchanges.
func (r *recorder) APIExchanges() []exchange {
	return slices.DeleteFunc(r.Exchanges(""), func(x exchange) bool { return x.path == tokenPath })
}

// The paths of the descriptions.
const (
	usageRecordsPath = "/v1/UsageRecords"
	tokenPath        = "/v1/auth/token"
)

// twilioAccountSID is an Account SID of the form Twilio's description
// wants. Prism checks only the form of credentials: Basic for Twilio, a
// Bearer token for KORE (koreClientID and koreClientSecret are those of
// kore_test.go).
var twilioAccountSID = "AC" + strings.Repeat("a", 32)

// newTwilioClient returns a Twilio (HTTP Basic) client of the API at base
// that asks Prism for example, and its recorder.
func newTwilioClient(t *testing.T, base, example string) (*supersim.Client, *recorder) {
	t.Helper()
	rt := newRecorder(t, example)
	client, err := supersim.NewClient(
		supersim.WithCredentials(twilioAccountSID, testAuthToken),
		supersim.WithBaseURL(base),
		supersim.WithHTTPClient(&http.Client{Transport: rt}),
		supersim.WithRetryWait(time.Millisecond, 10*time.Millisecond),
	)
	require.NoError(t, err)
	return client, rt
}

// newKOREClient returns a KORE (OAuth 2.0 client credentials) client of the
// API at base, with tokens from tokenURL, that asks Prism for example, and
// its recorder.
func newKOREClient(t *testing.T, base, tokenURL, example string) (*supersim.Client, *recorder) {
	t.Helper()
	rt := newRecorder(t, example)
	client, err := supersim.NewClient(
		supersim.WithKORE(koreClientID, koreClientSecret),
		supersim.WithTokenURL(tokenURL),
		supersim.WithBaseURL(base),
		supersim.WithHTTPClient(&http.Client{Transport: rt}),
		supersim.WithRetryWait(time.Millisecond, 10*time.Millisecond),
	)
	require.NoError(t, err)
	return client, rt
}

// provider is what the checks common to both descriptions need to know.
type provider struct {
	spec          string // the path of the description
	api           string // the base URL of Prism serving it
	authorization string // an Authorization header value that Prism accepts
	maxPageSize   int    // of usage records
	newClient     func(t *testing.T, example string) (*supersim.Client, *recorder)
	// checkAuth checks the credentials of a walk's exchanges: the API
	// requests' Authorization header, and the token exchange if any.
	checkAuth func(t *testing.T, rt *recorder)
}

// ---- the examples of a description ------------------------------------------

// specExample is one named example of a UsageRecords page, read from the
// description without the SDK: the page, and the query that the
// description's parameter examples of the same name make.
type specExample struct {
	name  string
	page  examplePage
	query url.Values
}

// examplePage mirrors the JSON of a page; it is decoded with unknown fields
// refused, so a field the description adds shows up here.
type examplePage struct {
	UsageRecords []exampleRecord `yaml:"usage_records"`
	Meta         exampleMeta     `yaml:"meta"`
}

type exampleRecord struct {
	Period struct {
		StartTime string `yaml:"start_time"`
		EndTime   string `yaml:"end_time"`
	} `yaml:"period"`
	AccountSID      *string `yaml:"account_sid"`
	SimSID          *string `yaml:"sim_sid"`
	NetworkSID      *string `yaml:"network_sid"`
	FleetSID        *string `yaml:"fleet_sid"`
	IsoCountry      *string `yaml:"iso_country"`
	DataUpload      int64   `yaml:"data_upload"`
	DataDownload    int64   `yaml:"data_download"`
	DataTotal       int64   `yaml:"data_total"`
	DataTotalBilled string  `yaml:"data_total_billed"`
	BilledUnit      *string `yaml:"billed_unit"`
}

type exampleMeta struct {
	FirstPageURL    string  `yaml:"first_page_url"`
	Key             string  `yaml:"key"`
	NextPageURL     *string `yaml:"next_page_url"`
	Page            int     `yaml:"page"`
	PageSize        int     `yaml:"page_size"`
	PreviousPageURL *string `yaml:"previous_page_url"`
	URL             string  `yaml:"url"`
}

// usageRecordsExamples reads the named examples of GET /v1/UsageRecords's
// 200 answer from the description at path, in name order.
func usageRecordsExamples(t *testing.T, path string) []specExample {
	t.Helper()
	var out []specExample
	for _, ex := range namedExamples(t, loadSpec(t, path), usageRecordsPath) {
		var page examplePage
		decodeStrict(t, ex.value, &page, ex.name)
		out = append(out, specExample{name: ex.name, page: page, query: ex.query})
	}
	return out
}

// loadSpec parses the description at path.
func loadSpec(t *testing.T, path string) *yaml.Node {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	return &doc
}

// namedExample is one named example of an operation's 200 answer, as the
// description has it: its value, and the query that the description's
// parameter examples of the same name make.
type namedExample struct {
	name  string
	value *yaml.Node
	query url.Values
}

// namedExamples reads the named examples of GET op's 200 answer from the
// description doc, in name order. Parameters in the path have no examples;
// those in the query make the example's query.
func namedExamples(t *testing.T, doc *yaml.Node, op string) []namedExample {
	t.Helper()
	get := yamlAt(t, doc, "paths", op, "get")
	examples := yamlAt(t, get, "responses", "200", "content", "application/json", "examples")

	queries := map[string]url.Values{}
	for _, param := range yamlAt(t, get, "parameters").Content {
		name := yamlAt(t, param, "name").Value
		paramExamples := yamlChild(param, "examples")
		if paramExamples == nil {
			continue
		}
		require.Equal(t, "query", yamlAt(t, param, "in").Value, "an example of %s outside the query", name)
		for i := 0; i < len(paramExamples.Content); i += 2 {
			example := paramExamples.Content[i].Value
			if queries[example] == nil {
				queries[example] = url.Values{}
			}
			queries[example].Set(name, yamlAt(t, paramExamples.Content[i+1], "value").Value)
		}
	}

	var out []namedExample
	for i := 0; i < len(examples.Content); i += 2 {
		name := examples.Content[i].Value
		q := queries[name]
		if q == nil {
			q = url.Values{}
		}
		out = append(out, namedExample{name: name, value: yamlAt(t, examples.Content[i+1], "value"), query: q})
	}
	slices.SortFunc(out, func(a, b namedExample) int { return strings.Compare(a.name, b.name) })
	return out
}

// decodeStrict decodes n into v with unknown fields refused, so that a
// field the description adds shows up; what names n in failures.
func decodeStrict(t *testing.T, n *yaml.Node, v any, what string) {
	t.Helper()
	raw, err := yaml.Marshal(n)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(v), "example %s", what)
}

// yamlAt walks mapping keys from n (a document or a mapping) and fails the
// test if one is missing.
func yamlAt(t *testing.T, n *yaml.Node, keys ...string) *yaml.Node {
	t.Helper()
	for _, key := range keys {
		next := yamlChild(n, key)
		require.NotNil(t, next, "no %q in the description", key)
		n = next
	}
	return n
}

// yamlChild returns the value of key in the mapping n, or nil.
func yamlChild(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// optionsFor turns an example's query into list options: the SDK must send
// exactly that query.
func optionsFor(t *testing.T, q url.Values) *supersim.ListUsageRecordsOptions {
	t.Helper()
	o := &supersim.ListUsageRecordsOptions{}
	setOptions(t, q, map[string]func(string){
		"Sim":         func(v string) { o.Sim = v },
		"Fleet":       func(v string) { o.Fleet = v },
		"Network":     func(v string) { o.Network = v },
		"IsoCountry":  func(v string) { o.IsoCountry = v },
		"Group":       func(v string) { o.Group = supersim.Group(v) },
		"Granularity": func(v string) { o.Granularity = supersim.Granularity(v) },
	})
	return o
}

// setOptions calls the setter of each parameter of an example's query, and
// fails the test for a parameter without one.
func setOptions(t *testing.T, q url.Values, setters map[string]func(string)) {
	t.Helper()
	for name := range q {
		set, ok := setters[name]
		if !ok {
			t.Fatalf("the description has an example value for %s, which this test does not map to an option", name)
		}
		set(q.Get(name))
	}
}

// recordView is a UsageRecord with every field in a form that compares with
// ==: the amount as its text.
type recordView struct {
	AccountSID, SimSID, NetworkSID, FleetSID, IsoCountry string
	Start, End                                           time.Time
	DataUpload, DataDownload, DataTotal                  int64
	DataTotalBilled                                      string
	BilledUnit                                           string
}

func viewOf(r supersim.UsageRecord) recordView {
	return recordView{
		AccountSID: r.AccountSID, SimSID: r.SimSID, NetworkSID: r.NetworkSID, FleetSID: r.FleetSID, IsoCountry: r.IsoCountry,
		Start: r.Period.StartTime, End: r.Period.EndTime,
		DataUpload: r.DataUpload, DataDownload: r.DataDownload, DataTotal: r.DataTotal,
		DataTotalBilled: r.DataTotalBilled.String(), BilledUnit: r.BilledUnit,
	}
}

// wantView is what the SDK must make of an example record: null is "".
func wantView(t *testing.T, e exampleRecord) recordView {
	t.Helper()
	str := deref[string]
	return recordView{
		AccountSID: str(e.AccountSID), SimSID: str(e.SimSID), NetworkSID: str(e.NetworkSID),
		FleetSID: str(e.FleetSID), IsoCountry: str(e.IsoCountry),
		Start: wantTime(t, &e.Period.StartTime), End: wantTime(t, &e.Period.EndTime),
		DataUpload: e.DataUpload, DataDownload: e.DataDownload, DataTotal: e.DataTotal,
		DataTotalBilled: e.DataTotalBilled, BilledUnit: str(e.BilledUnit),
	}
}

// wantMeta is what the SDK must make of an example's meta: null is "".
func wantMeta(m exampleMeta) supersim.PageMeta {
	str := deref[string]
	return supersim.PageMeta{
		Page: m.Page, PageSize: m.PageSize, FirstPageURL: m.FirstPageURL, PreviousPageURL: str(m.PreviousPageURL),
		URL: m.URL, NextPageURL: str(m.NextPageURL), Key: m.Key,
	}
}

// deref is *p, or the zero value for nil: what the SDK makes of null.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// wantTime is what the SDK must make of an example's time: RFC 3339 in
// UTC, and the zero time for null.
func wantTime(t *testing.T, s *string) time.Time {
	t.Helper()
	if s == nil {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339, *s)
	require.NoError(t, err)
	return v.UTC()
}

// TestContractViewsCoverEveryField makes the field-for-field comparison
// fail here when UsageRecord or PageMeta gain a field that the views above
// do not carry.
func TestContractViewsCoverEveryField(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 11, reflect.TypeFor[supersim.UsageRecord]().NumField(), "UsageRecord changed: extend recordView")
	assert.Equal(t, 12, reflect.TypeFor[recordView]().NumField(), "recordView: Period is two fields")
	assert.Equal(t, 7, reflect.TypeFor[supersim.PageMeta]().NumField(), "PageMeta changed: extend wantMeta")
}

// ---- the checks common to both descriptions ---------------------------------

// checkExamples walks every example of the description, each with a client
// that asks Prism for it, and compares each record and the page meta, field
// for field, with the example as the description has it. The query sent is
// the one the description's parameter examples of that name make.
func checkExamples(t *testing.T, p provider) {
	examples := usageRecordsExamples(t, p.spec)
	require.Len(t, examples, exampleCount)
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			client, rt := p.newClient(t, ex.name)
			it := client.ListUsageRecords(context.Background(), optionsFor(t, ex.query))
			defer it.Stop()
			var got []recordView
			var metas []supersim.PageMeta
			for it.Next() {
				got = append(got, viewOf(it.Value()))
				metas = append(metas, it.Meta())
			}
			require.NoError(t, it.Err(), "exchanges: %+v", rt.Exchanges(""))

			want := make([]recordView, len(ex.page.UsageRecords))
			for i, rec := range ex.page.UsageRecords {
				want[i] = wantView(t, rec)
			}
			require.NotEmpty(t, want, "an example without records checks no decoding")
			assert.Equal(t, want, got)
			for _, m := range metas {
				assert.Equal(t, wantMeta(ex.page.Meta), m)
			}

			xs := rt.Exchanges(usageRecordsPath)
			require.Len(t, xs, 1, "one page, one request")
			assert.Equal(t, http.MethodGet, xs[0].method)
			assert.Equal(t, http.StatusOK, xs[0].status)
			assert.Equal(t, ex.query, xs[0].query, "the query of the description's example")
			p.checkAuth(t, rt)
		})
	}
}

// acceptedCases are option sets that together use every option and every
// value of Group and Granularity, and some edges; the description must
// accept what the SDK sends for each, unless the SDK refuses it.
func acceptedCases(maxPageSize int) map[string]supersim.ListUsageRecordsOptions {
	paris := time.FixedZone("CET", 3600)
	start := time.Date(2026, 3, 1, 1, 0, 0, 0, paris) // 00:00 UTC
	all := supersim.ListUsageRecordsOptions{
		Sim:         "HS" + strings.Repeat("0123456789abcdef", 2),
		Fleet:       "HF" + strings.Repeat("0123456789ABCDEF", 2),
		Network:     "HW" + strings.Repeat("0123456789aBcDeF", 2),
		IsoCountry:  "fr",
		Group:       supersim.GroupSim,
		Granularity: supersim.GranularityHour,
		StartTime:   start,
		EndTime:     start.Add(24 * time.Hour),
		PageSize:    maxPageSize,
	}
	cases := map[string]supersim.ListUsageRecordsOptions{
		"every option": all,
		"defaults":     {},
		"names for Sim and Fleet": {
			Sim: "tracker 7/β", Fleet: "Fleet & Co", Granularity: supersim.GranularityDay, PageSize: 1,
		},
		"resume": {PageToken: "PAtoken", Page: 3, Granularity: supersim.GranularityAll},
		"sub-second times": {
			StartTime: time.Date(2026, 3, 1, 0, 0, 0, 250e6, time.UTC),
			EndTime:   time.Date(2026, 3, 1, 0, 0, 1, 0, time.UTC),
		},
		"year 9999":   {StartTime: time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)},
		"year 10000":  {EndTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"before 1 AD": {StartTime: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, g := range []supersim.Group{supersim.GroupSim, supersim.GroupFleet, supersim.GroupNetwork, supersim.GroupIsoCountry} {
		for _, gr := range []supersim.Granularity{supersim.GranularityHour, supersim.GranularityDay, supersim.GranularityAll} {
			o := all
			o.Group, o.Granularity = g, gr
			cases[fmt.Sprintf("Group %s, Granularity %s", g, gr)] = o
		}
	}
	return cases
}

// checkAccepted walks each accepted case and fails on any 4xx from Prism:
// what the SDK lets through, the description must accept. A case the SDK
// refuses must send nothing.
func checkAccepted(t *testing.T, p provider) {
	for name, o := range acceptedCases(p.maxPageSize) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, rt := p.newClient(t, "")
			it := client.ListUsageRecords(context.Background(), &o)
			defer it.Stop()
			_, err := it.Collect()
			var verr *supersim.ValidationError
			if errors.As(err, &verr) {
				assert.Empty(t, rt.Exchanges(""), "refused by the SDK, yet sent")
				return
			}
			xs := rt.Exchanges(usageRecordsPath)
			require.NotEmpty(t, xs)
			for _, x := range xs {
				assert.Less(t, x.status, 400, "the SDK sent %s?%s, which the description refuses: %s",
					x.path, x.query.Encode(), x.body)
			}
			assert.NoError(t, err)
		})
	}
}

// checkPageSizeRefused checks that the SDK refuses a PageSize one over the
// provider's limit with a *ValidationError for PageSize, and sends nothing,
// not even a token exchange.
func checkPageSizeRefused(t *testing.T, p provider) {
	client, rt := p.newClient(t, "")
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: p.maxPageSize + 1})
	defer it.Stop()
	assert.False(t, it.Next())
	var verr *supersim.ValidationError
	require.ErrorAs(t, it.Err(), &verr)
	assert.Equal(t, "PageSize", verr.Field)
	assert.Empty(t, rt.Exchanges(""), "nothing may be sent")
}

// checkCommon runs the checks common to both descriptions.
func checkCommon(t *testing.T, p provider) {
	runParallel(t, p, map[string]func(*testing.T, provider){
		"Examples":                              checkExamples,
		"EveryOptionAccepted":                   checkAccepted,
		"PageSizeOverLimitRefusedBeforeSending": checkPageSizeRefused,
	})
}

// runParallel runs each check of p as a parallel subtest of its name.
func runParallel(t *testing.T, p provider, checks map[string]func(*testing.T, provider)) {
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check(t, p)
		})
	}
}

// checkPrismStrict checks, with requests sent raw, that Prism refuses what
// the description refuses: without these refusals the other checks would
// prove nothing.
func checkPrismStrict(t *testing.T, api, authorization string, maxPageSize int) {
	assertRaw(t, api, authorization, http.StatusOK)
	assertRaw(t, api, "", http.StatusUnauthorized)
	assertRaw(t, api+"?PageSize="+strconv.Itoa(maxPageSize), authorization, http.StatusOK)
	assertRaw(t, api+"?PageSize="+strconv.Itoa(maxPageSize+1), authorization, http.StatusUnprocessableEntity)
	assertRaw(t, api+"?Network=HWnothex", authorization, http.StatusUnprocessableEntity)
	assertRaw(t, api+"?Group=Sim", authorization, http.StatusUnprocessableEntity)
	assertRaw(t, api+"?StartTime=2026-01-01", authorization, http.StatusUnprocessableEntity)
}

// assertRaw sends a GET with net/http alone and checks the status.
func assertRaw(t *testing.T, rawURL, authorization string, want int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, want, resp.StatusCode, "GET %s: %s", rawURL, body)
}

// basicAuthorization is the Authorization value of the Twilio test
// credentials.
func basicAuthorization() string {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(twilioAccountSID, testAuthToken)
	return req.Header.Get("Authorization")
}

// ---- Twilio -------------------------------------------------------------------

// twilioProvider starts Prism serving Twilio's description and returns the
// provider of its checks: Twilio clients, HTTP Basic.
func twilioProvider(t *testing.T) provider {
	t.Helper()
	base := startPrism(t, twilioSpec)
	return provider{
		spec:          twilioSpec,
		api:           base,
		authorization: basicAuthorization(),
		maxPageSize:   supersim.MaxPageSize,
		newClient: func(t *testing.T, example string) (*supersim.Client, *recorder) {
			return newTwilioClient(t, base, example)
		},
		checkAuth: func(t *testing.T, rt *recorder) {
			assert.Empty(t, rt.Exchanges(tokenPath), "a Twilio client talks to the API only")
			for _, x := range rt.Exchanges("") {
				assert.Equal(t, basicAuthorization(), x.header.Get("Authorization"))
			}
		},
	}
}

func TestContractTwilio(t *testing.T) {
	t.Parallel()
	p := twilioProvider(t)
	checkCommon(t, p)

	t.Run("PrismIsStrict", func(t *testing.T) {
		t.Parallel()
		checkPrismStrict(t, p.api+usageRecordsPath, p.authorization, p.maxPageSize)
	})
}

// ---- KORE ---------------------------------------------------------------------

// koreProvider starts Prism serving KORE's description, and another
// serving its token endpoint's, and returns the provider of their checks:
// KORE clients, OAuth 2.0 client credentials.
func koreProvider(t *testing.T) provider {
	t.Helper()
	base := startPrism(t, koreSpec)
	tokenURL := startPrism(t, koreTokenSpec) + tokenPath
	token := exampleAccessToken(t)
	return provider{
		spec:          koreSpec,
		api:           base,
		authorization: "Bearer " + token,
		maxPageSize:   supersim.MaxKOREPageSize,
		newClient: func(t *testing.T, example string) (*supersim.Client, *recorder) {
			return newKOREClient(t, base, tokenURL, example)
		},
		checkAuth: func(t *testing.T, rt *recorder) {
			exchanges := rt.Exchanges(tokenPath)
			require.Len(t, exchanges, 1, "one token exchange")
			x := exchanges[0]
			assert.Equal(t, http.MethodPost, x.method)
			assert.Equal(t, http.StatusOK, x.status)
			assert.Equal(t, url.Values{
				"grant_type": {"client_credentials"}, "client_id": {koreClientID}, "client_secret": {koreClientSecret},
			}, x.form, "the client credentials go in the form body")
			assert.Empty(t, x.header.Get("Authorization"), "the token exchange carries no Authorization header")
			for _, x := range rt.APIExchanges() {
				assert.Equal(t, "Bearer "+token, x.header.Get("Authorization"), "the token Prism handed out")
				assert.Empty(t, x.form)
			}
		},
	}
}

func TestContractKORE(t *testing.T) {
	t.Parallel()
	p := koreProvider(t)
	checkCommon(t, p)

	t.Run("BasicAuthRefused", func(t *testing.T) {
		t.Parallel()
		client, rt := newTwilioClient(t, p.api, "")
		it := client.ListUsageRecords(context.Background(), nil)
		defer it.Stop()
		assert.False(t, it.Next())
		var apiErr *supersim.APIError
		require.ErrorAs(t, it.Err(), &apiErr)
		assert.Equal(t, http.StatusUnauthorized, apiErr.Status)
		assert.ErrorIs(t, it.Err(), supersim.ErrUnauthorized)
		assertNoSecret(t, it.Err().Error())
		assert.Len(t, rt.Exchanges(usageRecordsPath), 1, "a 401 to Basic auth is final")
	})

	t.Run("PrismIsStrict", func(t *testing.T) {
		t.Parallel()
		checkPrismStrict(t, p.api+usageRecordsPath, p.authorization, p.maxPageSize)
		assertRaw(t, p.api+usageRecordsPath, basicAuthorization(), http.StatusUnauthorized)
	})
}

// exampleAccessToken is the access token of the token description's
// example answer, which Prism hands out.
func exampleAccessToken(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(koreTokenSpec)
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	token := yamlAt(t, &doc, "components", "schemas", "200GetToken", "properties", "access_token", "example").Value
	require.NotEmpty(t, token)
	return token
}
