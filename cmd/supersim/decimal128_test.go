package main

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
)

// unscaled reads a DECIMAL(38,9) value back: the amount times 10^9.
func unscaled(b [16]byte) *big.Int {
	n := new(big.Int).SetBytes(b[:])
	if b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return n
}

func TestDecimal128IsExact(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ amount, want string }{
		{"0", "0"},
		{"0.03", "30000000"},
		{"-0.03", "-30000000"},
		{"1.123456789", "1123456789"},
		{"1.1234567890000", "1123456789"}, // zeros past the scale change nothing
		{"2e-3", "2000000"},
		{"-1.5E2", "-150000000000"},
		{"999999999.999999999", "999999999999999999"},     // the largest in an int64
		{"1000000000.000000001", "1000000000000000001"},   // the smallest past it
		{"-1000000000.000000001", "-1000000000000000001"}, // and negative
		{"99999999999999999999999999999.999999999", "99999999999999999999999999999999999999"},
		{"-99999999999999999999999999999.999999999", "-99999999999999999999999999999999999999"},
		{"000123.4", "123400000000"},
	} {
		got, err := decimal128(supersim.MustParseDecimal(tt.amount))
		require.NoError(t, err, tt.amount)
		assert.Equal(t, tt.want, unscaled(got).String(), tt.amount)
	}
}

func TestDecimal128RefusesWhatDoesNotFit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ amount, want string }{
		{"0.0000000001", "more than 9 digits after the point"},
		{"1.1234567891", "more than 9 digits after the point"},
		{"1e-10", "more than 9 digits after the point"},
		{"100000000000000000000000000000", "more than 29 digits before the point"},
		{"1e29", "more than 29 digits before the point"},
		{"-100000000000000000000000000000.5", "more than 29 digits before the point"},
	} {
		_, err := decimal128(supersim.MustParseDecimal(tt.amount))
		require.Error(t, err, tt.amount)
		assert.Contains(t, err.Error(), tt.want, tt.amount)
		assert.Contains(t, err.Error(), "DECIMAL(38,9)", tt.amount)
	}
}
