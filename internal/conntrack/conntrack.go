// Package conntrack follows the connections of an http.Server through its
// ConnState hook, to tell whether a client left a response half-read.
package conntrack

import (
	"net"
	"net/http"
	"sync"
)

// Tracker counts connections by state. Its zero value is ready; set
// Track as the server's ConnState.
type Tracker struct {
	mu    sync.Mutex
	conns map[net.Conn]http.ConnState
}

// Track records that c moved to state.
func (t *Tracker) Track(c net.Conn, state http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns == nil {
		t.conns = map[net.Conn]http.ConnState{}
	}
	if state == http.StateClosed || state == http.StateHijacked {
		delete(t.conns, c)
		return
	}
	t.conns[c] = state
}

// Active counts the connections in the middle of a request or response.
func (t *Tracker) Active() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, state := range t.conns {
		if state == http.StateActive {
			n++
		}
	}
	return n
}
