package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultConcurrencyOnlyWhereWindowsApply(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, 0}, // granularity all: one request
		{[]string{"-granularity", "day"}, defaultConcurrency},
		{[]string{"-granularity", "day", "-start", "2026-06-01T06:00:00Z", "-end", "2026-06-02T06:00:00Z"}, -1}, // refused: not at midnight
		{[]string{"-granularity", "hour", "-start", "2026-06-01T06:30:00Z"}, -1},                                // refused: not on the hour
		{[]string{"-granularity", "hour", "-start", "2026-06-01T06:00:00Z"}, defaultConcurrency},                // on the hour
		{[]string{"-granularity", "hour", "-start", "2026-06-01"}, defaultConcurrency},
		{[]string{"-granularity", "hour", "-concurrency", "8"}, 8},
		{[]string{"-granularity", "hour", "-concurrency", "0"}, 0}, // one request after another
		{[]string{"-concurrency", "8"}, -1},                        // refused: windows of all would be summed apart
	} {
		q := newQueryFlags("usage", "", usageFormats)
		require.NoError(t, q.parse(tt.args))
		opts, err := q.options(fixedNow, &demoCredentials)
		if tt.want < 0 {
			assert.Error(t, err, "%v", tt.args)
			continue
		}
		require.NoError(t, err, "%v", tt.args)
		assert.Equal(t, tt.want, opts.Concurrency, "%v", tt.args)
	}
}

func TestDefaultPeriodIsTheMonthOfWholeDaysBeforeToday(t *testing.T) {
	t.Parallel()
	q := newQueryFlags("usage", "", usageFormats)
	require.NoError(t, q.parse(nil))
	opts, err := q.options(fixedNow, &demoCredentials)
	require.NoError(t, err)
	assert.Equal(t, "2026-05-15T00:00:00Z", stamp(opts.StartTime))
	assert.Equal(t, "2026-06-15T00:00:00Z", stamp(opts.EndTime))
	assert.Equal(t, demoCredentials.maxPageSize, opts.PageSize)
}
