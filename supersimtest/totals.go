package supersimtest

import (
	"strings"
	"time"

	"github.com/supersimkit/supersim"
)

// Totals is the usage of a set of samples, or of the records a walk
// returned, summed exactly and without supersim's own arithmetic.
type Totals struct {
	Upload, Download, Total int64 // bytes
	Billed                  Money // per currency
	Records                 int   // samples (or, with AddRecord, records) counted
}

// AddRecord adds a usage record's bytes and amount to t, to sum a walk for
// comparing with [Server.Totals]. The amount counts in the record's
// BilledUnit.
func (t *Totals) AddRecord(r supersim.UsageRecord) {
	t.Upload += r.DataUpload
	t.Download += r.DataDownload
	t.Total += r.DataTotal
	t.Billed = t.Billed.add(r.BilledUnit, mustParseAmount(r.DataTotalBilled.String()))
	t.Records++
}

// Filter selects samples for [Server.Totals], with the meaning of the API's
// parameters: Sim and Fleet by SID or unique name, [Start, End), a zero
// End for the server's clock and a zero Start for a month before End.
type Filter struct {
	Sim, Fleet, Network, IsoCountry string
	Start, End                      time.Time
}

// totals sums the samples that f selects, f's defaults resolved.
func (st *store) totals(f Filter) Totals {
	q := &listQuery{sim: f.Sim, fleet: f.Fleet, network: f.Network, country: strings.ToUpper(f.IsoCountry)}
	sel := st.selection(q)
	lo, hi := st.span(f.Start, f.End)
	var t Totals
	for i := lo; i < hi; i++ {
		if r := &st.rows[i]; sel.has(r) {
			t.Upload += r.upload
			t.Download += r.download
			t.Total += r.upload + r.download
			t.Billed = t.Billed.add(st.currencies.values[st.places.values[r.place].b], st.amounts[r.amount].amount)
			t.Records++
		}
	}
	return t
}
