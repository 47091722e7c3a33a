package main

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// parquetReadRow is a row of a Parquet export as a reader sees it, with
// nulls as nil.
type parquetReadRow struct {
	AccountSID      string    `parquet:"account_sid"`
	SimSID          *string   `parquet:"sim_sid,optional"`
	FleetSID        *string   `parquet:"fleet_sid,optional"`
	NetworkSID      *string   `parquet:"network_sid,optional"`
	IsoCountry      *string   `parquet:"iso_country,optional"`
	StartTime       time.Time `parquet:"start_time,timestamp(microsecond:utc)"`
	EndTime         time.Time `parquet:"end_time,timestamp(microsecond:utc)"`
	DataUpload      int64     `parquet:"data_upload"`
	DataDownload    int64     `parquet:"data_download"`
	DataTotal       int64     `parquet:"data_total"`
	DataTotalBilled [16]byte  `parquet:"data_total_billed,decimal(9:38)"`
	BilledUnit      *string   `parquet:"billed_unit,optional"`
}

// cell is a nullable cell as the CSV export writes it; null is "\N" so
// that a test tells it from "".
func cell(s *string) string {
	if s == nil {
		return `\N`
	}
	return *s
}

// line is the row as a CSV export's line, the amount as its unscaled
// DECIMAL(38,9) value.
func (r parquetReadRow) line() string {
	return strings.Join([]string{r.AccountSID, cell(r.SimSID), cell(r.FleetSID), cell(r.NetworkSID), cell(r.IsoCountry),
		stamp(r.StartTime), stamp(r.EndTime), strconv.FormatInt(r.DataUpload, 10), strconv.FormatInt(r.DataDownload, 10),
		strconv.FormatInt(r.DataTotal, 10), unscaled(r.DataTotalBilled).String(), cell(r.BilledUnit)}, ",")
}

// readParquetDir reads every part file of a Parquet export: each file's
// rows as lines (see line), by its path under dir. It fails the test on
// a file under a final name that is not a whole Parquet file.
func readParquetDir(t *testing.T, dir string) map[string][]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*"+partSuffix))
	require.NoError(t, err)
	files := map[string][]string{}
	for _, path := range paths {
		rows, err := parquet.ReadFile[parquetReadRow](path)
		require.NoError(t, err, "%s is a whole Parquet file", path)
		rel, err := filepath.Rel(dir, path)
		require.NoError(t, err)
		for _, row := range rows {
			files[rel] = append(files[rel], row.line())
		}
	}
	return files
}

// csvAsParquetLines reads a CSV export as the lines of readParquetDir:
// empty cells of nullable columns as null, amounts unscaled.
func csvAsParquetLines(t *testing.T, text string) []string {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	require.NoError(t, err)
	var out []string
	for _, rec := range records[1:] {
		for _, i := range []int{1, 2, 3, 4, 11} {
			if rec[i] == "" {
				rec[i] = `\N`
			}
		}
		billed, err := decimal128(supersim.MustParseDecimal(rec[10]))
		require.NoError(t, err)
		rec[10] = unscaled(billed).String()
		out = append(out, strings.Join(rec, ","))
	}
	return out
}

// allLines is every line of files, in the order of their part numbers.
func allLines(files map[string][]string) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	var out []string
	for _, name := range names {
		out = append(out, files[name]...)
	}
	return out
}

// TestParquetExportHoldsTheCSVExportsRows exports the same query as CSV
// and as Parquet: the same rows in the same order (parts in number
// order), each in the partition of its start date, with nulls where the
// CSV export has empty cells.
func TestParquetExportHoldsTheCSVExportsRows(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, group := range []string{"sim", "isoCountry"} {
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			args := []string{"export", "-base-url", srv.URL, "-group", group, "-granularity", "hour", "-start", "2026-06-10T05:00:00Z", "-end", "2026-06-14T00:00:00Z", "-page-size", "300"}
			plain := runCmd(t, twilioEnv(), args...)
			require.Equal(t, exitOK, plain.code, plain.stderr)
			dir := filepath.Join(t.TempDir(), "table")
			r := runCmd(t, twilioEnv(), append(args, "-format", "parquet", "-o", dir)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			want := csvAsParquetLines(t, plain.stdout)
			assert.Regexp(t, `exported `+strconv.Itoa(len(want))+` records \(4 files\) to `, r.stderr)

			files := readParquetDir(t, dir)
			assert.Equal(t, want, allLines(files), "the CSV export's rows, in its order")
			for name, rows := range files {
				date := strings.TrimPrefix(filepath.Dir(name), "date=")
				for _, row := range rows {
					assert.Equal(t, date, strings.Split(row, ",")[5][:10], "%s holds the records that start on %s", name, date)
				}
			}
			assert.Contains(t, files, filepath.Join("date=2026-06-10", "part-00003.parquet"), "newest first, numbered across the export")
			leftovers, err := filepath.Glob(filepath.Join(dir, "*", "*"+partialSuffix))
			require.NoError(t, err)
			assert.Empty(t, leftovers)
		})
	}
}

