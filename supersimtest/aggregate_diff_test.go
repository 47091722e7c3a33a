package supersimtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// edgeSamples is usage in the corners of the store: SIDs that differ only
// in case, SIMs and fleets with and without names, pending usage, several
// currencies, amounts that overflow an int64 when added or have more than
// 18 fraction digits, negative and zero amounts, hours off the hour and
// out of order; every hour in loc.
func edgeSamples(loc *time.Location) []Sample {
	rng := rand.New(rand.NewPCG(7, 11))
	hex := func(prefix string, n int) string { return fmt.Sprintf("%s%032x", prefix, n) }
	sims := [][2]string{{hex("HS", 0xa), "alpha"}, {"HS" + fmt.Sprintf("%032X", 0xabc), "beta"}, {hex("HS", 0xabc), "beta"},
		{hex("HS", 0xb), ""}, {hex("HS", 0xc), "gamma"}, {hex("HS", 0xd), "alpha"}}
	fleets := [][2]string{{hex("HF", 1), "north"}, {hex("HF", 2), ""}, {"HF" + fmt.Sprintf("%032X", 0xf3), `a "quoted" <fleet>`}}
	networks := []string{hex("HW", 0xe1), "HW" + fmt.Sprintf("%032X", 0xe1), hex("HW", 0xe2), ""}
	countries := []string{"FR", "DE", "US", ""}
	currencies := []string{"USD", "EUR", "", "USD"}
	amounts := []string{"0.0125", "0.03", "0", "0.00", "-1.5", "2e-3", "2E3", "9223372036854775807", "-9223372036854775807",
		"0.0000000000000000001", "123456789012345678.9", "1e-25", "5", "0.000000000000000001"}
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	samples := make([]Sample, 3000)
	for i := range samples {
		sim, fleet := sims[rng.IntN(len(sims))], fleets[rng.IntN(len(fleets))]
		hour := base.Add(time.Duration(rng.IntN(72)) * time.Hour)
		if rng.IntN(50) == 0 {
			hour = hour.Add(30 * time.Minute)
		}
		currency := currencies[rng.IntN(len(currencies))]
		billed := amounts[rng.IntN(len(amounts))]
		if currency == "" && rng.IntN(2) == 0 {
			billed = "0"
		}
		samples[i] = Sample{Sim: sim[0], SimName: sim[1], Fleet: fleet[0], FleetName: fleet[1],
			Network: networks[rng.IntN(len(networks))], IsoCountry: countries[rng.IntN(len(countries))],
			Hour: hour.In(loc), Upload: rng.Int64N(1 << 20), Download: rng.Int64N(1 << 30),
			Billed: supersim.MustParseDecimal(billed), Currency: currency}
	}
	return samples
}

// edgeQueries are the queries of the differential test: every Group and
// Granularity, with and without each filter, over the whole range and a
// part of it whose ends are off the buckets.
func edgeQueries() []listQuery {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ranges := [][2]time.Time{{start, start.AddDate(0, 0, 3)}, {start.Add(7*time.Hour + 30*time.Minute), start.Add(50 * time.Hour)}}
	filters := []listQuery{{}, {sim: fmt.Sprintf("HS%032X", 0xa)}, {sim: "beta"}, {sim: "HSnot-a-sid"}, {fleet: "north"},
		{fleet: fmt.Sprintf("hf%032x", 0xf3)}, {network: fmt.Sprintf("HW%032X", 0xe1)}, {country: "FR"},
		{sim: "alpha", fleet: fmt.Sprintf("HF%032x", 1), country: "US"}}
	var queries []listQuery
	for _, group := range []string{"", "sim", "fleet", "network", "isoCountry"} {
		for _, granularity := range []string{"hour", "day", "all"} {
			for _, r := range ranges {
				for _, f := range filters {
					f.group, f.granularity, f.start, f.end = group, granularity, r[0], r[1]
					queries = append(queries, f)
				}
			}
		}
	}
	return queries
}

// TestAggregateRendersWhatTheReferenceRenders checks the store's
// aggregation and rendering against the aggregation of the samples
// themselves that the server did before it (aggregate_ref_test.go): the
// same records, byte for byte, for every query, on the demo dataset and
// on usage in the store's corners.
func TestAggregateRendersWhatTheReferenceRenders(t *testing.T) {
	demo := DemoDataset(5, time.Date(2026, 6, 4, 0, 0, 0, 0, time.UTC))
	datasets := map[string][]Sample{"demo": demo, "edge": edgeSamples(time.UTC), "edge CEST": edgeSamples(time.FixedZone("CEST", 7200))}
	for name, samples := range datasets {
		sorted := slices.Clone(samples)
		slices.SortStableFunc(sorted, func(a, b Sample) int { return a.Hour.Compare(b.Hour) })
		amounts := make([]Amount, len(sorted))
		for i, s := range sorted {
			amounts[i] = mustParseAmount(s.Billed.String())
		}
		for _, numbers := range []bool{false, true} {
			opts := []Option{WithSamples(samples)}
			if numbers {
				opts = append(opts, WithBilledAsNumber())
			}
			srv := NewServer(opts...)
			require.Equal(t, sorted, srv.Samples(), name)
			queries := edgeQueries()
			if name == "demo" {
				for i := range queries {
					queries[i].start, queries[i].end = demo[0].Hour.AddDate(0, 0, 30), demo[len(demo)-1].Hour
				}
			}
			for _, q := range queries {
				var want, got []byte
				for _, r := range q.refAggregate(sorted, amounts) {
					want = append(refAppendRecord(want, srv.account, numbers, r), '\n')
				}
				res := srv.usage.aggregate(&q)
				for i := range res.records {
					got = append(srv.appendRecord(got, &q, res, &res.records[i]), '\n')
				}
				require.Equal(t, string(want), string(got), "%s, numbers %v, %+v", name, numbers, q)
			}
			srv.Close()
		}
	}
}

// TestFixedAddsAndPrintsAsAmount checks fixed against Amount: the same
// sums, printed alike, and an overflow (of a term at the sum's scale, or
// of the sum) reported instead of a wrong sum.
func TestFixedAddsAndPrintsAsAmount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"0", "0.00", "-0.5", "9223372036854775807", "-9223372036854775807", "0.000000000000000001", "1e-18", "12.5"}
	for range 2000 {
		texts = append(texts, fmt.Sprintf("%d.%0*d", rng.Int64N(1e6)-5e5, rng.IntN(8), rng.IntN(100)), fmt.Sprintf("%de-%d", rng.Int64()>>rng.IntN(63), rng.IntN(19)))
	}
	for i, text := range texts {
		a := mustParseAmount(text)
		f, fits := fixedOf(a)
		require.True(t, fits, text)
		assert.Equal(t, a.String(), string(f.appendTo(nil)), text)
		b := mustParseAmount(texts[(i*7+3)%len(texts)])
		g, _ := fixedOf(b)
		sum := a.add(b)
		if s, ok := f.add(g); ok {
			assert.Equal(t, sum.String(), string(s.appendTo(nil)), "%s + %s", a, b)
		} else {
			inRange := sum.coef.IsInt64() && a.value(sum.scale).IsInt64() && b.value(sum.scale).IsInt64()
			assert.False(t, inRange && sum.scale <= maxFixedScale, "%s + %s overflowed", a, b)
		}
	}
	_, fits := fixedOf(mustParseAmount("1e-19"))
	assert.False(t, fits, "19 fraction digits")
}
