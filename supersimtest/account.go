package supersimtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/supersimkit/supersim/internal/sid"
)

// Account is what a [Server] serves: the resources that give usage its
// meaning, and the usage itself. Lists serve each slice in its order; the
// server keeps the samples ordered by hour (a sorted copy, stable, when
// they are not), so that a query reads only the hours of its range.
// Keep it consistent as a real account is (a Sample's Sim and Fleet among
// Sims and Fleets, a Sim's FleetSID among Fleets, a BillingPeriod's SimSID
// among Sims): the server serves what it is given and checks none of it.
type Account struct {
	Fleets         []Fleet
	Sims           []Sim
	Networks       []Network
	BillingPeriods []BillingPeriod
	Samples        []Sample
}

// invalidParameter is Twilio's code for an invalid parameter on the
// lists other than usage records (which use 83600).
const invalidParameter = 20001

// Account returns what the server serves. The slices are the server's
// own, but for Samples (a copy, as [Server.Samples] makes): read them, do
// not change them.
func (s *Server) Account() Account {
	a := s.data
	a.Samples = s.usage.samples()
	return a
}

// origin is the provider's own API origin, which resources' url members
// name (page URLs name the server).
func (s *Server) origin() string {
	if s.kore != nil {
		return "https://supersim.api.korewireless.com"
	}
	return "https://supersim.twilio.com"
}

// lookup finds the item whose SID (with prefix, any case) or unique name
// is key, as a path segment names it.
func lookup[T any](items []T, key, prefix string, ids func(T) (sid, name string)) (T, bool) {
	for _, item := range items {
		if sid, name := ids(item); key != "" && matchesSIDOrName(key, prefix, sid, name) {
			return item, true
		}
	}
	var zero T
	return zero, false
}

// matchesSIDOrName reports whether filter selects the item of this SID
// and unique name: by SID (with prefix, any case) or else by unique name.
func matchesSIDOrName(filter, prefix, sidValue, name string) bool {
	if filter == "" {
		return true
	}
	if sid.Valid(filter, prefix) {
		return strings.EqualFold(filter, sidValue)
	}
	return filter == name
}

// fetch answers GET of one item by SID or unique name, 404 if none.
func fetch[T, W any](r *http.Request, items []T, key, prefix string, ids func(T) (string, string), wire func(T) W) ([]byte, *apiError) {
	item, ok := lookup(items, key, prefix, ids)
	if !ok {
		return nil, notFound(r)
	}
	body, err := json.Marshal(wire(item))
	if err != nil {
		return nil, &apiError{500, 20500, "Internal Server Error"}
	}
	return body, nil
}

// notFound is Twilio's 404 for a path that names nothing.
func notFound(r *http.Request) *apiError {
	return &apiError{404, 20404, "The requested resource " + r.URL.Path + " was not found"}
}

// isoTime is a date as Twilio sends it, to the second in UTC
// ("2015-07-30T20:00:00Z"), null for the zero time.
func isoTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return nullable(t.UTC().Format(time.RFC3339))
}

// digits reports whether v is between minLen and maxLen decimal digits.
func digits(v string, minLen, maxLen int) bool {
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(v) >= minLen && len(v) <= maxLen
}
