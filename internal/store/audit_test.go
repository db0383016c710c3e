package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// auditFixture records six entries in each of two workspaces' logs, a
// minute apart, and returns the store, its clock and workspace A's ID.
func auditFixture(t *testing.T, d store.Dialect) (*store.Store, *testutil.Clock, int64) {
	t.Helper()
	clock := testutil.NewClock(t0)
	s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	ctx := context.Background()
	wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
	for i, a := range []foyer.AuditAction{foyer.AuditSignIn, foyer.AuditContactViewed, foyer.AuditRoleChanged,
		foyer.AuditExport, foyer.AuditContactViewed, foyer.AuditSettings} {
		clock.Add(time.Minute)
		for _, ws := range []int64{wsA.ID, wsB.ID} {
			e := &foyer.AuditEntry{WorkspaceID: ws, ActorKind: foyer.ActorUser, ActorID: 1, Actor: "Ana <ana@example.com>",
				Action: a, ObjectType: "contact", ObjectID: itoa(int64(i)), UserAgent: "Mozilla/5.0 " + strings.Repeat("x", 400)}
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if len(e.UserAgent) != foyer.MaxUserAgent || e.ID == 0 {
				t.Fatalf("entry %d: ID %d, user agent of %d bytes", i, e.ID, len(e.UserAgent))
			}
		}
	}
	return s, clock, wsA.ID
}

// TestAuditLog: entries read back newest first, with filters and pages,
// and an intact log verifies; another workspace's entries are not seen.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, _, ws := auditFixture(t, d)
		ctx := context.Background()
		all, more, err := s.AuditLog(ctx, ws, foyer.AuditFilter{})
		if err != nil || more || len(all) != 6 || all[0].Action != foyer.AuditSettings || all[0].WorkspaceID != ws {
			t.Fatalf("log: %d entries, more %v, %v", len(all), more, err)
		}
		views, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Action: foyer.AuditContactViewed})
		if len(views) != 2 {
			t.Errorf("views: %d", len(views))
		}
		byObj, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{ObjectType: "contact", ObjectID: "3"})
		if len(byObj) != 1 || byObj[0].Action != foyer.AuditExport {
			t.Errorf("by object: %+v", byObj)
		}
		byActor, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Actor: "ANA@"})
		none, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Actor: "bob"})
		if len(byActor) != 6 || len(none) != 0 {
			t.Errorf("by actor: %d, %d", len(byActor), len(none))
		}
		period, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{From: t0.Add(2 * time.Minute), To: t0.Add(4 * time.Minute)})
		if len(period) != 2 {
			t.Errorf("period: %d", len(period))
		}
		page, more, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Limit: 4})
		rest, more2, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Limit: 4, BeforeID: page[3].ID})
		if len(page) != 4 || !more || len(rest) != 2 || more2 {
			t.Errorf("pages: %d %v, %d %v", len(page), more, len(rest), more2)
		}
		for _, w := range []int64{ws, ws + 1} {
			if b, err := s.VerifyAudit(ctx, w); err != nil || b != nil {
				t.Errorf("workspace %d: %v, %v", w, b, err)
			}
		}
		err = s.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws + 100, Action: foyer.AuditSignIn})
		wantCode(t, err, foyer.ENOTFOUND)
		// The installation's log, for addresses without an account.
		if err := s.RecordAudit(ctx, &foyer.AuditEntry{ActorKind: foyer.ActorNobody, Actor: "h:abc", Action: foyer.AuditSignInFailed}); err != nil {
			t.Fatal(err)
		}
		if b, err := s.VerifyAudit(ctx, 0); err != nil || b != nil {
			t.Errorf("installation: %v, %v", b, err)
		}
		logs, err := s.AuditLogs(ctx)
		if err != nil || len(logs) != 3 || logs[0] != 0 {
			t.Errorf("logs: %v, %v", logs, err)
		}
	})
}

