package supersim

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/supersimkit/supersim/internal/sid"
)

// validation collects one *ValidationError per bad field of a list's
// options, with the rules that fields of every resource share.
type validation struct{ errs []error }

// bad reports field as invalid.
func (v *validation) bad(field, problem, value string) {
	v.errs = append(v.errs, &ValidationError{Field: field, Problem: problem, Value: value})
}

// err returns every problem reported, joined, or nil.
func (v *validation) err() error { return errors.Join(v.errs...) }

// sidOrName checks a field that holds a SID with prefix or a unique name:
// something shaped like such a SID must be one, and a name has no white
// space around it.
func (v *validation) sidOrName(field, value, prefix string) {
	if sid.LooksLike(value, prefix) && !sid.Valid(value, prefix) {
		v.bad(field, "looks like a SID but is not "+prefix+" followed by 32 hex digits", value)
	} else if strings.TrimSpace(value) != value {
		v.bad(field, "has leading or trailing white space", value)
	}
}

// identifier checks the SID or unique name of one resource in a path: like
// sidOrName, and not empty, not a dot segment ("." or "..", which a server
// or proxy may resolve to another resource, however escaped), without
// control characters.
func (v *validation) identifier(field, value, prefix string) {
	switch {
	case value == "":
		v.bad(field, "must be a SID ("+prefix+" followed by 32 hex digits) or a unique name", value)
	case value == "." || value == "..":
		v.bad(field, "must not be a dot segment: a server may read it as another path", value)
	case strings.ContainsFunc(value, unicode.IsControl):
		v.bad(field, "must not hold control characters", strconv.QuoteToASCII(value))
	}
	v.sidOrName(field, value, prefix)
}

// sid checks a field that holds a SID with prefix, or nothing.
func (v *validation) sid(field, value, prefix string) {
	if value != "" && !sid.Valid(value, prefix) {
		v.bad(field, "must match ^"+prefix+"[0-9a-fA-F]{32}$", value)
	}
}

// country checks an ISO 3166-1 alpha-2 code in either case, or nothing.
func (v *validation) country(field, value string) {
	if value != "" && !(len(value) == 2 && isLetter(value[0]) && isLetter(value[1])) {
		v.bad(field, "must be an ISO 3166-1 alpha-2 code such as US or fr", value)
	}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// digits checks a field of min to max decimal digits, or nothing.
func (v *validation) digits(field, value string, min, max int) {
	if value == "" {
		return
	}
	ok := len(value) >= min && len(value) <= max
	for i := 0; ok && i < len(value); i++ {
		ok = '0' <= value[i] && value[i] <= '9'
	}
	if !ok {
		want := strconv.Itoa(min)
		if max != min {
			want += " to " + strconv.Itoa(max)
		}
		v.bad(field, "must be "+want+" decimal digits", value)
	}
}

// oneOf checks a field that must be one of allowed, or nothing.
func oneOf[S ~string](v *validation, field string, value S, allowed ...S) {
	if value == "" {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	v.bad(field, "must be one of "+strings.Join(names, ", "), string(value))
}

// paging checks the paging options every list shares.
func (v *validation) paging(p paging) {
	if p.pageSize < 0 || p.pageSize > MaxPageSize {
		v.bad("PageSize", "must be between 1 and "+strconv.Itoa(MaxPageSize)+", or 0 for the default", strconv.Itoa(p.pageSize))
	}
	if p.start.Page < 0 {
		v.bad("Page", "must not be negative", strconv.Itoa(p.start.Page))
	}
	if p.maxRecords < 0 {
		v.bad("MaxRecords", "must not be negative", strconv.Itoa(p.maxRecords))
	}
}
