// Command usage-report is a short example of the supersim SDK: it lists a
// month of data usage per fleet and adds up the amount billed, exactly.
// For the full report (groups, buckets, charts, CSV and JSON, exports),
// run the supersim command: go run ./cmd/supersim usage -help.
//
//	go run ./examples/usage-report -demo   # demo data from the built-in fake API
//	go run ./examples/usage-report         # your account, credentials from the environment
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func main() {
	demo := flag.Bool("demo", false, "read the demo data of the built-in fake API instead of your account")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var client *supersim.Client
	var err error
	if *demo {
		srv := supersimtest.NewServer() // a fake of the API on loopback, with demo data
		defer srv.Close()
		client, err = srv.Client()
	} else {
		client, err = supersim.NewClient() // credentials from TWILIO_* (or KORE_*) variables
	}
	if err == nil {
		err = report(ctx, client, time.Now(), os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage-report:", err)
		os.Exit(1)
	}
}

// report prints the usage of each fleet in the month of whole UTC days
// before now, and the total billed.
func report(ctx context.Context, usage supersim.UsageRecordsLister, now time.Time, w io.Writer) error {
	end := now.UTC().Truncate(24 * time.Hour)
	it := usage.ListUsageRecords(ctx, &supersim.ListUsageRecordsOptions{
		Group:     supersim.GroupFleet,
		StartTime: end.AddDate(0, -1, 0),
		EndTime:   end,
		PageSize:  1000,
	})
	var billed supersim.Decimal
	var currency string
	for rec, err := range it.All() {
		if err != nil {
			return err // the walk's error comes last, once
		}
		fmt.Fprintf(w, "%s  %12d bytes  %s %s\n", rec.FleetSID, rec.DataTotal, rec.DataTotalBilled, rec.BilledUnit)
		billed = billed.Add(rec.DataTotalBilled) // exact: no float holds money
		currency = rec.BilledUnit                // one currency per account
	}
	fmt.Fprintf(w, "billed in total: %s %s\n", billed, currency)
	return nil
}
