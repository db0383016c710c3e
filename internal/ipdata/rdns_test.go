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
	if got, pool := r.Hint(netip.MustParseAddr("203.0.113.5")); got != "acme-widgets.example" || pool {
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
