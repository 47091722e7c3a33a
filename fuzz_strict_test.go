package supersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// FuzzDecodeStrict checks the decoder against encoding/json/v2's rules,
// which refuse by default what the decoder refuses on purpose (a name twice
// in an object, invalid UTF-8, a lone surrogate): both must accept and
// refuse the same pages, and read the same records, but for names that
// match a field only when case is ignored, which v2 skips as unknown and
// the decoder refuses; and times, which the decoder reads as encoding/json
// does (v2 refuses some RFC 3339 times that v1 reads, such as an hour of
// one digit). Each page is read whole and a byte at a time, to the same
// result. The seeds are FuzzDecodePage's too.
func FuzzDecodeStrict(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodePage", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		f.Add(readFuzzSeed(f, name))
	}
	f.Add(testPage(1, 3))
	f.Add([]byte(`{"usage_records":[{"x":1,"y":{"a":[1,{"b":2,"b":3}]}}],"meta":{"key":"usage_records"}}`))
	f.Add([]byte(`{"usage_records":[{"sim_sid":"a","sim\u005fsid":"b"}],"meta":{"key":"usage_records"}}`))
	f.Add([]byte(`{"usage_records":[{"period":{"start_time":"2026-02-29T00:00:00Z"}}],"meta":{"key":"usage_records"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, meta, err := usageRecords.decode(bytes.NewReader(data), int64(len(data)), nil, math.MaxInt)
		if err != nil && !errors.Is(err, ErrInvalidResponse) {
			t.Fatalf("error %v is not ErrInvalidResponse", err)
		}
		slowItems, slowMeta, slowErr := usageRecords.decode(iotest.OneByteReader(bytes.NewReader(data)), -1, nil, math.MaxInt)
		if (err == nil) != (slowErr == nil) || !reflect.DeepEqual(items, slowItems) || meta != slowMeta {
			t.Fatalf("read whole: %v; read a byte at a time: %v", err, slowErr)
		}
		if reason, _ := namesOnly(json.NewDecoder(bytes.NewReader(data)), reflect.TypeFor[usageRecordsPage]()); strings.HasPrefix(reason, "a name in other case") {
			if err == nil {
				t.Fatalf("accepted a page with %s", reason)
			}
			return
		}

		v2 := func(data []byte, v any) error { return jsonv2.Unmarshal(data, v, v1Times) }
		sameAsReference(t, "encoding/json/v2", v2, data, items, meta, err)
	})
}

// v1Times has encoding/json/v2 read times as encoding/json does.
var v1Times = jsonv2.WithUnmarshalers(jsonv2.UnmarshalFunc(func(b []byte, t *time.Time) error { return t.UnmarshalJSON(b) }))

// readFuzzSeed reads the []byte value of a seed file of the fuzzer.
func readFuzzSeed(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	_, value, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	quoted, prefixed := strings.CutPrefix(value, "[]byte(")
	quoted, suffixed := strings.CutSuffix(quoted, ")")
	if !prefixed || !suffixed {
		tb.Fatalf("%s: not a []byte seed", name)
	}
	s, err := strconv.Unquote(quoted)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return []byte(s)
}
