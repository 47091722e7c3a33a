package supersim

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/supersimkit/supersim/internal/limit"
	"github.com/supersimkit/supersim/internal/window"
)

// pagesPerSlot is how many pages a windowed walk may hold, fetched and not
// yet handed out or being fetched, per unit of Concurrency: enough for the
// windows ahead of the one being read to keep fetching while it does,
// until one bucket holds about 10 pages. Concurrency windows are fetched
// at once, page after page, so by the time the one being read is whole,
// the others may hold a bucket's pages each, besides the pages on their
// way.
const pagesPerSlot = 10

// spareWindows is how many windows with pages to fetch a windowed walk
// keeps open beyond the requests it may have in flight, so that one
// waiting out a backoff leaves no slot idle.
const spareWindows = 2

// blindWindows is how many one-bucket windows a windowed walk starts with,
// at most, to learn how many records a bucket holds before it sizes the
// others; as many as a new Client runs at once.
const blindWindows = limit.InitialLimit

// windowedPager walks a time range as windows, newest first, and hands out
// their pages in that order: every page of the newest window in the API's
// order, then of the next older one, and so on. With an API that lists
// newest first, that is the order of one walk of the whole range.
//
// Windows are cut as the walk goes (see [window.Planner]): first up to
// blindWindows of one bucket each (one with MaxRecords, as long as one
// request may cover if MaxRecords fits in a page), then, from what
// they held, windows of about two pages each. Fetches start in walk order:
// the window being handed out always may fetch; the others while fewer
// than pagesPerSlot×Concurrency pages are held or being fetched, and none
// past a window that failed or past MaxRecords (the records fetched ahead,
// or expected at the records per bucket seen, are enough). New windows
// open while fewer than the walk's slots plus spareWindows have pages to
// fetch. Each try of a fetch takes one of the walk's slots (Concurrency,
// or fewer while the Client's limit is lower) through its window's
// [limit.Lane]: slots go to windows in walk order as their fetches start
// (in the order windows opened, whichever walk, when walks share slots),
// and a window keeps its slot from one page to its next unless an earlier
// window waits for one, so that the earliest windows are fetched page
// after page rather than by turns with later ones. A slot is held while
// on the wire and between two pages of a window, never during a backoff
// (see [limits.transport]).
//
// Memory is bounded by pagesPerSlot×Concurrency + 1 pages held or being
// fetched, Concurrency spare pages kept for reuse, and the page the caller
// reads: 11×Concurrency + 2 pages (about 27 MiB at Concurrency 8 with
// pages of 1000, which take about 0.3 MiB each once decoded).
type windowedPager[T any] struct {
	ctx         context.Context
	cancel      context.CancelFunc
	query       func(window.Window) (fetchFunc[T], error) // the query of one window
	stamp       func(T) time.Time                         // the bucket an item belongs to
	slots       *limit.Slots
	from        time.Time // where the whole range starts
	limit       int       // MaxRecords, 0 for none
	concurrency int
	budget      int // pages held or being fetched, besides the newest window's fetch

	mu       sync.Mutex
	planner  *window.Planner
	windows  []*windowRun[T] // open, not yet handed out whole, newest first
	fetching int             // fetches running
	held     int             // pages fetched, not yet handed out
	handed   int             // items handed out
	spares   [][]T           // pages handed back, for fetches to reuse
	changed  chan struct{}   // a fetch ended
	running  sync.WaitGroup
}

// windowRun is one window being walked.
type windowRun[T any] struct {
	win      window.Window
	walk     walker[T]
	lane     *limit.Lane // the walk's slots for its requests, at its place in the walk order
	resumed  bool        // started inside the window, from a saved Position
	pages    []page[T]   // fetched, not yet handed out
	items    int         // items in pages
	fetched  int         // items fetched, handed out or not
	handed   int         // items handed out
	fetching bool        // a fetch is running; walk belongs to it
	done     bool        // the last page was fetched
	err      error       // the fetch that failed, after pages
	errPos   Position    // where it failed
}

// windowedWalk is where a windowed walk starts.
type windowedWalk struct {
	planner *window.Planner
	from    time.Time      // the start of the whole range
	start   Position       // where the walk starts, as the options said
	first   *window.Window // a window resumed inside, walked before the planner's
	at      Position       // where in first
}

func newWindowedPager[T any](ctx context.Context, walk windowedWalk, query func(window.Window) (fetchFunc[T], error),
	stamp func(T) time.Time, slots *limit.Slots, concurrency, maxRecords int) *windowedPager[T] {
	ctx, cancel := context.WithCancel(ctx)
	w := &windowedPager[T]{ctx: ctx, cancel: cancel, query: query, stamp: stamp, slots: slots,
		from: walk.from, limit: maxRecords, concurrency: concurrency, budget: pagesPerSlot * concurrency, planner: walk.planner,
		spares: make([][]T, 0, concurrency), changed: make(chan struct{}, 1)}
	if walk.first != nil {
		run := w.open(*walk.first)
		run.walk.next, run.resumed = walk.at, true
	}
	return w
}

func (w *windowedPager[T]) nextPage(spare []T) (page[T], bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if spare != nil && len(w.spares) < cap(w.spares) {
		w.spares = append(w.spares, spare)
	}
	for {
		if len(w.windows) == 0 {
			if !w.planner.More() {
				return page[T]{}, false, nil
			}
			w.open(w.planner.Next(w.slots.Capacity()))
		}
		head := w.windows[0]
		switch {
		case len(head.pages) > 0:
			return w.handOut(head), true, nil
		case head.err != nil:
			return page[T]{pos: windowPosition(head.win, head.errPos)}, false, head.err
		case head.done:
			w.windows[0] = nil
			w.windows = w.windows[1:]
			continue
		case !head.fetching:
			if err := w.ctx.Err(); err != nil { // stopped, or the caller's context ended
				return page[T]{pos: windowPosition(head.win, head.walk.next)}, false, err
			}
			w.start(head) // the window at hand always may fetch
		}
		w.dispatch()
		w.mu.Unlock()
		<-w.changed
		w.mu.Lock()
	}
}

