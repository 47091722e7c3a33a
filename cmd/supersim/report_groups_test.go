package main

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supersimkit/supersim"
)

// TestGroupSumsAgree checks the compact group sums against a map of usage
// per group, as the report kept them before: every group, its sums and
// amounts per currency, others and their order, for every -top.
func TestGroupSumsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := []string{"", "DE", "US", "HSC2A5" + strings.Repeat("0", 28), "hs" + strings.Repeat("a", 32)}
	for i := range 40 {
		keys = append(keys, fmt.Sprintf("HS%032x", i*7919))
	}
	amounts := []string{"0", "0.0123", "2e-3", "007", "-1.5", "123456789012345678901234.5", "0.10"}
	currencies := []string{"USD", "USD", "USD", "EUR", ""}
	for round := range 50 {
		rep := newReport(header{Group: supersim.GroupSim, Start: start, End: start.Add(time.Hour), Now: start})
		want := map[string]*usage{}
		for range rng.IntN(300) {
			r := supersim.UsageRecord{SimSID: keys[rng.IntN(len(keys))], DataUpload: rng.Int64N(1000), DataDownload: rng.Int64N(1000),
				DataTotalBilled: supersim.MustParseDecimal(amounts[rng.IntN(len(amounts))]), BilledUnit: currencies[rng.IntN(len(currencies))],
				Period: supersim.Period{StartTime: start, EndTime: start.Add(time.Hour)}}
			r.DataTotal = r.DataUpload + r.DataDownload
			if rng.IntN(5) == 0 {
				r.DataTotal = 0 // ties, ordered by key
			}
			rep.add(r)
			if want[r.SimSID] == nil {
				want[r.SimSID] = &usage{}
			}
			want[r.SimSID].add(r)
		}
		rows := []groupRow{}
		for key, u := range want {
			rows = append(rows, groupRow{Key: key, usage: *u})
		}
		slices.SortFunc(rows, func(a, b groupRow) int {
			return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Key, b.Key))
		})
		for _, top := range []int{0, 1, 3, 1000} {
			s := rep.summarize(top)
			wantRows, others, nOthers := rows, usage{Billed: billed{}}, 0
			if top > 0 && len(rows) > top {
				for _, g := range rows[top:] {
					others.merge(g.usage)
				}
				wantRows, nOthers = rows[:top], len(rows)-top
			}
			if len(wantRows) == 0 {
				wantRows = nil
			}
			if !reflect.DeepEqual(s.Groups, wantRows) || !reflect.DeepEqual(s.Others, others) || s.NOthers != nOthers {
				t.Fatalf("round %d, top %d: got %+v, others %+v (%d); want %+v, others %+v (%d)",
					round, top, s.Groups, s.Others, s.NOthers, wantRows, others, nOthers)
			}
		}
	}
}

func TestPackSID(t *testing.T) {
	for _, s := range []string{"HSc2a5" + strings.Repeat("0", 27) + "f", "HS" + strings.Repeat("f", 32)} {
		p, ok := packSID(s)
		if !ok || p.String() != s {
			t.Errorf("packSID(%q) = %q, %v", s, p.String(), ok)
		}
	}
	for _, s := range []string{"", "DE", "HSC2A5" + strings.Repeat("0", 28), "hs" + strings.Repeat("0", 32), "HS" + strings.Repeat("0", 33), "HS" + strings.Repeat("g", 32)} {
		if _, ok := packSID(s); ok {
			t.Errorf("packSID(%q) packs", s)
		}
	}
}
