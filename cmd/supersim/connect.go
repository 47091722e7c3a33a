package main

import (
	"errors"
	"fmt"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// query returns where q asks to read from and what, with the period
// resolved against the clock, and warns when the period reaches past now.
// A checkpointed export (q.wholeBuckets) does not warn: its end is cut
// to the last whole bucket instead. Its errors are usage errors.
func (a *app) query(q *queryFlags) (*credentials, supersim.ListUsageRecordsOptions, error) {
	creds, err := a.source(q)
	if err != nil {
		return nil, supersim.ListUsageRecordsOptions{}, err
	}
	now := a.now()
	opts, err := q.options(now, creds)
	if err == nil && !q.wholeBuckets {
		if warning := futureWarning(opts, now); warning != "" {
			fmt.Fprintln(a.stderr, "supersim: "+warning)
		}
	}
	return creds, opts, err
}

// source returns where q asks to read from: the demo for -demo, else the
// first complete pair of credentials in the environment, warning on stderr
// of the half-set pairs it ignored. Its errors are usage errors.
func (a *app) source(q *queryFlags) (*credentials, error) {
	if q.demo {
		if q.baseURL != "" || q.tokenURL != "" {
			return nil, errors.New("-base-url and -token-url do not go with -demo")
		}
		return &demoCredentials, nil
	}
	creds, err := findCredentials(environment(a.env))
	if err != nil {
		return nil, err
	}
	if q.tokenURL != "" && creds.provider != "KORE" {
		return nil, fmt.Errorf("-token-url is for KORE credentials; these are %s's (%s)", creds.provider, creds.pair.id)
	}
	for _, warning := range creds.warnings {
		fmt.Fprintln(a.stderr, "supersim: "+warning)
	}
	return creds, nil
}

// connect makes the client for creds: the built-in fake API with its demo
// dataset for the demo, else the real API (or -base-url). It says on stderr
// which it reads. release stops the fake API, if any.
func (a *app) connect(q *queryFlags, creds *credentials) (client *supersim.Client, release func(), err error) {
	ua := supersim.WithUserAgent("supersim-cmd/" + moduleVersion())
	if creds.pair == nil {
		srv := supersimtest.NewServer(supersimtest.WithClock(a.now))
		if client, err = srv.Client(ua); err != nil {
			srv.Close()
			return nil, nil, err
		}
		fmt.Fprintf(a.stderr, "supersim: reading %s\n", creds.describe())
		return client, srv.Close, nil
	}
	opts := []supersim.Option{creds.pair.option(creds.id, creds.secret), ua}
	where := ""
	if q.baseURL != "" {
		opts = append(opts, supersim.WithBaseURL(q.baseURL))
		where = " at " + q.baseURL
	}
	if q.tokenURL != "" {
		opts = append(opts, supersim.WithTokenURL(q.tokenURL))
	}
	if client, err = supersim.NewClient(opts...); err != nil {
		return nil, nil, errors.New(oneLine(err))
	}
	fmt.Fprintf(a.stderr, "supersim: reading %s%s\n", creds.describe(), where)
	return client, func() {}, nil
}
