package supersim

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spaces is an endless body of JSON white space.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestDecodePageStopsReadingAtTheLimit(t *testing.T) {
	var body bytes.Buffer
	var page usageRecordsPage
	err := decodePage(spaces{}, -1, &body, &page) // no Content-Length: read until the limit
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.Contains(t, err.Error(), "over the")
	assert.LessOrEqual(t, body.Len(), maxPageBytes+1, "read past the limit")
}

func TestDecodePageTellsCutShortFromMalformed(t *testing.T) {
	var body bytes.Buffer
	var page usageRecordsPage
	full := `{"usage_records":[{"data_total":1}],"meta":{"key":"usage_records"}}`
	err := decodePage(strings.NewReader(full[:len(full)/2]), -1, &body, &page)
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "a body cut short is worth a retry: %v", err)

	err = decodePage(strings.NewReader(`{"usage_records":[}`), -1, &body, &page)
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.False(t, errors.Is(err, io.ErrUnexpectedEOF), "malformed JSON is not: %v", err)
}
