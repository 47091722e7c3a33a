package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress shows pages, records and records/s on one line of a terminal,
// and nothing anywhere else.
type progress struct {
	w              io.Writer // nil when stderr is not a terminal
	now            func() time.Time
	start, shown   time.Time
	pages, records int
}

func newProgress(stderr io.Writer, now func() time.Time) *progress {
	p := &progress{now: now, start: now()}
	if isTerminal(stderr) {
		p.w = stderr
	}
	return p
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// record counts a record; pageEnd says whether it closed its page.
func (p *progress) record(pageEnd bool) {
	p.records++
	if !pageEnd {
		return
	}
	p.pages++
	if p.w != nil && p.now().Sub(p.shown) > 200*time.Millisecond {
		p.shown = p.now()
		p.print()
	}
}

func (p *progress) print() {
	rate := float64(p.records) / max(p.now().Sub(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%d pages, %d records, %.0f records/s ", p.pages, p.records, rate)
}

// done ends the progress line.
func (p *progress) done() {
	if p.w != nil && p.pages > 0 {
		p.print()
		fmt.Fprintln(p.w)
	}
}
