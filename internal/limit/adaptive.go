package limit

import (
	"context"
	"sync"
)

// The constants of [Adaptive].
const (
	// InitialLimit is the limit a Client starts with: low enough that a
	// first burst against a small account limit is refused a few times,
	// not tens of times.
	InitialLimit = 4
	// MaxLimit bounds the limit, whatever the server allows.
	MaxLimit = 128
	// ProbeEvery is how many successes at a limit just below a refused
	// level it takes before one more request is tried at once.
	ProbeEvery = 16
	// MaxProbeEvery bounds ProbeEvery as it doubles with each refused probe.
	MaxProbeEvery = 512
)

// Adaptive is a limit on the requests run at once that follows the
// server's refusals (HTTP 429, "too many requests at once"), in the spirit
// of TCP's congestion control:
//
//   - Slow start: from [InitialLimit], every success of a request that found
//     the limit reached raises it by one, so the limit doubles per round
//     trip while demand lasts, up to [MaxLimit].
//   - A refusal while k requests are in flight (the refused one included)
//     means the server runs fewer than k at once: the limit drops to k-1
//     (at least 1) at once, and slow start ends for good. k is remembered
//     as the ceiling.
//   - Below the ceiling, the limit grows by one per limit successes (one
//     per round trip); one step below it, by one per ProbeEvery successes
//     (16, doubled with every refused probe up to 512): a server whose
//     limit stays put costs one refusal per probe, and probes grow rare.
//   - A success at or above the ceiling means the server's limit grew: the
//     ceiling is forgotten and ProbeEvery starts again at 16.
//
// Only successes count toward growth that saw, from their own admission
// to their end, an admission find the limit reached or more requests
// waiting (an idle or lightly used Client does not inflate the limit), and
// no refusal (a refusal among requests sent at once says nothing of which
// was the one too many).
// Waiters are admitted in arrival order.
type Adaptive struct {
	mu         sync.Mutex
	limit      int
	inFlight   int
	queue      queue
	slowStart  bool
	ceiling    int // the lowest level refused since the limit last grew past it; 0 for none
	credit     int // successes toward the next step up
	probeEvery int
	refusals   int // refusals so far
	crowded    int // admissions so far that found the limit reached or more waiting
}

// NewAdaptive returns a limit at [InitialLimit], in slow start.
func NewAdaptive() *Adaptive {
	return &Adaptive{limit: InitialLimit, slowStart: true, probeEvery: ProbeEvery}
}

// Limit returns how many requests may run at once now.
func (a *Adaptive) Limit() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.limit
}

// Acquire waits until fewer than the limit run and admits one more, or
// until ctx ends. backlog tells that the caller has more requests waiting
// to be sent (demand above the limit, even if it queues elsewhere).
func (a *Adaptive) Acquire(ctx context.Context, backlog bool) (*Ticket, error) {
	a.mu.Lock()
	if a.inFlight < a.limit && a.queue.len() == 0 {
		a.inFlight++
		t := &Ticket{a: a, level: a.inFlight, refusals: a.refusals, crowded: a.crowded}
		if backlog || a.inFlight >= a.limit {
			a.crowded++
		}
		a.mu.Unlock()
		return t, nil
	}
	w := a.queue.push(0)
	a.mu.Unlock()
	level, err := wait(ctx, &a.mu, &a.queue, w, func(int) { (&Ticket{a: a}).Release(false) })
	if err != nil {
		return nil, err
	}
	return &Ticket{a: a, level: level, refusals: w.refusals, crowded: w.crowded}, nil
}

// admit hands free slots to waiters; a.mu is held.
func (a *Adaptive) admit() {
	for a.inFlight < a.limit && a.queue.len() > 0 {
		a.inFlight++
		a.queue.waiters[0].refusals, a.queue.waiters[0].crowded = a.refusals, a.crowded
		a.crowded++ // it waited: demand was above the limit
		a.queue.grant(a.inFlight)
	}
}

// Ticket is one admitted request. Release it exactly once; call Refused
// first if the server refused it as one too many.
type Ticket struct {
	a        *Adaptive
	level    int // requests in flight once it was admitted, itself included
	refusals int // the Adaptive's refusals when it was admitted
	crowded  int // the Adaptive's crowded admissions before its own
	refused  bool
	released bool
}

// Refused lowers the limit at once below the number of requests in flight,
// this one included, and returns that number: the server refused the
// request as one too many. The slot stays held until Release.
func (t *Ticket) Refused() int {
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	level := a.inFlight
	if t.refused || t.released {
		return level
	}
	t.refused = true
	a.refusals++
	a.slowStart = false
	if level == a.ceiling {
		a.probeEvery = min(2*a.probeEvery, MaxProbeEvery) // a probe refused
	}
	if a.ceiling == 0 || level < a.ceiling {
		a.ceiling = level
	}
	a.limit = max(1, min(a.limit, level-1))
	a.credit = 0
	return level
}

// Release frees the ticket's slot; succeeded tells whether the server
// served the request (a 2xx answer), which may raise the limit.
func (t *Ticket) Release(succeeded bool) {
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if t.released {
		return
	}
	t.released = true
	a.inFlight--
	if succeeded && !t.refused && t.refusals == a.refusals {
		a.grow(t)
	}
	a.admit()
}

// grow counts a success toward raising the limit; a.mu is held.
func (a *Adaptive) grow(t *Ticket) {
	if a.ceiling != 0 && t.level >= a.ceiling { // served where a request was refused before
		a.ceiling, a.probeEvery = 0, ProbeEvery
	}
	if a.crowded == t.crowded && a.queue.len() == 0 {
		return // demand did not reach the limit while it was in flight
	}
	step := a.limit // congestion avoidance: one per round trip
	switch {
	case a.slowStart:
		step = 1
	case a.ceiling != 0 && a.limit+1 >= a.ceiling:
		step = a.probeEvery
	}
	if a.credit++; a.credit >= step {
		a.limit, a.credit = min(a.limit+1, MaxLimit), 0
	}
}
