package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// automationFixture makes a workspace in mode with one contact of each
// consent status, and returns the workspace and the contacts by status.
func automationFixture(t *testing.T, s *store.Store, name string, mode foyer.TrackingMode) (*foyer.Workspace, map[foyer.ConsentStatus]int64) {
	t.Helper()
	ctx := context.Background()
	ws := &foyer.Workspace{Name: name}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if mode == foyer.TrackingOptIn {
		if _, err := s.SetTrackingMode(ctx, ws.ID, mode, "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	out := map[foyer.ConsentStatus]int64{}
	for _, st := range []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused, foyer.ConsentUnanswered} {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("%s-%s@example.com", st.Label(), name), FirstName: st.Label()}
		if st != foyer.ConsentUnanswered {
			c.Consent = foyer.ConsentState{Status: st, At: time.Now().Add(-time.Hour)}
		}
		if err := s.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		out[st] = c.ID
	}
	return ws, out
}

// deliveredContacts returns the contacts of the rule's deliveries.
func deliveredContacts(t *testing.T, s *store.Store, ws, rule int64) []int64 {
	t.Helper()
	ds, err := s.AutomationDeliveries(context.Background(), ws, rule, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.ContactID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...int64) []int64 { slices.Sort(ids); return ids }

// TestAutomationConsent: a rule for tracked contacts only never fires for
// a contact MayTrack refuses (refused in opt-out; refused and unanswered
// in opt-in), a rule for every contact fires for all on an event that does
// not rest on behaviour, and no rule fires for an untracked contact on an
// event that does; skips are counted, without the contact.
func TestAutomationConsent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		dsn := testutil.NewDSN(t, d)
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.UseKeys(testKeys(t, 3))
		rows := testutil.NewRows(t, dsn)
		ctx := context.Background()
		for _, mode := range []foyer.TrackingMode{foyer.TrackingOptOut, foyer.TrackingOptIn} {
			ws, cs := automationFixture(t, s, "ws-"+string(mode), mode)
			seg := rows.Segment(t, ws.ID, "Pricing readers", `{"visited":"/pricing"}`)
			hook := []foyer.AutomationAction{{Kind: foyer.ActionWebhook, URL: "https://hooks.example.com/x"}}
			only := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "only tracked", Trigger: foyer.TriggerSegmentEntered,
				SegmentID: seg, Actions: hook, Enabled: true, OnlyTracked: true}
			all := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "everyone", Trigger: foyer.TriggerSegmentEntered,
				SegmentID: seg, Actions: hook, Enabled: true}
			for _, r := range []*foyer.AutomationRule{only, all} {
				if _, err := s.CreateAutomationRule(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range cs {
				rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: c})
			}
			pass, err := s.ProcessAutomationEvents(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			tracked := []int64{cs[foyer.ConsentAccepted]}
			if mode == foyer.TrackingOptOut {
				tracked = append(tracked, cs[foyer.ConsentUnanswered])
			}
			everyone := sorted(cs[foyer.ConsentAccepted], cs[foyer.ConsentRefused], cs[foyer.ConsentUnanswered])
			if got := deliveredContacts(t, s, ws.ID, only.ID); !slices.Equal(got, sorted(tracked...)) {
				t.Errorf("%s: the only-tracked rule fired for %v, want %v (contacts %v)", mode, got, sorted(tracked...), cs)
			}
			if got := deliveredContacts(t, s, ws.ID, all.ID); !slices.Equal(got, everyone) {
				t.Errorf("%s: the rule for everyone fired for %v, want %v", mode, got, everyone)
			}
			if pass.Skipped[only.ID] != 3-len(tracked) || pass.Skipped[all.ID] != 0 {
				t.Errorf("%s: skips %v", mode, pass.Skipped)
			}
			// An event that rests on behaviour fires no rule for an
			// untracked contact.
			for _, c := range cs {
				rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: c, Behavioural: true})
			}
			if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
				t.Fatal(err)
			}
			got := deliveredContacts(t, s, ws.ID, all.ID)
			if want := sorted(append(everyone, tracked...)...); !slices.Equal(got, want) {
				t.Errorf("%s: after behavioural events the rule for everyone fired for %v, want %v", mode, got, want)
			}
			r, err := s.AutomationRule(ctx, ws.ID, only.ID)
			if err != nil || r.SkippedUntracked != int64(2*(3-len(tracked))) || r.Fired != int64(2*len(tracked)) || r.LastFired.IsZero() {
				t.Errorf("%s: the only-tracked rule's counts: %+v, %v", mode, r, err)
			}
		}
	})
}

