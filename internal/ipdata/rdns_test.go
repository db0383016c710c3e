package ipdata

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil"
)

func TestDomainHint(t *testing.T) {
	a := netip.MustParseAddr("203.0.113.77")
	for ptr, want := range map[string]string{
		"gw1.acme-widgets.example.":          "acme-widgets.example",
		"mail.example.co.uk.":                "example.co.uk",
		"Host.Example.COM":                   "example.com",
		"77.113.0.203.in-addr.arpa.":         "",
		"host-203-0-113-77.carrier.example.": "carrier.example",
		"203-0-113-77.example.":              "",
		"77-113-0-203.example.":              "",
		"ip203.0.113.77.example.":            "",
		"x203011377.example.":                "",
		"com.":                               "",
		"":                                   "",
		"under_score.example.":               "",
	} {
		if got := domainHint(ptr, a); got != want {
			t.Errorf("%q: %q, want %q", ptr, got, want)
		}
	}
	six := netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334")
	if got := domainHint("2001-db8-85a3-0-0-8a2e-370-7334.example.", six); got != "" {
		t.Errorf("a name spelling an IPv6 address gave %q", got)
	}
}

// waitHint asks until the hint for a is cached.
func waitHint(t *testing.T, r *RDNS, a netip.Addr) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.Hint(a)
		r.mu.Lock()
		h, ok := r.cache[networkOf(a)]
		r.mu.Unlock()
		if ok {
			return h.domain
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer cached for %s's network in 5s", a)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRDNS(t *testing.T) {
	dns := testutil.NewDNSServer(t, map[string]string{
		"203.0.113.77":     "gw1.acme-widgets.example.",
		"198.51.100.9":     "host-198-51-100-9.carrier.example.",
		"198.51.100.200":   "198-51-100-200.example.",
		"192.0.2.1":        "", // never answers
		"2001:db8:85a3::1": "router.ipv6-firm.example.",
	})
	r := NewRDNS(RDNSOptions{Server: dns.Addr, Timeout: 200 * time.Millisecond})
	defer r.Close()

	first := netip.MustParseAddr("203.0.113.77")
	if got, _ := r.Hint(first); got != "" {
		t.Errorf("the first visit got %q: the lookup is asynchronous", got)
	}
	if got := waitHint(t, r, first); got != "acme-widgets.example" {
		t.Errorf("hint %q", got)
	}
	// The same /24: answered from the cache, no query.
	q := dns.Queries.Load()
	if got, typ := r.Hint(netip.MustParseAddr("203.0.113.5")); got != "acme-widgets.example" || typ != "" {
		t.Errorf("the same network: %q", got)
	}
	if dns.Queries.Load() != q {
		t.Error("a cached network was looked up again")
	}
	if got := waitHint(t, r, netip.MustParseAddr("198.51.100.200")); got != "" {
		t.Errorf("a name spelling the address gave %q", got)
	}
	if got := waitHint(t, r, netip.MustParseAddr("192.0.2.1")); got != "" {
		t.Errorf("a silent server gave %q", got)
	}
	if got := waitHint(t, r, netip.MustParseAddr("2001:db8:85a3::99")); got != "" {
		t.Errorf("an address without PTR gave %q", got)
	}
	// Private and loopback addresses are never looked up.
	q = dns.Queries.Load()
	for _, s := range []string{"10.1.2.3", "127.0.0.1", "::1", "fe80::1"} {
		r.Hint(netip.MustParseAddr(s))
	}
	time.Sleep(50 * time.Millisecond)
	if dns.Queries.Load() != q {
		t.Error("a private or loopback address was looked up")
	}
	// Nothing cached holds an address: keys are networks, values domains.
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, h := range r.cache {
		if (k.Addr().Is4() && k.Bits() != 24) || (k.Addr().Is6() && k.Bits() != 48) {
			t.Errorf("cache key %s is not a /24 or /48", k)
		}
		if strings.ContainsAny(h.domain, "0123456789") && h.domain != "" {
			t.Errorf("cached hint %q holds digits", h.domain)
		}
	}
}