// TestParquetExportTypes checks the column types a reader sees.
func TestParquetExportTypes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "table")
	srv := newFake(t)
	r := runCmd(t, twilioEnv(), "export", "-base-url", srv.URL, "-format", "parquet", "-group", "sim", "-granularity", "day", "-start", "2026-06-13", "-end", "2026-06-14", "-o", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	file := openParquet(t, filepath.Join(dir, "date=2026-06-13", "part-00000.parquet"))
	types := map[string]string{}
	var names []string
	for _, field := range file.Schema().Fields() {
		names = append(names, field.Name())
		types[field.Name()] = field.Type().Kind().String() + " " + field.Type().String()
		if field.Name() == "data_total_billed" {
			assert.Equal(t, 16, field.Type().Length(), "16 bytes hold 38 digits")
		}
		if field.Optional() {
			types[field.Name()] += " optional"
		}
	}
	assert.Equal(t, exportCSVHeader, names, "the CSV export's columns")
	assert.Equal(t, map[string]string{
		"account_sid": "BYTE_ARRAY STRING", "sim_sid": "BYTE_ARRAY STRING optional", "fleet_sid": "BYTE_ARRAY STRING optional",
		"network_sid": "BYTE_ARRAY STRING optional", "iso_country": "BYTE_ARRAY STRING optional", "billed_unit": "BYTE_ARRAY STRING optional",
		"start_time": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", "end_time": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
		"data_upload": "INT64 INT(64,true)", "data_download": "INT64 INT(64,true)", "data_total": "INT64 INT(64,true)",
		"data_total_billed": "FIXED_LEN_BYTE_ARRAY DECIMAL(38,9)",
	}, types)
}

// openParquet opens the Parquet file at path, for its schema.
func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	info, err := f.Stat()
	require.NoError(t, err)
	file, err := parquet.OpenFile(f, info.Size())
	require.NoError(t, err)
	return file
}

// TestParquetExportRefusesWhatItCannotWrite checks the usage errors
// (exit 2, nothing read) and an amount DECIMAL(38,9) cannot hold (exit 1,
// no file left).
func TestParquetExportRefusesWhatItCannotWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	full := filepath.Join(dir, "full")
	demo := newFake(t)
	r := runCmd(t, twilioEnv(), "export", "-base-url", demo.URL, "-format", "parquet", "-granularity", "day", "-start", "2026-06-13", "-end", "2026-06-14", "-o", full)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "-format parquet needs -o DIR"},
		{[]string{"-o", file}, "is not a directory"},
		{[]string{"-o", full}, "already holds an export (" + filepath.Join(full, "date=2026-06-13", "part-00000.parquet")},
		{[]string{"-o", dir, "-checkpoint", dir}, "name the same path"},
	} {
		r := runCmd(t, twilioEnv(), append([]string{"export", "-base-url", demo.URL, "-format", "parquet"}, tt.args...)...)
		assert.Equal(t, exitUsage, r.code, tt.want)
		assert.Contains(t, r.stderr, tt.want)
	}

	// A partition that cannot be made: exit 1, and the parts written before it removed.
	blocked := filepath.Join(dir, "blocked")
	require.NoError(t, os.MkdirAll(blocked, 0o777))
	require.NoError(t, os.WriteFile(filepath.Join(blocked, "date=2026-06-12"), nil, 0o644))
	r = runCmd(t, twilioEnv(), "export", "-base-url", demo.URL, "-format", "parquet", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-14", "-o", blocked)
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "writing the output failed")
	assert.Equal(t, []string{"date=2026-06-12"}, files(t, blocked), "no part file left")

	hour := fixedNow.Truncate(time.Hour).Add(-3 * time.Hour)
	srv := supersimtest.NewServer(supersimtest.WithClock(clock), supersimtest.WithSamples([]supersimtest.Sample{
		{Sim: "HS" + strings.Repeat("a", 32), Fleet: "HF" + strings.Repeat("b", 32), Network: "HW" + strings.Repeat("c", 32), IsoCountry: "FR",
			Hour: hour, Upload: 1, Download: 2, Billed: supersim.MustParseDecimal("0.0000000001"), Currency: "USD"},
	}))
	t.Cleanup(srv.Close)
	out := filepath.Join(dir, "precise")
	r = runCmd(t, twilioEnv(), "export", "-base-url", srv.URL, "-format", "parquet", "-granularity", "hour",
		"-start", stamp(hour), "-end", stamp(hour.Add(time.Hour)), "-o", out)
	assert.Equal(t, exitAPIError, r.code, r.stderr)
	assert.Contains(t, r.stderr, "amount 0.0000000001 has more than 9 digits after the point: it does not fit DECIMAL(38,9), and is never rounded")
	assert.Contains(t, r.stderr, out+" not written")
	left, err := filepath.Glob(filepath.Join(out, "*", "*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no file left")
}

