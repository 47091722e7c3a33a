package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// focusArgs is an export of two days by SIM, in -schema focus.
func focusArgs(extra ...string) []string {
	return append([]string{"export", "-schema", "focus", "-group", "sim", "-granularity", "day",
		"-start", "2026-05-30", "-end", "2026-06-02"}, extra...)
}

// exportTotals sums the export's own CSV: records, bytes and the amount.
func exportTotals(t *testing.T, text string) (records int, bytes int64, billed supersim.Decimal) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	require.NoError(t, err)
	for _, row := range rows[1:] {
		records++
		bytes += mustInt(t, row[9])
		billed = billed.Add(supersim.MustParseDecimal(row[10]))
	}
	return records, bytes, billed
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, json.Unmarshal([]byte(s), &n), s)
	return n
}

// TestFocusSchemaInCSVAndJSONLines checks the FOCUS columns, the values we
// fill and the nulls, against the export's own columns of the same query.
func TestFocusSchemaInCSVAndJSONLines(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	own := runCmd(t, twilioEnv(), append(focusArgs("-base-url", srv.URL), "-schema", "export")...)
	require.Equal(t, exitOK, own.code, own.stderr)
	records, bytes, billed := exportTotals(t, own.stdout)

	r := runCmd(t, twilioEnv(), focusArgs("-base-url", srv.URL)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, focusColumns, rows[0])
	require.Len(t, rows, records+1)
	col := func(row []string, name string) string {
		for i, c := range focusColumns {
			if c == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	var sumBytes int64
	var sumBilled supersim.Decimal
	for _, row := range rows[1:] {
		sumBytes += mustInt(t, col(row, "ConsumedQuantity"))
		sumBilled = sumBilled.Add(supersim.MustParseDecimal(col(row, "BilledCost")))
		assert.Equal(t, col(row, "BilledCost"), col(row, "EffectiveCost"))
		for name, want := range map[string]string{
			"ChargeCategory": "Usage", "ConsumedUnit": "Bytes", "ProviderName": "Twilio", "PublisherName": "Twilio",
			"InvoiceIssuerName": "Twilio", "ServiceName": "Super SIM", "ServiceCategory": "Internet of Things",
			"BillingAccountId": supersimtest.AccountSID, "ListCost": "", "ContractedCost": "", "BillingAccountName": "",
		} {
			assert.Equal(t, want, col(row, name), name)
		}
		assert.Regexp(t, `^HS[0-9a-f]{32}$`, col(row, "ResourceId"))
		start := col(row, "ChargePeriodStart")
		month := start[:7] + "-01T00:00:00Z"
		assert.Equal(t, month, col(row, "BillingPeriodStart"), "the calendar month of the charge")
		next, err := time.Parse(time.RFC3339, month)
		require.NoError(t, err)
		assert.Equal(t, stamp(next.AddDate(0, 1, 0)), col(row, "BillingPeriodEnd"))
	}
	assert.Equal(t, bytes, sumBytes)
	assert.Zero(t, billed.Cmp(sumBilled), "%s vs %s", billed, sumBilled)

	// JSON Lines: the same values, null for null.
	j := runCmd(t, twilioEnv(), focusArgs("-base-url", srv.URL, "-format", "jsonl")...)
	require.Equal(t, exitOK, j.code, j.stderr)
	lines := bufio.NewScanner(strings.NewReader(j.stdout))
	n := 0
	for lines.Scan() {
		var obj map[string]any
		require.NoError(t, json.Unmarshal(lines.Bytes(), &obj))
		assert.Len(t, obj, len(focusColumns))
		assert.Nil(t, obj["ListCost"])
		assert.Contains(t, obj, "ListCost", "a null, not a missing column")
		assert.IsType(t, "", obj["BilledCost"], "an exact amount")
		assert.IsType(t, float64(0), obj["x_DataUpload"])
		assert.Equal(t, col(rows[n+1], "BilledCost"), obj["BilledCost"])
		n++
	}
	assert.Equal(t, records, n)
}

// TestFocusSchemaNamesKORE checks that a KORE client's rows name KORE, in
// Parquet.
func TestFocusSchemaNamesKORE(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithClock(clock))
	t.Cleanup(srv.Close)
	env := []string{"KORE_CLIENT_ID=" + supersimtest.ClientID, "KORE_CLIENT_SECRET=" + supersimtest.ClientSecret}
	dir := filepath.Join(t.TempDir(), "focus")
	r := runCmd(t, env, focusArgs("-base-url", srv.URL, "-token-url", srv.TokenURL(), "-format", "parquet", "-o", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.parquet"))
	require.NoError(t, err)
	require.Len(t, paths, 3, "a part a day")
	for _, path := range paths {
		rows, err := parquet.ReadFile[focusReadRow](path)
		require.NoError(t, err)
		require.NotEmpty(t, rows)
		for _, row := range rows {
			assert.Equal(t, "KORE", row.ProviderName)
			assert.Equal(t, "KORE", row.InvoiceIssuerName)
			assert.Equal(t, "KORE", row.PublisherName)
			assert.Nil(t, row.ListCost)
			assert.Nil(t, row.BillingAccountName)
			require.NotNil(t, row.ResourceID)
			assert.Equal(t, row.BilledCost, row.EffectiveCost)
			assert.Equal(t, "Usage", row.ChargeCategory)
		}
	}
}

// TestFocusParquetTypes checks the FOCUS columns' Parquet types.
func TestFocusParquetTypes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "focus")
	srv := newFake(t)
	r := runCmd(t, twilioEnv(), focusArgs("-base-url", srv.URL, "-format", "parquet", "-o", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.parquet"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	file := openParquet(t, paths[0])
	var names []string
	for _, field := range file.Schema().Fields() {
		names = append(names, field.Name())
		kind := field.Type().Kind().String() + " " + field.Type().String()
		switch {
		case strings.HasSuffix(field.Name(), "Cost") || strings.HasSuffix(field.Name(), "Quantity"):
			assert.Equal(t, "FIXED_LEN_BYTE_ARRAY DECIMAL(38,9)", kind, field.Name())
		case strings.HasSuffix(field.Name(), "Start") || strings.HasSuffix(field.Name(), "End"):
			assert.Equal(t, "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", kind, field.Name())
		case strings.HasPrefix(field.Name(), "x_Data"):
			assert.Equal(t, "INT64 INT(64,true)", kind, field.Name())
		default:
			assert.Equal(t, "BYTE_ARRAY STRING", kind, field.Name())
		}
	}
	assert.Equal(t, focusColumns, names)
}

// focusReadRow is a FOCUS row as a reader sees it, with nulls as nil.
type focusReadRow struct {
	BilledCost         [16]byte  `parquet:"BilledCost,decimal(9:38)"`
	BillingAccountName *string   `parquet:"BillingAccountName,optional"`
	ChargeCategory     string    `parquet:"ChargeCategory"`
	ChargePeriodStart  time.Time `parquet:"ChargePeriodStart,timestamp(microsecond:utc)"`
	EffectiveCost      [16]byte  `parquet:"EffectiveCost,decimal(9:38)"`
	InvoiceIssuerName  string    `parquet:"InvoiceIssuerName"`
	ListCost           *[16]byte `parquet:"ListCost,optional,decimal(9:38)"`
	ProviderName       string    `parquet:"ProviderName"`
	PublisherName      string    `parquet:"PublisherName"`
	ResourceID         *string   `parquet:"ResourceId,optional"`
}
