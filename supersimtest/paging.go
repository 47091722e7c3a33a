package supersimtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Paging as every Twilio list does it.
const (
	defaultPageSize = 50
	maxPageSize     = 1000 // Twilio's, for every list; KORE's is korePageSize for usage records
)

// listing is one list request's paging: what it lists, the filters its
// page URLs carry, and the page it asks for.
type listing struct {
	path     string     // the escaped path, like /v1/Sims
	key      string     // the member holding the items, and meta.key
	filters  url.Values // what the page URLs carry besides paging
	size     int        // PageSize
	page     int        // Page
	token    string     // the PageToken sent, "" for none
	bound    string     // bound into the tokens: usage records' defaulted EndTime
	invalid  int        // the code of an invalid parameter: 83600 for usage records, 20001 elsewhere
	urlScope string     // scheme://host of the page URLs
}

// parseListing reads PageSize (1 to limit, default 50), Page and the
// filters named, as sent. A Page without a PageToken is error 70002.
func parseListing(r *http.Request, key string, limit, invalid int, filters ...string) (*listing, *apiError) {
	v := r.URL.Query()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	l := &listing{path: r.URL.EscapedPath(), key: key, filters: url.Values{}, token: v.Get("PageToken"),
		invalid: invalid, urlScope: scheme + "://" + r.Host}
	for _, name := range filters {
		if value := v.Get(name); value != "" {
			l.filters.Set(name, value)
		}
	}
	var err *apiError
	if l.size, err = l.intParam(v, "PageSize", defaultPageSize); err != nil {
		return nil, err
	}
	if l.size < 1 || l.size > limit {
		return nil, l.badParam("PageSize must be between 1 and %d", limit)
	}
	if l.page, err = l.intParam(v, "Page", 0); err != nil {
		return nil, err
	}
	if l.page < 0 {
		return nil, l.badParam("Page must not be negative")
	}
	if l.page > 0 && l.token == "" {
		return nil, &apiError{400, 70002, "Paged requests must include a PageToken"}
	}
	return l, nil
}

// badParam is the list's error for an invalid parameter.
func (l *listing) badParam(format string, args ...any) *apiError {
	return &apiError{400, l.invalid, fmt.Sprintf(format, args...)}
}

func (l *listing) intParam(v url.Values, name string, def int) (int, *apiError) {
	raw := v.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, l.badParam("%s must be an integer", name)
	}
	return n, nil
}

// tokenFor is the opaque PageToken of page: the page, a fingerprint of
// the path, filters and page size, and what the list binds into it.
func (l *listing) tokenFor(page int) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s?%s|%d", l.path, l.filters.Encode(), l.size)
	text := fmt.Appendf(nil, "%d:%08x", page, h.Sum32())
	if l.bound != "" {
		text = fmt.Appendf(text, ":%s", l.bound)
	}
	return "PT" + base64.RawURLEncoding.EncodeToString(text)
}

// bindEnd binds a defaulted EndTime into the tokens.
func (l *listing) bindEnd(end time.Time) { l.bound = strconv.FormatInt(end.UnixNano(), 10) }

// tokenEnd reads the defaulted EndTime a PageToken carries, if any.
func tokenEnd(token string) (time.Time, bool) {
	text, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "PT"))
	if err != nil {
		return time.Time{}, false
	}
	parts := strings.Split(string(text), ":")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	nanos, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, nanos).UTC(), true
}

// checkToken accepts only the token this list hands out for its page
// (error 21481 otherwise).
func (l *listing) checkToken() *apiError {
	if l.token == "" || l.token == l.tokenFor(l.page) {
		return nil
	}
	return &apiError{400, 21481, "Invalid PageToken"}
}

// pageURL is the absolute URL of page, on the server's own host.
func (l *listing) pageURL(page int) *string {
	v := make(url.Values, len(l.filters)+3)
	for k, vals := range l.filters {
		v[k] = vals
	}
	v["PageSize"] = []string{strconv.Itoa(l.size)}
	v["Page"] = []string{strconv.Itoa(page)}
	if page > 0 {
		v["PageToken"] = []string{l.tokenFor(page)}
	}
	u := l.urlScope + l.path + "?" + encode(v)
	return &u
}

// render writes the page of a list of n items: {key: [items from to to],
// "meta": {...}}, in Twilio's member order; items appends the JSON array.
func (l *listing) render(n int, items func(b []byte, from, to int) ([]byte, error)) ([]byte, *apiError) {
	from := min(l.page*l.size, n)
	to := min(from+l.size, n)
	meta := wireMeta{Page: l.page, PageSize: l.size, Key: l.key, FirstPageURL: l.pageURL(0), URL: l.pageURL(l.page)}
	if l.page > 0 {
		meta.PreviousPageURL = l.pageURL(l.page - 1)
	}
	if to < n {
		meta.NextPageURL = l.pageURL(l.page + 1)
	}
	body, err := items(append(appendJSONString([]byte("{"), l.key), ':'), from, to)
	if err != nil {
		return nil, &apiError{500, 20500, "Internal Server Error"}
	}
	m, _ := json.Marshal(meta)
	return append(append(append(body, `,"meta":`...), m...), '}'), nil
}

// listPage answers a list request over all the items its filters select.
func listPage[T any](l *listing, items []T) ([]byte, *apiError) {
	if err := l.checkToken(); err != nil {
		return nil, err
	}
	if items == nil {
		items = []T{}
	}
	return l.render(len(items), func(b []byte, from, to int) ([]byte, error) {
		rendered, err := json.Marshal(items[from:to])
		return append(b, rendered...), err
	})
}

// encode is url.Values.Encode with Twilio's parameter order.
func encode(v url.Values) string {
	order := []string{"Status", "Sim", "Fleet", "Iccid", "NetworkAccessProfile", "Network", "IsoCountry", "Mnc", "Mcc",
		"Group", "Granularity", "StartTime", "EndTime", "PageSize", "Page", "PageToken"}
	var parts []string
	for _, k := range order {
		for _, val := range v[k] {
			parts = append(parts, k+"="+queryEscape(val))
		}
	}
	return strings.Join(parts, "&")
}
