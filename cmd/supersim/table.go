package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supersimkit/supersim"
)

// tableWidth is the width the table fits in (with short SIDs).
const tableWidth = 80

// writeTable prints s for a person: a header that says what it covers,
// the groups, others and the total, and for hour or day buckets a chart.
// fullSIDs prints SIDs whole instead of shortened.
func writeTable(w io.Writer, s summary, fullSIDs bool) error {
	bw := bufio.NewWriter(w)
	writeHeader(bw, s.header, fullSIDs)
	fmt.Fprintln(bw)

	sids := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		sids[i] = groupLabel(g.Key)
	}
	if !fullSIDs {
		sids = shortenSIDs(sids)
	}
	labels, named := groupLabels(s.Groups, sids)
	title := "GROUP"
	switch s.Group {
	case "":
	case supersim.GroupIsoCountry:
		title = "COUNTRY"
	default:
		title = strings.ToUpper(string(s.Group))
	}
	head := []string{title}
	if fullSIDs && named {
		head = append(head, "NAME") // -full-sids: the SID whole, and the name beside it
	}
	units := unitWidth(s.Total.Billed) // the total has every currency
	rows := [][]string{append(head, "UPLOAD", "DOWNLOAD", "TOTAL", "BILLED")}
	row := func(first []string, u usage) []string {
		return append(first, humanBytes(u.Upload), humanBytes(u.Download), humanBytes(u.Total), strings.Join(u.Billed.lines(units), "\n"))
	}
	blank := func(label string) []string {
		if len(head) == 2 {
			return []string{label, ""}
		}
		return []string{label}
	}
	for i, g := range s.Groups {
		first := []string{labels[i]}
		if len(head) == 2 {
			first = []string{sids[i], truncateName(g.Name)}
		}
		rows = append(rows, row(first, g.usage))
	}
	if s.NOthers > 0 {
		rows = append(rows, row(blank(othersLabel(s)), s.Others))
	}
	rows = append(rows, row(blank("TOTAL"), s.Total))
	writeColumns(bw, rows)

	switch {
	case len(s.Buckets) == 0:
	case s.bucketSize() == time.Hour:
		fmt.Fprintln(bw)
		writeHourChart(bw, s.Buckets, s.Now)
	default:
		fmt.Fprintln(bw)
		writeDayChart(bw, s.Buckets, s.Now)
	}
	return bw.Flush()
}

// writeHeader prints what the report covers: source, period, filters
// (SIDs shortened unless fullSIDs), grouping and buckets.
func writeHeader(w io.Writer, h header, fullSIDs bool) {
	source := h.Provider
	if source == demoCredentials.provider {
		source = "demo data (built-in fake API)"
	}
	fmt.Fprintf(w, "Super SIM usage from %s\n", source)
	fmt.Fprintf(w, "Period   %s to %s UTC (%s)\n", h.Start.Format("2006-01-02 15:04"), h.End.Format("2006-01-02 15:04"), span(h.End.Sub(h.Start)))
	filters := "none"
	if len(h.Filters) > 0 {
		parts := make([]string, len(h.Filters))
		for i, f := range h.Filters {
			value := f.Value
			if !fullSIDs {
				value = shortenSIDs([]string{value})[0]
			}
			parts[i] = f.Name + " " + value
		}
		filters = strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "Filters  %s\n", filters)
	group := "none"
	if h.Group != "" {
		group = string(h.Group)
	}
	buckets := map[time.Duration]string{0: "the whole period", time.Hour: "per hour", 24 * time.Hour: "per day"}[h.bucketSize()]
	fmt.Fprintf(w, "Group    %s; buckets: %s\n", group, buckets)
}

// span says how long d is in days and hours.
func span(d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 || days == 0 {
		parts = append(parts, plural(hours, "hour"))
	}
	return strings.Join(parts, " ")
}

// plural writes n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// groupLabel names a group, "(none)" when the API sent no key.
func groupLabel(key string) string {
	if key == "" {
		return "(none)"
	}
	return key
}

// maxNameWidth is the most characters of a group's name that the table
// shows: a longer name is cut, with "…".
const maxNameWidth = 24

// truncateName cuts name to maxNameWidth characters.
func truncateName(name string) string {
	if utf8.RuneCountInString(name) <= maxNameWidth {
		return name
	}
	return string([]rune(name)[:maxNameWidth-1]) + "…"
}

// groupLabels names the table's groups: by name where known (cut to
// maxNameWidth), else by sids, the groups' SIDs as printed; a name that
// two groups would share (two networks of one friendly name, a cut that
// makes two names alike) gets its SID after it. named reports whether any
// group has a name.
func groupLabels(groups []groupRow, sids []string) (labels []string, named bool) {
	labels = make([]string, len(groups))
	count := map[string]int{}
	for i, g := range groups {
		labels[i] = sids[i]
		if g.Name != "" {
			labels[i], named = truncateName(g.Name), true
		}
		count[labels[i]]++
	}
	for i, g := range groups {
		if g.Name != "" && count[labels[i]] > 1 {
			labels[i] += " " + sids[i]
		}
	}
	return labels, named
}

// othersLabel names the row that sums the groups past -top.
func othersLabel(s summary) string {
	return fmt.Sprintf("others (%d %s)", s.NOthers, groupNoun(s.Group))
}

// writeColumns prints rows as aligned columns two spaces apart: the first
// left-aligned, the others right-aligned. A cell of several lines (split
// at "\n") makes its row as many lines high. Widths count characters, not
// bytes.
func writeColumns(w io.Writer, rows [][]string) {
	var widths []int
	cells := make([][][]string, len(rows))
	for r, row := range rows {
		cells[r] = make([][]string, len(row))
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			cells[r][i] = strings.Split(cell, "\n")
			for _, line := range cells[r][i] {
				widths[i] = max(widths[i], utf8.RuneCountInString(line))
			}
		}
	}
	for _, row := range cells {
		height := 0
		for _, cell := range row {
			height = max(height, len(cell))
		}
		for n := range height {
			var b strings.Builder
			for i, cell := range row {
				text := ""
				if n < len(cell) {
					text = cell[n]
				}
				pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(text))
				if i == 0 {
					b.WriteString(text + pad)
					continue
				}
				b.WriteString("  " + pad + text)
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
	}
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
