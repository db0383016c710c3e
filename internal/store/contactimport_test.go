package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestImportContactPrecedence: an imported status with an older, equal,
// newer or missing date against each stored state: the outcome, the
// stored status and the history, on both dialects; a dry run writes
// nothing.
func TestImportContactPrecedence(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0)
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		s.UseKeys(testKeys(t, 6))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		day := 24 * time.Hour
		stored := t0.Add(-10 * day)
		dates := map[string]time.Time{"older": stored.Add(-day), "equal": stored, "newer": stored.Add(day), "missing": {}}
		n := 0
		for _, st := range []foyer.ConsentStatus{foyer.ConsentUnanswered, foyer.ConsentAccepted, foyer.ConsentRefused} {
			for dname, at := range dates {
				n++
				email := "c" + string(rune('a'+n)) + "@example.com"
				c := &foyer.Contact{WorkspaceID: ws.ID, Email: email, FirstName: "First"}
				if outcome, err := s.ImportContact(ctx, c, nil, "import test", false); err != nil || outcome != store.ImportNew {
					t.Fatalf("create: %s, %v", outcome, err)
				}
				if st != foyer.ConsentUnanswered {
					if _, _, _, err := s.RecordConsent(ctx, ws.ID, c.ID, foyer.ConsentChange{Status: st, At: stored, Source: foyer.SourceAdmin}); err != nil {
						t.Fatal(err)
					}
				}
				row := &foyer.Contact{WorkspaceID: ws.ID, Email: email}
				change := &foyer.ConsentChange{Status: foyer.ConsentRefused, At: at, Source: foyer.SourceImport}
				if st == foyer.ConsentRefused {
					change.Status = foyer.ConsentAccepted
				}
				// A dry run first: the same outcome, nothing written.
				before, _ := s.ConsentHistory(ctx, ws.ID, c.ID)
				dry, err := s.ImportContact(ctx, row, change, "import test", true)
				if err != nil {
					t.Fatal(err)
				}
				if after, _ := s.ConsentHistory(ctx, ws.ID, c.ID); len(after) != len(before) {
					t.Errorf("%s/%s: the dry run wrote history", st, dname)
				}
				outcome, err := s.ImportContact(ctx, row, change, "import test", false)
				if err != nil || outcome != dry {
					t.Fatalf("%s/%s: %s (dry run %s), %v", st, dname, outcome, dry, err)
				}
				// Applied: no status stored and any change, or a strictly newer date.
				wantApplied := st == foyer.ConsentUnanswered || dname == "newer"
				got, _ := s.Contact(ctx, ws.ID, c.ID)
				if applied := got.Consent.Status == change.Status; applied != wantApplied {
					t.Errorf("stored %s, import %s dated %s: now %s (applied %v, want %v)", st, change.Status, dname, got.Consent.Status, applied, wantApplied)
				}
				if (outcome == store.ImportUpdated) != wantApplied {
					t.Errorf("stored %s, import dated %s: outcome %s", st, dname, outcome)
				}
				if got.FirstName != "First" {
					t.Errorf("an empty cell cleared the first name")
				}
				h, _ := s.ConsentHistory(ctx, ws.ID, c.ID)
				if len(h) != len(before)+1 || h[len(h)-1].Applied != wantApplied || h[len(h)-1].Source != foyer.SourceImport {
					t.Errorf("stored %s, import dated %s: history %+v", st, dname, h[len(h)-1])
				}
			}
		}
		if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
			t.Errorf("the chain after the imports: %v, %v", b, err)
		}
		// A row that changes a field updates; the same again changes nothing.
		row := &foyer.Contact{WorkspaceID: ws.ID, Email: "CB@example.com", Role: "CTO", Attrs: map[string]string{"plan": "gold"}}
		for i, want := range []string{store.ImportUpdated, store.ImportUnchanged} {
			if outcome, err := s.ImportContact(ctx, row, nil, "import test", false); err != nil || outcome != want {
				t.Errorf("field update %d: %s, %v; want %s", i, outcome, err, want)
			}
		}
	})
}
