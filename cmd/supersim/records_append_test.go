package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
)

// oddStrings are strings that a JSON or CSV encoder must treat with care.
var oddStrings = []string{
	"", "HS0123456789abcdef0123456789abcdef", "US", "USD", "a b", " lead", "trail ", "\tx", "x\ty",
	`"`, `a"b`, `\`, `a\b`, "a,b", ",", "line\nbreak", "cr\rlf", "\r\n", "<script>&amp;</script>", ">", "&",
	"\x00\x01\x1f\x7f", "\b\f", "é", "Ünïcödé", "日本語", "\u2028\u2029", "\xff\xfe", "a\xc3", "\u00a0nbsp",
	"\u3000ideographic", `\.`, `\.x`, "emoji 🙂", "\U0010ffff", "a\u0085b", "#", "=1+1", "'",
}

// oddAmounts are amounts as the API may send them, and as arithmetic makes them.
var oddAmounts = []supersim.Decimal{
	{}, supersim.MustParseDecimal("0"), supersim.MustParseDecimal("0.03"), supersim.MustParseDecimal("-1.5"),
	supersim.MustParseDecimal("2e-3"), supersim.MustParseDecimal("007"), supersim.MustParseDecimal("1E+5"),
	supersim.MustParseDecimal("0.000000000000000000000000000001"), supersim.MustParseDecimal("-0.00"),
	supersim.MustParseDecimal("123456789012345678901234567890.123456789"),
	supersim.MustParseDecimal("0.1").Add(supersim.MustParseDecimal("0.03")), supersim.MustParseDecimal("-2.50").Neg(),
}

// oddTimes are times in and out of UTC, with and without fractions.
func oddTimes(rng *rand.Rand) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("X", -(9*3600 + 30*60)), time.FixedZone("S", 5*3600+45*60+7)}
	if berlin, err := time.LoadLocation("Europe/Berlin"); err == nil {
		zones = append(zones, berlin)
	}
	switch rng.IntN(6) {
	case 0:
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(31*24)) * time.Hour)
	case 1:
		return time.Unix(rng.Int64N(1<<34)-1<<33, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
	case 2:
		return time.Date(rng.IntN(10000), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, rng.IntN(3)*1000, zones[rng.IntN(len(zones))])
	case 3:
		if rng.IntN(50) == 0 { // beyond RFC 3339: encoding/json fails, and so must the export
			return time.Date([]int{-1, 10000}[rng.IntN(2)], 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.Time{}
	default:
		return time.Date(2026, 6, 12, 13, 0, 0, 0, time.UTC)
	}
}

func randomRecord(rng *rand.Rand) supersim.UsageRecord {
	s := func() string {
		if rng.IntN(3) == 0 {
			return oddStrings[1+rng.IntN(2)] // a plain one, often
		}
		return oddStrings[rng.IntN(len(oddStrings))]
	}
	n := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return []int64{0, 1, -1, math.MaxInt64, math.MinInt64}[rng.IntN(5)]
		default:
			return rng.Int64N(1<<uint(rng.IntN(62)+1)) * int64(1-2*rng.IntN(2))
		}
	}
	return supersim.UsageRecord{
		AccountSID: s(), SimSID: s(), NetworkSID: s(), FleetSID: s(), IsoCountry: s(),
		Period:     supersim.Period{StartTime: oddTimes(rng), EndTime: oddTimes(rng)},
		DataUpload: n(), DataDownload: n(), DataTotal: n(),
		DataTotalBilled: oddAmounts[rng.IntN(len(oddAmounts))], BilledUnit: s(),
	}
}

// TestAppendRecordMatchesEncoders checks the hand encodings of the export's
// records against encoding/json and encoding/csv, byte for byte, on many
// records of odd strings, amounts, numbers and times, with and without the
// name columns, and through the pageBuffer, record by record.
func TestAppendRecordMatchesEncoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2026))
	n := 20_000
	if testing.Short() {
		n = 5_000
	}
	page := newPageBuffer("jsonl", nil, nil)
	csvPage := newPageBuffer("csv", nil, nil)
	var wantJSON, wantCSV bytes.Buffer
	for i := range n {
		r := randomRecord(rng)
		simName, fleetName := oddStrings[rng.IntN(len(oddStrings))], oddStrings[rng.IntN(len(oddStrings))]
		for _, names := range []bool{false, true} {
			// JSON Lines against encoding/json.
			var ref bytes.Buffer
			var v any = jsonRecord{r.AccountSID, orNull(r.SimSID), orNull(r.NetworkSID), orNull(r.FleetSID),
				orNull(r.IsoCountry), r.Period, r.DataUpload, r.DataDownload, r.DataTotal, r.DataTotalBilled, orNull(r.BilledUnit)}
			if names {
				v = namedRecord{v.(jsonRecord), orNull(simName), orNull(fleetName)}
			}
			refErr := json.NewEncoder(&ref).Encode(v)
			got, ok := appendJSONRecord(nil, r, names, simName, fleetName, nil)
			switch {
			case refErr != nil && ok:
				t.Fatalf("record %d: encoding/json fails (%v), the hand encoding wrote %s", i, refErr, got)
			case refErr == nil && !ok:
				t.Fatalf("record %d: the hand encoding gave up on what encoding/json writes: %s", i, ref.Bytes())
			case ok && !bytes.Equal(got, ref.Bytes()):
				t.Fatalf("record %d (names %v):\n got %s\nwant %s", i, names, got, ref.Bytes())
			}
			if !names {
				if err := page.add(r); (err != nil) != (refErr != nil) {
					t.Fatalf("record %d: pageBuffer.add: %v; encoding/json: %v", i, err, refErr)
				}
				if refErr == nil {
					wantJSON.Write(ref.Bytes())
				}
			}

			// CSV against encoding/csv.
			ref.Reset()
			w := csv.NewWriter(&ref)
			row := []string{r.AccountSID, r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry,
				stamp(r.Period.StartTime), stamp(r.Period.EndTime),
				strconv.FormatInt(r.DataUpload, 10), strconv.FormatInt(r.DataDownload, 10), strconv.FormatInt(r.DataTotal, 10),
				r.DataTotalBilled.String(), r.BilledUnit}
			if names {
				row = append(row, simName, fleetName)
			}
			w.Write(row)
			w.Flush()
			if got, ok := appendCSVRecord(nil, r, names, simName, fleetName, nil); ok && !bytes.Equal(got, ref.Bytes()) {
				t.Fatalf("record %d (names %v):\n got %q\nwant %q", i, names, got, ref.Bytes())
			}
			if !names {
				if err := csvPage.add(r); err != nil {
					t.Fatal(err)
				}
				wantCSV.Write(ref.Bytes())
			}
		}
	}
	for _, c := range []struct {
		name string
		page *pageBuffer
		want []byte
	}{{"jsonl", page, wantJSON.Bytes()}, {"csv", csvPage, wantCSV.Bytes()}} {
		got, ends := c.page.take()
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: the page differs from the encoders' records", c.name)
		}
		if len(ends) == 0 || ends[len(ends)-1] != len(got) {
			t.Errorf("%s: the records' ends %v do not end the page (%d bytes)", c.name, ends[max(0, len(ends)-3):], len(got))
		}
		for i := 1; i < len(ends); i++ {
			if got[ends[i]-1] != '\n' {
				t.Fatalf("%s: record %d does not end in a newline", c.name, i)
			}
		}
	}
}

// TestAppendRecordFastPath checks that the records of the API's shape take
// the hand encoding, not the fallback to the encoders.
func TestAppendRecordFastPath(t *testing.T) {
	r := supersim.UsageRecord{AccountSID: "ACxx", SimSID: "HSxx", FleetSID: "HFxx", NetworkSID: "HWxx", IsoCountry: "US",
		Period:          supersim.Period{StartTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), EndTime: time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)},
		DataTotalBilled: supersim.MustParseDecimal("0.03"), BilledUnit: "USD"}
	if _, ok := appendJSONRecord(nil, r, true, "my sim", "fleet", nil); !ok {
		t.Error("JSON: fell back")
	}
	if _, ok := appendCSVRecord(nil, r, true, "my sim", "fleet", nil); !ok {
		t.Error("CSV: fell back")
	}
}
