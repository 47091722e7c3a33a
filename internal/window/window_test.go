package window

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func date(d int) time.Time { return time.Date(2026, 5, d, 0, 0, 0, 0, time.UTC) }

func TestSplitCoversTheRangeInWholeDays(t *testing.T) {
	tests := []struct {
		name                        string
		start, end                  time.Time
		maxDays, workers, perWorker int
		wantLen                     int
		wantDays                    int // length of the first window
	}{
		{"31 days, 8 workers: one day each", date(1), date(1).AddDate(0, 0, 31), 31, 8, 4, 31, 1},
		{"90 days of day granularity", date(1), date(1).AddDate(0, 0, 90), 89, 8, 4, 30, 3},
		{"capped by maxDays", date(1), date(1).AddDate(0, 0, 120), 31, 1, 1, 4, 31},
		{"ragged end", date(1), date(3).Add(5 * time.Hour), 31, 4, 4, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Split(tt.start, tt.end, tt.maxDays, tt.workers, tt.perWorker)
			require.Len(t, ws, tt.wantLen)
			assert.Equal(t, tt.start, ws[0].Start)
			assert.Equal(t, tt.end, ws[len(ws)-1].End)
			assert.Equal(t, time.Duration(tt.wantDays)*day, ws[0].End.Sub(ws[0].Start))
			for i, w := range ws {
				assert.True(t, w.End.After(w.Start))
				assert.LessOrEqual(t, w.End.Sub(w.Start), time.Duration(tt.maxDays)*day)
				assert.Equal(t, w.Start, w.Start.Truncate(day), "windows start at UTC midnight")
				if i > 0 {
					assert.Equal(t, ws[i-1].End, w.Start, "no gap, no overlap")
				}
			}
		})
	}
}

func TestSplitRefusesWhatItCannotSplit(t *testing.T) {
	assert.Nil(t, Split(date(1).Add(time.Hour), date(9), 31, 8, 4), "start not at midnight")
	assert.Nil(t, Split(date(1).In(time.FixedZone("CEST", 7200)).Add(-2*time.Hour).Add(time.Hour), date(9), 31, 8, 4))
	assert.Nil(t, Split(date(9), date(1), 31, 8, 4), "end before start")
	assert.Nil(t, Split(date(1), date(9), 0, 8, 4))
	assert.Len(t, Split(date(1).In(time.FixedZone("CEST", 7200)), date(9), 31, 8, 4), 8, "a UTC midnight in any zone")
}