// TestParquetCheckpointResumesByPartFiles fails an export half way and
// resumes it: the finished part files are kept, the one being written is
// redone, and the table is the one an uninterrupted export writes.
func TestParquetCheckpointResumesByPartFiles(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	g := newGate(t, srv)
	dir := t.TempDir()
	args := func(out string, extra ...string) []string {
		return append([]string{"export", "-base-url", g.URL, "-format", "parquet", "-group", "sim", "-granularity", "hour",
			"-start", "2026-06-10", "-end", "2026-06-14", "-page-size", "500", "-concurrency", "0", "-o", out}, extra...)
	}
	clean := filepath.Join(dir, "clean")
	r := runCmd(t, twilioEnv(), args(clean)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	want := readParquetDir(t, clean)
	require.Len(t, want, 4, "a part a day")
	pages := len(g.queries())

	out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "out.ckpt")
	g.set(pages/2+1, 0)
	failed := runCmd(t, twilioEnv(), args(out, "-checkpoint", cp)...)
	require.Equal(t, exitAPIError, failed.code, failed.stderr)
	saved := readCheckpoint(t, cp)
	require.NotNil(t, saved.Next)
	assert.Positive(t, saved.Parts, "some parts finished")
	assert.Contains(t, failed.stderr, "the checkpoint counts "+plural(int(saved.Records), "record")+" in "+plural(int(saved.Parts), "file"))
	partials, err := filepath.Glob(filepath.Join(out, "*", "*"+partialSuffix))
	require.NoError(t, err)
	assert.Len(t, partials, 1, "the part being written is left .partial")
	kept := readParquetDir(t, out)
	assert.Len(t, kept, int(saved.Parts))
	for name, rows := range kept {
		assert.Equal(t, want[name], rows, "%s is whole, as in the clean export", name)
	}

	// A part renamed before a kill could save the checkpoint: the resumed run redoes it.
	stray := filepath.Join(out, "date=2026-06-01", "part-"+strconv.Itoa(int(100000 + saved.Parts))[1:]+".parquet")
	require.NoError(t, os.MkdirAll(filepath.Dir(stray), 0o777))
	require.NoError(t, os.WriteFile(stray, []byte("PAR1"), 0o644))

	g.set(0, 0)
	resumed := runCmd(t, twilioEnv(), args(out, "-checkpoint", cp)...)
	require.Equal(t, exitOK, resumed.code, resumed.stderr)
	assert.Equal(t, want, readParquetDir(t, out), "the same files with the same rows")
	assert.Less(t, len(g.queries()), pages, "the resumed run asked only for what was left")
	assert.Nil(t, readCheckpoint(t, cp).Next, "marked complete")
	partials, err = filepath.Glob(filepath.Join(out, "*", "*"+partialSuffix))
	require.NoError(t, err)
	assert.Empty(t, partials)

	// A part file gone behind the checkpoint's back is refused.
	g.set(pages/2+1, 0)
	other, otherCp := filepath.Join(dir, "other"), filepath.Join(dir, "other.ckpt")
	require.Equal(t, exitAPIError, runCmd(t, twilioEnv(), args(other, "-checkpoint", otherCp)...).code)
	first, err := filepath.Glob(filepath.Join(other, "*", "part-00000.parquet"))
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.NoError(t, os.Remove(first[0]))
	g.set(0, 0)
	r = runCmd(t, twilioEnv(), args(other, "-checkpoint", otherCp)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "part files it counts")
}

// TestKilledParquetExportResumesToTheSameTable kills a checkpointed
// Parquet export (SIGKILL) at events of its runs: every file under a final
// name is a whole Parquet file, and once complete the table holds the
// files and rows of an export that was never killed.
func TestKilledParquetExportResumesToTheSameTable(t *testing.T) {
	t.Parallel()
	g := newKillGate(t, newFake(t))
	dir := t.TempDir()
	args := func(out string, extra ...string) []string {
		return append([]string{"export", "-base-url", g.URL, "-format", "parquet", "-group", "sim", "-granularity", "hour",
			"-start", "2026-06-12", "-end", "2026-06-15", "-page-size", "300", "-o", out}, extra...)
	}
	ref := filepath.Join(dir, "ref")
	for i := range 2 {
		g.arm(killPoint{})
		require.Equal(t, exitOK, run(t, commandProcess(args(filepath.Join(ref, strconv.Itoa(i))), io.Discard), nil, g.release))
	}
	want := readParquetDir(t, filepath.Join(ref, "0"))
	require.Equal(t, want, readParquetDir(t, filepath.Join(ref, "1")))
	require.Len(t, want, 3)

	out, cp := filepath.Join(dir, "out"), filepath.Join(dir, "out.ckpt")
	kills := killedUntilDone(t, g, func() *exec.Cmd { return commandProcess(args(out, "-checkpoint", cp), io.Discard) }, func(code int) {
		for name, rows := range readParquetDir(t, out) { // fails on a part file under its final name that is not whole
			if code < 0 {
				continue // a killed run may leave a whole part the checkpoint does not count yet
			}
			assert.Equal(t, want[name], rows, name)
		}
	})
	assert.Equal(t, want, readParquetDir(t, out), "the same files with the same rows")
	t.Logf("%d kills", kills)
	assert.Positive(t, kills)
	_, err := os.Stat(cp)
	assert.False(t, errors.Is(err, os.ErrNotExist), "the checkpoint says complete")
}
