package supersim

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
)

// The list machinery every paged resource shares: one page and its place in
// a walk, the walker that follows next_page_url, and the fetch of one page.

// maxEmptyPages is how many empty pages in a row may point onward before the
// walk is stopped with ErrPagingLoop.
const maxEmptyPages = 10

// page is one fetched page and where it sits in its walk.
type page[T any] struct {
	items []T
	meta  PageMeta
	pos   Position // where this page starts
	next  Position // where the following page starts, unless last
	last  bool     // no page follows in this walk
}

// pager hands out the pages of a list in order.
type pager[T any] interface {
	// nextPage returns the next page, or ok == false when there is none. It
	// may reuse the memory of spare, the page the caller is done with. On an
	// error the page's pos is the position of the page that failed.
	nextPage(spare []T) (p page[T], ok bool, err error)
	// stop ends all work in flight and waits for it.
	stop()
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
	if meta.Page < 0 {
		return Position{}, fmt.Errorf("%w: meta.page is %d", ErrInvalidResponse, meta.Page)
	}
	q := u.Query()
	next := Position{PageToken: q.Get("PageToken"), Page: meta.Page + 1}
	if raw := q.Get("Page"); raw != "" {
		if next.Page, err = strconv.Atoi(raw); err != nil || next.Page < 1 { // page 0 is never next
			return Position{}, fmt.Errorf("%w: next_page_url has Page=%q", ErrInvalidResponse, raw)
		}
	}
	if next.Page <= cur.Page || next.PageToken != "" && next.PageToken == cur.PageToken {
		return Position{}, fmt.Errorf("%w: page %d (PageToken %q) points to page %d with PageToken %q",
			ErrPagingLoop, cur.Page, cur.PageToken, next.Page, next.PageToken)
	}
	return next, nil
}

// fetchFunc fetches the page at pos, reusing the memory of items.
type fetchFunc[T any] func(ctx context.Context, pos Position, items []T) ([]T, PageMeta, error)

// walker fetches the pages of one query in order, following next_page_url,
// and stops a walk that does not advance.
type walker[T any] struct {
	fetch      fetchFunc[T]
	next       Position
	done       bool
	emptyPages int // empty pages in a row
}

// fetchNext fetches the page at w.next into items' memory.
func (w *walker[T]) fetchNext(ctx context.Context, items []T) (page[T], error) {
	p := page[T]{pos: w.next, last: true}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	items, meta, err := w.fetch(ctx, w.next, items)
	if err != nil {
		return p, err
	}
	p.items, p.meta = items, meta
	if meta.NextPageURL == "" {
		w.done = true
		return p, nil
	}
	next, err := nextPosition(meta, p.pos)
	if err == nil && len(items) == 0 {
		if w.emptyPages++; w.emptyPages >= maxEmptyPages {
			err = fmt.Errorf("%w: %d empty pages in a row still point onward", ErrPagingLoop, w.emptyPages)
		}
	} else {
		w.emptyPages = 0
	}
	if err != nil {
		w.done = true
		return p, err
	}
	w.next, p.next, p.last = next, next, false
	return p, nil
}

// decodeFunc reads one page's body (of size bytes, or -1 if unknown) into
// the memory of items.
type decodeFunc[T any] func(body io.Reader, size int64, items []T) ([]T, PageMeta, error)

// listFetcher returns the fetchFunc of one query of the list at path: the
// filters, already encoded, plus each page's position, sent through t.
func listFetcher[T any](t *transport, path, filters string, decode decodeFunc[T]) fetchFunc[T] {
	return func(ctx context.Context, pos Position, items []T) ([]T, PageMeta, error) {
		var meta PageMeta
		err := t.get(ctx, path, withPosition(filters, pos), func(body io.Reader, size int64) error {
			var err error
			items, meta, err = decode(body, size, items)
			return err
		})
		if err != nil {
			return nil, PageMeta{}, err
		}
		return items, meta, nil
	}
}
