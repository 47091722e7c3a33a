package supersim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// Page bytes → records, in one pass over the body as it arrives: a strict
// scanner of its own (see scanner) reads the JSON, 64 KiB of the body at a
// time, and readObject maps it to fields. Duplicate names are found by a
// bitmask of the fields read, and by a set of the names skipped; a string
// with escapes or non-ASCII bytes is checked and unquoted by jsontext (the
// code of encoding/json/v2), the others are used as they stand.
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
// Twilio sends none of these. Every string handed out is a copy that shares
// memory with no page: new strings are copied end to end into blocks of
// stringBlock bytes (so a record kept holds at most 2 KiB, not its page),
// and a string equal to one of the previous record's (the account SID, the
// currency) is shared with it.

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
	defer r.release()
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
	defer r.release()
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
	c, err := r.s.skipSpace()
	switch {
	case err == io.EOF:
		return errors.New("empty body")
	case err != nil:
		return err
	case c != '{':
		return r.errorf("the body is a JSON object, not %s", kindName(kindOf(c)))
	}
	if err := read(); err != nil {
		return err
	}
	switch _, err := r.s.skipSpace(); err {
	case nil:
		return r.errorf("data after the page's object")
	case io.EOF:
		return nil
	default:
		return err
	}
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

// pageReader reads the values of one page and copies its strings out.
type pageReader struct {
	s scanner

	block strings.Builder // the current block of copied strings; its unused end is written next
	prev  []string        // the strings of the previous record, shared when repeated
	cur   []string        // the strings of this record
}

// stringBlock is the size of a block of copied strings: about 50 records'
// new strings in one allocation.
const stringBlock = 2 << 10

func newPageReader(body io.Reader) *pageReader {
	r := &pageReader{}
	r.s.init(&limitedBody{r: body, left: maxPageBytes + 1})
	return r
}

// release gives the reader's buffers back for the next page.
func (r *pageReader) release() { r.s.release() }

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
	return fmt.Errorf("at byte %d: %w", r.s.offset(), fmt.Errorf(format, args...))
}

// peek returns the kind of the next value (see kindOf), or the error
// reading it.
func (r *pageReader) peek() (byte, error) {
	c, err := r.s.next()
	return kindOf(c), err
}

// open reads the start of an object or array, as delim says, and reports
// true; or reads a null and reports false, with a nil error.
func (r *pageReader) open(delim byte) (bool, error) {
	kind, err := r.peek()
	switch {
	case err != nil:
		return false, err
	case kind == 'n':
		_, _, err := r.s.scalar()
		return false, err
	case kind != delim:
		return false, r.errorf("want %s, got %s", kindName(delim), kindName(kind))
	}
	return true, r.s.enter()
}

