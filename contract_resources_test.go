//go:build contract

// Contract tests of the resources that give usage its meaning: GET
// /v1/Sims, /v1/Sims/{Sid}, /v1/Fleets, /v1/Fleets/{Sid}, /v1/Networks and
// /v1/Sims/{SimSid}/BillingPeriods, against Twilio's and KORE's own OpenAPI
// descriptions served by Prism, with the machinery of contract_test.go.

package supersim_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/supersimkit/supersim"
)

// The operations' paths as the descriptions name them.
const (
	simsOp           = "/v1/Sims"
	simOp            = "/v1/Sims/{Sid}"
	fleetsOp         = "/v1/Fleets"
	fleetOp          = "/v1/Fleets/{Sid}"
	networksOp       = "/v1/Networks"
	billingPeriodsOp = "/v1/Sims/{SimSid}/BillingPeriods"
)

// resourceExampleCounts is how many named examples both descriptions give
// for each operation: 13 in all.
var resourceExampleCounts = map[string]int{
	simsOp: 4, simOp: 1, fleetsOp: 2, fleetOp: 1, networksOp: 2, billingPeriodsOp: 3,
}

// exampleSIMSID is the SIM whose billing periods the examples list (their
// meta URLs name it).
var exampleSIMSID = "HS" + strings.Repeat("a", 32)

// escapedName is a unique name with a space, a slash and a question mark:
// one path segment only if escaped, and escaped once.
const (
	escapedName     = "tracker 7/eu?x"
	escapedNamePath = "tracker%207%2Feu%3Fx"
)

// ---- the examples, as the descriptions have them ------------------------------

// The records of the examples mirror their JSON (every member is nullable
// in the descriptions); they are decoded with unknown fields refused.
type (
	exampleSim struct {
		SID         *string           `yaml:"sid"`
		UniqueName  *string           `yaml:"unique_name"`
		AccountSID  *string           `yaml:"account_sid"`
		ICCID       *string           `yaml:"iccid"`
		Status      *string           `yaml:"status"`
		FleetSID    *string           `yaml:"fleet_sid"`
		DateCreated *string           `yaml:"date_created"`
		DateUpdated *string           `yaml:"date_updated"`
		URL         *string           `yaml:"url"`
		Links       map[string]string `yaml:"links"` // not in Sim
	}
	exampleFleet struct {
		SID                     *string `yaml:"sid"`
		UniqueName              *string `yaml:"unique_name"`
		AccountSID              *string `yaml:"account_sid"`
		DataEnabled             *bool   `yaml:"data_enabled"`
		DataLimit               *int64  `yaml:"data_limit"`
		DataMetering            *string `yaml:"data_metering"`
		NetworkAccessProfileSID *string `yaml:"network_access_profile_sid"`
		SmsCommandsEnabled      *bool   `yaml:"sms_commands_enabled"`
		SmsCommandsURL          *string `yaml:"sms_commands_url"`
		SmsCommandsMethod       *string `yaml:"sms_commands_method"`
		IPCommandsURL           *string `yaml:"ip_commands_url"`
		IPCommandsMethod        *string `yaml:"ip_commands_method"`
		DateCreated             *string `yaml:"date_created"`
		DateUpdated             *string `yaml:"date_updated"`
		URL                     *string `yaml:"url"`
	}
	exampleNetwork struct {
		SID          *string `yaml:"sid"`
		FriendlyName *string `yaml:"friendly_name"`
		IsoCountry   *string `yaml:"iso_country"`
		Identifiers  []struct {
			MCC *string `yaml:"mcc"`
			MNC *string `yaml:"mnc"`
		} `yaml:"identifiers"`
		URL *string `yaml:"url"`
	}
	exampleBillingPeriod struct {
		SID         *string `yaml:"sid"`
		AccountSID  *string `yaml:"account_sid"`
		SimSID      *string `yaml:"sim_sid"`
		StartTime   *string `yaml:"start_time"`
		EndTime     *string `yaml:"end_time"`
		PeriodType  *string `yaml:"period_type"`
		DateCreated *string `yaml:"date_created"`
		DateUpdated *string `yaml:"date_updated"`
	}
)

// What the SDK must make of an example's record: null is "", false, 0 or
// the zero time; times in UTC.

