package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/s3"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/prometheus/client_golang/prometheus"
)

// TestBackupUploadBanner: the schedule's log names the bucket but never
// the secret key, and a failed copy to the bucket gives owners a banner
// that says the local backups are fine; a failed backup comes first.
func TestBackupUploadBanner(t *testing.T) {
	t.Parallel()
	const secret = "sk-Pz3-banner-never-logged"
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<Error><Code>InternalError</Code><Message>down</Message></Error>", 500)
	}))
	defer down.Close()
	bucket, err := s3.New(s3.Config{Endpoint: down.URL, Bucket: "backups", AccessKey: "AKTEST", SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	master, err := vault.NewMaster(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "none.db"), BackupDir: t.TempDir(),
		BackupS3: bucket.Config(), Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	newBackupScheduler(cfg, master, prometheus.NewRegistry(), bucket) // its start log
	if out := logs.String(); !strings.Contains(out, down.URL+"/backups/foyer/") || strings.Contains(out, secret) {
		t.Errorf("start log:\n%s", out)
	}
	failing, now := false, time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
	s := backup.NewScheduler(backup.SchedulerConfig{Dir: t.TempDir(), Keep: backup.DefaultRetention, Log: cfg.Log, Remote: bucket,
		Now: func() time.Time { return now },
		Create: func(_ context.Context, path string, _ time.Time) error {
			return os.WriteFile(path, []byte("backup"), 0o600)
		},
		Verify: func(context.Context, string) error {
			if failing {
				return os.ErrInvalid
			}
			return nil
		},
	})
	problem := backupProblem(s)
	if p := problem(); p != "" {
		t.Errorf("banner before any backup: %q", p)
	}
	s.Tick(context.Background())
	if p := problem(); !strings.Contains(p, "copy of the backups to the S3 bucket failed") || !strings.Contains(p, "local backups are taken and verified") {
		t.Errorf("banner after a failed copy: %q", p)
	}
	failing, now = true, now.Add(time.Hour)
	s.Tick(context.Background())
	if p := problem(); !strings.HasPrefix(p, "The last scheduled backup failed. The last one that succeeded was taken at 2026-01-01 00:30 UTC.") {
		t.Errorf("banner after a failed backup and copy: %q", p)
	}
	if out := logs.String(); strings.Contains(out, secret) || !strings.Contains(out, "InternalError") {
		t.Errorf("log:\n%s", out)
	}
}
