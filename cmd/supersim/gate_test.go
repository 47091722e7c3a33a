package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// gate is a proxy in front of the fake API that fails or holds the request
// a test picks, counting requests from 1.
type gate struct {
	URL string

	mu     sync.Mutex
	n      int
	failAt int          // answered with HTTP 400 (not retried); 0 for none
	holdAt int          // held until its client goes away; 0 for none
	asked  []url.Values // the query of every request since set

	held chan struct{} // closed when the held request arrives
	done chan struct{} // closed at cleanup: lets a held request go
}

// reverseProxy is a proxy to the fake API, on a transport of its own whose
// idle connections are closed at cleanup (after the servers that use it,
// whose cleanups are registered later).
func reverseProxy(t *testing.T, fake *supersimtest.Server) *httputil.ReverseProxy {
	t.Helper()
	target, err := url.Parse(fake.URL)
	require.NoError(t, err)
	transport := &http.Transport{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	t.Cleanup(transport.CloseIdleConnections)
	return proxy
}

func newGate(t *testing.T, fake *supersimtest.Server) *gate {
	t.Helper()
	proxy := reverseProxy(t, fake)
	g := &gate{held: make(chan struct{}), done: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.n++
		n, failAt, holdAt := g.n, g.failAt, g.holdAt
		g.asked = append(g.asked, r.URL.Query())
		g.mu.Unlock()
		switch n {
		case failAt:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code": 20001, "message": "Injected by the test", "status": 400}`))
		case holdAt:
			close(g.held)
			select {
			case <-r.Context().Done():
			case <-g.done:
			}
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() {
		close(g.done)
		srv.Close()
	})
	g.URL = srv.URL
	return g
}

// set arms the gate for the next run: fail or hold the request at that
// place of the run (0 for none), counting afresh.
func (g *gate) set(failAt, holdAt int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n, g.failAt, g.holdAt, g.asked = 0, failAt, holdAt, nil
}

// queries returns the query of every request since set.
func (g *gate) queries() []url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]url.Values(nil), g.asked...)
}
