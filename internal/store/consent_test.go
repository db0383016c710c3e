package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// consentFixture stores a contact in each of two workspaces and a history
// of changes for them, and returns the store and workspace A's ID.
func consentFixture(t *testing.T, d store.Dialect) (*store.Store, int64, *foyer.Contact) {
	t.Helper()
	clock := testutil.NewClock(t0)
	s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	s.UseKeys(testKeys(t, 5))
	ctx := context.Background()
	wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
	ana := &foyer.Contact{WorkspaceID: wsA.ID, Email: "ana@example.com"}
	bob := &foyer.Contact{WorkspaceID: wsB.ID, Email: "bob@example.com"}
	for _, c := range []*foyer.Contact{ana, bob} {
		if err := s.CreateContact(ctx, c, "user test"); err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	for i, ch := range []foyer.ConsentChange{
		{Status: foyer.ConsentAccepted, At: t0.Add(-3 * day), Source: foyer.SourceImport, Actor: "import 1", Reason: "signed up at the fair"},
		{Status: foyer.ConsentRefused, At: t0.Add(-5 * day), Source: foyer.SourceImport, Actor: "import 2"}, // older: not applied
		{Status: foyer.ConsentRefused, At: t0.Add(-day), Source: foyer.SourceAPI, Actor: "token 7", Reason: "asked by phone"},
		{Status: foyer.ConsentAccepted, Source: foyer.SourceForm, Actor: "form", Reason: "opted in again"},
	} {
		clock.Add(time.Minute)
		if _, _, _, err := s.RecordConsent(ctx, wsA.ID, ana.ID, ch); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		if _, _, _, err := s.RecordConsent(ctx, wsB.ID, bob.ID, ch); err != nil {
			t.Fatalf("change %d for bob: %v", i, err)
		}
	}
	return s, wsA.ID, ana
}

// TestRecordConsent: changes apply by the precedence rules, each one (also
// those not applied) is in the contact's history with its reason, and a
// contact of another workspace is not found.
func TestRecordConsent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, ws, ana := consentFixture(t, d)
		ctx := context.Background()
		c, err := s.Contact(ctx, ws, ana.ID)
		if err != nil || c.Consent.Status != foyer.ConsentAccepted || !c.Consent.At.Equal(t0.Add(4*time.Minute)) {
			t.Fatalf("ana's state: %+v, %v", c.Consent, err)
		}
		h, err := s.ConsentHistory(ctx, ws, ana.ID)
		if err != nil || len(h) != 4 {
			t.Fatalf("history: %d entries, %v", len(h), err)
		}
		applied := []bool{true, false, true, true}
		for i, e := range h {
			if e.Applied != applied[i] || e.ContactID != ana.ID || e.Why == "" {
				t.Errorf("entry %d: applied %v, why %q", i, e.Applied, e.Why)
			}
		}
		if h[0].Reason != "signed up at the fair" || h[2].Reason != "asked by phone" || h[1].Reason != "" {
			t.Errorf("reasons %q %q %q", h[0].Reason, h[1].Reason, h[2].Reason)
		}
		if b, err := s.VerifyConsent(ctx, ws); err != nil || b != nil {
			t.Errorf("an intact history: %v, %v", b, err)
		}
		_, _, _, err = s.RecordConsent(ctx, ws+1, ana.ID, foyer.ConsentChange{Status: foyer.ConsentRefused, Source: foyer.SourceAPI})
		wantCodeOf(t, "another workspace's contact", err, foyer.ENOTFOUND)
		if h2, _ := s.ConsentHistory(ctx, ws, ana.ID); len(h2) != 4 {
			t.Errorf("a refused change was recorded")
		}
	})
}

// TestConsentTampering: editing, deleting (in the middle and at the end),
// reordering and inserting history entries directly in the database is
// found, naming the entry, on both dialects; the other workspace's history
// stays intact.
func TestConsentTampering(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, c := range []struct {
			name, want string
			sql        []string // statements, with $ID the second entry's ID and $LAST the last's
		}{
			{name: "edit the actor", want: "does not match its hash", sql: []string{"UPDATE consent_history SET actor = 'someone else' WHERE id = $ID"}},
			{name: "edit applied", want: "does not match its hash", sql: []string{"UPDATE consent_history SET applied = NOT applied WHERE id = $ID"}},
			{name: "delete one", want: "does not follow", sql: []string{"DELETE FROM consent_history WHERE id = $ID"}},
			{name: "delete the last", want: "head", sql: []string{"DELETE FROM consent_history WHERE id = $LAST"}},
			{name: "reorder", want: "", sql: []string{
				"UPDATE consent_history SET id = -1 WHERE id = $ID",
				"UPDATE consent_history SET id = $ID WHERE id = $ID + 2",
				"UPDATE consent_history SET id = $ID + 2 WHERE id = -1"}},
			{name: "insert a copy", want: "", sql: []string{
				"INSERT INTO consent_history (id, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash) " +
					"SELECT $LAST + 1000, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash FROM consent_history WHERE id = $ID"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				s, ws, _ := consentFixture(t, d)
				ctx := context.Background()
				var ids []int64
				rows, err := s.DB().QueryContext(ctx, "SELECT id FROM consent_history WHERE workspace_id = "+itoa(ws)+" ORDER BY id")
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					rows.Scan(&id)
					ids = append(ids, id)
				}
				rows.Close()
				for _, q := range c.sql {
					q = strings.ReplaceAll(strings.ReplaceAll(q, "$ID", itoa(ids[1])), "$LAST", itoa(ids[len(ids)-1]))
					if _, err := s.DB().ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				b, err := s.VerifyConsent(ctx, ws)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil || !strings.Contains(b.Problem, c.want) {
					t.Fatalf("%s: %v, want a break saying %q", c.name, b, c.want)
				}
				if b.ID == 0 && c.name != "delete the last" {
					t.Errorf("the break names no entry: %v", b)
				}
				if other, err := s.VerifyConsent(ctx, ws+1); err != nil || other != nil {
					t.Errorf("the other workspace: %v, %v", other, err)
				}
			})
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
