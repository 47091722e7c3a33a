package supersimtest

import (
	"cmp"
	"net/http"
	"strings"
	"time"
)

// Fleet is a Fleet as GET /v1/Fleets and /v1/Fleets/{Sid} serve it.
type Fleet struct {
	SID                     string // HF + 32 hex digits
	UniqueName              string // may be ""
	DataEnabled             bool
	DataLimit               int64  // megabytes per SIM per billing period
	DataMetering            string // "" sends "payg"
	NetworkAccessProfileSID string // HA + 32 hex digits
	SmsCommandsEnabled      bool
	SmsCommandsURL          string // "" sends null
	SmsCommandsMethod       string // "" sends "POST"
	IPCommandsURL           string // "" sends null
	IPCommandsMethod        string // "" sends "POST"
	DateCreated             time.Time
	DateUpdated             time.Time
}

func (f Fleet) ids() (string, string) { return f.SID, f.UniqueName }

type wireFleet struct {
	AccountSID              string  `json:"account_sid"`
	UniqueName              *string `json:"unique_name"`
	DataEnabled             bool    `json:"data_enabled"`
	DataLimit               int64   `json:"data_limit"`
	DataMetering            string  `json:"data_metering"`
	DateCreated             *string `json:"date_created"`
	DateUpdated             *string `json:"date_updated"`
	SmsCommandsEnabled      bool    `json:"sms_commands_enabled"`
	SmsCommandsMethod       string  `json:"sms_commands_method"`
	SmsCommandsURL          *string `json:"sms_commands_url"`
	IPCommandsMethod        string  `json:"ip_commands_method"`
	IPCommandsURL           *string `json:"ip_commands_url"`
	NetworkAccessProfileSID *string `json:"network_access_profile_sid"`
	SID                     string  `json:"sid"`
	URL                     string  `json:"url"`
}

func (s *Server) wireFleet(f Fleet) wireFleet {
	return wireFleet{AccountSID: s.account, UniqueName: nullable(f.UniqueName), DataEnabled: f.DataEnabled,
		DataLimit: f.DataLimit, DataMetering: cmp.Or(f.DataMetering, "payg"), DateCreated: isoTime(f.DateCreated),
		DateUpdated: isoTime(f.DateUpdated), SmsCommandsEnabled: f.SmsCommandsEnabled,
		SmsCommandsMethod: cmp.Or(f.SmsCommandsMethod, "POST"), SmsCommandsURL: nullable(f.SmsCommandsURL),
		IPCommandsMethod: cmp.Or(f.IPCommandsMethod, "POST"), IPCommandsURL: nullable(f.IPCommandsURL),
		NetworkAccessProfileSID: nullable(f.NetworkAccessProfileSID), SID: f.SID, URL: s.origin() + "/v1/Fleets/" + f.SID}
}

// listFleets answers GET /v1/Fleets, filtered by NetworkAccessProfile
// (its SID: the fake knows no profile's unique name).
func (s *Server) listFleets(r *http.Request, _ []string) ([]byte, *apiError) {
	l, err := parseListing(r, "fleets", maxPageSize, invalidParameter, "NetworkAccessProfile")
	if err != nil {
		return nil, err
	}
	profile := l.filters.Get("NetworkAccessProfile")
	var out []wireFleet
	for _, f := range s.data.Fleets {
		if profile == "" || strings.EqualFold(profile, f.NetworkAccessProfileSID) {
			out = append(out, s.wireFleet(f))
		}
	}
	return listPage(l, out)
}

// getFleet answers GET /v1/Fleets/{Sid}, by SID or unique name.
func (s *Server) getFleet(r *http.Request, args []string) ([]byte, *apiError) {
	return fetch(r, s.data.Fleets, args[0], "HF", Fleet.ids, s.wireFleet)
}
