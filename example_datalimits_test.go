package supersim_test

import (
	"context"
	"fmt"
	"log"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// An alerting service asks which SIMs are close to their fleet's data
// limit in their current billing period, and warns before they are
// blocked. Here against the fake API's demo account.
func ExampleClient_DataLimits() {
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client() // supersim.NewClient() in production
	if err != nil {
		log.Fatal(err)
	}
	rows, err := client.DataLimits(context.Background(), &supersim.DataLimitsOptions{
		Fleet: "paris-trackers", // or "" for every fleet
	})
	if err != nil {
		log.Fatal(err)
	}
	over := 0
	for _, r := range rows { // highest percentage first
		if r.Percent >= 80 {
			over++ // alert(r.SimName, r.Percent, r.PeriodEnd)
		}
	}
	fmt.Printf("%d of %d SIMs in paris-trackers are at or over 80%% of their limit\n", over, len(rows))
	// Output: 3 of 26 SIMs in paris-trackers are at or over 80% of their limit
}
