package supersim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeString decodes one usage record page from its text.
func decodeString(page string, items []UsageRecord) ([]UsageRecord, PageMeta, error) {
	return usageRecords.decode(strings.NewReader(page), int64(len(page)), items, MaxPageSize)
}

// onePage wraps records, a JSON array's contents, in a page.
func onePage(records string) string {
	return `{"usage_records":[` + records + `],"meta":{"key":"usage_records","page":0,"page_size":50}}`
}

// testPage renders n records with distinct SimSIDs, numbered from first,
// as Twilio sends them.
func testPage(first, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"usage_records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k := first + i
		fmt.Fprintf(&b, `{"account_sid":"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","sim_sid":"HS%032x","network_sid":null,"fleet_sid":null,`+
			`"iso_country":"FR","period":{"start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T01:00:00Z"},`+
			`"data_upload":%d,"data_download":%d,"data_total":%d,"data_total_billed":"%d.%03d","billed_unit":"USD"}`,
			k, k, 2*k, 3*k, k/1000, k%1000)
	}
	b.WriteString(`],"meta":{"key":"usage_records","page":0,"page_size":1000,"next_page_url":"https://supersim.twilio.com/v1/UsageRecords?PageSize=1000&Page=1&PageToken=PT1"}}`)
	return b.Bytes()
}

// spaces is an endless body of JSON white space.
type spaces struct{ read *int64 }

func (s spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	*s.read += int64(len(p))
	return len(p), nil
}

func TestDecodePageStopsReadingAtTheLimit(t *testing.T) {
	t.Parallel()
	var read int64
	_, _, err := usageRecords.decode(spaces{&read}, -1, nil, MaxPageSize) // no Content-Length: read until the limit
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.Contains(t, err.Error(), "over the")
	assert.LessOrEqual(t, read, int64(maxPageBytes+1), "read past the limit")

	_, _, err = usageRecords.decode(strings.NewReader("{}"), maxPageBytes+1, nil, MaxPageSize)
	require.ErrorIs(t, err, ErrInvalidResponse, "a Content-Length over the limit")
	assert.Contains(t, err.Error(), "over the")
}

func TestDecodePageTellsCutShortFromMalformed(t *testing.T) {
	t.Parallel()
	full := onePage(`{"data_total":1}`)
	for _, n := range []int{1, 10, len(full) / 2, len(full) - 1} {
		_, _, err := decodeString(full[:n], nil)
		require.ErrorIs(t, err, ErrInvalidResponse, "cut at %d", n)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "a body cut short at %d is worth a retry", n)
	}
	for _, bad := range []string{`{"usage_records":[}`, `{"usage_records":[]`, `{"usage_records":[]}}`, `{"usage_records":[]} x`, `{"usage_records":[]} {}`, ``, `   `} {
		_, _, err := decodeString(bad, nil)
		require.ErrorIs(t, err, ErrInvalidResponse, "%q", bad)
		if bad != `{"usage_records":[]` { // the one body above that is cut short
			assert.NotErrorIs(t, err, io.ErrUnexpectedEOF, "malformed JSON %q is not worth a retry", bad)
		}
	}
}

// Issue 9, bug 1: a byte count beyond int64 wrapped to a negative one.
func TestDecodeRefusesIntegersBeyondInt64(t *testing.T) {
	t.Parallel()
	for _, rec := range []string{
		`{"data_upload":9223372036854775808}`,
		`{"data_download":-9223372036854775809}`,
		`{"data_total":99999999999999999999999}`,
		`{"data_total":1.0}`,
		`{"data_total":1e3}`,
		`{"data_total":"5"}`,
	} {
		_, _, err := decodeString(onePage(rec), nil)
		require.ErrorIs(t, err, ErrInvalidResponse, rec)
		assert.NotErrorIs(t, err, io.ErrUnexpectedEOF, rec)
	}
	_, _, err := decodeString(`{"usage_records":[],"meta":{"key":"usage_records","page":9223372036854775808}}`, nil)
	require.ErrorIs(t, err, ErrInvalidResponse, "meta.page")

	items, _, err := decodeString(onePage(`{"data_upload":9223372036854775807,"data_download":-9223372036854775808,"data_total":-0}`), nil)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, int64(9223372036854775807), items[0].DataUpload)
	assert.Equal(t, int64(-9223372036854775808), items[0].DataDownload)
}

