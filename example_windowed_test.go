package supersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// A windowed export checkpoints at a page end and resumes there after a
// crash: the Position, saved as JSON, names its time window.
func ExampleListUsageRecordsOptions_ResumeFrom() {
	now := time.Date(2026, 6, 15, 12, 30, 0, 0, time.UTC)
	srv := supersimtest.NewServer(supersimtest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		panic(err)
	}
	opts := supersim.ListUsageRecordsOptions{
		Group: supersim.GroupSim, Granularity: supersim.GranularityHour, PageSize: 500,
		StartTime:   time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		EndTime:     time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC),
		Concurrency: 8,
	}

	// The first run writes 3 pages' records and saves where it stands.
	var saved []byte
	written := 0
	it := client.ListUsageRecords(context.Background(), &opts)
	for pages := 0; pages < 3 && it.Next(); {
		written++ // write it.Value() out
		if it.AtPageEnd() {
			pages++
			next, _ := it.NextPosition()
			saved, _ = json.Marshal(next) // with the output, synced
		}
	}
	it.Stop() // the crash

	// The next run resumes from the saved position.
	var at supersim.Position
	if err := json.Unmarshal(saved, &at); err != nil {
		panic(err)
	}
	opts.ResumeFrom(at)
	rest, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	if err != nil {
		panic(err)
	}
	opts.Concurrency = 0
	opts.ResumeFrom(supersim.Position{})
	all, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	if err != nil {
		panic(err)
	}
	fmt.Println(written+len(rest) == len(all), "every record once:", written, "then", len(rest))
	// Output: true every record once: 206 then 11389
}
