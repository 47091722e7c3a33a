// Package supersim is a typed client for the Super SIM usage API,
// GET /v1/UsageRecords, as Twilio serves it and as KORE Wireless, which now
// owns Twilio's IoT business, serves it with OAuth 2.0 client credentials
// ([WithKORE]): data uploaded, downloaded and billed, per SIM, fleet,
// network or country, in hour, day or whole-period buckets.
//
// Create a [Client] with [NewClient] and walk records with
// [Client.ListUsageRecords], which returns an [Iterator]:
//
//	client, err := supersim.NewClient() // TWILIO_* or KORE_* credentials from the environment
//	it := client.ListUsageRecords(ctx, &supersim.ListUsageRecordsOptions{
//		Group:       supersim.GroupSim,
//		Granularity: supersim.GranularityDay,
//	})
//	for rec, err := range it.All() {
//		if err != nil { ... }
//		fmt.Println(rec.SimSID, rec.DataTotal, rec.DataTotalBilled)
//	}
//
// The resources that give usage its meaning walk the same way:
// [Client.ListSims], [Client.ListFleets] (with each fleet's data limit),
// [Client.ListNetworks], [Client.ListBillingPeriods], and the fetches
// [Client.GetSim] and [Client.GetFleet]. [Client.DataLimits] answers which
// SIMs are close to their fleet's data limit in their current billing
// period. [Iterator.Pages] yields a walk page by page, each with the
// position after it, for a checkpoint per page.
//
// What sets it apart:
//
//   - Options are checked before anything is sent ([ListUsageRecordsOptions.Validate]),
//     every bad field reported as a [*ValidationError]; times go out in UTC
//     and unique names such as "my.sim.1" arrive unchanged.
//   - Amounts are exact: [Decimal] keeps every digit the API sent and adds
//     without rounding.
//   - Pages are fetched lazily with the caller's context, and always from
//     the configured API origin: a next_page_url naming another host gets
//     neither the request nor the credentials. A server that pages in a
//     loop ends in [ErrPagingLoop], not a hang. A walk can be saved with
//     [Iterator.NextPosition] and resumed.
//   - Requests are retried (429, 500, 502, 503, 504, dropped connections,
//     bodies cut short) with jittered exponential backoff that honours
//     Retry-After, and stop waiting when the context ends. The last failure
//     comes back as an [*APIError] with Twilio's code and message, matching
//     [ErrRateLimited], [ErrNotFound], [ErrUnauthorized] or [ErrServer].
//   - No error, log line or panic carries the auth token, the API secret or
//     an Authorization header.
//   - Code that needs usage depends on [UsageRecordsLister] (or
//     [SimsLister], [FleetsLister], ...); tests pass a fake built on
//     [NewSliceIterator] or [NewPagedIterator], or a client of the fake API
//     in package supersimtest.
package supersim
