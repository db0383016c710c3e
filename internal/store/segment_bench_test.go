package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// segmentBenchN is how many contacts BenchmarkSegmentEvaluation seeds:
// FOYER_SEGMENT_BENCH_N, else 100,000 (docs/benchmarks.md has 1,000,000).
func segmentBenchN() int {
	n := 100_000
	if v := os.Getenv("FOYER_SEGMENT_BENCH_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	return n
}

// seedSegmentBench fills a workspace with n contacts by bulk INSERTs: a
// thousand companies (one in five in software), contacts spread over
// them, one in four refused, one in four accepted, the rest unanswered;
// one contact in fifty (all at software companies) with an identified visit to /pricing/plans an hour
// ago. Their sealed fields are placeholders: the segment benchmarked
// tests no contact field, so none is opened.
func seedSegmentBench(b *testing.B, s *store.Store, ws *foyer.Workspace, site *foyer.Site, n int, now time.Time) {
	ctx := context.Background()
	db := s.DB()
	pg := s.Dialect() == store.Postgres
	run := func(q string, args ...any) {
		b.Helper()
		if pg {
			q = pgBind(q)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	series := func(limit int) string {
		return fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) `, limit)
	}
	at := now.Add(-time.Hour).UnixMilli()
	run(series(1000)+`INSERT INTO companies (id, workspace_id, org_key, name, domain, type, industry, size, created_at)
		SELECT 1000000 + i, ?, 'domain:c' || i || '.example', 'Company ' || i, 'c' || i || '.example', 'business',
			CASE WHEN i % 5 = 0 THEN 'Software' ELSE 'Manufacturing' END, '51-200', CAST(? AS BIGINT) FROM n`, ws.ID, at)
	hash := `CAST('h' || (? + i) AS BLOB)`
	if pg {
		hash = `convert_to('h' || (? + i), 'UTF8')`
	}
	for lo := 0; lo < n; lo += 100_000 {
		hi := min(lo+100_000, n)
		run(series(hi-lo)+`INSERT INTO contacts (id, workspace_id, key_id, email_hash, data_key, sealed, company_id, tracking_consent,
				tracking_consent_at, created_at, updated_at)
			SELECT ? + i, ?, 'k', `+hash+`, CAST('x' AS `+blobType(pg)+`), CAST('x' AS `+blobType(pg)+`), 1000000 + (? + i) % 1000 + 1,
				CASE (? + i) % 4 WHEN 1 THEN 'refused' WHEN 0 THEN 'accepted' ELSE '' END,
				CASE (? + i) % 4 WHEN 2 THEN 0 WHEN 3 THEN 0 ELSE CAST(? AS BIGINT) END, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM n`,
			lo, ws.ID, lo, lo, lo, lo, at, at, at)
	}
	run(`INSERT INTO visitors (id, site_id, uid, created_at) VALUES (1, ?, 'bench-visitor', CAST(? AS BIGINT))`, site.ID, at)
	run(`INSERT INTO pages (id, site_id, host, path, title) VALUES (1, ?, 'www.example.com', '/pricing/plans', 'Pricing')`, site.ID)
	visits := n / 50
	run(series(visits)+`INSERT INTO sessions (id, site_id, visitor_id, started_at, last_at, pageviews, events, first_event_id, last_event_id,
			contact_id, identified_via, identified_at)
		SELECT i, ?, 1, CAST(? AS BIGINT), CAST(? AS BIGINT), 1, 1, i, i, i * 50 - 1, 1, CAST(? AS BIGINT) FROM n`, site.ID, at, at, at)
	run(series(visits)+`INSERT INTO events (id, session_id, ts, kind, page_id) SELECT i, i, CAST(? AS BIGINT), 1, 1 FROM n`, at+1000)
	if pg {
		for _, t := range []string{"contacts", "sessions", "events", "companies"} {
			run("ANALYZE " + t)
		}
		run(`SELECT setval(pg_get_serial_sequence('contacts', 'id'), ?)`, n+1)
	}
}

// blobType is the dialect's name of a binary column's type.
func blobType(pg bool) string {
	if pg {
		return "BYTEA"
	}
	return "BLOB"
}

// BenchmarkSegmentEvaluation evaluates a segment over every contact of
// the workspace: contacts of software companies who visited the pricing
// pages in the last 30 days. The first evaluation writes the members
// (and the refused contacts left out); the ones after find nothing to
// change. On SQLite; on PostgreSQL too when it is reachable.
func BenchmarkSegmentEvaluation(b *testing.B) {
	for _, d := range testutil.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			now := time.Now().UTC()
			s := testutil.NewStore(b, d, store.Options{})
			keys, err := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
			if err != nil {
				b.Fatal(err)
			}
			s.UseKeys(keys)
			ws, site := testutil.NewSite(b, s, "Bench", "bench", "www.example.com")
			n := segmentBenchN()
			start := time.Now()
			seedSegmentBench(b, s, ws, site, n, now)
			b.Logf("seeded %d contacts in %v", n, time.Since(start).Round(time.Millisecond))
			def, err := foyer.ParseSegmentDefinition(`{"match":"all","conditions":[{"kind":"company","field":"industry","op":"is","value":"software"},{"kind":"visited","path":"/pricing/","days":30}]}`)
			if err != nil {
				b.Fatal(err)
			}
			sg := &foyer.Segment{WorkspaceID: ws.ID, Name: "Software on pricing", Definition: def}
			start = time.Now()
			if err := s.SaveSegment(ctx, sg, "bench"); err != nil {
				b.Fatal(err)
			}
			if sg, err = s.Segment(ctx, ws.ID, sg.ID); err == nil && sg.EvaluatedAt.IsZero() {
				// Over store.InlineEvaluationLimit contacts, saving leaves it
				// to the evaluator: do what its next round does.
				if err = s.EvaluateWorkspace(ctx, ws.ID); err == nil {
					sg, err = s.Segment(ctx, ws.ID, sg.ID)
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			first := time.Since(start)
			b.Logf("first evaluation of %d contacts: %v; %d members, %d left out", n, first.Round(time.Millisecond), sg.Members, sg.ExcludedUntracked)
			b.ResetTimer()
			for b.Loop() {
				if err := s.EvaluateWorkspace(ctx, ws.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/contact")
		})
	}
}

// BenchmarkSegmentContactField evaluates a segment on a contact field
// (the email's domain) over the contact benchmarks' workspace (see
// contactWorkspace: 20,000 real contacts, their fields sealed), so that
// each contact's fields are opened: a data key unwrapped and the fields
// decrypted for every contact, every evaluation.
func BenchmarkSegmentContactField(b *testing.B) {
	ctx := context.Background()
	s, ws, n := contactWorkspace(b)
	def, err := foyer.ParseSegmentDefinition(`{"match":"all","conditions":[{"kind":"contact","field":"email_domain","op":"is","value":"company7.example"}]}`)
	if err != nil {
		b.Fatal(err)
	}
	sg := &foyer.Segment{WorkspaceID: ws.ID, Name: fmt.Sprintf("Company 7 %d", time.Now().UnixNano()), Definition: def}
	if err := s.SaveSegment(ctx, sg, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.DeleteSegment(ctx, ws.ID, sg.ID) })
	b.ResetTimer()
	for b.Loop() {
		if err := s.EvaluateWorkspace(ctx, ws.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/contact")
}
