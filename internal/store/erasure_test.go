package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestEraseContact: erasing a contact removes it and every way to it (by
// ID, by email), keeps its identified visit as an anonymous one (the
// site's figures do not move), writes a ledger entry with no personal data
// to the table and the ledger file, and a contact created later with the
// same email is a new one whose profile can tell an erasure preceded it.
// A database that still holds the erased contact, as one restored from an
// older backup does, loses it when the ledger is replayed, while the
// contact created after the erasure stays. On both dialects.
func TestEraseContact(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		s, ctx := f.s, context.Background()
		ledger := filepath.Join(t.TempDir(), "erasures.ledger")
		s.UseLedgerFile(ledger)
		jane := f.accepted
		vis := "visitor-erase-0000000001"
		appendHits(t, s, pageview(f.site.ID, vis, 0, "/a"), identifyHit(f.site.ID, vis, time.Second, jane.ID, foyer.ViaForm),
			pageview(f.site.ID, vis, 2*time.Second, "/b"))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		if vs, err := s.ContactVisits(ctx, f.ws.ID, jane.ID, 0, 10); err != nil || len(vs) != 1 {
			t.Fatalf("jane's visits before: %d, %v", len(vs), err)
		}
		before, err := s.SiteOverview(ctx, f.ws.ID, f.site.ID, t0.Add(-time.Hour), t0)
		if err != nil {
			t.Fatal(err)
		}
		// The row as it is now, as a backup taken now holds it.
		var row struct {
			key                   string
			hash, dataKey, sealed []byte
			created, updated      int64
		}
		if err := s.DB().QueryRowContext(ctx, store.Rebind(s, `SELECT key_id, email_hash, data_key, sealed, created_at, updated_at
			FROM contacts WHERE id = ?`), jane.ID).Scan(&row.key, &row.hash, &row.dataKey, &row.sealed, &row.created, &row.updated); err != nil {
			t.Fatal(err)
		}

		// Another workspace's contact cannot be erased from here.
		_, other := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		_, err = s.EraseContact(ctx, other.WorkspaceID, jane.ID, "user 9", "req-x")
		wantCode(t, err, foyer.ENOTFOUND)

		e, err := s.EraseContact(ctx, f.ws.ID, jane.ID, "user 1", "DSR-2026-17")
		if err != nil {
			t.Fatal(err)
		}
		if e.ContactID != jane.ID || e.WorkspaceID != f.ws.ID || e.RequestID != "DSR-2026-17" || e.Actor != "user 1" ||
			!bytes.Equal(e.EmailHash, row.hash) || e.At.IsZero() {
			t.Errorf("erasure = %+v", e)
		}
		_, err = s.Contact(ctx, f.ws.ID, jane.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		_, err = s.ContactByEmail(ctx, f.ws.ID, jane.Email)
		wantCode(t, err, foyer.ENOTFOUND)
		_, err = s.EraseContact(ctx, f.ws.ID, jane.ID, "user 1", "")
		wantCode(t, err, foyer.ENOTFOUND)
		var linked, visits int
		if err := s.DB().QueryRowContext(ctx, store.Rebind(s, `SELECT COUNT(contact_id), COUNT(*) FROM sessions WHERE site_id = ?`),
			f.site.ID).Scan(&linked, &visits); err != nil {
			t.Fatal(err)
		}
		if linked != 0 || visits != 1 {
			t.Errorf("after the erasure: %d visits, %d linked; want the visit kept, anonymous", visits, linked)
		}
		after, err := s.SiteOverview(ctx, f.ws.ID, f.site.ID, t0.Add(-time.Hour), t0)
		if err != nil {
			t.Fatal(err)
		}
		if after.Visits != before.Visits || after.Pageviews != before.Pageviews {
			t.Errorf("the site's figures moved: %+v, then %+v", before, after)
		}

		// The ledger, in the table and the file, and nothing personal in it.
		all, err := s.Erasures(ctx)
		if err != nil || len(all) != 1 || all[0].ContactID != jane.ID || !all[0].At.Equal(e.At) {
			t.Fatalf("ledger table = %+v, %v", all, err)
		}
		fromFile, err := store.ReadLedgerFile(ledger)
		if err != nil || len(fromFile) != 1 || fromFile[0].ContactID != jane.ID || !bytes.Equal(fromFile[0].EmailHash, row.hash) ||
			!fromFile[0].At.Equal(e.At) || fromFile[0].RequestID != "DSR-2026-17" {
			t.Fatalf("ledger file = %+v, %v", fromFile, err)
		}
		raw, err := os.ReadFile(ledger)
		if err != nil {
			t.Fatal(err)
		}
		checkAbsent(t, "the ledger file", raw, jane)

		// The same email again: a new contact, told an erasure came first.
		again := &foyer.Contact{WorkspaceID: f.ws.ID, Email: strings.ToUpper(jane.Email), FirstName: "Jane", LastName: "Doe"}
		if err := s.CreateContact(ctx, again, "user 1"); err != nil {
			t.Fatal(err)
		}
		if again.ID == jane.ID {
			t.Fatalf("the new contact has the erased one's ID %d", again.ID)
		}
		prior, err := s.PriorErasure(ctx, f.ws.ID, again.ID)
		if err != nil || prior.ContactID != jane.ID || prior.RequestID != "DSR-2026-17" {
			t.Errorf("prior erasure = %+v, %v", prior, err)
		}
		_, err = s.PriorErasure(ctx, f.ws.ID, f.refused.ID)
		wantCode(t, err, foyer.ENOTFOUND)

		// An older backup restored: Jane's row is back. Replaying the
		// ledger erases her again and keeps the contact created since.
		if _, err := s.DB().ExecContext(ctx, store.Rebind(s, `DELETE FROM erasures`)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, store.Rebind(s, `INSERT INTO contacts (id, workspace_id, key_id, email_hash, data_key, sealed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), jane.ID, f.ws.ID, row.key, []byte("an older row of the same email"), row.dataKey, row.sealed,
			row.created, row.updated); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Contact(ctx, f.ws.ID, jane.ID); err != nil || c.Email != jane.Email {
			t.Fatalf("the restored row does not read back: %+v, %v", c, err)
		}
		n, err := s.ReplayErasures(ctx, fromFile)
		if err != nil || n != 1 {
			t.Fatalf("replay: %d erased, %v; want 1", n, err)
		}
		_, err = s.Contact(ctx, f.ws.ID, jane.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		if c, err := s.Contact(ctx, f.ws.ID, again.ID); err != nil || c.FirstName != "Jane" {
			t.Errorf("the contact created after the erasure is gone: %+v, %v", c, err)
		}
		if all, err := s.Erasures(ctx); err != nil || len(all) != 1 {
			t.Errorf("the replay did not put the entry back in the table: %+v, %v", all, err)
		}
		if n, err := s.ReplayErasures(ctx, fromFile); err != nil || n != 0 {
			t.Errorf("a second replay erased %d, %v", n, err)
		}

		if d == store.SQLite {
			// Nothing of Jane's in the database file or its WAL, in any
			// common encoding (her fields were sealed; the row and the pages
			// it lived in are overwritten and checkpointed).
			if _, err := s.EraseContact(ctx, f.ws.ID, again.ID, "user 1", ""); err != nil {
				t.Fatal(err)
			}
			var path string
			if err := s.DB().QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				checkAbsent(t, p, b, jane)
			}
		}
	})
}

// checkAbsent fails when b holds any of c's email, names or phone, plain,
// lower or upper case, in base64, hex or UTF-16.
func checkAbsent(t *testing.T, what string, b []byte, c *foyer.Contact) {
	t.Helper()
	for _, v := range []string{c.Email, c.FirstName + " " + c.LastName, c.Phone} {
		if len(v) < 4 {
			continue
		}
		forms := []string{v, strings.ToLower(v), strings.ToUpper(v), base64.StdEncoding.EncodeToString([]byte(v)),
			base64.RawURLEncoding.EncodeToString([]byte(v)), hex.EncodeToString([]byte(v))}
		var u16 []byte
		for _, r := range utf16.Encode([]rune(v)) {
			u16 = append(u16, byte(r), byte(r>>8))
		}
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				t.Errorf("%s holds %q", what, f)
			}
		}
		if bytes.Contains(b, u16) {
			t.Errorf("%s holds %q in UTF-16", what, v)
		}
	}
}

func TestReadLedger(t *testing.T) {
	dir := t.TempDir()
	ok := `{"workspace":1,"contact":2,"email_hash":"AQID","at":1700000000000}` + "\n"
	for name, c := range map[string]struct {
		text string
		n    int
		bad  bool
	}{
		"two lines":            {ok + ok, 2, false},
		"cut short at the end": {ok + `{"workspace":1,"cont`, 1, false},
		"a bad line":           {`not json` + "\n" + ok, 0, true},
		"no contact":           {`{"workspace":1,"email_hash":"AQID","at":1}` + "\n", 0, true},
		"empty":                {"", 0, false},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := store.ReadLedgerFile(p)
		if (err != nil) != c.bad || len(got) != c.n {
			t.Errorf("%s: %d entries, %v", name, len(got), err)
		}
	}
	if got, err := store.ReadLedgerFile(filepath.Join(dir, "missing")); err != nil || got != nil {
		t.Errorf("missing file: %v, %v", got, err)
	}
}

// BenchmarkEraseContact: erasing one contact of a workspace of 20,000
// (the contact benchmarks' fixture), with its ledger entry written to the
// table and the ledger file (synced), and, on SQLite, the WAL emptied.
func BenchmarkEraseContact(b *testing.B) {
	s, ws, _ := contactWorkspace(b)
	s.UseLedgerFile(filepath.Join(b.TempDir(), "erasures.ledger"))
	ctx := context.Background()
	list, err := s.SearchContacts(ctx, ws.ID, foyer.ContactQuery{Limit: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if i == len(list) {
			b.Fatal("out of contacts")
		}
		if _, err := s.EraseContact(ctx, ws.ID, list[i].ID, "bench", ""); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
