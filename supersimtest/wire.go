package supersimtest

import (
	"encoding/json"
	"net/url"
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

type wireRecord struct {
	AccountSID      string          `json:"account_sid"`
	SimSID          *string         `json:"sim_sid"`
	NetworkSID      *string         `json:"network_sid"`
	FleetSID        *string         `json:"fleet_sid"`
	IsoCountry      *string         `json:"iso_country"`
	Period          wirePeriod      `json:"period"`
	DataUpload      int64           `json:"data_upload"`
	DataDownload    int64           `json:"data_download"`
	DataTotal       int64           `json:"data_total"`
	DataTotalBilled json.RawMessage `json:"data_total_billed"`
	BilledUnit      *string         `json:"billed_unit"`
}

type wirePeriod struct {
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
}

// wire renders a record with nulls for empty dimensions and a pending
// billed_unit, times in RFC 3339 UTC and the amount as a string (or a
// number with WithBilledAsNumber).
func (s *Server) wire(r record) wireRecord {
	billed := r.billed.String()
	raw := json.RawMessage(`"` + billed + `"`)
	if s.numbers {
		raw = json.RawMessage(billed)
	}
	return wireRecord{
		AccountSID: s.account,
		SimSID:     nullable(r.sim), NetworkSID: nullable(r.network),
		FleetSID: nullable(r.fleet), IsoCountry: nullable(r.country),
		Period: wirePeriod{
			StartTime: r.start.UTC().Format(time.RFC3339Nano),
			EndTime:   r.end.UTC().Format(time.RFC3339Nano),
		},
		DataUpload: r.upload, DataDownload: r.download, DataTotal: r.upload + r.download,
		DataTotalBilled: raw, BilledUnit: nullable(r.currency),
	}
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
