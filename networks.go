package supersim

import (
	"context"
	"strings"
)

// Network is a cellular network that Super SIMs can attach to. See
// https://www.twilio.com/docs/iot/supersim/api/network-resource
type Network struct {
	SID          string              `json:"sid"`
	FriendlyName string              `json:"friendly_name"`
	IsoCountry   string              `json:"iso_country"`
	Identifiers  []NetworkIdentifier `json:"identifiers"`
	URL          string              `json:"url"`
}

// NetworkIdentifier is one of a Network's mobile country and network codes.
type NetworkIdentifier struct {
	MCC string `json:"mcc"`
	MNC string `json:"mnc"`
}

// ListNetworksOptions filters a listing of Networks; the zero value lists
// them all.
type ListNetworksOptions struct {
	// IsoCountry is an ISO 3166-1 alpha-2 code, in either case; sent upper-case.
	IsoCountry string `url:"IsoCountry,omitempty"`
	// Mcc is a mobile country code: 3 digits.
	Mcc string `url:"Mcc,omitempty"`
	// Mnc is a mobile network code: 2 or 3 digits.
	Mnc string `url:"Mnc,omitempty"`
	ListOptions
}

// Validate reports each invalid field as a *ValidationError, joined.
func (o *ListNetworksOptions) Validate() error {
	if o == nil {
		return nil
	}
	var v validation
	v.country("IsoCountry", o.IsoCountry)
	v.digits("Mcc", o.Mcc, 3, 3)
	v.digits("Mnc", o.Mnc, 2, 3)
	o.check(&v)
	return v.err()
}

func (o *ListNetworksOptions) normalize() { o.IsoCountry = strings.ToUpper(o.IsoCountry) }

var networks = resource[Network]{key: "networks", fields: tagFields[Network]()}

// NetworksLister is what code that reads Networks needs from a [Client].
type NetworksLister interface {
	ListNetworks(ctx context.Context, opts *ListNetworksOptions) *Iterator[Network]
}

var _ NetworksLister = (*Client)(nil)

// ListNetworks returns an iterator over the Networks that opts select (nil
// for all). See
// https://www.twilio.com/docs/iot/supersim/api/network-resource#read-multiple-network-resources
func (c *Client) ListNetworks(ctx context.Context, opts *ListNetworksOptions) *Iterator[Network] {
	return list(ctx, c, networks, "/v1/Networks", opts)
}
