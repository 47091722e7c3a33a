package supersim

import (
	"iter"
	"runtime"
	"time"
)

// Position is where a page starts: the PageToken and Page that the API put
// in the next_page_url leading to it. The zero Position is the first page.
// Save one from [Iterator.NextPosition] or [Page] (as JSON, say) and
// resume a walk later with the ResumeFrom method of the list's options.
//
// A windowed walk's positions also name their time window: PageToken and Page are those of the query of
// [WindowStart, WindowEnd), and without either the position is the start
// of what is left of the walk, every record before WindowEnd.
type Position struct {
	PageToken string
	Page      int
	// WindowStart and WindowEnd are the window of a windowed walk's
	// position; zero in a sequential walk's.
	WindowStart time.Time `json:",omitzero"`
	WindowEnd   time.Time `json:",omitzero"`
	// Query identifies the options of the walk the position came from (a
	// digest of the list's path, filters, times and page size), so that
	// ResumeFrom with other options is refused
	// rather than resumed into another query's records. "" in a Position
	// made by hand.
	Query string `json:",omitempty"`
}

// PageMeta is the "meta" object of a page, as the API sent it.
type PageMeta struct {
	Page            int    `json:"page"`
	PageSize        int    `json:"page_size"`
	FirstPageURL    string `json:"first_page_url"`
	PreviousPageURL string `json:"previous_page_url"`
	URL             string `json:"url"`
	NextPageURL     string `json:"next_page_url"`
	Key             string `json:"key"`
}

// Iterator walks the items of a paged list, fetching pages as they are
// needed. Use it pull-style, with Stop deferred so that breaking out of the
// loop ends the fetches ahead at once:
//
//	it := client.ListSims(ctx, opts)
//	defer it.Stop()
//	for it.Next() {
//		rec := it.Value()
//	}
//	if err := it.Err(); err != nil { ... }
//
// or with range over [Iterator.All], which stops by itself. An Iterator is
// for one goroutine and one walk: once Next has returned false it stays
// false; list again for a new walk. The pages it fetches ahead are fetched
// on goroutines of its own, which end when the walk ends, fails or is
// stopped, and, for an Iterator dropped without Stop, soon after the
// garbage collector finds it unreachable; except for an Iterator made in a
// testing/synctest bubble, which only Stop (or the walk's end) ends: the
// garbage collector's cleanups run outside bubbles, where ending a
// bubble's fetches is a fatal error.
type Iterator[T any] struct {
	pager pager[T] // nil for NewSliceIterator

	cur     page[T]
	index   int // of the current item in cur.items
	value   T
	next    Position // where to resume after cur
	hasNext bool

	query        string // stamped on the positions handed out: see Position.Query
	limit, count int    // MaxRecords (0 = none) and items yielded so far
	tailErr      error  // reported once the items run out (NewSliceIterator)
	err          error
	done         bool
}

// NewSliceIterator returns an Iterator over items that then ends with err
// (nil for a clean end). It makes no request: use it in fakes of the
// listers, such as [SimsLister].
func NewSliceIterator[T any](items []T, err error) *Iterator[T] {
	return &Iterator[T]{cur: page[T]{items: items, last: true}, index: -1, tailErr: err}
}

// NewPagedIterator returns an Iterator over pages of items, as a walk of
// a list would hand them out, that then ends with err (nil for a clean
// end). It makes no request: use it in fakes of the listers to test code
// that checkpoints per page ([Iterator.Pages], [Iterator.NextPosition]).
// Page i starts at Position{Page: i}; the walk starts at from.Page, so a
// fake resumes a walk at the Position it is given:
//
//	return supersim.NewPagedIterator(pages, supersim.Position{Page: opts.Page}, nil)
func NewPagedIterator[T any](pages [][]T, from Position, err error) *Iterator[T] {
	start := Position{Page: min(max(from.Page, 0), len(pages))}
	return newIterator[T](&slicePager[T]{pages: pages, next: start.Page, err: err}, 0, start)
}

// slicePager hands out fixed pages.
type slicePager[T any] struct {
	pages [][]T
	next  int
	err   error
}

func (s *slicePager[T]) nextPage([]T) (page[T], bool, error) {
	i := s.next
	if i >= len(s.pages) {
		return page[T]{pos: Position{Page: i}}, false, s.err
	}
	s.next++
	p := page[T]{items: s.pages[i], pos: Position{Page: i}, last: s.next == len(s.pages) && s.err == nil}
	if !p.last {
		p.next = Position{Page: s.next}
	}
	return p, true, nil
}

func (s *slicePager[T]) stop() {}

func newIterator[T any](p pager[T], limit int, start Position) *Iterator[T] {
	it := &Iterator[T]{pager: p, limit: limit, index: -1, next: start, hasNext: true}
	// An Iterator dropped before its end without Stop still ends its
	// fetches once the garbage collector finds it unreachable. The pager
	// never points back to the Iterator, so this can happen. Not in a
	// synctest bubble: cleanups run outside it, and cancelling the
	// bubble's context from there would crash the program.
	if !inSynctestBubble() {
		runtime.AddCleanup(it, func(p pager[T]) { go p.stop() }, p)
	}
	return it
}

// inSynctestBubble reports whether the calling goroutine runs in a
// testing/synctest bubble: its fake clock's times carry no monotonic
// reading, which time.Now gives everywhere else (Round(0) strips it).
func inSynctestBubble() bool {
	now := time.Now()
	return now == now.Round(0)
}

