package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// BenchmarkBackup takes and verifies a backup of a seeded workspace
// (FOYER_BACKUP_EVENTS events, 200,000 by default, over 90 days from 2,000
// companies), on each dialect, and reports the time of each step and the
// backup's size. FOYER_BACKUP_DSN benchmarks an existing database instead
// (one that foyer seed filled, say), on its dialect only.
func BenchmarkBackup(b *testing.B) {
	dialects := testutil.Dialects
	dsn := os.Getenv("FOYER_BACKUP_DSN")
	if dsn != "" {
		dialects = []store.Dialect{store.SQLite}
		if dsn[:7] != "sqlite:" {
			dialects = []store.Dialect{store.Postgres}
		}
	}
	events := 200_000
	if v, err := strconv.Atoi(os.Getenv("FOYER_BACKUP_EVENTS")); err == nil && v > 0 {
		events = v
	}
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			src := dsn
			if src == "" {
				src = testutil.NewDSN(b, d)
				s, err := store.Open(ctx, src, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				_, site := testutil.NewSite(b, s, "Seeded", "seeded", "localhost")
				if _, err := loadgen.WriteHistory(ctx, s, site, loadgen.History{Events: events, Days: 90, Companies: 2000, Seed: 1}, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := s.RollupAll(ctx); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			key := testKey(b, 1)
			dir := b.TempDir()
			var create, verify time.Duration
			var m *backup.Manifest
			var size int64
			i := 0
			for b.Loop() {
				path := filepath.Join(dir, fmt.Sprintf("b%d%s", i, backup.Ext))
				i++
				start := time.Now()
				var err error
				if m, err = backup.Create(ctx, src, path, key, time.Now()); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if _, err := backup.Verify(ctx, path, key, backup.VerifyOptions{Postgres: testutil.PostgresURL()}); err != nil {
					b.Fatal(err)
				}
				create += mid.Sub(start)
				verify += time.Since(mid)
				st, _ := os.Stat(path)
				size = st.Size()
				os.Remove(path)
			}
			b.ReportMetric(float64(create.Milliseconds())/float64(i), "create-ms")
			b.ReportMetric(float64(verify.Milliseconds())/float64(i), "verify-ms")
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
			b.ReportMetric(float64(m.Tables["events"]), "events")
			b.ReportMetric(float64(size)/float64(max(m.Tables["events"], 1)), "bytes/event")
		})
	}
}
