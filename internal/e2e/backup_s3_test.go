package e2e_test

import (
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestScheduledBackupS3: foyer serve, told of a bucket by its flags and
// FOYER_BACKUP_S3_SECRET_KEY, copies its first scheduled backup there
// under each kind's name, byte for byte, and its log names the bucket but
// never the secret key.
func TestScheduledBackupS3(t *testing.T) {
	t.Parallel()
	be := s3mem.New()
	if err := be.CreateBucket("backups"); err != nil {
		t.Fatal(err)
	}
	bucket := httptest.NewServer(gofakes3.New(be).Server())
	defer bucket.Close()
	const secret = "sk-Lm4-serve-never-logged"
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	s := startServerEnv(t, files, []string{"FOYER_BACKUP_S3_SECRET_KEY=" + secret},
		"--db", "sqlite:"+filepath.Join(dir, "foyer.db"), "--demo", "--backup-dir", backups,
		"--backup-s3-endpoint", bucket.URL, "--backup-s3-bucket", "backups", "--backup-s3-access-key", "AKTEST")
	out := waitFor(files.stderr, "backups copied to the bucket", 30*time.Second)
	s.stop()
	if !strings.Contains(out, "uploaded=3") || !strings.Contains(out, bucket.URL+"/backups/foyer/") {
		t.Fatalf("no copy in the log:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the secret key is in the log:\n%s", out)
	}
	local, _ := filepath.Glob(filepath.Join(backups, "*.fbk"))
	if len(local) != 3 {
		t.Fatalf("local backups: %v", local)
	}
	for _, path := range local {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(context.Background(), "GET", bucket.URL+"/backups/foyer/"+filepath.Base(path), nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("%s in the bucket: HTTP %d, %d bytes; want the local %d", filepath.Base(path), res.StatusCode, len(got), len(want))
		}
	}
}
