package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var now = time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)

func TestReportSumsTheMonthExactly(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, report(context.Background(), client, now, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, supersimtest.DemoFleets+1, out.String())
	want := srv.Totals(supersimtest.Filter{Start: time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)})
	assert.Equal(t, "billed in total: "+want.Billed.String()+" USD", lines[len(lines)-1])
}

func TestReportReturnsTheWalksError(t *testing.T) {
	t.Parallel()
	failed := errors.New("the API is down")
	err := report(context.Background(), fakeUsage{err: failed}, now, &bytes.Buffer{})
	assert.ErrorIs(t, err, failed)
}

// fakeUsage is a UsageRecordsLister whose walk ends with err.
type fakeUsage struct{ err error }

func (f fakeUsage) ListUsageRecords(context.Context, *supersim.ListUsageRecordsOptions) *supersim.Iterator[supersim.UsageRecord] {
	return supersim.NewSliceIterator[supersim.UsageRecord](nil, f.err)
}
