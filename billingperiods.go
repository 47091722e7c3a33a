package supersim

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// BillingPeriod is one billing period of a Super SIM: its data limit
// applies from StartTime to EndTime. See
// https://www.twilio.com/docs/iot/supersim/api/billingperiod-resource
type BillingPeriod struct {
	SID         string    `json:"sid"`
	AccountSID  string    `json:"account_sid"`
	SimSID      string    `json:"sim_sid"`
	StartTime   time.Time `json:"start_time"`  // UTC; when the SIM became ready or active, to the second
	EndTime     time.Time `json:"end_time"`    // UTC
	PeriodType  string    `json:"period_type"` // "ready" or "active"
	DateCreated time.Time `json:"date_created"`
	DateUpdated time.Time `json:"date_updated"`
}

// ListBillingPeriodsOptions pages a listing of a SIM's billing periods.
type ListBillingPeriodsOptions struct {
	ListOptions
}

// Validate reports each invalid field as a *ValidationError, joined.
func (o *ListBillingPeriodsOptions) Validate() error {
	if o == nil {
		return nil
	}
	var v validation
	o.check(&v)
	return v.err()
}

var billingPeriods = resource[BillingPeriod]{key: "billing_periods", fields: tagFields[BillingPeriod]()}

// BillingPeriodsLister is what code that reads billing periods needs from
// a [Client].
type BillingPeriodsLister interface {
	ListBillingPeriods(ctx context.Context, sim string, opts *ListBillingPeriodsOptions) *Iterator[BillingPeriod]
}

var _ BillingPeriodsLister = (*Client)(nil)

// ListBillingPeriods returns an iterator over the billing periods of the
// Super SIM with this SID or unique name. See
// https://www.twilio.com/docs/iot/supersim/api/billingperiod-resource#read-multiple-billingperiod-resources
func (c *Client) ListBillingPeriods(ctx context.Context, sim string, opts *ListBillingPeriodsOptions) *Iterator[BillingPeriod] {
	var v validation
	if v.identifier("Sim", sim, "HS"); v.err() != nil {
		return NewSliceIterator[BillingPeriod](nil, errors.Join(v.err(), opts.Validate()))
	}
	return list(ctx, c, billingPeriods, "/v1/Sims/"+url.PathEscape(sim)+"/BillingPeriods", opts)
}
