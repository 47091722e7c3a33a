package conntrack

import (
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestActiveCountsOnlyConnectionsMidRequest(t *testing.T) {
	var tr Tracker
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	tr.Track(a, http.StateNew)
	tr.Track(b, http.StateActive)
	assert.Equal(t, 1, tr.Active())
	tr.Track(a, http.StateActive)
	assert.Equal(t, 2, tr.Active())
	tr.Track(b, http.StateIdle)
	tr.Track(a, http.StateHijacked)
	assert.Equal(t, 0, tr.Active())
	tr.Track(b, http.StateClosed)
	assert.Equal(t, 0, tr.Active())
}