// handOut takes the first page of run, with positions that resume the
// windowed walk; w.mu is held.
func (w *windowedPager[T]) handOut(run *windowRun[T]) page[T] {
	p := run.pages[0]
	run.pages = slices.Delete(run.pages, 0, 1)
	run.items -= len(p.items)
	run.handed += len(p.items)
	w.held--
	w.handed += len(p.items)
	p.pos = windowPosition(run.win, p.pos)
	switch {
	case !p.last:
		p.next = windowPosition(run.win, p.next)
	case run.win.Start.After(w.from): // older windows follow
		p.next, p.last = Position{WindowEnd: run.win.Start}, false
	}
	w.dispatch()
	return p
}

// windowPosition is pos, a position within win's query, as a position of
// the windowed walk.
func windowPosition(win window.Window, pos Position) Position {
	pos.WindowStart, pos.WindowEnd = win.Start, win.End
	return pos
}

// open adds the window win to the walk; w.mu is held (or w is new).
func (w *windowedPager[T]) open(win window.Window) *windowRun[T] {
	run := &windowRun[T]{win: win, lane: w.slots.NextLane()}
	fetch, err := w.query(win)
	run.walk.fetch, run.err = fetch, err
	w.windows = append(w.windows, run)
	return run
}

// dispatch starts the fetches the walk may run now, in walk order; w.mu is
// held. With MaxRecords, a window's next page is not fetched while the
// records expected before it (held, or to come at the records per bucket
// seen) are enough; if the windows before it hold fewer than expected, it
// is fetched once they are whole.
func (w *windowedPager[T]) dispatch() {
	if w.ctx.Err() != nil {
		return
	}
	free := w.budget - w.held - w.fetching
	rate := w.planner.Estimate()
	before := float64(w.handed) // items expected before the window at hand
	for i, run := range w.windows {
		switch {
		case run.err != nil, w.limit > 0 && before+float64(run.items) >= float64(w.limit):
			return // nothing later is needed
		case run.fetching || run.done:
		case i > 0 && free <= 0:
			return
		default:
			w.start(run)
			free--
		}
		before += w.ahead(run, rate)
	}
	for ; free > 0 && w.planner.More() && w.worthOpening(before) && w.active() < w.slots.Capacity()+spareWindows; free-- {
		run := w.open(w.planner.Next(w.slots.Capacity()))
		w.start(run)
		before += w.ahead(run, rate)
	}
}

// active counts the open windows that have pages still to fetch; w.mu is
// held.
func (w *windowedPager[T]) active() int {
	n := 0
	for _, run := range w.windows {
		if !run.done && run.err == nil {
			n++
		}
	}
	return n
}

// ahead is how many items run is expected to hand out still: those it
// holds and, until its last page, what its buckets should hold at rate
// records per bucket; w.mu is held.
func (w *windowedPager[T]) ahead(run *windowRun[T], rate float64) float64 {
	if run.done || run.err != nil {
		return float64(run.items)
	}
	return max(float64(run.items), rate*w.planner.Buckets(run.win)-float64(run.handed))
}

// worthOpening reports whether one more window should be opened now, with
// expected items before it: while MaxRecords, if set, needs more, and
// until windows are sized from what blind ones showed, while fewer than
// blindWindows blind ones were cut (one with MaxRecords); w.mu is held.
func (w *windowedPager[T]) worthOpening(expected float64) bool {
	if !w.planner.Ready() {
		blind := min(w.concurrency, blindWindows)
		if w.limit > 0 {
			blind = 1
		}
		if w.planner.BlindCut() >= blind {
			return false
		}
	}
	return w.limit == 0 || expected < float64(w.limit)
}

// start fetches run's next page on a goroutine of its own; w.mu is held.
func (w *windowedPager[T]) start(run *windowRun[T]) {
	run.lane.Ask()
	run.fetching = true
	w.fetching++
	var buf []T
	if n := len(w.spares); n > 0 {
		buf, w.spares = w.spares[n-1], w.spares[:n-1]
	}
	w.running.Add(1)
	go w.fetch(run, buf)
}

// fetch fetches run's next page into buf's memory and parks it.
func (w *windowedPager[T]) fetch(run *windowRun[T], buf []T) {
	defer w.running.Done()
	p, err := run.walk.fetchNext(withWalkSlot(w.ctx, run.lane), buf)
	var oldest, newest time.Time
	for i, item := range p.items {
		t := w.stamp(item)
		if i == 0 || t.Before(oldest) {
			oldest = t
		}
		if i == 0 || t.After(newest) {
			newest = t
		}
	}
	w.mu.Lock()
	run.fetching = false
	w.fetching--
	if err != nil {
		run.err, run.errPos = err, p.pos
	} else {
		run.pages = append(run.pages, p)
		run.items += len(p.items)
		run.fetched += len(p.items)
		run.done = run.walk.done
		w.held++
		if run.done && !run.resumed {
			w.planner.Whole(run.win, run.fetched)
		} else {
			w.planner.Partial(len(p.items), oldest, newest)
		}
	}
	w.dispatch()
	if !run.fetching {
		run.lane.Drop() // its next page waits: its slot goes to another window
	}
	w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default: // the reader has a wake-up waiting already
	}
}

// stop ends every fetch and waits for them.
func (w *windowedPager[T]) stop() {
	w.cancel()
	w.running.Wait()
}
