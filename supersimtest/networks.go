package supersimtest

import (
	"net/http"
	"strings"
)

// Network is a mobile operator network as GET /v1/Networks and
// /v1/Networks/{Sid} serve it.
type Network struct {
	SID          string // HW + 32 hex digits
	FriendlyName string // "Orange France"
	IsoCountry   string // ISO 3166-1 alpha-2, upper-case
	Identifiers  []NetworkIdentifier
}

// NetworkIdentifier is one MCC-MNC pair of a [Network].
type NetworkIdentifier struct {
	MCC string `json:"mcc"` // 3 digits
	MNC string `json:"mnc"` // 2 or 3 digits
}

func (n Network) ids() (string, string) { return n.SID, "" }

type wireNetwork struct {
	FriendlyName *string             `json:"friendly_name"`
	IsoCountry   *string             `json:"iso_country"`
	Identifiers  []NetworkIdentifier `json:"identifiers"`
	SID          string              `json:"sid"`
	URL          string              `json:"url"`
}

func (s *Server) wireNetwork(n Network) wireNetwork {
	ids := n.Identifiers
	if ids == nil {
		ids = []NetworkIdentifier{}
	}
	return wireNetwork{FriendlyName: nullable(n.FriendlyName), IsoCountry: nullable(n.IsoCountry),
		Identifiers: ids, SID: n.SID, URL: s.origin() + "/v1/Networks/" + n.SID}
}

// listNetworks answers GET /v1/Networks, filtered by IsoCountry and by an
// identifier with the Mcc and Mnc given.
func (s *Server) listNetworks(r *http.Request, _ []string) ([]byte, *apiError) {
	l, err := parseListing(r, "networks", maxPageSize, invalidParameter, "IsoCountry", "Mcc", "Mnc")
	if err != nil {
		return nil, err
	}
	country, mcc, mnc := l.filters.Get("IsoCountry"), l.filters.Get("Mcc"), l.filters.Get("Mnc")
	switch {
	case country != "" && (len(country) != 2 || strings.Trim(strings.ToUpper(country), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != ""):
		return nil, l.badParam("IsoCountry must be an ISO 3166-1 alpha-2 code")
	case mcc != "" && !digits(mcc, 3, 3):
		return nil, l.badParam("Mcc must be 3 digits")
	case mnc != "" && !digits(mnc, 2, 3):
		return nil, l.badParam("Mnc must be 2 or 3 digits")
	}
	var out []wireNetwork
	for _, n := range s.data.Networks {
		identified := mcc == "" && mnc == ""
		for _, id := range n.Identifiers {
			identified = identified || (mcc == "" || id.MCC == mcc) && (mnc == "" || id.MNC == mnc)
		}
		if identified && (country == "" || strings.EqualFold(country, n.IsoCountry)) {
			out = append(out, s.wireNetwork(n))
		}
	}
	return listPage(l, out)
}

// getNetwork answers GET /v1/Networks/{Sid}.
func (s *Server) getNetwork(r *http.Request, args []string) ([]byte, *apiError) {
	return fetch(r, s.data.Networks, args[0], "HW", Network.ids, s.wireNetwork)
}
