package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// BenchmarkEmailTracking is a load run: it sends GET /c/{token} and GET
// /o/{token} at a fixed rate (5,000 requests/s by default, half each) over
// real HTTP on loopback to the server on a real SQLite file, its opens and
// clicks going through the batching writer, and then the same rate to a
// no-op handler in the same process; it reports each run's p50 and p99
// (from the time each request was due, so a stall counts for every
// request it delays) and the ratio of the p99s. Run it alone:
//
//	go test ./internal/web -run '^$' -bench BenchmarkEmailTracking -benchtime 1x
//
// FOYER_BENCH_RATE and FOYER_BENCH_SECONDS change the rate and the length
// of each run (10 s).
func BenchmarkEmailTracking(b *testing.B) {
	rate, seconds := envInt("FOYER_BENCH_RATE", 5000), envInt("FOYER_BENCH_SECONDS", 10)
	st, srv, writer, paths := emailTrackingServer(b)
	ctx := context.Background()
	foyerSrv := httptest.NewServer(srv)
	defer foyerSrv.Close()
	noop := httptest.NewServer(http.HandlerFunc(noopRedirect))
	defer noop.Close()
	for range b.N {
		// Warm the statement caches and connections, then measure.
		loadRun(b, foyerSrv.URL, paths, rate, 1)
		foyer := loadRun(b, foyerSrv.URL, paths, rate, seconds)
		base := loadRun(b, noop.URL, paths, rate, seconds)
		b.ReportMetric(ms(foyer.p50), "foyer-p50-ms")
		b.ReportMetric(ms(foyer.p99), "foyer-p99-ms")
		b.ReportMetric(ms(base.p50), "noop-p50-ms")
		b.ReportMetric(ms(base.p99), "noop-p99-ms")
		b.ReportMetric(float64(foyer.p99)/float64(base.p99), "p99-ratio")
		b.ReportMetric(foyer.rate, "foyer-req/s")
		b.Logf("%d req/s for %d s: Foyer p50 %v p99 %v (%.0f req/s, %d errors); no-op p50 %v p99 %v; p99 ratio %.2f",
			rate, seconds, foyer.p50, foyer.p99, foyer.rate, foyer.errors, base.p50, base.p99, float64(foyer.p99)/float64(base.p99))
	}
	if err := writer.Stop(ctx); err != nil {
		b.Fatal(err)
	}
	var events int
	st.DB().QueryRow(`SELECT COUNT(*) FROM email_events`).Scan(&events)
	b.Logf("%d opens and clicks written", events)
}

// noopRedirect answers what /c answers, doing nothing else.
func noopRedirect(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Location", "https://a.example/1")
	w.WriteHeader(http.StatusFound)
}

// BenchmarkEmailHandlers measures the CPU cost of one /c or /o request in
// the handler (no network), the writer writing behind it, beside the
// no-op handler's: robust on a shared machine, where the latencies of the
// load run mostly measure the other processes.
func BenchmarkEmailHandlers(b *testing.B) {
	_, srv, writer, paths := emailTrackingServer(b)
	defer writer.Stop(context.Background())
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"foyer", srv}, {"noop", http.HandlerFunc(noopRedirect)}} {
		b.Run(h.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				r := httptest.NewRequest("GET", paths[i%len(paths)], nil)
				r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
				w := httptest.NewRecorder()
				h.h.ServeHTTP(w, r)
				if w.Code != http.StatusFound && w.Code != http.StatusOK {
					b.Fatalf("%s: %d", paths[i%len(paths)], w.Code)
				}
				i++
			}
		})
	}
}

// emailTrackingServer is a server on a real SQLite file with a campaign of
// 2,000 recipients and 3 links, and its writer running; paths are the
// recipients' /o and /c paths, in turn.
func emailTrackingServer(b *testing.B) (*store.Store, *Server, *emailtrack.Writer, []string) {
	b.Helper()
	st := testutil.NewStore(b, store.SQLite, store.Options{})
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	st.UseKeys(keys)
	ctx := context.Background()
	ws := &foyer.Workspace{Name: "Bench"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		b.Fatal(err)
	}
	// 2,000 recipients of a message with 3 links: 8,000 tokens.
	camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "Bench", Subject: "Bench", HTML: "<p>x</p>", CreatedBy: "bench",
		Links: []foyer.CampaignLink{{URL: "https://a.example/1"}, {URL: "https://a.example/2"}, {URL: "https://a.example/3"}}}
	if err := st.CreateCampaign(ctx, camp); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for i := 0; i < 2000; i += foyer.MaxCampaignRecipients {
		var to []foyer.Recipient
		for j := i; j < i+foyer.MaxCampaignRecipients; j++ {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("bench-%d@example.com", j)}
			if err := st.CreateContact(ctx, c, "bench"); err != nil {
				b.Fatal(err)
			}
			to = append(to, foyer.Recipient{ContactID: c.ID})
		}
		made, err := st.SendCampaign(ctx, ws.ID, camp.ID, to)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range made {
			paths = append(paths, "/o/"+m.Open, "/c/"+m.Links[len(paths)%3])
		}
	}
	writer := emailtrack.NewWriter(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	writer.Start()
	// Sent long ago: no open is a prefetch.
	srv := NewServer(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), EmailEvents: writer,
		Now: func() time.Time { return time.Now().Add(time.Hour) }})
	b.Cleanup(srv.Close)
	return st, srv, writer, paths
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadResult is what a load run measured.
type loadResult struct {
	p50, p99 time.Duration
	rate     float64
	errors   int
}

// loadRun sends GETs of paths, in turn, to base at rate per second for
// seconds, each when it is due (open loop), and measures each from then.
func loadRun(b *testing.B, base string, paths []string, rate, seconds int) loadResult {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	n := rate * seconds
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	every := time.Second / time.Duration(rate)
	for i := range n {
		due := start.Add(time.Duration(i) * every)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(base + paths[i%len(paths)])
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			lat[i] = time.Since(due)
			if err != nil || (resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusOK) {
				mu.Lock()
				errs++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return loadResult{p50: lat[n/2], p99: lat[n*99/100], rate: float64(n) / elapsed.Seconds(), errors: errs}
}
