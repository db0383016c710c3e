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

// formFixture is a store with workspaces Acme and Initech, and Ana, a
// contact of Acme who accepted tracking.
func formFixture(t *testing.T, d store.Dialect) (*store.Store, *testutil.Clock, *foyer.Workspace, *foyer.Workspace, *foyer.Contact) {
	t.Helper()
	clock := testutil.NewClock(t0)
	s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	s.UseKeys(testKeys(t, 5))
	wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
	ana := &foyer.Contact{WorkspaceID: wsA.ID, Email: "ana@example.com", Consent: foyer.ConsentState{Status: foyer.ConsentAccepted}}
	if err := s.CreateContact(context.Background(), ana, "user test"); err != nil {
		t.Fatal(err)
	}
	return s, clock, wsA, wsB, ana
}

// TestUpdateContactProfile: the hosted profile form's change re-seals the
// profile fields (not the email), records the consent change with source
// form and actor contact in the same transaction, and refuses another
// workspace's contact and bad fields without writing anything.
func TestUpdateContactProfile(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, clock, wsA, wsB, ana := formFixture(t, d)
		ws := wsA.ID
		ctx := context.Background()
		clock.Add(time.Minute)
		p := foyer.ContactProfile{FirstName: "Ana", LastName: "Lima", Role: "CTO", Phone: "+1 514 555 0100", Company: "Acme", Language: "fr"}
		c, err := s.UpdateContactProfile(ctx, ws, ana.ID, p, &foyer.ConsentChange{Status: foyer.ConsentRefused, Source: foyer.SourceForm, Actor: "spoofed"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, ws, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != "Ana" || got.LastName != "Lima" || got.Role != "CTO" || got.Phone != p.Phone || got.Company != "Acme" ||
			got.Language != "fr" || got.Email != "ana@example.com" || got.Consent.Status != foyer.ConsentRefused || c.Consent != got.Consent {
			t.Fatalf("stored %+v, returned %+v", got, c)
		}
		h, err := s.ConsentHistory(ctx, ws, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := h[len(h)-1]
		if last.Source != foyer.SourceForm || last.Actor != foyer.ActorContact || last.Action != foyer.ActionRefused || !last.Applied {
			t.Errorf("the form's entry: %+v", last)
		}
		changes, err := s.ContactChanges(ctx, ws, ana.ID, 1)
		if err != nil || len(changes) != 1 || changes[0].Actor != foyer.ActorContact || len(changes[0].Fields) != 6 {
			t.Errorf("recorded change: %+v, %v", changes, err)
		}
		// No consent change: only the fields; nothing appended.
		p.Role = "CEO"
		if _, err := s.UpdateContactProfile(ctx, ws, ana.ID, p, nil); err != nil {
			t.Fatal(err)
		}
		if h2, _ := s.ConsentHistory(ctx, ws, ana.ID); len(h2) != len(h) {
			t.Errorf("a change without consent appended %d entries", len(h2)-len(h))
		}
		// Refused: another workspace's contact, a bad language, a field
		// too long; nothing changes, not even the consent.
		for _, c := range []struct {
			ws   int64
			p    foyer.ContactProfile
			code string
		}{
			{wsB.ID, p, foyer.ENOTFOUND},
			{ws, foyer.ContactProfile{Language: "de"}, foyer.EINVALID},
			{ws, foyer.ContactProfile{FirstName: strings.Repeat("x", foyer.MaxContactField+1)}, foyer.EINVALID},
		} {
			_, err := s.UpdateContactProfile(ctx, c.ws, ana.ID, c.p, &foyer.ConsentChange{Status: foyer.ConsentAccepted, Source: foyer.SourceForm})
			wantCode(t, err, c.code)
		}
		got2, _ := s.Contact(ctx, ws, ana.ID)
		if got2.Role != "CEO" || got2.Consent.Status != foyer.ConsentRefused || got2.FirstName != "Ana" {
			t.Errorf("a refused change changed the contact: %+v", got2)
		}
		if h2, _ := s.ConsentHistory(ctx, ws, ana.ID); len(h2) != len(h) {
			t.Errorf("refused changes appended %d entries", len(h2)-len(h))
		}
		if b, err := s.VerifyConsent(ctx, ws); err != nil || b != nil {
			t.Errorf("the chain: %+v, %v", b, err)
		}
	})
}

// TestUnsubscribe: the first unsubscription's time is kept, once, in the
// contact's record of changes; another workspace's contact is not found;
// the workspace's setting of the forms is on by default and can be
// turned off.
func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, clock, wsA, wsB, ana := formFixture(t, d)
		ctx := context.Background()
		if at, err := s.Unsubscribed(ctx, wsA.ID, ana.ID); err != nil || !at.IsZero() {
			t.Fatalf("before: %v, %v", at, err)
		}
		_, err := s.Unsubscribe(ctx, wsB.ID, ana.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		_, err = s.Unsubscribed(ctx, wsB.ID, ana.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		clock.Add(time.Minute)
		first, err := s.Unsubscribe(ctx, wsA.ID, ana.ID)
		if err != nil || !first.Equal(t0.Add(time.Minute)) {
			t.Fatalf("unsubscribed at %v, %v", first, err)
		}
		clock.Add(time.Hour)
		again, err := s.Unsubscribe(ctx, wsA.ID, ana.ID)
		if err != nil || !again.Equal(first) {
			t.Errorf("again: %v, %v; want the first time %v", again, err, first)
		}
		if at, err := s.Unsubscribed(ctx, wsA.ID, ana.ID); err != nil || !at.Equal(first) {
			t.Errorf("after: %v, %v", at, err)
		}
		changes, err := s.ContactChanges(ctx, wsA.ID, ana.ID, 10)
		if err != nil || len(changes) != 2 || changes[0].Actor != foyer.ActorContact || strings.Join(changes[0].Fields, ",") != "unsubscribed" {
			t.Errorf("recorded changes: %+v, %v", changes, err)
		}
		// The setting: on by default, per workspace.
		f, err := s.ContactForms(ctx, wsA.ID)
		if err != nil || !f.UnsubscribeOffersOptOut {
			t.Fatalf("default: %+v, %v", f, err)
		}
		if err := s.SetContactForms(ctx, wsA.ID, foyer.ContactForms{}); err != nil {
			t.Fatal(err)
		}
		if f, _ := s.ContactForms(ctx, wsA.ID); f.UnsubscribeOffersOptOut {
			t.Error("the setting did not turn off")
		}
		if f, _ := s.ContactForms(ctx, wsB.ID); !f.UnsubscribeOffersOptOut {
			t.Error("turning it off in Acme turned it off in Initech")
		}
		wantCode(t, s.SetContactForms(ctx, 999999, foyer.ContactForms{}), foyer.ENOTFOUND)
		_, err = s.ContactForms(ctx, 999999)
		wantCode(t, err, foyer.ENOTFOUND)
	})
}

