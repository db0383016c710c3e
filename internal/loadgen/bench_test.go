package loadgen

// Benchmarks of the collector's write path with loadgen's traffic, for
// profiling without HTTP or a second process in the way:
//
//	go test ./internal/loadgen -run '^$' -bench Append -cpuprofile /tmp/cpu.out
//	go tool pprof -top /tmp/cpu.out

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// benchTraffic generates batches of the standard mix for visitors visitors.
type benchTraffic struct {
	w *worker
}

func newBenchTraffic(visitors, pages int) *benchTraffic {
	rng := rand.New(rand.NewPCG(11, 12))
	tr := newTraffic("demo", newPages(pages), rng)
	w := &worker{rng: rng, traffic: tr}
	for range visitors {
		w.visitors = append(w.visitors, &visitor{id: newVisitorID(rng), ua: userAgents[0], cur: tr.pickPage()})
	}
	return &benchTraffic{w: w}
}

// next returns the next batch as a payload.
func (b *benchTraffic) next() *collect.Payload {
	kind := b.w.traffic.pickKind()
	v := b.w.pickVisitor(b.w.traffic.needsPage(kind))
	if v.cur < 0 && b.w.traffic.needsPage(kind) {
		kind = kindLanding
	}
	evs := b.w.traffic.next(v, kind, nil)
	p := &collect.Payload{Site: "demo", Visitor: v.id}
	for _, e := range evs {
		p.Events = append(p.Events, collect.RawEvent{Type: e.Type, URL: e.URL, Title: e.Title,
			Referrer: e.Referrer, EngagedMS: e.EngagedMS, Target: e.Target})
	}
	return p
}

// warmUp returns a landing page view for every visitor, in groups of n.
func (b *benchTraffic) warmUp(tb testing.TB, site *foyer.Site, now time.Time, n int) [][]foyer.Hit {
	var groups [][]foyer.Hit
	var group []foyer.Hit
	for _, v := range b.w.visitors {
		p := &collect.Payload{Site: "demo", Visitor: v.id, Events: []collect.RawEvent{
			{Type: "pageview", URL: b.w.traffic.pages[v.cur].url, Title: b.w.traffic.pages[v.cur].title}}}
		hits, err := collect.BuildHits(site, p, foyer.Origin{}, now.Add(-time.Minute))
		if err != nil {
			tb.Fatal(err)
		}
		if group = append(group, hits...); len(group) >= n {
			groups, group = append(groups, group), nil
		}
	}
	return append(groups, group)
}

func benchSite(b *testing.B, s foyer.Store) *foyer.Site {
	b.Helper()
	ctx := context.Background()
	ws := &foyer.Workspace{Name: "Bench"}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		b.Fatal(err)
	}
	site := &foyer.Site{WorkspaceID: ws.ID, Key: "demo", Hostnames: []string{"localhost"}}
	if err := s.CreateSite(ctx, site); err != nil {
		b.Fatal(err)
	}
	return site
}

// BenchmarkAppend measures store.Append with groups of about group events
// of the standard mix from 20,000 visitors, as the group-commit writer
// hands them over, and the roll-up of those events in steps of
// collect.RollupStep. It reports events/s and the time per event.
func BenchmarkAppend(b *testing.B) {
	dialects := testutil.Dialects
	if testing.Short() {
		dialects = []store.Dialect{store.SQLite}
	}
	for _, d := range dialects {
		for _, sync := range []string{"full", "normal"} {
			if d == store.Postgres && sync == "normal" {
				continue
			}
			for _, group := range []int{60, 250} {
				b.Run(fmt.Sprintf("%s/sync=%s/group=%d", d, sync, group), func(b *testing.B) {
					now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
					s := testutil.NewStore(b, d, store.Options{SQLiteSync: sync})
					site := benchSite(b, s)
					tr := newBenchTraffic(20_000, 200)
					warm := tr.warmUp(b, site, now, 500)
					groups := make([][]foyer.Hit, 512)
					for i := range groups {
						for len(groups[i]) < group {
							hits, err := collect.BuildHits(site, tr.next(), foyer.Origin{}, now)
							if err != nil {
								b.Fatal(err)
							}
							groups[i] = append(groups[i], hits...)
						}
					}
					ctx := context.Background()
					// Steady state: every visitor known and in a visit.
					for _, warm := range warm {
						if err := s.Append(ctx, warm); err != nil {
							b.Fatal(err)
						}
					}
					events := 0
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						hits := groups[i%len(groups)]
						now = now.Add(time.Millisecond)
						for j := range hits {
							hits[j].Time = now
						}
						if err := s.Append(ctx, hits); err != nil {
							b.Fatal(err)
						}
						events += len(hits)
						if s.Unrolled() >= collect.RollupStep {
							if _, err := s.Rollup(ctx, collect.RollupStep); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
				})
			}
		}
	}
}

// BenchmarkCollect measures the whole collector on SQLite without a
// network: parsing, validation, rate limiting, group commit and storage,
// from b.N requests in parallel (-cpu sets the goroutines per CPU).
func BenchmarkCollect(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s := testutil.NewStore(b, store.SQLite, store.Options{SQLiteSync: sync})
			benchSite(b, s)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			w := collect.NewWriter(s, collect.WriterConfig{Log: log})
			w.Start()
			defer w.Stop(context.Background())
			trusted, _ := clientip.ParsePrefixes("127.0.0.1/32")
			h := collect.NewHandler(collect.Config{Sites: s, Writer: w, ClientIP: clientip.Finder{Trusted: trusted},
				Log: log, RatePerClient: 20, RateBurst: 100})
			tr := newBenchTraffic(20_000, 200)
			ips := ipPool(5000)
			bodies := make([][]byte, 4096)
			nevents := make([]int, len(bodies))
			for i := range bodies {
				p := tr.next()
				bodies[i], _ = json.Marshal(p)
				nevents[i] = len(p.Events)
			}
			var next, events atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1)) % len(bodies)
					req := httptest.NewRequest(http.MethodPost, "/collect", strings.NewReader(string(bodies[i])))
					req.RemoteAddr = "127.0.0.1:1234"
					req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
					req.Header.Set("User-Agent", userAgents[i%len(userAgents)])
					req.Header.Set("X-Forwarded-For", ips[i%len(ips)])
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusAccepted {
						b.Errorf("status %d: %s", rec.Code, rec.Body)
						return
					}
					events.Add(int64(nevents[i]))
				}
			})
			b.ReportMetric(float64(events.Load())/b.Elapsed().Seconds(), "events/s")
		})
	}
}
