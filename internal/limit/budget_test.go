package limit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBudgetRunsOutAndRefills(t *testing.T) {
	t.Parallel()
	b := NewBudget()
	retries := 0
	for b.TakeRetry() {
		retries++
	}
	assert.Equal(t, BudgetCapacity/RetryCost, retries, "a full budget holds 100 retries")
	for range RetryCost - 1 {
		b.Succeeded()
	}
	assert.False(t, b.TakeRetry(), "four successes do not pay for a retry")
	b.Succeeded()
	assert.True(t, b.TakeRetry(), "five do")
	for range 2 * BudgetCapacity {
		b.Succeeded()
	}
	retries = 0
	for b.TakeRetry() {
		retries++
	}
	assert.Equal(t, BudgetCapacity/RetryCost, retries, "successes refill up to the capacity, no further")
}

func TestBudgetSustainsOneRetryInFiveSuccesses(t *testing.T) {
	t.Parallel()
	b := NewBudget()
	for range 10_000 {
		for range 5 {
			b.Succeeded()
		}
		assert.True(t, b.TakeRetry())
	}
	retries := 0
	for b.TakeRetry() {
		retries++
	}
	assert.Equal(t, BudgetCapacity/RetryCost-1, retries, "the budget is as full as ever, but for the last retry")
}
