package supersimtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func ExampleNewServer() {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	sim := "HS00000000000000000000000000000001"
	srv := supersimtest.NewServer(
		supersimtest.WithSamples([]supersimtest.Sample{
			{Sim: sim, Hour: start, Upload: 1000, Download: 4000, Billed: supersim.MustParseDecimal("0.01"), Currency: "USD"},
			{Sim: sim, Hour: start.Add(time.Hour), Upload: 2000, Download: 8000, Billed: supersim.MustParseDecimal("0.02"), Currency: "USD"},
		}),
		supersimtest.WithClock(func() time.Time { return start.AddDate(0, 0, 1) }),
	)
	defer srv.Close()
	srv.InjectFaults(1, supersimtest.FaultStatus(503, 0, "")) // the first request fails, the client retries

	client, err := srv.Client()
	if err != nil {
		panic(err)
	}
	it := client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{
		Granularity: supersim.GranularityHour, StartTime: start, EndTime: start.Add(2 * time.Hour),
	})
	for rec, err := range it.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(rec.Period.StartTime.Format("15:04"), rec.DataTotal, rec.DataTotalBilled, rec.BilledUnit)
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Status, r.Auth, r.Fault)
	}
	// Output:
	// 01:00 10000 0.02 USD
	// 00:00 5000 0.01 USD
	// 503 account true
	// 200 account false
}

func ExampleWithKORE() {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := supersimtest.NewServer(supersimtest.WithKORE(),
		supersimtest.WithSamples([]supersimtest.Sample{
			{Sim: "HS00000000000000000000000000000001", Hour: start, Upload: 1000, Download: 4000, Billed: supersim.MustParseDecimal("0.01"), Currency: "USD"},
		}),
		supersimtest.WithClock(func() time.Time { return start.AddDate(0, 0, 1) }))
	defer srv.Close()

	// A KORE client: client credentials exchanged at srv.TokenURL(), Bearer tokens on the API.
	client, err := srv.Client()
	if err != nil {
		panic(err)
	}
	for range 2 {
		recs, err := client.ListUsageRecords(context.Background(), nil).Collect()
		fmt.Println(len(recs), "record", err)
	}
	srv.RevokeTokens() // the next request is refused once, and the client exchanges again
	_, err = client.ListUsageRecords(context.Background(), nil).Collect()
	fmt.Println("after revocation:", err)
	fmt.Println("token exchanges:", srv.TokenExchanges())
	for _, r := range srv.Requests() {
		fmt.Println(r.Status, r.Auth)
	}
	// Output:
	// 1 record <nil>
	// 1 record <nil>
	// after revocation: <nil>
	// token exchanges: 2
	// 200 bearer
	// 200 bearer
	// 401 invalid
	// 200 bearer
}
