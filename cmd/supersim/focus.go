package main

import (
	"math/bits"
	"strconv"
	"time"

	"github.com/supersimkit/supersim"
)

// -schema focus writes the records as FinOps FOCUS 1.2 rows (Cost and
// Usage dataset), so that Super SIM spend joins cloud spend in one table:
// the columns FOCUS 1.2 makes mandatory, those we have a value for among
// the conditional and recommended ones (ChargeFrequency, ConsumedQuantity,
// ConsumedUnit, ResourceId), and custom x_ columns for what FOCUS has no
// column for. Mandatory columns we have no value for are null.

// focusColumns names the columns of -schema focus, in order: FOCUS's in
// alphabetical order, as the specification lists them, then the custom
// ones.
var focusColumns = []string{
	"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
	"ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
	"PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ResourceId",
	"ServiceCategory", "ServiceName",
	"x_DataDownload", "x_DataUpload", "x_FleetSid", "x_IsoCountry", "x_NetworkSid",
}

// focusIntegers are the columns of -schema focus that hold integers.
var focusIntegers = map[string]bool{"x_DataDownload": true, "x_DataUpload": true}

// Values of -schema focus's columns that are the same on every row.
const (
	focusChargeCategory    = "Usage"
	focusChargeDescription = "Super SIM cellular data"
	focusChargeFrequency   = "Usage-Based"
	focusConsumedUnit      = "Bytes"
	focusServiceCategory   = "Internet of Things"
	focusServiceName       = "Super SIM"
)

// focusRow is a record as a FOCUS 1.2 row. Amounts and quantities are
// DECIMAL(38,9) in Parquet (a zero value for a column that is always null
// is written as null: the column is optional); dates TIMESTAMP(MICROS,
// UTC). billed and total keep the amount's text and the bytes for CSV and
// JSON Lines.
type focusRow struct {
	BilledCost         [16]byte  `parquet:"BilledCost,decimal(9:38)"`
	BillingAccountID   string    `parquet:"BillingAccountId"`
	BillingAccountName string    `parquet:"BillingAccountName,optional"`
	BillingCurrency    string    `parquet:"BillingCurrency,optional"`
	BillingPeriodEnd   time.Time `parquet:"BillingPeriodEnd,timestamp(microsecond:utc)"`
	BillingPeriodStart time.Time `parquet:"BillingPeriodStart,timestamp(microsecond:utc)"`
	ChargeCategory     string    `parquet:"ChargeCategory"`
	ChargeClass        string    `parquet:"ChargeClass,optional"`
	ChargeDescription  string    `parquet:"ChargeDescription"`
	ChargeFrequency    string    `parquet:"ChargeFrequency"`
	ChargePeriodEnd    time.Time `parquet:"ChargePeriodEnd,timestamp(microsecond:utc)"`
	ChargePeriodStart  time.Time `parquet:"ChargePeriodStart,timestamp(microsecond:utc)"`
	ConsumedQuantity   [16]byte  `parquet:"ConsumedQuantity,decimal(9:38)"`
	ConsumedUnit       string    `parquet:"ConsumedUnit"`
	ContractedCost     [16]byte  `parquet:"ContractedCost,optional,decimal(9:38)"`
	EffectiveCost      [16]byte  `parquet:"EffectiveCost,decimal(9:38)"`
	InvoiceIssuerName  string    `parquet:"InvoiceIssuerName"`
	ListCost           [16]byte  `parquet:"ListCost,optional,decimal(9:38)"`
	PricingCategory    string    `parquet:"PricingCategory,optional"`
	PricingQuantity    [16]byte  `parquet:"PricingQuantity,optional,decimal(9:38)"`
	PricingUnit        string    `parquet:"PricingUnit,optional"`
	ProviderName       string    `parquet:"ProviderName"`
	PublisherName      string    `parquet:"PublisherName"`
	ResourceID         string    `parquet:"ResourceId,optional"`
	ServiceCategory    string    `parquet:"ServiceCategory"`
	ServiceName        string    `parquet:"ServiceName"`
	DataDownload       int64     `parquet:"x_DataDownload"`
	DataUpload         int64     `parquet:"x_DataUpload"`
	FleetSID           string    `parquet:"x_FleetSid,optional"`
	IsoCountry         string    `parquet:"x_IsoCountry,optional"`
	NetworkSID         string    `parquet:"x_NetworkSid,optional"`

	billed string // the amount's text
	total  int64  // bytes
}

