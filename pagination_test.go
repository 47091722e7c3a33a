package supersim_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supersimkit/supersim"
)

func TestSliceIterator(t *testing.T) {
	boom := errors.New("boom")
	t.Run("pull to a clean end", func(t *testing.T) {
		it := supersim.NewSliceIterator([]int{1, 2, 3}, nil)
		var got []int
		for it.Next() {
			got = append(got, it.Value())
		}
		assert.Equal(t, []int{1, 2, 3}, got)
		assert.NoError(t, it.Err())
		assert.False(t, it.Next(), "stays ended")
	})
	t.Run("error comes last, once", func(t *testing.T) {
		var got []int
		var errs []error
		for v, err := range supersim.NewSliceIterator([]int{1, 2}, boom).All() {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			got = append(got, v)
		}
		assert.Equal(t, []int{1, 2}, got)
		assert.Equal(t, []error{boom}, errs)
	})
	t.Run("collect returns what came before the error", func(t *testing.T) {
		got, err := supersim.NewSliceIterator([]string{"a"}, boom).Collect()
		assert.Equal(t, []string{"a"}, got)
		assert.ErrorIs(t, err, boom)
	})
	t.Run("early break", func(t *testing.T) {
		it := supersim.NewSliceIterator([]int{1, 2, 3}, boom)
		for v := range it.All() {
			if v == 2 {
				break
			}
		}
		assert.Equal(t, 2, it.Value())
		assert.False(t, it.Next())
		assert.NoError(t, it.Err(), "a stopped walk has no error")
	})
	t.Run("empty", func(t *testing.T) {
		got, err := supersim.NewSliceIterator[int](nil, nil).Collect()
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("positions of a slice iterator", func(t *testing.T) {
		it := supersim.NewSliceIterator([]int{1, 2}, nil)
		require.True(t, it.Next())
		assert.False(t, it.AtPageEnd())
		require.True(t, it.Next())
		assert.True(t, it.AtPageEnd())
		_, more := it.NextPosition()
		assert.False(t, more)
	})
}

// An iterator dropped mid-walk without Stop must not leave its goroutines
// blocked forever: they end once the garbage collector finds it.
func TestAbandonedIteratorsEndTheirGoroutines(t *testing.T) {
	before := goleak.IgnoreCurrent()
	_, client := demoAPI(t)
	start := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	for _, opts := range []supersim.ListUsageRecordsOptions{
		{Granularity: supersim.GranularityHour, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 8), PageSize: 50, Concurrency: 4},
		{Granularity: supersim.GranularityHour, Group: supersim.GroupSim, StartTime: start, EndTime: start.AddDate(0, 0, 8), PageSize: 50},
	} {
		func() {
			it := client.ListUsageRecords(context.Background(), &opts)
			for i := 0; i < 3 && it.Next(); i++ {
			}
			require.NoError(t, it.Err())
		}() // it is unreachable from here on, never stopped
	}
	require.Eventually(t, func() bool {
		runtime.GC()
		return goleak.Find(before, goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
			goleak.IgnoreTopFunction("internal/poll.runtime_pollWait")) == nil
	}, 10*time.Second, 20*time.Millisecond, "goroutines of an abandoned iterator are still running")
}

func TestPagesYieldEachPageWithThePositionAfterIt(t *testing.T) {
	boom := errors.New("boom")
	pages := [][]string{{"a", "b"}, {}, {"c"}, {"d", "e", "f"}}

	type seen struct {
		items     []string
		pos, next supersim.Position
		last      bool
	}
	walk := func(it *supersim.Iterator[string]) ([]seen, error) {
		var got []seen
		for p, err := range it.Pages() {
			if err != nil {
				return got, err
			}
			got = append(got, seen{append([]string(nil), p.Items...), p.Position, p.Next, p.Last})
		}
		return got, nil
	}
	got, err := walk(supersim.NewPagedIterator(pages, supersim.Position{}, nil))
	require.NoError(t, err)
	assert.Equal(t, []seen{
		{[]string{"a", "b"}, supersim.Position{Page: 0}, supersim.Position{Page: 1}, false},
		{[]string{"c"}, supersim.Position{Page: 2}, supersim.Position{Page: 3}, false},
		{[]string{"d", "e", "f"}, supersim.Position{Page: 3}, supersim.Position{}, true},
	}, got, "the empty page is skipped")

	// Resuming at a saved Next gives exactly the rest.
	rest, err := supersim.NewPagedIterator(pages, supersim.Position{Page: 2}, nil).Collect()
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "d", "e", "f"}, rest)

	// An error comes last, once, with the position to resume at.
	it := supersim.NewPagedIterator(pages[:1], supersim.Position{}, boom)
	got, err = walk(it)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []seen{{[]string{"a", "b"}, supersim.Position{Page: 0}, supersim.Position{Page: 1}, false}}, got)
	next, ok := it.NextPosition()
	assert.True(t, ok)
	assert.Equal(t, supersim.Position{Page: 1}, next)
}

func TestPagesAfterNextHoldTheRestOfThePage(t *testing.T) {
	it := supersim.NewPagedIterator([][]int{{1, 2, 3}, {4, 5}}, supersim.Position{}, nil)
	require.True(t, it.Next())
	assert.Equal(t, 1, it.Value())
	var got [][]int
	for p, err := range it.Pages() {
		require.NoError(t, err)
		got = append(got, append([]int(nil), p.Items...))
	}
	assert.Equal(t, [][]int{{2, 3}, {4, 5}}, got)
	assert.False(t, it.Next())
}

func TestPagesStopAtMaxRecordsAndOnBreak(t *testing.T) {
	api := newPlainServer(t, pagedHandler(t, makeRecords(25), 10, ""))
	client, err := supersim.NewClient(supersim.WithBaseURL(api.URL), supersim.WithCredentials(testAccountSID, testAuthToken))
	require.NoError(t, err)
	var sizes []int
	for p, err := range client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10, MaxRecords: 13}).Pages() {
		require.NoError(t, err)
		sizes = append(sizes, len(p.Items))
	}
	assert.Equal(t, []int{10, 3}, sizes)

	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 10})
	for range it.Pages() {
		break
	}
	assert.False(t, it.Next(), "breaking out stops the walk")
	assert.NoError(t, it.Err())
}
