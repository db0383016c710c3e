package ipdata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// errSkip tells csvRows that a record is not data (a header).
var errSkip = errors.New("skip")

// maxField bounds one CSV field: an organisation name is far shorter.
const maxField = 512

// csvRows calls fn for each record of r with its line number. name labels
// errors, which carry the line: "name:12: …".
func csvRows(r io.Reader, name string, fn func(line int, rec []string) error) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return rows, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return rows, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range rec {
			if len(f) > maxField {
				return rows, fmt.Errorf("%s:%d: field %d is longer than %d bytes", name, line, i+1, maxField)
			}
			if !utf8.ValidString(f) {
				return rows, fmt.Errorf("%s:%d: field %d is not valid UTF-8", name, line, i+1)
			}
			if strings.IndexFunc(f, unicode.IsControl) >= 0 {
				return rows, fmt.Errorf("%s:%d: field %d holds a control character", name, line, i+1)
			}
		}
		switch err := fn(line, rec); {
		case err == errSkip:
		case err != nil:
			return rows, fmt.Errorf("%s:%d: %v", name, line, err)
		default:
			rows++
		}
	}
}

// parseRange parses a first,last address pair of one family.
func parseRange(first, last string) (netip.Addr, netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(first))
	if err != nil {
		return a, a, fmt.Errorf("first address %q: not an IP address", first)
	}
	b, err := netip.ParseAddr(strings.TrimSpace(last))
	if err != nil {
		return a, b, fmt.Errorf("last address %q: not an IP address", last)
	}
	if a.Zone() != "" || b.Zone() != "" {
		return a, b, errors.New("an address has a zone")
	}
	a, b = a.Unmap(), b.Unmap()
	if a.Is4() != b.Is4() {
		return a, b, errors.New("the addresses are of different families")
	}
	if b.Less(a) {
		return a, b, fmt.Errorf("the range ends (%s) before it starts (%s)", last, first)
	}
	return a, b, nil
}

// AddASNCSV reads a network table: first address, last address, AS number,
// organisation name (the layout of @ip-location-db/asn).
func (b *Builder) AddASNCSV(r io.Reader, src Source) error {
	n, err := csvRows(r, src.Name, func(_ int, rec []string) error {
		if len(rec) != 4 {
			return fmt.Errorf("want 4 fields (first,last,asn,organisation), got %d", len(rec))
		}
		first, last, err := parseRange(rec[0], rec[1])
		if err != nil {
			return err
		}
		asn, err := strconv.ParseUint(strings.TrimSpace(rec[2]), 10, 32)
		if err != nil {
			return fmt.Errorf("AS number %q: not a number from 0 to 4294967295", rec[2])
		}
		b.addNetwork(first, last, uint32(asn), strings.TrimSpace(rec[3]), "")
		return nil
	})
	if err != nil {
		return err
	}
	src.Kind, src.Rows = "asn", n
	b.sources = append(b.sources, src)
	return nil
}

// AddCountryCSV reads a country table: first address, last address,
// ISO 3166-1 alpha-2 code (the layout of @ip-location-db/*-country).
func (b *Builder) AddCountryCSV(r io.Reader, src Source) error {
	n, err := csvRows(r, src.Name, func(_ int, rec []string) error {
		if len(rec) != 3 {
			return fmt.Errorf("want 3 fields (first,last,country), got %d", len(rec))
		}
		first, last, err := parseRange(rec[0], rec[1])
		if err != nil {
			return err
		}
		cc, err := countryCode(rec[2])
		if err != nil {
			return err
		}
		b.addCountry(first, last, cc)
		return nil
	})
	if err != nil {
		return err
	}
	src.Kind, src.Rows = "country", n
	b.sources = append(b.sources, src)
	return nil
}

func countryCode(s string) (string, error) {
	cc := strings.ToUpper(strings.TrimSpace(s))
	if len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
		return "", fmt.Errorf("country %q: want a two-letter ISO 3166-1 code", s)
	}
	return cc, nil
}

// companyHeader is the header line of the operator's company list.
var companyHeader = []string{"cidr", "name", "domain", "industry", "employees", "country"}

// AddCompaniesCSV reads the operator's company list: cidr, name, domain,
// industry, employees, country; a header line naming these columns may
// come first. Only cidr and name are required.
func (b *Builder) AddCompaniesCSV(r io.Reader, src Source) error {
	n, err := csvRows(r, src.Name, func(line int, rec []string) error {
		if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "cidr") {
			return errSkip
		}
		if len(rec) < 2 || len(rec) > len(companyHeader) {
			return fmt.Errorf("want 2 to 6 fields (%s), got %d", strings.Join(companyHeader, ","), len(rec))
		}
		rec = append(rec, make([]string, len(companyHeader)-len(rec))...)
		p, err := netip.ParsePrefix(strings.TrimSpace(rec[0]))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(rec[0]))
			if aerr != nil || a.Zone() != "" {
				return fmt.Errorf("cidr %q: want a network such as 192.0.2.0/24 or 2001:db8::/32", rec[0])
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		c := Company{
			Name: strings.TrimSpace(rec[1]), Domain: strings.ToLower(strings.TrimSpace(rec[2])),
			Industry: strings.TrimSpace(rec[3]), Size: strings.TrimSpace(rec[4]),
		}
		if c.Name == "" {
			return errors.New("the name is empty")
		}
		if c.Domain != "" && !validDomain(c.Domain) {
			return fmt.Errorf("domain %q: want a name such as example.com", rec[2])
		}
		if s := strings.TrimSpace(rec[5]); s != "" {
			if c.Country, err = countryCode(s); err != nil {
				return err
			}
		}
		b.addCompany(p, c)
		return nil
	})
	if err != nil {
		return err
	}
	src.Kind, src.Rows = "companies", n
	b.sources = append(b.sources, src)
	return nil
}

// validDomain accepts a DNS name of at least two labels.
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
