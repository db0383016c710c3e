package ipdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// row is one generated input range, kept for the brute-force answer.
type row struct {
	layer      int // 0 country, 1 network, 2 company
	start, end u128
	v6         bool
	val        string // the country, "asn|org", or the company's name
	order      int
}

// genTable builds a table from random, overlapping ranges in a small part
// of each family, so that most addresses drawn there hit several ranges.
func genTable(t testing.TB, rng *rand.Rand, n int) (*Table, []row) {
	t.Helper()
	b := NewBuilder()
	b.Classify = func(Network) (foyer.OrgType, string) { return foyer.OrgBusiness, "test" }
	var rows []row
	var asn, cc, co strings.Builder
	base4 := addrNum(netip.MustParseAddr("10.0.0.0"))
	base6 := addrNum(netip.MustParseAddr("2001:db8::"))
	for i := range n {
		v6 := rng.IntN(2) == 1
		var start, end u128
		if v6 {
			// Straddle the 64-bit boundary: vary the low bits of hi and all of lo.
			start = u128{base6.hi | uint64(rng.IntN(1<<10)), rng.Uint64() >> uint(rng.IntN(64))}
			end = start
			switch rng.IntN(3) {
			case 0:
				end.lo += uint64(rng.IntN(1 << 20))
				if end.lo < start.lo {
					end.hi++
				}
			case 1:
				end.hi += uint64(rng.IntN(8))
				end.lo = rng.Uint64()
				if end.hi == start.hi && end.lo < start.lo {
					end.lo = start.lo
				}
			}
		} else {
			start = u128{lo: base4.lo + uint64(rng.IntN(1<<20))}
			end = u128{lo: start.lo + uint64(rng.IntN(1<<uint(rng.IntN(16))))}
		}
		first, last := numAddr(start, v6), numAddr(end, v6)
		r := row{layer: rng.IntN(3), start: start, end: end, v6: v6, order: i}
		switch r.layer {
		case 0:
			r.val = string([]byte{byte('A' + rng.IntN(3)), byte('A' + rng.IntN(3))})
			fmt.Fprintf(&cc, "%s,%s,%s\n", first, last, r.val)
		case 1:
			a := 64500 + rng.IntN(20)
			r.val = fmt.Sprintf("%d|Org %d", a, a)
			fmt.Fprintf(&asn, "%s,%s,%d,\"Org %d\"\n", first, last, a, a)
		case 2:
			// Company ranges are networks: round the range to a prefix.
			bitsLen := 32
			if v6 {
				bitsLen = 128
			}
			p := netip.PrefixFrom(first, bitsLen-rng.IntN(12)).Masked()
			f, l := prefixRange(p)
			r.start, r.end = addrNum(f), addrNum(l)
			r.val = fmt.Sprintf("Company %d", i)
			fmt.Fprintf(&co, "%s,%s,,,,\n", p, r.val)
		}
		rows = append(rows, r)
	}
	// Rows are added layer by layer, so "order" must follow that, too.
	if err := b.AddCountryCSV(strings.NewReader(cc.String()), Source{Name: "cc.csv"}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddASNCSV(strings.NewReader(asn.String()), Source{Name: "asn.csv"}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddCompaniesCSV(strings.NewReader(co.String()), Source{Name: "co.csv"}); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tab, rows
}

// bruteForce answers a lookup by scanning every row: in each layer the
// smallest covering range wins, then the one added last.
func bruteForce(rows []row, a netip.Addr) (country, network, company string) {
	n, v6 := addrNum(a), a.Is6()
	var best [3]*row
	for i := range rows {
		r := &rows[i]
		if r.v6 != v6 || n.less(r.start) || r.end.less(n) {
			continue
		}
		b := best[r.layer]
		if b == nil {
			best[r.layer] = r
			continue
		}
		c := r.end.sub(r.start).cmp(b.end.sub(b.start))
		if c < 0 || (c == 0 && r.order > b.order) {
			best[r.layer] = r
		}
	}
	if best[0] != nil {
		country = best[0].val
	}
	if best[1] != nil {
		network = best[1].val
	}
	if best[2] != nil {
		company = best[2].val
	}
	return
}

func checkLookup(t *testing.T, tab *Table, rows []row, a netip.Addr) {
	t.Helper()
	country, network, company := bruteForce(rows, a)
	got := tab.Lookup(a)
	wantFound := country != "" || network != "" || company != ""
	if got.Found != wantFound {
		t.Fatalf("%s: found %v, want %v", a, got.Found, wantFound)
	}
	switch {
	case company != "":
		if got.Org != company || !got.Custom {
			t.Fatalf("%s: org %q custom %v, want company %q", a, got.Org, got.Custom, company)
		}
	case network != "":
		if n := fmt.Sprintf("%d|%s", got.ASN, got.Org); n != network || got.Custom {
			t.Fatalf("%s: network %q custom %v, want %q", a, n, got.Custom, network)
		}
	default:
		if got.Org != "" || got.ASN != 0 {
			t.Fatalf("%s: org %q AS%d, want none", a, got.Org, got.ASN)
		}
	}
	if company == "" && got.Country != country {
		t.Fatalf("%s: country %q, want %q", a, got.Country, country)
	}
	if company != "" && network != "" {
		// The company row gave no AS number: the network's stays.
		if n := fmt.Sprintf("%d|", got.ASN); !strings.HasPrefix(network, n) {
			t.Fatalf("%s: AS%d under a company, want the network's %q", a, got.ASN, network)
		}
	}
}

func TestLookupMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	tab, rows := genTable(t, rng, 3000)
	// Random addresses in and around the generated parts of both families.
	for range 20000 {
		r := rows[rng.IntN(len(rows))]
		n := r.start
		if r.v6 {
			n.lo += uint64(rng.IntN(1<<22)) - 1<<21
		} else {
			n.lo = uint64(uint32(n.lo + uint64(rng.IntN(1<<16)) - 1<<15))
		}
		checkLookup(t, tab, rows, numAddr(n, r.v6))
	}
	// Every edge of every range, and the addresses just outside.
	for _, r := range rows {
		for _, n := range []u128{r.start, r.end} {
			checkLookup(t, tab, rows, numAddr(n, r.v6))
		}
		if r.start != (u128{}) {
			checkLookup(t, tab, rows, numAddr(r.start.prev(), r.v6))
		}
		if n, wrapped := r.end.next(); !wrapped && !top(r.v6).less(n) {
			checkLookup(t, tab, rows, numAddr(n, r.v6))
		}
	}
	// The ends of both spaces.
	for _, s := range []string{"0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:10.0.0.1"} {
		checkLookup(t, tab, rows, netip.MustParseAddr(s).Unmap())
	}
}

func TestCompaniesWin(t *testing.T) {
	b := NewBuilder()
	must(t, b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64500,Big Carrier Telecom\n"), Source{Name: "asn.csv"}))
	must(t, b.AddCountryCSV(strings.NewReader("192.0.2.0,192.0.2.255,NL\n"), Source{Name: "cc.csv"}))
	must(t, b.AddCompaniesCSV(strings.NewReader(
		"cidr,name,domain,industry,employees,country\n"+
			"192.0.2.0/25,Acme BV,acme.example,Manufacturing,50-199,\n"+
			"192.0.2.64/26,Acme Labs BV,labs.acme.example,Research,10-49,BE\n"), Source{Name: "co.csv"}))
	tab, err := b.Build()
	must(t, err)
	for _, c := range []struct {
		ip, org, domain, country string
		typ                      foyer.OrgType
	}{
		{"192.0.2.1", "Acme BV", "acme.example", "NL", foyer.OrgBusiness},
		{"192.0.2.70", "Acme Labs BV", "labs.acme.example", "BE", foyer.OrgBusiness},
		{"192.0.2.200", "Big Carrier Telecom", "", "NL", foyer.OrgISP},
		{"192.0.3.1", "", "", "", foyer.OrgUnknown},
	} {
		got := tab.Lookup(netip.MustParseAddr(c.ip))
		if got.Org != c.org || got.Domain != c.domain || got.Country != c.country || got.Type != c.typ {
			t.Errorf("%s: got %q %q %q %s, want %q %q %q %s", c.ip, got.Org, got.Domain, got.Country, got.Type,
				c.org, c.domain, c.country, c.typ)
		}
	}
	if r := tab.Lookup(netip.MustParseAddr("192.0.2.1")); r.ASN != 64500 || r.Industry != "Manufacturing" || r.Size != "50-199" {
		t.Errorf("company row: AS%d %q %q", r.ASN, r.Industry, r.Size)
	}
	if got := tab.Info().Sources; len(got) != 3 || got[2].Rows != 2 {
		t.Errorf("sources %+v: want 3, the company list with 2 rows (header not counted)", got)
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab, rows := genTable(t, rng, 500)
	var buf bytes.Buffer
	if _, err := tab.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.Info().Records != tab.Info().Records || back.Info().Ranges4 != tab.Info().Ranges4 ||
		len(back.Info().Sources) != 3 || !back.Info().BuiltAt.Equal(tab.Info().BuiltAt) {
		t.Errorf("info %+v, want %+v", back.Info(), tab.Info())
	}
	for range 5000 {
		r := rows[rng.IntN(len(rows))]
		a := numAddr(r.start, r.v6)
		if got, want := back.Lookup(a), tab.Lookup(a); got != want {
			t.Fatalf("%s: read back %+v, built %+v", a, got, want)
		}
		checkLookup(t, back, rows, a)
	}
}

func TestParseRefusesDamage(t *testing.T) {
	tab, _ := genTable(t, rand.New(rand.NewPCG(3, 4)), 50)
	var buf bytes.Buffer
	tab.WriteTo(&buf)
	good := buf.Bytes()
	resum := func(b []byte) []byte {
		s := sha256.Sum256(b[:len(b)-sha256.Size])
		copy(b[len(b)-sha256.Size:], s[:])
		return b
	}
	cases := map[string][]byte{
		"empty":       nil,
		"other magic": append([]byte("NOTATABL"), good[8:]...),
		"cut short":   good[:len(good)/2],
		"one bit":     func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 1; return b }(),
		"version 9": func() []byte {
			b := bytes.Clone(good)
			binary.LittleEndian.PutUint32(b[8:], 9)
			return resum(b)
		}(),
		"huge count": func() []byte {
			b := bytes.Clone(good)
			hl := binary.LittleEndian.Uint32(b[12:])
			binary.LittleEndian.PutUint32(b[16+hl:], 1<<31)
			return resum(b)
		}(),
		"trailing bytes": func() []byte {
			b := append(bytes.Clone(good[:len(good)-sha256.Size]), 0, 0, 0, 0)
			return resum(append(b, make([]byte, sha256.Size)...))
		}(),
	}
	for name, b := range cases {
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: got %v, want ErrFormat", name, err)
		}
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}
}

func TestCSVErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		kind, in, want string
	}{
		{"asn", "1.0.0.0,1.0.0.255,13335,Ok\n1.0.1.0,1.0.1.255,x,Bad\n", "asn.csv:2: AS number"},
		{"asn", "1.0.0.0,1.0.0.255,13335\n", "asn.csv:1: want 4 fields"},
		{"asn", "1.0.0.0,1.0.0.255,1,A\n1.0.0.9,1.0.0.1,2,B\n", "asn.csv:2: the range ends"},
		{"asn", "1.0.0.0,::1,1,A\n", "asn.csv:1: the addresses are of different families"},
		{"asn", "1.0.0.0,nope,1,A\n", `asn.csv:1: last address "nope"`},
		{"asn", "1.0.0.0,1.0.0.1,1,\"unterminated\n", "asn.csv:1:"},
		{"asn", "1.0.0.0,1.0.0.1,1,A\x01B\n", "asn.csv:1: field 4 holds a control character"},
		{"asn", "1.0.0.0,1.0.0.1,1,\xff\n", "asn.csv:1: field 4 is not valid UTF-8"},
		{"asn", "1.0.0.0,1.0.0.1,1," + strings.Repeat("a", 600) + "\n", "asn.csv:1: field 4 is longer"},
		{"country", "1.0.0.0,1.0.0.255,AU\n\n1.0.1.0,1.0.1.255,Australia\n", "country.csv:3: country \"Australia\""},
		{"companies", "cidr,name\n10.0.0.0/8,Acme\n10.0.0.0/33,Bad\n", "companies.csv:3: cidr"},
		{"companies", "10.0.0.0/8,\n", "companies.csv:1: the name is empty"},
		{"companies", "10.0.0.0/8,Acme,not a domain\n", "companies.csv:1: domain"},
		{"companies", "10.0.0.0/8,Acme,acme.example,,,XYZ\n", "companies.csv:1: country"},
		{"companies", "10.0.0.0/8\n", "companies.csv:1: want 2 to 6 fields"},
	}
	for _, c := range cases {
		b := NewBuilder()
		src := Source{Name: c.kind + ".csv"}
		var err error
		switch c.kind {
		case "asn":
			err = b.AddASNCSV(strings.NewReader(c.in), src)
		case "country":
			err = b.AddCountryCSV(strings.NewReader(c.in), src)
		case "companies":
			err = b.AddCompaniesCSV(strings.NewReader(c.in), src)
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %q: got %v, want an error starting %q", c.kind, c.in, err, c.want)
		}
	}
}

