package ipdata

import (
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Builder compiles sources into a Table. Three layers give a stretch of
// addresses its record: the country tables, the network (ASN) tables and
// the operator's company list, which wins over both where it has a range.
// Within a layer, the most specific range wins, then the one added last.
type Builder struct {
	sources []Source

	asn    [2][]span // by family: 0 IPv4, 1 IPv6
	asnVal []network
	asnIdx map[network]int32

	country    [2][]span
	countryVal []string
	countryIdx map[string]int32

	company    [2][]span
	companyVal []Company

	location    [2][]span
	locationVal []location
	locationIdx map[location]int32

	order int32

	// Classify gives a network its organisation type; Classify when nil.
	Classify func(n Network) (foyer.OrgType, string)
	// Now stamps the table; time.Now when nil.
	Now func() time.Time
}

// network is one autonomous system as a source names it.
type network struct {
	asn    uint32
	org    string
	domain string // from sources that know it (IPinfo Lite)
}

// location is where a range is, below the country.
type location struct{ city, region string }

// Network is what the classifier is told of an organisation's network.
type Network struct {
	ASN uint32
	Org string
	// Addresses is how many addresses the organisation's network announces
	// in the table: IPv4 addresses, or IPv6 /64s.
	Addresses4 uint64
	Networks64 uint64
}

// Company is one row of the operator's company list.
type Company struct {
	Name, Domain, Industry, Size, Country string
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{asnIdx: map[network]int32{}, countryIdx: map[string]int32{}, locationIdx: map[location]int32{}}
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

func (b *Builder) nextOrder() int32 {
	b.order++
	return b.order
}

// addNetwork adds a range of an autonomous system.
func (b *Builder) addNetwork(start, end netip.Addr, asn uint32, org, domain string) {
	k := network{asn, org, domain}
	v, ok := b.asnIdx[k]
	if !ok {
		v = int32(len(b.asnVal))
		b.asnVal = append(b.asnVal, k)
		b.asnIdx[k] = v
	}
	f := family(start)
	b.asn[f] = append(b.asn[f], span{start: addrNum(start), end: addrNum(end), val: v, order: b.nextOrder()})
}

// addCountry adds a range of a country.
func (b *Builder) addCountry(start, end netip.Addr, cc string) {
	v, ok := b.countryIdx[cc]
	if !ok {
		v = int32(len(b.countryVal))
		b.countryVal = append(b.countryVal, cc)
		b.countryIdx[cc] = v
	}
	f := family(start)
	b.country[f] = append(b.country[f], span{start: addrNum(start), end: addrNum(end), val: v, order: b.nextOrder()})
}

// addLocation adds a range's city and region.
func (b *Builder) addLocation(start, end netip.Addr, l location) {
	v, ok := b.locationIdx[l]
	if !ok {
		v = int32(len(b.locationVal))
		b.locationVal = append(b.locationVal, l)
		b.locationIdx[l] = v
	}
	f := family(start)
	b.location[f] = append(b.location[f], span{start: addrNum(start), end: addrNum(end), val: v, order: b.nextOrder()})
}

// addCompany adds a range of the operator's company list.
func (b *Builder) addCompany(p netip.Prefix, c Company) {
	v := int32(len(b.companyVal))
	b.companyVal = append(b.companyVal, c)
	start, end := prefixRange(p)
	f := family(start)
	b.company[f] = append(b.company[f], span{start: addrNum(start), end: addrNum(end), val: v, order: b.nextOrder()})
}

// prefixRange returns the first and last address of p.
func prefixRange(p netip.Prefix) (netip.Addr, netip.Addr) {
	p = p.Masked()
	first := p.Addr()
	n := addrNum(first)
	bitsLen := first.BitLen()
	host := bitsLen - p.Bits()
	// last = first | (2^host - 1)
	var mask u128
	switch {
	case host >= 128:
		mask = u128{^uint64(0), ^uint64(0)}
	case host > 64:
		mask = u128{hi: 1<<(host-64) - 1, lo: ^uint64(0)}
	case host == 64:
		mask = u128{lo: ^uint64(0)}
	default:
		mask = u128{lo: 1<<host - 1}
	}
	last := u128{n.hi | mask.hi, n.lo | mask.lo}
	return first, numAddr(last, first.Is6())
}

// ErrEmpty is returned by Build when no source gave any range.
var ErrEmpty = errors.New("ipdata: the sources hold no address range")

// Build compiles what was added into a table.
func (b *Builder) Build() (*Table, error) {
	classify := b.Classify
	if classify == nil {
		classify = Classify
	}
	now := b.Now
	if now == nil {
		now = time.Now
	}
	total := 0
	for f := range 2 {
		total += len(b.asn[f]) + len(b.country[f]) + len(b.company[f]) + len(b.location[f])
	}
	if total == 0 {
		return nil, ErrEmpty
	}

	t := &Table{info: Info{Format: formatVersion, BuiltAt: now().UTC().Truncate(time.Second), Sources: b.sources}}
	st := newStrings()
	t.recs = []record{{}} // record 0: nothing known
	recIdx := map[[4]int32]uint32{}

	var flat [2][4][]span
	for f := range 2 {
		v6 := f == 1
		flat[f] = [4][]span{flatten(b.country[f], v6), flatten(b.asn[f], v6), flatten(b.company[f], v6),
			flatten(b.location[f], v6)}
	}
	types := b.classifyNetworks(flat, classify)

	for f := range 2 {
		v6 := f == 1
		starts, vals := overlay(flat[f][:], v6)
		for i, s := range starts {
			key := [4]int32{vals[i][0], vals[i][1], vals[i][2], vals[i][3]}
			rec := uint32(0)
			if key != [4]int32{-1, -1, -1, -1} {
				var ok bool
				if rec, ok = recIdx[key]; !ok {
					rec = uint32(len(t.recs))
					t.recs = append(t.recs, b.record(key, st, types))
					recIdx[key] = rec
				}
			}
			// Adjacent stretches can end up with the same record.
			if v6 {
				if n := len(t.v6rec); n > 0 && t.v6rec[n-1] == rec {
					continue
				}
				t.v6hi, t.v6lo, t.v6rec = append(t.v6hi, s.hi), append(t.v6lo, s.lo), append(t.v6rec, rec)
				if rec != 0 {
					t.info.Ranges6++
				}
			} else {
				if n := len(t.v4rec); n > 0 && t.v4rec[n-1] == rec {
					continue
				}
				t.v4start, t.v4rec = append(t.v4start, uint32(s.lo)), append(t.v4rec, rec)
				if rec != 0 {
					t.info.Ranges4++
				}
			}
		}
	}
	t.strs = st.list
	t.info.Records = len(t.recs) - 1
	t.index()
	return t, nil
}

// classifyNetworks types every network once, knowing how many addresses it
// holds across the table.
func (b *Builder) classifyNetworks(flat [2][4][]span, classify func(Network) (foyer.OrgType, string)) []typed {
	size := make([]Network, len(b.asnVal))
	for i, n := range b.asnVal {
		size[i] = Network{ASN: n.asn, Org: n.org}
	}
	for f := range 2 {
		for _, s := range flat[f][1] {
			d := s.end.sub(s.start)
			if f == 0 {
				size[s.val].Addresses4 += d.lo + 1
			} else {
				size[s.val].Networks64 += d.hi + 1
			}
		}
	}
	out := make([]typed, len(size))
	for i, n := range size {
		out[i].typ, out[i].reason = classify(n)
	}
	return out
}

type typed struct {
	typ    foyer.OrgType
	reason string
}

// record combines a stretch's country, network and company.
func (b *Builder) record(key [4]int32, st *stringTable, types []typed) record {
	var r record
	if c := key[0]; c >= 0 {
		r.country = countryBytes(b.countryVal[c])
	}
	r.typ = orgTypeNum(foyer.OrgUnknown)
	r.reason = st.add("no network data for this address")
	if n := key[1]; n >= 0 {
		r.asn = b.asnVal[n].asn
		r.org = st.add(b.asnVal[n].org)
		r.domain = st.add(b.asnVal[n].domain)
		r.typ = orgTypeNum(types[n].typ)
		r.reason = st.add(types[n].reason)
	}
	if c := key[2]; c >= 0 {
		co := b.companyVal[c]
		r.org = st.add(co.Name)
		r.domain = st.add(co.Domain)
		r.industry = st.add(co.Industry)
		r.size = st.add(co.Size)
		if co.Country != "" {
			r.country = countryBytes(co.Country)
		}
		r.typ = orgTypeNum(foyer.OrgBusiness)
		r.reason = st.add("listed in the operator's company ranges")
		if personName(co.Name, nil) || strings.Contains(strings.ToLower(co.Name), "trading as") {
			r.typ = orgTypeNum(foyer.OrgUnknown)
			r.reason = st.add("listed in the operator's company ranges, but named after a person: never shown as a company")
		}
		r.flags |= flagCustom
	}
	if l := key[3]; l >= 0 {
		r.city = st.add(b.locationVal[l].city)
		r.region = st.add(b.locationVal[l].region)
	}
	return r
}

func countryBytes(cc string) [2]byte {
	if len(cc) != 2 {
		return [2]byte{}
	}
	return [2]byte{cc[0], cc[1]}
}

// stringTable interns strings; index 0 is "".
type stringTable struct {
	list []string
	idx  map[string]uint32
}

func newStrings() *stringTable {
	return &stringTable{list: []string{""}, idx: map[string]uint32{"": 0}}
}

func (s *stringTable) add(v string) uint32 {
	if i, ok := s.idx[v]; ok {
		return i
	}
	i := uint32(len(s.list))
	s.list = append(s.list, v)
	s.idx[v] = i
	return i
}
