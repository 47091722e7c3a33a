package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim/supersimtest"
)

// killArgs is an export of some 6,000 records (about 2 MB of JSON Lines)
// in pages of 1000 from the API at url, read in windows, each page one
// large write for the output.
func killArgs(url string, extra ...string) []string {
	return append([]string{"export", "-base-url", url, "-format", "jsonl", "-group", "sim", "-granularity", "hour",
		"-start", "2026-06-11", "-end", "2026-06-15", "-page-size", "1000"}, extra...)
}

// commandProcess is the command started as a process of its own (the
// test binary, run as the command), with stdout to stdout.
func commandProcess(args []string, stdout io.Writer) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(twilioEnv(), asCommand+"=1")
	cmd.Stdout = stdout
	return cmd
}

// killPoint is where in a run the command is killed: when its at-th
// request reaches the API (it waits for a page; pages before may still be
// written), or once the at-th answer has gone out (it reads, decodes and
// writes that page). 0 for no kill.
type killPoint struct {
	at          int
	afterAnswer bool
}

// killGate is a proxy in front of the fake API that tells when a run
// reaches its kill point, and holds every request past it until the run
// is over: a run armed with a kill point it reaches cannot end before its
// kill, however fast or slow the machine.
type killGate struct {
	URL string

	mu       sync.Mutex
	n        int // requests of this run so far
	point    killPoint
	reached  chan struct{} // closed at the kill point
	once     *sync.Once
	released chan struct{} // closed when the run is over
}

func newKillGate(t *testing.T, fake *supersimtest.Server) *killGate {
	t.Helper()
	target, err := url.Parse(fake.URL)
	require.NoError(t, err)
	transport := &http.Transport{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusBadGateway) // the command was killed: nobody reads this
	}
	g := &killGate{}
	g.arm(killPoint{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.n++
		// The run's own channels: a request of a killed run may finish
		// after the next run is armed, and must not reach its kill point.
		n, point, once, reached, released := g.n, g.point, g.once, g.reached, g.released
		g.mu.Unlock()
		reach := func() { once.Do(func() { close(reached) }) }
		if point.at > 0 && (n > point.at || n == point.at && !point.afterAnswer) {
			reach()
			select { // until the command is gone, or the run over
			case <-r.Context().Done():
			case <-released:
			}
			return
		}
		proxy.ServeHTTP(w, r)
		if point.at > 0 && n == point.at {
			reach()
		}
	}))
	t.Cleanup(func() {
		g.release()
		srv.Close()
		transport.CloseIdleConnections()
	})
	g.URL = srv.URL
	return g
}

// arm sets the kill point of the next run, counting requests afresh.
func (g *killGate) arm(point killPoint) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n, g.point = 0, point
	g.reached, g.once, g.released = make(chan struct{}), &sync.Once{}, make(chan struct{})
}

// release lets the held requests of the run go.
func (g *killGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.released:
	default:
		close(g.released)
	}
}

