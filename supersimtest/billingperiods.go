package supersimtest

import (
	"net/http"
	"time"
)

// BillingPeriod is one of a Super SIM's billing periods as GET
// /v1/Sims/{SimSid}/BillingPeriods serves it.
type BillingPeriod struct {
	SID         string    // HB + 32 hex digits
	SimSID      string    // the Sim's SID
	StartTime   time.Time // to the second; usage counts from here
	EndTime     time.Time
	PeriodType  string // "ready" or "active"
	DateCreated time.Time
	DateUpdated time.Time
}

type wireBillingPeriod struct {
	SID         string  `json:"sid"`
	AccountSID  string  `json:"account_sid"`
	SimSID      string  `json:"sim_sid"`
	PeriodType  string  `json:"period_type"`
	StartTime   *string `json:"start_time"`
	EndTime     *string `json:"end_time"`
	DateCreated *string `json:"date_created"`
	DateUpdated *string `json:"date_updated"`
}

// listBillingPeriods answers GET /v1/Sims/{SimSid}/BillingPeriods, the
// Sim by SID or unique name (404 if none).
func (s *Server) listBillingPeriods(r *http.Request, args []string) ([]byte, *apiError) {
	sim, ok := lookup(s.data.Sims, args[0], "HS", Sim.ids)
	if !ok {
		return nil, notFound(r)
	}
	l, err := parseListing(r, "billing_periods", maxPageSize, invalidParameter)
	if err != nil {
		return nil, err
	}
	var out []wireBillingPeriod
	for _, p := range s.data.BillingPeriods {
		if p.SimSID == sim.SID {
			out = append(out, wireBillingPeriod{SID: p.SID, AccountSID: s.account, SimSID: p.SimSID,
				PeriodType: p.PeriodType, StartTime: isoTime(p.StartTime), EndTime: isoTime(p.EndTime),
				DateCreated: isoTime(p.DateCreated), DateUpdated: isoTime(p.DateUpdated)})
		}
	}
	return listPage(l, out)
}
