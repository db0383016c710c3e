package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestBackupCreateS3: foyer backup create --backup-s3-… copies the backup
// it takes to the bucket, byte for byte, with the secret key read from
// FOYER_BACKUP_S3_SECRET_KEY_FILE and shown nowhere; a bucket config that
// does not hold (http to another host) is refused before any backup is
// taken, without the key in the message. Not parallel: it sets a FOYER_
// variable.
func TestBackupCreateS3(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.OpenKeys(ctx, s, filepath.Join(dir, "master.key"), nil); err != nil {
		t.Fatal(err)
	}
	testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	s.Close()
	be := s3mem.New()
	if err := be.CreateBucket("backups"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	defer srv.Close()
	const secret = "sk-Qw7-create-never-shown"
	secretFile := filepath.Join(dir, "s3.secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FOYER_BACKUP_S3_SECRET_KEY_FILE", secretFile)
	foyer := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(ctx, args, &out, &out)
		if strings.Contains(out.String(), secret) {
			t.Errorf("the secret key is in the output:\n%s", out.String())
		}
		return out.String(), code
	}
	backups := filepath.Join(dir, "backups")
	out, code := foyer("backup", "create", "--db", dsn, "--backup-dir", backups, "--backup-s3-endpoint", srv.URL,
		"--backup-s3-bucket", "backups", "--backup-s3-prefix", "acme/", "--backup-s3-access-key", "AKTEST")
	if code != 0 || !strings.Contains(out, "copied to "+srv.URL+"/backups/acme/foyer-") {
		t.Fatalf("create: %d %s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(backups, "*-manual.fbk"))
	if len(files) != 1 {
		t.Fatalf("backups: %v", files)
	}
	local, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(srv.URL + "/backups/acme/" + filepath.Base(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	remote, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || sha256.Sum256(remote) != sha256.Sum256(local) {
		t.Errorf("the bucket's copy: HTTP %d, %d bytes; want the local %d bytes", res.StatusCode, len(remote), len(local))
	}
	out, code = foyer("backup", "create", "--db", dsn, "--backup-dir", backups, "--backup-s3-endpoint", "http://s3.example.com",
		"--backup-s3-bucket", "backups", "--backup-s3-access-key", "AKTEST")
	if code != 1 || !strings.Contains(out, "http only for 127.0.0.1") {
		t.Errorf("create to a plain-http bucket: %d %s", code, out)
	}
	if files, _ := filepath.Glob(filepath.Join(backups, "*.fbk")); len(files) != 1 {
		t.Errorf("a backup was taken for a refused bucket: %v", files)
	}
	out, code = foyer("serve", "--db", dsn, "--no-backups", "--backup-s3-endpoint", srv.URL, "--backup-s3-bucket", "backups",
		"--backup-s3-access-key", "AKTEST")
	if code != 1 || !strings.Contains(out, "--no-backups") {
		t.Errorf("serve --no-backups with a bucket: %d %s", code, out)
	}
}