func TestResolverUsesRDNSForCompaniesOnly(t *testing.T) {
	dns := testutil.NewDNSServer(t, map[string]string{
		"192.0.2.10":   "gw.example-firm.example.",
		"198.51.100.1": "dsl-1.carrier.example.",
	})
	d := NewRDNS(RDNSOptions{Server: dns.Addr, Timeout: 200 * time.Millisecond})
	defer d.Close()
	path := t.TempDir() + "/" + FileName
	must(t, buildFrom(t, "192.0.2.0,192.0.2.255,64500,Example Firm GmbH\n198.51.100.0,198.51.100.255,64501,Example Telecom\n").WriteFile(path))
	r := NewResolver(path)
	_, err := r.Load()
	must(t, err)
	r.UseRDNS(d)
	company, carrier := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("198.51.100.1")
	r.Resolve(company)
	waitHint(t, d, company)
	if o := r.Resolve(company); o.Org.DomainHint != "example-firm.example" || o.Org.Domain != "" || o.Org.Type != foyer.OrgBusiness {
		t.Errorf("company: %+v", o.Org)
	}
	q := dns.Queries.Load()
	if o := r.Resolve(carrier); o.Org.DomainHint != "" || o.Org.Type != foyer.OrgISP {
		t.Errorf("carrier: %+v", o.Org)
	}
	time.Sleep(50 * time.Millisecond)
	if dns.Queries.Load() != q {
		t.Error("a carrier's address was looked up")
	}
}

func TestPoolName(t *testing.T) {
	for ptr, want := range map[string]bool{
		"pool-203-0-113-77.bstn.carrier.example.":  true,
		"dsl-203-0-113-77.dynamic.carrier.example": true,
		"cpe-198-51-100-1.res.carrier.example.":    true,
		"gw1.acme-widgets.example.":                false,
		"mail.pool.example.":                       false, // "pool" is the registrable domain's own name
		"host-203-0-113-77.carrier.example.":       false,
		"dynamic.example.":                         false,
	} {
		if got := poolName(ptr); got != want {
			t.Errorf("%q: %v, want %v", ptr, got, want)
		}
	}
}

func TestResolverDemotesPools(t *testing.T) {
	dns := testutil.NewDNSServer(t, map[string]string{
		"192.0.2.10": "dsl-192-0-2-10.dynamic.small-carrier.example.",
	})
	d := NewRDNS(RDNSOptions{Server: dns.Addr, Timeout: 200 * time.Millisecond})
	defer d.Close()
	path := t.TempDir() + "/" + FileName
	// The rules take this small carrier for a company (a legal form, no
	// carrier word); its pool names tell otherwise.
	must(t, buildFrom(t, "192.0.2.0,192.0.2.255,64500,Example Holding GmbH\n").WriteFile(path))
	r := NewResolver(path)
	_, err := r.Load()
	must(t, err)
	r.UseRDNS(d)
	a := netip.MustParseAddr("192.0.2.10")
	if o := r.Resolve(a); o.Org.Type != foyer.OrgBusiness {
		t.Fatalf("before the answer: %+v", o.Org)
	}
	waitHint(t, d, a)
	if o := r.Resolve(a); o.Org.Type != foyer.OrgISP || o.Org.DomainHint != "" {
		t.Errorf("after the answer: %+v, want isp without a hint", o.Org)
	}
}

func TestHostingName(t *testing.T) {
	for ptr, want := range map[string]bool{
		"vps-203-0-113-77.small-hoster.example.":               true,
		"srv42.fra1.small-hoster.example.":                     true,
		"server-203-0-113-77.example.net.":                     true,
		"dedicated.203-0-113-77.hoster.example.co.uk.":         true,
		"hosted-by.hoster.example.":                            true,
		"node-77.compute.hoster.example.":                      true,
		"ec2-203-0-113-77.eu-central-1.compute.amazonaws.com.": false, // under a public suffix: no host part
		"203-0-113-77.cloud.hoster.example.":                   true,
		"colo-rack4.dc.example.":                               true,
		"static-203-0-113-77.business.carrier.example.":        false, // a carrier's business line
		"host-203-0-113-77.carrier.example.":                   false,
		"gw1.acme-widgets.example.":                            false,
		"observer.acme-widgets.example.":                       false, // words are whole
		"mail.server.example.":                                 false, // "server" is the registrable domain's own name
		"cloud.example.":                                       false,
		"pool-203-0-113-77.dynamic.carrier.example.":           false,
	} {
		if got := hostingName(ptr); got != want {
			t.Errorf("%q: %v, want %v", ptr, got, want)
		}
	}
	for w := range hostingWords {
		if poolWords[w] {
			t.Errorf("%q is both a pool's word and a server's", w)
		}
	}
}

