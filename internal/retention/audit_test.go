package retention

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestPruneAudit: a run of the job also deletes the audit entries older
// than the log's retention, and the log still verifies.
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
	var log bytes.Buffer
	j := &Job{Store: st, Audit: st, Now: clock.Now, Log: newTextLogger(&log)}
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	entries, _, err := st.AuditLog(ctx, ws.ID, foyer.AuditFilter{})
	if err != nil || len(entries) != 2 {
		t.Errorf("after the run %d entries are left (%v), want the two under two years old", len(entries), err)
	}
	if !strings.Contains(log.String(), "audit log retention: deleted old entries") {
		t.Errorf("the run does not say it pruned the audit log:\n%s", log.String())
	}
	if b, err := st.VerifyAudit(ctx, ws.ID); err != nil || b != nil {
		t.Errorf("after the retention: %v, %v", b, err)
	}
}
