package ipdata

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeMMDB writes an MMDB file with the given networks, as a test's own
// stand-in for an operator's GeoLite2, DB-IP or IPinfo file.
func writeMMDB(t testing.TB, path string, nets map[string]mmdbtype.Map) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "Foyer-Test", RecordSize: 28, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, v := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, v); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(en), "de": mmdbtype.String(en + " (de)")}}
}

func TestMMDB(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.mmdb")
	writeMMDB(t, path, map[string]mmdbtype.Map{
		// GeoLite2-City layout
		"192.0.2.0/24": {
			"city":         names("Amsterdam"),
			"subdivisions": mmdbtype.Slice{names("North Holland")},
			"country":      mmdbtype.Map{"iso_code": mmdbtype.String("NL")},
		},
		// GeoLite2-ASN layout
		"2001:db8::/32": {
			"autonomous_system_number":       mmdbtype.Uint32(64500),
			"autonomous_system_organization": mmdbtype.String("Example Cloud Hosting"),
		},
		// IPinfo Lite layout
		"198.51.100.0/24": {
			"asn": mmdbtype.String("AS64510"), "as_name": mmdbtype.String("Example Widgets GmbH"),
			"as_domain": mmdbtype.String("widgets.example"), "country_code": mmdbtype.String("DE"),
		},
	})
	b := NewBuilder()
	must(t, b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64520,Example Networks AB\n"), Source{Name: "asn.csv"}))
	must(t, b.AddMMDB(path, Source{Name: path}))
	tab, err := b.Build()
	must(t, err)

	r := tab.Lookup(netip.MustParseAddr("192.0.2.5"))
	if r.City != "Amsterdam" || r.Region != "North Holland" || r.Country != "NL" || r.Org != "Example Networks AB" || r.ASN != 64520 {
		t.Errorf("city record + network CSV: %+v", r)
	}
	r = tab.Lookup(netip.MustParseAddr("198.51.100.77"))
	if r.Org != "Example Widgets GmbH" || r.ASN != 64510 || r.Domain != "widgets.example" || r.Country != "DE" || r.Type != foyer.OrgBusiness {
		t.Errorf("IPinfo record: %+v", r)
	}
	r = tab.Lookup(netip.MustParseAddr("2001:db8:1::1"))
	if r.Org != "Example Cloud Hosting" || r.ASN != 64500 || r.Type != foyer.OrgHosting || r.City != "" {
		t.Errorf("ASN record: %+v", r)
	}
	src := tab.Info().Sources
	if len(src) != 2 || src[1].Kind != "mmdb" || src[1].Rows != 3 || !strings.HasPrefix(src[1].Version, "Foyer-Test ") {
		t.Errorf("sources %+v", src)
	}
}

func TestMMDBMalformed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.mmdb")
	writeMMDB(t, good, map[string]mmdbtype.Map{"192.0.2.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("NL")}}})
	raw, err := os.ReadFile(good)
	must(t, err)
	cases := map[string][]byte{
		"garbage.mmdb": []byte("this is not a database"),
		"cut.mmdb":     raw[:len(raw)/3],
		"empty.mmdb":   nil,
	}
	for name, body := range cases {
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, body, 0o600))
		err := NewBuilder().AddMMDB(path, Source{Name: path})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
	// An import with a bad MMDB writes nothing; the good one compiles.
	if _, err := (Import{MMDB: []string{filepath.Join(dir, "garbage.mmdb")}}).Build(NewBuilder()); err == nil {
		t.Error("an import of a garbage MMDB succeeded")
	}
	tab, err := Import{MMDB: []string{good}}.Build(NewBuilder())
	must(t, err)
	if got := tab.Lookup(netip.MustParseAddr("192.0.2.1")).Country; got != "NL" {
		t.Errorf("country %q from the good MMDB", got)
	}
}