func wantSim(t *testing.T, e exampleSim) supersim.Sim {
	return supersim.Sim{
		SID: deref(e.SID), UniqueName: deref(e.UniqueName), AccountSID: deref(e.AccountSID), ICCID: deref(e.ICCID),
		Status: supersim.SimStatus(deref(e.Status)), FleetSID: deref(e.FleetSID),
		DateCreated: wantTime(t, e.DateCreated), DateUpdated: wantTime(t, e.DateUpdated), URL: deref(e.URL),
	}
}

func wantFleet(t *testing.T, e exampleFleet) supersim.Fleet {
	return supersim.Fleet{
		SID: deref(e.SID), UniqueName: deref(e.UniqueName), AccountSID: deref(e.AccountSID),
		DataEnabled: deref(e.DataEnabled), DataLimit: deref(e.DataLimit), DataMetering: deref(e.DataMetering),
		NetworkAccessProfileSID: deref(e.NetworkAccessProfileSID),
		SmsCommandsEnabled:      deref(e.SmsCommandsEnabled),
		SmsCommandsURL:          deref(e.SmsCommandsURL), SmsCommandsMethod: deref(e.SmsCommandsMethod),
		IPCommandsURL: deref(e.IPCommandsURL), IPCommandsMethod: deref(e.IPCommandsMethod),
		DateCreated: wantTime(t, e.DateCreated), DateUpdated: wantTime(t, e.DateUpdated), URL: deref(e.URL),
	}
}

func wantNetwork(_ *testing.T, e exampleNetwork) supersim.Network {
	n := supersim.Network{SID: deref(e.SID), FriendlyName: deref(e.FriendlyName), IsoCountry: deref(e.IsoCountry), URL: deref(e.URL)}
	for _, id := range e.Identifiers {
		n.Identifiers = append(n.Identifiers, supersim.NetworkIdentifier{MCC: deref(id.MCC), MNC: deref(id.MNC)})
	}
	return n
}

func wantBillingPeriod(t *testing.T, e exampleBillingPeriod) supersim.BillingPeriod {
	return supersim.BillingPeriod{
		SID: deref(e.SID), AccountSID: deref(e.AccountSID), SimSID: deref(e.SimSID),
		StartTime: wantTime(t, e.StartTime), EndTime: wantTime(t, e.EndTime), PeriodType: deref(e.PeriodType),
		DateCreated: wantTime(t, e.DateCreated), DateUpdated: wantTime(t, e.DateUpdated),
	}
}

// TestContractResourceRecordsCoverEveryField fails when a record gains a
// field that the want functions above do not fill.
func TestContractResourceRecordsCoverEveryField(t *testing.T) {
	t.Parallel()
	for typ, n := range map[reflect.Type]int{
		reflect.TypeFor[supersim.Sim]():               9,
		reflect.TypeFor[supersim.Fleet]():             15,
		reflect.TypeFor[supersim.Network]():           5,
		reflect.TypeFor[supersim.NetworkIdentifier](): 2,
		reflect.TypeFor[supersim.BillingPeriod]():     8,
	} {
		assert.Equal(t, n, typ.NumField(), "%s changed: extend its want function", typ)
	}
}

// examplePageOf splits an example page into its records (under key) and
// its meta; the page may hold nothing else.
func examplePageOf[E any](t *testing.T, ex namedExample, key string) ([]E, exampleMeta) {
	t.Helper()
	require.Equal(t, yaml.MappingNode, ex.value.Kind)
	var members []string
	for i := 0; i < len(ex.value.Content); i += 2 {
		members = append(members, ex.value.Content[i].Value)
	}
	assert.ElementsMatch(t, []string{key, "meta"}, members, "example %s", ex.name)
	var items []E
	var meta exampleMeta
	decodeStrict(t, yamlAt(t, ex.value, key), &items, ex.name)
	decodeStrict(t, yamlAt(t, ex.value, "meta"), &meta, ex.name)
	return items, meta
}

// ---- every example decodes exactly --------------------------------------------

// listCheck is one list operation: how the SDK walks it with options of
// type O, which options an example's query sets, and what the SDK must make
// of the example's records.
type listCheck[E, T, O any] struct {
	op, key string                                                                    // the description's path, and the page's key
	path    string                                                                    // the path sent
	list    func(c *supersim.Client, ctx context.Context, o *O) *supersim.Iterator[T] // a method expression
	setters func(o *O) map[string]func(string)                                        // by query parameter
	want    func(*testing.T, E) T
}

