package supersimtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireRecord is a usage record as encoding/json writes it: the oracle of
// refAppendRecord, itself the oracle of appendRecord (see
// TestAggregateRendersWhatTheReferenceRenders).
type wireRecord struct {
	AccountSID      string          `json:"account_sid"`
	SimSID          *string         `json:"sim_sid"`
	NetworkSID      *string         `json:"network_sid"`
	FleetSID        *string         `json:"fleet_sid"`
	IsoCountry      *string         `json:"iso_country"`
	Period          wirePeriod      `json:"period"`
	DataUpload      int64           `json:"data_upload"`
	DataDownload    int64           `json:"data_download"`
	DataTotal       int64           `json:"data_total"`
	DataTotalBilled json.RawMessage `json:"data_total_billed"`
	BilledUnit      *string         `json:"billed_unit"`
}

type wirePeriod struct {
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
}

func TestAppendRecordWritesWhatEncodingJSONWrites(t *testing.T) {
	start := time.Date(2026, 6, 1, 10, 0, 0, 0, time.FixedZone("CEST", 7200))
	records := []refRecord{
		{start: start, end: start.Add(90 * time.Minute), sim: "HS" + "ab", upload: 1, download: 2, billed: mustParseAmount("0.0125"), currency: "USD"},
		{start: start.Add(time.Nanosecond), end: start.Add(time.Hour), fleet: `a "fleet" <&> \ é` + "\x01\xff", country: "FR", billed: mustParseAmount("0")},
		{start: start, end: start, network: "HW1", upload: -5, download: 1 << 40},
	}
	for _, numbers := range []bool{false, true} {
		const account = "AC<1>"
		for _, r := range records {
			billed := r.billed.String()
			raw := json.RawMessage(`"` + billed + `"`)
			if numbers {
				raw = json.RawMessage(billed)
			}
			want, err := json.Marshal(wireRecord{
				AccountSID: account, SimSID: nullable(r.sim), NetworkSID: nullable(r.network),
				FleetSID: nullable(r.fleet), IsoCountry: nullable(r.country),
				Period:     wirePeriod{r.start.UTC().Format(time.RFC3339Nano), r.end.UTC().Format(time.RFC3339Nano)},
				DataUpload: r.upload, DataDownload: r.download, DataTotal: r.upload + r.download,
				DataTotalBilled: raw, BilledUnit: nullable(r.currency),
			})
			require.NoError(t, err)
			assert.Equal(t, string(want), string(refAppendRecord([]byte("x"), account, numbers, r))[1:])
		}
	}
}
