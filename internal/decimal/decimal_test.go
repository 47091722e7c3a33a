package decimal

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Round is checked against math/big by the root package's tests and its
// Decimal fuzz target, which share a reference rounding.

// randomDecimal returns plain or exponent notation of up to 40 digits, so
// that both the int64 and the big.Int forms, and the moves between them, are hit.
func randomDecimal(rng *rand.Rand) string {
	var b strings.Builder
	if rng.IntN(3) == 0 {
		b.WriteByte('-')
	}
	for range 1 + rng.IntN(22) {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	if n := rng.IntN(20); n > 0 {
		b.WriteByte('.')
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
	}
	if rng.IntN(6) == 0 {
		b.WriteString("e" + strconv.Itoa(rng.IntN(41)-20))
	}
	return b.String()
}

func mustParse(t *testing.T, s string) Number {
	t.Helper()
	n, _, err := Parse(s)
	require.NoError(t, err, s)
	return n
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	require.True(t, ok, s)
	return r
}

// fractionDigits counts the digits after the point in plain notation.
func fractionDigits(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

func TestArithmeticAgreesWithBig(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := randomDecimal(rng), randomDecimal(rng)
		x, y := mustParse(t, a), mustParse(t, b)
		ra, rb := rat(t, a), rat(t, b)
		require.Zero(t, ra.Cmp(x.Rat()), "Parse(%s) = %s", a, x)
		require.Zero(t, ra.Cmp(rat(t, x.String())), "%s prints as %s", a, x)

		sum, diff := Add(x, y), Sub(x, y)
		require.Zero(t, sum.Rat().Cmp(new(big.Rat).Add(ra, rb)), "%s + %s = %s", a, b, sum)
		require.Zero(t, diff.Rat().Cmp(new(big.Rat).Sub(ra, rb)), "%s - %s = %s", a, b, diff)
		assert.Equal(t, max(x.Scale(), y.Scale()), sum.Scale(), "%s + %s keeps the larger scale", a, b)
		assert.Equal(t, sum.Scale(), fractionDigits(sum.String()), "%s", sum)
		require.Equal(t, ra.Cmp(rb), Cmp(x, y), "Cmp(%s, %s)", a, b)
		require.Zero(t, x.Neg().Rat().Cmp(new(big.Rat).Neg(ra)), "-%s", a)
		require.Equal(t, ra.Sign(), x.Sign(), "Sign(%s)", a)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for s, canonical := range map[string]bool{
		"0": true, "0.03": true, "-1.5": true, "10.50": true, "123456789012345678901234567890.5": true,
		"-0": false, "-0.00": false, "007": false, "2e-3": false, "1E+2": false, "1e0": false,
	} {
		n, got, err := Parse(s)
		require.NoError(t, err, s)
		assert.Equal(t, canonical, got, s)
		assert.Equal(t, canonical, n.String() == s, "%s prints as %s", s, n)
		nb, gotb, err := Parse([]byte(s))
		require.NoError(t, err, s)
		assert.Equal(t, n, nb, "%s as bytes", s)
		assert.Equal(t, got, gotb, "%s as bytes", s)
	}
	for _, s := range []string{"", "-", ".5", "5.", "1,5", "0x10", "NaN", "1e", "1e+", "1e-", " 1", "1 ", "1.2.3", "+1", "--1", "1e5e3", "1E5e", `1\u0030`} {
		_, _, err := Parse(s)
		assert.ErrorIs(t, err, ErrSyntax, "%q", s)
	}
	nines := strings.Repeat("9", MaxIntDigits)
	for _, s := range []string{"1" + nines, "0." + nines + "9", "1e100", "1e-101", "1e99999999999999999999999"} {
		_, _, err := Parse(s)
		assert.ErrorIs(t, err, ErrTooLong, "%.20s", s)
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]string{
		"2e-3": "0.002", "-2e-3": "-0.002", "1E+2": "100", "12.5e1": "125", "-0.00": "0.00", "007": "7",
		"0.5e-99": "0." + strings.Repeat("0", 99) + "5", "123456789012345678901234567890e-35": "0.00000123456789012345678901234567890",
	} {
		assert.Equal(t, want, mustParse(t, s).String(), s)
	}
	assert.Equal(t, "0", Number{}.String())
}

func TestRound(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in     string
		places int
		want   string
	}{
		{"0.125", 2, "0.13"}, {"-0.125", 2, "-0.13"}, {"0.124", 2, "0.12"}, {"0.135", 2, "0.14"},
		{"0.1", 2, "0.10"}, {"2e-3", 2, "0.00"}, {"0.005", 2, "0.01"}, {"-0.004", 2, "0.00"},
		{"1250", -2, "1300"}, {"1249.99", -2, "1200"}, {"-1250", -2, "-1300"}, {"49", -2, "0"}, {"0.5", 0, "1"},
		{"99999999999999999999.995", 2, "100000000000000000000.00"}, {"9223372036854775807.5", 0, "9223372036854775808"},
		{"1" + strings.Repeat("0", 50) + ".5", -60, "0"},
	} {
		assert.Equal(t, tt.want, mustParse(t, tt.in).Round(tt.places).String(), "%s to %d places", tt.in, tt.places)
	}
}

func TestSmallFormOverflowsIntoBig(t *testing.T) {
	t.Parallel()
	max64 := mustParse(t, "9223372036854775807")
	assert.Equal(t, "18446744073709551614", Add(max64, max64).String())
	assert.Equal(t, "-18446744073709551614", Sub(max64.Neg(), max64).String())
	assert.Equal(t, "92233720368547758070.0", Add(mustParse(t, "0.0"), mustParse(t, "92233720368547758070")).String())
	back := Sub(Add(max64, max64), max64)
	assert.Nil(t, back.big, "a result that fits an int64 is held in one")
	assert.Equal(t, max64, back)
}