// checkListExamples returns the check of every example of the operation:
// each is walked with a client that asks Prism for it and sends the query
// of the description's parameter examples of that name, and the items and
// each page's meta are compared with the example. The SDK skips empty
// pages, so an empty example's meta is not seen: it must walk to a clean
// end with no items.
func checkListExamples[E, T, O any](doc *yaml.Node, c listCheck[E, T, O]) func(*testing.T, provider) {
	return func(t *testing.T, p provider) {
		examples := namedExamples(t, doc, c.op)
		require.Len(t, examples, resourceExampleCounts[c.op])
		for _, ex := range examples {
			t.Run(ex.name, func(t *testing.T) {
				t.Parallel()
				records, meta := examplePageOf[E](t, ex, c.key)
				want := []T{}
				for _, r := range records {
					want = append(want, c.want(t, r))
				}

				client, rt := p.newClient(t, ex.name)
				o := new(O)
				setOptions(t, ex.query, c.setters(o))
				it := c.list(client, context.Background(), o)
				defer it.Stop()
				got := []T{}
				for page, err := range it.Pages() {
					require.NoError(t, err, "exchanges: %+v", rt.Exchanges(""))
					got = append(got, page.Items...)
					assert.Equal(t, wantMeta(meta), page.Meta)
					assert.True(t, page.Last)
				}
				assert.Equal(t, want, got)

				xs := rt.APIExchanges()
				require.Len(t, xs, 1, "one page, one request")
				assert.Equal(t, http.MethodGet, xs[0].method)
				assert.Equal(t, c.path, xs[0].rawPath)
				assert.Equal(t, http.StatusOK, xs[0].status)
				assert.Equal(t, ex.query, xs[0].query, "the query of the description's example")
				p.checkAuth(t, rt)
			})
		}
	}
}

// fetchCheck is one fetch operation: how the SDK fetches the example's
// record by its SID, and what it must make of the record.
type fetchCheck[E, T any] struct {
	op     string // the description's path
	prefix string // the path sent, before the SID
	sid    func(E) *string
	fetch  func(c *supersim.Client, ctx context.Context, sid string) (*T, error) // a method expression
	want   func(*testing.T, E) T
}

// checkFetchExamples returns the check of every example of the
// operation: each is fetched by the SID it holds, and the record compared
// with the example.
func checkFetchExamples[E, T any](doc *yaml.Node, c fetchCheck[E, T]) func(*testing.T, provider) {
	return func(t *testing.T, p provider) {
		examples := namedExamples(t, doc, c.op)
		require.Len(t, examples, resourceExampleCounts[c.op])
		for _, ex := range examples {
			t.Run(ex.name, func(t *testing.T) {
				t.Parallel()
				var record E
				decodeStrict(t, ex.value, &record, ex.name)
				sid := deref(c.sid(record))
				require.NotEmpty(t, sid)

				client, rt := p.newClient(t, ex.name)
				got, err := c.fetch(client, context.Background(), sid)
				require.NoError(t, err, "exchanges: %+v", rt.Exchanges(""))
				assert.Equal(t, c.want(t, record), *got)

				xs := rt.APIExchanges()
				require.Len(t, xs, 1)
				assert.Equal(t, http.MethodGet, xs[0].method)
				assert.Equal(t, c.prefix+sid, xs[0].rawPath)
				assert.Equal(t, http.StatusOK, xs[0].status)
				assert.Empty(t, xs[0].query)
				p.checkAuth(t, rt)
			})
		}
	}
}

