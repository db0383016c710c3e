package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/testutil"
)

// TestNoIPAddressInQueue sends traffic from known client addresses
// through a trusted proxy to a collector that publishes to JetStream, with
// no worker running, so that the batches wait in the broker's file store;
// then a worker stores them. Every byte under the test's directory (the
// JetStream store, the database, the collector's, worker's and broker's
// logs) and both /metrics pages are scanned for the addresses.
func TestNoIPAddressInQueue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	b := startBroker(t, filepath.Join(dir, "jetstream"), freePort(t))
	ipdir := compileIPData(t, ipdataSources)
	ptr := map[string]string{}
	for _, ip := range clientIPs {
		ptr[ip.String()] = "host-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String()) + ".example-firm.example."
	}
	dns := testutil.NewDNSServer(t, ptr)
	common := []string{"--db", dsn, "--queue", b.URL, "--log-format", "json", "--no-enrich"}
	collector := startServer(t, serverFiles{filepath.Join(dir, "collector.out"), filepath.Join(dir, "collector.log")},
		append(common, "--role", "collector", "--demo", "--trusted-proxy", "127.0.0.1/32", "--rate-limit", "0",
			"--ipdata", ipdir, "--rdns", "--rdns-server", dns.Addr)...)
	client := newClient(t)
	ctx := context.Background()
	acked := map[string]int{}
	post := func(what, path string, hdr map[string]string, want int, events ...event) {
		t.Helper()
		r, err := send(ctx, client, "POST", collector.URL+"/collect", batchJSON("demo", "noip-queue-visitor-"+fmt.Sprint(len(acked)), events...), hdr)
		if err != nil || r.status != want {
			t.Fatalf("%s: %v, status %d, want %d: %.200s", what, err, r.status, want, r.body)
		}
		if want == http.StatusAccepted {
			acked[path] += len(events)
		}
	}
	for i, ip := range clientIPs {
		p := func(name string) string { return fmt.Sprintf("/noip/q/%d/%s", i, name) }
		withPort := netip.AddrPortFrom(ip, 51234).String()
		post("good batch", p("landing"), map[string]string{"X-Forwarded-For": ip.String()}, http.StatusAccepted,
			event{Type: "pageview", URL: "http://localhost" + p("landing") + "?utm_source=newsletter", Title: "Landing", Referrer: "https://www.example.org/links"},
			event{Type: "engagement", URL: "http://localhost" + p("landing"), EngagedMS: 4200},
			event{Type: "outbound", URL: "http://localhost" + p("landing"), Target: "https://partner.example/docs"})
		post("chain", p("chain"), map[string]string{"X-Forwarded-For": "192.0.2.1, " + ip.String() + ", 127.0.0.1"}, http.StatusAccepted, pageviews(p("chain"))...)
		post("forwarded", p("forwarded"), map[string]string{"Forwarded": fmt.Sprintf("for=%q;proto=https", withPort)}, http.StatusAccepted, pageviews(p("forwarded"))...)
		post("bad hostname", "", map[string]string{"X-Forwarded-For": ip.String()}, http.StatusForbidden,
			event{Type: "pageview", URL: "https://evil.example.net" + p("x")})
		post("bot", "", map[string]string{"X-Forwarded-For": ip.String(), "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
			http.StatusNoContent, pageviews(p("bot"))...)
		for _, page := range []string{"/t.js", "/healthz", "/readyz"} {
			if r, err := send(ctx, client, "GET", collector.URL+page, nil, map[string]string{"X-Forwarded-For": ip.String()}); err != nil || r.status != http.StatusOK {
				t.Errorf("GET %s: %v %d", page, err, r.status)
			}
		}
	}
	// Visits from the company without a domain, until reverse DNS has
	// answered, so that hints travel in the messages too.
	for i := range 20 {
		path := fmt.Sprintf("/noip/q/hint/%d", i)
		post("hint visit", path, map[string]string{"X-Forwarded-For": "203.0.113.5"}, http.StatusAccepted, pageviews(path)...)
		time.Sleep(50 * time.Millisecond)
	}
	// The batches wait in the stream: the store's files hold them, so the
	// scan of the JetStream directory is not vacuous.
	var inStream bool
	filepath.WalkDir(filepath.Join(dir, "jetstream"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("/noip/q/0/landing")) {
				inStream = true
			}
		}
		return nil
	})
	if !inStream {
		t.Error("no file of the JetStream store holds a published batch; the scan would prove nothing")
	}
	// Scanned now, while the batches wait, and again at the end.
	waiting, jsFiles := scanDir(t, filepath.Join(dir, "jetstream"), clientIPs)
	jsWaiting := 0
	for _, n := range jsFiles {
		jsWaiting += n
	}
	metrics := map[string][]byte{}
	if r, err := send(ctx, client, "GET", collector.URL+"/metrics", nil, nil); err == nil {
		metrics["collector"] = r.body
	}

	worker := startServer(t, serverFiles{filepath.Join(dir, "worker.out"), filepath.Join(dir, "worker.log")},
		append(common, "--role", "worker")...)
	waitUntil(t, 30*time.Second, "the worker storing every batch", func() bool {
		counts := pathCounts(parseExport(t, export(t, dsn, "demo")))
		for p, n := range acked {
			if counts[p] != n {
				return false
			}
		}
		return true
	})
	if r, err := send(ctx, client, "GET", worker.URL+"/metrics", nil, nil); err == nil {
		metrics["worker"] = r.body
	}
	hinted := false
	for _, e := range parseExport(t, export(t, dsn, "demo")) {
		hinted = hinted || e.CompanyDomain == "example-firm.example"
	}
	if !hinted {
		t.Error("no stored visit has the reverse DNS hint; the messages did not carry one")
	}
	worker.stop()
	collector.stop()

	found, scanned := scanDir(t, dir, clientIPs)
	found = append(found, waiting...)
	js := 0
	for name, n := range scanned {
		if strings.HasPrefix(name, "jetstream"+string(filepath.Separator)) {
			js += n
		}
	}
	if js == 0 {
		t.Errorf("the JetStream store is empty; scanned %v", scanned)
	}
	for _, name := range []string{"foyer.db", "collector.log", "worker.log", "broker.log"} {
		if scanned[name] == 0 {
			t.Errorf("%s is missing or empty; scanned %v", name, scanned)
		}
	}
	for name, m := range metrics {
		found = append(found, scanBytes("/metrics of the "+name, m, clientIPs)...)
	}
	if len(metrics) != 2 {
		t.Errorf("read %d metrics pages, want 2", len(metrics))
	}
	for _, f := range found {
		t.Errorf("client address persisted: %v", f)
	}
	t.Logf("scanned the JetStream store with the batches waiting (%d files, %d bytes), then %d files (%d bytes of the JetStream store) and 2 metrics pages",
		len(jsFiles), jsWaiting, len(scanned), js)
}
