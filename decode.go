package supersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	gojson "github.com/goccy/go-json"
)

// maxPageBytes bounds the body of one page: 1000 records take about 400 KiB.
const maxPageBytes = 64 << 20

// bodyBuffers holds the buffers that page bodies are read into, shared by
// all walks so that a page's bytes are allocated once, not once a page.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// checkJSON reports invalid JSON as ErrInvalidResponse, and JSON cut short
// (as a close-delimited body cut off would be) as io.ErrUnexpectedEOF too,
// which makes the request worth another try.
func checkJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	var v struct{}
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&v) // io.ErrUnexpectedEOF when cut short
	if err == nil {
		err = errors.New("invalid JSON after the first value")
	}
	return fmt.Errorf("%w: %w", ErrInvalidResponse, err)
}

// decodeUsageRecords is the decodeFunc of usage record pages.
func decodeUsageRecords(resp io.Reader, size int64, items []UsageRecord) ([]UsageRecord, PageMeta, error) {
	clear(items[:cap(items)]) // decoding into a reused record keeps fields that are null now
	page := usageRecordsPage{UsageRecords: items[:0]}
	body := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(body)
	if err := decodePage(resp, size, body, &page); err != nil {
		return nil, PageMeta{}, err
	}
	return page.UsageRecords, page.Meta, nil
}

// decodePage reads one page from resp (of size bytes, or -1 if unknown)
// through the reusable buffer body, and checks its shape.
func decodePage(resp io.Reader, size int64, body *bytes.Buffer, page *usageRecordsPage) error {
	body.Reset()
	if size > maxPageBytes {
		return fmt.Errorf("%w: a page of %d bytes is over the %d-byte limit", ErrInvalidResponse, size, maxPageBytes)
	}
	if size > 0 {
		body.Grow(int(size))
	}
	if _, err := body.ReadFrom(io.LimitReader(resp, maxPageBytes+1)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidResponse, err)
	}
	if body.Len() > maxPageBytes {
		return fmt.Errorf("%w: a page is over the %d-byte limit", ErrInvalidResponse, maxPageBytes)
	}
	// go-json skips unknown fields without checking them, so the strict
	// encoding/json scanner vets the page first; the decode is still faster.
	if err := checkJSON(body.Bytes()); err != nil {
		return err
	}
	if err := gojson.Unmarshal(body.Bytes(), page); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidResponse, err)
	}
	if page.Meta.Key != "usage_records" {
		return fmt.Errorf("%w: meta.key is %q, want \"usage_records\"", ErrInvalidResponse, page.Meta.Key)
	}
	for i := range page.UsageRecords {
		p := &page.UsageRecords[i].Period
		p.StartTime, p.EndTime = p.StartTime.UTC(), p.EndTime.UTC()
	}
	return nil
}