// requests returns how many requests the run has made so far.
func (g *killGate) requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// run runs cmd and kills it (SIGKILL) when kill is closed, unless it ends
// first; then release is called. It returns the exit code, or -1 when
// killed.
func run(t *testing.T, cmd *exec.Cmd, kill <-chan struct{}, release func()) int {
	t.Helper()
	defer release()
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-kill:
		cmd.Process.Kill()
		release() // a stalled reader of stdout reads on
		err = <-done
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// stallingWriter takes what it is given until it has past bytes, then
// says so on reached and takes nothing more until released: the pipe to
// it fills, and the command writing into it blocks in a write.
type stallingWriter struct {
	buf      bytes.Buffer
	past     int
	reached  chan struct{}
	released chan struct{}
	once     sync.Once
}

func newStallingWriter(past int) *stallingWriter {
	return &stallingWriter{past: past, reached: make(chan struct{}), released: make(chan struct{})}
}

func (w *stallingWriter) Write(p []byte) (int, error) {
	if w.buf.Len() >= w.past {
		w.once.Do(func() { close(w.reached) })
		<-w.released
	}
	return w.buf.Write(p)
}

func (w *stallingWriter) release() {
	select {
	case <-w.released:
	default:
		close(w.released)
	}
}

// TestKilledExportNeverEndsInHalfARecord kills the command with SIGKILL
// at random places of its run, mostly while it writes pages of about
// 240 KB, and checks what it leaves: -o FILE is there complete or not at
// all, the checkpointed export (windowed) resumes to the same bytes as a
// clean one without a checkpoint, and stdout (a pipe) ends in a whole
// record. A kill comes at an event of the run (a request, an answer, the
// bytes read from stdout), never after a time, so that a loaded machine
// changes nothing.
func TestKilledExportNeverEndsInHalfARecord(t *testing.T) {
	t.Parallel()
	g := newKillGate(t, newFake(t))
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("seed %d", seed)

	// Clean runs: the reference, and the fewest requests a run makes
	// bounds the kill points.
	ref := filepath.Join(dir, "ref.jsonl")
	requests := 0
	for i := range 3 {
		g.arm(killPoint{})
		require.Equal(t, exitOK, run(t, commandProcess(killArgs(g.URL, "-o", ref), io.Discard), nil, g.release))
		if n := g.requests(); i == 0 || n < requests {
			requests = n
		}
	}
	want, err := os.ReadFile(ref)
	require.NoError(t, err)
	require.Greater(t, bytes.Count(want, []byte("\n")), 5000, "pages enough to kill an export half way")
	require.Greater(t, requests, 3, "requests enough to kill an export half way")
	// A point every run reaches before its end: its last request arrives,
	// at the latest.
	killPointIn := func() killPoint {
		p := killPoint{at: 1 + rng.IntN(requests), afterAnswer: rng.IntN(2) == 0}
		if p.at == requests {
			p.afterAnswer = false
		}
		return p
	}

	kills := 0
	// whole checks what a killed run left at path.
	whole := func(path string, data []byte) {
		t.Helper()
		if len(data) > 0 {
			assert.Equal(t, byte('\n'), data[len(data)-1], "%s ends in half a record (%d bytes, kill %d)", path, len(data), kills)
		}
		assert.True(t, bytes.HasPrefix(want, data), "%s holds what a clean export does", path)
	}
	complete := func(path string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		require.NoError(t, err)
		whole(path, data)
		assert.Equal(t, len(want), len(data), "%s is there complete or not at all (kill %d)", path, kills)
	}

	// -o FILE without a checkpoint: every run starts afresh, and is
	// killed before its end.
	plain := filepath.Join(dir, "plain.jsonl")
	for range 8 {
		point := killPointIn()
		g.arm(point)
		code := run(t, commandProcess(killArgs(g.URL, "-o", plain), io.Discard), g.reached, g.release)
		require.Equal(t, -1, code, "killed at %+v", point)
		kills++
		complete(plain)
	}

	// With a checkpoint every run goes on from the last: killed again and
	// again, the export ends with the same bytes as a clean one. A resumed
	// run makes fewer requests, and may end before its kill point.
	out, cp := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "out.ckpt")
	for runs := 1; ; runs++ {
		require.LessOrEqual(t, runs, 9, "the run without a kill did not complete the export")
		point := killPointIn()
		if runs > 8 { // enough kills: a run killed at its first request gets nothing done
			point = killPoint{}
		}
		g.arm(point)
		code := run(t, commandProcess(killArgs(g.URL, "-o", out, "-checkpoint", cp), io.Discard), g.reached, g.release)
		if code < 0 {
			kills++
		}
		complete(out)
		if code == exitOK {
			break
		}
		require.Equal(t, -1, code, "killed, or done")
	}
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "nothing lost, nothing repeated: %d bytes, want %d", len(got), len(want))
	temps, err := filepath.Glob(cp + ".*")
	require.NoError(t, err)
	assert.Empty(t, temps, "no temporary checkpoint left behind")

	// stdout, a pipe: killed while it writes into a full pipe (its reader
	// stalled past a random byte, far enough from the end that the pipe
	// cannot take the rest), what the reader got ends in a whole record.
	farFromTheEnd := len(want) - 1<<20 // past a pipe's buffer and a reader's
	for range 8 {
		stdout := newStallingWriter(1 + rng.IntN(farFromTheEnd))
		g.arm(killPoint{})
		code := run(t, commandProcess(killArgs(g.URL), stdout), stdout.reached, func() { stdout.release(); g.release() })
		require.Equal(t, -1, code, "killed past byte %d", stdout.past)
		kills++
		whole("stdout", stdout.buf.Bytes())
	}
	t.Logf("%d kills; a clean run made %d requests", kills, requests)
	assert.Greater(t, kills, 16, "every run but the checkpointed ones was killed before its end, and the first of those")
}

// killedUntilDone runs cmd again and again until it completes, killing
// the first eight runs at events (the k-th request of run k, or once its
// answer has gone out, in turn) and none after: every armed run is
// killed, however fast or slow the machine. check sees each run's exit
// code (-1 when killed). It returns the kills.
func killedUntilDone(t *testing.T, g *killGate, cmd func() *exec.Cmd, check func(code int)) int {
	t.Helper()
	kills := 0
	for runs := 1; ; runs++ {
		require.LessOrEqual(t, runs, 30, "30 runs did not complete the export")
		point := killPoint{at: (runs + 1) / 2, afterAnswer: runs%2 == 0}
		if runs > 8 {
			point = killPoint{}
		}
		g.arm(point)
		code := run(t, cmd(), g.reached, g.release)
		check(code)
		if code == exitOK {
			return kills
		}
		require.Equal(t, -1, code, "killed, or done")
		kills++
	}
}