// checkResourceExamples checks every example of the six operations, each
// operation in a parallel subtest.
func checkResourceExamples(t *testing.T, p provider) {
	doc := loadSpec(t, p.spec)
	runParallel(t, p, map[string]func(*testing.T, provider){
		"Sims": checkListExamples(doc, listCheck[exampleSim, supersim.Sim, supersim.ListSimsOptions]{
			op: simsOp, key: "sims", path: "/v1/Sims", want: wantSim, list: (*supersim.Client).ListSims,
			setters: func(o *supersim.ListSimsOptions) map[string]func(string) {
				return map[string]func(string){
					"Status": func(v string) { o.Status = supersim.SimStatus(v) },
					"Fleet":  func(v string) { o.Fleet = v },
					"Iccid":  func(v string) { o.Iccid = v },
				}
			},
		}),
		"Sim": checkFetchExamples(doc, fetchCheck[exampleSim, supersim.Sim]{
			op: simOp, prefix: "/v1/Sims/", want: wantSim, fetch: (*supersim.Client).GetSim,
			sid: func(e exampleSim) *string { return e.SID },
		}),
		"Fleets": checkListExamples(doc, listCheck[exampleFleet, supersim.Fleet, supersim.ListFleetsOptions]{
			op: fleetsOp, key: "fleets", path: "/v1/Fleets", want: wantFleet, list: (*supersim.Client).ListFleets,
			setters: func(o *supersim.ListFleetsOptions) map[string]func(string) {
				return map[string]func(string){"NetworkAccessProfile": func(v string) { o.NetworkAccessProfile = v }}
			},
		}),
		"Fleet": checkFetchExamples(doc, fetchCheck[exampleFleet, supersim.Fleet]{
			op: fleetOp, prefix: "/v1/Fleets/", want: wantFleet, fetch: (*supersim.Client).GetFleet,
			sid: func(e exampleFleet) *string { return e.SID },
		}),
		"Networks": checkListExamples(doc, listCheck[exampleNetwork, supersim.Network, supersim.ListNetworksOptions]{
			op: networksOp, key: "networks", path: "/v1/Networks", want: wantNetwork, list: (*supersim.Client).ListNetworks,
			setters: func(o *supersim.ListNetworksOptions) map[string]func(string) {
				return map[string]func(string){
					"IsoCountry": func(v string) { o.IsoCountry = v },
					"Mcc":        func(v string) { o.Mcc = v },
					"Mnc":        func(v string) { o.Mnc = v },
				}
			},
		}),
		"BillingPeriods": checkListExamples(doc, listCheck[exampleBillingPeriod, supersim.BillingPeriod, supersim.ListBillingPeriodsOptions]{
			op: billingPeriodsOp, key: "billing_periods", path: "/v1/Sims/" + exampleSIMSID + "/BillingPeriods",
			want: wantBillingPeriod, list: periodsOf(exampleSIMSID),
			setters: func(*supersim.ListBillingPeriodsOptions) map[string]func(string) { return nil },
		}),
	})
}

// ---- what the SDK sends, the description accepts -------------------------------

// sendCase is one request the SDK makes, and the path (escaped) and query
// it must send.
type sendCase struct {
	send    func(ctx context.Context, c *supersim.Client) error
	rawPath string
	query   url.Values
}

// sendWalk returns the send of a walk to the end of list (a method
// expression) with o.
func sendWalk[T, O any](list func(*supersim.Client, context.Context, *O) *supersim.Iterator[T], o *O) func(context.Context, *supersim.Client) error {
	return func(ctx context.Context, c *supersim.Client) error {
		it := list(c, ctx, o)
		defer it.Stop()
		_, err := it.Collect()
		return err
	}
}

// periodsOf is ListBillingPeriods of sim in the form of a method
// expression of the other lists.
func periodsOf(sim string) func(*supersim.Client, context.Context, *supersim.ListBillingPeriodsOptions) *supersim.Iterator[supersim.BillingPeriod] {
	return func(c *supersim.Client, ctx context.Context, o *supersim.ListBillingPeriodsOptions) *supersim.Iterator[supersim.BillingPeriod] {
		return c.ListBillingPeriods(ctx, sim, o)
	}
}

// sendFetch returns the send of a fetch of id with get, a method expression.
func sendFetch[T any](get func(*supersim.Client, context.Context, string) (*T, error), id string) func(context.Context, *supersim.Client) error {
	return func(ctx context.Context, c *supersim.Client) error {
		_, err := get(c, ctx, id)
		return err
	}
}

// resumed is paging that resumes at a position made by hand: the
// PageToken and Page of a next_page_url.
func resumed() supersim.ListOptions {
	var o supersim.ListOptions
	o.ResumeFrom(supersim.Position{PageToken: "PAtoken", Page: 3})
	return o
}

