package supersim_test

import (
	"encoding/json"
	"math/big"
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