// Issue 9, bug 2: keeping one string of each page held every page's body.
// Not parallel: it measures the heap.
func TestDecodedStringsDoNotPinThePage(t *testing.T) {
	const pages, perPage = 50, 1000
	bodies := make([][]byte, pages)
	for p := range bodies {
		bodies[p] = testPage(p*perPage, perPage)
	}
	kept := make(map[string]PageMeta, pages) // one SimSID and one page's meta per page
	var stats runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&stats)
	before := stats.HeapAlloc

	func() {
		var items []UsageRecord
		for _, body := range bodies {
			var meta PageMeta
			var err error
			items, meta, err = usageRecords.decode(bytes.NewReader(body), int64(len(body)), items, MaxPageSize)
			require.NoError(t, err)
			require.Len(t, items, perPage)
			kept[items[perPage/2].SimSID] = meta
		}
	}()
	runtime.GC()
	runtime.ReadMemStats(&stats)
	retained := int64(stats.HeapAlloc) - int64(before)
	runtime.KeepAlive(bodies) // the bodies are the test's, not retained by decoding
	require.Len(t, kept, pages)
	// 50 pages are 17 MiB of JSON; what is kept is 50 SIDs and 50 metas.
	assert.Less(t, retained, int64(2<<20), "kept strings hold %d bytes", retained)
}

// Issue 9, bug 3: encoding/json reads invalid UTF-8 as U+FFFD and matches
// names case-insensitively; the SDK refuses such pages instead (see decode.go).
func TestDecodeRefusesWhatDecodersDisagreeOn(t *testing.T) {
	t.Parallel()
	for name, page := range map[string]string{
		"invalid UTF-8 in a value":             onePage("{\"sim_sid\":\"HS\xff\"}"),
		"invalid UTF-8 in an unknown field":    onePage("{\"extra\":\"\xc3\"}"),
		"invalid UTF-8 in a name":              onePage("{\"\xffsim_sid\":\"HS1\"}"),
		"a lone surrogate":                     onePage(`{"sim_sid":"HS\ud800"}`),
		"a name in other case":                 onePage(`{"Sim_Sid":"HS1"}`),
		"a name equal under Unicode folding":   onePage(`{"ſim_sid":"HS1"}`), // U+017F folds to s
		"a top-level name in other case":       `{"usage_records":[],"META":{},"meta":{"key":"usage_records"}}`,
		"a meta name in other case":            `{"usage_records":[],"meta":{"key":"usage_records","Next_Page_URL":"x"}}`,
		"a period name in other case":          onePage(`{"period":{"START_TIME":"2026-01-01T00:00:00Z"}}`),
		"a duplicate name":                     onePage(`{"sim_sid":"HS1","sim_sid":"HS2"}`),
		"a duplicate unknown name":             onePage(`{"x":1,"x":2}`),
		"a duplicate name in a skipped object": onePage(`{"x":{"y":1,"y":2}}`),
		"a duplicate meta":                     `{"usage_records":[],"meta":{"key":"usage_records"},"meta":{"key":"usage_records"}}`,
	} {
		var ref usageRecordsPage
		require.NoError(t, json.Unmarshal([]byte(page), &ref), "%s: encoding/json reads it", name)
		_, _, err := decodeString(page, nil)
		assert.ErrorIs(t, err, ErrInvalidResponse, name)
	}
}

func TestDecodeReadsWhatEncodingJSONReads(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"testdata/page_billed_number.json", "testdata/page_billed_string.json"} {
		body, err := os.ReadFile(file)
		require.NoError(t, err)
		items, meta, err := usageRecords.decode(bytes.NewReader(body), -1, nil, MaxPageSize)
		require.NoError(t, err, file)
		var ref usageRecordsPage
		require.NoError(t, json.Unmarshal(body, &ref))
		toUTC(ref.UsageRecords)
		assert.Equal(t, ref.UsageRecords, items, file)
		assert.Equal(t, ref.Meta, meta, file)
	}

	// Escapes, in names too, null items and fields, unknown fields of any shape, and an offset time.
	page := `{"usage_records":[null,{"account_sid":"AC\u00e9\n\"","sim_\u0073id":"HS\ud83d\ude00","extra":{"a":[1,{"b":null}]},` +
		`"period":{"start_time":"2026-01-01T02:00:00+02:00","end_time":null},"data_total_billed":null,"billed_unit":null},` +
		`{"period":null,"data_total_billed":2e-3}],"meta":{"key":"usage_records","url":"https://x/\u0041","previous_page_url":null,"more":true}}`
	items, meta, err := decodeString(page, nil)
	require.NoError(t, err)
	var ref usageRecordsPage
	require.NoError(t, json.Unmarshal([]byte(page), &ref))
	toUTC(ref.UsageRecords)
	assert.Equal(t, ref.UsageRecords, items)
	assert.Equal(t, ref.Meta, meta)
	require.Len(t, items, 3)
	assert.Equal(t, "AC\u00e9\n\"", items[1].AccountSID)
	assert.Equal(t, "HS\U0001F600", items[1].SimSID)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), items[1].Period.StartTime)
	assert.Equal(t, time.UTC, items[1].Period.StartTime.Location())
	assert.Equal(t, "2e-3", items[2].DataTotalBilled.String())
	assert.Equal(t, "https://x/A", meta.URL)
}

