package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/testutil"
)

// ipdataSources are the test's own IP data: a carrier, a hosting network
// and a business network, with a company range of the operator's inside it.
var ipdataSources = map[string]string{
	"asn.csv": "198.51.100.0,198.51.100.255,64502,Example Broadband Telecom\n" +
		"203.0.113.0,203.0.113.255,64501,Example Industries GmbH\n" +
		"2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64503,Example Cloud Hosting\n",
	"country.csv": "198.51.100.0,198.51.100.255,FR\n203.0.113.0,203.0.113.255,AT\n",
	"companies.csv": "cidr,name,domain,industry,employees,country\n" +
		"203.0.113.64/26,Acme Widgets GmbH,acme-widgets.example,Manufacturing,50-199,DE\n",
}

// visitor returns a function that sends a page view of a visitor to the
// demo site through the trusted proxy, from ip, and fails the test unless
// it is accepted.
func visitor(t *testing.T, base string) func(visitor, path, ip string) {
	c := newClient(t)
	return func(visitor, path, ip string) {
		t.Helper()
		r, err := send(context.Background(), c, "POST", base+"/collect", batchJSON("demo", visitor, pageviews(path)...),
			map[string]string{"X-Forwarded-For": ip})
		if err != nil || r.status != http.StatusAccepted {
			t.Fatalf("visit %s from %s: %v %d %s", path, ip, err, r.status, r.body)
		}
	}
}

