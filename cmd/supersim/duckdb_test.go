//go:build duckdb

package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// The DuckDB checks read exports back with a real reader, DuckDB, through
// its Node.js client @duckdb/node-api installed in $DUCKDB_DIR (.ci/run
// installs the pinned version in .ci/duckdb). They fail when DuckDB cannot
// run: they never skip.

// duckdbScript runs the SQL statements of its arguments and prints each
// one's rows as JSON, one line per statement.
const duckdbScript = `
import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
for (const sql of process.argv.slice(1)) {
	const reader = await conn.runAndReadAll(sql);
	console.log(JSON.stringify(reader.getRowObjectsJson()));
}
`

// duckdb runs the statements in DuckDB and returns each one's rows, every
// value as DuckDB writes it in JSON (numbers of any size as strings).
func duckdb(t *testing.T, statements ...string) [][]map[string]any {
	t.Helper()
	dir := os.Getenv("DUCKDB_DIR")
	require.NotEmpty(t, dir, "DUCKDB_DIR must name the directory where @duckdb/node-api is installed (.ci/run installs it in .ci/duckdb)")
	cmd := exec.Command("node", append([]string{"--input-type=module", "-e", duckdbScript}, statements...)...)
	cmd.Dir = dir // node resolves @duckdb/node-api from here
	out, err := cmd.Output()
	var exit *exec.ExitError
	errors.As(err, &exit)
	require.NoError(t, err, "DuckDB did not run: %s", stderrOf(exit))
	var results [][]map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rows []map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rows), line)
		results = append(results, rows)
	}
	require.Len(t, results, len(statements))
	return results
}

func stderrOf(err *exec.ExitError) string {
	if err == nil {
		return ""
	}
	return string(err.Stderr)
}

// totals is what the checks compare: rows, byte sums and the exact amount.
type totals struct {
	Rows, Upload, Download, Total string
	Billed                        string // DECIMAL(38,9) as text
}

// duckTotals is the SQL of totals over a table expression.
func duckTotals(from, upload, download, total, billed string) string {
	return fmt.Sprintf(`SELECT count(*)::VARCHAR AS rows, sum(%s)::VARCHAR AS upload, sum(%s)::VARCHAR AS download,
		sum(%s)::VARCHAR AS total, sum(%s)::VARCHAR AS billed FROM %s`, upload, download, total, billed, from)
}

func totalsOf(row map[string]any) totals {
	return totals{fmt.Sprint(row["rows"]), fmt.Sprint(row["upload"]), fmt.Sprint(row["download"]), fmt.Sprint(row["total"]), fmt.Sprint(row["billed"])}
}

// csvTotals sums a CSV export in Go, exactly, without DuckDB.
func csvTotals(t *testing.T, path string) totals {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var up, down, total int64
	var billed supersim.Decimal
	for _, row := range rows[1:] {
		for i, sum := range []*int64{&up, &down, &total} {
			n, err := strconv.ParseInt(row[7+i], 10, 64)
			require.NoError(t, err)
			*sum += n
		}
		billed = billed.Add(supersim.MustParseDecimal(row[10]))
	}
	return totals{strconv.Itoa(len(rows) - 1), strconv.FormatInt(up, 10), strconv.FormatInt(down, 10),
		strconv.FormatInt(total, 10), billed.Round(9).String()}
}

// parquetTable is DuckDB's table expression of a Parquet export.
func parquetTable(dir string) string {
	return fmt.Sprintf("read_parquet('%s', hive_partitioning = true)", filepath.Join(dir, "*", "*.parquet"))
}

