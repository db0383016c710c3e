package ipdata

import (
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/foyerhq/foyer"
)

// Resolver is the collector's foyer.Resolver over the table file in
// service. Load replaces the table only once the new one has been read
// whole and checked; until then, and if that fails, lookups go on
// answering from the old one.
type Resolver struct {
	path   string
	loadMu sync.Mutex // one Load at a time
	cur    atomic.Pointer[Table]
	rdns   *RDNS
}

// NewResolver returns a resolver for the table file at path; it answers
// "unknown" until a Load succeeds.
func NewResolver(path string) *Resolver { return &Resolver{path: path} }

// Path is the table file the resolver loads.
func (r *Resolver) Path() string { return r.path }

// Load reads the table file and puts it in service.
func (r *Resolver) Load() (*Table, error) {
	r.loadMu.Lock()
	defer r.loadMu.Unlock()
	t, err := Load(r.path)
	if err != nil {
		return nil, err
	}
	r.cur.Store(t)
	return t, nil
}

// Table returns the table in service, or nil.
func (r *Resolver) Table() *Table { return r.cur.Load() }

// Lookup answers from the table in service.
func (r *Resolver) Lookup(ip netip.Addr) Result {
	t := r.cur.Load()
	if t == nil {
		return Result{Type: foyer.OrgUnknown, Reason: "no IP data table is loaded"}
	}
	return t.Lookup(ip)
}

// UseRDNS adds reverse DNS to organisations of a company type that the
// table gives no domain: a domain hint, or, when the network's names are a
// carrier's address pool, the type isp (the rules took a carrier with a
// legal form for a company). Call it before the first Resolve.
func (r *Resolver) UseRDNS(d *RDNS) { r.rdns = d }

// Resolve implements foyer.Resolver.
func (r *Resolver) Resolve(ip netip.Addr) foyer.Origin {
	o := r.Lookup(ip).Origin()
	if r.rdns != nil && o.Org.Type.IsCompany() && o.Org.Domain == "" {
		hint, pool := r.rdns.Hint(ip)
		if pool {
			o.Org.Type = foyer.OrgISP
		}
		o.Org.DomainHint = hint
	}
	return o
}