// compileIPData writes the sources into a directory of their own and runs
// `foyer ipdata import` on them; it returns the --ipdata directory.
func compileIPData(t *testing.T, sources map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range sources {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := runFoyer(t, "ipdata", "import", "--ipdata", dir,
		"--asn-csv", filepath.Join(dir, "asn.csv"), "--country-csv", filepath.Join(dir, "country.csv"),
		"--companies", filepath.Join(dir, "companies.csv"))
	if !strings.Contains(out, "Compiled") {
		t.Fatalf("foyer ipdata import said %q", out)
	}
	return dir
}

// runFoyer runs the binary and returns its output; it fails the test when
// the command fails.
func runFoyer(t *testing.T, args ...string) string {
	t.Helper()
	out, err := tryFoyer(args...)
	if err != nil {
		t.Fatalf("foyer %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func tryFoyer(args ...string) (string, error) {
	cmd := exec.Command(foyerBin, args...)
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestReverseDNSHint runs the server with --rdns against the test's own DNS
// server: a company the IP data gives no domain gets the registrable domain
// of its network's PTR name, once the asynchronous lookup has answered.
func TestReverseDNSHint(t *testing.T) {
	t.Parallel()
	dns := testutil.NewDNSServer(t, map[string]string{
		"203.0.113.5":    "gw1.example-industries.example.",
		"198.51.100.201": "host-198-51-100-201.carrier.example.",
	})
	ipdir := compileIPData(t, ipdataSources)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--trusted-proxy", "127.0.0.1/32", "--ipdata", ipdir,
		"--rdns", "--rdns-server", dns.Addr)
	visit := visitor(t, srv.URL)
	visit("visitor-rdns-first-00000", "/first", "203.0.113.5")
	visit("visitor-rdns-carrier-000", "/carrier", "198.51.100.201")
	// The hint arrives asynchronously: visit from the same /24 until the
	// company has it (each visit is a new visitor, so a new visit).
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		visit(fmt.Sprintf("visitor-rdns-later-%05d", i), "/later", "203.0.113.6")
		var domain string
		for _, e := range parseExport(t, export(t, dsn, "demo")) {
			if e.Path == "/later" {
				domain = e.CompanyDomain
			}
		}
		if domain == "example-industries.example" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no domain hint after 10s; company domain %q", domain)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.stop()
	for _, e := range parseExport(t, export(t, dsn, "demo")) {
		switch e.Path {
		case "/first", "/later":
			// One company: the first visit's row got the hint too.
			if e.Company != "Example Industries GmbH" || e.CompanyDomain != "example-industries.example" {
				t.Errorf("%s: %q %q", e.Path, e.Company, e.CompanyDomain)
			}
		case "/carrier":
			if e.Company != "" || e.CompanyDomain != "" || e.OrgType != "isp" {
				t.Errorf("carrier: %+v", e)
			}
		}
	}
	if n := dns.Queries.Load(); n > 2 {
		t.Errorf("%d DNS queries, want one for the company's network (and none for the carrier's)", n)
	}
}

// TestCompanyFromIP sends visits through a trusted proxy from a company's
// network, a carrier's and a hosting network, and checks what the export
// says of each; then it replaces the table under the running server.
func TestCompanyFromIP(t *testing.T) {
	t.Parallel()
	ipdir := compileIPData(t, ipdataSources)
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--trusted-proxy", "127.0.0.1/32", "--ipdata", ipdir)
	visit := visitor(t, srv.URL)
	visit("visitor-company-00000000", "/company", "203.0.113.77")
	visit("visitor-network-00000000", "/network", "203.0.113.5")
	visit("visitor-carrier-00000000", "/carrier", "198.51.100.201")
	visit("visitor-hosting-00000000", "/hosting", "2001:db8:85a3::8a2e:370:7334")
	visit("visitor-nodata-000000000", "/nodata", "192.0.2.44")

	// The operator renames the company and compiles again; a broken import
	// in between changes nothing. SIGHUP puts the new table in service.
	if out, err := tryFoyer("ipdata", "import", "--ipdata", ipdir, "--companies", filepath.Join(ipdir, "missing.csv")); err == nil {
		t.Fatalf("an import of a missing file succeeded: %s", out)
	}
	bad := filepath.Join(ipdir, "bad.csv")
	if err := os.WriteFile(bad, []byte("203.0.113.64/26,Acme\n203.0.113.999/26,Broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := tryFoyer("ipdata", "import", "--ipdata", ipdir, "--companies", bad)
	if err == nil || !strings.Contains(out, "bad.csv:2:") || !strings.Contains(out, "unchanged") {
		t.Fatalf("a broken import: %v, %q; want a failure naming bad.csv:2 and saying the table is unchanged", err, out)
	}
	// A damaged table file does not replace the one in service.
	table := filepath.Join(ipdir, "foyer-ipdata.bin")
	good, err := os.ReadFile(table)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(table, good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, srv, "the previous one stays in service", 1)
	visit("visitor-company2-0000000", "/company-after-damage", "203.0.113.78")

	renamed := map[string]string{}
	for k, v := range ipdataSources {
		renamed[k] = strings.ReplaceAll(v, "Acme Widgets GmbH", "Acme Widgets Holding GmbH")
	}
	for name, body := range renamed {
		if err := os.WriteFile(filepath.Join(ipdir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runFoyer(t, "ipdata", "import", "--ipdata", ipdir, "--asn-csv", filepath.Join(ipdir, "asn.csv"),
		"--country-csv", filepath.Join(ipdir, "country.csv"), "--companies", filepath.Join(ipdir, "companies.csv"))
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, srv, "IP data table loaded", 2)
	visit("visitor-company3-0000000", "/company-renamed", "203.0.113.79")
	srv.stop()

	type want struct{ company, domain, orgType, country string }
	// One company behind the three visits from its range, under the name
	// the latest table gave it.
	acme := want{"Acme Widgets Holding GmbH", "acme-widgets.example", "business", "DE"}
	wants := map[string]want{
		"/company":              acme,
		"/company-after-damage": acme,
		"/company-renamed":      acme,
		"/network":              {"Example Industries GmbH", "", "business", "AT"},
		"/carrier":              {"", "", "isp", "FR"},
		"/hosting":              {"", "", "hosting", ""},
		"/nodata":               {"", "", "", ""},
	}
	events := parseExport(t, export(t, dsn, "demo"))
	if len(events) != len(wants) {
		t.Fatalf("exported %d events, want %d", len(events), len(wants))
	}
	for _, e := range events {
		w, ok := wants[e.Path]
		if !ok {
			t.Errorf("unexpected event %s", e.Path)
			continue
		}
		if got := (want{e.Company, e.CompanyDomain, e.OrgType, e.Country}); got != w {
			t.Errorf("%s: %+v, want %+v", e.Path, got, w)
		}
	}

	// `foyer ipdata lookup` tells the same, as one JSON object a line.
	lines := runFoyer(t, "ipdata", "lookup", "--ipdata", ipdir, "203.0.113.77", "198.51.100.201")
	sc := bufio.NewScanner(strings.NewReader(lines))
	var got []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("lookup line %q: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["org"] != "Acme Widgets Holding GmbH" || got[0]["type"] != "business" ||
		got[1]["type"] != "isp" || got[1]["asn"] != float64(64502) {
		t.Errorf("lookup printed %s", lines)
	}
	for _, k := range []string{"ip", "org", "asn", "domain", "country", "city", "type", "reason"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("lookup output lacks %q: %s", k, lines)
		}
	}
}

// waitLog waits until the server's log holds msg at least n times.
func waitLog(t *testing.T, s *server, msg string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(s.stderr)
		if bytes.Count(b, []byte(msg)) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not log %q %d times in 10s; log:\n%s", msg, n, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
