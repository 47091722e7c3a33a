package supersimtest

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
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

// appendRecord appends a record of res, a result of q, as Twilio sends
// it, byte for byte what encoding/json makes of it: nulls for the
// dimensions q neither grouped by nor filtered on and for a pending
// billed_unit, times in RFC 3339 UTC, the amount as a string (or a number
// with WithBilledAsNumber).
func (s *Server) appendRecord(b []byte, q *listQuery, res *result, r *record) []byte {
	st := s.usage
	b = append(b, s.recordHead...)
	b = append(b, `,"sim_sid":`...)
	if q.group == "sim" || q.sim != "" {
		b = append(b, st.sids.json[st.sims.values[r.sim].a]...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"network_sid":`...)
	if q.group == "network" || q.network != "" {
		b = append(b, st.networks.json[r.network]...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"fleet_sid":`...)
	if q.group == "fleet" || q.fleet != "" {
		b = append(b, st.fleetSIDs.json[st.fleets.values[r.fleet].a]...)
	} else {
		b = append(b, "null"...)
	}
	place := st.places.values[r.place]
	b = append(b, `,"iso_country":`...)
	if q.group == "isoCountry" || q.country != "" {
		b = append(b, st.countries.json[place.a]...)
	} else {
		b = append(b, "null"...)
	}
	b = strconv.AppendInt(append(b, res.buckets[r.bucket].period...), r.upload, 10)
	b = strconv.AppendInt(append(b, `,"data_download":`...), r.download, 10)
	b = strconv.AppendInt(append(b, `,"data_total":`...), r.upload+r.download, 10)
	b = append(b, `,"data_total_billed":`...)
	if !s.numbers {
		b = append(b, '"')
	}
	if r.big >= 0 {
		b = append(b, res.bigs[r.big].String()...)
	} else {
		b = r.billed.appendTo(b)
	}
	if !s.numbers {
		b = append(b, '"')
	}
	b = append(append(b, `,"billed_unit":`...), st.currencies.json[place.b]...)
	return append(b, '}')
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
