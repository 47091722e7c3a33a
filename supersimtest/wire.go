package supersimtest

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// wireMeta is a list page's meta as Twilio sends it, nulls included.
type wireMeta struct {
	Page            int     `json:"page"`
	PageSize        int     `json:"page_size"`
	FirstPageURL    *string `json:"first_page_url"`
	PreviousPageURL *string `json:"previous_page_url"`
	URL             *string `json:"url"`
	NextPageURL     *string `json:"next_page_url"`
	Key             string  `json:"key"`
}

// appendRecord appends a record as Twilio sends it, byte for byte what
// encoding/json makes of it: nulls for empty dimensions and a pending
// billed_unit, times in RFC 3339 UTC, the amount as a string (or a number
// with WithBilledAsNumber).
func (s *Server) appendRecord(b []byte, r record) []byte {
	b = appendJSONString(append(b, `{"account_sid":`...), s.account)
	b = appendNullable(append(b, `,"sim_sid":`...), r.sim)
	b = appendNullable(append(b, `,"network_sid":`...), r.network)
	b = appendNullable(append(b, `,"fleet_sid":`...), r.fleet)
	b = appendNullable(append(b, `,"iso_country":`...), r.country)
	b = r.start.UTC().AppendFormat(append(b, `,"period":{"start_time":"`...), time.RFC3339Nano)
	b = r.end.UTC().AppendFormat(append(b, `","end_time":"`...), time.RFC3339Nano)
	b = strconv.AppendInt(append(b, `"},"data_upload":`...), r.upload, 10)
	b = strconv.AppendInt(append(b, `,"data_download":`...), r.download, 10)
	b = strconv.AppendInt(append(b, `,"data_total":`...), r.upload+r.download, 10)
	b = append(b, `,"data_total_billed":`...)
	if s.numbers {
		b = append(b, r.billed.String()...)
	} else {
		b = appendJSONString(b, r.billed.String())
	}
	return append(appendNullable(append(b, `,"billed_unit":`...), r.currency), '}')
}

// appendNullable appends v as a JSON string, or null for "".
func appendNullable(b []byte, v string) []byte {
	if v == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, v)
}

// appendJSONString appends v as encoding/json writes a string: as is
// when it is printable ASCII that needs no escape, else as json.Marshal
// escapes it.
func appendJSONString(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || strings.IndexByte(`"\<>&`, c) >= 0 {
			quoted, _ := json.Marshal(v)
			return append(b, quoted...)
		}
	}
	return append(append(append(b, '"'), v...), '"')
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// queryEscape escapes a query value as url.Values.Encode does.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}
