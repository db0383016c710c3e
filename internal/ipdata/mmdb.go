package ipdata

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// mmdbRecord is what Foyer reads of an MMDB record: the GeoIP2/GeoLite2
// layout (City, Country, ASN; DB-IP Lite uses it too) and IPinfo Lite's
// flat one. Fields a file lacks stay empty.
type mmdbRecord struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	ASN   uint32 `maxminddb:"autonomous_system_number"`
	ASOrg string `maxminddb:"autonomous_system_organization"`

	// IPinfo Lite
	IPinfoASN   any    `maxminddb:"asn"` // "AS13335"
	ASName      string `maxminddb:"as_name"`
	ASDomain    string `maxminddb:"as_domain"`
	CountryCode string `maxminddb:"country_code"`
}

// AddMMDB reads an MMDB file the operator supplies: cities and regions,
// and where the file has them, countries and networks with their
// organisations (and domains, from IPinfo Lite). Its ranges join the
// layers of the same kind, as the latest source.
func (b *Builder) AddMMDB(path string, src Source) error {
	db, err := maxminddb.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not a readable MaxMind DB file: %v", path, err)
	}
	defer db.Close()
	n := 0
	for res := range db.Networks() {
		if err := res.Err(); err != nil {
			return fmt.Errorf("%s: network %d: %v", path, n+1, err)
		}
		p := res.Prefix()
		var rec mmdbRecord
		if err := res.Decode(&rec); err != nil {
			return fmt.Errorf("%s: network %s: %v", path, p, err)
		}
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		start, end := prefixRange(p)
		if l := (location{city: englishName(rec.City.Names)}); l.city != "" || len(rec.Subdivisions) > 0 {
			if len(rec.Subdivisions) > 0 {
				l.region = englishName(rec.Subdivisions[0].Names)
			}
			if l != (location{}) {
				b.addLocation(start, end, l)
			}
		}
		cc := rec.Country.ISOCode
		if cc == "" {
			cc = rec.CountryCode
		}
		if cc != "" {
			if cc, err := countryCode(cc); err == nil {
				b.addCountry(start, end, cc)
			}
		}
		asn, org := rec.ASN, rec.ASOrg
		if asn == 0 {
			if s, ok := rec.IPinfoASN.(string); ok {
				fmt.Sscanf(strings.TrimPrefix(strings.ToUpper(s), "AS"), "%d", &asn)
			}
			org = rec.ASName
		}
		if asn != 0 || org != "" {
			domain := strings.ToLower(strings.TrimSpace(rec.ASDomain))
			if domain != "" && !validDomain(domain) {
				domain = ""
			}
			b.addNetwork(start, end, asn, strings.TrimSpace(org), domain)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: the file holds no network", path)
	}
	src.Kind, src.Rows = "mmdb", n
	if src.Version == "" {
		src.Version = db.Metadata.DatabaseType + " " + db.Metadata.BuildTime().UTC().Format(time.DateOnly)
	}
	b.sources = append(b.sources, src)
	return nil
}

// englishName picks a name: English if there is one, else any, the same
// one each time.
func englishName(names map[string]string) string {
	if n := names["en"]; n != "" {
		return n
	}
	best := ""
	for lang := range names {
		if best == "" || lang < best {
			best = lang
		}
	}
	return names[best]
}