// focusProvider is the provider's name in FOCUS's ProviderName,
// PublisherName and InvoiceIssuerName: Twilio, or KORE, which now owns
// Twilio's IoT business and invoices the accounts that moved.
func focusProvider(p supersim.Provider) string {
	if p == supersim.ProviderKORE {
		return "KORE"
	}
	return "Twilio"
}

// newFocusRow returns the function that makes FOCUS rows of the records
// of provider's API. An amount DECIMAL(38,9) cannot hold exactly is an
// error, as in the Parquet export.
func newFocusRow(provider supersim.Provider) func(supersim.UsageRecord) (focusRow, error) {
	name := focusProvider(provider)
	return func(r supersim.UsageRecord) (focusRow, error) {
		row, err := newExportRow(r) // the checks and conversions of the Parquet export
		if err != nil {
			return focusRow{}, err
		}
		month := time.Date(row.StartTime.Year(), row.StartTime.Month(), 1, 0, 0, 0, 0, time.UTC)
		return focusRow{
			BilledCost: row.DataTotalBilled, BillingAccountID: r.AccountSID, BillingCurrency: r.BilledUnit,
			BillingPeriodStart: month, BillingPeriodEnd: month.AddDate(0, 1, 0),
			ChargeCategory: focusChargeCategory, ChargeDescription: focusChargeDescription, ChargeFrequency: focusChargeFrequency,
			ChargePeriodStart: row.StartTime, ChargePeriodEnd: row.EndTime,
			ConsumedQuantity: bytesDecimal(r.DataTotal), ConsumedUnit: focusConsumedUnit,
			EffectiveCost: row.DataTotalBilled, InvoiceIssuerName: name, ProviderName: name, PublisherName: name,
			ResourceID: r.SimSID, ServiceCategory: focusServiceCategory, ServiceName: focusServiceName,
			DataDownload: r.DataDownload, DataUpload: r.DataUpload,
			FleetSID: r.FleetSID, IsoCountry: r.IsoCountry, NetworkSID: r.NetworkSID,
			billed: r.DataTotalBilled.String(), total: r.DataTotal,
		}, nil
	}
}

// bytesDecimal is a count of bytes as a DECIMAL(38,9) value: n × 10^9 in
// 128 bits (a count is never negative).
func bytesDecimal(n int64) [16]byte {
	hi, lo := bits.Mul64(uint64(n), 1_000_000_000)
	var out [16]byte
	for i := range 8 {
		out[7-i] = byte(hi >> (8 * i))
		out[15-i] = byte(lo >> (8 * i))
	}
	return out
}

// cells is the row as text, in the order of focusColumns: nil for null,
// times in RFC 3339 (UTC), amounts as the API sent them.
func (f *focusRow) cells() []*string {
	text := func(s string) *string { return &s }
	orNil := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	count := func(n int64) *string { return text(strconv.FormatInt(n, 10)) }
	return []*string{
		text(f.billed), text(f.BillingAccountID), nil, orNil(f.BillingCurrency), text(stamp(f.BillingPeriodEnd)), text(stamp(f.BillingPeriodStart)),
		text(f.ChargeCategory), nil, text(f.ChargeDescription), text(f.ChargeFrequency), text(stamp(f.ChargePeriodEnd)), text(stamp(f.ChargePeriodStart)),
		count(f.total), text(f.ConsumedUnit), nil, text(f.billed), text(f.InvoiceIssuerName), nil,
		nil, nil, nil, text(f.ProviderName), text(f.PublisherName), orNil(f.ResourceID),
		text(f.ServiceCategory), text(f.ServiceName),
		count(f.DataDownload), count(f.DataUpload), orNil(f.FleetSID), orNil(f.IsoCountry), orNil(f.NetworkSID),
	}
}
