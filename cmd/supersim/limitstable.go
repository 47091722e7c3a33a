package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supersimkit/supersim"
)

// limitsReport is what "supersim limits" prints: the SDK's rows, as they
// come (highest percentage first), and what the table's header says.
type limitsReport struct {
	Rows      []supersim.SimDataLimit
	Source    string // the provider, or "demo"
	Threshold float64
	Now       time.Time
}

// writeLimits prints r in format: table, csv or json.
func writeLimits(w io.Writer, format string, r limitsReport) error {
	switch format {
	case "csv":
		return writeLimitsCSV(w, r.Rows)
	case "json":
		return writeLimitsJSON(w, r.Rows)
	}
	return writeLimitsTable(w, r)
}

// limitsColumns are the CSV columns, and the JSON keys in that order.
var limitsColumns = []string{"sim_sid", "sim_name", "iccid", "fleet_sid", "fleet_name", "period_start", "period_end",
	"used_bytes", "limit_bytes", "percent", "data_enabled"}

// jsonLimit is one row of the JSON report. A SIM without a current billing
// period has null period_start and period_end (empty cells in CSV); a SIM
// in no fleet has "" fleet_sid and fleet_name.
type jsonLimit struct {
	SimSID      string  `json:"sim_sid"`
	SimName     string  `json:"sim_name"`
	ICCID       string  `json:"iccid"`
	FleetSID    string  `json:"fleet_sid"`
	FleetName   string  `json:"fleet_name"`
	PeriodStart *string `json:"period_start"` // RFC 3339 UTC
	PeriodEnd   *string `json:"period_end"`
	UsedBytes   int64   `json:"used_bytes"`
	LimitBytes  int64   `json:"limit_bytes"`
	Percent     float64 `json:"percent"`
	DataEnabled bool    `json:"data_enabled"`
}

// limitJSON is r as the JSON report writes it.
func limitJSON(r supersim.SimDataLimit) jsonLimit {
	optional := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := stamp(t)
		return &s
	}
	return jsonLimit{SimSID: r.SimSID, SimName: r.SimName, ICCID: r.ICCID, FleetSID: r.FleetSID, FleetName: r.FleetName,
		PeriodStart: optional(r.PeriodStart), PeriodEnd: optional(r.PeriodEnd),
		UsedBytes: r.UsedBytes, LimitBytes: r.LimitBytes, Percent: r.Percent, DataEnabled: r.DataEnabled}
}