// resourceSendCases use every filter of every list (all at once, with the
// largest PageSize), each SIM status, SIDs and names with characters that
// must be escaped, and a resume position.
func resourceSendCases() map[string]sendCase {
	fleetSID := "HF" + strings.Repeat("0123456789ABCDEF", 2)
	napSID := "HA" + strings.Repeat("0123456789abcdef", 2)
	simSID := "HS" + strings.Repeat("0123456789aBcDeF", 2)
	const fleetName, fleetNamePath = "Fleet & Co/β", "Fleet%20&%20Co%2F%CE%B2"
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	largest := supersim.ListOptions{PageSize: 1000}
	resume := q("PageToken", "PAtoken", "Page", "3")
	sims, fleets, networks := (*supersim.Client).ListSims, (*supersim.Client).ListFleets, (*supersim.Client).ListNetworks

	cases := map[string]sendCase{
		"Sims: every filter, Fleet as SID": {
			send: sendWalk(sims, &supersim.ListSimsOptions{
				Status: supersim.SimStatusActive, Fleet: fleetSID, Iccid: "8988307000012345678", ListOptions: largest,
			}),
			rawPath: "/v1/Sims",
			query:   q("Status", "active", "Fleet", fleetSID, "Iccid", "8988307000012345678", "PageSize", "1000"),
		},
		"Sims: resume": {send: sendWalk(sims, &supersim.ListSimsOptions{ListOptions: resumed()}), rawPath: "/v1/Sims", query: resume},
		"Fleets: every filter, NetworkAccessProfile as SID": {
			send:    sendWalk(fleets, &supersim.ListFleetsOptions{NetworkAccessProfile: napSID, ListOptions: largest}),
			rawPath: "/v1/Fleets", query: q("NetworkAccessProfile", napSID, "PageSize", "1000"),
		},
		"Fleets: NetworkAccessProfile as name": {
			send:    sendWalk(fleets, &supersim.ListFleetsOptions{NetworkAccessProfile: "EU & US/β"}),
			rawPath: "/v1/Fleets", query: q("NetworkAccessProfile", "EU & US/β"),
		},
		"Fleets: resume": {send: sendWalk(fleets, &supersim.ListFleetsOptions{ListOptions: resumed()}), rawPath: "/v1/Fleets", query: resume},
		"Networks: every filter, IsoCountry in lower case": {
			send:    sendWalk(networks, &supersim.ListNetworksOptions{IsoCountry: "fr", Mcc: "208", Mnc: "01", ListOptions: largest}),
			rawPath: "/v1/Networks", query: q("IsoCountry", "FR", "Mcc", "208", "Mnc", "01", "PageSize", "1000"),
		},
		"Networks: Mnc of 3 digits": {
			send:    sendWalk(networks, &supersim.ListNetworksOptions{IsoCountry: "Us", Mcc: "310", Mnc: "410"}),
			rawPath: "/v1/Networks", query: q("IsoCountry", "US", "Mcc", "310", "Mnc", "410"),
		},
		"Networks: resume": {
			send: sendWalk(networks, &supersim.ListNetworksOptions{ListOptions: resumed()}), rawPath: "/v1/Networks", query: resume,
		},
		"BillingPeriods: SIM SID, PageSize 1000": {
			send:    sendWalk(periodsOf(simSID), &supersim.ListBillingPeriodsOptions{ListOptions: largest}),
			rawPath: "/v1/Sims/" + simSID + "/BillingPeriods", query: q("PageSize", "1000"),
		},
		"BillingPeriods: SIM name to escape": {
			send:    sendWalk(periodsOf(escapedName), &supersim.ListBillingPeriodsOptions{}),
			rawPath: "/v1/Sims/" + escapedNamePath + "/BillingPeriods", query: q(),
		},
		"BillingPeriods: resume": {
			send:    sendWalk(periodsOf(simSID), &supersim.ListBillingPeriodsOptions{ListOptions: resumed()}),
			rawPath: "/v1/Sims/" + simSID + "/BillingPeriods", query: resume,
		},
		"GetSim: SID": {send: sendFetch((*supersim.Client).GetSim, simSID), rawPath: "/v1/Sims/" + simSID, query: q()},
		"GetSim: name to escape": {
			send: sendFetch((*supersim.Client).GetSim, escapedName), rawPath: "/v1/Sims/" + escapedNamePath, query: q(),
		},
		"GetFleet: SID": {send: sendFetch((*supersim.Client).GetFleet, fleetSID), rawPath: "/v1/Fleets/" + fleetSID, query: q()},
		"GetFleet: name to escape": {
			send: sendFetch((*supersim.Client).GetFleet, fleetName), rawPath: "/v1/Fleets/" + fleetNamePath, query: q(),
		},
	}
	// Each status, with Fleet as a name and an ICCID of 20 digits.
	for _, s := range []supersim.SimStatus{
		supersim.SimStatusNew, supersim.SimStatusReady, supersim.SimStatusActive,
		supersim.SimStatusInactive, supersim.SimStatusScheduled,
	} {
		cases["Sims: Status "+string(s)+", Fleet as name"] = sendCase{
			send:    sendWalk(sims, &supersim.ListSimsOptions{Status: s, Fleet: fleetName, Iccid: "89883070000123456789"}),
			rawPath: "/v1/Sims", query: q("Status", string(s), "Fleet", fleetName, "Iccid", "89883070000123456789"),
		}
	}
	return cases
}