// TestAutomationMatching: triggers match their events only (a score
// crossing upwards, not one staying above or going down), each event is
// acted on once however often the worker passes, an event of one
// workspace never fires another's rule, and another workspace's IDs are
// not found.
func TestAutomationMatching(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		dsn := testutil.NewDSN(t, d)
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.UseKeys(testKeys(t, 4))
		rows := testutil.NewRows(t, dsn)
		ctx := context.Background()
		a, ca := automationFixture(t, s, "A", foyer.TrackingOptOut)
		b, cb := automationFixture(t, s, "B", foyer.TrackingOptOut)
		segA := rows.Segment(t, a.ID, "Hot", "")
		segB := rows.Segment(t, b.ID, "Hot", "")
		acmeA := rows.Company(t, a.ID, "Acme", "acme.example")
		email := []foyer.AutomationAction{{Kind: foyer.ActionEmail}}
		contactScore := &foyer.AutomationRule{WorkspaceID: a.ID, Name: "contact 50", Trigger: foyer.TriggerContactScore,
			ThresholdMilli: 50_000, Actions: email, Enabled: true, OnlyTracked: true}
		companyScore := &foyer.AutomationRule{WorkspaceID: a.ID, Name: "company 50", Trigger: foyer.TriggerCompanyScore,
			ThresholdMilli: 50_000, Actions: email, Enabled: true}
		ruleB := &foyer.AutomationRule{WorkspaceID: b.ID, Name: "B enters", Trigger: foyer.TriggerSegmentEntered,
			SegmentID: segB, Actions: []foyer.AutomationAction{{Kind: foyer.ActionSegment, SegmentID: segB}}, Enabled: true}
		off := &foyer.AutomationRule{WorkspaceID: a.ID, Name: "off", Trigger: foyer.TriggerSegmentEntered,
			SegmentID: segA, Actions: email}
		for _, r := range []*foyer.AutomationRule{contactScore, companyScore, ruleB, off} {
			secret, err := s.CreateAutomationRule(ctx, r)
			if err != nil || len(secret) < 40 {
				t.Fatalf("create %q: %q, %v", r.Name, secret, err)
			}
			if got, err := s.AutomationSecret(ctx, r.WorkspaceID, r.ID); err != nil || got != secret {
				t.Fatalf("secret of %q: %q, %v", r.Name, got, err)
			}
		}
		// Another workspace's segment is not for A's rules.
		bad := &foyer.AutomationRule{WorkspaceID: a.ID, Name: "bad", Trigger: foyer.TriggerSegmentEntered, SegmentID: segB, Actions: email}
		_, err = s.CreateAutomationRule(ctx, bad)
		wantCode(t, err, foyer.ENOTFOUND)
		bad.Trigger, bad.ThresholdMilli, bad.Actions = foyer.TriggerContactScore, 1, []foyer.AutomationAction{{Kind: foyer.ActionSegment, SegmentID: segB}}
		_, err = s.CreateAutomationRule(ctx, bad)
		wantCode(t, err, foyer.ENOTFOUND)
		// A segment with conditions is not added to.
		cond := rows.Segment(t, a.ID, "Readers", `{"visited":"/"}`)
		bad = &foyer.AutomationRule{WorkspaceID: a.ID, Name: "bad", Trigger: foyer.TriggerContactScore, ThresholdMilli: 1,
			Actions: []foyer.AutomationAction{{Kind: foyer.ActionSegment, SegmentID: cond}}}
		_, err = s.CreateAutomationRule(ctx, bad)
		wantCode(t, err, foyer.EINVALID)
		_, err = s.CreateAutomationRule(ctx, &foyer.AutomationRule{WorkspaceID: a.ID, Name: "contact 50", Trigger: foyer.TriggerContactScore,
			ThresholdMilli: 1, Actions: email})
		wantCode(t, err, foyer.ECONFLICT)
		_, err = s.AutomationRule(ctx, b.ID, contactScore.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		wantCode(t, s.DeleteAutomationRule(ctx, b.ID, contactScore.ID), foyer.ENOTFOUND)
		moved := *contactScore
		moved.WorkspaceID = b.ID
		wantCode(t, s.UpdateAutomationRule(ctx, &moved), foyer.ENOTFOUND)

		acc := ca[foyer.ConsentAccepted]
		ev := func(e testutil.AutomationEvent) { rows.Event(t, e) }
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "score-changed", ContactID: acc, OldMilli: 10_000, NewMilli: 49_999, Behavioural: true})
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "score-changed", ContactID: acc, OldMilli: 49_999, NewMilli: 50_000, Behavioural: true}) // fires
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "score-changed", ContactID: acc, OldMilli: 50_000, NewMilli: 70_000, Behavioural: true})
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "score-changed", ContactID: acc, OldMilli: 70_000, NewMilli: 20_000, Behavioural: true})
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "score-changed", CompanyID: acmeA, OldMilli: 0, NewMilli: 80_000, Behavioural: true}) // fires
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "segment-entered", SegmentID: segA, ContactID: acc})                                  // off
		// A's contact entering B's segment (a forged event) fires nothing:
		// the segment is B's, the contact A's.
		ev(testutil.AutomationEvent{WorkspaceID: a.ID, Kind: "segment-entered", SegmentID: segB, ContactID: acc})
		ev(testutil.AutomationEvent{WorkspaceID: b.ID, Kind: "segment-left", SegmentID: segB, ContactID: cb[foyer.ConsentAccepted]})
		for range 2 {
			if _, err := s.ProcessAutomationEvents(ctx, 3); err != nil { // small batches: the cursor moves on
				t.Fatal(err)
			}
		}
		if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
			t.Fatal(err)
		}
		pass, err := s.ProcessAutomationEvents(ctx, 100)
		if err != nil || pass.Events != 0 || pass.Queued != 0 {
			t.Fatalf("a pass with nothing new: %+v, %v", pass, err)
		}
		for _, c := range []struct {
			rule *foyer.AutomationRule
			want int
		}{{contactScore, 1}, {companyScore, 1}, {ruleB, 0}, {off, 0}} {
			ds, err := s.AutomationDeliveries(ctx, c.rule.WorkspaceID, c.rule.ID, 100)
			if err != nil || len(ds) != c.want {
				t.Errorf("rule %q: %d deliveries (%v), want %d", c.rule.Name, len(ds), err, c.want)
			}
			if len(ds) == 1 && c.rule == companyScore && (ds[0].CompanyID != acmeA || ds[0].ContactID != 0 || ds[0].NewMilli != 80_000) {
				t.Errorf("company delivery %+v", ds[0])
			}
		}
		if ds, _ := s.AutomationDeliveries(ctx, b.ID, contactScore.ID, 100); len(ds) != 0 {
			t.Errorf("B reads A's deliveries: %+v", ds)
		}
		// Erasing the contact erases its deliveries.
		if err := s.DeleteContact(ctx, a.ID, acc, "test"); err != nil {
			t.Fatal(err)
		}
		if n := rows.Int(t, `SELECT COUNT(*) FROM automation_deliveries WHERE contact_id = ?`, acc); n != 0 {
			t.Errorf("%d deliveries of the erased contact are left", n)
		}
		if err := s.DeleteAutomationRule(ctx, a.ID, companyScore.ID); err != nil {
			t.Fatal(err)
		}
		if n := rows.Int(t, `SELECT COUNT(*) FROM automation_deliveries WHERE rule_id = ?`, companyScore.ID); n != 0 {
			t.Errorf("%d deliveries of the deleted rule are left", n)
		}
	})
}

