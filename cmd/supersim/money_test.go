package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// TestReportKeepsCurrenciesApart runs the report over a fleet billed in
// two currencies, with usage whose billing is pending: amounts are summed
// per currency, never across, in every format.
func TestReportKeepsCurrenciesApart(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	sample := func(sim string, hour int, billed, currency string) supersimtest.Sample {
		return supersimtest.Sample{Sim: sim, Fleet: "HF" + strings.Repeat("f", 32), Network: "HW" + strings.Repeat("e", 32), IsoCountry: "FR",
			Hour: day.Add(time.Duration(hour) * time.Hour), Upload: 1000, Download: 3000, Billed: supersim.MustParseDecimal(billed), Currency: currency}
	}
	simA, simB := "HS"+strings.Repeat("a", 32), "HS"+strings.Repeat("b", 32)
	srv := supersimtest.NewServer(supersimtest.WithClock(clock), supersimtest.WithSamples([]supersimtest.Sample{
		sample(simA, 1, "0.10", "USD"), sample(simA, 2, "0.05", "USD"), sample(simA, 3, "0", ""), // the last one pending
		sample(simB, 1, "1.50", "EUR"), sample(simB, 2, "0.25", "USD"),
	}))
	t.Cleanup(srv.Close)
	args := []string{"usage", "-base-url", srv.URL, "-group", "sim", "-granularity", "day", "-start", "2026-06-10", "-end", "2026-06-11"}

	table := runCmd(t, twilioEnv(), args...)
	require.Equal(t, exitOK, table.code, table.stderr)
	assert.Regexp(t, `\nHSbbbb…bbbb .* 1\.50 EUR\n +0\.25 USD\n`, table.stdout, "one line per currency")
	assert.Contains(t, table.stdout, "0.15 USD\n")
	assert.Regexp(t, `\nTOTAL .* 1\.50 EUR\n +0\.40 USD\n`, table.stdout, "the total, per currency")
	assert.Regexp(t, `\n2026-06-10 .* 1\.50 EUR\n +0\.40 USD\n`, table.stdout, "the day, per currency")
	assertFits(t, table.stdout)

	csvOut := runCmd(t, twilioEnv(), append(args, "-format", "csv")...)
	require.Equal(t, exitOK, csvOut.code, csvOut.stderr)
	assert.Contains(t, csvOut.stdout, "group,"+simB+",,2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,2000,6000,8000,1.50;0.25,EUR;USD,false\n")
	assert.Contains(t, csvOut.stdout, "group,"+simA+",,2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,3000,9000,12000,0.15,USD,false\n")
	assert.Contains(t, csvOut.stdout, "total,,,2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,5000,15000,20000,1.50;0.40,EUR;USD,false\n")

	jsonOut := runCmd(t, twilioEnv(), append(args, "-format", "json")...)
	require.Equal(t, exitOK, jsonOut.code, jsonOut.stderr)
	var rep struct{ Total struct{ Billed []jsonAmount } }
	require.NoError(t, json.Unmarshal([]byte(jsonOut.stdout), &rep))
	assert.Equal(t, []jsonAmount{{"1.50", "EUR"}, {"0.40", "USD"}}, rep.Total.Billed)
}

func TestBilledAmounts(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal
	for _, tt := range []struct {
		name       string
		b          billed
		lines      []string
		amts, curs string
	}{
		{"nothing", billed{}, []string{"0 "}, "0", ""},
		{"one currency", billed{"USD": d("1.25")}, []string{"1.25 USD"}, "1.25", "USD"},
		{"pending only", billed{"": d("0")}, []string{"0 (pending)"}, "0", ""},
		{"pending zero beside a currency", billed{"USD": d("1.25"), "": d("0")}, []string{"1.25 USD      "}, "1.25", "USD"},
		{"pending amount beside currencies", billed{"USD": d("1"), "EUR": d("2"), "": d("0.5")},
			[]string{"2 EUR      ", "1 USD      ", "0.5 (pending)"}, "2;1;0.5", "EUR;USD;"},
	} {
		assert.Equal(t, tt.lines, tt.b.lines(unitWidth(tt.b)), "%s: units padded to one width", tt.name)
		amts, curs := tt.b.columns()
		assert.Equal(t, tt.amts, amts, tt.name)
		assert.Equal(t, tt.curs, curs, tt.name)
	}
}

// TestTableFits80ColumnsWithEveryCurrencyAndSIDFilters reads SIMs billed in
// three currencies and pending, with large amounts, filtered by SIDs: the
// table still fits 80 columns, each currency on a line of its own.
func TestTableFits80ColumnsWithEveryCurrencyAndSIDFilters(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	fleet, network := "HF"+strings.Repeat("f", 32), "HW"+strings.Repeat("e", 32)
	sims := []string{"HS" + strings.Repeat("a", 32), "HS" + strings.Repeat("b", 32), "HS" + strings.Repeat("a", 28) + "cccc", "HS" + strings.Repeat("1", 32)}
	var samples []supersimtest.Sample
	for hour := range 48 {
		for i, sim := range sims {
			currency := []string{"USD", "EUR", "", "GBP"}[(hour+i)%4]
			amount := "0.000001"
			if i == 3 {
				amount = "123456.123456789"
			}
			samples = append(samples, supersimtest.Sample{Sim: sim, Fleet: fleet, Network: network, IsoCountry: "FR",
				Hour: start.Add(time.Duration(hour) * time.Hour), Upload: 1 << 30, Download: 1 << 40,
				Billed: supersim.MustParseDecimal(amount), Currency: currency})
		}
	}
	srv := supersimtest.NewServer(supersimtest.WithClock(clock), supersimtest.WithSamples(samples))
	t.Cleanup(srv.Close)
	for _, args := range [][]string{
		{"-group", "sim", "-top", "2"},
		{"-group", "sim", "-granularity", "day"},
		{"-group", "sim", "-granularity", "hour", "-fleet", fleet, "-network", network, "-sim", sims[3]},
	} {
		r := runCmd(t, twilioEnv(), append([]string{"usage", "-base-url", srv.URL, "-start", "2026-06-10", "-end", "2026-06-12"}, args...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assertFits(t, r.stdout)
		assert.Contains(t, r.stdout, " GBP\n", "%v", args)
		assert.Contains(t, r.stdout, " (pending)\n", "%v", args)
		if slices.Contains(args, "-sim") {
			assert.Contains(t, r.stdout, "Filters  sim HS1111…1111, fleet HFffff…ffff, network HWeeee…eeee\n")
		}
	}
}
