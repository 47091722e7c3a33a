// Package decimal holds exact base-10 numbers in a parsed form, so that
// arithmetic never reads text again: it is the arithmetic behind
// supersim.Decimal.
//
// A Number's coefficient lives in an int64 while it fits (the case of every
// real amount of money, which then costs no allocation), and in a big.Int
// beyond. Parse bounds the digits of what it reads, and the operations keep
// the scales of their operands, so every operation is linear in the digits
// involved.
package decimal

import (
	"errors"
	"math"
	"math/big"
	"strconv"
)

// The most digits Parse accepts before and after the decimal point, counted
// in plain notation (1e99 has 100 integer digits, 1e-100 has 100 fraction
// digits, leading and trailing zeros as written count too). They are far
// above any amount of money, and keep hostile input from making arithmetic
// slow.
const (
	MaxIntDigits  = 100
	MaxFracDigits = 100
)

// Errors of Parse.
var (
	ErrSyntax  = errors.New("not a decimal number")
	ErrTooLong = errors.New("more than 100 digits before or after the decimal point")
)

// Number is an exact value: a coefficient × 10^-scale, scale ≥ 0. The zero
// Number is 0. Numbers are values: no operation changes its operands.
type Number struct {
	small int64    // the coefficient when big is nil; never math.MinInt64
	big   *big.Int // the coefficient when it does not fit small; never modified
	scale int32
}

// Parse reads s: an optional minus sign, digits, an optional fraction and
// an optional exponent (the JSON number grammar, with leading zeros
// allowed), within [MaxIntDigits] and [MaxFracDigits]. canonical reports
// whether s is exactly what [Number.String] prints for n, so that a caller
// keeping the text need not keep it then.
func Parse[S ~string | ~[]byte](s S) (n Number, canonical bool, err error) {
	neg, intPart, frac, exp, hasExp, ok := split(s)
	if !ok {
		return Number{}, false, ErrSyntax
	}
	intDigits, fracDigits := len(intPart)+exp, len(frac)-exp
	if intDigits > MaxIntDigits || fracDigits > MaxFracDigits {
		return Number{}, false, ErrTooLong
	}
	if len(intPart)+len(frac) <= 18 { // at most 10^18-1: an int64
		for _, part := range [2]S{intPart, frac} {
			for i := range len(part) {
				n.small = n.small*10 + int64(part[i]-'0')
			}
		}
	} else {
		c, _ := new(big.Int).SetString(string(intPart)+string(frac), 10) // digits only: cannot fail
		n = fromBig(c, 0)
	}
	if neg {
		n = n.Neg()
	}
	if fracDigits < 0 { // a positive exponent moved digits before the point
		n = n.mulPow10(-fracDigits)
	} else {
		n.scale = int32(fracDigits)
	}
	zero := n.Sign() == 0
	canonical = !hasExp && !(neg && zero) && (len(intPart) == 1 || intPart[0] != '0')
	return n, canonical, nil
}