// TestLogo: a workspace's logo is stored, read back, replaced and removed;
// another type, an oversized image, an unknown workspace are refused.
func TestLogo(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, _, wsA, wsB, _ := formFixture(t, d)
		ctx := context.Background()
		_, _, err := s.Logo(ctx, wsA.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		png := []byte("\x89PNG\r\n\x1a\n fake")
		if err := s.SetLogo(ctx, wsA.ID, png, "image/png"); err != nil {
			t.Fatal(err)
		}
		if data, typ, err := s.Logo(ctx, wsA.ID); err != nil || string(data) != string(png) || typ != "image/png" {
			t.Errorf("logo: %q %q %v", data, typ, err)
		}
		if f, err := s.ContactForms(ctx, wsA.ID); err != nil || !f.HasLogo || !f.UnsubscribeOffersOptOut {
			t.Errorf("settings with a logo: %+v, %v", f, err)
		}
		// SetContactForms leaves the logo alone.
		if err := s.SetContactForms(ctx, wsA.ID, foyer.ContactForms{}); err != nil {
			t.Fatal(err)
		}
		if f, _ := s.ContactForms(ctx, wsA.ID); !f.HasLogo {
			t.Error("SetContactForms removed the logo")
		}
		_, _, err = s.Logo(ctx, wsB.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		wantCode(t, s.SetLogo(ctx, wsA.ID, []byte("<svg/>"), "image/svg+xml"), foyer.EINVALID)
		wantCode(t, s.SetLogo(ctx, wsA.ID, make([]byte, foyer.MaxLogoSize+1), "image/png"), foyer.EINVALID)
		wantCode(t, s.SetLogo(ctx, 999999, png, "image/png"), foyer.ENOTFOUND)
		if data, _, err := s.Logo(ctx, wsA.ID); err != nil || string(data) != string(png) {
			t.Errorf("refused changes changed the logo: %q, %v", data, err)
		}
		if err := s.SetLogo(ctx, wsA.ID, nil, ""); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Logo(ctx, wsA.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		if f, _ := s.ContactForms(ctx, wsA.ID); f.HasLogo {
			t.Error("HasLogo after its removal")
		}
	})
}
