package mocking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/examples/mocking"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	start = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end   = start.AddDate(0, 0, 7)
)

// fakeUsage is a hand-written fake: fixed records, or an error, and a note
// of the options it was called with.
type fakeUsage struct {
	records []supersim.UsageRecord
	err     error
	got     *supersim.ListUsageRecordsOptions
}

func (f *fakeUsage) ListUsageRecords(_ context.Context, opts *supersim.ListUsageRecordsOptions) *supersim.Iterator[supersim.UsageRecord] {
	f.got = opts
	return supersim.NewSliceIterator(f.records, f.err)
}

func TestOverBudgetWithAHandWrittenFake(t *testing.T) {
	fake := &fakeUsage{records: []supersim.UsageRecord{
		{SimSID: "HS1", DataTotalBilled: supersim.MustParseDecimal("0.60"), BilledUnit: "USD"},
		{SimSID: "HS2", DataTotalBilled: supersim.MustParseDecimal("0.99"), BilledUnit: "USD"},
		{SimSID: "HS1", DataTotalBilled: supersim.MustParseDecimal("0.41"), BilledUnit: "USD"},
		{SimSID: "HS3", DataTotalBilled: supersim.MustParseDecimal("5"), BilledUnit: "USD"},
	}}
	alerts, err := mocking.OverBudget(context.Background(), fake, "fleet x", start, end, supersim.MustParseDecimal("1.00"))
	require.NoError(t, err)
	require.Len(t, alerts, 2)
	assert.Equal(t, "HS3", alerts[0].SimSID)
	assert.Equal(t, "HS1", alerts[1].SimSID)
	assert.Equal(t, "1.01", alerts[1].Billed.String(), "exact: 0.60 + 0.41")
	assert.Equal(t, "fleet x", fake.got.Fleet)
	assert.Equal(t, supersim.GroupSim, fake.got.Group)

	fake.err = errors.New("connection reset")
	_, err = mocking.OverBudget(context.Background(), fake, "fleet x", start, end, supersim.MustParseDecimal("1"))
	assert.ErrorIs(t, err, fake.err)
}

func TestOverBudgetWithTheFakeServer(t *testing.T) {
	sample := func(sim string, hour int, billed string) supersimtest.Sample {
		return supersimtest.Sample{Sim: sim, Fleet: "HF00000000000000000000000000000001", FleetName: "fleet x",
			Hour: start.Add(time.Duration(hour) * time.Hour), Upload: 1, Billed: supersim.MustParseDecimal(billed), Currency: "USD"}
	}
	srv := supersimtest.NewServer(supersimtest.WithSamples([]supersimtest.Sample{
		sample("HS00000000000000000000000000000001", 1, "0.60"),
		sample("HS00000000000000000000000000000001", 30, "0.41"),
		sample("HS00000000000000000000000000000002", 2, "0.99"),
	}), supersimtest.WithClock(func() time.Time { return end }))
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)

	alerts, err := mocking.OverBudget(context.Background(), client, "fleet x", start, end, supersim.MustParseDecimal("1.00"))
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	assert.Equal(t, "HS00000000000000000000000000000001", alerts[0].SimSID)
	assert.Equal(t, "1.01", alerts[0].Billed.String())

	srv.InjectFaults(10, supersimtest.FaultStatus(401, 0, ""))
	_, err = mocking.OverBudget(context.Background(), client, "fleet x", start, end, supersim.MustParseDecimal("1"))
	assert.ErrorIs(t, err, supersim.ErrUnauthorized)
}