// TestResolverHosting: a network the rules took for a company whose PTR
// names are a hosting network's servers resolves as hosting, with reverse
// DNS's reason and no domain hint (the hoster's); a business line named
// static stays a company with its hint; a pool's names still make a
// carrier, and take precedence over a server's word. Nothing cached or
// explained holds the address.
func TestResolverHosting(t *testing.T) {
	dns := testutil.NewDNSServer(t, map[string]string{
		"192.0.2.10":     "vps-192-0-2-10.small-hoster.example.",
		"198.51.100.7":   "static-198-51-100-7.acme-widgets.example.",
		"203.0.113.9":    "srv9.pool.dsl.small-carrier.example.",
		"2001:db8:1::10": "cloud-10.ipv6-hoster.example.",
	})
	d := NewRDNS(RDNSOptions{Server: dns.Addr, Timeout: 200 * time.Millisecond})
	defer d.Close()
	path := t.TempDir() + "/" + FileName
	// The rules take each of these for a company (a legal form, no word of
	// a carrier or a hoster).
	must(t, buildFrom(t, "192.0.2.0,192.0.2.255,64500,Example Holding GmbH\n"+
		"198.51.100.0,198.51.100.255,64501,Acme Widgets GmbH\n"+
		"203.0.113.0,203.0.113.255,64502,Example Beteiligungs GmbH\n"+
		"2001:db8:1::,2001:db8:1:ffff:ffff:ffff:ffff:ffff,64503,Example Netze GmbH\n").WriteFile(path))
	r := NewResolver(path)
	_, err := r.Load()
	must(t, err)
	r.UseRDNS(d)
	for _, c := range []struct {
		ip       string
		typ      foyer.OrgType
		hint     string
		rdnsWhy  bool
		whyWords string
	}{
		{"192.0.2.10", foyer.OrgHosting, "", true, "servers"},
		{"198.51.100.7", foyer.OrgBusiness, "acme-widgets.example", false, ""},
		{"203.0.113.9", foyer.OrgISP, "", true, "address pool"},
		{"2001:db8:1::10", foyer.OrgHosting, "", true, "servers"},
	} {
		a := netip.MustParseAddr(c.ip)
		if o, _ := r.Explain(a); o.Org.Type != foyer.OrgBusiness {
			t.Fatalf("%s before the answer: %+v", c.ip, o.Org)
		}
		waitHint(t, d, a)
		o, why := r.Explain(a)
		if o.Org.Type != c.typ || o.Org.DomainHint != c.hint {
			t.Errorf("%s: %+v, want %s with the hint %q", c.ip, o.Org, c.typ, c.hint)
		}
		if got := strings.HasPrefix(why, "reverse DNS") && strings.Contains(why, c.whyWords) && strings.Contains(why, "over business"); got != c.rdnsWhy {
			t.Errorf("%s: the reason %q", c.ip, why)
		}
		if strings.Contains(why, c.ip) || strings.Contains(why, strings.ReplaceAll(c.ip, ".", "-")) {
			t.Errorf("%s: the reason %q holds the address", c.ip, why)
		}
		if got := r.Resolve(a); got != o {
			t.Errorf("%s: Resolve %+v, Explain %+v", c.ip, got, o)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, h := range d.cache {
		if h.typ != "" && h.domain != "" {
			t.Errorf("%s: a %s network keeps the domain %q", k, h.typ, h.domain)
		}
	}
}