// checkResourcesAccepted sends each case and fails on any 4xx from Prism
// (a path of the wrong shape is a 404): what the SDK lets through, the
// description must accept. A case the SDK refuses must send nothing.
func checkResourcesAccepted(t *testing.T, p provider) {
	for name, c := range resourceSendCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, rt := p.newClient(t, "")
			err := c.send(context.Background(), client)
			var verr *supersim.ValidationError
			if errors.As(err, &verr) {
				assert.Empty(t, rt.Exchanges(""), "refused by the SDK, yet sent")
				return
			}
			xs := rt.APIExchanges()
			require.Len(t, xs, 1, "one request")
			x := xs[0]
			assert.Less(t, x.status, 400, "the SDK sent %s?%s, which the description refuses: %s",
				x.rawPath, x.query.Encode(), x.body)
			assert.Equal(t, http.MethodGet, x.method)
			assert.Equal(t, c.rawPath, x.rawPath, "the identifier is one path segment, escaped once")
			assert.Equal(t, c.query, x.query)
			assert.NoError(t, err)
			p.checkAuth(t, rt)
		})
	}
}

// ---- Prism really checks ----------------------------------------------------------

// checkResourcesPrismStrict checks, with requests sent raw, that Prism
// refuses what the description refuses, and answers a path of the wrong
// shape with 404: without these the checks above would prove nothing.
func checkResourcesPrismStrict(t *testing.T, p provider) {
	sims, periods := p.api+"/v1/Sims", p.api+"/v1/Sims/"+exampleSIMSID+"/BillingPeriods"
	assertRaw(t, sims, "", http.StatusUnauthorized)
	assertRaw(t, sims+"?PageSize=1000", p.authorization, http.StatusOK)
	assertRaw(t, sims+"?PageSize=1001", p.authorization, http.StatusUnprocessableEntity)
	assertRaw(t, sims+"?Status=Active", p.authorization, http.StatusUnprocessableEntity)
	assertRaw(t, periods+"?PageSize=1001", p.authorization, http.StatusUnprocessableEntity)
	assertRaw(t, p.api+"/v1/Networks?PageSize=0", p.authorization, http.StatusUnprocessableEntity)
	// A name escaped once is one segment; unescaped, its slash makes two.
	assertRaw(t, sims+"/"+escapedNamePath+"/BillingPeriods", p.authorization, http.StatusOK)
	assertRaw(t, sims+"/"+escapedNamePath, p.authorization, http.StatusOK)
	assertRaw(t, sims+"/tracker%207/eu/BillingPeriods", p.authorization, http.StatusNotFound)
	assertRaw(t, sims+"/tracker%207/eu", p.authorization, http.StatusNotFound)
}

// ---- both descriptions -----------------------------------------------------------

// checkResources runs the resource checks common to both descriptions.
func checkResources(t *testing.T, p provider) {
	runParallel(t, p, map[string]func(*testing.T, provider){
		"Examples":                  checkResourceExamples,
		"WhatTheSDKSendsIsAccepted": checkResourcesAccepted,
		"PrismIsStrict":             checkResourcesPrismStrict,
	})
}

func TestContractResourcesTwilio(t *testing.T) {
	t.Parallel()
	checkResources(t, twilioProvider(t))
}

func TestContractResourcesKORE(t *testing.T) {
	t.Parallel()
	checkResources(t, koreProvider(t))
}
