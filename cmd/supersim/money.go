package main

import (
	"cmp"
	"slices"
	"strings"

	"github.com/supersimkit/supersim"
)

// billed is an exact amount per currency. The key "" holds records whose
// billing is still pending (billed_unit null).
type billed map[string]supersim.Decimal

// amount is one currency's part of a billed sum.
type amount struct {
	Amount   supersim.Decimal `json:"amount"`
	Currency string           `json:"currency"` // "" while billing is pending
}

// add adds the amount of one record.
func (b billed) add(currency string, a supersim.Decimal) {
	b[currency] = b[currency].Add(a)
}

// merge adds every amount of other.
func (b billed) merge(other billed) {
	for currency, a := range other {
		b.add(currency, a)
	}
}

// amounts lists the amounts by currency, pending last. A pending zero is
// left out when a currency is there to show.
func (b billed) amounts() []amount {
	out := make([]amount, 0, len(b))
	for currency, a := range b {
		if currency == "" && a.IsZero() && len(b) > 1 {
			continue
		}
		out = append(out, amount{Amount: a, Currency: currency})
	}
	slices.SortFunc(out, func(x, y amount) int {
		return cmp.Or(cmp.Compare(pendingLast(x.Currency), pendingLast(y.Currency)), cmp.Compare(x.Currency, y.Currency))
	})
	return out
}

// pendingLast sorts the pending amount ("") after the currencies.
func pendingLast(currency string) int {
	if currency == "" {
		return 1
	}
	return 0
}

// isZero reports whether nothing was billed in any currency.
func (b billed) isZero() bool {
	for _, a := range b {
		if !a.IsZero() {
			return false
		}
	}
	return true
}

// String is the table's form: "113.558834 USD", several currencies joined
// with " + ", "(pending)" for the amount billing has not priced yet, and
// "0" when nothing was billed.
func (b billed) String() string {
	parts := []string{}
	for _, a := range b.amounts() {
		unit := a.Currency
		if unit == "" {
			unit = "(pending)"
		}
		parts = append(parts, a.Amount.String()+" "+unit)
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, " + ")
}

// columns is the CSV's form: the amounts and their currencies, each joined
// with ";" in the same order ("0" and "" when nothing was billed).
func (b billed) columns() (amounts, currencies string) {
	list := b.amounts()
	if len(list) == 0 {
		return "0", ""
	}
	as, cs := make([]string, len(list)), make([]string, len(list))
	for i, a := range list {
		as[i], cs[i] = a.Amount.String(), a.Currency
	}
	return strings.Join(as, ";"), strings.Join(cs, ";")
}
