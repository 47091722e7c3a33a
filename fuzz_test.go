package supersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for what reads untrusted input: options (from users),
// pages and links (from servers), amounts (from both). Their seeds, in
// testdata/fuzz/, run as ordinary tests; README says how to fuzz longer.

func FuzzListOptions(f *testing.F) {
	f.Add("my.sim.1", "fleet x", "HWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "fr", "sim", "hour", int64(1767225600), int64(3600), 1000, 0, "", 0, 0)
	f.Add("HSzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "", "HW", "FRA", "planet", "week", int64(0), int64(-1), 5000, -1, "PT1", 3, -1)
	f.Add("Zürich & Co. +1%", "a=b&c", "", "", "", "", int64(-62135596800), int64(0), 1, 2, "PT%2", 1, 8)
	f.Fuzz(func(t *testing.T, sim, fleet, network, country, group, granularity string, startUnix, spanSec int64, pageSize, page int, token string, maxRecords, concurrency int) {
		o := ListUsageRecordsOptions{Sim: sim, Fleet: fleet, Network: network, IsoCountry: country,
			Group: Group(group), Granularity: Granularity(granularity), PageSize: pageSize, Page: page,
			PageToken: token, MaxRecords: maxRecords, Concurrency: concurrency}
		if startUnix != 0 {
			o.StartTime = time.Unix(startUnix, 0).In(time.FixedZone("X", int(spanSec%50000)))
			o.EndTime = o.StartTime.Add(time.Duration(spanSec) * time.Second)
		}
		if o.Validate() != nil {
			return
		}
		filters, err := o.filterQuery()
		if err != nil {
			t.Fatalf("valid options failed to encode: %v", err)
		}
		q, err := url.ParseQuery(withPosition(filters, Position{PageToken: token, Page: page}))
		if err != nil {
			t.Fatalf("encoded query does not parse: %v", err)
		}
		want := map[string]string{"Sim": sim, "Fleet": fleet, "Network": network, "IsoCountry": strings.ToUpper(country),
			"Group": group, "Granularity": granularity, "PageToken": token}
		if pageSize != 0 {
			want["PageSize"] = strconv.Itoa(pageSize)
		}
		if page != 0 {
			want["Page"] = strconv.Itoa(page)
		}
		if !o.StartTime.IsZero() { // the year-1 UTC midnight is the zero time: unset
			want["StartTime"] = o.StartTime.UTC().Format(time.RFC3339)
		}
		if !o.EndTime.IsZero() {
			want["EndTime"] = o.EndTime.UTC().Format(time.RFC3339)
		}
		for name, value := range want {
			if q.Get(name) != value {
				t.Fatalf("%s went out as %q, want %q", name, q.Get(name), value)
			}
		}
		for name := range q {
			if _, ok := want[name]; !ok || want[name] == "" {
				t.Fatalf("unset or unknown parameter %s sent", name)
			}
		}
	})
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"usage_records":[{"account_sid":"AC1","sim_sid":null,"period":{"start_time":"2019-05-03T00:00:00+02:00","end_time":"2019-05-04T00:00:00Z"},"data_total":5,"data_total_billed":"0.03"}],"meta":{"key":"usage_records","page":0,"next_page_url":null}}`))
	f.Add([]byte(`{"usage_records":[{"data_total_billed":1e-3}],"meta":{"key":"usage_records"}}`))
	f.Add([]byte(`{"usage_records":[{"data_total_billed":"1,5"}],"meta":{"key":"usage_records"}}`))
	f.Add([]byte(`{"usage_records":[],"meta":{"key":"sims"}}`))
	f.Add([]byte(`{"usage_records":[{"data_total":9223372036854775808}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var body bytes.Buffer
		page := usageRecordsPage{UsageRecords: make([]UsageRecord, 0, 2)}
		err := decodePage(bytes.NewReader(data), int64(len(data)), &body, &page)

		// The reference: encoding/json, with the same checks.
		var ref usageRecordsPage
		refErr := json.Unmarshal(data, &ref)
		if refErr == nil && ref.Meta.Key != "usage_records" {
			refErr = errors.New("wrong key")
		}
		if (err == nil) != (refErr == nil) {
			t.Fatalf("decodePage says %v where encoding/json says %v", err, refErr)
		}
		if err != nil {
			return
		}
		for i := range ref.UsageRecords {
			p := &ref.UsageRecords[i].Period
			p.StartTime, p.EndTime = p.StartTime.UTC(), p.EndTime.UTC()
		}
		if !reflect.DeepEqual(ref.Meta, page.Meta) || len(ref.UsageRecords) != len(page.UsageRecords) {
			t.Fatalf("decoded %+v, encoding/json %+v", page.Meta, ref.Meta)
		}
		for i := range ref.UsageRecords {
			if !reflect.DeepEqual(ref.UsageRecords[i], page.UsageRecords[i]) {
				t.Fatalf("record %d: decoded %+v, encoding/json %+v", i, page.UsageRecords[i], ref.UsageRecords[i])
			}
		}
		body.Reset()
		body.WriteString(strings.Repeat("x", body.Cap())) // the records must not share the reused buffer
		for i := range ref.UsageRecords {
			if !reflect.DeepEqual(ref.UsageRecords[i], page.UsageRecords[i]) {
				t.Fatalf("record %d changed with the body buffer", i)
			}
		}
		if page.Meta.Key != "usage_records" {
			t.Fatalf("accepted key %q", page.Meta.Key)
		}
		var plain struct {
			UsageRecords []json.RawMessage `json:"usage_records"`
		}
		if json.Unmarshal(data, &plain) != nil || len(plain.UsageRecords) != len(page.UsageRecords) {
			t.Fatalf("decoded %d records where encoding/json sees %d", len(page.UsageRecords), len(plain.UsageRecords))
		}
		for _, r := range page.UsageRecords {
			for _, tm := range []time.Time{r.Period.StartTime, r.Period.EndTime} {
				if tm.Location() != time.UTC {
					t.Fatalf("time %v is not in UTC", tm)
				}
			}
			if _, err := ParseDecimal(r.DataTotalBilled.String()); err != nil {
				t.Fatalf("accepted amount %q: %v", r.DataTotalBilled, err)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, seed := range [][2]string{{"0.03", "1234567.89"}, {"-1.5", "1.5"}, {"1e-3", "2E+2"}, {"99999999999999999999.99", "0.01"}, {"007", ".5"}, {"1e999", "NaN"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, errX := ParseDecimal(a)
		y, errY := ParseDecimal(b)
		if errX != nil {
			if (&Decimal{}).UnmarshalJSON([]byte(strconv.Quote(a))) == nil && utf8.ValidString(a) {
				t.Fatalf("JSON accepted %q that ParseDecimal refused", a)
			}
			return
		}
		if x.String() != a {
			t.Fatalf("%q printed as %q", a, x.String())
		}
		rx, ok := new(big.Rat).SetString(a)
		if !ok || rx.Cmp(x.Rat()) != 0 {
			t.Fatalf("%q is %v as a Decimal, %v as a big.Rat", a, x.Rat(), rx)
		}
		var fromJSON Decimal
		if json.Valid([]byte(a)) { // a JSON number, not just a decimal ("007" is not one)
			if err := json.Unmarshal([]byte(a), &fromJSON); err != nil || fromJSON.String() != a {
				t.Fatalf("JSON number %s decoded as %q (%v)", a, fromJSON, err)
			}
		}
		if errY != nil {
			return
		}
		ry, _ := new(big.Rat).SetString(b)
		sum := x.Add(y)
		if sum.Rat().Cmp(new(big.Rat).Add(rx, ry)) != 0 {
			t.Fatalf("%s + %s = %s", a, b, sum)
		}
		if x.Cmp(y) != rx.Cmp(ry) {
			t.Fatalf("Cmp(%s, %s) = %d", a, b, x.Cmp(y))
		}
	})
}

func FuzzNextPosition(f *testing.F) {
	f.Add("https://supersim.twilio.com/v1/UsageRecords?PageSize=50&Page=1&PageToken=PT1", 0, "", 0)
	f.Add("https://evil.example/steal?Page=2&PageToken=SAME", 1, "SAME", 1)
	f.Add("::not a url", 0, "", 0)
	f.Add("/v1/UsageRecords?Page=-5", 3, "PT3", 3)
	f.Fuzz(func(t *testing.T, next string, metaPage int, curToken string, curPage int) {
		cur := Position{PageToken: curToken, Page: curPage}
		pos, err := nextPosition(PageMeta{NextPageURL: next, Page: metaPage}, cur)
		if err != nil {
			return
		}
		if pos.Page <= cur.Page || pos.Page < 1 || metaPage < 0 {
			t.Fatalf("next page %d does not advance from %d", pos.Page, cur.Page)
		}
		if pos.PageToken != "" && pos.PageToken == cur.PageToken {
			t.Fatalf("next page repeats token %q", pos.PageToken)
		}
	})
}
