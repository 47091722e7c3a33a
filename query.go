package supersim

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-querystring/query"
)

// filterQuery encodes the options for the wire, less the paging: times in
// UTC, the country upper-case.
func (o ListUsageRecordsOptions) filterQuery() (string, error) {
	o.IsoCountry = strings.ToUpper(o.IsoCountry)
	if !o.StartTime.IsZero() {
		o.StartTime = o.StartTime.UTC()
	}
	if !o.EndTime.IsZero() {
		o.EndTime = o.EndTime.UTC()
	}
	o.PageToken, o.Page = "", 0
	values, err := query.Values(o)
	if err != nil {
		return "", fmt.Errorf("supersim: encode query: %w", err)
	}
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
