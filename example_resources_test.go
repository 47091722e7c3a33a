package supersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

// Fleets carry the data limit of their SIMs; usage records name them by
// SID only.
func ExampleClient_ListFleets() {
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	for fleet, err := range client.ListFleets(context.Background(), nil).All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d MB per SIM, data enabled %v\n", fleet.UniqueName, fleet.DataLimit, fleet.DataEnabled)
	}
	// Output:
	// paris-trackers: 50 MB per SIM, data enabled true
	// berlin-meters: 20 MB per SIM, data enabled true
	// texas-pumps: 100 MB per SIM, data enabled true
	// london-kiosks: 250 MB per SIM, data enabled false
}

// Pages yields each page with the position after it: write the page, then
// save the position, and a walk resumed there loses and repeats nothing.
func ExampleIterator_Pages() {
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	opts := &supersim.ListSimsOptions{Status: supersim.SimStatusActive}
	opts.PageSize = 10
	var checkpoint []byte
	written := 0
	for page, err := range client.ListSims(context.Background(), opts).Pages() {
		if err != nil {
			log.Fatal(err) // resume later from the last checkpoint
		}
		written += len(page.Items) // write(page.Items)
		if checkpoint, err = json.Marshal(page.Next); err != nil {
			log.Fatal(err)
		}
		if written == 20 {
			break // interrupted
		}
	}
	var at supersim.Position
	if err := json.Unmarshal(checkpoint, &at); err != nil {
		log.Fatal(err)
	}
	opts.ResumeFrom(at)
	rest, err := client.ListSims(context.Background(), opts).Collect()
	if err != nil {
		log.Fatal(err)
	}
	all, _ := client.ListSims(context.Background(), &supersim.ListSimsOptions{Status: supersim.SimStatusActive}).Collect()
	fmt.Println(written+len(rest) == len(all))
	// Output: true
}
