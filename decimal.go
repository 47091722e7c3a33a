package supersim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/supersimkit/supersim/internal/decimal"
)

// Decimal is an exact base-10 amount of money, such as a record's
// DataTotalBilled. It keeps the text the API sent, so [Decimal.String]
// returns every digit as it arrived ("0.03" stays "0.03"), and its arithmetic
// ([Decimal.Add], [Decimal.Cmp]) is exact: no float ever holds an amount.
//
// The zero value is 0. Decimal is comparable with == only as text: "0.10" and
// "0.1" differ there; use [Decimal.Cmp] to compare amounts.
type Decimal struct {
	text string // "" means 0; otherwise a valid decimal as sent or as computed
}

// ParseDecimal returns the Decimal that s spells, such as "0.03", "-1.5" or
// "2e-3". It returns an error for anything else, including "" and "NaN".
func ParseDecimal(s string) (Decimal, error) {
	if !decimal.Valid(s) {
		return Decimal{}, fmt.Errorf("supersim: %q is not a decimal amount", s)
	}
	return Decimal{text: s}, nil
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
	if d.text == "" {
		return "0"
	}
	return d.text
}

// IsZero reports whether the amount is zero ("0", "0.00", the zero value...).
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Sign returns -1, 0 or +1 for a negative, zero or positive amount.
func (d Decimal) Sign() int { return d.number().Coef.Sign() }

// Add returns d + other exactly, with as many fraction digits as the more
// precise of the two ("0.1" + "0.03" = "0.13").
func (d Decimal) Add(other Decimal) Decimal {
	return Decimal{text: decimal.AddText(d.String(), other.String())}
}

// Cmp compares the amounts d and other: -1 if d < other, 0 if equal, +1 if d > other.
func (d Decimal) Cmp(other Decimal) int {
	return decimal.Cmp(d.number(), other.number())
}

// Rat returns the amount as an exact rational number, for arithmetic beyond
// addition (averages, currency conversion).
func (d Decimal) Rat() *big.Rat { return d.number().Rat() }

func (d Decimal) number() decimal.Number {
	if d.text == "" {
		return decimal.Number{Coef: new(big.Int)}
	}
	n, err := decimal.Parse(d.text)
	if err != nil { // unreachable: text is validated on the way in
		panic("supersim: corrupt Decimal " + d.text)
	}
	return n
}

// MarshalJSON writes the amount as a JSON string, as Twilio does ("0.03").
func (d Decimal) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON accepts a JSON number (0.03), a JSON string ("0.03") or null
// (the zero value), and keeps every digit.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*d = Decimal{}
		return nil
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"':
		b = b[1 : len(b)-1] // a decimal has no escapes; ParseDecimal rejects a backslash
	}
	parsed, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
