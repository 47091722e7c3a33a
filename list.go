package supersim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
// the memory of items, refusing more than maxItems items.
type decodeFunc[T any] func(body io.Reader, size int64, items []T, maxItems int) ([]T, PageMeta, error)

// getter sends one GET to the API and hands read the body of a 2xx answer:
// what the list machinery needs of the network.
type getter interface {
	get(ctx context.Context, path, rawQuery string, read func(body io.Reader, size int64) error) error
}

// listFetcher returns the fetchFunc of one query of the list at path: the
// filters, already encoded, plus each page's position, sent through g. A
// page with more than pageSize items (MaxPageSize for the server's
// default) is refused as it is read: it cannot be the page asked for, and
// could take any amount of memory.
func listFetcher[T any](g getter, path, filters string, pageSize int, decode decodeFunc[T]) fetchFunc[T] {
	if pageSize == 0 {
		pageSize = MaxPageSize
	}
	return func(ctx context.Context, pos Position, items []T) ([]T, PageMeta, error) {
		var meta PageMeta
		err := g.get(ctx, path, withPosition(filters, pos), func(body io.Reader, size int64) error {
			var err error
			items, meta, err = decode(body, size, items, pageSize)
			return err
		})
		if err != nil {
			return nil, PageMeta{}, err
		}
		return items, meta, nil
	}
}

// resource describes one list of the API to the list machinery: how its
// pages decode, and its page size limit.
type resource[T any] struct {
	key             string     // of the items in a page, and its meta.key
	fields          []field[T] // how an item decodes
	koreMaxPageSize int        // KORE's PageSize limit where lower than MaxPageSize; 0 otherwise
}

// decode reads one page of the resource.
func (res resource[T]) decode(body io.Reader, size int64, items []T, maxItems int) ([]T, PageMeta, error) {
	return decodePage(body, size, res.key, res.fields, items, maxItems)
}

// paging is what the list machinery reads of a list's options.
type paging struct {
	pageSize, maxRecords int
	noPrefetch           bool
	start                Position // where the walk starts; Query set when saved from a walk
}

// listOptions is what the list machinery needs of a list's options.
type listOptions interface {
	Validate() error
	paging() paging
}

// normalizer is implemented by options that change before they are sent:
// a country upper-case, times in UTC.
type normalizer interface{ normalize() }

// listQuery is a list's options, valid and encoded.
type listQuery struct {
	path    string // below the base URL, escaped
	filters string // the options as sent, less the position
	digest  string // stamped on positions: see Position.Query
	paging  paging
}

// prepare checks a copy of opts (nil for none) and encodes it for the list
// at path: every field valid, a PageSize within the provider's limit for
// res, and a position to resume at saved from a walk of the same query.
// It returns the copy, normalized.
func prepare[T, O any, P interface {
	*O
	listOptions
}](c *Client, res resource[T], path string, opts P) (P, listQuery, error) {
	o := P(new(O))
	if opts != nil {
		*o = *opts // a copy: the caller's options are never written
	}
	if err := o.Validate(); err != nil {
		return nil, listQuery{}, err
	}
	q := listQuery{path: path, paging: o.paging()}
	if limit := res.koreMaxPageSize; limit > 0 && c.provider == ProviderKORE && q.paging.pageSize > limit {
		return nil, listQuery{}, &ValidationError{Field: "PageSize",
			Problem: fmt.Sprintf("must be between 1 and %d on %s, or 0 for the default", limit, c.provider.name()),
			Value:   strconv.Itoa(q.paging.pageSize)}
	}
	if n, ok := any(o).(normalizer); ok {
		n.normalize()
	}
	var err error
	if q.filters, err = encodeFilters(o); err != nil {
		return nil, listQuery{}, err
	}
	sum := sha256.Sum256([]byte(path + "?" + q.filters))
	q.digest = hex.EncodeToString(sum[:8])
	if saved := q.paging.start.Query; saved != "" && saved != q.digest {
		return nil, listQuery{}, &ValidationError{Field: "ResumeFrom",
			Problem: "the position was saved from a walk of other options (filters, times or page size): resume with the options it came from",
			Value:   saved}
	}
	return o, q, nil
}

// list returns the walk of the list at path that opts select: the one
// call a resource's List makes.
func list[T, O any, P interface {
	*O
	listOptions
}](ctx context.Context, c *Client, res resource[T], path string, opts P) *Iterator[T] {
	_, q, err := prepare(c, res, path, opts)
	if err != nil {
		return NewSliceIterator[T](nil, err)
	}
	return walk(ctx, c.transport, res, q)
}

// walk returns the sequential walk of the valid query q.
func walk[T any](ctx context.Context, g getter, res resource[T], q listQuery) *Iterator[T] {
	fetch := listFetcher(g, q.path, q.filters, q.paging.pageSize, res.decode)
	start := Position{PageToken: q.paging.start.PageToken, Page: q.paging.start.Page}
	it := newIterator[T](newSequentialPager(ctx, start, fetch, !q.paging.noPrefetch, q.paging.maxRecords), q.paging.maxRecords, start)
	it.query = q.digest
	return it
}

// fetchOne reads the one resource at path (escaped) into a new T.
func fetchOne[T any](ctx context.Context, g getter, path string, fields []field[T]) (*T, error) {
	v := new(T)
	err := g.get(ctx, path, "", func(body io.Reader, size int64) error { return decodeObject(body, size, fields, v) })
	if err != nil {
		return nil, err
	}
	return v, nil
}
