package supersim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// Page bytes → records, in one pass over the body as it arrives, with
// github.com/go-json-experiment/json's jsontext (the code of encoding/json/v2)
// reading tokens and this file mapping them to fields.
//
// Strict like encoding/json: whatever it refuses is refused here too, as
// ErrInvalidResponse: malformed JSON, a value of the wrong type, an integer
// beyond int64, a time that is not RFC 3339, data after the page. A body cut
// short wraps io.ErrUnexpectedEOF too, which makes the request worth another
// try. Stricter than encoding/json on purpose, where decoders disagree and a
// page could be read two ways:
//   - invalid UTF-8 (and a lone surrogate such as \ud800) is refused, where
//     encoding/json turns it into U+FFFD;
//   - a name twice in one object is refused, where encoding/json keeps the
//     last value (or merges objects);
//   - a name that matches a field only when case is ignored ("Sim_Sid",
//     "ſim_sid") is refused, where encoding/json reads it into that field.
//
// Twilio sends none of these. Every string handed out is a fresh copy that
// shares memory with no page: all the new strings of one record are one
// allocation, and a string equal to the previous record's (the account SID,
// the currency) is shared with it.

// maxPageBytes bounds the body of one page: 1000 records take about 400 KiB.
const maxPageBytes = 64 << 20

// field is one member of a JSON object that decodes into a T.
type field[T any] struct {
	name   string
	decode func(r *pageReader, v *T) error
}

// decodePage reads one page of a list (of size bytes, or -1 if unknown):
// its items under key, at most maxItems of them, decoded by fields into the
// memory of items, and its meta, whose "key" must be key. A resource brings
// only its key and fields.
func decodePage[T any](body io.Reader, size int64, key string, fields []field[T], items []T, maxItems int) ([]T, PageMeta, error) {
	clear(items[:cap(items)]) // a reused item must not keep a field that is null or missing now
	if size > maxPageBytes {
		return nil, PageMeta{}, fmt.Errorf("%w: a page of %d bytes is over the %d-byte limit", ErrInvalidResponse, size, maxPageBytes)
	}
	p := pageBody[T]{items: items[:0]}
	r := newPageReader(body)
	err := readPage(r, &p, key, fields, maxItems)
	if err == nil && p.meta.Key != key {
		err = fmt.Errorf("meta.key is %q, want %q", p.meta.Key, key)
	}
	if err != nil {
		return nil, PageMeta{}, r.fail(err)
	}
	return p.items, p.meta, nil
}

// decodeObject reads a body (of size bytes, or -1 if unknown) that is one
// JSON object, decoded by fields into *v: a resource fetched alone.
func decodeObject[T any](body io.Reader, size int64, fields []field[T], v *T) error {
	if size > maxPageBytes {
		return fmt.Errorf("%w: a body of %d bytes is over the %d-byte limit", ErrInvalidResponse, size, maxPageBytes)
	}
	r := newPageReader(body)
	err := readWhole(r, func() error {
		err := readObject(r, v, fields)
		r.flush()
		return err
	})
	if err == nil && reflect.ValueOf(v).Elem().IsZero() {
		err = errors.New("the object has none of the resource's members")
	}
	if err != nil {
		return r.fail(err)
	}
	return nil
}

// pageBody is what a page holds.
type pageBody[T any] struct {
	items []T
	meta  PageMeta
}

// readPage reads the whole body into p: one object, then the end.
func readPage[T any](r *pageReader, p *pageBody[T], key string, fields []field[T], maxItems int) error {
	top := []field[pageBody[T]]{
		{key, func(r *pageReader, p *pageBody[T]) error { return readItems(r, &p.items, fields, maxItems) }},
		{"meta", func(r *pageReader, p *pageBody[T]) error {
			err := readObject(r, &p.meta, pageMetaFields)
			r.flush()
			return err
		}},
	}
	return readWhole(r, func() error { return readObject(r, p, top) })
}

