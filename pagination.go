package supersim

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// maxEmptyPages is how many empty pages in a row may point onward before the
// walk is stopped with ErrPagingLoop.
const maxEmptyPages = 10

// Position is where a page starts: the PageToken and Page that the API put
// in the next_page_url leading to it. The zero Position is the first page.
// Save one from [Iterator.NextPosition] and resume a walk later by setting
// ListUsageRecordsOptions.PageToken and Page from it.
type Position struct {
	PageToken string
	Page      int
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

// fetchFunc fetches the page at pos, reusing buf's memory for its items.
type fetchFunc[T any] func(ctx context.Context, pos Position, buf []T) ([]T, PageMeta, error)

// Iterator walks the items of a paged list, fetching pages as they are
// needed. Use it pull-style:
//
//	for it.Next() {
//		rec := it.Value()
//	}
//	if err := it.Err(); err != nil { ... }
//
// or with range over [Iterator.All]. An Iterator is for one goroutine.
type Iterator[T any] struct {
	ctx   context.Context
	fetch fetchFunc[T] // nil for NewSliceIterator

	pos, next Position // the current page's start, and the next page's
	hasNext   bool     // whether there is a page at next
	meta      PageMeta
	items     []T // the current page
	index     int // of the current item in items
	value     T

	limit, count int   // MaxRecords (0 = none) and records yielded so far
	emptyPages   int   // empty pages in a row
	tailErr      error // reported once the items run out (NewSliceIterator)
	err          error
	done         bool
}

// NewSliceIterator returns an Iterator over items that then ends with err
// (nil for a clean end). It makes no request: use it in fakes of
// [UsageRecordsLister].
func NewSliceIterator[T any](items []T, err error) *Iterator[T] {
	return &Iterator[T]{items: items, index: -1, tailErr: err}
}

func newPagedIterator[T any](ctx context.Context, start Position, limit int, fetch fetchFunc[T]) *Iterator[T] {
	return &Iterator[T]{ctx: ctx, fetch: fetch, next: start, hasNext: true, index: -1, limit: limit}
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
	for it.index+1 >= len(it.items) {
		if !it.hasNext {
			return it.finish(it.tailErr)
		}
		if err := it.loadPage(); err != nil {
			return it.finish(err)
		}
	}
	it.index++
	it.count++
	it.value = it.items[it.index]
	return true
}

// loadPage fetches the page at it.next and works out the one after it.
func (it *Iterator[T]) loadPage() error {
	if err := it.ctx.Err(); err != nil {
		return err
	}
	items, meta, err := it.fetch(it.ctx, it.next, it.items[:0])
	if err != nil {
		return err
	}
	it.pos, it.meta, it.items, it.index = it.next, meta, items, -1
	if meta.NextPageURL == "" {
		it.hasNext = false
		return nil
	}
	next, err := nextPosition(meta, it.pos)
	if err != nil {
		it.hasNext = false
		return err
	}
	if len(items) == 0 {
		it.emptyPages++
		if it.emptyPages >= maxEmptyPages {
			it.hasNext = false
			return fmt.Errorf("%w: %d empty pages in a row still point onward", ErrPagingLoop, it.emptyPages)
		}
	} else {
		it.emptyPages = 0
	}
	it.next = next
	return nil
}

// nextPosition reads the position of the page after the one at cur from its
// next_page_url. Only PageToken and Page are taken from that URL: the
// request for the next page goes to the configured API origin, so a
// next_page_url naming another host, scheme or path changes nothing.
func nextPosition(meta PageMeta, cur Position) (Position, error) {
	u, err := url.Parse(meta.NextPageURL)
	if err != nil {
		return Position{}, fmt.Errorf("%w: next_page_url is not a URL", ErrInvalidResponse)
	}
	q := u.Query()
	next := Position{PageToken: q.Get("PageToken"), Page: meta.Page + 1}
	if raw := q.Get("Page"); raw != "" {
		if next.Page, err = strconv.Atoi(raw); err != nil || next.Page < 0 {
			return Position{}, fmt.Errorf("%w: next_page_url has Page=%q", ErrInvalidResponse, raw)
		}
	}
	if next.Page <= cur.Page || next.PageToken != "" && next.PageToken == cur.PageToken {
		return Position{}, fmt.Errorf("%w: page %d (PageToken %q) points to page %d with PageToken %q",
			ErrPagingLoop, cur.Page, cur.PageToken, next.Page, next.PageToken)
	}
	return next, nil
}

func (it *Iterator[T]) finish(err error) bool {
	it.done, it.err = true, err
	return false
}

// Value returns the item that the last successful Next moved to.
func (it *Iterator[T]) Value() T { return it.value }

// Err returns the error that ended the walk, or nil at a clean end.
func (it *Iterator[T]) Err() error { return it.err }

// Stop ends the walk early: Next returns false from then on and no further
// page is fetched. Breaking out of a range over All stops it too.
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
func (it *Iterator[T]) Meta() PageMeta { return it.meta }

// Position returns where the page that holds the current item starts.
func (it *Iterator[T]) Position() Position { return it.pos }

// NextPosition returns where the page after the current one starts, and
// false when the current page is the last. To checkpoint a long export
// without losing or repeating a record, save NextPosition when
// [Iterator.AtPageEnd] is true, and resume with it as
// ListUsageRecordsOptions.PageToken and Page. After a failed page fetch it
// is the position of the page that failed, so a walk can resume there.
func (it *Iterator[T]) NextPosition() (Position, bool) {
	return it.next, it.hasNext
}

// AtPageEnd reports whether the current item is the last of its page.
func (it *Iterator[T]) AtPageEnd() bool {
	return it.index >= 0 && it.index == len(it.items)-1
}
