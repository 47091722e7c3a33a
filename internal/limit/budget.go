package limit

import "sync"

// The constants of [Budget], those of the AWS SDK for Go v2's standard
// retryer.
const (
	// BudgetCapacity is the number of tokens a full budget holds.
	BudgetCapacity = 500
	// RetryCost is what one retry takes from the budget.
	RetryCost = 5
	// SuccessRefund is what a served request gives back, up to capacity.
	SuccessRefund = 1
)

// Budget is a token bucket of retries shared by every request of a Client:
// each retry costs [RetryCost] tokens, each success refunds
// [SuccessRefund]. While failures outnumber successes by more than one in
// five the bucket drains, and once it is empty no request is retried: a
// server that is down makes the Client fail fast instead of multiplying
// its load, however many requests are in flight.
type Budget struct {
	mu     sync.Mutex
	tokens int
}

// NewBudget returns a full budget.
func NewBudget() *Budget { return &Budget{tokens: BudgetCapacity} }

// TakeRetry takes the cost of one retry and reports whether the budget
// held it; when it did not, nothing is taken and the request must not be
// retried.
func (b *Budget) TakeRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < RetryCost {
		return false
	}
	b.tokens -= RetryCost
	return true
}

// Succeeded refunds a served request.
func (b *Budget) Succeeded() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.tokens+SuccessRefund, BudgetCapacity)
}

// Tokens returns the tokens the budget holds now.
func (b *Budget) Tokens() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}
