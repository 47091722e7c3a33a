package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// chartLine is one line of a chart: a day, its picture, and its usage.
type chartLine struct {
	day     time.Time
	picture string
	usage   usage
}

// writeDayChart draws the data total of each day as a horizontal bar, with
// the day's total and billed amount.
func writeDayChart(w io.Writer, buckets []bucket) {
	lines := make([]chartLine, len(buckets))
	var most int64
	for _, b := range buckets {
		most = max(most, b.Total)
	}
	for i, b := range buckets {
		lines[i] = chartLine{day: b.Start, usage: b.usage}
	}
	totalWidth, billedWidth := valueWidths(lines)
	width := tableWidth - len(time.DateOnly) - 3*2 - totalWidth - billedWidth
	width = min(max(width, 10), 40)
	for i, b := range buckets {
		lines[i].picture = bar(b.Total, most, width)
	}
	fmt.Fprintln(w, "DATA PER DAY (UTC)")
	writeChartLines(w, lines, width)
}

// writeHourChart draws each day as a row of 24 hourly cells whose height
// shows the data total of the hour (blank for none), with the day's total
// and billed amount.
func writeHourChart(w io.Writer, buckets []bucket) {
	var most int64
	for _, b := range buckets {
		most = max(most, b.Total)
	}
	var lines []chartLine
	var cells []rune
	for _, b := range buckets {
		day := b.Start.Truncate(24 * time.Hour)
		if len(lines) == 0 || !lines[len(lines)-1].day.Equal(day) {
			if len(lines) > 0 {
				lines[len(lines)-1].picture = string(cells)
			}
			lines = append(lines, chartLine{day: day, usage: usage{Billed: billed{}}})
			cells = []rune(strings.Repeat(" ", 24))
		}
		cells[b.Start.Hour()] = level(b.Total, most)
		lines[len(lines)-1].usage.merge(b.usage)
	}
	if len(lines) > 0 {
		lines[len(lines)-1].picture = string(cells)
	}
	fmt.Fprintln(w, "DATA PER HOUR (UTC)")
	fmt.Fprintln(w, strings.Repeat(" ", len(time.DateOnly)+2)+"0     6     12    18")
	writeChartLines(w, lines, 24)
}

// writeChartLines prints lines as: day, picture (width characters), data
// total and billed amount, the last two right-aligned.
func writeChartLines(w io.Writer, lines []chartLine, width int) {
	totalWidth, billedWidth := valueWidths(lines)
	for _, l := range lines {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(l.picture))
		fmt.Fprintf(w, "%s  %s%s  %*s  %*s\n", l.day.Format(time.DateOnly), l.picture, pad,
			totalWidth, humanBytes(l.usage.Total), billedWidth, l.usage.Billed.String())
	}
}

// valueWidths are the widths of the total and billed columns of lines.
func valueWidths(lines []chartLine) (totalWidth, billedWidth int) {
	for _, l := range lines {
		totalWidth = max(totalWidth, len(humanBytes(l.usage.Total)))
		billedWidth = max(billedWidth, utf8.RuneCountInString(l.usage.Billed.String()))
	}
	return totalWidth, billedWidth
}

// bar is value/most of width cells, drawn in eighths of a cell.
func bar(value, most int64, width int) string {
	if most <= 0 || value <= 0 {
		return ""
	}
	eighths := int(float64(value) / float64(most) * float64(width*8))
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	return strings.Repeat("█", eighths/8) + partial[eighths%8]
}

// level is one cell of height value/most, in eighths; blank for nothing.
func level(value, most int64) rune {
	if most <= 0 || value <= 0 {
		return ' '
	}
	levels := []rune("▁▂▃▄▅▆▇█")
	i := int(float64(value) / float64(most) * 8)
	return levels[min(max(i, 1), 8)-1]
}