// readWhole reads a body that is one JSON object, by read, then its end.
func readWhole(r *pageReader, read func() error) error {
	kind, err := r.peek()
	switch {
	case err == io.EOF:
		return errors.New("empty body")
	case err != nil:
		return err
	case kind != '{':
		return r.errorf("the body is a JSON object, not %s", kindName(kind))
	}
	if err := read(); err != nil {
		return err
	}
	if _, err := r.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the page's object")
		}
		return err
	}
	return nil
}

// pageMetaFields decode the "meta" object of every list.
var pageMetaFields = []field[PageMeta]{
	{"page", func(r *pageReader, m *PageMeta) error { return readInt(r, &m.Page) }},
	{"page_size", func(r *pageReader, m *PageMeta) error { return readInt(r, &m.PageSize) }},
	{"first_page_url", func(r *pageReader, m *PageMeta) error { return r.str(&m.FirstPageURL) }},
	{"previous_page_url", func(r *pageReader, m *PageMeta) error { return r.str(&m.PreviousPageURL) }},
	{"url", func(r *pageReader, m *PageMeta) error { return r.str(&m.URL) }},
	{"next_page_url", func(r *pageReader, m *PageMeta) error { return r.str(&m.NextPageURL) }},
	{"key", func(r *pageReader, m *PageMeta) error { return r.str(&m.Key) }},
}

// pageReader reads the tokens of one page and copies its strings out.
type pageReader struct {
	dec  *jsontext.Decoder
	body limitedBody

	// The strings read since the last flush: their unquoted bytes, end to
	// end, and where each goes.
	scratch []byte
	pending []pendingString
	fresh   []byte   // the bytes of the pending strings that are new
	prev    []string // the strings of the last flush, shared when repeated
}

// pendingString is a string read but not yet copied out: scratch[start:end],
// for *dst.
type pendingString struct {
	dst        *string
	start, end int
	shared     bool // *dst is a string of the previous flush
}

func newPageReader(body io.Reader) *pageReader {
	r := &pageReader{body: limitedBody{r: body, left: maxPageBytes + 1}}
	r.dec = jsontext.NewDecoder(&r.body)
	return r
}

// errPageTooLarge is what reading a body past maxPageBytes fails with.
var errPageTooLarge = fmt.Errorf("a page is over the %d-byte limit", maxPageBytes)

// limitedBody reads at most left bytes from r, then fails with
// errPageTooLarge rather than io.EOF, so that a page too large is not taken
// for one cut short (which would be tried again).
type limitedBody struct {
	r    io.Reader
	left int64
}

// Read implements io.Reader.
func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errPageTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// fail turns err into the error of the page.
func (r *pageReader) fail(err error) error {
	if errors.Is(err, errPageTooLarge) {
		err = errPageTooLarge
	}
	return fmt.Errorf("%w: %w", ErrInvalidResponse, err)
}

// errorf reports a value that does not fit, with where it is in the page.
func (r *pageReader) errorf(format string, args ...any) error {
	where := string(r.dec.StackPointer())
	if where == "" {
		where = "/"
	}
	return fmt.Errorf("at %s: %w", where, fmt.Errorf(format, args...))
}

// peek returns the kind of the next token, or the error reading it.
func (r *pageReader) peek() (jsontext.Kind, error) {
	if kind := r.dec.PeekKind(); kind != 0 {
		return kind, nil
	}
	_, err := r.dec.ReadToken() // the error PeekKind met
	if err == nil {
		err = errors.New("no token where one was due")
	}
	return 0, err
}

// open reads the start of an object or array, as delim says, and reports
// true; or reads a null and reports false, with a nil error.
func (r *pageReader) open(delim jsontext.Kind) (bool, error) {
	kind, err := r.peek()
	switch {
	case err != nil:
		return false, err
	case kind == 'n':
		_, err := r.dec.ReadToken()
		return false, err
	case kind != delim:
		return false, r.errorf("want %s, got %s", kindName(delim), kindName(kind))
	}
	_, err = r.dec.ReadToken()
	return err == nil, err
}

