package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestBackupCommands runs foyer backup create, list, verify and restore on
// an SQLite database bound to a master key: the backup lists as verified,
// restore refuses the live database without --force, and a key that is not
// the database's is refused. Not parallel: it relies on FOYER_ variables
// being unset.
func TestBackupCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "master.key")
	if _, err := app.OpenKeys(ctx, s, keyFile, nil); err != nil {
		t.Fatal(err)
	}
	testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	s.Close()
	backups := filepath.Join(dir, "backups")
	foyer := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(ctx, args, &out, &out)
		return out.String(), code
	}
	if out, code := foyer("backup", "create", "--db", dsn, "--backup-dir", backups); code != 0 || !strings.Contains(out, "sqlite backup, schema version") {
		t.Fatalf("create: %d %s", code, out)
	}
	if out, code := foyer("backup", "list", "--db", dsn, "--backup-dir", backups); code != 0 || !strings.Contains(out, "-manual.fbk") || !strings.HasSuffix(strings.TrimSpace(out), "no") {
		t.Errorf("list: %d %s", code, out)
	}
	if out, code := foyer("backup", "verify", "--db", dsn, "--backup-dir", backups); code != 0 || !strings.Contains(out, "verified") {
		t.Errorf("verify: %d %s", code, out)
	}
	out, code := foyer("backup", "list", "--db", dsn, "--backup-dir", backups)
	if code != 0 || strings.HasSuffix(strings.TrimSpace(out), "no") {
		t.Errorf("list after verify: %d %s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(backups, "*.fbk"))
	if len(files) != 1 {
		t.Fatalf("backups: %v", files)
	}
	if out, code := foyer("backup", "restore", "--db", dsn, files[0]); code != 1 || !strings.Contains(out, "--force") {
		t.Errorf("restore over the database: %d %s", code, out)
	}
	if out, code := foyer("backup", "restore", "--db", dsn, "--force", files[0]); code != 0 {
		t.Errorf("restore --force: %d %s", code, out)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte("foyer-master-key-v1:"+strings.Repeat("A", 43)+"=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := foyer("backup", "create", "--db", dsn, "--key-file", other, "--backup-dir", backups); code != 1 || !strings.Contains(out, "not this database's master key") {
		t.Errorf("create under another key: %d %s", code, out)
	}
	if out, code := foyer("backup", "verify", "--db", dsn, "--key-file", other, files[0]); code != 1 || !strings.Contains(out, "another master key") {
		t.Errorf("verify under another key: %d %s", code, out)
	}
}

// TestRestoreAfterErasure: a contact erased after a backup was taken is not
// brought back by restoring that backup (the ledger file beside the master
// key is replayed before the database is used), while its visits and every
// aggregate stay as in the backup, and the restored database holds the
// ledger's entry. The database file, its WAL and the decrypted backup
// taken after the erasure, decrypted, and an export of the contacts hold
// nothing of the contact in plain text, nor does the ledger file.
func TestRestoreAfterErasure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "foyer.db")
	dsn := "sqlite:" + dbPath
	keyFile := filepath.Join(dir, "master.key")
	open := func() *store.Store {
		t.Helper()
		s, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := app.OpenKeys(ctx, s, keyFile, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.UseKeys(keys)
		s.UseLedgerFile(app.LedgerFile(keyFile))
		return s
	}
	s := open()
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	ana := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana.erased@client.example", FirstName: "Anastasia", LastName: "Erasedottir",
		Phone: "+33 6 98 76 54 32"}
	if err := s.CreateContact(ctx, ana, "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateContact(ctx, &foyer.Contact{WorkspaceID: ws.ID, Email: "bob.stays@client.example"}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	pv := foyer.Hit{SiteID: site.ID, VisitorUID: "visitor-erased-000001", Time: at, Kind: foyer.KindPageview, Host: "www.example.com", Path: "/a",
		Origin: foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Client SA", ASN: 64500, Type: foyer.OrgBusiness}}}
	id := pv
	id.Kind, id.ContactID, id.Via, id.Time = foyer.KindIdentify, ana.ID, foyer.ViaForm, at.Add(time.Second)
	pv2 := pv
	pv2.Path, pv2.Time = "/b", at.Add(2*time.Second)
	if err := s.Append(ctx, []foyer.Hit{pv, id, pv2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	aggregates := func(s *store.Store) string {
		t.Helper()
		var b strings.Builder
		for _, q := range []string{`SELECT site_id, day, visits, company_visits, pageviews FROM site_days ORDER BY 1, 2`,
			`SELECT company_id, site_id, day, visits, pageviews FROM company_days ORDER BY 1, 2, 3`,
			`SELECT COUNT(*), SUM(pageviews) FROM sessions`} {
			rows, err := s.DB().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(&b, vals...)
			}
			rows.Close()
		}
		return b.String()
	}
	before := aggregates(s)
	s.Close()

	backups := filepath.Join(dir, "backups")
	run1 := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if code := run(ctx, args, &out, &out); code != 0 {
			t.Fatalf("foyer %s: %d %s", strings.Join(args, " "), code, out.String())
		}
		return out.String()
	}
	run1("backup", "create", "--db", dsn, "--backup-dir", backups, "--out", filepath.Join(backups, "before.fbk"))

	s = open()
	if _, err := s.EraseContact(ctx, ws.ID, ana.ID, "test", "DSR-1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	run1("backup", "create", "--db", dsn, "--backup-dir", backups, "--out", filepath.Join(backups, "after.fbk"))
	// The backup taken after the erasure, decrypted (restored into a file
	// of its own), and an export of the workspace's contacts.
	scratch := filepath.Join(t.TempDir(), "decrypted.db")
	run1("backup", "restore", "--db", "sqlite:"+scratch, "--key-file", keyFile, filepath.Join(backups, "after.fbk"))
	export := run1("contacts", "export", "--db", dsn, "--key-file", keyFile, "--workspace", "Acme", "--format", "ndjson")
	if !strings.Contains(export, "bob.stays@client.example") {
		t.Errorf("the export lacks the contact that stays:\n%s", export)
	}
	if err := os.WriteFile(filepath.Join(dir, "export.ndjson"), []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dbPath, dbPath + "-wal", scratch, filepath.Join(dir, "export.ndjson"), app.LedgerFile(keyFile)} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, v := range []string{ana.Email, ana.FirstName, ana.LastName, "98 76 54 32"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q after the erasure", p, v)
			}
		}
	}

	out := run1("backup", "restore", "--db", dsn, "--force", filepath.Join(backups, "before.fbk"))
	if !strings.Contains(out, "replayed the erasure ledger") {
		t.Errorf("restore does not say it replayed the ledger: %s", out)
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, err := app.OpenKeys(ctx, s, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	if _, err := s.Contact(ctx, ws.ID, ana.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the erased contact is back after the restore: %v", err)
	}
	if _, err := s.ContactByEmail(ctx, ws.ID, ana.Email); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the erased contact is found by email after the restore: %v", err)
	}
	if after := aggregates(s); after != before {
		t.Errorf("the aggregates moved:\n%s\nthen:\n%s", before, after)
	}
	if ledger, err := s.Erasures(ctx); err != nil || len(ledger) != 1 || ledger[0].RequestID != "DSR-1" {
		t.Errorf("the restored database's ledger: %+v, %v", ledger, err)
	}
}

// TestBackupAfterRotation: after the master key is rotated, a backup is
// taken, verified and restored with the new key file alone, the database
// gone; its contacts open; the old key file does not open it.
func TestBackupAfterRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "foyer.db")
	dsn := "sqlite:" + dbPath
	oldKey, newKey := filepath.Join(dir, "master.key"), filepath.Join(dir, "master.key.new")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := app.OpenKeys(ctx, s, oldKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	ana := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@client.example", FirstName: "Ana"}
	if err := s.CreateContact(ctx, ana, "test"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	run1 := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(ctx, args, &out, &out)
		return out.String(), code
	}
	if out, code := run1("keys", "rotate", "--db", dsn, "--key-file", oldKey, "--new-key-file", newKey); code != 0 {
		t.Fatalf("rotate: %d %s", code, out)
	}
	backupFile := filepath.Join(dir, "after-rotation.fbk")
	if out, code := run1("backup", "create", "--db", dsn, "--key-file", newKey, "--out", backupFile); code != 0 {
		t.Fatalf("create with the new key: %d %s", code, out)
	}
	if out, code := run1("backup", "verify", "--db", dsn, "--key-file", oldKey, backupFile); code == 0 {
		t.Errorf("the old key file opens a backup taken after the rotation: %s", out)
	}
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		os.Remove(p)
	}
	if out, code := run1("backup", "restore", "--db", dsn, "--key-file", newKey, backupFile); code != 0 {
		t.Fatalf("restore with the new key file alone: %d %s", code, out)
	}
	s, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, err = app.OpenKeys(ctx, s, newKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	if c, err := s.ContactByEmail(ctx, ws.ID, ana.Email); err != nil || c.FirstName != "Ana" {
		t.Errorf("the restored contact: %+v, %v", c, err)
	}
}
