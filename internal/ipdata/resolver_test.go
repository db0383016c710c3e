package ipdata

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

func buildFrom(t *testing.T, asnCSV string) *Table {
	t.Helper()
	b := NewBuilder()
	must(t, b.AddASNCSV(strings.NewReader(asnCSV), Source{Name: "asn.csv"}))
	tab, err := b.Build()
	must(t, err)
	return tab
}

func TestResolverReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	r := NewResolver(path)
	ip := netip.MustParseAddr("192.0.2.10")
	if got := r.Resolve(ip); got.Org.Type != foyer.OrgUnknown || got.Org.Name != "" {
		t.Fatalf("before any table: %+v", got)
	}
	if _, err := r.Load(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: got %v", err)
	}

	must(t, buildFrom(t, "192.0.2.0,192.0.2.255,64500,First Example GmbH\n").WriteFile(path))
	if _, err := r.Load(); err != nil {
		t.Fatal(err)
	}
	if got := r.Resolve(ip); got.Org.Name != "First Example GmbH" || got.Org.ASN != 64500 || got.Org.Type != foyer.OrgBusiness {
		t.Fatalf("first table: %+v", got)
	}

	// A damaged file does not replace the table in service.
	must(t, os.WriteFile(path, []byte("FOYERIPD garbage"), 0o600))
	if _, err := r.Load(); !errors.Is(err, ErrFormat) {
		t.Fatalf("damaged file: got %v, want ErrFormat", err)
	}
	if got := r.Resolve(ip); got.Org.Name != "First Example GmbH" {
		t.Fatalf("after a failed reload: %+v, want the first table's answer", got)
	}

	must(t, buildFrom(t, "192.0.2.0,192.0.2.255,64501,Second Example AB\n").WriteFile(path))
	if _, err := r.Load(); err != nil {
		t.Fatal(err)
	}
	if got := r.Resolve(ip); got.Org.Name != "Second Example AB" || got.Org.ASN != 64501 {
		t.Fatalf("second table: %+v", got)
	}
}

func TestImportKeepsTableOnBadSource(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	must(t, os.WriteFile(good, []byte("192.0.2.0,192.0.2.255,64500,Example GmbH\n"), 0o600))
	must(t, os.WriteFile(bad, []byte("192.0.2.0,192.0.2.255,64500,Example GmbH\n192.0.3.0,192.0.3.x,1,Oops\n"), 0o600))
	tab, err := Import{ASN: []string{good}}.Build(NewBuilder())
	must(t, err)
	path := filepath.Join(dir, FileName)
	must(t, tab.WriteFile(path))
	before, _ := os.ReadFile(path)

	_, err = Import{ASN: []string{bad}}.Build(NewBuilder())
	if err == nil || !strings.Contains(err.Error(), "bad.csv:2:") {
		t.Fatalf("got %v, want an error naming bad.csv line 2", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("a failed import changed the table file")
	}
	if _, err := (Import{Dir: filepath.Join(dir, "nothing")}).Build(NewBuilder()); !errors.Is(err, ErrNoSources) {
		t.Errorf("empty directory: got %v, want ErrNoSources", err)
	}
}

func TestImportDirectory(t *testing.T) {
	dir := t.TempDir()
	asn := filepath.Join(dir, "src", "asn")
	must(t, os.MkdirAll(asn, 0o750))
	must(t, os.WriteFile(filepath.Join(asn, "package.json"), []byte(`{"version":"9.9.9"}`), 0o600))
	must(t, os.WriteFile(filepath.Join(asn, "asn-ipv4.csv"), []byte("198.51.100.0,198.51.100.255,64510,Example Cable Telecom\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(asn, "asn-ipv6.csv"), []byte("2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64511,Example Hosting\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, CompaniesFile), []byte("198.51.100.128/25,Acme Oy,acme.example,,,FI\n"), 0o600))
	tab, err := Import{Dir: dir}.Build(NewBuilder())
	must(t, err)
	srcs := tab.Info().Sources
	if len(srcs) != 3 || srcs[0].Version != "9.9.9" || srcs[0].Attribution == "" || srcs[2].Kind != "companies" {
		t.Fatalf("sources %+v", srcs)
	}
	for ip, want := range map[string]string{"198.51.100.1": "isp", "198.51.100.200": "business", "2001:db8::1": "hosting"} {
		if got := tab.Lookup(netip.MustParseAddr(ip)); string(got.Type) != want {
			t.Errorf("%s: %s (%s), want %s", ip, got.Type, got.Reason, want)
		}
	}
}