// kindOf returns the kind of a value that starts with c: '0' for a
// number, its first byte for others, 0 for none.
func kindOf(c byte) byte {
	switch c {
	case 'n', 't', 'f', '"', '{', '[', '}', ']':
		return c
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// kindName names a kind of JSON value for errors.
func kindName(k byte) string {
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
// (still checked). A name twice, or one that matches a field only when
// case is ignored, is refused.
func readObject[T any](r *pageReader, v *T, fields []field[T]) error {
	if len(fields) > 64 {
		panic("supersim: a field table of more than 64 fields")
	}
	if ok, err := r.open('{'); !ok {
		return err
	}
	mark := r.s.names.mark() // of the names skipped (see nameSet)
	err := readMembers(r, v, fields, mark)
	r.s.names.drop(mark)
	return err
}

// readMembers reads the members of an object that readObject opened, and
// its end; the names it skips go in the set from mark on.
func readMembers[T any](r *pageReader, v *T, fields []field[T], mark int) error {
	var seen uint64 // the fields read
	next := 0       // members come in the same order in every record: try the one after the last first
	for n := 0; ; n++ {
		if more, err := r.s.more('}', n); !more {
			return err
		}
		name, err := r.s.readName()
		if err != nil {
			return err
		}
		i := findField(fields, name, next)
		if i < 0 {
			if err := checkCase(fields, name); err != nil {
				return r.errorf("%w", err)
			}
			if !r.s.names.add(mark, name) {
				return r.errorf("member %q twice", name)
			}
			if err := r.s.skip(); err != nil {
				return err
			}
			continue
		}
		if seen&(1<<i) != 0 {
			return r.errorf("member %q twice", name)
		}
		seen |= 1 << i
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
// objects decoded by fields, appended to *items.
func readItems[T any](r *pageReader, items *[]T, fields []field[T], maxItems int) error {
	if ok, err := r.open('['); !ok {
		return err
	}
	var zero T
	for n := 0; ; n++ {
		if more, err := r.s.more(']', n); !more {
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

// value reads a string, number or literal of the kind given (described as
// what), or null, for which it returns a nil value and error. A string
// comes with its quotes, and its contents in text (valid until the next
// read).
func (r *pageReader) value(kind byte, what string) (raw, text []byte, err error) {
	got, err := r.peek()
	switch {
	case err != nil:
		return nil, nil, err
	case got == 'n':
		_, _, err := r.s.scalar()
		return nil, nil, err
	case got != kind:
		return nil, nil, r.errorf("want %s, got %s", what, kindName(got))
	}
	return r.s.scalar()
}

// str reads a JSON string (or null, which leaves *dst as it is) into *dst.
func (r *pageReader) str(dst *string) error {
	raw, text, err := r.value('"', "a string")
	if raw != nil {
		*dst = r.keep(text)
	}
	return err
}

// readBool reads a JSON boolean (or null, which leaves *dst as it is) into
// *dst.
func (r *pageReader) readBool(dst *bool) error {
	kind, err := r.peek()
	switch {
	case err != nil:
		return err
	case kind != 't' && kind != 'f' && kind != 'n':
		return r.errorf("want a boolean, got %s", kindName(kind))
	}
	if _, _, err := r.s.scalar(); err != nil {
		return err
	}
	if kind != 'n' {
		*dst = kind == 't'
	}
	return nil
}

// keep returns a copy of b: a string of the previous record that b spells,
// or a new one, in the current block unless it is long.
func (r *pageReader) keep(b []byte) string {
	s, ok := r.repeated(b)
	switch {
	case ok:
	case len(b) > stringBlock/4:
		s = string(b) // alone, not to waste most of a block
	default:
		if r.block.Cap()-r.block.Len() < len(b) {
			r.block = strings.Builder{} // the strings of the full block keep it
			r.block.Grow(stringBlock)
		}
		start := r.block.Len()
		r.block.Write(b) // within its capacity: what the strings handed out hold does not move or change
		s = r.block.String()[start:]
	}
	r.cur = append(r.cur, s)
	return s
}

// flush ends a record: its strings are the ones the next shares.
func (r *pageReader) flush() {
	r.prev, r.cur = r.cur, r.prev[:0]
}

// repeated returns the string of the previous record that b spells, if any.
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

// scanner reads JSON from a body, strictly, through a buffer it refills:
// what encoding/json/v2 refuses by default it refuses. The bytes it returns
// are valid until its next read.
type scanner struct {
	rd    io.Reader
	buf   []byte // buf[pos:] is unread
	pos   int
	base  int64 // the offset of buf[0] in the body
	depth int   // of the objects and arrays open
	names nameSet
	text  []byte // the contents of the last string read with escapes or non-ASCII bytes
	name  []byte // a name kept while the colon after it is read
}

// scanBufferSize is the size of a scanner's buffer: a read takes up to this
// much of the body at once.
const scanBufferSize = 64 << 10

// maxDepth bounds the nesting of objects and arrays, as encoding/json does.
const maxDepth = 10000

// scanBuffers are buffers of scanBufferSize for scanners.
var scanBuffers = sync.Pool{New: func() any { return new([scanBufferSize]byte) }}

func (s *scanner) init(rd io.Reader) {
	s.rd = rd
	s.buf = scanBuffers.Get().(*[scanBufferSize]byte)[:0]
}

// release gives the scanner's buffer back, unless it grew.
func (s *scanner) release() {
	if cap(s.buf) == scanBufferSize {
		scanBuffers.Put((*[scanBufferSize]byte)(s.buf[:scanBufferSize]))
	}
	s.buf = nil
}

// offset returns where the scanner is in the body.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more of the body after the unread bytes, which it moves to the
// front of the buffer first (or to a larger buffer, if they fill it). It
// fails with io.EOF at the end of the body.
func (s *scanner) fill() error {
	n := copy(s.buf[:cap(s.buf)], s.buf[s.pos:])
	s.base += int64(s.pos)
	s.buf, s.pos = s.buf[:n], 0
	if n == cap(s.buf) { // one value larger than the buffer
		s.buf = append(make([]byte, 0, 2*cap(s.buf)), s.buf...)
	}
	for {
		n, err := s.rd.Read(s.buf[len(s.buf):cap(s.buf)])
		switch {
		case n > 0:
			s.buf = s.buf[:len(s.buf)+n]
			return nil // an error comes again with the next read
		case err != nil:
			return err
		}
	}
}

// unexpected turns the end of the body within a value into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// syntaxError reports byte c where it cannot be.
func (s *scanner) syntaxError(c byte, where string) error {
	return fmt.Errorf("at byte %d: invalid character %q %s", s.offset(), c, where)
}

// skipSpace skips white space and returns the next byte, unread; io.EOF at
// the end of the body.
func (s *scanner) skipSpace() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\n', '\r', '\t':
				s.pos++
			default:
				return c, nil
			}
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

// next skips white space and returns the next byte, unread.
func (s *scanner) next() (byte, error) {
	c, err := s.skipSpace()
	return c, unexpected(err)
}

// enter reads the start of an object or array.
func (s *scanner) enter() error {
	s.pos++
	if s.depth++; s.depth > maxDepth {
		return fmt.Errorf("at byte %d: objects and arrays nested deeper than %d", s.offset(), maxDepth)
	}
	return nil
}

// more reports whether the object or array being read, of which n members
// have been read, has another; if not, it reads its end, end.
func (s *scanner) more(end byte, n int) (bool, error) {
	c, err := s.next()
	switch {
	case err != nil:
		return false, err
	case c == end:
		s.pos++
		s.depth--
		return false, nil
	case n == 0:
		return true, nil
	case c != ',':
		return false, s.syntaxError(c, "after a value")
	}
	s.pos++
	return true, nil
}

// readName reads a member's name and the colon after it, and returns the
// name unquoted.
func (s *scanner) readName() ([]byte, error) {
	c, err := s.next()
	switch {
	case err != nil:
		return nil, err
	case c != '"':
		return nil, s.syntaxError(c, "where a name is due")
	}
	_, name, err := s.str()
	if err != nil {
		return nil, err
	}
	if s.pos < len(s.buf) && s.buf[s.pos] == ':' {
		s.pos++
		return name, nil
	}
	s.name = append(s.name[:0], name...) // reading on may move the buffer
	if c, err = s.next(); err != nil {
		return nil, err
	} else if c != ':' {
		return nil, s.syntaxError(c, "after a name")
	}
	s.pos++
	return s.name, nil
}

// scalar reads a string, number, true, false or null, and returns its
// bytes and, for a string, its contents.
func (s *scanner) scalar() (raw, text []byte, err error) {
	switch c := s.buf[s.pos]; c {
	case '"':
		return s.str()
	case 't':
		raw, err = s.literal("true")
	case 'f':
		raw, err = s.literal("false")
	case 'n':
		raw, err = s.literal("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		raw, err = s.number()
	default:
		err = s.syntaxError(c, "where a value is due")
	}
	return raw, nil, err
}

// literal reads word, true, false or null.
func (s *scanner) literal(word string) ([]byte, error) {
	for {
		b := s.buf[s.pos:]
		n := min(len(b), len(word))
		for i := range n {
			if b[i] != word[i] {
				return nil, s.syntaxError(b[i], "in "+word)
			}
		}
		if n == len(word) {
			s.pos += n
			return b[:n], nil
		}
		if err := s.fill(); err != nil {
			return nil, unexpected(err)
		}
	}
}

// number reads a JSON number.
func (s *scanner) number() ([]byte, error) {
	k := 0
	for {
		b := s.buf[s.pos:]
		for k < len(b) && numberByte[b[k]] {
			k++
		}
		if k < len(b) {
			break
		}
		if err := s.fill(); err != nil {
			return nil, unexpected(err) // a page does not end in a number
		}
	}
	b := s.buf[s.pos : s.pos+k]
	if !validNumber(b) {
		return nil, fmt.Errorf("at byte %d: invalid number %.40q", s.offset(), b)
	}
	s.pos += k
	return b, nil
}

// numberByte tells the bytes that a JSON number may hold.
var numberByte = [256]bool{'-': true, '+': true, '.': true, 'e': true, 'E': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true}

// validNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i == len(b):
		return false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(i + 1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digits(i); j > i {
			i = j
		} else {
			return false
		}
	}
	return i == len(b)
}

// plainByte tells the bytes that stand for themselves in a JSON string and
// need no check: printable ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether the 8 bytes of x are all plain (see
// plainByte): none below 0x20, a quote, a backslash or above 0x7f.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(y uint64) uint64 { return (y - ones) & ^y & highs }
	return (x-0x20*ones)&^x&highs|hasZero(x^'"'*ones)|hasZero(x^'\\'*ones)|x&highs == 0
}

// str reads a JSON string, and returns it and its contents: without its
// quotes if it has only plain bytes, else unquoted and checked (escapes,
// UTF-8, surrogates) by jsontext.
func (s *scanner) str() (raw, text []byte, err error) {
	k, plain := 1, true
	for {
		b := s.buf[s.pos:]
		for k < len(b) {
			for k+8 <= len(b) && plainWord(binary.LittleEndian.Uint64(b[k:])) {
				k += 8
			}
			for k < len(b) && plainByte[b[k]] {
				k++
			}
			if k == len(b) {
				break
			}
			switch c := b[k]; {
			case c == '"':
				raw = b[:k+1]
				if plain {
					s.pos += k + 1
					return raw, raw[1:k], nil
				}
				if s.text, err = jsontext.AppendUnquote(s.text[:0], raw); err != nil {
					return nil, nil, fmt.Errorf("at byte %d: %w", s.offset(), err)
				}
				s.pos += k + 1
				return raw, s.text, nil
			case c == '\\':
				plain = false
				k += 2 // the escaped byte may be a quote
			case c < 0x20:
				return nil, nil, fmt.Errorf("at byte %d: control character %q in a string", s.offset()+int64(k), c)
			default:
				plain = false
				k++
			}
		}
		if err := s.fill(); err != nil {
			return nil, nil, unexpected(err)
		}
	}
}

// skip reads a value, checked as strictly as any other, and drops it.
func (s *scanner) skip() error {
	c, err := s.next()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		if err := s.enter(); err != nil {
			return err
		}
		mark := s.names.mark()
		defer s.names.drop(mark)
		for n := 0; ; n++ {
			if more, err := s.more('}', n); !more {
				return err
			}
			name, err := s.readName()
			if err != nil {
				return err
			}
			if !s.names.add(mark, name) {
				return fmt.Errorf("at byte %d: member %q twice", s.offset(), name)
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	case '[':
		if err := s.enter(); err != nil {
			return err
		}
		for n := 0; ; n++ {
			if more, err := s.more(']', n); !more {
				return err
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
	_, _, err = s.scalar()
	return err
}

// nameSet holds the names read so far of the objects open whose members are
// checked against each other: end to end in one buffer, each object's from
// its mark on, and in a map for an object of many names.
type nameSet struct {
	buf  []byte
	ends []int // where each name ends in buf
	many map[markedName]struct{}
}

// markedName is a name of the object that starts at mark.
type markedName struct {
	mark int
	name string
}

// manyNames is how many names an object has before they go in the map.
const manyNames = 32

// mark returns the mark of an object whose names come next.
func (n *nameSet) mark() int { return len(n.ends) }

// drop forgets the names from mark on: its object is read.
func (n *nameSet) drop(mark int) {
	if len(n.ends)-mark > manyNames {
		for i := mark; i < len(n.ends); i++ {
			delete(n.many, markedName{mark, string(n.at(i))})
		}
	}
	n.buf, n.ends = n.buf[:n.start(mark)], n.ends[:mark]
}

// start returns where name i starts in buf.
func (n *nameSet) start(i int) int {
	if i == 0 {
		return 0
	}
	return n.ends[i-1]
}

// at returns name i.
func (n *nameSet) at(i int) []byte { return n.buf[n.start(i):n.ends[i]] }

// add adds name to the object of mark, and reports false if it has it
// already.
func (n *nameSet) add(mark int, name []byte) bool {
	switch count := len(n.ends) - mark; {
	case count < manyNames:
		for i := mark; i < len(n.ends); i++ {
			if string(n.at(i)) == string(name) {
				return false
			}
		}
	default:
		if n.many == nil {
			n.many = make(map[markedName]struct{})
		}
		if count == manyNames {
			for i := mark; i < len(n.ends); i++ {
				n.many[markedName{mark, string(n.at(i))}] = struct{}{}
			}
		}
		key := markedName{mark, string(name)}
		if _, ok := n.many[key]; ok {
			return false
		}
		n.many[key] = struct{}{}
	}
	n.buf = append(n.buf, name...)
	n.ends = append(n.ends, len(n.buf))
	return true
}

// readInt reads a JSON integer (or null, which leaves *dst as it is) into
// *dst, refusing a fraction, an exponent or a value beyond I, as
// encoding/json does.
func readInt[I int | int64](r *pageReader, dst *I) error {
	v, _, err := r.value('0', "an integer")
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
	raw, text, err := r.value('"', "an RFC 3339 time")
	if raw == nil {
		return err
	}
	if t, ok := parseSimpleTime(text); ok && len(text) == len(raw)-2 {
		*dst = t
		return nil
	}
	if err := dst.UnmarshalJSON(raw); err != nil {
		return r.errorf("want an RFC 3339 time, got %.40s", raw)
	}
	*dst = dst.UTC()
	return nil
}

// parseSimpleTime reads the common form of an RFC 3339 time,
// 2006-01-02T15:04:05Z, and reports false for any other (which the strict
// parser then reads or refuses).
func parseSimpleTime(b []byte) (time.Time, bool) {
	if len(b) != len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			ok = ok && c >= '0' && c <= '9'
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	return t, t.Day() == day // not a day past the month's end
}

// readDecimal reads an amount (see [Decimal.UnmarshalJSON]) into *dst.
func (r *pageReader) readDecimal(dst *Decimal) error {
	kind, err := r.peek()
	switch {
	case err != nil:
		return err
	case kind == '{' || kind == '[':
		return r.errorf("want an amount, got %s", kindName(kind))
	}
	v, _, err := r.s.scalar()
	if err != nil {
		return err
	}
	n, text, err := decimalFromJSON(v)
	if err != nil {
		return r.errorf("%w", err)
	}
	dst.n = n
	if text != nil {
		dst.text = r.keep(text)
	}
	return nil
}
