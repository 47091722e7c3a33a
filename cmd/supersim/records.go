package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"

	"github.com/supersimkit/supersim"
)

// exportCSVHeader names the export's CSV columns: the API's record fields,
// with the period's two times flattened.
var exportCSVHeader = []string{"account_sid", "sim_sid", "fleet_sid", "network_sid", "iso_country",
	"start_time", "end_time", "data_upload", "data_download", "data_total", "data_total_billed", "billed_unit"}

// pageBuffer collects the encoded records of one page, so that they reach
// the output in one write: a process killed at any moment leaves whole
// records behind.
type pageBuffer struct {
	buf  bytes.Buffer
	csv  *csv.Writer   // for CSV
	json *json.Encoder // for JSON Lines
}

func newPageBuffer(format string) *pageBuffer {
	p := &pageBuffer{}
	if format == "csv" {
		p.csv = csv.NewWriter(&p.buf)
	} else {
		p.json = json.NewEncoder(&p.buf)
	}
	return p
}

// header returns what the output starts with: the CSV header line, or
// nothing for JSON Lines.
func (p *pageBuffer) header() []byte {
	if p.csv == nil {
		return nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(exportCSVHeader)
	w.Flush()
	return b.Bytes()
}

// jsonRecord is a record in the API's shape: null for the fields it did
// not send, data_total_billed as an exact string.
type jsonRecord struct {
	AccountSID      string           `json:"account_sid"`
	SimSID          *string          `json:"sim_sid"`
	NetworkSID      *string          `json:"network_sid"`
	FleetSID        *string          `json:"fleet_sid"`
	IsoCountry      *string          `json:"iso_country"`
	Period          supersim.Period  `json:"period"`
	DataUpload      int64            `json:"data_upload"`
	DataDownload    int64            `json:"data_download"`
	DataTotal       int64            `json:"data_total"`
	DataTotalBilled supersim.Decimal `json:"data_total_billed"`
	BilledUnit      *string          `json:"billed_unit"`
}

// orNull is s, or nil (JSON null) for "".
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// add encodes one record: a CSV row (an empty cell for null), or one line
// of JSON in the API's shape.
func (p *pageBuffer) add(r supersim.UsageRecord) error {
	if p.csv == nil {
		return p.json.Encode(jsonRecord{r.AccountSID, orNull(r.SimSID), orNull(r.NetworkSID), orNull(r.FleetSID),
			orNull(r.IsoCountry), r.Period, r.DataUpload, r.DataDownload, r.DataTotal, r.DataTotalBilled, orNull(r.BilledUnit)})
	}
	return p.csv.Write([]string{r.AccountSID, r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry,
		stamp(r.Period.StartTime), stamp(r.Period.EndTime),
		strconv.FormatInt(r.DataUpload, 10), strconv.FormatInt(r.DataDownload, 10), strconv.FormatInt(r.DataTotal, 10),
		r.DataTotalBilled.String(), r.BilledUnit})
}

// take returns the records added since the last take; the bytes are valid
// until the next add.
func (p *pageBuffer) take() ([]byte, error) {
	if p.csv != nil {
		p.csv.Flush()
		if err := p.csv.Error(); err != nil {
			return nil, err
		}
	}
	data := p.buf.Bytes()
	p.buf.Reset()
	return data, nil
}
