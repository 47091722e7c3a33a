package supersim

import (
	"sync/atomic"

	"github.com/supersimkit/supersim/internal/limit"
)

// Stats is a snapshot of what a Client has sent since it was made, and of
// the state of its shared limits: for metrics and dashboards. Read it with
// [Client.Stats]; it costs no request.
type Stats struct {
	// Tries is every HTTP try sent to the API: first tries, retries and
	// re-sends of tries refused for the account's concurrency.
	Tries int64
	// Retries is the tries that were retries after a failure (they drew
	// on the retry budget).
	Retries int64
	// RateLimited is the answers with HTTP 429.
	RateLimited int64
	// Limit is the Client's adaptive limit of tries in flight now.
	Limit int
	// RetryBudget is the tokens left in the retry budget, of
	// RetryBudgetCapacity; a retry costs 5, a success gives 1 back.
	RetryBudget int
}

// RetryBudgetCapacity is the tokens of a full retry budget.
const RetryBudgetCapacity = limit.BudgetCapacity

// counts are a Client's running totals.
type counts struct {
	tries, retries, rateLimited atomic.Int64
}

// Stats returns a snapshot of the Client's traffic and limits. It is safe
// to call at any time from any goroutine.
func (c *Client) Stats() Stats {
	l := c.transport.limits
	return Stats{Tries: l.counts.tries.Load(), Retries: l.counts.retries.Load(), RateLimited: l.counts.rateLimited.Load(),
		Limit: l.adaptive.Limit(), RetryBudget: l.budget.Tokens()}
}
