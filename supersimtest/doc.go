// Package supersimtest is a fake of the Twilio Super SIM UsageRecords API
// for tests, as net/http/httptest is a fake of an HTTP server: one line
// starts a real HTTP server on loopback that answers like Twilio does, over
// data the test controls.
//
//	srv := supersimtest.NewServer(supersimtest.WithSamples(samples))
//	defer srv.Close()
//	client, err := srv.Client()
//
// The server implements GET /v1/UsageRecords: the Sim and Fleet filters (by
// SID or unique name), Network and IsoCountry, Group, Granularity in UTC
// hour, day or whole-period buckets, StartTime (inclusive) and EndTime
// (exclusive) with Twilio's defaults, PageSize, and opaque PageTokens in
// absolute next_page_url links. It answers Twilio's errors with their codes:
// 401/20003 for bad credentials, 400/83600 for an invalid parameter,
// 83603/83604/83605 for ranges Twilio refuses, 21481 for a bad PageToken,
// 70002 for a Page without its token, 404/20404 for an unknown path.
//
// Records come ordered by period start, then by the grouped dimension;
// buckets without usage are left out, so a query that selects no usage
// gets an empty page. A Sim or Fleet filter that names nothing selects
// nothing.
//
// For failure tests, [Server.InjectFaults] queues statuses with Retry-After
// headers, dropped connections, truncated and stalled bodies, and
// [Server.SetLatency] slows every answer. [Server.Requests] logs what
// arrived, with the kind of credentials used.
package supersimtest
