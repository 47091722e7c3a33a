package supersimtest

import (
	"math"
	"math/big"
	"strconv"
)

// fixed is an exact amount, coef × 10^-scale, in an int64: how the server
// adds the amounts that fit one, without allocating. It adds as [Amount]
// does (a sum keeps the larger scale) and reports an overflow instead of
// losing a digit; the server adds with Amount then.
type fixed struct {
	coef  int64
	scale int32 // 0 to maxFixedScale
}

const maxFixedScale = 18

var pow10s = [maxFixedScale + 1]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// fixedOf returns a as a fixed, false if it does not fit one.
func fixedOf(a Amount) (fixed, bool) {
	switch {
	case a.coef == nil:
		return fixed{}, a.scale == 0
	case a.scale > maxFixedScale || !a.coef.IsInt64():
		return fixed{}, false
	}
	return fixed{coef: a.coef.Int64(), scale: int32(a.scale)}, true
}

// add returns f + g at the larger scale, false if it overflows an int64.
func (f fixed) add(g fixed) (fixed, bool) {
	scale := max(f.scale, g.scale)
	a, okA := f.at(scale)
	b, okB := g.at(scale)
	sum := a + b
	if !okA || !okB || (a > 0 && b > 0 && sum < 0) || (a < 0 && b < 0 && sum >= 0) {
		return fixed{}, false
	}
	return fixed{coef: sum, scale: scale}, true
}

// at returns the coefficient at scale (at least f's), false if it
// overflows an int64.
func (f fixed) at(scale int32) (int64, bool) {
	if scale == f.scale {
		return f.coef, true
	}
	p := pow10s[scale-f.scale]
	if f.coef > math.MaxInt64/p || f.coef < math.MinInt64/p {
		return 0, false
	}
	return f.coef * p, true
}

// amount returns f as an Amount.
func (f fixed) amount() Amount { return Amount{coef: big.NewInt(f.coef), scale: int(f.scale)} }

// appendTo appends f as [Amount.String] prints it: "0.075", "3000.00", "0".
func (f fixed) appendTo(b []byte) []byte {
	u := uint64(f.coef)
	if f.coef < 0 {
		b = append(b, '-')
		u = -u
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	scale := int(f.scale)
	if scale == 0 {
		return append(b, digits...)
	}
	if zeros := scale - len(digits); zeros >= 0 {
		b = append(b, "0."...) // "0.0075": the digits are all fraction
		for range zeros {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	point := len(digits) - scale
	return append(append(append(b, digits[:point]...), '.'), digits[point:]...)
}