// TestAuditTampering: editing, deleting (in the middle and at the end),
// reordering and inserting entries directly in the database is found, on
// both dialects; the other workspace's log stays intact.
func TestAuditTampering(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, c := range []struct {
			name, want string
			sql        []string // $ID: the second entry's ID, $LAST: the last's
		}{
			{name: "edit the actor", want: "does not match its hash", sql: []string{"UPDATE audit_log SET actor = 'someone else' WHERE id = $ID"}},
			{name: "edit the action", want: "does not match its hash", sql: []string{"UPDATE audit_log SET action = 'export' WHERE id = $ID"}},
			{name: "edit the time", want: "does not match its hash", sql: []string{"UPDATE audit_log SET at = at + 1 WHERE id = $ID"}},
			{name: "delete one", want: "does not follow", sql: []string{"DELETE FROM audit_log WHERE id = $ID"}},
			{name: "delete the first", want: "does not start", sql: []string{"DELETE FROM audit_log WHERE id = $FIRST"}},
			{name: "delete the last", want: "head", sql: []string{"DELETE FROM audit_log WHERE id = $LAST"}},
			{name: "reorder", want: "", sql: []string{
				"UPDATE audit_log SET id = -1 WHERE id = $ID",
				"UPDATE audit_log SET id = $ID WHERE id = $ID + 2",
				"UPDATE audit_log SET id = $ID + 2 WHERE id = -1"}},
			{name: "insert a copy", want: "", sql: []string{
				"INSERT INTO audit_log (id, " + strings.TrimPrefix(auditCols, "id, ") + ") SELECT $LAST + 1000, " +
					strings.TrimPrefix(auditCols, "id, ") + " FROM audit_log WHERE id = $ID"}},
			{name: "move the anchor", want: "does not start", sql: []string{"UPDATE audit_heads SET anchor = hash WHERE workspace_id = $WS"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				s, _, ws := auditFixture(t, d)
				ctx := context.Background()
				ids := auditIDs(t, s, ws)
				r := strings.NewReplacer("$ID", itoa(ids[1]), "$LAST", itoa(ids[len(ids)-1]), "$FIRST", itoa(ids[0]), "$WS", itoa(ws))
				for _, q := range c.sql {
					q = r.Replace(q)
					if _, err := s.DB().ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				b, err := s.VerifyAudit(ctx, ws)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil || !strings.Contains(b.Problem, c.want) {
					t.Fatalf("%s: %v, want a break saying %q", c.name, b, c.want)
				}
				if other, err := s.VerifyAudit(ctx, ws+1); err != nil || other != nil {
					t.Errorf("the other workspace: %v, %v", other, err)
				}
			})
		}
	})
}

const auditCols = "id, workspace_id, at, actor_kind, actor_id, actor, action, object_type, object_id, detail, user_agent, network, prev_hash, hash"

// auditIDs returns the IDs of a workspace's log, in order.
func auditIDs(t *testing.T, s *store.Store, ws int64) []int64 {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), "SELECT id FROM audit_log WHERE workspace_id = "+itoa(ws)+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// TestPruneAudit: the retention deletes exactly the entries older than
// its date, in batches, and the log still verifies, also when all went
// and new entries follow; deleting more by hand afterwards is still found.
func TestPruneAudit(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, clock, ws := auditFixture(t, d)
		ctx := context.Background()
		n, err := s.PruneAudit(ctx, t0.Add(3*time.Minute+time.Second), 2) // entries at +1, +2, +3 minutes
		if err != nil || n != 6 {
			t.Fatalf("pruned %d, %v; want 3 in each of two logs", n, err)
		}
		if ids := auditIDs(t, s, ws); len(ids) != 3 {
			t.Fatalf("left: %d", len(ids))
		}
		for _, w := range []int64{ws, ws + 1} {
			if b, err := s.VerifyAudit(ctx, w); err != nil || b != nil {
				t.Errorf("after pruning, workspace %d: %v, %v", w, b, err)
			}
		}
		if _, err := s.DB().ExecContext(ctx, "DELETE FROM audit_log WHERE id = "+itoa(auditIDs(t, s, ws)[0])); err != nil {
			t.Fatal(err)
		}
		if b, _ := s.VerifyAudit(ctx, ws); b == nil {
			t.Error("a deletion after pruning went unnoticed")
		}
		// Everything of B goes, then B's log goes on.
		clock.Add(time.Hour)
		if n, err := s.PruneAudit(ctx, clock.Now(), 100); err != nil || n != 5 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if err := s.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws + 1, Action: foyer.AuditSignIn, ActorKind: foyer.ActorUser}); err != nil {
			t.Fatal(err)
		}
		if b, err := s.VerifyAudit(ctx, ws+1); err != nil || b != nil {
			t.Errorf("after pruning all: %v, %v", b, err)
		}
	})
}

// TestRecordTokenUse: a token's use is recorded once a clock hour, each
// token on its own.
func TestRecordTokenUse(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, clock, ws := auditFixture(t, d)
		ctx := context.Background()
		use := func(token string) bool {
			t.Helper()
			ok, err := s.RecordTokenUse(ctx, &foyer.AuditEntry{WorkspaceID: ws, ActorKind: foyer.ActorToken, Actor: "crm sync", ObjectID: token})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !use("7") || use("7") || !use("8") {
			t.Fatal("first uses")
		}
		clock.Add(20 * time.Minute)
		if use("7") {
			t.Error("recorded twice in an hour")
		}
		clock.Add(time.Hour)
		if !use("7") || use("7") {
			t.Error("the next hour")
		}
		got, _, _ := s.AuditLog(ctx, ws, foyer.AuditFilter{Action: foyer.AuditTokenUsed})
		if len(got) != 3 {
			t.Errorf("%d uses recorded, want 3", len(got))
		}
		if b, _ := s.VerifyAudit(ctx, ws); b != nil {
			t.Error(b)
		}
	})
}
