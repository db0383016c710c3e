package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestRetentionJobRunsInServe: the server runs the retention job shortly
// after its start and again at its interval, records each run per
// workspace, and shows its metrics.
func TestRetentionJobRunsInServe(t *testing.T) {
	ctx := context.Background()
	var log lockedBuffer
	a, err := New(ctx, Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"),
		Log: slog.New(slog.NewTextHandler(&log, nil)), RetentionDelay: time.Millisecond, RetentionInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var runs []foyer.RetentionRun
	for len(runs) < 8 && time.Now().Before(deadline) { // two runs of four kinds
		time.Sleep(20 * time.Millisecond)
		if runs, err = a.Store.RetentionRuns(ctx, ws.ID, 20); err != nil {
			t.Fatal(err)
		}
	}
	if len(runs) < 8 {
		t.Fatalf("%d records of the retention job in 10 s, want two runs", len(runs))
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{`foyer_retention_removed_total{kind="events"} 0`, "foyer_retention_last_run_timestamp_seconds 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(log.String(), "retention: done") {
		t.Errorf("log: %s", log.String())
	}
}

// lockedBuffer is a buffer safe for the job's goroutine to log to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
