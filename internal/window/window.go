// Package window splits a time range into windows at UTC day boundaries,
// for fetching the windows of a long export at once.
package window

import "time"

const day = 24 * time.Hour

// Window is the range [Start, End).
type Window struct {
	Start, End time.Time
}

// Split cuts [start, end) into consecutive windows of whole UTC days, about
// perWorker×workers of them, none longer than maxDays; the last one ends at
// end. It returns nil when start is not a UTC midnight or end is not after
// start, for the caller to fall back to one walk.
func Split(start, end time.Time, maxDays, workers, perWorker int) []Window {
	start, end = start.UTC(), end.UTC()
	if !start.Equal(start.Truncate(day)) || !end.After(start) || maxDays < 1 || workers < 1 || perWorker < 1 {
		return nil
	}
	days := int((end.Sub(start) + day - 1) / day)
	length := min(max((days+workers*perWorker-1)/(workers*perWorker), 1), maxDays)
	var windows []Window
	for from := start; from.Before(end); {
		to := from.AddDate(0, 0, length)
		if to.After(end) {
			to = end
		}
		windows = append(windows, Window{Start: from, End: to})
		from = to
	}
	return windows
}
