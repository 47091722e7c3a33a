package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressLine(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{w: &out, now: func() time.Time { return clock }, start: clock}
	for page := range 3 {
		clock = clock.Add(time.Second)
		for i := range 1000 {
			p.record(i == 999)
		}
		assert.Equal(t, page+1, p.pages)
	}
	p.done()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r")
	assert.Equal(t, "3 pages, 3000 records, 1000 records/s ", lines[len(lines)-1])
	assert.True(t, strings.HasSuffix(out.String(), "\n"), "the line is ended")
}

func TestProgressIsSilentOffATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, time.Now)
	p.record(true)
	p.done()
	assert.Empty(t, out.String())
	assert.False(t, isTerminal(&out))
}
