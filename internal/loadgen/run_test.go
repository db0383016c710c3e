package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// server is a Foyer server run in the test's process.
type server struct {
	app       *app.App
	url       string
	workspace *foyer.Workspace
	site      *foyer.Site
}

// startServer runs a server on a free loopback port with a site "load"
// for localhost. It is stopped when the test ends.
func startServer(t *testing.T, d store.Dialect, trustedProxy string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, app.Config{
		Listen: "127.0.0.1:0", DB: testutil.NewDSN(t, d), TrustedProxy: trustedProxy, RateLimit: 20,
		KeyFile: filepath.Join(t.TempDir(), "master.key"),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &server{app: a, workspace: &foyer.Workspace{Name: "Load"}}
	if err := a.Store.CreateWorkspace(ctx, s.workspace); err != nil {
		a.Close()
		cancel()
		t.Fatal(err)
	}
	s.site = &foyer.Site{WorkspaceID: s.workspace.ID, Key: "load", Hostnames: []string{"localhost"}, HonorGPC: true}
	if err := a.Store.CreateSite(ctx, s.site); err != nil {
		a.Close()
		cancel()
		t.Fatal(err)
	}
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(ad net.Addr) { addr <- ad }) }()
	select {
	case ad := <-addr:
		s.url = "http://" + ad.String()
	case err := <-done:
		cancel()
		t.Fatalf("server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server shutdown: %v", err)
		}
	})
	return s
}