// Next moves to the next item, fetching the next page when the current one
// is used up. It returns false at the end of the list, after MaxRecords
// items, or on an error, which [Iterator.Err] then returns.
func (it *Iterator[T]) Next() bool {
	if it.done {
		return false
	}
	if it.limit > 0 && it.count >= it.limit {
		return it.finish(nil)
	}
	for it.index+1 >= len(it.cur.items) {
		if it.pager == nil {
			return it.finish(it.tailErr)
		}
		p, ok, err := it.pager.nextPage(it.cur.items)
		if err != nil {
			it.next, it.hasNext = p.pos, true
			return it.finish(err)
		}
		if !ok {
			it.hasNext = false
			return it.finish(nil)
		}
		it.cur, it.index = p, -1
		it.next, it.hasNext = p.next, !p.last
	}
	it.index++
	it.count++
	it.value = it.cur.items[it.index]
	return true
}

func (it *Iterator[T]) finish(err error) bool {
	it.done, it.err = true, err
	if it.pager != nil {
		it.pager.stop()
	}
	return false
}

// Value returns the item that the last successful Next moved to.
func (it *Iterator[T]) Value() T { return it.value }

// Err returns the error that ended the walk, or nil at a clean end.
func (it *Iterator[T]) Err() error { return it.err }

// Stop ends the walk early: Next returns false from then on, and pages
// being fetched ahead are abandoned before Stop returns. Breaking out of a
// range over All stops the walk too. Stopping a finished walk does nothing.
func (it *Iterator[T]) Stop() {
	if !it.done {
		it.finish(nil)
	}
}

// All returns the items as an iterator for range-over-func:
//
//	for rec, err := range it.All() {
//		if err != nil { ... } // the error that ended the walk, last and once
//	}
//
// Breaking out of the loop stops the walk.
func (it *Iterator[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for it.Next() {
			if !yield(it.Value(), nil) {
				it.Stop()
				return
			}
		}
		if err := it.Err(); err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// Collect walks to the end and returns every item. On an error it returns
// the items read before it along with the error.
func (it *Iterator[T]) Collect() ([]T, error) {
	var items []T
	for it.Next() {
		items = append(items, it.Value())
	}
	return items, it.Err()
}

// Meta returns the meta object of the page that holds the current item.
func (it *Iterator[T]) Meta() PageMeta { return it.cur.meta }

// Position returns where the page that holds the current item starts.
func (it *Iterator[T]) Position() Position { return it.stamped(it.cur.pos) }

// NextPosition returns where the page after the current one starts, and
// false when the current page is the last. To checkpoint a long export
// without losing or repeating a record, save NextPosition when
// [Iterator.AtPageEnd] is true (or use [Iterator.Pages]), and resume with
// it through the ResumeFrom method of the list's options, sequential and
// windowed walks alike. After a failed page fetch it is the position of the page that
// failed, so a walk can resume there.
func (it *Iterator[T]) NextPosition() (Position, bool) {
	return it.stamped(it.next), it.hasNext
}

// stamped is pos with the walk's Query.
func (it *Iterator[T]) stamped(pos Position) Position {
	pos.Query = it.query
	return pos
}

// AtPageEnd reports whether the current item is the last of its page.
func (it *Iterator[T]) AtPageEnd() bool {
	return it.index >= 0 && it.index == len(it.cur.items)-1
}

// Page is one page of a walk, as [Iterator.Pages] yields it.
type Page[T any] struct {
	// Items are the page's items (those not yet read with Next, and no
	// more than MaxRecords allows). Their memory is reused once the loop
	// moves on: copy what you keep.
	Items []T
	// Meta is the page's meta object, as the API sent it.
	Meta PageMeta
	// Position is where the page starts; Next where the walk resumes after
	// it. Save Next with what was made of Items to checkpoint a walk: a
	// walk resumed there (the ResumeFrom method of the list's options)
	// loses and repeats nothing. When MaxRecords cuts the page short, Next
	// is the page's own Position (a position cannot point inside a page):
	// a walk resumed there reads the page again, whole, rather than lose
	// the rest of it.
	Position, Next Position
	// Last reports that no page follows in the list.
	Last bool
}

// Pages returns the walk page by page, for range-over-func:
//
//	for page, err := range it.Pages() {
//		if err != nil { ... } // the error that ended the walk, last and once
//		write(page.Items)
//		save(page.Next)
//	}
//
// Empty pages are skipped, as Next skips them. Breaking out of the loop
// stops the walk. After items read with Next, the first page yielded holds
// the rest of the current page.
func (it *Iterator[T]) Pages() iter.Seq2[Page[T], error] {
	return func(yield func(Page[T], error) bool) {
		for it.Next() {
			if !yield(it.restOfPage(), nil) {
				it.Stop()
				return
			}
		}
		if err := it.Err(); err != nil {
			yield(Page[T]{}, err)
		}
	}
}

// restOfPage moves to the last item of the current page that MaxRecords
// allows and returns the items from the current one to it.
func (it *Iterator[T]) restOfPage() Page[T] {
	from, end := it.index, len(it.cur.items)
	if it.limit > 0 {
		end = min(end, from+it.limit-it.count+1)
	}
	it.count += end - 1 - from
	it.index = end - 1
	it.value = it.cur.items[it.index]
	next, more := it.NextPosition()
	if end < len(it.cur.items) {
		next, more = it.Position(), true // cut by MaxRecords: the rest of the page is still to read
	}
	return Page[T]{Items: it.cur.items[from:end], Meta: it.cur.meta, Position: it.Position(), Next: next, Last: !more}
}