// more reports whether the object or array being read has another member;
// if not, it reads its end, delim.
func (r *pageReader) more(delim jsontext.Kind) (bool, error) {
	kind, err := r.peek()
	if err != nil || kind != delim {
		return err == nil, err
	}
	_, err = r.dec.ReadToken()
	return false, err
}

// kindName names a kind of JSON value for errors.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '}':
		return "the end of an object"
	case ']':
		return "the end of an array"
	}
	return "an invalid token"
}

// readObject reads a JSON object into v, or null, which leaves v as it is.
// The members that fields name are decoded by them; others are skipped
// (still checked). A name that matches a field only when case is ignored is
// refused.
func readObject[T any](r *pageReader, v *T, fields []field[T]) error {
	if ok, err := r.open('{'); !ok {
		return err
	}
	next := 0 // members come in the same order in every record: try the one after the last first
	for {
		if more, err := r.more('}'); !more {
			return err
		}
		name, err := r.dec.ReadValue()
		if err != nil {
			return err
		}
		name, err = unquote(name)
		if err != nil {
			return err
		}
		i := findField(fields, name, next)
		if i < 0 {
			if err := checkCase(fields, name); err != nil {
				return r.errorf("%w", err)
			}
			if err := r.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if err := fields[i].decode(r, v); err != nil {
			return err
		}
		next = i + 1
	}
}

// findField returns the index of the field named name, trying from first on.
func findField[T any](fields []field[T], name []byte, first int) int {
	for i := range fields {
		if j := (first + i) % len(fields); string(name) == fields[j].name {
			return j
		}
	}
	return -1
}

// checkCase refuses a name that matches a field only when case is ignored,
// as encoding/json would match it (with simple Unicode case folding).
func checkCase[T any](fields []field[T], name []byte) error {
	if !bytes.ContainsFunc(name, func(c rune) bool { return c >= 'A' && c <= 'Z' || c >= 0x80 }) {
		return nil // field names are lower-case ASCII: only upper case or non-ASCII letters can fold to them
	}
	for _, f := range fields {
		if bytes.EqualFold(name, []byte(f.name)) {
			return fmt.Errorf("member %q differs from %q only in case", name, f.name)
		}
	}
	return nil
}

// readItems reads a JSON array (or null, for none) of at most maxItems
// objects decoded by fields, appended to *items. Each item's strings are
// copied out with it.
func readItems[T any](r *pageReader, items *[]T, fields []field[T], maxItems int) error {
	if ok, err := r.open('['); !ok {
		return err
	}
	var zero T
	for {
		if more, err := r.more(']'); !more {
			return err
		}
		if len(*items) == maxItems {
			return r.errorf("more items than the %d asked for", maxItems)
		}
		*items = append(*items, zero)
		err := readObject(r, &(*items)[len(*items)-1], fields)
		r.flush()
		if err != nil {
			return err
		}
	}
}

// unquote returns the contents of the JSON string s, which the decoder has
// checked: s itself without its quotes unless it has escapes.
func unquote(s jsontext.Value) ([]byte, error) {
	if bytes.IndexByte(s, '\\') < 0 {
		return s[1 : len(s)-1], nil
	}
	return jsontext.AppendUnquote(nil, s)
}

// value reads a value of the kind given (described as what), or null,
// for which it returns a nil value and error.
func (r *pageReader) value(kind jsontext.Kind, what string) (jsontext.Value, error) {
	v, err := r.dec.ReadValue()
	switch {
	case err != nil:
		return nil, err
	case v.Kind() == 'n':
		return nil, nil
	case v.Kind() != kind:
		return nil, r.errorf("want %s, got %s", what, kindName(v.Kind()))
	}
	return v, nil
}

// str reads a JSON string (or null, which leaves *dst as it is) into *dst,
// at the next flush.
func (r *pageReader) str(dst *string) error {
	b, err := r.unquoted()
	if b != nil {
		r.keep(dst, b)
	}
	return err
}

// unquoted reads a JSON string and returns its contents, valid until the
// next read; or nil for null.
func (r *pageReader) unquoted() ([]byte, error) {
	v, err := r.value('"', "a string")
	if v == nil {
		return nil, err
	}
	return unquote(v)
}

// readBool reads a JSON boolean (or null, which leaves *dst as it is) into
// *dst.
func (r *pageReader) readBool(dst *bool) error {
	v, err := r.dec.ReadValue()
	switch {
	case err != nil:
		return err
	case v.Kind() == 't' || v.Kind() == 'f':
		*dst = v.Kind() == 't'
	case v.Kind() != 'n':
		return r.errorf("want a boolean, got %s", kindName(v.Kind()))
	}
	return nil
}

// keep has *dst set to a copy of b at the next flush.
func (r *pageReader) keep(dst *string, b []byte) {
	start := len(r.scratch)
	r.scratch = append(r.scratch, b...)
	r.pending = append(r.pending, pendingString{dst: dst, start: start, end: len(r.scratch)})
}

// flush copies the pending strings out, sharing those equal to one of the
// previous flush's, and the others in one new allocation.
func (r *pageReader) flush() {
	r.fresh = r.fresh[:0]
	for i := range r.pending {
		p := &r.pending[i]
		b := r.scratch[p.start:p.end]
		if s, ok := r.repeated(b); ok {
			*p.dst, p.shared = s, true
			continue
		}
		p.start = len(r.fresh)
		r.fresh = append(r.fresh, b...)
		p.end = len(r.fresh)
	}
	fresh := string(r.fresh)
	r.prev = r.prev[:0]
	for _, p := range r.pending {
		if !p.shared {
			*p.dst = fresh[p.start:p.end]
		}
		r.prev = append(r.prev, *p.dst) // shared ones too, so a run of equal strings shares one
	}
	r.scratch, r.pending = r.scratch[:0], r.pending[:0]
}

// repeated returns the string of the previous flush that b spells, if any.
func (r *pageReader) repeated(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", true
	}
	for _, s := range r.prev {
		if string(b) == s {
			return s, true
		}
	}
	return "", false
}