// stored counts the site's stored events by type, and its distinct visitors.
func (s *server) stored(t *testing.T) (byType map[string]int64, total int64, visitors int) {
	t.Helper()
	byType = map[string]int64{}
	seen := map[string]bool{}
	err := s.app.Store.Events(context.Background(), s.workspace.ID, s.site.ID, time.Time{}, func(e *foyer.StoredEvent) error {
		byType[e.Type]++
		total++
		seen[e.VisitorUID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return byType, total, len(seen)
}

// inconsistentVisits rolls up what the server stored and counts the
// site's visits whose counters (events, page views, engaged time, last
// event) differ from what their stored events add up to.
func (s *server) inconsistentVisits(t *testing.T, d store.Dialect) int {
	t.Helper()
	if _, err := s.app.Store.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := `SELECT COUNT(*) FROM sessions s
		LEFT JOIN (SELECT session_id, COUNT(*) AS n, MAX(ts) AS last_at,
				SUM(CASE WHEN kind = ? THEN 1 ELSE 0 END) AS pageviews,
				COALESCE(SUM(engaged_ms), 0) AS engaged
			FROM events GROUP BY session_id) e ON e.session_id = s.id
		WHERE s.site_id = ? AND (e.n IS NULL OR s.events <> e.n OR s.pageviews <> e.pageviews OR
			s.engaged_ms <> e.engaged OR s.last_at <> e.last_at)`
	if d == store.Postgres {
		q = strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	var n int
	if err := s.app.Store.DB().QueryRow(q, int64(foyer.KindPageview), s.site.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRunAcknowledgedIsStored drives a short load through a real server and
// checks that what the server acknowledged is exactly what it stored.
func TestRunAcknowledgedIsStored(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, d, "127.0.0.1/32")
			// A count of requests, not a duration: a busy machine answers
			// fewer in a given time, and the test is about what was stored.
			const requests = 300
			cfg := loadgen.Config{URL: srv.url, Site: "load", Duration: 5 * time.Minute, Requests: requests,
				Conns: 8, Visitors: 400, Pages: 30, IPs: 300, Seed: 42}
			res, err := loadgen.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res.Print(&out)
			t.Logf("\n%s", out.String())

			if res.Accepted == 0 || res.Requests != requests {
				t.Fatalf("%d requests, %d events acknowledged: want %d requests", res.Requests, res.Accepted, requests)
			}
			if res.Errors != 0 || res.Mismatched != 0 || res.Status[202] != res.Requests {
				t.Errorf("errors %d (%s), mismatched %d, statuses %v: want every request answered 202",
					res.Errors, res.FirstError, res.Mismatched, res.Status)
			}
			if res.Accepted != res.Events {
				t.Errorf("acknowledged %d of %d events sent", res.Accepted, res.Events)
			}
			byType, total, visitors := srv.stored(t)
			if total != res.Accepted {
				t.Errorf("stored %d events, loadgen says %d were acknowledged", total, res.Accepted)
			}
			for _, typ := range []string{"pageview", "engagement", "outbound"} {
				if byType[typ] != res.AckedTypes[typ] || byType[typ] == 0 {
					t.Errorf("%s events: stored %d, acknowledged %d", typ, byType[typ], res.AckedTypes[typ])
				}
			}
			if bad := srv.inconsistentVisits(t, d); bad != 0 {
				t.Errorf("%d visits whose counters disagree with their events", bad)
			}
			if visitors == 0 || visitors > cfg.Visitors {
				t.Errorf("%d distinct visitors stored, want 1 to %d", visitors, cfg.Visitors)
			}
			for _, k := range loadgen.Mix {
				// Even the rarest kind (5%) is all but certain in 500 batches.
				if res.Kinds[k.Name] == 0 && res.Requests >= 500 {
					t.Errorf("no batch of kind %s in %d requests", k.Name, res.Requests)
				}
			}
			l := res.Latency
			if l.Count != res.Requests || l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
				t.Errorf("latency %+v does not add up for %d requests", l, res.Requests)
			}
			if res.Server == nil || res.Server.PeakRSS <= 0 || !res.Server.Counters || res.Server.CommitEvents != total {
				t.Errorf("server metrics %+v (%s): want the peak RSS and %d committed events", res.Server, res.ServerError, total)
			}
		})
	}
}

// TestRunRateLimited runs against a server that does not trust loadgen's
// X-Forwarded-For: the load is one client, mostly refused, and the
// summary says what to do.
func TestRunRateLimited(t *testing.T) {
	t.Parallel()
	srv := startServer(t, store.SQLite, "")
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		// A count, not a duration: 400 requests overrun the burst of 100 at
		// 20 a second however slowly the machine sends them (within 15 s).
		URL: srv.url, Site: "load", Duration: time.Minute, Requests: 400, Conns: 4, Visitors: 50, Pages: 5, IPs: 50, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !res.RateLimited() || res.Status[429] == 0 {
		t.Fatalf("statuses %v: want many 429s", res.Status)
	}
	var out bytes.Buffer
	res.Print(&out)
	if !strings.Contains(out.String(), "--trusted-proxy 127.0.0.1/32") || !strings.Contains(out.String(), "429") {
		t.Errorf("summary without the rate-limit hint:\n%s", out.String())
	}
	if _, total, _ := srv.stored(t); total != res.Accepted {
		t.Errorf("stored %d events, loadgen says %d were acknowledged", total, res.Accepted)
	}
}

// TestRunRequests stops after exactly the requests asked for.
func TestRunRequests(t *testing.T) {
	t.Parallel()
	srv := startServer(t, store.SQLite, "127.0.0.1/32")
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.url + "/collect", Site: "load", Duration: 30 * time.Second, Requests: 75, Conns: 6, Visitors: 20, Pages: 3, IPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 75 || res.Status[202] != 75 {
		t.Errorf("%d requests, statuses %v: want 75 answered 202", res.Requests, res.Status)
	}
	if res.Elapsed > 10*time.Second {
		t.Errorf("took %s for 75 requests", res.Elapsed)
	}
	if _, total, _ := srv.stored(t); total != res.Accepted || total != res.Events {
		t.Errorf("stored %d events; sent %d, acknowledged %d", total, res.Events, res.Accepted)
	}
}

// TestRunSingleShape sends one event a request, pageviews and
// engagements, every one stored.
func TestRunSingleShape(t *testing.T) {
	t.Parallel()
	srv := startServer(t, store.SQLite, "127.0.0.1/32")
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.url, Site: "load", Shape: loadgen.ShapeSingle, Duration: 30 * time.Second, Requests: 200,
		Conns: 4, Visitors: 40, Pages: 5, IPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 || res.Events != 200 || res.Accepted != 200 || res.Mismatched != 0 {
		t.Errorf("%d requests, %d events sent, %d acknowledged, %d mismatched: want 200 of each, none mismatched",
			res.Requests, res.Events, res.Accepted, res.Mismatched)
	}
	for _, k := range loadgen.Singles {
		if res.Kinds[k.Name] == 0 || res.AckedTypes[k.Name] != res.Kinds[k.Name] {
			t.Errorf("%s: %d batches, %d acknowledged events", k.Name, res.Kinds[k.Name], res.AckedTypes[k.Name])
		}
	}
	if byType, total, _ := srv.stored(t); total != 200 || byType["pageview"] != res.AckedTypes["pageview"] {
		t.Errorf("stored %d events (%v); acknowledged %v", total, byType, res.AckedTypes)
	}
	var out bytes.Buffer
	if err := res.Print(&out); err != nil || !strings.Contains(out.String(), "batch single: mean 1.00") {
		t.Errorf("summary %q (%v): want the single shape", out.String(), err)
	}
}

// TestRunRate paces the load to the target event rate.
func TestRunRate(t *testing.T) {
	t.Parallel()
	srv := startServer(t, store.SQLite, "127.0.0.1/32")
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.url, Site: "load", Duration: 2 * time.Second, Rate: 300, Conns: 8, Visitors: 100, Pages: 10, IPs: 100})
	if err != nil {
		t.Fatal(err)
	}
	// Above the target means the pacing is broken. Below it says only that
	// the machine is busy (CI runs the suite's packages side by side), so
	// the floor is merely "it sent".
	if got := float64(res.Events) / res.Elapsed.Seconds(); got < 30 || got > 360 {
		t.Errorf("%.0f events/s sent, want at most 300 and some", got)
	}
}

