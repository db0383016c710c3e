package e2e_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestSeed fills a workspace with `foyer seed` and reads its feed.
func TestSeed(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	cmd := exec.Command(foyerBin, "seed", "--db", dsn, "--events", "5000", "--days", "10", "--companies", "50")
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `to site "seeded" of workspace "Seeded"`) {
		t.Fatalf("foyer seed: %v\n%s", err, out)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.WorkspaceByName(ctx, "Seeded")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: time.Now().AddDate(0, 0, -9), To: time.Now(), Limit: 500})
	if err != nil || len(rows) < 20 {
		t.Fatalf("feed of the seeded workspace: %d rows, %v", len(rows), err)
	}
	var visits int64
	for _, r := range rows {
		visits += r.Visits
	}
	if visits < 200 {
		t.Errorf("%d company visits in 5,000 events", visits)
	}
}
