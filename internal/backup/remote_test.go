package backup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/s3"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/prometheus/client_golang/prometheus"
)

const testSecret = "sk-Zx9-never-in-a-log"

// bucket is an S3 server in the test's process with one bucket, "backups",
// that answers 500 to everything while down is set.
type bucket struct {
	srv    *httptest.Server
	down   atomic.Bool
	client *s3.Client
}

func newBucket(t *testing.T) *bucket {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket("backups"); err != nil {
		t.Fatal(err)
	}
	b := &bucket{}
	h := gofakes3.New(be).Server()
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.down.Load() {
			http.Error(w, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", 500)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(b.srv.Close)
	c, err := s3.New(s3.Config{Endpoint: b.srv.URL, Bucket: "backups", AccessKey: "AKTEST", SecretKey: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	b.client = c
	return b
}

// names returns the bucket's objects under the prefix.
func (b *bucket) names(t *testing.T) []string {
	t.Helper()
	names, err := b.client.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// get downloads an object (the fake server asks for no signature).
func (b *bucket) get(t *testing.T, name string) []byte {
	t.Helper()
	res, err := http.Get(b.srv.URL + "/backups/" + s3.DefaultPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("get %s: %d %v", name, res.StatusCode, err)
	}
	return body
}

// localNames returns the scheduled backups in dir.
func localNames(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "foyer-*"+backup.Ext))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m {
		names = append(names, filepath.Base(p))
	}
	slices.Sort(names)
	return names
}

// TestRemoteReal: a scheduled backup of a SQLite database lands in the
// bucket under each of its kinds' names, with the local file's bytes, and
// the copy downloaded verifies under the backup key.
func TestRemoteReal(t *testing.T) {
	t.Parallel()
	dsn, _ := newStore(t, store.SQLite)
	dir := t.TempDir()
	key := testKey(t, 1)
	b := newBucket(t)
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC))
	s := backup.NewScheduler(backup.SchedulerConfig{Dir: dir, Keep: backup.DefaultRetention, Now: clock.Now, Log: quiet, Remote: b.client,
		Create: func(ctx context.Context, path string, now time.Time) error {
			_, err := backup.Create(ctx, dsn, path, key, now)
			return err
		},
		Verify: func(ctx context.Context, path string) error {
			_, err := backup.Verify(ctx, path, key, backup.VerifyOptions{Now: clock.Now})
			return err
		},
	})
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	local := localNames(t, dir)
	if got := b.names(t); len(local) != 3 || !slices.Equal(got, local) {
		t.Fatalf("bucket %v, local %v", got, local)
	}
	for _, name := range local {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := b.get(t, name)
		if sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("%s: the bucket's copy (%d bytes) is not the local file (%d bytes)", name, len(got), len(want))
		}
		if bytes.Contains(got, []byte("SQLite format")) {
			t.Errorf("%s: the bucket holds a plain database", name)
		}
	}
	dl := filepath.Join(t.TempDir(), local[0])
	if err := os.WriteFile(dl, b.get(t, local[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Verify(context.Background(), dl, key, backup.VerifyOptions{}); err != nil {
		t.Errorf("the downloaded copy does not verify: %v", err)
	}
	if st := s.Status(); st.UploadFailing || !st.LastUpload.Equal(clock.Now()) {
		t.Errorf("status %+v", st)
	}
}

// TestRemoteRetention: over ten days of hourly backups kept to 3 / 2 / 1,
// the bucket holds, after every tick, exactly the scheduled backups the
// directory holds; an object the schedule did not make (a manual backup)
// stays.
func TestRemoteRetention(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := newBucket(t)
	manual := filepath.Join(t.TempDir(), "foyer-20251231T120000Z-manual.fbk")
	os.WriteFile(manual, []byte("manual"), 0o600)
	ctx := context.Background()
	if err := b.client.Upload(ctx, filepath.Base(manual), manual); err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC))
	f := &fakeBackups{}
	cfg := f.config(dir, clock, nil)
	cfg.Keep, cfg.Remote = backup.Retention{Hourly: 3, Daily: 2, Weekly: 1}, b.client
	s := backup.NewScheduler(cfg)
	for range 10 * 24 {
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		want := append(localNames(t, dir), filepath.Base(manual))
		slices.Sort(want)
		if got := b.names(t); !slices.Equal(got, want) {
			t.Fatalf("at %v: bucket %v, want %v", clock.Now(), got, want)
		}
		clock.Add(time.Hour)
	}
	if n := len(localNames(t, dir)); n != 6 {
		t.Errorf("%d backups kept, want 6", n)
	}
}

// TestRemoteFailure: while the bucket answers 500, a backup is still
// taken, verified and kept; the failed copy is logged, counted, flagged in
// Status (the owners' banner), and retried at the next tick, which
// succeeds once the bucket is back. The secret key is in no log line.
func TestRemoteFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := newBucket(t)
	var logs bytes.Buffer
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC))
	reg := prometheus.NewRegistry()
	f := &fakeBackups{}
	cfg := f.config(dir, clock, reg)
	cfg.Remote = b.client
	cfg.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := backup.NewScheduler(cfg)
	ctx := context.Background()
	b.down.Store(true)
	err := s.Tick(ctx)
	if err == nil || !strings.Contains(err.Error(), "InternalError") {
		t.Fatalf("tick against a failing bucket: %v", err)
	}
	if len(localNames(t, dir)) != 3 {
		t.Errorf("local backups: %v", localNames(t, dir))
	}
	st := s.Status()
	if st.Failing || !st.UploadFailing || !strings.Contains(st.UploadProblem, "500") || st.LastSuccess.IsZero() {
		t.Errorf("status %+v", st)
	}
	if gauge(t, reg, "foyer_backup_upload_failing") != 1 || gauge(t, reg, "foyer_backup_upload_failures_total") != 1 ||
		gauge(t, reg, "foyer_backup_failing") != 0 {
		t.Error("the upload failure metrics are not raised (or the backup's are)")
	}
	clock.Add(time.Minute)
	if err := s.Tick(ctx); err == nil || gauge(t, reg, "foyer_backup_upload_failures_total") != 2 {
		t.Errorf("the next tick did not retry: %v", err)
	}
	if f.created != 1 {
		t.Errorf("%d backups taken", f.created)
	}
	b.down.Store(false)
	clock.Add(time.Minute)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := b.names(t); !slices.Equal(got, localNames(t, dir)) {
		t.Errorf("bucket %v after the retry", got)
	}
	if st := s.Status(); st.UploadFailing || st.UploadProblem != "" || !st.LastUpload.Equal(clock.Now()) {
		t.Errorf("status after the retry: %+v", st)
	}
	if gauge(t, reg, "foyer_backup_upload_failing") != 0 || gauge(t, reg, "foyer_backup_upload_last_success_timestamp_seconds") != float64(clock.Now().Unix()) {
		t.Error("the upload metrics are not cleared")
	}
	out := logs.String()
	if !strings.Contains(out, "copy of the backups to the bucket failed") || !strings.Contains(out, "backups copied to the bucket") {
		t.Errorf("log:\n%s", out)
	}
	if strings.Contains(out, testSecret) {
		t.Errorf("the secret key is in the log:\n%s", out)
	}
}

// TestRemoteServerGone: a bucket that does not answer at all (its server
// closed) fails the copy the same way, and the backup stays.
func TestRemoteServerGone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := newBucket(t)
	b.srv.Close()
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC))
	f := &fakeBackups{}
	cfg := f.config(dir, clock, prometheus.NewRegistry())
	cfg.Remote = b.client
	s := backup.NewScheduler(cfg)
	if err := s.Tick(context.Background()); err == nil || !s.Status().UploadFailing || s.Status().Failing {
		t.Errorf("tick: %v, status %+v", err, s.Status())
	}
	if len(localNames(t, dir)) != 3 {
		t.Errorf("local backups: %v", localNames(t, dir))
	}
}