// TestDuckDBReadsTheParquetExport exports one query as CSV, as Parquet, as
// Parquet killed (SIGKILL) and resumed again and again, and as FOCUS
// Parquet, and reads them with DuckDB: the same rows, byte sums and exact
// amounts as the CSV export, the column types of the README, and the same
// rows after the kills.
func TestDuckDBReadsTheParquetExport(t *testing.T) {
	version := duckdb(t, "SELECT version() AS v") // first: fail at once when DuckDB cannot run
	t.Logf("DuckDB %v", version[0][0]["v"])
	g := newKillGate(t, newFake(t))
	dir := t.TempDir()
	args := func(extra ...string) []string {
		return append([]string{"export", "-base-url", g.URL, "-group", "sim", "-granularity", "hour",
			"-start", "2026-06-08", "-end", "2026-06-15", "-page-size", "500"}, extra...)
	}
	csvPath, table, resumed, focus := filepath.Join(dir, "usage.csv"), filepath.Join(dir, "table"), filepath.Join(dir, "resumed"), filepath.Join(dir, "focus")
	for _, extra := range [][]string{{"-o", csvPath}, {"-format", "parquet", "-o", table}, {"-format", "parquet", "-schema", "focus", "-o", focus}} {
		r := runCmd(t, twilioEnv(), args(extra...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
	}

	// Killed and resumed: each run is killed at a later event than the last.
	kills := killedUntilDone(t, g, func() *exec.Cmd {
		return commandProcess(args("-format", "parquet", "-o", resumed, "-checkpoint", filepath.Join(dir, "resumed.ckpt")), io.Discard)
	}, func(int) {})
	t.Logf("%d kills before the export completed", kills)
	assert.Positive(t, kills)

	want := csvTotals(t, csvPath)
	require.NotEqual(t, "0", want.Rows)
	csvTable := fmt.Sprintf("read_csv('%s', header = true, types = {'data_total_billed': 'DECIMAL(38,9)'})", csvPath)
	got := duckdb(t,
		duckTotals(csvTable, "data_upload", "data_download", "data_total", "data_total_billed"),
		duckTotals(parquetTable(table), "data_upload", "data_download", "data_total", "data_total_billed"),
		duckTotals(parquetTable(resumed), "data_upload", "data_download", "data_total", "data_total_billed"),
		duckTotals(parquetTable(focus), "x_DataUpload", "x_DataDownload", "ConsumedQuantity::BIGINT", "BilledCost"),
		"DESCRIBE SELECT * FROM "+parquetTable(table),
		"DESCRIBE SELECT * FROM "+parquetTable(focus),
		fmt.Sprintf(`SELECT count(*)::VARCHAR AS n FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)`, parquetTable(table), parquetTable(resumed)),
		fmt.Sprintf(`SELECT count(*)::VARCHAR AS n FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)`, parquetTable(resumed), parquetTable(table)),
		fmt.Sprintf(`SELECT count(*)::VARCHAR AS n FROM %s WHERE date <> CAST(timezone('UTC', start_time) AS DATE)`, parquetTable(table)),
		fmt.Sprintf(`SELECT count(*)::VARCHAR AS n FROM %s WHERE sim_sid IS NULL OR fleet_sid IS NOT NULL OR billed_unit IS NULL`, parquetTable(table)),
	)
	for i, name := range []string{"the CSV export read by DuckDB", "the Parquet export", "the Parquet export killed and resumed", "the FOCUS Parquet export"} {
		require.Len(t, got[i], 1, name)
		assert.Equal(t, want, totalsOf(got[i][0]), "%s: rows, byte sums and the exact amount of the CSV export", name)
	}
	t.Logf("DuckDB: %+v in each", want)

	types := func(rows []map[string]any) map[string]string {
		out := map[string]string{}
		for _, row := range rows {
			out[fmt.Sprint(row["column_name"])] = fmt.Sprint(row["column_type"])
		}
		return out
	}
	assert.Equal(t, map[string]string{
		"account_sid": "VARCHAR", "sim_sid": "VARCHAR", "fleet_sid": "VARCHAR", "network_sid": "VARCHAR", "iso_country": "VARCHAR",
		"start_time": "TIMESTAMP WITH TIME ZONE", "end_time": "TIMESTAMP WITH TIME ZONE",
		"data_upload": "BIGINT", "data_download": "BIGINT", "data_total": "BIGINT",
		"data_total_billed": "DECIMAL(38,9)", "billed_unit": "VARCHAR", "date": "DATE",
	}, types(got[4]))
	focusTypes := types(got[5])
	for _, name := range []string{"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity", "PricingQuantity"} {
		assert.Equal(t, "DECIMAL(38,9)", focusTypes[name], name)
	}
	for _, name := range []string{"ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd"} {
		assert.Equal(t, "TIMESTAMP WITH TIME ZONE", focusTypes[name], name)
	}
	assert.Equal(t, "0", fmt.Sprint(got[6][0]["n"]), "no row of the clean export missing after the kills")
	assert.Equal(t, "0", fmt.Sprint(got[7][0]["n"]), "no row added or repeated by the kills")
	assert.Equal(t, "0", fmt.Sprint(got[8][0]["n"]), "each row in the partition of its start date")
	assert.Equal(t, "0", fmt.Sprint(got[9][0]["n"]), "nulls where the API sent null, and only there")
}
