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
	bar   *progressbar.ProgressBar // nil when off
	pages int
}

// newProgress returns a progress line on w, shown only if visible.
func newProgress(w io.Writer, visible bool) *progress {
	if !visible {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(-1, // the total is unknown until the walk ends
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("page 0"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetSpinnerChangeInterval(0), // redraw on records only: no goroutine of its own
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)}
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
	if pageEnd {
		p.pages++
		p.bar.Describe(fmt.Sprintf("page %d", p.pages))
	}
	p.bar.Add(1)
}

// finish clears the line.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