// writeLimitsJSON prints rows as one JSON array, an object per SIM.
func writeLimitsJSON(w io.Writer, rows []supersim.SimDataLimit) error {
	out := make([]jsonLimit, len(rows))
	for i, r := range rows {
		out[i] = limitJSON(r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeLimitsCSV prints rows as CSV with a header row: limitsColumns.
func writeLimitsCSV(w io.Writer, rows []supersim.SimDataLimit) error {
	cw := csv.NewWriter(w)
	cw.Write(limitsColumns)
	for _, r := range rows {
		j := limitJSON(r)
		cw.Write([]string{j.SimSID, j.SimName, j.ICCID, j.FleetSID, j.FleetName, deref(j.PeriodStart), deref(j.PeriodEnd),
			strconv.FormatInt(j.UsedBytes, 10), strconv.FormatInt(j.LimitBytes, 10),
			strconv.FormatFloat(j.Percent, 'f', -1, 64), strconv.FormatBool(j.DataEnabled)})
	}
	cw.Flush()
	return cw.Error()
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// percent writes a percentage with one decimal: "83.2%".
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" }

// formatThreshold writes -threshold as a percentage: "80%", "92.5%".
func formatThreshold(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

// megabytes writes bytes in decimal megabytes with one decimal, the
// unit of data_limit.
func megabytes(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) }

// The table's columns: SIM and FLEET shrink (cut with "…") to fit
// tableWidth, the others keep their width. The columns after FLEET are
// one space apart (their headers are wider than most of their values),
// the others two.
const (
	minSIMWidth   = 12
	minFleetWidth = 8
)

// writeLimitsTable prints r for a person, in 80 columns: a header that
// says what the numbers mean, a row per SIM and a summary line. A SIM is
// named by its unique name, else its ICCID; a fleet by its unique name,
// else its shortened SID. USE ends in "!" at or over the threshold; LIMIT
// says "off" for a fleet with data disabled and "none" for a SIM in no
// fleet; ENDS says "no period" for a SIM without a current one; REACHES
// is the date (UTC) the limit is reached at the period's rate so far,
// "reached" once it is, "-" when not before the period ends.
func writeLimitsTable(w io.Writer, r limitsReport) error {
	bw := bufio.NewWriter(w)
	source := r.Source
	if source == demoCredentials.provider {
		source = "demo data (built-in fake API)"
	}
	fmt.Fprintf(bw, "Super SIM data limits from %s\n", source)
	fmt.Fprintf(bw, "Now      %s UTC; each SIM's current billing period\n", r.Now.Format("2006-01-02 15:04"))
	fmt.Fprintln(bw, "Used     upload + download in MB (1,000,000 bytes) from the period's start")
	fmt.Fprintln(bw, "         floored to the UTC hour: up to the first hour before it may count")
	fmt.Fprintln(bw, "Limit    the fleet's data_limit × 1,000,000 bytes; a SIM is blocked at 100%")
	fmt.Fprintf(bw, "Marks    ! at or over -threshold %s; LIMIT off: the fleet has data disabled\n", formatThreshold(r.Threshold))
	fmt.Fprintln(bw)

	fleets := make([]string, len(r.Rows))
	for i, row := range r.Rows {
		fleets[i] = cmp.Or(row.FleetName, row.FleetSID, "-")
	}
	fleets = shortenSIDs(fleets)
	cells := [][]string{{"SIM", "FLEET", "USED", "LIMIT", "USE ", "ENDS (UTC)", "REACHES"}}
	over := 0
	for i, row := range r.Rows {
		use, limit, ends, reaches := percent(row.Percent), strconv.FormatInt(row.LimitBytes/1e6, 10), "no period", "-"
		if row.Percent >= r.Threshold {
			use += "!"
			over++
		} else {
			use += " " // the digits line up with the marked ones
		}
		switch {
		case row.FleetSID == "":
			use, limit = "- ", "none"
		case !row.DataEnabled:
			use, limit = "- ", "off"
		case row.LimitBytes == 0:
			use, limit = "- ", "-"
		}
		if !row.PeriodEnd.IsZero() {
			ends = row.PeriodEnd.UTC().Format("01-02 15:04")
		}
		switch {
		case !row.Reaches.IsZero():
			reaches = row.Reaches.UTC().Format("01-02")
		case row.LimitBytes > 0 && row.UsedBytes >= row.LimitBytes:
			reaches = "reached"
		}
		cells = append(cells, []string{cmp.Or(row.SimName, row.ICCID, row.SimSID), fleets[i], megabytes(row.UsedBytes), limit, use, ends, reaches})
	}
	writeFitted(bw, cells)
	fmt.Fprintf(bw, "\n%d of %s at or over %s\n", over, plural(len(r.Rows), "SIM"), formatThreshold(r.Threshold))
	return bw.Flush()
}

// writeFitted prints cells as columns two spaces apart within tableWidth:
// the first two left-aligned and cut to fit (the second first, down to
// minFleetWidth, then the first, down to minSIMWidth), the rest
// right-aligned.
func writeFitted(w io.Writer, cells [][]string) {
	widths := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	gap := func(i int) int { // the spaces before column i
		switch {
		case i == 0:
			return 0
		case i <= 2:
			return 2
		}
		return 1
	}
	total := 0
	for i := range widths {
		total += gap(i)
	}
	for _, n := range widths {
		total += n
	}
	for i, least := range []int{minFleetWidth, minSIMWidth} {
		col := 1 - i
		cut := min(max(total-tableWidth, 0), max(widths[col]-least, 0))
		widths[col] -= cut
		total -= cut
	}
	for _, row := range cells {
		var b strings.Builder
		for i, c := range row {
			b.WriteString(strings.Repeat(" ", gap(i)))
			c = cut(c, widths[i])
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < 2 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// cut shortens s to n characters, its last one "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
