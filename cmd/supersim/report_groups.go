package main

import (
	"cmp"
	"slices"
	"strings"

	"github.com/supersimkit/supersim"
)

// groupSums holds the usage of every group compactly, for reports of
// 100,000 SIMs and more: a group is a slot in a slice of fixed-size sums,
// found by an index keyed by the SID packed into 18 bytes (or by the key
// itself when it is no lower-case SID), and its amount billed is one
// Decimal while the group was billed in a single currency (every real
// SIM), a billed map only beyond.
type groupSums struct {
	bySID      map[packedSID]int32
	byKey      map[string]int32
	slots      []groupSlot
	multi      map[int32]billed // slots billed in more than one currency
	currencies []string         // a slot's currency is an index here
}

// groupSlot is the usage of one group.
type groupSlot struct {
	Upload, Download, Total int64
	Billed                  supersim.Decimal // in currencies[Currency], unless Currency is multiCurrency
	Records                 uint32
	Currency                int32
}

// multiCurrency marks a slot whose amounts are in groupSums.multi.
const multiCurrency = -1

// packedSID is a SID of two upper-case letters and 32 lower-case hex
// digits, the digits two to a byte.
type packedSID [18]byte

// packSID packs key, if it is a SID of that form.
func packSID(key string) (p packedSID, ok bool) {
	if len(key) != 34 || !isUpper(key[0]) || !isUpper(key[1]) {
		return p, false
	}
	p[0], p[1] = key[0], key[1]
	for i := 2; i < 34; i += 2 {
		hi, ok1 := lowerHex(key[i])
		lo, ok2 := lowerHex(key[i+1])
		if !ok1 || !ok2 {
			return p, false
		}
		p[2+(i-2)/2] = hi<<4 | lo
	}
	return p, true
}

// String is the SID p packs.
func (p packedSID) String() string {
	const digits = "0123456789abcdef"
	var b [34]byte
	b[0], b[1] = p[0], p[1]
	for i, x := range p[2:] {
		b[2+2*i], b[3+2*i] = digits[x>>4], digits[x&0xf]
	}
	return string(b[:])
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// slot returns the index of key's slot, added if new.
func (g *groupSums) slot(key string) int32 {
	var (
		i  int32
		ok bool
	)
	p, packed := packSID(key)
	if packed {
		i, ok = g.bySID[p]
	} else {
		i, ok = g.byKey[key]
	}
	if !ok {
		i = int32(len(g.slots))
		g.slots = append(g.slots, groupSlot{Currency: multiCurrency - 1}) // no currency yet
		if packed {
			if g.bySID == nil {
				g.bySID = map[packedSID]int32{}
			}
			g.bySID[p] = i
		} else {
			if g.byKey == nil {
				g.byKey = map[string]int32{}
			}
			g.byKey[strings.Clone(key)] = i
		}
	}
	return i
}

// add adds one record to the group key.
func (g *groupSums) add(key string, r supersim.UsageRecord) {
	i := g.slot(key)
	s := &g.slots[i]
	s.Upload += r.DataUpload
	s.Download += r.DataDownload
	s.Total += r.DataTotal
	s.Records++
	switch {
	case s.Currency >= 0 && g.currencies[s.Currency] == r.BilledUnit:
		s.Billed = s.Billed.Add(r.DataTotalBilled)
	case s.Currency == multiCurrency-1: // the group's first record
		s.Currency = g.currency(r.BilledUnit)
		s.Billed = s.Billed.Add(r.DataTotalBilled)
	default:
		b := g.multi[i]
		if b == nil {
			b = billed{g.currencies[s.Currency]: s.Billed}
			if g.multi == nil {
				g.multi = map[int32]billed{}
			}
			g.multi[i] = b
			s.Currency, s.Billed = multiCurrency, supersim.Decimal{}
		}
		b.add(r.BilledUnit, r.DataTotalBilled)
	}
}

// currency is the index of currency in g.currencies, added if new.
func (g *groupSums) currency(currency string) int32 {
	if i := slices.Index(g.currencies, currency); i >= 0 {
		return int32(i)
	}
	g.currencies = append(g.currencies, currency)
	return int32(len(g.currencies) - 1)
}

// billed is the amount billed to slot i.
func (g *groupSums) billed(i int32) billed {
	s := &g.slots[i]
	if s.Currency == multiCurrency {
		return g.multi[i]
	}
	return billed{g.currencies[s.Currency]: s.Billed}
}

// usage is the usage of slot i, as a report prints it.
func (g *groupSums) usage(i int32) usage {
	s := &g.slots[i]
	return usage{Upload: s.Upload, Download: s.Download, Total: s.Total, Billed: g.billed(i), Records: int(s.Records)}
}

// mergeInto adds slot i to u.
func (g *groupSums) mergeInto(u *usage, i int32) {
	s := &g.slots[i]
	u.Upload += s.Upload
	u.Download += s.Download
	u.Total += s.Total
	u.Records += int(s.Records)
	if u.Billed == nil {
		u.Billed = billed{}
	}
	if s.Currency == multiCurrency {
		u.Billed.merge(g.multi[i])
	} else {
		u.Billed.add(g.currencies[s.Currency], s.Billed)
	}
}

// groupRef is a group in the order of a summary.
type groupRef struct {
	key   string
	total int64
	slot  int32
}

// sorted lists the groups with the most data first, then by key.
func (g *groupSums) sorted() []groupRef {
	refs := make([]groupRef, 0, len(g.slots))
	for p, i := range g.bySID {
		refs = append(refs, groupRef{key: p.String(), total: g.slots[i].Total, slot: i})
	}
	for key, i := range g.byKey {
		refs = append(refs, groupRef{key: key, total: g.slots[i].Total, slot: i})
	}
	slices.SortFunc(refs, func(a, b groupRef) int {
		return cmp.Or(cmp.Compare(b.total, a.total), strings.Compare(a.key, b.key))
	})
	return refs
}
