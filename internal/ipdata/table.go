// Package ipdata compiles open IP data (address ranges to networks, their
// organisations and countries), MMDB files and the operator's own company
// ranges into one table file, and answers lookups from it in memory. An
// address is only ever a lookup key here: nothing in this package keeps,
// logs or returns it.
package ipdata

import (
	"net/netip"
	"time"

	"github.com/foyerhq/foyer"
)

// Table answers which organisation, country and city an address belongs
// to. It is immutable and safe for concurrent use.
type Table struct {
	info Info

	// Each family is a list of stretches that covers its whole space from
	// address zero: stretch i runs from starts[i] up to starts[i+1]-1 and
	// has record recs[i] (0: nothing known). idx[k] is the first stretch
	// whose start has its top 16 bits ≥ k, which narrows the binary search.
	v4start []uint32
	v4rec   []uint32
	v4idx   []uint32
	v6hi    []uint64
	v6lo    []uint64
	v6rec   []uint32
	v6idx   []uint32

	recs []record
	strs []string // strs[0] is ""
}

// record is what a table knows of a stretch; strings are indices into strs.
type record struct {
	asn                         uint32
	org, domain, industry, size uint32
	city, region, reason        uint32
	country                     [2]byte
	typ                         uint8
	flags                       uint8
}

const flagCustom = 1 // from the operator's company list

// Info describes a table: when it was built and from what.
type Info struct {
	Format  int       `json:"format"`
	BuiltAt time.Time `json:"built_at"`
	Sources []Source  `json:"sources"`
	// Stretches of each family with something known, and distinct records.
	Ranges4 int `json:"ranges_v4"`
	Ranges6 int `json:"ranges_v6"`
	Records int `json:"records"`
}

// Source is one input of a table, with the attribution its licence asks for.
type Source struct {
	Kind        string `json:"kind"` // asn, country, companies, mmdb
	Name        string `json:"name"`
	Version     string `json:"version,omitempty"`
	License     string `json:"license,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	URL         string `json:"url,omitempty"`
	Rows        int    `json:"rows"`
}

// Result is what a lookup found. Its strings point into the table: a lookup
// allocates nothing.
type Result struct {
	Found    bool
	ASN      uint32
	Org      string
	Domain   string
	Industry string
	Size     string
	Country  string
	City     string
	Region   string
	Type     foyer.OrgType
	Reason   string // why Type
	Custom   bool   // from the operator's company list
}

// Origin is the result as the collector keeps it.
func (r Result) Origin() foyer.Origin {
	return foyer.Origin{
		Country: r.Country,
		City:    r.City,
		Org: foyer.Org{
			Name: r.Org, Domain: r.Domain, ASN: r.ASN, Type: r.Type,
			Industry: r.Industry, Size: r.Size,
		},
	}
}

// Info returns what the table was built from.
func (t *Table) Info() Info { return t.info }

// Lookup returns what the table knows of a. IPv4-mapped IPv6 addresses are
// looked up as IPv4.
func (t *Table) Lookup(a netip.Addr) Result {
	a = a.Unmap()
	var rec uint32
	switch {
	case a.Is4():
		rec = t.lookup4(a)
	case a.Is6():
		rec = t.lookup6(a)
	}
	return t.result(rec)
}

func (t *Table) lookup4(a netip.Addr) uint32 {
	if len(t.v4start) == 0 {
		return 0
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	k := v >> 16
	// The answer is the last stretch starting at or before v: at or after
	// idx[k]-1 (which starts before this /16) and before idx[k+1].
	lo, hi := int(t.v4idx[k]), int(t.v4idx[k+1])
	if lo > 0 {
		lo--
	}
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if t.v4start[m] <= v {
			lo = m
		} else {
			hi = m
		}
	}
	return t.v4rec[lo]
}

func (t *Table) lookup6(a netip.Addr) uint32 {
	if len(t.v6hi) == 0 {
		return 0
	}
	n := addrNum(a)
	k := n.hi >> 48
	lo, hi := int(t.v6idx[k]), int(t.v6idx[k+1])
	if lo > 0 {
		lo--
	}
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if t.v6hi[m] < n.hi || (t.v6hi[m] == n.hi && t.v6lo[m] <= n.lo) {
			lo = m
		} else {
			hi = m
		}
	}
	return t.v6rec[lo]
}

func (t *Table) result(i uint32) Result {
	if i == 0 || int(i) >= len(t.recs) {
		return Result{Type: foyer.OrgUnknown, Reason: "no data for this address"}
	}
	r := &t.recs[i]
	res := Result{
		Found: true, ASN: r.asn,
		Org: t.strs[r.org], Domain: t.strs[r.domain], Industry: t.strs[r.industry], Size: t.strs[r.size],
		City: t.strs[r.city], Region: t.strs[r.region], Reason: t.strs[r.reason],
		Type: orgTypes[r.typ], Custom: r.flags&flagCustom != 0,
	}
	if r.country != [2]byte{} {
		res.Country = countryStrings[int(r.country[0]-'A')*26+int(r.country[1]-'A')]
	}
	return res
}

// orgTypes numbers the organisation types in the table file.
var orgTypes = []foyer.OrgType{foyer.OrgUnknown, foyer.OrgBusiness, foyer.OrgEducation,
	foyer.OrgGovernment, foyer.OrgNonprofit, foyer.OrgISP, foyer.OrgHosting}

func orgTypeNum(t foyer.OrgType) uint8 {
	for i, x := range orgTypes {
		if x == t {
			return uint8(i)
		}
	}
	return 0
}

// countryStrings holds every two-letter code once, so that a lookup
// returns a country without allocating.
var countryStrings = func() []string {
	s := make([]string, 26*26)
	for i := range s {
		s[i] = string([]byte{byte('A' + i/26), byte('A' + i%26)})
	}
	return s
}()

// buildIndex returns idx with len 65537: idx[k] is the first i with
// key(i) ≥ k, for keys sorted ascending.
func buildIndex(n int, key func(i int) uint32) []uint32 {
	idx := make([]uint32, 1<<16+1)
	i := 0
	for k := range idx {
		for i < n && key(i) < uint32(k) {
			i++
		}
		idx[k] = uint32(i)
	}
	return idx
}

func (t *Table) index() {
	t.v4idx = buildIndex(len(t.v4start), func(i int) uint32 { return t.v4start[i] >> 16 })
	t.v6idx = buildIndex(len(t.v6hi), func(i int) uint32 { return uint32(t.v6hi[i] >> 48) })
}