// toUTC converts the periods of records to UTC, as the SDK hands them out.
func toUTC(records []UsageRecord) {
	for i := range records {
		p := &records[i].Period
		p.StartTime, p.EndTime = p.StartTime.UTC(), p.EndTime.UTC()
	}
}

func TestDecodeReusesItemsAndClearsWhatANullLeaves(t *testing.T) {
	t.Parallel()
	full := testPage(1, 3)
	items, _, err := usageRecords.decode(bytes.NewReader(full), -1, make([]UsageRecord, 0, 4), MaxPageSize)
	require.NoError(t, err)
	require.Len(t, items, 3)
	first := &items[0]

	items, _, err = decodeString(onePage(`{"sim_sid":null,"period":null,"data_total_billed":null},{}`), items)
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.Same(t, first, &items[0], "the items' memory is reused")
	assert.Equal(t, UsageRecord{}, items[0], "a null leaves nothing of the page before")
	assert.Equal(t, UsageRecord{}, items[1])
	assert.Equal(t, UsageRecord{}, items[:3][2], "nor do items past the new length")
}

func TestDecodeChecksTheShapeOfThePage(t *testing.T) {
	t.Parallel()
	for _, page := range []string{
		`{"usage_records":[],"meta":{"key":"sims"}}`,
		`{"usage_records":[]}`,
		`{"usage_records":[],"meta":null}`,
		`null`, `[]`, `"usage_records"`, `{"usage_records":{},"meta":{"key":"usage_records"}}`,
		onePage(`1`), onePage(`"x"`), onePage(`{"sim_sid":1}`), onePage(`{"period":[]}`),
		onePage(`{"period":{"start_time":"yesterday"}}`), onePage(`{"period":{"start_time":"2026-01-01T00:00:00\u005a"}}`),
		onePage(`{"data_total_billed":true}`), onePage(`{"data_total_billed":"1\u0030"}`), onePage(`{"data_total_billed":{}}`),
	} {
		_, _, err := decodeString(page, nil)
		require.ErrorIs(t, err, ErrInvalidResponse, page)
		var ref usageRecordsPage
		refErr := json.Unmarshal([]byte(page), &ref)
		assert.True(t, refErr != nil || ref.Meta.Key != "usage_records", "encoding/json refuses %s too", page)
	}
}

// Issue 9, bug 9: an amount of 200,000 digits made every later Add slow.
func TestDecodeBoundsTheDigitsOfAnAmount(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 100) + "." + strings.Repeat("9", 100)
	items, _, err := decodeString(onePage(`{"data_total_billed":"`+long+`"}`), nil)
	require.NoError(t, err, "100 digits each side of the point")
	assert.Equal(t, long, items[0].DataTotalBilled.String())
	for _, amount := range []string{
		`"1` + long + `"`, `"` + long + `9"`, long + `9`, `1e100`, `1e-101`, strings.Repeat("1", 200_000),
	} {
		_, _, err := decodeString(onePage(`{"data_total_billed":`+amount+`}`), nil)
		require.ErrorIs(t, err, ErrInvalidResponse, "%.30s", amount)
		assert.Less(t, len(err.Error()), 300, "the error does not quote the whole amount")
	}
}

// usageRecordsPage is one page as the API sends it, for encoding/json: the
// reference the decoder is compared with.
type usageRecordsPage struct {
	UsageRecords []UsageRecord `json:"usage_records"`
	Meta         PageMeta      `json:"meta"`
}

// A run of records with the same account SID shares one string, as the
// decoder's doc says, not every other one.
func TestDecodeSharesARunOfEqualStrings(t *testing.T) {
	t.Parallel()
	rec := `{"account_sid":"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","billed_unit":"USD","data_total_billed":"0.01"}`
	recs, _, err := decodeString(onePage(strings.Repeat(rec+",", 5)+rec), nil)
	require.NoError(t, err)
	require.Len(t, recs, 6)
	for i := range recs {
		assert.Same(t, unsafe.StringData(recs[0].AccountSID), unsafe.StringData(recs[i].AccountSID), "record %d", i)
		assert.Same(t, unsafe.StringData(recs[0].BilledUnit), unsafe.StringData(recs[i].BilledUnit), "record %d", i)
	}
}
