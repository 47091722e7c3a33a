package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supersimkit/supersim"
)

// serveIntro is the first paragraph of "supersim serve -help".
const serveIntro = `Serves Prometheus metrics on /metrics and a health check on /healthz: per
fleet, data in the SIMs' current billing periods, SIMs at or over 50, 80 and
100% of their data limit, month-to-date data and billed amounts (also per
network and country), the 10 SIMs nearest their limit, when the metrics were
last refreshed, and the client's requests, retries and 429s. A background
refresh reads the API every -refresh; a scrape reads the last good snapshot
and never the API. A refresh that fails keeps the last good snapshot and
counts supersim_refresh_errors_total. -network and -country narrow the
month-to-date usage only: a data limit counts a SIM's data on every network.
/healthz answers 503 until the first refresh succeeded, then 200.
`

// serveExitCodesHelp is the exit-code section of "supersim serve -help".
const serveExitCodesHelp = `Exit codes:
  0    stopped by SIGINT or SIGTERM, after closing the listener
  1    cannot listen on -listen, or the first refresh was refused for the
       credentials (later failures are counted, not fatal)
  2    usage error: bad flags, no credentials
`

const (
	defaultRefresh = 15 * time.Minute
	minRefresh     = time.Minute // kind to the API: a refresh walks every SIM's usage
)

// serveFlagNames are the shared flags that serve takes, with its own
// usage text where the shared one does not fit.
var serveFlagNames = map[string]string{
	"sim": "", "fleet": "", "network": "", "country": "", "demo": "", "base-url": "", "token-url": "",
	"concurrency": fmt.Sprintf("requests at once of the data-limit watch, 1 to %d, or 0 for\nthe SDK's default of 8", supersim.MaxConcurrency),
}

// newServeFlags returns the flags of "supersim serve": the shared filter,
// source and concurrency flags (bound to the returned queryFlags), without
// the report and export flags that mean nothing here.
func newServeFlags() *queryFlags {
	q := newQueryFlags("serve", serveIntro, []string{"prometheus"})
	fs := flag.NewFlagSet("supersim serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	q.fs.VisitAll(func(f *flag.Flag) {
		if usage, ok := serveFlagNames[f.Name]; ok {
			fs.Var(f.Value, f.Name, cmp.Or(usage, f.Usage))
		}
	})
	q.fs = fs
	return q
}

// serve runs "supersim serve".
func (a *app) serve(ctx context.Context, args []string) int {
	q := newServeFlags()
	listen := q.fs.String("listen", "", "serve on this `address`, host:port (required; 127.0.0.1:0 picks a\nfree port, printed on stderr)")
	every := q.fs.Duration("refresh", defaultRefresh, fmt.Sprintf("refresh the metrics from the API every `duration`,\nat least %s", minRefresh))
	err := q.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(a.stdout, "Usage: supersim serve -listen ADDR [flags]\n\n%s\nFlags:\n", serveIntro)
		q.fs.SetOutput(a.stdout)
		q.fs.PrintDefaults()
		fmt.Fprintf(a.stdout, "\n%s\n%s", credentialsHelp, serveExitCodesHelp)
		return exitOK
	}
	if err == nil {
		err = checkServeFlags(q, *listen, *every, a.now())
	}
	var creds *credentials
	if err == nil {
		creds, err = a.source(q)
	}
	if err != nil {
		return a.usageError(q, err)
	}
	client, release, err := a.connect(q, creds)
	if err != nil {
		return a.usageError(q, err)
	}
	defer release()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(a.stderr, "supersim: %v\n", err)
		return exitAPIError
	}

	filter := supersim.ListUsageRecordsOptions{Sim: q.sim, Fleet: q.fleet, Network: q.network, IsoCountry: q.country, PageSize: creds.maxPageSize}
	e := newPromExporter(client, filter, q.concurrency, a.now)
	srv := &http.Server{Handler: e.handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(a.stderr, "supersim: serving http://%s/metrics, refreshing every %s\n", ln.Addr(), *every)

	code := e.loop(ctx, *every, a.stderr, creds)
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(a.stderr, "supersim: %v\n", err)
		return exitAPIError
	}
	return code
}

// checkServeFlags checks serve's own flags, and the filters as the SDK
// would, before anything is read.
func checkServeFlags(q *queryFlags, listen string, every time.Duration, now time.Time) error {
	var errs []error
	if listen == "" {
		errs = append(errs, errors.New("-listen is required: host:port, such as 127.0.0.1:9464"))
	} else if _, _, err := net.SplitHostPort(listen); err != nil {
		errs = append(errs, fmt.Errorf("-listen %q: want host:port (%v)", listen, err))
	}
	if every < minRefresh {
		errs = append(errs, fmt.Errorf("-refresh %s: at least %s (each refresh reads every SIM's usage)", every, minRefresh))
	}
	if q.concurrency < 0 || q.concurrency > supersim.MaxConcurrency {
		errs = append(errs, fmt.Errorf("-concurrency %d: want 1 to %d, or 0", q.concurrency, supersim.MaxConcurrency))
	}
	probe := supersim.ListUsageRecordsOptions{Sim: q.sim, Fleet: q.fleet, Network: q.network, IsoCountry: q.country,
		StartTime: now.UTC().Add(-time.Hour), EndTime: now.UTC()}
	if err := probe.Validate(); err != nil {
		errs = append(errs, flagErrors(err))
	}
	return errors.Join(errs...)
}

// loop refreshes now and then every interval until ctx ends, each refresh
// bounded by the interval, and reports failures on stderr. It returns the
// exit code: exitOK when ctx ended, or fail's code when the first refresh
// was refused for the credentials.
func (e *promExporter) loop(ctx context.Context, every time.Duration, stderr io.Writer, creds *credentials) int {
	ticker := time.NewTicker(every) // a refresh longer than every drops ticks: never two at once
	defer ticker.Stop()
	for first := true; ; first = false {
		refreshCtx, cancel := context.WithTimeout(ctx, every)
		err := e.refresh(refreshCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(stderr, "supersim: stopping")
			return exitOK
		case first && errors.Is(err, supersim.ErrUnauthorized):
			return fail(ctx, stderr, err, creds)
		case err != nil:
			last, failures := e.lastRefresh()
			serving := "no metrics yet"
			if !last.IsZero() {
				serving = "serving the metrics of " + stamp(last)
			}
			fmt.Fprintf(stderr, "supersim: refresh failed (%d so far; %s): %s\n", failures, serving, oneLine(err))
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "supersim: stopping")
			return exitOK
		case <-ticker.C:
		}
	}
}

// handler serves /metrics from a registry of e, the Go runtime's and the
// process's collectors, and /healthz.
func (e *promExporter) handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	mux.HandleFunc("GET /healthz", e.healthz)
	return mux
}

// healthz answers 200 once a refresh has succeeded (the metrics may be
// stale since: supersim_refresh_last_success_timestamp_seconds says), and
// 503 before.
func (e *promExporter) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	last, failures := e.lastRefresh()
	if last.IsZero() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "no successful refresh yet (%d failed)\n", failures)
		return
	}
	fmt.Fprintf(w, "ok: last successful refresh %s (%d failed in all)\n", stamp(last), failures)
}
