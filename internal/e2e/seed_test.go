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

// TestSeed fills a workspace of its own with `foyer seed`, twice, and reads
// the feeds: each run writes into a new workspace, and a workspace that was
// there before is left as it was.
func TestSeed(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acme := &foyer.Workspace{Name: "Acme"}
	if err := s.CreateWorkspace(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSite(ctx, &foyer.Site{WorkspaceID: acme.ID, Key: "acme", Hostnames: []string{"localhost"}}); err != nil {
		t.Fatal(err)
	}

	seed := func(want string, args ...string) {
		t.Helper()
		cmd := exec.Command(foyerBin, append([]string{"seed", "--db", dsn, "--events", "5000", "--days", "10", "--companies", "50"}, args...)...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("foyer seed %v: %v, want %q in\n%s", args, err, want, out)
		}
	}
	visits := func(name string) int64 {
		t.Helper()
		ws, err := s.WorkspaceByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: time.Now().AddDate(0, 0, -9), To: time.Now(), Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, r := range rows {
			n += r.Visits
		}
		return n
	}

	seed(`to site "seeded" of workspace "Seeded demo data"`)
	if n := visits("Seeded demo data"); n < 200 {
		t.Errorf("%d company visits in 5,000 events", n)
	}
	first := visits("Seeded demo data")
	seed(`to site "seeded-2" of workspace "Seeded demo data 2"`)
	if n := visits("Seeded demo data 2"); n < 200 {
		t.Errorf("second seed: %d company visits", n)
	}
	if n := visits("Seeded demo data"); n != first {
		t.Errorf("the second seed changed the first seeded workspace: %d visits, were %d", n, first)
	}
	if n := visits("Acme"); n != 0 {
		t.Errorf("a default seed wrote %d visits into the existing workspace Acme", n)
	}
	seed(`to site "seeded-3" of workspace "Acme"`, "--workspace", "Acme")
	if n := visits("Acme"); n < 200 {
		t.Errorf("seed --workspace Acme: %d company visits", n)
	}
}
