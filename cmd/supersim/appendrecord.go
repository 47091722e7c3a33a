package main

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/supersimkit/supersim"
)

// The export's records, encoded by hand: the same bytes as encoding/json
// (jsonRecord, namedRecord) and encoding/csv write, appended to a page's
// buffer without reflection or a slice of cells per record. What the fast
// path does not cover (a string that needs escaping or quoting, a time
// RFC 3339 cannot spell) is left to those packages, so the output stays
// theirs byte for byte (see records_append_test.go).

// appendJSONRecord appends r as one line of JSON Lines in the API's shape,
// as encoding/json's Encoder writes a jsonRecord (a namedRecord with
// names), newline included. ok is false, and b to be discarded, when a
// time is out of RFC 3339's range: encoding/json then gives the error.
// times, if not nil, keeps the text of the last times written.
func appendJSONRecord(b []byte, r supersim.UsageRecord, names bool, simName, fleetName string, times *recordTimes) (_ []byte, ok bool) {
	if times == nil {
		times = &recordTimes{}
	}
	b = append(b, `{"account_sid":`...)
	b = appendJSONString(b, r.AccountSID)
	b = append(b, `,"sim_sid":`...)
	b = appendJSONOrNull(b, r.SimSID)
	b = append(b, `,"network_sid":`...)
	b = appendJSONOrNull(b, r.NetworkSID)
	b = append(b, `,"fleet_sid":`...)
	b = appendJSONOrNull(b, r.FleetSID)
	b = append(b, `,"iso_country":`...)
	b = appendJSONOrNull(b, r.IsoCountry)
	b = append(b, `,"period":{"start_time":`...)
	text, ok := times.start.of(r.Period.StartTime, appendJSONTime)
	if !ok {
		return b, false
	}
	b = append(b, text...)
	b = append(b, `,"end_time":`...)
	if text, ok = times.end.of(r.Period.EndTime, appendJSONTime); !ok {
		return b, false
	}
	b = append(b, text...)
	b = append(b, `},"data_upload":`...)
	b = strconv.AppendInt(b, r.DataUpload, 10)
	b = append(b, `,"data_download":`...)
	b = strconv.AppendInt(b, r.DataDownload, 10)
	b = append(b, `,"data_total":`...)
	b = strconv.AppendInt(b, r.DataTotal, 10)
	b = append(b, `,"data_total_billed":"`...)
	b = r.DataTotalBilled.Append(b) // digits, '.', '-', 'e', '+': nothing to escape
	b = append(b, `","billed_unit":`...)
	b = appendJSONOrNull(b, r.BilledUnit)
	if names {
		b = append(b, `,"sim_name":`...)
		b = appendJSONOrNull(b, simName)
		b = append(b, `,"fleet_name":`...)
		b = appendJSONOrNull(b, fleetName)
	}
	return append(b, "}\n"...), true
}

// appendJSONOrNull appends s as a JSON string, or null for "".
func appendJSONOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, s)
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters included). Plain ASCII, what SIDs and
// country codes are, is copied as is; anything else goes to json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONTime appends t as encoding/json writes a time.Time (RFC 3339
// with nanoseconds, in t's own zone); ok is false when it cannot.
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	b, err := t.AppendText(b) // what Time.MarshalJSON writes between its quotes
	if err != nil {
		return nil, false
	}
	return append(b, '"'), true
}

// appendCSVRecord appends r as a CSV row of the export's columns (and
// nameColumns with names), as encoding/csv writes it. ok is false, and b
// to be discarded, when a cell needs quotes: encoding/csv then writes the
// row.
// times, if not nil, keeps the text of the last times written.
func appendCSVRecord(b []byte, r supersim.UsageRecord, names bool, simName, fleetName string, times *recordTimes) (_ []byte, ok bool) {
	if times == nil {
		times = &recordTimes{}
	}
	for _, cell := range [...]string{r.AccountSID, r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry} {
		if !plainCSV(cell) {
			return b, false
		}
		b = append(b, cell...)
		b = append(b, ',')
	}
	text, _ := times.start.of(r.Period.StartTime, appendStamp) // digits, '-', ':', 'T', 'Z'
	b = append(b, text...)
	b = append(b, ',')
	text, _ = times.end.of(r.Period.EndTime, appendStamp)
	b = append(b, text...)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.DataUpload, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.DataDownload, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.DataTotal, 10)
	b = append(b, ',')
	b = r.DataTotalBilled.Append(b) // digits, '.', '-', 'e', '+'
	b = append(b, ',')
	if !plainCSV(r.BilledUnit) {
		return b, false
	}
	b = append(b, r.BilledUnit...)
	if names {
		if !plainCSV(simName) || !plainCSV(fleetName) {
			return b, false
		}
		b = append(b, ',')
		b = append(b, simName...)
		b = append(b, ',')
		b = append(b, fleetName...)
	}
	return append(b, '\n'), true
}

// plainCSV reports whether encoding/csv writes cell as it is, without
// quotes: no comma, quote or line break, and nothing that could be space
// first. (It answers false for some cells that need none, which
// encoding/csv then writes.)
func plainCSV(cell string) bool {
	if cell == "" {
		return true
	}
	if c := cell[0]; c <= ' ' || c >= utf8.RuneSelf || cell == `\.` {
		return false
	}
	for i := 0; i < len(cell); i++ {
		if !csvPlain[cell[i]] {
			return false
		}
	}
	return true
}

// jsonPlain and csvPlain are the bytes that encoding/json writes as they
// are in a string (ASCII but controls, quote, backslash and what it
// escapes for HTML), and that need no quotes in an encoding/csv cell.
var jsonPlain, csvPlain = func() (json, csv [256]bool) {
	for c := range 256 {
		json[c] = c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
		csv[c] = c != ',' && c != '"' && c != '\n' && c != '\r'
	}
	return json, csv
}()

// appendStamp appends t as stamp writes it.
func appendStamp(b []byte, t time.Time) ([]byte, bool) {
	return t.UTC().AppendFormat(b, time.RFC3339), true
}

// recordTimes keeps the text of the last start and end times written: the
// records of a page share few periods, one after another.
type recordTimes struct{ start, end timeText }

// timeText is a time and its text, once written.
type timeText struct {
	t     time.Time
	text  []byte
	valid bool
}

// of returns the text that write makes of t, written again only when t is
// not the time last asked for (== on time.Time: the same instant, zone
// and monotonic reading, so the same text). The text is valid until the
// next call.
func (c *timeText) of(t time.Time, write func([]byte, time.Time) ([]byte, bool)) ([]byte, bool) {
	if c.valid && t == c.t {
		return c.text, true
	}
	text, ok := write(c.text[:0], t)
	if !ok {
		c.valid = false
		return nil, false
	}
	c.t, c.text, c.valid = t, text, true
	return text, true
}
