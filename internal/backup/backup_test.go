package backup_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testKey is the backup key of a fixed master key; otherKey another's.
func testKey(t testing.TB, b byte) []byte {
	t.Helper()
	master := make([]byte, vault.KeySize)
	for i := range master {
		master[i] = b
	}
	m, err := vault.NewMaster(master)
	if err != nil {
		t.Fatal(err)
	}
	return backup.Key(m)
}

// hit is a pageview of visitor from a company numbered org.
func hit(site int64, visitor, org int, at time.Duration) foyer.Hit {
	return foyer.Hit{
		SiteID: site, VisitorUID: fmt.Sprintf("visitor-%04d", visitor), Time: t0.Add(at), Kind: foyer.KindPageview,
		Host: "www.example.com", Path: fmt.Sprintf("/page/%d", visitor%7), Title: "Example",
		Origin: foyer.Origin{Country: "FR", Org: foyer.Org{Name: fmt.Sprintf("Company %d", org),
			Domain: fmt.Sprintf("company%d.example", org), Type: foyer.OrgBusiness}},
	}
}

// writeLoad appends batches of hits to s, and rolls up now and then as
// the collector does, until stop is closed; it returns how many it wrote.
func writeLoad(t *testing.T, s *store.Store, site int64, stop <-chan struct{}) (wait func() int64) {
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx := context.Background()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var hits []foyer.Hit
			for j := range 20 {
				v := (i*20 + j) % 97
				hits = append(hits, hit(site, v, v%11, time.Duration(i)*time.Second+time.Duration(j)*time.Millisecond))
			}
			if err := s.Append(ctx, hits); err != nil {
				t.Errorf("append: %v", err)
				return
			}
			n.Add(int64(len(hits)))
			if i%3 == 0 {
				if _, err := s.Rollup(ctx, 100); err != nil {
					t.Errorf("rollup: %v", err)
					return
				}
			}
		}
	}()
	return func() int64 { wg.Wait(); return n.Load() }
}

// checkConsistent rolls the restored database up and compares every
// visit's counters, and the companies' daily roll-ups, with a recount of
// the events.
func checkConsistent(t *testing.T, s *store.Store) (events int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	db := s.DB()
	var bad int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sessions s WHERE s.events <> (SELECT COUNT(*) FROM events e WHERE e.session_id = s.id)
		OR s.pageviews <> (SELECT COUNT(*) FROM events e WHERE e.session_id = s.id AND e.kind = 1)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d visits' counters disagree with their events", bad)
	}
	var sumVisits, sumDays int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(SUM(events), 0) FROM sessions WHERE company_id IS NOT NULL`).Scan(&sumVisits); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(SUM(events), 0) FROM company_days`).Scan(&sumDays); err != nil {
		t.Fatal(err)
	}
	if sumVisits != events || sumDays != events {
		t.Errorf("%d events; the visits count %d, the companies' days %d", events, sumVisits, sumDays)
	}
	return events
}

// newDSN returns a new database's DSN, with its store on it.
func newStore(t *testing.T, d store.Dialect) (string, *store.Store) {
	t.Helper()
	dsn := testutil.NewDSN(t, d)
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return dsn, s
}

// restoreTarget returns the DSN of an empty database to restore the
// backup of dsn into: a new SQLite file, or a new PostgreSQL database
// (dropped when the test ends) with dsn's schema in search_path.
func restoreTarget(t *testing.T, dsn string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "sqlite:") {
		return "sqlite:" + filepath.Join(t.TempDir(), "restored.db")
	}
	admin, err := sql.Open("pgx", testutil.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "foyer_restore_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close()
	})
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	return u.String()
}

