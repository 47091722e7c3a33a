package main

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/supersimkit/supersim"
)

// Parquet's DECIMAL(38,9), the type of amounts in Parquet exports, as
// BigQuery's NUMERIC: 38 digits, 9 of them after the point, stored as a
// 16-byte big-endian two's complement integer of the amount times 10^9.
const (
	decimalPrecision = 38
	decimalScale     = 9
)

// decimal128 is an amount as a Parquet DECIMAL(38,9) value. An amount
// that does not fit exactly (more than 9 digits after the point that are
// not zeros, or more than 29 before it) is an error: it is never rounded.
func decimal128(d supersim.Decimal) ([16]byte, error) {
	var out [16]byte
	text := d.String()
	if strings.ContainsAny(text, "eE") {
		// Exponent notation, as the API may send it: rounding to the
		// scale is exact only when it changes nothing, and writes the
		// amount in plain notation.
		plain := d.Round(decimalScale)
		if plain.Cmp(d) != 0 {
			return out, tooPrecise(text)
		}
		text = plain.String()
	}
	negative := strings.HasPrefix(text, "-")
	whole, fraction, _ := strings.Cut(strings.TrimPrefix(text, "-"), ".")
	if len(fraction) > decimalScale {
		if strings.Trim(fraction[decimalScale:], "0") != "" {
			return out, tooPrecise(text)
		}
		fraction = fraction[:decimalScale]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > decimalPrecision-decimalScale {
		return out, fmt.Errorf("amount %s has more than %d digits before the point: it does not fit DECIMAL(%d,%d)",
			text, decimalPrecision-decimalScale, decimalPrecision, decimalScale)
	}
	digits := whole + fraction + strings.Repeat("0", decimalScale-len(fraction))
	if len(digits) <= 18 { // fits an int64: the common case, without allocations
		var n int64
		for i := 0; i < len(digits); i++ {
			n = n*10 + int64(digits[i]-'0')
		}
		if negative {
			n = -n
		}
		fill := byte(0)
		if n < 0 {
			fill = 0xff
		}
		for i := range 8 {
			out[i] = fill
			out[15-i] = byte(uint64(n) >> (8 * i))
		}
		return out, nil
	}
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return out, fmt.Errorf("amount %q is not a decimal number", text)
	}
	if negative {
		// Two's complement in 128 bits: 2^128 - |n|.
		n.Sub(new(big.Int).Lsh(big.NewInt(1), 128), n)
	}
	n.FillBytes(out[:])
	return out, nil
}

// tooPrecise is the error for an amount with more digits after the point
// than DECIMAL(38,9) holds.
func tooPrecise(text string) error {
	return fmt.Errorf("amount %s has more than %d digits after the point: it does not fit DECIMAL(%d,%d), and is never rounded",
		text, decimalScale, decimalPrecision, decimalScale)
}
