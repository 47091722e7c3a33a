package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/supersimkit/supersim"
)

// exportCSVHeader names the export's CSV columns: the API's record fields,
// with the period's two times flattened.
var exportCSVHeader = []string{"account_sid", "sim_sid", "fleet_sid", "network_sid", "iso_country",
	"start_time", "end_time", "data_upload", "data_download", "data_total", "data_total_billed", "billed_unit"}

// nameColumns are the columns export -names adds after the export's own:
// the SIM's unique name (else its ICCID) and the fleet's unique name,
// empty (null) when unknown or when the record has no SIM or fleet.
var nameColumns = []string{"sim_name", "fleet_name"}

// pageBuffer collects the encoded records of one page, and where each
// ends, for the output to write whole records (see output.go).
type pageBuffer struct {
	buf   bytes.Buffer
	ends  []int                                        // the offset in buf after each record
	csv   *csv.Writer                                  // for CSV
	json  *json.Encoder                                // for JSON Lines
	focus func(supersim.UsageRecord) (focusRow, error) // for -schema focus; nil for the export's own
	names *recordNames                                 // for -names; nil without
	times recordTimes                                  // the text of the last times written
}

// newPageBuffer returns a pageBuffer of format, in the export's own
// columns (with nameColumns when names is not nil), or in FOCUS's when
// focus is not nil.
func newPageBuffer(format string, focus func(supersim.UsageRecord) (focusRow, error), names *recordNames) *pageBuffer {
	p := &pageBuffer{focus: focus, names: names}
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
	if p.focus != nil {
		w.Write(focusColumns)
	} else if p.names != nil {
		w.Write(append(slices.Clip(exportCSVHeader), nameColumns...))
	} else {
		w.Write(exportCSVHeader)
	}
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

// namedRecord is a record of export -names in JSON Lines: the record,
// then the names of its SIM and fleet (null when unknown).
type namedRecord struct {
	jsonRecord
	SimName   *string `json:"sim_name"`
	FleetName *string `json:"fleet_name"`
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
	if p.focus != nil {
		return p.addFocus(r)
	}
	var simName, fleetName string
	if p.names != nil {
		var err error
		if simName, fleetName, err = p.names.of(r); err != nil {
			return err
		}
	}
	if p.csv == nil {
		line, ok := appendJSONRecord(p.buf.AvailableBuffer(), r, p.names != nil, simName, fleetName, &p.times)
		if ok {
			p.buf.Write(line)
		} else if err := p.encodeJSON(r, simName, fleetName); err != nil {
			return err
		}
		p.ends = append(p.ends, p.buf.Len())
		return nil
	}
	row, ok := appendCSVRecord(p.buf.AvailableBuffer(), r, p.names != nil, simName, fleetName, &p.times)
	if ok {
		p.buf.Write(row)
	} else if err := p.encodeCSV(r, simName, fleetName); err != nil {
		return err
	}
	p.ends = append(p.ends, p.buf.Len())
	return nil
}

// encodeJSON encodes r with encoding/json: the reference that
// appendJSONRecord matches byte for byte, and what writes (or refuses)
// the records it leaves (a time RFC 3339 cannot spell).
func (p *pageBuffer) encodeJSON(r supersim.UsageRecord, simName, fleetName string) error {
	var v any = jsonRecord{r.AccountSID, orNull(r.SimSID), orNull(r.NetworkSID), orNull(r.FleetSID),
		orNull(r.IsoCountry), r.Period, r.DataUpload, r.DataDownload, r.DataTotal, r.DataTotalBilled, orNull(r.BilledUnit)}
	if p.names != nil {
		v = namedRecord{v.(jsonRecord), orNull(simName), orNull(fleetName)}
	}
	return p.json.Encode(v)
}

// encodeCSV encodes r with encoding/csv: the reference that
// appendCSVRecord matches byte for byte, and what writes the rows it
// leaves (a cell that needs quotes).
func (p *pageBuffer) encodeCSV(r supersim.UsageRecord, simName, fleetName string) error {
	row := []string{r.AccountSID, r.SimSID, r.FleetSID, r.NetworkSID, r.IsoCountry,
		stamp(r.Period.StartTime), stamp(r.Period.EndTime),
		strconv.FormatInt(r.DataUpload, 10), strconv.FormatInt(r.DataDownload, 10), strconv.FormatInt(r.DataTotal, 10),
		r.DataTotalBilled.String(), r.BilledUnit}
	if p.names != nil {
		row = append(row, simName, fleetName)
	}
	p.csv.Write(row)
	p.csv.Flush()
	return p.csv.Error()
}

// addFocus encodes one record as a FOCUS row: a CSV row (an empty cell
// for null), or a JSON object with the columns in order (null for null,
// FOCUS's amounts and quantities as exact strings, as data_total_billed
// is; the byte counts of the x_ columns as numbers).
func (p *pageBuffer) addFocus(r supersim.UsageRecord) error {
	row, err := p.focus(r)
	if err != nil {
		return err
	}
	cells := row.cells()
	if p.csv != nil {
		line := make([]string, len(cells))
		for i, c := range cells {
			if c != nil {
				line[i] = *c
			}
		}
		p.csv.Write(line)
		p.csv.Flush()
		if err := p.csv.Error(); err != nil {
			return err
		}
	} else {
		p.buf.WriteByte('{')
		for i, c := range cells {
			if i > 0 {
				p.buf.WriteByte(',')
			}
			name, _ := json.Marshal(focusColumns[i])
			p.buf.Write(name)
			p.buf.WriteByte(':')
			if c == nil {
				p.buf.WriteString("null")
				continue
			}
			if focusIntegers[focusColumns[i]] {
				p.buf.WriteString(*c) // a count of bytes: a JSON number
				continue
			}
			value, _ := json.Marshal(*c)
			p.buf.Write(value)
		}
		p.buf.WriteString("}\n")
	}
	p.ends = append(p.ends, p.buf.Len())
	return nil
}

// take returns the records added since the last take and where each ends;
// both are valid until the next add.
func (p *pageBuffer) take() (data []byte, ends []int) {
	data, ends = p.buf.Bytes(), p.ends
	p.buf.Reset()
	p.ends = p.ends[:0]
	return data, ends
}
