package supersimtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// billedSample is usage of simA in hour h of day1, billed amount in currency.
func billedSample(h int, amount, currency string) supersimtest.Sample {
	return supersimtest.Sample{Sim: simA, Fleet: fleetX, Network: netFR, IsoCountry: "FR", Hour: day1.Add(time.Duration(h) * time.Hour),
		Upload: 1, Download: 10, Billed: supersim.MustParseDecimal(amount), Currency: currency}
}

func TestTotalsAreExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amounts []string
		want    string
	}{
		{nil, "0"},
		{[]string{"0.1", "0.1", "0.1"}, "0.3"},
		{[]string{"0.10", "0.1"}, "0.20"},
		{[]string{"0.1", "0.03"}, "0.13"},
		{[]string{"2e-3", "1"}, "1.002"},
		{[]string{"1.5e1", "0"}, "15"},
		{[]string{"-0.5", "0.25"}, "-0.25"},
		{[]string{"123456789012345678901234567890.5", "0.5", "9223372036854775807"}, "123456789021569050938089343698.0"},
	}
	for _, tt := range tests {
		var samples []supersimtest.Sample
		var walked supersimtest.Totals
		for i, a := range tt.amounts {
			samples = append(samples, billedSample(i, a, "USD"))
			walked.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal(a), BilledUnit: "USD"})
		}
		srv := newServer(t, supersimtest.WithSamples(samples))
		got := srv.Totals(supersimtest.Filter{Start: day1, End: day2})
		assert.Equal(t, tt.want, got.Billed.String(), "%v", tt.amounts)
		assert.Equal(t, tt.want, walked.Billed.String(), "%v", tt.amounts)
		assert.Equal(t, tt.want, got.Billed.In("USD").String(), "%v", tt.amounts)
		assert.True(t, got.Billed.Equal(walked.Billed))
		assert.Equal(t, len(tt.amounts), got.Records)

		if len(tt.amounts) > 0 { // the API sends the same sum
			_, body := list(t, srv, "StartTime=2026-06-01T00:00:00Z&EndTime=2026-06-02T00:00:00Z")
			recs := records(body)
			require.Len(t, recs, 1)
			assert.Equal(t, tt.want, recs[0]["data_total_billed"])
		}
	}
}

func TestMoneyComparesByValue(t *testing.T) {
	t.Parallel()
	var a, b supersimtest.Totals
	a.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0.10"), BilledUnit: "USD"})
	b.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0.1"), BilledUnit: "USD"})
	assert.True(t, a.Billed.Equal(b.Billed))
	assert.Zero(t, a.Billed.In("USD").Cmp(b.Billed.In("USD")))
	assert.NotEqual(t, a.Billed.String(), b.Billed.String(), "the digits differ")

	b.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0.01"), BilledUnit: "USD"})
	assert.False(t, a.Billed.Equal(b.Billed))
	assert.Equal(t, -1, a.Billed.In("USD").Cmp(b.Billed.In("USD")))
	assert.Equal(t, 1, b.Billed.In("USD").Cmp(a.Billed.In("USD")))

	c := a // copies are independent
	c.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("1"), BilledUnit: "USD"})
	assert.Equal(t, "0.10", a.Billed.String())
	assert.Equal(t, "1.10", c.Billed.String())

	var eur supersimtest.Totals
	eur.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0.10"), BilledUnit: "EUR"})
	assert.False(t, a.Billed.Equal(eur.Billed), "the same amount in another currency")
}

func TestMixedCurrenciesAndPendingBilling(t *testing.T) {
	t.Parallel()
	srv := newServer(t, supersimtest.WithSamples([]supersimtest.Sample{
		billedSample(1, "0.50", "USD"),
		billedSample(2, "0.25", "EUR"),
		billedSample(3, "0.25", "USD"),
		billedSample(4, "0", ""), // billing pending
		billedSample(5, "0", ""),
	}))
	_, body := list(t, srv, "StartTime=2026-06-01T00:00:00Z&EndTime=2026-06-02T00:00:00Z&Group=sim")
	recs := records(body)
	require.Len(t, recs, 3, "one record per currency, pending usage apart")
	type rec struct {
		billed, unit any
		total        float64
	}
	var got []rec
	for _, r := range recs {
		assert.Equal(t, simA, r["sim_sid"])
		got = append(got, rec{r["data_total_billed"], r["billed_unit"], r["data_total"].(float64)})
	}
	assert.Equal(t, []rec{{"0", nil, 22}, {"0.25", "EUR", 11}, {"0.75", "USD", 22}}, got, "pending first, then by currency")

	want := srv.Totals(supersimtest.Filter{Start: day1, End: day2})
	assert.Equal(t, []string{"EUR", "USD"}, want.Billed.Currencies())
	assert.Equal(t, "0.25", want.Billed.In("EUR").String())
	assert.Equal(t, "0.75", want.Billed.In("USD").String())
	assert.Equal(t, "0", want.Billed.In("GBP").String())
	assert.Equal(t, "0.25 EUR + 0.75 USD", want.Billed.String())
	assert.Equal(t, int64(55), want.Total, "pending usage counts in bytes")

	// The SDK walks it, and its sum matches the dataset's.
	client, err := srv.Client()
	require.NoError(t, err)
	var walked supersimtest.Totals
	for r, err := range client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		StartTime: day1, EndTime: day2, Granularity: supersim.GranularityHour}).All() {
		require.NoError(t, err)
		walked.AddRecord(r)
	}
	assert.Equal(t, 5, walked.Records)
	assert.True(t, want.Billed.Equal(walked.Billed), "walked %s, want %s", walked.Billed, want.Billed)
	assert.Equal(t, want.Total, walked.Total)
}

func TestAmountWithoutACurrency(t *testing.T) {
	t.Parallel()
	var got supersimtest.Totals
	got.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0"), BilledUnit: ""})
	assert.Empty(t, got.Billed.Currencies(), "pending and billed nothing: no money")
	assert.Equal(t, "0", got.Billed.String())
	got.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("0.5"), BilledUnit: ""})
	got.AddRecord(supersim.UsageRecord{DataTotalBilled: supersim.MustParseDecimal("1"), BilledUnit: "USD"})
	assert.Equal(t, []string{"", "USD"}, got.Billed.Currencies(), "an amount without a unit is kept, not dropped")
	assert.Equal(t, "0.5 + 1 USD", got.Billed.String())
}
