package e2e_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// The client addresses the no-IP test sends from. They come from the
// documentation ranges, so they do not turn up by chance.
var clientIPs = []netip.Addr{
	netip.MustParseAddr("203.0.113.77"),
	netip.MustParseAddr("198.51.100.201"),
	netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334"),
	netip.MustParseAddr("2001:db8:dead:beef::1234"),
	netip.MustParseAddr("203.0.113.5"), // a company the IP data gives no domain: reverse DNS is asked
}

// ipForm is one way an address may be written down.
type ipForm struct {
	name string
	b    []byte
	fold bool // text: matched in any letter case
}

// ipForms returns the text and binary forms of a.
func ipForms(a netip.Addr) []ipForm {
	var f []ipForm
	text := func(name, s string) { f = append(f, ipForm{name, []byte(strings.ToLower(s)), true}) }
	bin := func(name string, b []byte) { f = append(f, ipForm{name, b, false}) }
	b16 := a.As16() // IPv4 as ::ffff:a.b.c.d
	if a.Is4() {
		b4 := a.As4()
		text("dotted", a.String())
		text("reversed octets (in-addr.arpa)", fmt.Sprintf("%d.%d.%d.%d", b4[3], b4[2], b4[1], b4[0]))
		text("dashed (as in PTR names)", fmt.Sprintf("%d-%d-%d-%d", b4[0], b4[1], b4[2], b4[3]))
		text("hex", fmt.Sprintf("%x", b4))
		text("decimal", strconv.FormatUint(uint64(binary.BigEndian.Uint32(b4[:])), 10))
		text("IPv4-mapped hex", fmt.Sprintf("::ffff:%x:%x", binary.BigEndian.Uint16(b4[:2]), binary.BigEndian.Uint16(b4[2:])))
		bin("4-byte binary", b4[:])
		bin("IPv4-mapped 16-byte binary", b16[:])
		return f
	}
	text("compressed", a.String())
	text("expanded", a.StringExpanded())
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = strconv.FormatUint(uint64(binary.BigEndian.Uint16(b16[2*i:])), 16)
	}
	text("uncompressed", strings.Join(groups, ":"))
	text("dashed (as in PTR names)", strings.Join(groups, "-"))
	text("hex", fmt.Sprintf("%x", b16))
	nibbles := make([]string, 0, 32)
	for i := 15; i >= 0; i-- {
		nibbles = append(nibbles, fmt.Sprintf("%x", b16[i]&0xf), fmt.Sprintf("%x", b16[i]>>4))
	}
	text("reversed nibbles (ip6.arpa)", strings.Join(nibbles, "."))
	bin("16-byte binary", b16[:])
	return f
}

// finding is an address found in a file.
type finding struct {
	file, form string
	ip         netip.Addr
	offset     int
}

func (f finding) String() string {
	return fmt.Sprintf("%s: %s as %s at byte %d", f.file, f.ip, f.form, f.offset)
}

// scanBytes looks for every form of every address in b.
func scanBytes(name string, b []byte, ips []netip.Addr) []finding {
	lower := bytes.ToLower(b)
	var out []finding
	for _, ip := range ips {
		for _, f := range ipForms(ip) {
			hay := b
			if f.fold {
				hay = lower
			}
			if i := bytes.Index(hay, f.b); i >= 0 {
				out = append(out, finding{name, f.name, ip, i})
			}
		}
	}
	return out
}

// scanDir reads every file under dir and looks for the addresses in it.
func scanDir(t *testing.T, dir string, ips []netip.Addr) (found []finding, files map[string]int) {
	t.Helper()
	files = map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file (%v)", path, d.Type())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = len(b)
		found = append(found, scanBytes(rel, b, ips)...)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return found, files
}