// split cuts s into its sign, the digits before and after the point, and
// the exponent (clamped far past the digit limits) if it has one. ok is
// false when s is not a number.
func split[S ~string | ~[]byte](s S) (neg bool, intPart, frac S, exp int, hasExp, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		neg, i = true, i+1
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart = s[start:i]
	if len(intPart) == 0 {
		return false, intPart, frac, 0, false, false
	}
	if i < len(s) && s[i] == '.' {
		start = i + 1
		for i = start; i < len(s) && isDigit(s[i]); i++ {
		}
		frac = s[start:i]
		if len(frac) == 0 {
			return false, intPart, frac, 0, false, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		hasExp = true
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg, i = s[i] == '-', i+1
		}
		start = i
		for ; i < len(s) && isDigit(s[i]); i++ {
			exp = min(exp*10+int(s[i]-'0'), 1<<20) // far past the limits, and no overflow
		}
		if i == start {
			return false, intPart, frac, 0, false, false
		}
		if expNeg {
			exp = -exp
		}
	}
	return neg, intPart, frac, exp, hasExp, i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// pow10s are the powers of ten that fit an int64.
var pow10s = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

func pow10Big(k int) *big.Int {
	if k < len(pow10s) {
		return big.NewInt(pow10s[k])
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
}

// coef returns the coefficient as a big.Int, which the caller must not modify.
func (n Number) coef() *big.Int {
	if n.big != nil {
		return n.big
	}
	return big.NewInt(n.small)
}

// fromBig returns c × 10^-scale, in an int64 when c fits one. It keeps c.
func fromBig(c *big.Int, scale int32) Number {
	if c.IsInt64() && c.Int64() != math.MinInt64 {
		return Number{small: c.Int64(), scale: scale}
	}
	return Number{big: c, scale: scale}
}

// mulPow10 returns n's coefficient × 10^k, at n's scale.
func (n Number) mulPow10(k int) Number {
	if n.big == nil && k < len(pow10s) {
		if p := pow10s[k]; n.small <= math.MaxInt64/p && n.small >= -math.MaxInt64/p {
			return Number{small: n.small * p, scale: n.scale}
		}
	}
	return fromBig(new(big.Int).Mul(n.coef(), pow10Big(k)), n.scale)
}

// rescale returns n with the scale s ≥ n.scale, the same value.
func (n Number) rescale(s int32) Number {
	if s == n.scale {
		return n
	}
	m := n.mulPow10(int(s - n.scale))
	m.scale = s
	return m
}

// Sign returns -1, 0 or +1.
func (n Number) Sign() int {
	switch {
	case n.big != nil:
		return n.big.Sign()
	case n.small < 0:
		return -1
	case n.small > 0:
		return 1
	}
	return 0
}

// Scale returns the number of fraction digits n is written with.
func (n Number) Scale() int { return int(n.scale) }

// Neg returns -n.
func (n Number) Neg() Number {
	if n.big != nil {
		return fromBig(new(big.Int).Neg(n.big), n.scale)
	}
	n.small = -n.small
	return n
}

// Add returns a + b exactly, at the larger of their scales.
func Add(a, b Number) Number {
	s := max(a.scale, b.scale)
	a, b = a.rescale(s), b.rescale(s)
	if a.big == nil && b.big == nil {
		sum := a.small + b.small
		// No overflow when the signs differ; else the sum keeps their sign.
		if (a.small >= 0) != (b.small >= 0) || (sum >= 0) == (a.small >= 0) && sum != math.MinInt64 {
			return Number{small: sum, scale: s}
		}
	}
	return fromBig(new(big.Int).Add(a.coef(), b.coef()), s)
}

// Sub returns a - b exactly, at the larger of their scales.
func Sub(a, b Number) Number { return Add(a, b.Neg()) }

// Cmp compares a and b: -1 if a < b, 0 if equal, +1 if a > b.
func Cmp(a, b Number) int {
	s := max(a.scale, b.scale)
	a, b = a.rescale(s), b.rescale(s)
	if a.big == nil && b.big == nil {
		switch {
		case a.small < b.small:
			return -1
		case a.small > b.small:
			return 1
		}
		return 0
	}
	return a.coef().Cmp(b.coef())
}

// Round returns n rounded to places fraction digits, half away from zero,
// written with exactly places fraction digits (0.1 to 2 places is 0.10). A
// negative places rounds to a multiple of 10^-places, written without a
// fraction (1250 to -2 places is 1300).
func (n Number) Round(places int) Number {
	target := int32(max(places, 0))
	if places >= int(n.scale) {
		return n.rescale(int32(places))
	}
	k := int(n.scale) - places // digits to drop, ≥ 1
	if k > n.digits()+1 {      // |n| < 10^-places / 2
		return Number{scale: target}
	}
	var q Number
	if n.big == nil && k < len(pow10s) {
		p := pow10s[k]
		quo, rem := n.small/p, n.small%p
		if rem < 0 {
			rem = -rem
		}
		if rem >= p-rem { // half or more: away from zero
			quo += int64(n.Sign())
		}
		q = Number{small: quo}
	} else {
		p := pow10Big(k)
		quo, rem := new(big.Int).QuoRem(n.coef(), p, new(big.Int))
		if rem.Abs(rem).Lsh(rem, 1).Cmp(p) >= 0 {
			quo.Add(quo, big.NewInt(int64(n.Sign())))
		}
		q = fromBig(quo, 0)
	}
	if places < 0 {
		q = q.mulPow10(-places)
	}
	q.scale = target
	return q
}

// digits returns at least the number of decimal digits of |n|'s coefficient.
func (n Number) digits() int {
	if n.big == nil {
		d, c := 1, n.small
		for c >= 10 || c <= -10 {
			c /= 10
			d++
		}
		return d
	}
	return n.big.BitLen()*30103/100000 + 1 // log10(2) ≈ 0.30103
}

// Rat returns n as an exact rational number.
func (n Number) Rat() *big.Rat {
	if n.big == nil && int(n.scale) < len(pow10s) {
		return big.NewRat(n.small, pow10s[n.scale])
	}
	return new(big.Rat).SetFrac(n.coef(), pow10Big(int(n.scale)))
}

// String formats n in plain notation with exactly Scale fraction digits.
func (n Number) String() string {
	var buf [32]byte
	return string(n.Append(buf[:0]))
}

// Append appends [Number.String] to dst.
func (n Number) Append(dst []byte) []byte {
	if n.Sign() < 0 {
		dst = append(dst, '-')
	}
	start := len(dst)
	if n.big != nil {
		dst = new(big.Int).Abs(n.big).Append(dst, 10)
	} else {
		dst = strconv.AppendUint(dst, uint64(max(n.small, -n.small)), 10)
	}
	if n.scale == 0 {
		return dst
	}
	scale := int(n.scale)
	if pad := scale + 1 - (len(dst) - start); pad > 0 { // at least one digit before the point
		digits := len(dst) - start
		dst = append(dst, make([]byte, pad)...)
		copy(dst[start+pad:], dst[start:start+digits])
		for i := start; i < start+pad; i++ {
			dst[i] = '0'
		}
	}
	point := len(dst) - scale
	dst = append(dst, 0)
	copy(dst[point+1:], dst[point:])
	dst[point] = '.'
	return dst
}
