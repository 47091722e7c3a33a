package main

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// reportCSVHeader names the report's CSV columns. The kind column says
// what a row is: "group" (one per group), "others" (the groups past -top),
// "total", or "hour" / "day" (one per bucket, over every group). group
// holds the group's SID (or country code), group_name its name: the SIM's
// unique name (else its ICCID), the fleet's unique name or the network's
// friendly name, empty when unknown. partial is true for a bucket still in
// progress when the report was made (the table's *, the JSON's "partial"),
// and for the rows of the whole period when it reaches past now: their
// usage is counted up to now, and will grow. Group
// rows, others and total cover the whole period; groups and others add up
// to total, and so do the buckets.
var reportCSVHeader = []string{"kind", "group", "group_name", "start", "end", "upload_bytes", "download_bytes", "total_bytes", "billed", "currency", "partial"}

// writeReportCSV prints s as CSV, every SID whole. Several currencies in
// one row are joined with ";" in billed and currency alike.
func writeReportCSV(w io.Writer, s summary) error {
	cw := csv.NewWriter(w)
	cw.Write(reportCSVHeader)
	row := func(kind, group, name string, start, end time.Time, u usage, partial bool) {
		amounts, currencies := u.Billed.columns()
		cw.Write([]string{kind, group, name, stamp(start), stamp(end),
			strconv.FormatInt(u.Upload, 10), strconv.FormatInt(u.Download, 10), strconv.FormatInt(u.Total, 10),
			amounts, currencies, strconv.FormatBool(partial)})
	}
	partial := s.End.After(s.Now) // the whole period's rows
	for _, g := range s.Groups {
		row("group", g.Key, g.Name, s.Start, s.End, g.usage, partial)
	}
	if s.NOthers > 0 {
		row("others", othersLabel(s), "", s.Start, s.End, s.Others, partial)
	}
	row("total", "", "", s.Start, s.End, s.Total, partial)
	for _, b := range s.Buckets {
		row(string(s.Granularity), "", "", b.Start, b.End, b.usage, b.Partial)
	}
	cw.Flush()
	return cw.Error()
}
