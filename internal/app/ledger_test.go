package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestLedgerReplayedAtStart: a contact erased while serve ran is back in
// a database file restored from a copy taken before the erasure; the next
// start replays the ledger file beside the master key and the contact is
// gone again before anything is served, while the ledger file itself
// holds no address.
func TestLedgerReplayedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "foyer.db")
	start := func() (*App, string) {
		t.Helper()
		var log bytes.Buffer
		a, err := New(ctx, Config{Listen: "127.0.0.1:0", DB: "sqlite:" + path, Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return a, log.String()
	}
	a, _ := start()
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@globex.example", FirstName: "Ana"}
	if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "before.db")
	if _, err := a.Store.DB().ExecContext(ctx, `VACUUM INTO '`+backup+`'`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.EraseContact(ctx, ws.ID, c.ID, "test", "req-1"); err != nil {
		t.Fatal(err)
	}
	a.Close()

	// The older copy restored in place of the database.
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.Rename(backup, path); err != nil {
		t.Fatal(err)
	}
	a, log := start()
	defer a.Close()
	_, err := a.Store.Contact(ctx, ws.ID, c.ID)
	if foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the erased contact is back after the restore: %v", err)
	}
	if !strings.Contains(log, "erased again from the ledger") {
		t.Errorf("the start does not say it erased again:\n%s", log)
	}
	ledger, err := os.ReadFile(filepath.Join(dir, "erasures.ledger"))
	if err != nil || bytes.Contains(ledger, []byte("ana")) || bytes.Contains(ledger, []byte("globex")) {
		t.Errorf("the ledger file: %q, %v", ledger, err)
	}
}
