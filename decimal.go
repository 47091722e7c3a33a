package supersim

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/supersimkit/supersim/internal/decimal"
)

// Decimal is an exact base-10 amount of money, such as a record's
// DataTotalBilled. It keeps every digit the API sent, so [Decimal.String]
// returns the amount as it arrived ("0.03" stays "0.03"), and its arithmetic
// ([Decimal.Add], [Decimal.Sub], [Decimal.Cmp], [Decimal.Round]) is exact:
// no float ever holds an amount.
//
// An amount read from the API or given to [ParseDecimal] has at most 100
// digits before the decimal point and 100 after it, counted in plain
// notation (1e99 has 100 integer digits); longer ones are refused. That is
// far beyond any real amount, and keeps every operation fast.
//
// The zero value is 0. Decimal is comparable with == only as text: "0.10" and
// "0.1" differ there, and so may two equal amounts beyond 18 digits; use
// [Decimal.Cmp] to compare amounts.
type Decimal struct {
	n    decimal.Number
	text string // the amount as sent, when n.String() spells it otherwise ("2e-3", "007"); else ""
}

// ParseDecimal returns the Decimal that s spells, such as "0.03", "-1.5" or
// "2e-3". It returns an error for anything else, including "", "NaN" and
// amounts with more than 100 digits before or after the decimal point.
func ParseDecimal(s string) (Decimal, error) {
	n, canonical, err := decimal.Parse(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("supersim: %w", decimalError(s, err))
	}
	if canonical {
		return Decimal{n: n}, nil
	}
	return Decimal{n: n, text: s}, nil
}

// decimalError reports why text is no amount, quoting no more than its start.
func decimalError[S ~string | ~[]byte](text S, err error) error {
	const quoted = 40
	if len(text) > quoted {
		return fmt.Errorf("%q… (%d bytes) is not a decimal amount: %w", text[:quoted], len(text), err)
	}
	return fmt.Errorf("%q is not a decimal amount: %w", text, err)
}

// MustParseDecimal is like [ParseDecimal] but panics on bad input. It is for
// constants in tests and examples.
func MustParseDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the amount as the API sent it, or in plain notation for a
// result of arithmetic. The zero value prints "0".
func (d Decimal) String() string {
	if d.text != "" {
		return d.text
	}
	return d.n.String()
}

// Append appends the text of [Decimal.String] to b and returns the result,
// without making a string: for encoders that write many amounts.
func (d Decimal) Append(b []byte) []byte {
	if d.text != "" {
		return append(b, d.text...)
	}
	return d.n.Append(b)
}

// IsZero reports whether the amount is zero ("0", "0.00", the zero value...).
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Sign returns -1, 0 or +1 for a negative, zero or positive amount.
func (d Decimal) Sign() int { return d.n.Sign() }

// Add returns d + other exactly, with as many fraction digits as the more
// precise of the two ("0.1" + "0.03" = "0.13").
func (d Decimal) Add(other Decimal) Decimal {
	return Decimal{n: decimal.Add(d.n, other.n)}
}

// Sub returns d - other exactly, with as many fraction digits as the more
// precise of the two ("0.1" - "0.03" = "0.07").
func (d Decimal) Sub(other Decimal) Decimal {
	return Decimal{n: decimal.Sub(d.n, other.n)}
}

// Neg returns -d, with d's fraction digits ("0.50" gives "-0.50").
func (d Decimal) Neg() Decimal { return Decimal{n: d.n.Neg()} }

// Round returns d rounded to places fraction digits, for reports: halves
// are rounded away from zero ("0.125" gives "0.13", "-0.125" gives "-0.13"),
// as invoices and spreadsheets do, and the result is written with exactly
// places fraction digits ("0.1" to 2 places is "0.10"). Sum exact amounts
// first and round the total, not each amount. A negative places rounds to
// tens, hundreds... ("1250" to -2 places is "1300"). places is taken
// within ±[MaxRoundPlaces], beyond which the result would only gain zeros
// (or be 0).
func (d Decimal) Round(places int) Decimal {
	return Decimal{n: d.n.Round(min(max(places, -MaxRoundPlaces), MaxRoundPlaces))}
}

// MaxRoundPlaces bounds the places of [Decimal.Round] either way: twice the
// digits an amount may have on either side of the point.
const MaxRoundPlaces = 200

// Cmp compares the amounts d and other: -1 if d < other, 0 if equal, +1 if d > other.
func (d Decimal) Cmp(other Decimal) int { return decimal.Cmp(d.n, other.n) }

// Rat returns the amount as an exact rational number, for arithmetic beyond
// addition (averages, currency conversion).
func (d Decimal) Rat() *big.Rat { return d.n.Rat() }

// MarshalJSON writes the amount as a JSON string, as Twilio does ("0.03").
func (d Decimal) MarshalJSON() ([]byte, error) {
	return append(d.Append([]byte{'"'}), '"'), nil
}

// UnmarshalJSON accepts a JSON number (0.03), a JSON string ("0.03") or null
// (the zero value), and keeps every digit.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	n, text, err := decimalFromJSON(b)
	if err != nil {
		return fmt.Errorf("supersim: %w", err)
	}
	*d = Decimal{n: n, text: string(text)}
	return nil
}

// decimalFromJSON reads a JSON value holding an amount: a number, a string
// or null (0). text is the part of b that a Decimal must keep, nil when the
// amount's plain notation spells it.
func decimalFromJSON(b []byte) (n decimal.Number, text []byte, err error) {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return decimal.Number{}, nil, nil
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"':
		b = b[1 : len(b)-1] // an amount has no escapes: Parse refuses a backslash
	}
	n, canonical, err := decimal.Parse(b)
	if err != nil {
		return decimal.Number{}, nil, decimalError(b, err)
	}
	if canonical {
		return n, nil, nil
	}
	return n, b, nil
}
