package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// tableWidth is the width the table fits in (with short SIDs).
const tableWidth = 80

// writeTable prints s for a person: a header that says what it covers,
// the groups, others and the total, and for hour or day buckets a chart.
// fullSIDs prints SIDs whole instead of shortened.
func writeTable(w io.Writer, s summary, fullSIDs bool) error {
	bw := bufio.NewWriter(w)
	writeHeader(bw, s.header)
	fmt.Fprintln(bw)

	names := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		names[i] = groupLabel(g.Key)
	}
	if !fullSIDs {
		names = shortenSIDs(names)
	}
	title := "GROUP"
	if s.Group != "" {
		title = strings.ToUpper(string(s.Group))
	}
	rows := [][]string{{title, "UPLOAD", "DOWNLOAD", "TOTAL", "BILLED"}}
	row := func(name string, u usage) []string {
		return []string{name, humanBytes(u.Upload), humanBytes(u.Download), humanBytes(u.Total), u.Billed.String()}
	}
	for i, g := range s.Groups {
		rows = append(rows, row(names[i], g.usage))
	}
	if s.NOthers > 0 {
		rows = append(rows, row(othersLabel(s), s.Others))
	}
	rows = append(rows, row("TOTAL", s.Total))
	writeColumns(bw, rows)

	switch {
	case len(s.Buckets) == 0:
	case s.bucketSize() == time.Hour:
		fmt.Fprintln(bw)
		writeHourChart(bw, s.Buckets)
	default:
		fmt.Fprintln(bw)
		writeDayChart(bw, s.Buckets)
	}
	return bw.Flush()
}

// writeHeader prints what the report covers: source, period, filters,
// grouping and buckets.
func writeHeader(w io.Writer, h header) {
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
			parts[i] = f.Name + " " + f.Value
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

// othersLabel names the row that sums the groups past -top.
func othersLabel(s summary) string {
	return fmt.Sprintf("others (%d %s)", s.NOthers, groupNoun(s.Group))
}

// writeColumns prints rows as aligned columns two spaces apart: the first
// left-aligned, the others right-aligned. Widths count characters, not
// bytes.
func writeColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i == 0 {
				b.WriteString(cell + pad)
				continue
			}
			b.WriteString("  " + pad + cell)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
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
