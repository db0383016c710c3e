package ipdata

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"golang.org/x/net/publicsuffix"
)

// RDNS finds domain hints in reverse DNS, off the request path: Hint
// answers from a cache keyed by the address's network (a /24 or a /48),
// never by the address, and when the network is not cached it queues one
// PTR lookup and answers "" for now. The address is held only in memory,
// until its lookup ends; lookups' errors, which name the address, are
// never logged or kept. Of a PTR name only its registrable domain is kept
// (gw1.example.com → example.com), and not even that if it spells the
// address or the name is a carrier's address pool or a hosting network's
// server, whose domain is the network's; of those, only that they are.
type RDNS struct {
	resolver *net.Resolver
	timeout  time.Duration
	ttl      time.Duration
	limit    int
	queue    chan netip.Addr
	now      func() time.Time

	mu       sync.Mutex
	cache    map[netip.Prefix]hint
	inFlight map[netip.Prefix]bool

	stop chan struct{}
	wg   sync.WaitGroup
}

type hint struct {
	domain string
	// typ is OrgISP when a PTR name is one of a carrier's address pools,
	// OrgHosting when one is a hosting network's server, "" otherwise.
	typ     foyer.OrgType
	expires time.Time
}

// RDNSOptions tune reverse DNS; the zero value is the default.
type RDNSOptions struct {
	// Server is the DNS server's host:port; the system's when empty.
	Server string
	// Timeout bounds one lookup; 1 s when 0.
	Timeout time.Duration
	// TTL is how long an answer (or its absence) is kept; 1 h when 0.
	TTL time.Duration
	// Workers look up in parallel; 4 when 0.
	Workers int
	// Limit bounds the cache; 100,000 networks when 0.
	Limit int
}

// NewRDNS starts the lookup workers; Close stops them.
func NewRDNS(opt RDNSOptions) *RDNS {
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	if opt.TTL == 0 {
		opt.TTL = time.Hour
	}
	if opt.Workers == 0 {
		opt.Workers = 4
	}
	if opt.Limit == 0 {
		opt.Limit = 100_000
	}
	r := &RDNS{
		resolver: net.DefaultResolver, timeout: opt.Timeout, ttl: opt.TTL, limit: opt.Limit,
		queue: make(chan netip.Addr, 1024), now: time.Now,
		cache: map[netip.Prefix]hint{}, inFlight: map[netip.Prefix]bool{}, stop: make(chan struct{}),
	}
	if opt.Server != "" {
		server := opt.Server
		r.resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}}
	}
	for range opt.Workers {
		r.wg.Add(1)
		go r.work()
	}
	return r
}

// Close stops the workers; Hint then only answers from the cache.
func (r *RDNS) Close() {
	close(r.stop)
	r.wg.Wait()
}

// networkOf is the cache key of an address: its /24 or /48.
func networkOf(a netip.Addr) netip.Prefix {
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p
}

// Hint returns what reverse DNS told of a's network: a domain hint (or
// ""), and the type its names tell: foyer.OrgISP when they are a
// carrier's address pool (dsl-…, pool-…, dynamic…), foyer.OrgHosting when
// they are a hosting network's servers (vps…, srv…, …cloud…), "" otherwise
// (poolName, hostingName). When nothing is cached yet it queues a lookup
// and returns "", "".
func (r *RDNS) Hint(a netip.Addr) (domain string, typ foyer.OrgType) {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() {
		return "", ""
	}
	key := networkOf(a)
	r.mu.Lock()
	h, ok := r.cache[key]
	if ok && r.now().Before(h.expires) {
		r.mu.Unlock()
		return h.domain, h.typ
	}
	if r.inFlight[key] {
		r.mu.Unlock()
		return "", ""
	}
	select {
	case r.queue <- a:
		r.inFlight[key] = true
	default: // busy: a later visit asks again
	}
	r.mu.Unlock()
	return "", ""
}

func (r *RDNS) work() {
	defer r.wg.Done()
	for {
		select {
		case <-r.stop:
			return
		case a := <-r.queue:
			h := r.lookup(a)
			h.expires = r.now().Add(r.ttl)
			key := networkOf(a)
			r.mu.Lock()
			if len(r.cache) >= r.limit {
				clear(r.cache)
			}
			r.cache[key] = h
			delete(r.inFlight, key)
			r.mu.Unlock()
		}
	}
}

