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
	"github.com/foyerhq/foyer/internal/vault"
)

// TestMasterKeyAtStart: the first start of a database makes its master
// key (0600) and says loudly to back it up; later starts take the same
// key; another key, or none for a database that has one, is refused and
// changes nothing.
func TestMasterKeyAtStart(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	start := func(keyFile string) (string, error) {
		t.Helper()
		var log bytes.Buffer
		a, err := New(context.Background(), Config{Listen: "127.0.0.1:0", DB: db, KeyFile: keyFile,
			Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err == nil {
			if a.Keys == nil {
				t.Error("a started app without keys")
			}
			a.Close()
		}
		return log.String(), err
	}
	log, err := start("")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "master.key")
	st, err := os.Stat(keyFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the default key file: %v", err)
	}
	if !strings.Contains(log, "BACK IT UP NOW") || !strings.Contains(log, keyFile) {
		t.Errorf("the first start does not say to back the key up:\n%s", log)
	}
	key, _ := os.ReadFile(keyFile)
	if log, err = start(keyFile); err != nil || strings.Contains(log, "BACK IT UP") {
		t.Errorf("the second start: %v\n%s", err, log)
	}

	// Another key file is refused.
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := vault.Create(other); err != nil {
		t.Fatal(err)
	}
	if _, err := start(other); foyer.ErrorCode(err) != foyer.EINVALID || !strings.Contains(err.Error(), "another master key") {
		t.Errorf("another key: %v", err)
	}
	// No key file for a database that has a key: refused, and no new key made.
	missing := filepath.Join(t.TempDir(), "missing.key")
	if _, err := start(missing); foyer.ErrorCode(err) != foyer.EINVALID || !strings.Contains(err.Error(), "no master key file") {
		t.Errorf("a missing key file: %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a start made a new key for a database sealed under another")
	}
	// A key file others can read is refused.
	os.Chmod(keyFile, 0o644)
	if _, err := start(keyFile); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key file others can read: %v", err)
	}
	os.Chmod(keyFile, 0o600)
	if after, _ := os.ReadFile(keyFile); !bytes.Equal(after, key) {
		t.Error("the key file changed")
	}
	if _, err := start(keyFile); err != nil {
		t.Errorf("the right key after the refusals: %v", err)
	}
}

func TestDefaultKeyFile(t *testing.T) {
	for db, want := range map[string]string{
		"sqlite:./foyer-data/foyer.db":        "foyer-data/master.key",
		"sqlite:/var/lib/foyer/f.db?mode=rwc": "/var/lib/foyer/master.key",
		"postgres://postgres@127.0.0.1/test":  "foyer-data/master.key",
	} {
		if got := DefaultKeyFile(db); got != want {
			t.Errorf("DefaultKeyFile(%q) = %q, want %q", db, got, want)
		}
	}
}