// TestAutomationCursorGap: on PostgreSQL an event whose transaction took
// its ID first but commits after a later one is still acted on.
func TestAutomationCursorGap(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.UseKeys(testKeys(t, 5))
	rows := testutil.NewRows(t, dsn)
	ctx := context.Background()
	ws, cs := automationFixture(t, s, "gap", foyer.TrackingOptOut)
	seg := rows.Segment(t, ws.ID, "Hot", "")
	r := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "enter", Trigger: foyer.TriggerSegmentEntered, SegmentID: seg,
		Actions: []foyer.AutomationAction{{Kind: foyer.ActionEmail}}, Enabled: true}
	if _, err := s.CreateAutomationRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	slow, err := rows.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	if _, err := slow.Exec(`INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, behavioural, at)
		VALUES ($1, 'segment-entered', $2, $3, false, 0)`, ws.ID, seg, cs[foyer.ConsentAccepted]); err != nil {
		t.Fatal(err)
	}
	rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: cs[foyer.ConsentUnanswered]})
	if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if got := deliveredContacts(t, s, ws.ID, r.ID); !slices.Equal(got, []int64{cs[foyer.ConsentUnanswered]}) {
		t.Fatalf("before the slow commit: %v", got)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if got, want := deliveredContacts(t, s, ws.ID, r.ID), sorted(cs[foyer.ConsentUnanswered], cs[foyer.ConsentAccepted]); !slices.Equal(got, want) {
		t.Fatalf("after the slow commit: %v, want %v", got, want)
	}
}

// TestAutomationReusedID: on SQLite, an event that takes the ID of a
// deleted newest event, which the cursor has passed, is still acted on.
func TestAutomationReusedID(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.SQLite)
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.UseKeys(testKeys(t, 7))
	rows := testutil.NewRows(t, dsn)
	ctx := context.Background()
	ws, cs := automationFixture(t, s, "reuse", foyer.TrackingOptOut)
	seg := rows.Segment(t, ws.ID, "Hot", "")
	r := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "enter", Trigger: foyer.TriggerSegmentEntered, SegmentID: seg,
		Actions: []foyer.AutomationAction{{Kind: foyer.ActionEmail}}, Enabled: true}
	if _, err := s.CreateAutomationRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: cs[foyer.ConsentAccepted]})
	last := rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-left", SegmentID: seg, ContactID: cs[foyer.ConsentAccepted]})
	if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
		t.Fatal(err)
	}
	rows.Exec(t, `DELETE FROM automation_events WHERE id = ?`, last)
	if id := rows.Event(t, testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: cs[foyer.ConsentUnanswered]}); id != last {
		t.Fatalf("the new event took ID %d, not the deleted %d: this test no longer tests anything", id, last)
	}
	if _, err := s.ProcessAutomationEvents(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if got, want := deliveredContacts(t, s, ws.ID, r.ID), sorted(cs[foyer.ConsentAccepted], cs[foyer.ConsentUnanswered]); !slices.Equal(got, want) {
		t.Fatalf("delivered to %v, want %v", got, want)
	}
}