// TestRunRefuses checks the errors that stop a run before it starts.
func TestRunRefuses(t *testing.T) {
	t.Parallel()
	srv := startServer(t, store.SQLite, "127.0.0.1/32")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		cfg  loadgen.Config
		code string
		msg  string
	}{
		{"remote address", loadgen.Config{URL: "http://192.0.2.10:8080"}, foyer.EINVALID, "not a loopback address"},
		{"remote IPv6", loadgen.Config{URL: "http://[2001:db8::1]:8080"}, foyer.EINVALID, "not a loopback address"},
		{"not http", loadgen.Config{URL: "ftp://127.0.0.1/"}, foyer.EINVALID, "want http"},
		{"too many conns", loadgen.Config{URL: srv.url, Conns: loadgen.MaxConns + 1}, foyer.EINVALID, "conns"},
		{"fewer visitors than conns", loadgen.Config{URL: srv.url, Conns: 10, Visitors: 5}, foyer.EINVALID, "visitors"},
		{"too long", loadgen.Config{URL: srv.url, Duration: 2 * time.Hour}, foyer.EINVALID, "duration"},
		{"unknown shape", loadgen.Config{URL: srv.url, Shape: "burst"}, foyer.EINVALID, "shape"},
		{"unknown site", loadgen.Config{URL: srv.url, Site: "nope", Duration: time.Second}, foyer.EINVALID, "404"},
		{"no server", loadgen.Config{URL: closed, Duration: time.Second}, foyer.EUNAVAILABLE, "cannot reach"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadgen.Run(context.Background(), tc.cfg)
			if foyer.ErrorCode(err) != tc.code || !strings.Contains(foyer.ErrorMessage(err), tc.msg) {
				t.Errorf("err = %v, want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
}

// TestResultOutput checks the text and JSON summaries.
func TestResultOutput(t *testing.T) {
	t.Parallel()
	res := loadgen.Result{
		Config: loadgen.Config{Site: "demo", Conns: 64, Visitors: 20000, Pages: 200, IPs: 5000, Seed: 1},
		Target: "http://127.0.0.1:1/collect", Elapsed: 2 * time.Second,
		Requests: 1000, Events: 2100, Accepted: 2000, Status: map[int]int64{202: 950, 429: 40, 503: 10},
		Latency: loadgen.Latency{Count: 1000, P50: 2 * time.Millisecond, P90: 4 * time.Millisecond,
			P99: 9 * time.Millisecond, Max: 30 * time.Millisecond},
		Server: &loadgen.Server{PeakRSS: 64 << 20, Counters: true, CPUSeconds: 1, Commits: 10, CommitEvents: 2000},
	}
	var text bytes.Buffer
	if err := res.Print(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1,000", "2,000", "1,000/s", "p50 2.00 ms", "p99 9.00 ms", "max 30.00 ms",
		"429: 40", "503: 10", "peak RSS 64.0 MiB", "mean 2.10 events/batch", "HINT"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := res.JSON(&js); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), "\n"); n != 1 {
		t.Errorf("JSON on %d lines, want one", n)
	}
	var got map[string]any
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"events_acked": 2000.0, "events_per_second": 1000.0, "requests_per_second": 500.0,
		"server_peak_rss_mib": 64.0, "rate_limited": true} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if lat := got["latency_ms"].(map[string]any); lat["p99"] != 9.0 {
		t.Errorf("latency_ms = %v", lat)
	}
	if non := got["non_2xx"].(map[string]any); fmt.Sprint(non) != "map[429:40 503:10]" {
		t.Errorf("non_2xx = %v", non)
	}
}
