// Package supersimtest is a fake of the Twilio Super SIM API for tests
// (usage records, and the Sims, Fleets, Networks and billing periods that
// give usage its meaning), as net/http/httptest is a fake of an HTTP
// server: one line starts a real HTTP server on loopback that answers like
// Twilio does, over data the test controls.
//
//	srv := supersimtest.NewServer(supersimtest.WithSamples(samples))
//	defer srv.Close()
//	client, err := srv.Client()
//
// Without [WithAccount] or [WithSamples] it serves [DemoAccount]: four
// fleets, 103 SIMs in every status, five networks, billing periods and
// five weeks of hourly usage, with SIMs near and over their data limit.
//
// # What it follows
//
// The server implements these GETs as Twilio's OpenAPI description and
// error pages describe them, through one route table and one paging
// helper:
//
//   - /v1/Sims (filters Status, Fleet by SID or unique name, Iccid),
//     /v1/Sims/{Sid}, /v1/Sims/{SimSid}/BillingPeriods, /v1/Fleets (filter
//     NetworkAccessProfile), /v1/Fleets/{Sid}, /v1/Networks (filters
//     IsoCountry, Mcc, Mnc), /v1/Networks/{Sid}: the [Account]'s resources
//     with every member of Twilio's examples, nulls included (fleet_sid of
//     a SIM without a fleet, unique_name when ""), dates to the second in
//     UTC, data_limit in megabytes, resources' url on the provider's own
//     origin (https://supersim.twilio.com, or KORE's). A Sim or Fleet in a
//     path is its SID (any case) or unique name, one path segment
//     unescaped once ("tracker%207%2Feu%3Fx" is "tracker 7/eu?x");
//     something the account does not hold gets 404 with code 20404. An
//     invalid filter or PageSize gets 400 with code 20001, Twilio's code
//     for an invalid parameter.
//   - Every list pages as usage records do (below): PageSize 1–1000,
//     default 50, PageTokens bound to the list, its filters and page size
//     (21481 otherwise), 70002 for a Page without a token, and meta with
//     page, page_size, first_page_url, previous_page_url, url,
//     next_page_url and key (sims, fleets, networks, billing_periods).
//
// GET /v1/UsageRecords:
//
//   - Parameters: the Sim and Fleet filters (by SID or unique name),
//     Network and IsoCountry, Group, Granularity in UTC hour, day or
//     whole-period buckets, StartTime (inclusive) and EndTime (exclusive)
//     with Twilio's defaults (EndTime now, StartTime a month before),
//     PageSize 1–1000 (default 50), and opaque PageTokens in absolute
//     next_page_url links that carry the filters.
//   - Records: one per bucket and grouped value, newest bucket first and,
//     within a bucket, by the grouped value ascending, as in every example
//     of the description; buckets without usage are left out. sim_sid,
//     fleet_sid, network_sid and iso_country are set only for a dimension
//     grouped by or filtered on, null otherwise; data_total_billed is a
//     JSON string ([WithBilledAsNumber] sends a number); billed_unit is
//     null while billing is pending.
//   - Errors, in Twilio's JSON with code and more_info: 401/20003 for
//     missing or bad credentials, 400/83600 for an invalid parameter,
//     83601 for a StartTime or EndTime sent off a UTC midnight with
//     Granularity day, 83602 for one sent off the hour with Granularity
//     hour, 83603/83604/83605 for ranges Twilio refuses, 21481 for a bad
//     PageToken, 70002 for a Page without its token, 404/20404 for another
//     path, 405/20004 for another method.
//   - A Twilio-Request-Id header (RQ and 32 hex digits) on every answer.
//
// # Where it departs from Twilio
//
// Some behaviour Twilio does not document; the fake picks one and says so:
//
//   - A defaulted StartTime or EndTime need not be on a bucket boundary;
//     the buckets at the edges are then cut to the range, so no record is
//     labelled with time outside it.
//   - A defaulted EndTime is "now" on the first page and the same instant
//     on the next ones: the PageToken carries it, so a walk sees one range.
//   - Samples may mix currencies (an account bills in one on Twilio):
//     each currency, and usage whose billing is pending, gets records of
//     its own, the pending ones first, then by currency code.
//   - Twilio documents no concurrency limit; [WithMaxInFlight] adds one.
//   - Error messages are the fake's own; only codes and statuses follow
//     Twilio.
//   - Lists serve the Account's items in the order it holds them; Twilio
//     does not document its order. A Fleet filter that names no fleet
//     gives an empty list; NetworkAccessProfile matches by SID only (the
//     fake knows no profile's unique name).
//   - The server serves the Account as given and checks none of it:
//     keep samples, SIMs, fleets and billing periods consistent.
//   - In the demo, SIMs keep using data whatever their status or their
//     fleet's data_enabled, and a current billing period's start is chosen
//     from the SIM's usage so that the data-limit shares hold for any now.
//
// # KORE mode
//
// [WithKORE] serves the API as KORE does since it took over Twilio's IoT
// business (the same endpoint, records and errors; see KORE's OpenAPI
// descriptions), with a token endpoint on a second origin, as
// api.korewireless.com is to supersim.api.korewireless.com:
//
//   - [Server.TokenURL] takes a form-encoded POST with grant_type
//     client_credentials, client_id and client_secret ([ClientID],
//     [ClientSecret]) in the body, and answers
//     {"access_token", "expires_in", "token_type": "Bearer", "scope"} with
//     a new random token (no refresh token). Wrong or missing client
//     credentials, or credentials in an Authorization header instead of
//     the body, get 401 {"error": "invalid_client", "error_description"};
//     another grant type 400 unsupported_grant_type; a missing grant type,
//     a body that is not a form or a method other than POST get
//     invalid_request.
//   - Tokens last [WithTokenLifetime] (an hour by default) by the
//     server's clock, so a test that moves [WithClock] expires them;
//     [Server.RevokeTokens] invalidates every token issued so far;
//     [Server.TokenExchanges] counts the requests to the token endpoint;
//     [Server.InjectTokenFaults] queues faults there.
//   - The API takes only a Bearer token the server issued, unexpired and
//     not revoked: anything else, HTTP Basic included, gets 401 with code
//     20003. A PageSize over 249 for usage records gets 400 with code
//     83600 (KORE's description caps PageSize at 249 there and does not
//     name a code; 83600 is Twilio's code for an invalid parameter); the
//     other lists take 1–1000 as on Twilio.
//   - The request log records AuthBearer, never the token.
//   - [Server.Client] is a KORE client: supersim.WithKORE(ClientID,
//     ClientSecret) and supersim.WithTokenURL([Server.TokenURL]).
//
// # Amounts
//
// Amounts are added exactly, never with supersim.Decimal, so that
// [Server.Totals] and the amounts the server sends check the SDK's
// arithmetic instead of repeating it: with math/big ([Amount], [Money]),
// and, in usage records, as int64 fixed-point numbers while a sum and its
// terms fit one (up to 18 fraction digits), with math/big past that.
//
// # Size
//
// The server keeps samples in a compact form, about 40 bytes each
// (strings, hours and amounts interned), and rebuilds them for
// [Server.Samples] and [Server.Account]: a fleet of 2,000 SIMs over 31
// days, hour by hour (1.49 million samples), takes about 57 MiB, and a
// windowed walk of it (Group sim, Concurrency 8) about 2.5 s of CPU,
// client included (BenchmarkWindowedWalkOfAFleet).
//
// # Faults and observation
//
// [Server.InjectFaults] queues a [Fault] for each of the next API requests
// ([Server.InjectTokenFaults] for the KORE token endpoint):
// a status with Twilio's code and an optional Retry-After ([FaultStatus]),
// a raw body ([FaultBody]), a dropped connection ([FaultDrop]), a body
// cut short ([FaultTruncate]) or stalled ([FaultStall]), a slow answer
// ([FaultLatency], [Fault.After]). [Server.SetLatency] slows every answer.
// [Server.Requests] logs what arrived, with the kind of credentials used
// but never the credentials; [Server.Stats] counts requests served,
// refused and in flight. [Server.Client] returns a supersim client with
// short retry waits, so that tests of retries take milliseconds.
package supersimtest