// TestBackupUnderWrites: a backup taken while events are appended and
// rolled up verifies, and restores (on both dialects) to a database whose
// roll-ups agree with its events and whose rows are the manifest's.
func TestBackupUnderWrites(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn, s := newStore(t, d)
			_, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			stop := make(chan struct{})
			wait := writeLoad(t, s, site.ID, stop)
			time.Sleep(300 * time.Millisecond) // some events before
			key := testKey(t, 1)
			path := filepath.Join(t.TempDir(), "b"+backup.Ext)
			m, err := backup.Create(ctx, dsn, path, key, t0)
			if err != nil {
				close(stop)
				wait()
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // and some after
			close(stop)
			written := wait()
			if m.Tables["events"] == 0 || m.Tables["events"] >= written {
				t.Errorf("the backup holds %d events of %d written: want some, not all", m.Tables["events"], written)
			}
			if m.SchemaVersion < 33 || string(m.Dialect) != string(d) {
				t.Errorf("manifest: %+v", m)
			}
			if _, err := backup.Verify(ctx, path, key, backup.VerifyOptions{Postgres: testutil.PostgresURL()}); err != nil {
				t.Fatalf("verify: %v", err)
			}
			target := restoreTarget(t, dsn)
			if _, err := backup.Restore(ctx, path, target, key, false, nil); err != nil {
				t.Fatalf("restore: %v", err)
			}
			r, err := store.Open(ctx, target, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if n := checkConsistent(t, r); n != m.Tables["events"] {
				t.Errorf("restored %d events, the manifest says %d", n, m.Tables["events"])
			}
			// Restore refuses a database that holds tables, unless forced.
			_, err = backup.Restore(ctx, path, target, key, false, nil)
			if foyer.ErrorCode(err) != foyer.ECONFLICT {
				t.Errorf("restore over a database: %v, want ECONFLICT", err)
			}
			r.Close()
			if _, err := backup.Restore(ctx, path, target, key, true, nil); err != nil {
				t.Errorf("restore --force: %v", err)
			}
		})
	}
}

// TestVerifyDetects: verify tells a truncated, a bit-flipped and a
// wrong-key backup, each with its error.
func TestVerifyDetects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, s := newStore(t, store.SQLite)
	_, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	var hits []foyer.Hit
	for i := range 3000 {
		hits = append(hits, hit(site.ID, i%50, i%7, time.Duration(i)*time.Second))
	}
	if err := s.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	key := testKey(t, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "good"+backup.Ext)
	if _, err := backup.Create(ctx, dsn, path, key, t0); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Verify(ctx, path, key, backup.VerifyOptions{}); err != nil {
		t.Fatalf("a good backup: %v", err)
	}
	variant := func(name string, b []byte) string {
		p := filepath.Join(dir, name+backup.Ext)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flip := func(at int) []byte {
		b := append([]byte(nil), good...)
		b[at] ^= 0x10
		return b
	}
	for _, c := range []struct {
		name string
		path string
		key  []byte
		want error
	}{
		{"wrong key", path, testKey(t, 2), backup.ErrWrongKey},
		{"truncated in the dump", variant("cut", good[:len(good)/2]), key, backup.ErrTruncated},
		{"truncated before the footer", variant("cut2", good[:len(good)-3]), key, backup.ErrTruncated},
		{"a flipped bit in the dump", variant("flip", flip(len(good)/3)), key, backup.ErrCorrupt},
		{"a flipped bit in the manifest", variant("flipm", flip(len(good)-30)), key, backup.ErrCorrupt},
		{"a flipped bit in the header's salt", variant("fliph", flip(20)), key, backup.ErrWrongKey},
		{"not a backup", variant("junk", []byte("hello, world")), key, backup.ErrNotBackup},
	} {
		_, err := backup.Verify(ctx, c.path, c.key, backup.VerifyOptions{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if c.path != path {
			target := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
			if _, err := backup.Restore(ctx, c.path, target, c.key, false, nil); err == nil {
				t.Errorf("%s: restored", c.name)
			}
		}
	}
}

// TestList: list shows each backup's manifest and whether it was verified.
func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, _ := newStore(t, store.SQLite)
	key := testKey(t, 1)
	dir := t.TempDir()
	for i, name := range []string{"a", "b"} {
		if _, err := backup.Create(ctx, dsn, filepath.Join(dir, name+backup.Ext), key, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := backup.Verify(ctx, filepath.Join(dir, "b"+backup.Ext), key, backup.VerifyOptions{Now: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	list, err := backup.List(dir, key)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v, %v", list, err)
	}
	if list[0].Manifest == nil || !list[0].Verified.IsZero() || !list[1].Verified.Equal(t0) || list[1].Manifest.Dialect != "sqlite" {
		t.Errorf("list: %+v", list)
	}
	list, _ = backup.List(dir, testKey(t, 2))
	if !errors.Is(list[0].Err, backup.ErrWrongKey) {
		t.Errorf("list under another key: %v", list[0].Err)
	}
}
