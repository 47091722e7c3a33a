package supersimtest

import (
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Amount is an exact decimal amount of money. The server adds amounts with
// it, in math/big, and never with supersim.Decimal: a fake that added with
// the code under test could not catch that code's mistakes.
//
// A sum keeps as many fraction digits as its most precise term ("0.1" +
// "0.03" is "0.13", "0.10" + "0.1" is "0.20"), as supersim.Decimal does, so
// that the two print a correct sum alike. The zero value is 0.
type Amount struct {
	coef  *big.Int // the amount is coef × 10^-scale; nil means 0
	scale int
}

// maxAmountExponent bounds the exponent a parsed amount may have.
const maxAmountExponent = 1000

var errNotAmount = errors.New("not a decimal amount")

// parseAmount reads a decimal in JSON number notation ("0.03", "-1.5",
// "2e-3"), the notation supersim.Decimal prints and accepts.
func parseAmount(s string) (Amount, error) {
	mantissa, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	neg := strings.HasPrefix(mantissa, "-")
	intPart, frac, hasPoint := strings.Cut(strings.TrimPrefix(mantissa, "-"), ".")
	if intPart == "" || (hasPoint && frac == "") || strings.Trim(intPart+frac, "0123456789") != "" {
		return Amount{}, errNotAmount
	}
	scale := len(frac)
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil || e > maxAmountExponent || e < -maxAmountExponent {
			return Amount{}, errNotAmount
		}
		scale -= e
	}
	coef, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return Amount{}, errNotAmount
	}
	if neg {
		coef.Neg(coef)
	}
	if scale < 0 {
		coef.Mul(coef, pow10(-scale))
		scale = 0
	}
	return Amount{coef: coef, scale: scale}, nil
}

// mustParseAmount parses text that supersim.Decimal has already validated.
func mustParseAmount(s string) Amount {
	a, err := parseAmount(s)
	if err != nil {
		panic("supersimtest: " + strconv.Quote(s) + " is not a decimal amount")
	}
	return a
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// value returns the coefficient scaled to scale (at least a's own).
func (a Amount) value(scale int) *big.Int {
	v := new(big.Int)
	if a.coef != nil {
		v.Set(a.coef)
	}
	if scale > a.scale {
		v.Mul(v, pow10(scale-a.scale))
	}
	return v
}

// add returns a + b; neither changes.
func (a Amount) add(b Amount) Amount {
	switch {
	case a.coef == nil && a.scale <= b.scale:
		return b // amounts are never changed in place: b can be shared
	case b.coef == nil && b.scale <= a.scale:
		return a
	}
	scale := max(a.scale, b.scale)
	return Amount{coef: new(big.Int).Add(a.value(scale), b.value(scale)), scale: scale}
}

// Cmp compares the amounts: -1 if a < b, 0 if they are equal ("0.10" and
// "0.1" are), +1 if a > b.
func (a Amount) Cmp(b Amount) int {
	scale := max(a.scale, b.scale)
	return a.value(scale).Cmp(b.value(scale))
}

// String prints the amount in plain notation with its fraction digits:
// "0.075", "3000.00", "0".
func (a Amount) String() string {
	if a.coef == nil {
		return "0"
	}
	digits := new(big.Int).Abs(a.coef).String()
	sign := ""
	if a.coef.Sign() < 0 {
		sign = "-"
	}
	if a.scale == 0 {
		return sign + digits
	}
	if len(digits) <= a.scale {
		digits = strings.Repeat("0", a.scale-len(digits)+1) + digits
	}
	point := len(digits) - a.scale
	return sign + digits[:point] + "." + digits[point:]
}

// Money is amounts per currency: what a set of samples or records was
// billed, kept apart by ISO 4217 code, since adding dollars to euros means
// nothing. Usage whose billing is pending (no currency) and billed nothing
// adds nothing. The zero value is no money. A Money never changes once
// made; copies are independent.
type Money struct {
	parts []moneyPart // sorted by currency, one per currency
}

type moneyPart struct {
	currency string
	amount   Amount
}

// add returns m plus amount in currency.
func (m Money) add(currency string, amount Amount) Money {
	if currency == "" && (amount.coef == nil || amount.coef.Sign() == 0) {
		return m // pending billing, nothing billed yet
	}
	i, found := slices.BinarySearchFunc(m.parts, currency, func(p moneyPart, c string) int { return strings.Compare(p.currency, c) })
	parts := slices.Clone(m.parts)
	if found {
		parts[i].amount = parts[i].amount.add(amount)
	} else {
		parts = slices.Insert(parts, i, moneyPart{currency, Amount{}.add(amount)})
	}
	return Money{parts: parts}
}

// In returns the amount billed in currency (0 if none).
func (m Money) In(currency string) Amount {
	for _, p := range m.parts {
		if p.currency == currency {
			return p.amount
		}
	}
	return Amount{}
}

// Currencies returns the currencies billed, in code order; "" stands for
// an amount that came without a currency.
func (m Money) Currencies() []string {
	out := make([]string, len(m.parts))
	for i, p := range m.parts {
		out[i] = p.currency
	}
	return out
}

// Equal reports whether m and other hold the same amounts in the same
// currencies, comparing amounts by value.
func (m Money) Equal(other Money) bool {
	return slices.EqualFunc(m.parts, other.parts, func(a, b moneyPart) bool {
		return a.currency == b.currency && a.amount.Cmp(b.amount) == 0
	})
}

// String prints the amount alone when there is at most one currency
// ("0.105", or "0" for none), so that it compares with a
// supersim.Decimal's String; with several it prints each amount and its
// code, in code order ("1.50 EUR + 0.105 USD").
func (m Money) String() string {
	switch len(m.parts) {
	case 0:
		return "0"
	case 1:
		return m.parts[0].amount.String()
	}
	var b strings.Builder
	for i, p := range m.parts {
		if i > 0 {
			b.WriteString(" + ")
		}
		b.WriteString(p.amount.String())
		if p.currency != "" {
			b.WriteString(" " + p.currency)
		}
	}
	return b.String()
}
