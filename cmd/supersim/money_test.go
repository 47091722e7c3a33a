package main

import (
	"encoding/json"
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
	assert.Contains(t, table.stdout, "1.50 EUR + 0.25 USD")
	assert.Contains(t, table.stdout, "0.15 USD\n")
	assert.Contains(t, table.stdout, "1.50 EUR + 0.40 USD\n", "the total, per currency")
	assertFits(t, table.stdout)

	csvOut := runCmd(t, twilioEnv(), append(args, "-format", "csv")...)
	require.Equal(t, exitOK, csvOut.code, csvOut.stderr)
	assert.Contains(t, csvOut.stdout, "group,"+simB+",2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,2000,6000,8000,1.50;0.25,EUR;USD\n")
	assert.Contains(t, csvOut.stdout, "group,"+simA+",2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,3000,9000,12000,0.15,USD\n")
	assert.Contains(t, csvOut.stdout, "total,,2026-06-10T00:00:00Z,2026-06-11T00:00:00Z,5000,15000,20000,1.50;0.40,EUR;USD\n")

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
		name             string
		b                billed
		text, amts, curs string
	}{
		{"nothing", billed{}, "0", "0", ""},
		{"one currency", billed{"USD": d("1.25")}, "1.25 USD", "1.25", "USD"},
		{"pending only", billed{"": d("0")}, "0 (pending)", "0", ""},
		{"pending zero beside a currency", billed{"USD": d("1.25"), "": d("0")}, "1.25 USD", "1.25", "USD"},
		{"pending amount beside currencies", billed{"USD": d("1"), "EUR": d("2"), "": d("0.5")}, "2 EUR + 1 USD + 0.5 (pending)", "2;1;0.5", "EUR;USD;"},
	} {
		assert.Equal(t, tt.text, tt.b.String(), tt.name)
		amts, curs := tt.b.columns()
		assert.Equal(t, tt.amts, amts, tt.name)
		assert.Equal(t, tt.curs, curs, tt.name)
	}
}
