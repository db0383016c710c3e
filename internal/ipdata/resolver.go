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
// carrier's address pool, the type isp, and when they are a hosting
// network's servers, the type hosting (the rules took a carrier or a
// hoster with a legal form for a company). Call it before the first
// Resolve.
func (r *Resolver) UseRDNS(d *RDNS) { r.rdns = d }

// rdnsReasons say why reverse DNS changed an organisation's type.
var rdnsReasons = map[foyer.OrgType]string{
	foyer.OrgISP:     "reverse DNS names the network a carrier's address pool (dsl, pool, dynamic…)",
	foyer.OrgHosting: "reverse DNS names the network's hosts servers (vps, srv, cloud…)",
}

// Resolve implements foyer.Resolver.
func (r *Resolver) Resolve(ip netip.Addr) foyer.Origin {
	o, _ := r.Explain(ip)
	return o
}

// Explain answers as Resolve does, with the reason of the organisation's
// type: the table's, or reverse DNS's when the network's names made it
// isp or hosting (the table's reason then follows it). Neither holds the
// address.
func (r *Resolver) Explain(ip netip.Addr) (foyer.Origin, string) {
	res := r.Lookup(ip)
	o, why := res.Origin(), res.Reason
	if r.rdns != nil && o.Org.Type.IsCompany() && o.Org.Domain == "" {
		hint, typ := r.rdns.Hint(ip)
		if typ != "" {
			why = rdnsReasons[typ] + ", over " + string(o.Org.Type) + ": " + why
			o.Org.Type = typ
		}
		o.Org.DomainHint = hint
	}
	return o, why
}
