package foyer

import "net/netip"

// OrgType classifies the organisation that owns an IP range.
type OrgType string

// The organisation types. Only business, education, government and
// nonprofit are ever shown as companies.
const (
	OrgUnknown    OrgType = "unknown"
	OrgBusiness   OrgType = "business"
	OrgEducation  OrgType = "education"
	OrgGovernment OrgType = "government"
	OrgNonprofit  OrgType = "nonprofit"
	OrgISP        OrgType = "isp"
	OrgHosting    OrgType = "hosting"
)

// IsCompany reports whether visits from this type may be shown as a company.
func (t OrgType) IsCompany() bool {
	switch t {
	case OrgBusiness, OrgEducation, OrgGovernment, OrgNonprofit:
		return true
	}
	return false
}

// Label returns the type as shown to users: "Carrier" for an ISP or a
// mobile network, "Hosting", "Unknown" for what is not known.
func (t OrgType) Label() string {
	switch t {
	case OrgBusiness:
		return "Business"
	case OrgEducation:
		return "Education"
	case OrgGovernment:
		return "Government"
	case OrgNonprofit:
		return "Nonprofit"
	case OrgISP:
		return "Carrier"
	case OrgHosting:
		return "Hosting"
	}
	return "Unknown"
}

// Origin is what an IP address tells about a visit, and all that is kept of
// it: the country, the city, and the organisation behind the network.
type Origin struct {
	Country string // ISO 3166-1 alpha-2, upper case, or ""
	City    string
	Org     Org
}

// Org is the organisation that owns a network.
type Org struct {
	Name   string
	Domain string // from the IP data: identifies the organisation
	// DomainHint is a domain from reverse DNS, kept when Domain is empty;
	// it may differ between visits, so it never identifies anything.
	DomainHint string
	ASN        uint32
	Type       OrgType
	Industry   string
	Size       string
}

// Resolver turns an IP address into an Origin, in memory. Implementations
// must not keep, log or return the address. Resolve must be safe for
// concurrent use and fast: the collector calls it once per request.
type Resolver interface {
	Resolve(ip netip.Addr) Origin
}

// UnknownResolver resolves every address to an empty Origin.
type UnknownResolver struct{}

// Resolve returns an Origin whose organisation type is unknown.
func (UnknownResolver) Resolve(netip.Addr) Origin { return Origin{Org: Org{Type: OrgUnknown}} }
