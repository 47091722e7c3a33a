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
	partial bool // the day, or an hour of it, still in progress
}

// writeDayChart draws the data total of each day as a horizontal bar, with
// the day's total and billed amount.
func writeDayChart(w io.Writer, buckets []bucket, now time.Time) {
	lines := make([]chartLine, len(buckets))
	var most int64
	for _, b := range buckets {
		most = max(most, b.Total)
	}
	for i, b := range buckets {
		lines[i] = chartLine{day: b.Start, usage: b.usage, partial: b.Partial}
	}
	totalWidth, billedWidth := valueWidths(lines)
	width := tableWidth - len(time.DateOnly) - 3*2 - totalWidth - billedWidth
	width = min(max(width, 10), 40)
	for i, b := range buckets {
		lines[i].picture = bar(b.Total, most, width)
	}
	fmt.Fprintln(w, "DATA PER DAY (UTC)")
	writeChartLines(w, lines, width, now)
}

// writeHourChart draws each day as a row of 24 hourly cells whose height
// shows the data total of the hour (blank for none), with the day's total
// and billed amount.
func writeHourChart(w io.Writer, buckets []bucket, now time.Time) {
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
		lines[len(lines)-1].partial = lines[len(lines)-1].partial || b.Partial
	}
	if len(lines) > 0 {
		lines[len(lines)-1].picture = string(cells)
	}
	fmt.Fprintln(w, "DATA PER HOUR (UTC)")
	fmt.Fprintln(w, strings.Repeat(" ", len(time.DateOnly)+2)+"0     6     12    18")
	writeChartLines(w, lines, 24, now)
}

// writeChartLines prints lines as: day (with a * when partial), picture
// (width characters), data total and billed amount, the last two
// right-aligned, with a line more for each other currency; and a footnote
// for the *.
func writeChartLines(w io.Writer, lines []chartLine, width int, now time.Time) {
	totalWidth, billedWidth := valueWidths(lines)
	units := unitWidth(billedOf(lines)...)
	partial := false
	for _, l := range lines {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(l.picture))
		mark := " "
		if l.partial {
			mark, partial = "*", true
		}
		amounts := l.usage.Billed.lines(units)
		line := fmt.Sprintf("%s%s %s%s  %*s  %*s", l.day.Format(time.DateOnly), mark, l.picture, pad,
			totalWidth, humanBytes(l.usage.Total), billedWidth, amounts[0])
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		for _, more := range amounts[1:] { // one line per currency, under the first
			line := fmt.Sprintf("%*s%*s", len(time.DateOnly)+2+width+2+totalWidth+2, "", billedWidth, more)
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
	}
	if partial {
		fmt.Fprintf(w, "* partial: still in progress at %s UTC\n", now.UTC().Format("2006-01-02 15:04"))
	}
}

// valueWidths are the widths of the total and billed columns of lines.
func valueWidths(lines []chartLine) (totalWidth, billedWidth int) {
	units := unitWidth(billedOf(lines)...)
	for _, l := range lines {
		totalWidth = max(totalWidth, len(humanBytes(l.usage.Total)))
		for _, amount := range l.usage.Billed.lines(units) {
			billedWidth = max(billedWidth, utf8.RuneCountInString(amount))
		}
	}
	return totalWidth, billedWidth
}

// billedOf lists the billed amounts of lines.
func billedOf(lines []chartLine) []billed {
	out := make([]billed, len(lines))
	for i, l := range lines {
		out[i] = l.usage.Billed
	}
	return out
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
