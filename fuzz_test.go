package supersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
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
		o.normalize()
		filters, err := encodeFilters(&o)
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
	f.Add([]byte(`{"usage_records":[null,{"Sim_Sid":"x","x":{"y":1,"y":2}}],"meta":{"key":"usage_records","key":"usage_records"}}`))
	f.Add([]byte("{\"usage_records\":[{\"sim_sid\":\"\\ud800\xff\"}],\"meta\":{\"key\":\"usage_records\"}}"))
	f.Add(testPage(1, 2))
	previous := testPage(7, 2) // decoded first into the same memory: nothing of it may show
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, err := usageRecords.decode(bytes.NewReader(previous), -1, nil, math.MaxInt)
		if err != nil || len(items) != 2 {
			t.Fatalf("the previous page: %d records, %v", len(items), err)
		}
		items, meta, err := usageRecords.decode(bytes.NewReader(data), int64(len(data)), items, math.MaxInt)
		if err != nil && !errors.Is(err, ErrInvalidResponse) {
			t.Fatalf("error %v is not ErrInvalidResponse", err)
		}
		if reason := strictOnly(data); reason != "" {
			if err == nil {
				t.Fatalf("accepted a page with %s", reason)
			}
			return
		}

		if !sameAsReference(t, "encoding/json", json.Unmarshal, data, items, meta, err) {
			return
		}
		for _, r := range items {
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

// sameAsReference fails t unless the decoder's result (items, meta, err)
// for data is that of unmarshal, the reference named, with the same
// checks; it reports whether both accepted the page.
func sameAsReference(t *testing.T, reference string, unmarshal func([]byte, any) error, data []byte, items []UsageRecord, meta PageMeta, err error) bool {
	t.Helper()
	var ref usageRecordsPage
	refErr := unmarshal(data, &ref)
	if refErr == nil && ref.Meta.Key != "usage_records" {
		refErr = errors.New("wrong key")
	}
	if (err == nil) != (refErr == nil) {
		t.Fatalf("the decoder says %v where %s says %v", err, reference, refErr)
	}
	if err != nil {
		return false
	}
	toUTC(ref.UsageRecords)
	if !reflect.DeepEqual(ref.Meta, meta) || len(ref.UsageRecords) != len(items) {
		t.Fatalf("decoded %+v and %d records, %s %+v and %d", meta, len(items), reference, ref.Meta, len(ref.UsageRecords))
	}
	for i := range ref.UsageRecords {
		if !reflect.DeepEqual(ref.UsageRecords[i], items[i]) {
			t.Fatalf("record %d: decoded %+v, %s %+v", i, items[i], reference, ref.UsageRecords[i])
		}
	}
	return true
}

// strictOnly returns why decode.go refuses data where encoding/json may
// read it (see decode.go), or "" when both must agree. It finds out without
// the decoder under test: by scanning the bytes, and by walking
// encoding/json's tokens along the page's Go types.
func strictOnly(data []byte) string {
	if !utf8.Valid(data) {
		return "invalid UTF-8"
	}
	for i := 0; i+5 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // an escaped character, maybe a backslash
			continue
		}
		r, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 32)
		if err != nil || !utf16.IsSurrogate(rune(r)) {
			continue
		}
		if r < 0xdc00 && i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
			if low, err := strconv.ParseUint(string(data[i+8:i+12]), 16, 32); err == nil && low >= 0xdc00 && low <= 0xdfff {
				i += 11 // a pair
				continue
			}
		}
		return "a lone surrogate"
	}
	reason, _ := namesOnly(json.NewDecoder(bytes.NewReader(data)), reflect.TypeFor[usageRecordsPage]())
	return reason
}

// namesOnly reads one value from dec, to be decoded into a t (nil when it
// is skipped), and returns a name encoding/json would take and decode.go
// refuses: one twice in an object, or one matching a field of t only when
// case is ignored.
func namesOnly(dec *json.Decoder, t reflect.Type) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	switch tok {
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for dec.More() {
			if reason, err := namesOnly(dec, elem); reason != "" || err != nil {
				return reason, err
			}
		}
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", err
			}
			name, _ := tok.(string)
			if seen[name] {
				return "a duplicate name " + strconv.Quote(name), nil
			}
			seen[name] = true
			child, exact := fieldType(t, name)
			if child != nil && !exact {
				return "a name in other case " + strconv.Quote(name), nil
			}
			if reason, err := namesOnly(dec, child); reason != "" || err != nil {
				return reason, err
			}
		}
	default:
		return "", nil
	}
	_, err = dec.Token() // the end of the array or object
	return "", err
}

// fieldType returns the type of t's field that encoding/json decodes the
// member name into, and whether the name is exact; nil if none.
func fieldType(t reflect.Type, name string) (reflect.Type, bool) {
	if t == nil || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil, false
	}
	var folded reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == name:
			return f.Type, true
		case strings.EqualFold(tag, name):
			folded = f.Type
		}
	}
	return folded, false
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
		if diff := x.Sub(y); diff.Rat().Cmp(new(big.Rat).Sub(rx, ry)) != 0 {
			t.Fatalf("%s - %s = %s", a, b, diff)
		}
		if neg := x.Neg(); neg.Rat().Cmp(new(big.Rat).Neg(rx)) != 0 || neg.Neg().Cmp(x) != 0 {
			t.Fatalf("-%s = %s", a, neg)
		}
		places := len(b)%12 - 3
		rounded := x.Round(places)
		if rounded.Rat().Cmp(roundHalfAway(rx, places)) != 0 {
			t.Fatalf("%s to %d places = %s", a, places, rounded)
		}
		if _, frac, _ := strings.Cut(rounded.String(), "."); len(frac) != max(places, 0) {
			t.Fatalf("%s to %d places is written %s", a, places, rounded)
		}
	})
}

// roundHalfAway rounds r to places fraction digits, halves away from zero,
// with math/big only.
func roundHalfAway(r *big.Rat, places int) *big.Rat {
	unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(places, -places))), nil))
	if places < 0 {
		unit.Inv(unit)
	}
	v := new(big.Rat).Mul(r, unit)
	half := new(big.Rat).Add(new(big.Rat).Abs(v), big.NewRat(1, 2))
	n := new(big.Int).Quo(half.Num(), half.Denom())
	if v.Sign() < 0 {
		n.Neg(n)
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(n), unit)
}

// TestDecimalRoundAgreesWithBig checks Round against roundHalfAway on
// random amounts, in both of Decimal's forms.
func TestDecimalRoundAgreesWithBig(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.FormatUint(rng.Uint64N(1e18), 10) + strconv.FormatUint(rng.Uint64N(1e6), 10))
		b.WriteString("e" + strconv.Itoa(rng.IntN(40)-30))
		s := b.String()
		places := rng.IntN(24) - 4
		got := MustParseDecimal(s).Round(places)
		want, _ := new(big.Rat).SetString(s)
		require.Zero(t, got.Rat().Cmp(roundHalfAway(want, places)), "%s to %d places = %s", s, places, got)
		_, frac, _ := strings.Cut(got.String(), ".")
		require.Len(t, frac, max(places, 0), "%s to %d places = %s", s, places, got)
	}
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
