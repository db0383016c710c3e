package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