// TestScannerFindsPlantedAddresses checks the scanner itself: each form of
// each address, planted in a scratch file among other bytes, is found.
func TestScannerFindsPlantedAddresses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := map[string]bool{}
	for i, ip := range clientIPs {
		for j, f := range ipForms(ip) {
			planted := f.b
			if f.fold {
				planted = bytes.ToUpper(planted)
			}
			name := fmt.Sprintf("scratch-%d-%d.bin", i, j)
			content := append(append([]byte("\x00\x01SQLite junk before "), planted...), " junk after\xff"...)
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
				t.Fatal(err)
			}
			want[name+" "+ip.String()+" "+f.name] = true
		}
	}
	found, files := scanDir(t, dir, clientIPs)
	if len(files) != len(want) {
		t.Fatalf("scanned %d files, want %d", len(files), len(want))
	}
	got := map[string]bool{}
	for _, f := range found {
		got[f.file+" "+f.ip.String()+" "+f.form] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("planted %s, not found", k)
		}
	}
	// An address the test does not send is not reported.
	if f := scanBytes("x", []byte("203.0.113.78 2001:db8:85a3::8a2e:370:7335"), clientIPs); len(f) != 0 {
		t.Errorf("found %v in bytes without the addresses", f)
	}
}

// TestNoIPAddressPersisted drives traffic from known client addresses
// through a trusted proxy — good batches, failing ones, dropped ones, other
// endpoints — over two server runs (one stopped gracefully, one killed),
// exports the events, and then scans every byte Foyer wrote, and its
// metrics, for those addresses.
func TestNoIPAddressPersisted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	// The IP data table answers for the client addresses, so that what they
	// resolve to is stored; it lies outside the scanned directory, as its
	// ranges are addresses by nature.
	ipdir := compileIPData(t, ipdataSources)
	// Reverse DNS is on, and the PTR names spell the addresses, as many
	// carriers' do: none of that may be kept either.
	ptr := map[string]string{}
	for _, ip := range clientIPs {
		ptr[ip.String()] = "host-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String()) + ".example-firm.example."
	}
	dns := testutil.NewDNSServer(t, ptr)
	args := []string{"--db", dsn, "--demo", "--trusted-proxy", "127.0.0.1/32", "--log-format", "json", "--rate-limit", "5",
		"--ipdata", ipdir, "--rdns", "--rdns-server", dns.Addr}
	client := newClient(t)
	var metrics [][]byte
	stored := map[string]int{} // path: events acknowledged

	for run := range 2 {
		srv := startServer(t, files, args...)
		driveTraffic(t, client, srv.URL, run, stored)
		// Failed sign-ins from each address, for accounts that do not
		// exist: the audit log keeps a keyed hash of the network and of
		// the address typed, never either.
		for i, ip := range clientIPs {
			form := fmt.Sprintf("email=nobody-%d-%d%%40example.com&password=wrong", run, i)
			r, err := send(context.Background(), client, "POST", srv.URL+"/login", []byte(form),
				map[string]string{"X-Forwarded-For": ip.String(), "Content-Type": "application/x-www-form-urlencoded"})
			if err != nil || r.status != http.StatusUnauthorized {
				t.Errorf("failed sign-in from %s: %v, status %d", ip, err, r.status)
			}
		}
		if run == 1 {
			waitForHint(t, client, srv.URL, dsn, stored)
		}
		r, err := send(context.Background(), client, "GET", srv.URL+"/metrics", nil, map[string]string{"X-Forwarded-For": clientIPs[0].String()})
		if err != nil || r.status != http.StatusOK || !bytes.Contains(r.body, []byte("foyer_events_accepted_total")) {
			t.Fatalf("GET /metrics: %v %d", err, r.status)
		}
		metrics = append(metrics, r.body)
		if run == 0 {
			srv.stop()
		} else {
			srv.kill()
		}
	}

	// The export goes into the data directory, so that it is scanned too.
	out, err := os.Create(filepath.Join(dir, "export.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(foyerBin, "export", "events", "--site", "demo", "--db", dsn)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	err = cmd.Run()
	out.Close()
	if err != nil {
		t.Fatalf("foyer export: %v\n%s", err, stderr.Bytes())
	}

	// The traffic was stored, so the scan below is not vacuous.
	b, err := os.ReadFile(filepath.Join(dir, "export.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	exported := parseExport(t, b)
	counts := pathCounts(exported)
	companies := map[string]bool{}
	for _, e := range exported {
		companies[e.Company+"/"+e.OrgType] = true
	}
	for _, want := range []string{"Acme Widgets GmbH/business", "Example Industries GmbH/business", "/isp", "/hosting"} {
		if !companies[want] {
			t.Errorf("no exported visit resolved to %q; got %v", want, companies)
		}
	}
	for p, n := range stored {
		if counts[p] != n {
			t.Errorf("exported %d events of %s, want the %d acknowledged", counts[p], p, n)
		}
	}
	if len(stored) == 0 || len(counts) != len(stored) {
		t.Errorf("exported %d distinct paths, want the %d acknowledged", len(counts), len(stored))
	}

	found, scanned := scanDir(t, dir, clientIPs)
	defer func() { // after the scan: the audit log has the failed sign-ins, so its part of the scan was not vacuous
		st, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		es, _, err := st.AuditLog(context.Background(), 0, foyer.AuditFilter{Action: foyer.AuditSignInFailed})
		if err != nil || len(es) != 2*len(clientIPs) {
			t.Errorf("audit log: %d failed sign-ins, want %d: %v", len(es), 2*len(clientIPs), err)
		}
		for _, e := range es {
			if e.Network == "" || strings.Contains(e.Actor, "nobody") {
				t.Errorf("entry %d: network %q, actor %q", e.ID, e.Network, e.Actor)
			}
		}
	}()
	for _, name := range []string{"foyer.db", "stdout.log", "stderr.log", "export.ndjson"} {
		if scanned[name] == 0 {
			t.Errorf("%s is missing or empty; scanned %v", name, scanned)
		}
	}
	for i, m := range metrics {
		found = append(found, scanBytes(fmt.Sprintf("/metrics of run %d", i), m, clientIPs)...)
	}
	for _, f := range found {
		t.Errorf("client address persisted: %v", f)
	}
	t.Logf("scanned %d files (%v) and 2 metrics pages for %d addresses in %d forms",
		len(scanned), scanned, len(clientIPs), len(ipForms(clientIPs[0]))+len(ipForms(clientIPs[2])))
}

// waitForHint visits from the company without a domain until reverse DNS
// has given it one, so that the scan covers what reverse DNS stores.
func waitForHint(t *testing.T, c *http.Client, base, dsn string, stored map[string]int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		path := fmt.Sprintf("/noip/hint/%d", i)
		r, err := send(context.Background(), c, "POST", base+"/collect", batchJSON("demo", fmt.Sprintf("noip-hint-visitor-%04d", i), pageviews(path)...),
			map[string]string{"X-Forwarded-For": "203.0.113.5"})
		if err != nil || r.status != http.StatusAccepted {
			t.Fatalf("hint visit: %v %d", err, r.status)
		}
		stored[path]++
		for _, e := range parseExport(t, export(t, dsn, "demo")) {
			if e.Path == path && e.CompanyDomain == "example-firm.example" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("reverse DNS gave no domain hint in 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// driveTraffic sends one run's traffic and adds the events acknowledged
// with 202 to stored, by path.
func driveTraffic(t *testing.T, c *http.Client, base string, run int, stored map[string]int) {
	t.Helper()
	ctx := context.Background()
	do := func(what string, method, path string, body []byte, hdr map[string]string, status int) response {
		t.Helper()
		r, err := send(ctx, c, method, base+path, body, hdr)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.status != status {
			t.Errorf("%s: status %d, want %d; body %.200s", what, r.status, status, r.body)
		}
		return r
	}
	for i, ip := range clientIPs {
		visitor := fmt.Sprintf("noip-visitor-run%d-%d", run, i)
		p := func(name string) string { return fmt.Sprintf("/noip/%d/%d/%s", run, i, name) }
		xff := map[string]string{"X-Forwarded-For": ip.String()}
		withPort := netip.AddrPortFrom(ip, 51234).String()

		good := []event{
			{Type: "pageview", URL: "http://localhost" + p("landing") + "?utm_source=newsletter", Title: "Landing", Referrer: "https://www.example.org/links"},
			{Type: "engagement", URL: "http://localhost" + p("landing"), EngagedMS: 4200},
			{Type: "outbound", URL: "http://localhost" + p("landing"), Target: "https://partner.example/docs"},
		}
		if r := do("good batch", "POST", "/collect", batchJSON("demo", visitor, good...), xff, http.StatusAccepted); r.status == http.StatusAccepted {
			stored[p("landing")] += len(good)
		}
		chains := map[string]map[string]string{
			"chain":     {"X-Forwarded-For": "192.0.2.1, " + ip.String() + ", 127.0.0.1"},
			"port":      {"X-Forwarded-For": withPort},
			"forwarded": {"Forwarded": fmt.Sprintf("for=%q;proto=https", withPort)},
		}
		for name, hdr := range chains {
			if r := do(name, "POST", "/collect", batchJSON("demo", visitor, pageviews(p(name))...), hdr, http.StatusAccepted); r.status == http.StatusAccepted {
				stored[p(name)]++
			}
		}

		// Failures and drops, each from the address.
		do("unknown site", "POST", "/collect", batchJSON("no-such-site", visitor, pageviews(p("x"))...), xff, http.StatusNotFound)
		bad := batchJSON("demo", visitor, event{Type: "pageview", URL: "https://evil.example.net" + p("x")})
		do("bad hostname", "POST", "/collect", bad, xff, http.StatusForbidden)
		do("malformed JSON", "POST", "/collect", []byte(`{"site":"demo","visitor":`), xff, http.StatusBadRequest)
		do("oversized", "POST", "/collect", bytes.Repeat([]byte("x"), 65<<10), xff, http.StatusRequestEntityTooLarge)
		do("invalid UTF-8", "POST", "/collect", []byte("{\"site\":\"demo\",\"visitor\":\"\xff\xfe\"}"), xff, http.StatusBadRequest)
		do("GPC", "POST", "/collect", batchJSON("demo", visitor, pageviews(p("gpc"))...),
			map[string]string{"X-Forwarded-For": ip.String(), "Sec-GPC": "1"}, http.StatusNoContent)
		do("bot", "POST", "/collect", batchJSON("demo", visitor, pageviews(p("bot"))...),
			map[string]string{"X-Forwarded-For": ip.String(), "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}, http.StatusNoContent)
		do("wrong method", "GET", "/collect", nil, xff, http.StatusMethodNotAllowed)
		do("preflight", "OPTIONS", "/collect", nil, map[string]string{"X-Forwarded-For": ip.String(), "Origin": "http://localhost"}, http.StatusNoContent)
		for _, page := range []string{"/", "/t.js", "/healthz", "/readyz", "/no-such-page"} {
			want := http.StatusOK
			if page == "/no-such-page" {
				want = http.StatusNotFound
			}
			do("GET "+page, "GET", page, nil, xff, want)
		}
	}

	// One address sends more than its rate allows (5/s, bursts of 25).
	limited := 0
	hammer := map[string]string{"X-Forwarded-For": clientIPs[2].String(), "User-Agent": "curl/8.5.0"}
	for range 40 {
		r, err := send(ctx, c, "POST", base+"/collect", batchJSON("demo", "noip-hammer-visitor", pageviews("/noip/hammer")...), hammer)
		if err != nil {
			t.Fatal(err)
		}
		if r.status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("40 quick requests from one address were never rate limited")
	}
}
