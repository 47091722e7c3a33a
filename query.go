package supersim

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/google/go-querystring/query"
)

// encodeFilters encodes a list's options for the wire by their url tags
// (go-querystring), less the position, which each page's request adds.
func encodeFilters(opts any) (string, error) {
	values, err := query.Values(opts)
	if err != nil {
		return "", fmt.Errorf("supersim: encode query: %w", err)
	}
	values.Del("PageToken")
	values.Del("Page")
	return values.Encode(), nil
}

// withPosition adds the paging parameters of pos to an encoded query.
func withPosition(filters string, pos Position) string {
	var paging url.Values
	if pos.Page > 0 {
		paging = url.Values{"Page": {strconv.Itoa(pos.Page)}}
	}
	if pos.PageToken != "" {
		if paging == nil {
			paging = url.Values{}
		}
		paging.Set("PageToken", pos.PageToken)
	}
	switch {
	case paging == nil:
		return filters
	case filters == "":
		return paging.Encode()
	}
	return filters + "&" + paging.Encode()
}
