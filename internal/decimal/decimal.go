// Package decimal parses and adds base-10 numbers exactly, as text in and
// text out. It is the arithmetic behind supersim.Decimal and keeps no state.
package decimal

import (
	"bytes"
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// ErrSyntax reports text that is not a decimal number.
var ErrSyntax = errors.New("not a decimal number")

// maxExponent bounds the exponent of a JSON number such as 1e5, so that a
// hostile "1e999999999" cannot make the arithmetic allocate without bound.
const maxExponent = 1000

// Number is an exact value: Coef × 10^-Scale.
type Number struct {
	Coef  *big.Int
	Scale int
}

// Valid reports whether s is a decimal number: an optional minus sign, digits,
// an optional fraction and an optional exponent (the JSON number grammar, with
// leading zeros allowed).
func Valid(s string) bool {
	_, _, _, _, err := split(s)
	return err == nil
}

// Parse converts s to a Number without losing a digit.
func Parse(s string) (Number, error) {
	neg, intPart, frac, scale, err := split(s)
	if err != nil {
		return Number{}, err
	}
	coef, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return Number{}, ErrSyntax
	}
	if neg {
		coef.Neg(coef)
	}
	if scale < 0 { // a positive exponent: scale the coefficient up
		coef.Mul(coef, pow10(-scale))
		scale = 0
	}
	return Number{Coef: coef, Scale: scale}, nil
}

// split returns the sign, the digits before and after the point, and the
// scale (digits after the point, less the exponent). It does not allocate.
func split(s string) (neg bool, intPart, frac string, scale int, err error) {
	rest := s
	if strings.HasPrefix(rest, "-") {
		neg, rest = true, rest[1:]
	}
	mantissa, exp, hasExp := strings.Cut(rest, "e")
	if !hasExp {
		mantissa, exp, hasExp = strings.Cut(rest, "E")
	}
	intPart, frac, hasPoint := strings.Cut(mantissa, ".")
	if !allDigits(intPart) || (hasPoint && !allDigits(frac)) {
		return false, "", "", 0, ErrSyntax
	}
	scale = len(frac)
	if hasExp {
		e, perr := strconv.Atoi(exp)
		if perr != nil || e > maxExponent || e < -maxExponent {
			return false, "", "", 0, ErrSyntax
		}
		scale -= e
	}
	return neg, intPart, frac, scale, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// Add returns a + b exactly, at the larger of their scales.
func Add(a, b Number) Number {
	x, y, scale := align(a, b)
	return Number{Coef: new(big.Int).Add(x, y), Scale: scale}
}

// Cmp compares a and b: -1, 0 or +1.
func Cmp(a, b Number) int {
	x, y, _ := align(a, b)
	return x.Cmp(y)
}

func align(a, b Number) (x, y *big.Int, scale int) {
	x, y, scale = a.Coef, b.Coef, a.Scale
	switch {
	case a.Scale < b.Scale:
		x, scale = new(big.Int).Mul(a.Coef, pow10(b.Scale-a.Scale)), b.Scale
	case b.Scale < a.Scale:
		y = new(big.Int).Mul(b.Coef, pow10(a.Scale-b.Scale))
	}
	return x, y, scale
}

// String formats n in plain notation with exactly Scale fraction digits.
func (n Number) String() string {
	if n.Coef == nil {
		return "0"
	}
	digits := new(big.Int).Abs(n.Coef).String()
	sign := ""
	if n.Coef.Sign() < 0 {
		sign = "-"
	}
	if n.Scale == 0 {
		return sign + digits
	}
	if len(digits) <= n.Scale {
		digits = strings.Repeat("0", n.Scale-len(digits)+1) + digits
	}
	point := len(digits) - n.Scale
	return sign + digits[:point] + "." + digits[point:]
}

// Rat returns n as an exact rational number.
func (n Number) Rat() *big.Rat {
	if n.Coef == nil {
		return new(big.Rat)
	}
	return new(big.Rat).SetFrac(n.Coef, pow10(n.Scale))
}

// small is a decimal that fits an int64 coefficient: the common case of
// money, added without math/big.
type small struct {
	coef  int64
	scale int
}

// maxSmallDigits keeps a small coefficient, even scaled, clear of overflow.
const maxSmallDigits = 15

var pow10s = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// parseSmall reads plain notation (no exponent) of at most maxSmallDigits digits.
func parseSmall(s string) (small, bool) {
	neg, intPart, frac, scale, err := split(s)
	if err != nil || scale != len(frac) || len(intPart)+len(frac) > maxSmallDigits {
		return small{}, false
	}
	var coef int64
	for _, part := range [2]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			coef = coef*10 + int64(part[i]-'0')
		}
	}
	if neg {
		coef = -coef
	}
	return small{coef, scale}, true
}

// AddText returns a + b for two valid decimals, formatted like
// [Number.String]: in int64 arithmetic when both fit, else with math/big.
func AddText(a, b string) string {
	x, okX := parseSmall(a)
	y, okY := parseSmall(b)
	if okX && okY {
		scale := max(x.scale, y.scale)
		// Each scaled coefficient keeps at most 18 digits, so the sum fits.
		if digits(x.coef)+scale-x.scale <= 18 && digits(y.coef)+scale-y.scale <= 18 {
			return format(x.coef*pow10s[scale-x.scale]+y.coef*pow10s[scale-y.scale], scale)
		}
	}
	na, errA := Parse(a)
	nb, errB := Parse(b)
	if errA != nil || errB != nil {
		panic("decimal: AddText on invalid input")
	}
	return Add(na, nb).String()
}

// digits counts the decimal digits of |n|.
func digits(n int64) int {
	if n < 0 {
		n = -n
	}
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// format writes coef × 10^-scale in plain notation.
func format(coef int64, scale int) string {
	var buf [24]byte
	neg := coef < 0
	if neg {
		coef = -coef
	}
	b := strconv.AppendInt(buf[:0], coef, 10)
	if scale > 0 {
		if len(b) <= scale {
			b = append(bytes.Repeat([]byte{'0'}, scale-len(b)+1), b...)
		}
		point := len(b) - scale
		b = append(b[:point], append([]byte{'.'}, b[point:]...)...)
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
