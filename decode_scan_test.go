package supersim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The decoder's own scanner: what jsontext checked for it before.

func TestDecodeRefusesDuplicatesHoweverSpelled(t *testing.T) {
	t.Parallel()
	many := func(dup string) string { // an unknown object of 40 names: the set's map
		var b strings.Builder
		for i := range 40 {
			fmt.Fprintf(&b, `"n%d":%d,`, i, i)
		}
		return `{"x":{` + b.String() + `"` + dup + `":0}}`
	}
	for name, page := range map[string]string{
		"a field escaped":              onePage(`{"sim_sid":"a","sim\u005fsid":"b"}`),
		"an unknown member escaped":    onePage(`{"x":1,"\u0078":2}`),
		"a name in a skipped array":    onePage(`{"x":[1,{"a":1,"b":{},"a":2}]}`),
		"a name among many":            onePage(many("n7")),
		"the last of many":             onePage(many("n39")),
		"an unknown after many fields": onePage(`{"account_sid":"A","sim_sid":"S","network_sid":null,"x":1,"fleet_sid":null,"x":2}`),
	} {
		_, _, err := decodeString(page, nil)
		assert.ErrorIs(t, err, ErrInvalidResponse, name)
	}
	for name, page := range map[string]string{
		"names again in sibling objects": onePage(`{"x":{"a":1},"y":{"a":1}},{"x":{"a":1}}`),
		"many names, none twice":         onePage(many("n40")),
		"a name again after a nested":    onePage(`{"x":{"y":{"z":1}},"y":{"z":2}}`),
	} {
		_, _, err := decodeString(page, nil)
		assert.NoError(t, err, name)
	}
}

func TestDecodeReadsAPageInPiecesAsWhole(t *testing.T) {
	t.Parallel()
	page := testPage(1, 300) // about 120 KiB: more than a buffer
	whole, wholeMeta, err := usageRecords.decode(bytes.NewReader(page), int64(len(page)), nil, math.MaxInt)
	require.NoError(t, err)
	require.Len(t, whole, 300)
	for name, body := range map[string]io.Reader{
		"a byte at a time":         iotest.OneByteReader(bytes.NewReader(page)),
		"half at a time":           iotest.HalfReader(bytes.NewReader(page)),
		"with its last read's EOF": iotest.DataErrReader(bytes.NewReader(page)),
	} {
		items, meta, err := usageRecords.decode(body, -1, nil, math.MaxInt)
		require.NoError(t, err, name)
		assert.Equal(t, whole, items, name)
		assert.Equal(t, wholeMeta, meta, name)
	}
	long := strings.Repeat("x", 200<<10) // a string larger than the buffer
	items, _, err := decodeString(onePage(`{"sim_sid":"`+long+`"}`), nil)
	require.NoError(t, err)
	assert.Equal(t, long, items[0].SimSID)
}

func TestDecodeRefusesNestingBeyondTheLimit(t *testing.T) {
	t.Parallel()
	nested := func(depth int) string { // the page and its array are 2 levels, the record a third
		return onePage(`{"x":` + strings.Repeat("[", depth-3) + strings.Repeat("]", depth-3) + `}`)
	}
	_, _, err := decodeString(nested(maxDepth), nil)
	require.NoError(t, err)
	_, _, err = decodeString(nested(maxDepth+1), nil)
	require.ErrorIs(t, err, ErrInvalidResponse)
}

// The fast path for times reads what the strict parser reads, the same.
func TestParseSimpleTimeAgreesWithTheStrictParser(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"2026-01-02T03:04:05Z", "2024-02-29T23:59:59Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z",
		"2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:0aZ",
		"+026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", "2026-1-01T00:00:00Z",
	} {
		var want time.Time
		wantErr := want.UnmarshalJSON([]byte(`"` + s + `"`))
		got, ok := parseSimpleTime([]byte(s))
		if ok {
			assert.NoError(t, wantErr, s)
			assert.Equal(t, want.UTC(), got, s)
		}
		items, _, err := decodeString(onePage(`{"period":{"start_time":"`+s+`"}}`), nil)
		if assert.Equal(t, wantErr == nil, err == nil, "%s: %v", s, err) && err == nil {
			assert.Equal(t, want.UTC(), items[0].Period.StartTime, s)
		}
	}
}

func TestPlainWordIsEightPlainBytes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var w [8]byte
	for i := range 1 << 20 {
		for j := range w {
			w[j] = byte(0x20 + rng.IntN(0x60)) // mostly plain
		}
		if i%2 == 0 {
			w[rng.IntN(8)] = byte(rng.IntN(256)) // and one of any
		}
		want := true
		for _, c := range w {
			want = want && plainByte[c]
		}
		require.Equal(t, want, plainWord(binary.LittleEndian.Uint64(w[:])), "%q", w)
	}
}
