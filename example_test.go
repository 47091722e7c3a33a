package supersim_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// exampleServer is a fake API with a few hours of usage, standing in for
// Twilio so that the examples run anywhere.
func exampleServer() *supersimtest.Server {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var samples []supersimtest.Sample
	for i, sim := range []string{"HS00000000000000000000000000000001", "HS00000000000000000000000000000002"} {
		for hour := range 3 {
			samples = append(samples, supersimtest.Sample{
				Sim: sim, SimName: fmt.Sprintf("tracker-%d", i+1), IsoCountry: "FR",
				Hour: start.Add(time.Duration(hour) * time.Hour), Upload: 1000, Download: int64(4000 * (i + 1)),
				Billed: supersim.MustParseDecimal("0.01"), Currency: "USD",
			})
		}
	}
	return supersimtest.NewServer(supersimtest.WithSamples(samples),
		supersimtest.WithClock(func() time.Time { return start.AddDate(0, 0, 1) }))
}

func ExampleClient_ListUsageRecords() {
	srv := exampleServer()
	defer srv.Close()

	// In production: supersim.NewClient() reads TWILIO_* from the environment.
	client, err := supersim.NewClient(
		supersim.WithBaseURL(srv.URL),
		supersim.WithCredentials(supersimtest.AccountSID, supersimtest.AuthToken),
	)
	if err != nil {
		panic(err)
	}
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Group:     supersim.GroupSim,
		StartTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		EndTime:   time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC),
	})
	for rec, err := range it.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(rec.SimSID, rec.DataTotal, "bytes", rec.DataTotalBilled, rec.BilledUnit)
	}
	// Output:
	// HS00000000000000000000000000000001 15000 bytes 0.03 USD
	// HS00000000000000000000000000000002 27000 bytes 0.03 USD
}

func ExampleWithKORE() {
	// A fake of KORE's API and token endpoint; against KORE itself, drop the
	// last two options (or set KORE_CLIENT_ID and KORE_CLIENT_SECRET and
	// call NewClient with no option at all).
	srv := supersimtest.NewServer(supersimtest.WithKORE(), supersimtest.WithSamples(nil))
	defer srv.Close()
	client, err := supersim.NewClient(
		supersim.WithKORE(supersimtest.ClientID, supersimtest.ClientSecret),
		supersim.WithTokenURL(srv.TokenURL()),
		supersim.WithBaseURL(srv.URL),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println("provider:", client.Provider())

	_, err = client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 1000}).Collect()
	var verr *supersim.ValidationError
	fmt.Println(errors.As(err, &verr), verr.Field) // KORE pages hold at most 249 records

	recs, err := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 249}).Collect()
	fmt.Println(len(recs), err, "token exchanges:", srv.TokenExchanges())
	// Output:
	// provider: kore
	// true PageSize
	// 0 <nil> token exchanges: 1
}

func ExampleIterator_Next() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := srv.Client()

	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Sim:         "tracker-2", // a unique name works as well as a SID
		Granularity: supersim.GranularityHour,
		StartTime:   time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		EndTime:     time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC),
	})
	defer it.Stop() // ends the fetches ahead if the loop breaks early
	for it.Next() {
		rec := it.Value()
		fmt.Println(rec.Period.StartTime.Format(time.Kitchen), rec.DataDownload)
	}
	if err := it.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 1:00AM 8000
	// 12:00AM 8000
}

func ExampleIterator_NextPosition() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := srv.Client()
	opts := supersim.ListUsageRecordsOptions{
		Granularity: supersim.GranularityHour, Group: supersim.GroupSim, PageSize: 2,
		StartTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), EndTime: time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC),
	}

	// Export one page, then save where the next one starts...
	it := client.ListUsageRecords(context.Background(), &opts)
	defer it.Stop()
	for it.Next() {
		if it.AtPageEnd() {
			break
		}
	}
	saved, more := it.NextPosition()
	fmt.Println("more to come:", more, "next page:", saved.Page)

	// ...and later resume from there.
	opts.PageToken, opts.Page = saved.PageToken, saved.Page
	rest, err := client.ListUsageRecords(context.Background(), &opts).Collect()
	fmt.Println("records after resuming:", len(rest), err)
	// Output:
	// more to come: true next page: 1
	// records after resuming: 4 <nil>
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := supersim.NewClient(supersim.WithBaseURL(srv.URL), supersim.WithCredentials(supersimtest.AccountSID, "wrong"))

	_, err := client.ListUsageRecords(context.Background(), nil).Collect()
	var apiErr *supersim.APIError
	switch {
	case errors.Is(err, supersim.ErrUnauthorized):
		errors.As(err, &apiErr)
		fmt.Println("check the credentials: Twilio error", apiErr.Code)
	case errors.Is(err, supersim.ErrRateLimited):
		fmt.Println("still rate limited after every retry")
	case err != nil:
		fmt.Println("failed:", err)
	}
	// Output:
	// check the credentials: Twilio error 20003
}

func ExampleValidationError() {
	// List runs the same checks and sends nothing when they fail.
	opts := &supersim.ListUsageRecordsOptions{Network: "HW123", PageSize: 5000}
	err := opts.Validate()
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var v *supersim.ValidationError
		if errors.As(e, &v) {
			fmt.Println(v.Field+":", v.Problem)
		}
	}
	// Output:
	// Network: must match ^HW[0-9a-fA-F]{32}$
	// PageSize: must be between 1 and 1000, or 0 for the default
}

// totalBytes is downstream code: it needs only ListUsageRecords, so it
// holds a supersim.UsageRecordsLister and tests can pass a fake.
type totalBytes struct{ usage supersim.UsageRecordsLister }

func (tb totalBytes) sum(ctx context.Context) (int64, error) {
	var total int64
	for rec, err := range tb.usage.ListUsageRecords(ctx, nil).All() {
		if err != nil {
			return 0, err
		}
		total += rec.DataTotal
	}
	return total, nil
}

// fakeLister is a hand-written fake of supersim.UsageRecordsLister.
type fakeLister []supersim.UsageRecord

func (f fakeLister) ListUsageRecords(context.Context, *supersim.ListUsageRecordsOptions) *supersim.Iterator[supersim.UsageRecord] {
	return supersim.NewSliceIterator(f, nil)
}

func ExampleNewSliceIterator() {
	fake := fakeLister{{DataTotal: 100}, {DataTotal: 250}}
	total, err := totalBytes{usage: fake}.sum(context.Background())
	fmt.Println(total, err)
	// Output:
	// 350 <nil>
}

func ExampleDecimal_Add() {
	var sum supersim.Decimal
	for range 100_000 {
		sum = sum.Add(supersim.MustParseDecimal("0.03"))
	}
	fmt.Println(sum) // float32 would say 3002.41
	// Output:
	// 3000.00
}
