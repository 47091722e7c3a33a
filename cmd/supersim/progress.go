package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a walk's records, pages, rate and elapsed time on one
// line of a terminal, and nothing when it is off (stderr is not a
// terminal).
type progress struct {
	bar            *progressbar.ProgressBar // nil when off
	records, pages int
}

// newProgress returns a progress line on w, shown only if visible.
func newProgress(w io.Writer, visible bool) *progress {
	if !visible {
		return &progress{}
	}
	return drawProgress(w, 100*time.Millisecond)
}

// drawProgress returns a progress line on w, redrawn at most once every
// interval.
func drawProgress(w io.Writer, every time.Duration) *progress {
	return &progress{bar: progressbar.NewOptions64(-1, // the total is unknown until the walk ends
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("0 records, 0 pages"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(every),
		progressbar.OptionSetSpinnerChangeInterval(0), // redraw on records only: no goroutine of its own
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)}
}

// showProgress decides whether a walk shows a progress line: only on a
// terminal (stderr), and not while records are written to a terminal
// (stdout), where the line would be drawn into the records' lines.
func showProgress(stderrTerminal, recordsToTerminal bool) bool {
	return stderrTerminal && !recordsToTerminal
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// record counts a record; pageEnd says whether it closed its page.
func (p *progress) record(pageEnd bool) {
	if p.bar == nil {
		return
	}
	p.records++
	if pageEnd {
		p.pages++
		p.bar.Describe(fmt.Sprintf("%s, %s", plural(p.records, "record"), plural(p.pages, "page")))
	}
	p.bar.Add(1)
}

// finish clears the line.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
