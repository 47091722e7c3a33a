package decimal

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAddTextAgreesWithBigArithmetic checks the int64 fast path against
// math/big on random amounts, including ones near its limits.
func TestAddTextAgreesWithBigArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		intDigits, fracDigits := rng.IntN(19), rng.IntN(19)
		s := ""
		if rng.IntN(4) == 0 {
			s = "-"
		}
		s += strconv.FormatUint(rng.Uint64N(10), 10)
		for range intDigits {
			s += strconv.Itoa(rng.IntN(10))
		}
		if fracDigits > 0 {
			s += "."
			for range fracDigits {
				s += strconv.Itoa(rng.IntN(10))
			}
		}
		return s
	}
	for range 20000 {
		a, b := gen(), gen()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		got := AddText(a, b)
		rg, ok := new(big.Rat).SetString(got)
		require.True(t, ok, got)
		require.Zero(t, rg.Cmp(new(big.Rat).Add(ra, rb)), "%s + %s = %s", a, b, got)
		n, err := Parse(got)
		require.NoError(t, err)
		_, _, fa, _, _ := split(a)
		_, _, fb, _, _ := split(b)
		assert.Equal(t, max(len(fa), len(fb)), n.Scale, "%s + %s = %s keeps the larger scale", a, b, got)
	}
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "0.03", format(3, 2))
	assert.Equal(t, "-0.003", format(-3, 3))
	assert.Equal(t, "12.5", format(125, 1))
	assert.Equal(t, "7", format(7, 0))
	assert.Equal(t, "0.0", format(0, 1))
}
