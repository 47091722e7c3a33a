package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/supersimkit/supersim"
)

// usage is summed usage: bytes and the exact amount billed.
type usage struct {
	Upload   int64            `json:"upload_bytes"`
	Download int64            `json:"download_bytes"`
	Total    int64            `json:"total_bytes"`
	Billed   supersim.Decimal `json:"billed"`
	Currency string           `json:"currency"`
}

func (u *usage) add(r supersim.UsageRecord) {
	u.Upload += r.DataUpload
	u.Download += r.DataDownload
	u.Total += r.DataTotal
	u.Billed = u.Billed.Add(r.DataTotalBilled)
	if r.BilledUnit != "" {
		u.Currency = r.BilledUnit
	}
}

// groupUsage is the usage of one group.
type groupUsage struct {
	Group string `json:"group"`
	usage
}

// dayUsage is the usage of one UTC day.
type dayUsage struct {
	Day string `json:"day"`
	usage
}

// report sums records per group and per day.
type report struct {
	group  supersim.Group
	groups map[string]*usage
	days   map[string]*usage
	totals usage
}

func newReport(group supersim.Group) *report {
	return &report{group: group, groups: map[string]*usage{}, days: map[string]*usage{}}
}

func (r *report) add(rec supersim.UsageRecord) {
	key := groupKey(r.group, rec)
	if r.groups[key] == nil {
		r.groups[key] = &usage{}
	}
	r.groups[key].add(rec)
	day := rec.Period.StartTime.UTC().Format(time.DateOnly)
	if r.days[day] == nil {
		r.days[day] = &usage{}
	}
	r.days[day].add(rec)
	r.totals.add(rec)
}

// groupKey is the grouped dimension of a record.
func groupKey(group supersim.Group, rec supersim.UsageRecord) string {
	switch group {
	case supersim.GroupSim:
		return rec.SimSID
	case supersim.GroupFleet:
		return rec.FleetSID
	case supersim.GroupNetwork:
		return rec.NetworkSID
	case supersim.GroupIsoCountry:
		return rec.IsoCountry
	}
	return "all"
}

// sortedGroups returns the groups with the most data first (ties by name),
// at most top of them if top > 0.
func (r *report) sortedGroups(top int) []groupUsage {
	groups := make([]groupUsage, 0, len(r.groups))
	for name, u := range r.groups {
		groups = append(groups, groupUsage{Group: name, usage: *u})
	}
	slices.SortFunc(groups, func(a, b groupUsage) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Group, b.Group))
	})
	if top > 0 && len(groups) > top {
		groups = groups[:top]
	}
	return groups
}

func (r *report) sortedDays() []dayUsage {
	days := make([]dayUsage, 0, len(r.days))
	for day, u := range r.days {
		days = append(days, dayUsage{Day: day, usage: *u})
	}
	slices.SortFunc(days, func(a, b dayUsage) int { return strings.Compare(a.Day, b.Day) })
	return days
}

// write renders the report in format; chart adds the per-day chart.
func (r *report) write(w io.Writer, format string, top int, chart bool) error {
	switch format {
	case "csv":
		return r.writeCSV(w, top)
	case "json":
		return r.writeJSON(w, top, chart)
	}
	return r.writeTable(w, top, chart)
}

func (r *report) groupTitle() string {
	if r.group == "" {
		return "GROUP"
	}
	return strings.ToUpper(string(r.group))
}

func (r *report) writeTable(w io.Writer, top int, chart bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	groups := r.sortedGroups(top)
	nameWidth := len(r.groupTitle())
	for _, g := range groups {
		nameWidth = max(nameWidth, len(g.Group))
	}
	row := func(name string, u usage) { // names padded to read left-aligned
		fmt.Fprintf(tw, "%-*s\t%s\t%s\t%s\t%s %s\t\n", nameWidth, name, humanBytes(u.Upload), humanBytes(u.Download), humanBytes(u.Total), u.Billed, u.Currency)
	}
	fmt.Fprintf(tw, "%-*s\tUPLOAD\tDOWNLOAD\tTOTAL\tBILLED\t\n", nameWidth, r.groupTitle())
	for _, g := range groups {
		row(g.Group, g.usage)
	}
	if len(groups) < len(r.groups) {
		fmt.Fprintf(tw, "%-*s\t\t\t\t\t\n", nameWidth, fmt.Sprintf("(%d more)", len(r.groups)-len(groups)))
	}
	row("TOTAL", r.totals)
	if err := tw.Flush(); err != nil {
		return err
	}
	if chart {
		return r.writeChart(w)
	}
	return nil
}

// writeChart draws the data total per day as horizontal bars.
func (r *report) writeChart(w io.Writer) error {
	const width = 40
	days := r.sortedDays()
	var most int64
	for _, d := range days {
		most = max(most, d.Total)
	}
	if _, err := fmt.Fprintln(w, "\nDATA PER DAY (UTC)"); err != nil {
		return err
	}
	for _, d := range days {
		if _, err := fmt.Fprintf(w, "%s %-*s %s\n", d.Day, width, bar(d.Total, most, width), humanBytes(d.Total)); err != nil {
			return err
		}
	}
	return nil
}

// bar is value/most of width cells, in eighths of a cell.
func bar(value, most int64, width int) string {
	if most <= 0 {
		return ""
	}
	eighths := int(value * int64(width) * 8 / most)
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	return strings.Repeat("█", eighths/8) + partial[eighths%8]
}

// humanBytes prints a byte count in B, KiB, MiB, GiB or TiB.
func humanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	value, unit := float64(n), ""
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		value, unit = value/1024, u
		if value < 1024 {
			break
		}
	}
	return fmt.Sprintf("%.1f %s", value, unit)
}

func (r *report) writeCSV(w io.Writer, top int) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{strings.ToLower(r.groupTitle()), "upload_bytes", "download_bytes", "total_bytes", "billed", "currency"})
	row := func(name string, u usage) {
		cw.Write([]string{name, strconv.FormatInt(u.Upload, 10), strconv.FormatInt(u.Download, 10),
			strconv.FormatInt(u.Total, 10), u.Billed.String(), u.Currency})
	}
	for _, g := range r.sortedGroups(top) {
		row(g.Group, g.usage)
	}
	row("TOTAL", r.totals)
	cw.Flush()
	return cw.Error()
}

func (r *report) writeJSON(w io.Writer, top int, days bool) error {
	out := struct {
		Group  string       `json:"group_by"`
		Groups []groupUsage `json:"groups"`
		Days   []dayUsage   `json:"days,omitempty"`
		Totals usage        `json:"totals"`
	}{Group: string(r.group), Groups: r.sortedGroups(top), Totals: r.totals}
	if days {
		out.Days = r.sortedDays()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
