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

	asn      layer[network]
	country  layer[string]
	company  layer[Company]
	location layer[location]

	order int32

	// Classify gives a network its organisation type; Classify when nil.
	Classify func(n Network) (foyer.OrgType, string)
	// Now stamps the table; time.Now when nil.
	Now func() time.Time
}

// layer is one kind of range data. Values are interned: equal values have
// the same index, so that adjacent ranges with equal values merge.
type layer[V comparable] struct {
	spans [2][]span // by family: 0 IPv4, 1 IPv6
	vals  []V
	idx   map[V]int32
}

func (l *layer[V]) add(start, end netip.Addr, v V, order int32) {
	i, ok := l.idx[v]
	if !ok {
		if l.idx == nil {
			l.idx = map[V]int32{}
		}
		i = int32(len(l.vals))
		l.vals = append(l.vals, v)
		l.idx[v] = i
	}
	f := family(start)
	l.spans[f] = append(l.spans[f], span{start: addrNum(start), end: addrNum(end), val: i, order: order})
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
	// Ranges4 and Ranges6 count the separate ranges the network holds in
	// the table, and Countries the distinct countries those ranges sit in
	// (from the country tables): the shape of its address space. A
	// carrier's or host's is many ranges, often in several countries; a
	// company's own network is one or a few in one country.
	Ranges4, Ranges6 int
	Countries        int
	// Domain is the network's domain, from sources that know it.
	Domain string
}

// Company is one row of the operator's company list.
type Company struct {
	Name, Domain, Industry, Size, Country string
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{}
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
	b.asn.add(start, end, network{asn, org, domain}, b.nextOrder())
}

// addCountry adds a range of a country.
func (b *Builder) addCountry(start, end netip.Addr, cc string) {
	b.country.add(start, end, cc, b.nextOrder())
}

// addLocation adds a range's city and region.
func (b *Builder) addLocation(start, end netip.Addr, l location) {
	b.location.add(start, end, l, b.nextOrder())
}

// addCompany adds a range of the operator's company list.
func (b *Builder) addCompany(p netip.Prefix, c Company) {
	start, end := prefixRange(p)
	b.company.add(start, end, c, b.nextOrder())
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
		total += len(b.asn.spans[f]) + len(b.country.spans[f]) + len(b.company.spans[f]) + len(b.location.spans[f])
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
		flat[f] = [4][]span{flatten(b.country.spans[f], v6), flatten(b.asn.spans[f], v6),
			flatten(b.company.spans[f], v6), flatten(b.location.spans[f], v6)}
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

// classifyNetworks types every network once, knowing the shape of its
// address space across the table: addresses, ranges and countries.
func (b *Builder) classifyNetworks(flat [2][4][]span, classify func(Network) (foyer.OrgType, string)) []typed {
	size := make([]Network, len(b.asn.vals))
	for i, n := range b.asn.vals {
		size[i] = Network{ASN: n.asn, Org: n.org, Domain: n.domain}
	}
	seen := map[[2]int32]bool{} // network, country
	for f := range 2 {
		for _, s := range flat[f][1] {
			d := s.end.sub(s.start)
			if f == 0 {
				size[s.val].Addresses4 += d.lo + 1
				size[s.val].Ranges4++
			} else {
				size[s.val].Networks64 += d.hi + 1
				size[s.val].Ranges6++
			}
		}
		eachOverlap(flat[f][1], flat[f][0], func(nw, cc int32) {
			if k := [2]int32{nw, cc}; !seen[k] {
				seen[k] = true
				size[nw].Countries++
			}
		})
	}
	out := make([]typed, len(size))
	for i, n := range size {
		out[i].typ, out[i].reason = classify(n)
	}
	return out
}

// eachOverlap calls fn with the values of every pair of spans of a and b
// that overlap; both are sorted and without overlaps of their own, as
// flatten leaves them.
func eachOverlap(a, b []span, fn func(va, vb int32)) {
	j := 0
	for _, s := range a {
		for j < len(b) && b[j].end.less(s.start) {
			j++
		}
		for k := j; k < len(b) && !s.end.less(b[k].start); k++ {
			fn(s.val, b[k].val)
		}
	}
}

type typed struct {
	typ    foyer.OrgType
	reason string
}

// record combines a stretch's country, network and company.
func (b *Builder) record(key [4]int32, st *stringTable, types []typed) record {
	var r record
	if c := key[0]; c >= 0 {
		r.country = countryBytes(b.country.vals[c])
	}
	r.typ = orgTypeNum(foyer.OrgUnknown)
	r.reason = st.add("no network data for this address")
	if n := key[1]; n >= 0 {
		r.asn = b.asn.vals[n].asn
		r.org = st.add(b.asn.vals[n].org)
		r.domain = st.add(b.asn.vals[n].domain)
		r.typ = orgTypeNum(types[n].typ)
		r.reason = st.add(types[n].reason)
	}
	if c := key[2]; c >= 0 {
		co := b.company.vals[c]
		r.org = st.add(co.Name)
		r.domain = st.add(co.Domain)
		r.industry = st.add(co.Industry)
		r.size = st.add(co.Size)
		if co.Country != "" {
			r.country = countryBytes(co.Country)
		}
		r.typ = orgTypeNum(foyer.OrgBusiness)
		r.reason = st.add("listed in the operator's company ranges")
		if personName(co.Name, parseName(co.Name)) || strings.Contains(strings.ToLower(co.Name), "trading as") {
			r.typ = orgTypeNum(foyer.OrgUnknown)
			r.reason = st.add("listed in the operator's company ranges, but named after a person: never shown as a company")
		}
		r.flags |= flagCustom
	}
	if l := key[3]; l >= 0 {
		r.city = st.add(b.location.vals[l].city)
		r.region = st.add(b.location.vals[l].region)
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