// lookup returns the registrable domain of a's first usable PTR name, and
// the type its names tell: a carrier's when a name is a pool's, else
// hosting when a name is a server's.
func (r *RDNS) lookup(a netip.Addr) hint {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	names, err := r.resolver.LookupAddr(ctx, a.String())
	if err != nil {
		return hint{} // the error names the address: dropped
	}
	var h hint
	pool, server := false, false
	for _, n := range names {
		pool = pool || poolName(n)
		server = server || hostingName(n)
		if d := domainHint(n, a); d != "" && h.domain == "" {
			h.domain = d
		}
	}
	switch {
	case pool:
		h.typ = foyer.OrgISP
	case server:
		h.typ = foyer.OrgHosting
	}
	if h.typ != "" {
		h.domain = "" // a pool's or a server's domain is its network's
	}
	return h
}

// poolWords name a carrier's address pools in PTR names.
var poolWords = map[string]bool{"dyn": true, "dynamic": true, "dynamicip": true, "pool": true, "dsl": true,
	"adsl": true, "vdsl": true, "xdsl": true, "dhcp": true, "ppp": true, "pppoe": true, "cable": true, "cpe": true,
	"cust": true, "customer": true, "client": true, "broadband": true, "residential": true, "res": true,
	"home": true, "mobile": true, "gprs": true, "lte": true, "ftth": true, "fttc": true, "fttx": true,
	"wlan": true, "wifi": true, "user": true, "subscriber": true}

// hostingWords name a hosting network's servers in PTR names: general
// words of the trade, not a provider's own. "static" is none of them
// (carriers name business lines so), nor "host" (carriers' host-1-2-3-4),
// nor words an office network names its own machines with (dc, vm, gw).
var hostingWords = map[string]bool{"vps": true, "vds": true, "vserver": true, "kvm": true,
	"server": true, "servers": true, "srv": true, "dedicated": true, "dedi": true,
	"hosted": true, "hosting": true, "webhosting": true, "cloud": true, "compute": true,
	"colo": true, "colocation": true, "datacenter": true, "datacentre": true}

// poolName reports whether a PTR name's host part (left of its
// registrable domain) holds a word of a carrier's address pool.
func poolName(ptr string) bool { return hostPartHas(ptr, poolWords) }

// hostingName reports whether a PTR name's host part holds a word of a
// hosting network's servers (vps-12.example.net, srv42.example.net).
func hostingName(ptr string) bool { return hostPartHas(ptr, hostingWords) }

// hostPartHas reports whether a PTR name's host part (left of its
// registrable domain) holds one of the words, whole: its runs of letters,
// so "srv42" holds srv and "observer" no server.
func hostPartHas(ptr string, words map[string]bool) bool {
	name := strings.ToLower(strings.TrimSuffix(ptr, "."))
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil || len(name) <= len(d) {
		return false
	}
	host := name[:len(name)-len(d)]
	for _, w := range strings.FieldsFunc(host, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if words[w] {
			return true
		}
	}
	return false
}

// domainHint returns the registrable domain of a PTR name, or "" when there
// is none or when it spells the address in any of the usual ways.
func domainHint(ptr string, a netip.Addr) string {
	name := strings.ToLower(strings.TrimSuffix(ptr, "."))
	if name == "" || strings.HasSuffix(name, ".arpa") {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil || !validDomain(d) {
		return ""
	}
	if label, _, _ := strings.Cut(d, "."); strings.Trim(label, "0123456789") == "" || spellsAddr(d, a) {
		return "" // a number, or the address, is no organisation's domain
	}
	return d
}

// spellsAddr reports whether s holds a's parts in order, joined by
// nothing, dots, dashes or underscores, forwards or reversed.
func spellsAddr(s string, a netip.Addr) bool {
	var parts []string
	if a.Is4() {
		b := a.As4()
		for _, x := range b {
			parts = append(parts, strconv.Itoa(int(x)))
		}
	} else {
		b := a.As16()
		for i := 0; i < 16; i += 2 {
			parts = append(parts, strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
		}
	}
	rev := make([]string, len(parts))
	for i, p := range parts {
		rev[len(parts)-1-i] = p
	}
	flat := strings.NewReplacer(".", "", "-", "", "_", "").Replace(s)
	for _, ps := range [][]string{parts, rev} {
		if strings.Contains(flat, strings.Join(ps, "")) {
			return true
		}
		for _, sep := range []string{".", "-", "_"} {
			if strings.Contains(s, strings.Join(ps, sep)) {
				return true
			}
		}
	}
	// A /24's host parts alone are no address; three of four in a row are
	// near enough to refuse.
	if a.Is4() {
		for _, sep := range []string{".", "-", "_", ""} {
			if strings.Contains(s, strings.Join(parts[1:], sep)) || strings.Contains(s, strings.Join(rev[:3], sep)) {
				return true
			}
		}
	}
	return false
}