func TestBuildEmpty(t *testing.T) {
	if _, err := NewBuilder().Build(); !errors.Is(err, ErrEmpty) {
		t.Errorf("got %v, want ErrEmpty", err)
	}
}

func TestPrefixRange(t *testing.T) {
	for _, c := range []struct{ p, first, last string }{
		{"10.1.2.3/8", "10.0.0.0", "10.255.255.255"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
		{"192.0.2.7/32", "192.0.2.7", "192.0.2.7"},
		{"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"2001:db8:1:2::/64", "2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"2001:db8:1:2::/63", "2001:db8:1:2::", "2001:db8:1:3:ffff:ffff:ffff:ffff"},
		{"2001:db8::/65", "2001:db8::", "2001:db8::7fff:ffff:ffff:ffff"},
		{"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	} {
		f, l := prefixRange(netip.MustParsePrefix(c.p))
		if f.String() != c.first || l.String() != c.last {
			t.Errorf("%s: %s–%s, want %s–%s", c.p, f, l, c.first, c.last)
		}
	}
}

func TestLookupAllocatesNothing(t *testing.T) {
	tab, _ := genTable(t, rand.New(rand.NewPCG(5, 6)), 200)
	a4, a6 := netip.MustParseAddr("10.0.1.2"), netip.MustParseAddr("2001:db8::1")
	if n := testing.AllocsPerRun(100, func() { tab.Lookup(a4); tab.Lookup(a6) }); n != 0 {
		t.Errorf("%v allocations per lookup", n)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCompanyNamedAfterPerson(t *testing.T) {
	b := NewBuilder()
	must(t, b.AddCompaniesCSV(strings.NewReader("192.0.2.0/28,Hans Müller\n192.0.2.16/28,Jane Doe trading as Doe Design\n192.0.2.32/28,Müller Maschinenbau GmbH\n"), Source{Name: "co.csv"}))
	tab, err := b.Build()
	must(t, err)
	for ip, want := range map[string]foyer.OrgType{"192.0.2.1": foyer.OrgUnknown, "192.0.2.17": foyer.OrgUnknown, "192.0.2.33": foyer.OrgBusiness} {
		if got := tab.Lookup(netip.MustParseAddr(ip)); got.Type != want {
			t.Errorf("%s %q: %s (%s), want %s", ip, got.Org, got.Type, got.Reason, want)
		}
	}
}
