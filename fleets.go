package supersim

import (
	"context"
	"net/url"
	"time"
)

// Fleet is a group of Super SIMs that share settings, among them the data
// limit each SIM may use per billing period. See
// https://www.twilio.com/docs/iot/supersim/api/fleet-resource
type Fleet struct {
	SID          string `json:"sid"`
	UniqueName   string `json:"unique_name"`
	AccountSID   string `json:"account_sid"`
	DataEnabled  bool   `json:"data_enabled"`
	DataLimit    int64  `json:"data_limit"`    // megabytes per SIM per billing period, as the API sends it
	DataMetering string `json:"data_metering"` // "payg"

	NetworkAccessProfileSID string    `json:"network_access_profile_sid"`
	SmsCommandsEnabled      bool      `json:"sms_commands_enabled"`
	SmsCommandsURL          string    `json:"sms_commands_url"`
	SmsCommandsMethod       string    `json:"sms_commands_method"`
	IPCommandsURL           string    `json:"ip_commands_url"`
	IPCommandsMethod        string    `json:"ip_commands_method"`
	DateCreated             time.Time `json:"date_created"`
	DateUpdated             time.Time `json:"date_updated"`
	URL                     string    `json:"url"`
}

// ListFleetsOptions filters a listing of Fleets; the zero value lists them
// all.
type ListFleetsOptions struct {
	// NetworkAccessProfile is a Network Access Profile SID (HA + 32 hex
	// digits) or its unique name.
	NetworkAccessProfile string `url:"NetworkAccessProfile,omitempty"`
	ListOptions
}

// Validate reports each invalid field as a *ValidationError, joined.
func (o *ListFleetsOptions) Validate() error {
	if o == nil {
		return nil
	}
	var v validation
	v.sidOrName("NetworkAccessProfile", o.NetworkAccessProfile, "HA")
	o.check(&v)
	return v.err()
}

var fleets = resource[Fleet]{key: "fleets", fields: tagFields[Fleet]()}

// FleetsLister is what code that reads Fleets needs from a [Client].
type FleetsLister interface {
	ListFleets(ctx context.Context, opts *ListFleetsOptions) *Iterator[Fleet]
}

var _ FleetsLister = (*Client)(nil)

// ListFleets returns an iterator over the Fleets that opts select (nil for
// all). See
// https://www.twilio.com/docs/iot/supersim/api/fleet-resource#read-multiple-fleet-resources
func (c *Client) ListFleets(ctx context.Context, opts *ListFleetsOptions) *Iterator[Fleet] {
	return list(ctx, c, fleets, "/v1/Fleets", opts)
}

// GetFleet fetches one Fleet by its SID or unique name. One that does not
// exist is an *APIError matching [ErrNotFound]. See
// https://www.twilio.com/docs/iot/supersim/api/fleet-resource#fetch-a-fleet-resource
func (c *Client) GetFleet(ctx context.Context, fleet string) (*Fleet, error) {
	var v validation
	v.identifier("Fleet", fleet, "HF")
	if err := v.err(); err != nil {
		return nil, err
	}
	return fetchOne(ctx, c.transport, "/v1/Fleets/"+url.PathEscape(fleet), fleets.fields)
}
