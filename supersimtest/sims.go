package supersimtest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Sim is a Super SIM as GET /v1/Sims and /v1/Sims/{Sid} serve it.
type Sim struct {
	SID         string // HS + 32 hex digits
	UniqueName  string // may be ""
	ICCID       string // 19 or 20 digits
	Status      string // "new", "ready", "active", "inactive" or "scheduled"
	FleetSID    string // "" for none, sent as null
	DateCreated time.Time
	DateUpdated time.Time
}

func (sim Sim) ids() (string, string) { return sim.SID, sim.UniqueName }

var simStatuses = []string{"new", "ready", "active", "inactive", "scheduled"}

type wireSim struct {
	SID         string            `json:"sid"`
	AccountSID  string            `json:"account_sid"`
	UniqueName  *string           `json:"unique_name"`
	Status      string            `json:"status"`
	FleetSID    *string           `json:"fleet_sid"`
	ICCID       string            `json:"iccid"`
	DateCreated *string           `json:"date_created"`
	DateUpdated *string           `json:"date_updated"`
	URL         string            `json:"url"`
	Links       map[string]string `json:"links"`
}

func (s *Server) wireSim(sim Sim) wireSim {
	url := s.origin() + "/v1/Sims/" + sim.SID
	return wireSim{SID: sim.SID, AccountSID: s.account, UniqueName: nullable(sim.UniqueName), Status: sim.Status,
		FleetSID: nullable(sim.FleetSID), ICCID: sim.ICCID, DateCreated: isoTime(sim.DateCreated),
		DateUpdated: isoTime(sim.DateUpdated), URL: url,
		Links: map[string]string{"billing_periods": url + "/BillingPeriods", "sim_ip_addresses": url + "/IpAddresses"}}
}

// listSims answers GET /v1/Sims, filtered by Status, Fleet (SID or unique
// name) and Iccid.
func (s *Server) listSims(r *http.Request, _ []string) ([]byte, *apiError) {
	l, err := parseListing(r, "sims", maxPageSize, invalidParameter, "Status", "Fleet", "Iccid")
	if err != nil {
		return nil, err
	}
	status, fleet, iccid := l.filters.Get("Status"), l.filters.Get("Fleet"), l.filters.Get("Iccid")
	switch {
	case status != "" && !slices.Contains(simStatuses, status):
		return nil, l.badParam("Status must be one of %s", strings.Join(simStatuses, ", "))
	case iccid != "" && !digits(iccid, 19, 20):
		return nil, l.badParam("Iccid must be 19 or 20 digits")
	}
	fleetSID := fleet
	if f, ok := lookup(s.data.Fleets, fleet, "HF", Fleet.ids); ok {
		fleetSID = f.SID
	}
	var out []wireSim
	for _, sim := range s.data.Sims {
		if (status == "" || sim.Status == status) && (iccid == "" || sim.ICCID == iccid) &&
			(fleet == "" || sim.FleetSID != "" && strings.EqualFold(sim.FleetSID, fleetSID)) {
			out = append(out, s.wireSim(sim))
		}
	}
	return listPage(l, out)
}

// getSim answers GET /v1/Sims/{Sid}, by SID or unique name.
func (s *Server) getSim(r *http.Request, args []string) ([]byte, *apiError) {
	return fetch(r, s.data.Sims, args[0], "HS", Sim.ids, s.wireSim)
}
