package supersim_test

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "0.03", "-1.5", "1234567.89", "007", "2e-3", "1E+2", "0.000000000000000000001", "98765432109876543210.0123456789"} {
		d, err := supersim.ParseDecimal(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, d.String(), "every digit kept")
	}
	for _, s := range []string{"", "-", ".5", "5.", "1,5", "0x10", "NaN", "Inf", "1e", "1e+", "1e99999", " 1", "1.2.3", "+1", `1\u0030`} {
		_, err := supersim.ParseDecimal(s)
		assert.Error(t, err, "%q", s)
	}
	assert.Panics(t, func() { supersim.MustParseDecimal("x") })
}

func TestDecimalAppendIsString(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal
	for _, v := range []supersim.Decimal{{}, d("0.03"), d("-1.5"), d("007"), d("2e-3"), d("-0.00"),
		d("98765432109876543210.0123456789"), d("0.1").Add(d("0.03")), d("-2.50").Neg()} {
		assert.Equal(t, "x="+v.String(), string(v.Append([]byte("x="))), "%s", v)
	}
}

func TestDecimalArithmeticIsExact(t *testing.T) {
	t.Parallel()
	sum := supersim.Decimal{}
	cent3 := supersim.MustParseDecimal("0.03")
	for range 100_000 {
		sum = sum.Add(cent3)
	}
	assert.Equal(t, "3000.00", sum.String(), "float32 gives 3002.41")

	tests := []struct{ a, b, sum string }{
		{"0.1", "0.03", "0.13"},
		{"1234567.89", "0", "1234567.89"},
		{"-1.5", "1.5", "0.0"},
		{"2e-3", "1", "1.002"},
		{"1E+2", "0.5", "100.5"},
		{"99999999999999999999.99", "0.01", "100000000000000000000.00"},
	}
	for _, tt := range tests {
		got := supersim.MustParseDecimal(tt.a).Add(supersim.MustParseDecimal(tt.b))
		assert.Equal(t, tt.sum, got.String(), "%s + %s", tt.a, tt.b)
	}
}

func TestDecimalCompare(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal
	assert.Equal(t, 0, d("0.10").Cmp(d("0.1")))
	assert.Equal(t, -1, d("0.09").Cmp(d("0.1")))
	assert.Equal(t, 1, d("1e1").Cmp(d("9.99")))
	assert.True(t, supersim.Decimal{}.IsZero())
	assert.True(t, d("0.000").IsZero())
	assert.Equal(t, -1, d("-0.01").Sign())
	assert.Equal(t, "0", supersim.Decimal{}.String())
	assert.Equal(t, big.NewRat(3, 100), d("0.03").Rat())
}

func TestDecimalJSON(t *testing.T) {
	t.Parallel()
	var v struct{ A, B, C supersim.Decimal }
	require.NoError(t, json.Unmarshal([]byte(`{"A": "0.03", "B": 1234567.89, "C": null}`), &v))
	assert.Equal(t, "0.03", v.A.String())
	assert.Equal(t, "1234567.89", v.B.String())
	assert.True(t, v.C.IsZero())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"A": "0.03", "B": "1234567.89", "C": "0"}`, string(out))

	for _, bad := range []string{`{"A": "abc"}`, `{"A": true}`, `{"A": [1]}`, `{"A": "1\"2"}`, `{"A": "1\\u00302"}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &v), bad)
	}
}

// Issue 9, bug 9: a 200,000-digit amount made every later Add slow.
func TestParseDecimalBoundsTheDigits(t *testing.T) {
	t.Parallel()
	hundred := strings.Repeat("9", 100)
	for _, s := range []string{hundred, "-" + hundred + "." + hundred, "0." + hundred, "1e99", "1e-100", "0.5e-99", "00" + hundred[2:] + ".5"} {
		d, err := supersim.ParseDecimal(s)
		require.NoError(t, err, "%.20s", s)
		assert.Equal(t, s, d.String())
	}
	for _, s := range []string{"1" + hundred, "0." + hundred + "1", "1e100", "1e-101", "0.5e-100", "10e99", strings.Repeat("1", 200_000)} {
		_, err := supersim.ParseDecimal(s)
		require.Error(t, err, "%.20s", s)
		assert.Less(t, len(err.Error()), 200, "the error does not quote the whole amount")
		var d supersim.Decimal
		require.Error(t, d.UnmarshalJSON([]byte(s)), "%.20s", s)
	}
}

func TestDecimalSubNegRound(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal
	assert.Equal(t, "0.07", d("0.1").Sub(d("0.03")).String())
	assert.Equal(t, "-1.002", d("2e-3").Sub(d("1.004")).String())
	assert.Equal(t, "-0.50", d("0.50").Neg().String())
	assert.Equal(t, "0.002", d("-2e-3").Neg().String(), "a result is in plain notation")
	assert.Equal(t, "0.00", d("-0.00").Neg().String())
	assert.Equal(t, "0", supersim.Decimal{}.Neg().String())

	for _, tt := range []struct {
		in     string
		places int
		want   string
	}{
		{"0.125", 2, "0.13"}, {"-0.125", 2, "-0.13"}, {"0.1249", 2, "0.12"}, {"0.1", 2, "0.10"},
		{"2.5", 0, "3"}, {"-2.5", 0, "-3"}, {"1e-3", 2, "0.00"}, {"1250", -2, "1300"}, {"3000.004999", 2, "3000.00"},
	} {
		assert.Equal(t, tt.want, d(tt.in).Round(tt.places).String(), "%s to %d places", tt.in, tt.places)
	}

	total := supersim.Decimal{}
	for range 3 {
		total = total.Add(d("0.0375"))
	}
	assert.Equal(t, "0.1125", total.String())
	assert.Equal(t, "0.11", total.Round(2).String(), "sum first, then round")
}

func TestDecimalEqualityIsTextual(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal
	assert.True(t, d("0.06") == d("0.03").Add(d("0.03")), "same text, same Decimal")
	assert.True(t, d("0.10") != d("0.1"))
	assert.True(t, d("2e-3") != d("0.002"))
	assert.Equal(t, 0, d("2e-3").Cmp(d("0.002")))
	var fromJSON supersim.Decimal
	require.NoError(t, json.Unmarshal([]byte(`"0.06"`), &fromJSON))
	assert.Equal(t, d("0.03").Add(d("0.03")), fromJSON)
}

func TestDecimalRoundTakesAnyPlaces(t *testing.T) {
	t.Parallel()
	d := supersim.MustParseDecimal("1234.5678")
	for _, places := range []int{math.MaxInt, math.MinInt, 1 << 32, -(1 << 32), supersim.MaxRoundPlaces + 1, -supersim.MaxRoundPlaces - 1} {
		assert.NotPanics(t, func() { d.Round(places) }, "places %d", places)
	}
	assert.Equal(t, "0", d.Round(math.MinInt).String())
	assert.Equal(t, d.Round(supersim.MaxRoundPlaces).String(), d.Round(math.MaxInt).String())
}
