package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestPruneAudit: the retention job deletes the entries older than its
// retention, and the log still verifies.
func TestPruneAudit(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	st := testutil.NewStore(t, store.SQLite, store.Options{Now: clock.Now})
	ctx := context.Background()
	ws := &foyer.Workspace{Name: "Acme"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := st.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws.ID, ActorKind: foyer.ActorSystem, Action: foyer.AuditSettings}); err != nil {
			t.Fatal(err)
		}
		clock.Add(365 * 24 * time.Hour)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	if n := pruneAudit(ctx, st, foyer.AuditRetention, clock.Now(), log); n != 1 {
		t.Errorf("deleted %d, want the one over two years old", n)
	}
	if b, err := st.VerifyAudit(ctx, ws.ID); err != nil || b != nil {
		t.Errorf("after the retention: %v, %v", b, err)
	}
}
