package supersim

import (
	"context"
	"net/url"
	"time"
)

// SimStatus is the status of a Super SIM.
type SimStatus string

// The statuses of a Super SIM.
const (
	SimStatusNew       SimStatus = "new"
	SimStatusReady     SimStatus = "ready"
	SimStatusActive    SimStatus = "active"
	SimStatusInactive  SimStatus = "inactive"
	SimStatusScheduled SimStatus = "scheduled"
)

// Sim is a Super SIM. See
// https://www.twilio.com/docs/iot/supersim/api/sim-resource
type Sim struct {
	SID         string    `json:"sid"`
	UniqueName  string    `json:"unique_name"`
	AccountSID  string    `json:"account_sid"`
	ICCID       string    `json:"iccid"`
	Status      SimStatus `json:"status"`
	FleetSID    string    `json:"fleet_sid"` // "" when the SIM is in no fleet
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
	URL         string    `json:"url"`
}

// ListSimsOptions filters a listing of Super SIMs; the zero value lists
// them all.
type ListSimsOptions struct {
	// Status is one of the SimStatus constants, or "" for any.
	Status SimStatus `url:"Status,omitempty"`
	// Fleet is a Fleet SID (HF + 32 hex digits) or the Fleet's unique name.
	Fleet string `url:"Fleet,omitempty"`
	// Iccid is a SIM's ICCID: 19 or 20 digits.
	Iccid string `url:"Iccid,omitempty"`
	ListOptions
}

// Validate reports each invalid field as a *ValidationError, joined.
func (o *ListSimsOptions) Validate() error {
	if o == nil {
		return nil
	}
	var v validation
	oneOf(&v, "Status", o.Status, SimStatusNew, SimStatusReady, SimStatusActive, SimStatusInactive, SimStatusScheduled)
	v.sidOrName("Fleet", o.Fleet, "HF")
	v.digits("Iccid", o.Iccid, 19, 20)
	o.check(&v)
	return v.err()
}

var sims = resource[Sim]{key: "sims", fields: tagFields[Sim]()}

// SimsLister is what code that reads Super SIMs needs from a [Client].
type SimsLister interface {
	ListSims(ctx context.Context, opts *ListSimsOptions) *Iterator[Sim]
}

var _ SimsLister = (*Client)(nil)

// ListSims returns an iterator over the Super SIMs that opts select (nil
// for all). Invalid options end it with *ValidationError(s) before anything
// is sent. See
// https://www.twilio.com/docs/iot/supersim/api/sim-resource#read-multiple-sim-resources
func (c *Client) ListSims(ctx context.Context, opts *ListSimsOptions) *Iterator[Sim] {
	return list(ctx, c, sims, "/v1/Sims", opts)
}

// GetSim fetches one Super SIM by its SID or unique name. One that does
// not exist is an *APIError matching [ErrNotFound]. See
// https://www.twilio.com/docs/iot/supersim/api/sim-resource#fetch-a-sim-resource
func (c *Client) GetSim(ctx context.Context, sim string) (*Sim, error) {
	var v validation
	v.identifier("Sim", sim, "HS")
	if err := v.err(); err != nil {
		return nil, err
	}
	return fetchOne(ctx, c.transport, "/v1/Sims/"+url.PathEscape(sim), sims.fields)
}