// readInt reads a JSON integer (or null, which leaves *dst as it is) into
// *dst, refusing a fraction, an exponent or a value beyond I, as
// encoding/json does.
func readInt[I int | int64](r *pageReader, dst *I) error {
	v, err := r.value('0', "an integer")
	if v == nil {
		return err
	}
	n, ok := parseInt(v)
	if !ok || int64(I(n)) != n {
		return r.errorf("%.40s is not an integer within %T", v, *dst)
	}
	*dst = I(n)
	return nil
}

// parseInt reads a JSON number that is an integer within int64.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' || u > (1<<63)/10 {
			return 0, false
		}
		if u = u*10 + uint64(c-'0'); u > 1<<63 {
			return 0, false
		}
	}
	switch {
	case neg:
		return -int64(u), true // -(1<<63) is math.MinInt64
	case u > math.MaxInt64:
		return 0, false
	}
	return int64(u), true
}

// readTime reads an RFC 3339 time as encoding/json does (or null, which
// leaves *dst as it is) into *dst, in UTC.
func (r *pageReader) readTime(dst *time.Time) error {
	v, err := r.dec.ReadValue()
	if err != nil {
		return err
	}
	if err := dst.UnmarshalJSON(v); err != nil {
		return r.errorf("want an RFC 3339 time, got %.40s", v)
	}
	*dst = dst.UTC()
	return nil
}

// readDecimal reads an amount (see [Decimal.UnmarshalJSON]) into *dst.
func (r *pageReader) readDecimal(dst *Decimal) error {
	v, err := r.dec.ReadValue()
	if err != nil {
		return err
	}
	n, text, err := decimalFromJSON(v)
	if err != nil {
		return r.errorf("%w", err)
	}
	dst.n = n
	if text != nil {
		r.keep(&dst.text, text)
	}
	return nil
}
