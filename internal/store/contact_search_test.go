package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestSearchContacts: the list finds contacts by whole words of their
// names (any case, with or without accents), their email, its domain and
// their company, all words at once, with the consent filter and paging,
// and never another workspace's contact; the words are not stored.
func TestSearchContacts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		add := func(ws int64, email, first, last, company string, status foyer.ConsentStatus) *foyer.Contact {
			t.Helper()
			c := &foyer.Contact{WorkspaceID: ws, Email: email, FirstName: first, LastName: last, Company: company,
				Consent: foyer.ConsentState{Status: status}}
			if err := s.CreateContact(ctx, c, "user test"); err != nil {
				t.Fatal(err)
			}
			return c
		}
		ana := add(wsA.ID, "ana.lopez@globex.co.uk", "Ana", "López", "Globex Ltd", foyer.ConsentAccepted)
		bob := add(wsA.ID, "bob@initrode.com", "Bob", "Stone", "", foyer.ConsentRefused)
		eve := add(wsA.ID, "eve@globex.co.uk", "Ève", "Durand-Lopez", "", "")
		add(wsB.ID, "ana.lopez@globex.co.uk", "Ana", "López", "Globex Ltd", "") // the same person in B

		ids := func(cs []*foyer.Contact) []int64 {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		refused, unanswered := foyer.ConsentRefused, foyer.ConsentUnanswered
		for _, tc := range []struct {
			q    store.ContactQuery
			want []int64
		}{
			{store.ContactQuery{}, []int64{eve.ID, bob.ID, ana.ID}},
			{store.ContactQuery{Text: "ana"}, []int64{ana.ID}},
			{store.ContactQuery{Text: "LOPEZ"}, []int64{eve.ID, ana.ID}}, // López without its accent, and Durand-Lopez
			{store.ContactQuery{Text: "lópez ana"}, []int64{ana.ID}},
			{store.ContactQuery{Text: "eve"}, []int64{eve.ID}},
			{store.ContactQuery{Text: "globex"}, []int64{eve.ID, ana.ID}},
			{store.ContactQuery{Text: "globex.co.uk"}, []int64{eve.ID, ana.ID}},
			{store.ContactQuery{Text: "  Ana.Lopez@GLOBEX.co.uk "}, []int64{ana.ID}},
			{store.ContactQuery{Text: "bob@initrode.com"}, []int64{bob.ID}},
			{store.ContactQuery{Text: "ltd"}, []int64{ana.ID}},
			{store.ContactQuery{Text: "lop"}, nil}, // whole words only
			{store.ContactQuery{Text: "ana bob"}, nil},
			{store.ContactQuery{Text: "uk"}, nil}, // a public suffix is no word
			{store.ContactQuery{Text: "a"}, nil},
			{store.ContactQuery{Consent: &refused}, []int64{bob.ID}},
			{store.ContactQuery{Consent: &unanswered}, []int64{eve.ID}},
			{store.ContactQuery{Text: "lopez", Consent: &unanswered}, []int64{eve.ID}},
			{store.ContactQuery{Limit: 2}, []int64{eve.ID, bob.ID}},
			{store.ContactQuery{Limit: 2, Offset: 2}, []int64{ana.ID}},
			{store.ContactQuery{Text: "lopez", Limit: 1, Offset: 1}, []int64{ana.ID}},
			{store.ContactQuery{BeforeID: bob.ID}, []int64{ana.ID}},
			{store.ContactQuery{BeforeID: eve.ID, Limit: 1}, []int64{bob.ID}},
			{store.ContactQuery{Text: "lopez", BeforeID: eve.ID}, []int64{ana.ID}},
		} {
			got, err := s.SearchContacts(ctx, wsA.ID, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("%+v: %v, want %v", tc.q, ids(got), tc.want)
			}
		}
		if got, _ := s.SearchContacts(ctx, wsB.ID, store.ContactQuery{Text: "lopez"}); len(got) != 1 || got[0].WorkspaceID != wsB.ID {
			t.Errorf("workspace B's search: %+v", got)
		}

		// An update re-indexes: the old words no longer find the contact.
		bob.LastName, bob.Email = "Granite", "robert@initrode.com"
		if err := s.UpdateContact(ctx, bob, "user test"); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"stone": 0, "granite": 1, "bob@initrode.com": 0, "robert@initrode.com": 1} {
			if got, _ := s.SearchContacts(ctx, wsA.ID, store.ContactQuery{Text: q}); len(got) != want {
				t.Errorf("after the update, %q finds %d, want %d", q, len(got), want)
			}
		}
	})
}

// TestUpdateContact: an update replaces the personal fields but not the
// consent, refuses an email another contact has and another workspace's
// contact, and every change is recorded with its author and the names of
// the fields, never their values.
func TestUpdateContact(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		c := &foyer.Contact{WorkspaceID: wsA.ID, Email: "ana@example.com", FirstName: "Ana", Consent: foyer.ConsentState{Status: foyer.ConsentRefused}}
		if err := s.CreateContact(ctx, c, "user 1"); err != nil {
			t.Fatal(err)
		}
		other := &foyer.Contact{WorkspaceID: wsA.ID, Email: "bob@example.com"}
		if err := s.CreateContact(ctx, other, "user 1"); err != nil {
			t.Fatal(err)
		}
		edit := *c
		edit.FirstName, edit.Phone, edit.Attrs = "Anna", "+33 1 23 45 67 89", map[string]string{"plan": "gold"}
		edit.Consent = foyer.ConsentState{Status: foyer.ConsentAccepted} // not changed by an update
		if err := s.UpdateContact(ctx, &edit, "user 2"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, wsA.ID, c.ID)
		if err != nil || got.FirstName != "Anna" || got.Phone != "+33 1 23 45 67 89" || got.Attrs["plan"] != "gold" ||
			got.Consent.Status != foyer.ConsentRefused {
			t.Errorf("after the update: %+v, %v", got, err)
		}
		taken := *got
		taken.Email = "BOB@example.com"
		if err := s.UpdateContact(ctx, &taken, "user 2"); foyer.ErrorCode(err) != foyer.ECONFLICT {
			t.Errorf("taking bob's email: %v, want ECONFLICT", err)
		}
		foreign := *got
		foreign.WorkspaceID = wsB.ID
		if err := s.UpdateContact(ctx, &foreign, "user 2"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("workspace B updating A's contact: %v, want ENOTFOUND", err)
		}
		if again, _ := s.Contact(ctx, wsA.ID, c.ID); again.Email != "ana@example.com" {
			t.Errorf("a refused update changed the email: %+v", again)
		}
		same := *got
		if err := s.UpdateContact(ctx, &same, "user 3"); err != nil {
			t.Fatal(err)
		}
		changes, err := s.ContactChanges(ctx, wsA.ID, c.ID, 10)
		if err != nil || len(changes) != 2 {
			t.Fatalf("changes: %+v, %v (an update that changed nothing is not recorded)", changes, err)
		}
		if ch := changes[0]; ch.Action != "updated" || ch.Actor != "user 2" || strings.Join(ch.Fields, ",") != "first_name,phone,attributes" {
			t.Errorf("the update's record: %+v", ch)
		}
		if ch := changes[1]; ch.Action != "created" || ch.Actor != "user 1" {
			t.Errorf("the creation's record: %+v", ch)
		}
		if got, _ := s.ContactChanges(ctx, wsB.ID, c.ID, 10); len(got) != 0 {
			t.Errorf("workspace B reads A's changes: %+v", got)
		}
		if err := s.DeleteContact(ctx, wsA.ID, c.ID, "user 4"); err != nil {
			t.Fatal(err)
		}
		if changes, _ := s.ContactChanges(ctx, wsA.ID, c.ID, 10); len(changes) != 3 || changes[0].Action != "deleted" || changes[0].Actor != "user 4" {
			t.Errorf("the deletion's record: %+v", changes)
		}
	})
}

// TestTrackingMode: a workspace starts in opt-out mode; a switch is an
// entry of the history (source mode) that keeps the chain intact, and a
// switch to the mode it is in writes nothing.
func TestTrackingMode(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		if m, err := s.TrackingMode(ctx, ws.ID); err != nil || m != foyer.TrackingOptOut {
			t.Fatalf("a new workspace's mode: %q, %v", m, err)
		}
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com", Consent: foyer.ConsentState{Status: foyer.ConsentAccepted}}
		if err := s.CreateContact(ctx, c, "user 1"); err != nil {
			t.Fatal(err)
		}
		if changed, err := s.SetTrackingMode(ctx, ws.ID, foyer.TrackingOptIn, "user 1", "legal review #12"); err != nil || !changed {
			t.Fatalf("switch to opt-in: %v, %v", changed, err)
		}
		if changed, err := s.SetTrackingMode(ctx, ws.ID, foyer.TrackingOptIn, "user 1", ""); err != nil || changed {
			t.Errorf("the same mode again: %v, %v", changed, err)
		}
		if _, err := s.SetTrackingMode(ctx, ws.ID, "sometimes", "user 1", ""); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("an unknown mode: %v", err)
		}
		if _, err := s.SetTrackingMode(ctx, 1<<40, foyer.TrackingOptIn, "user 1", ""); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("no such workspace: %v", err)
		}
		if m, _ := s.TrackingMode(ctx, ws.ID); m != foyer.TrackingOptIn {
			t.Errorf("mode %q after the switch", m)
		}
		entries, err := s.WorkspaceConsentHistory(ctx, ws.ID, 0, 100)
		if err != nil || len(entries) != 2 {
			t.Fatalf("history: %+v, %v", entries, err)
		}
		mode := entries[1]
		if mode.ContactID != 0 || mode.Source != foyer.SourceMode || mode.Action != foyer.ActionModeOptIn || mode.Reason != "legal review #12" ||
			mode.Actor != "user 1" || !mode.Applied {
			t.Errorf("the switch's entry: %+v", mode)
		}
		if entries[0].Reason != "" || entries[0].ContactID != c.ID {
			t.Errorf("the contact's entry: %+v", entries[0])
		}
		if br, err := s.VerifyConsent(ctx, ws.ID); err != nil || br != nil {
			t.Errorf("the chain after a switch: %v, %v", br, err)
		}
		if h, _ := s.ConsentHistory(ctx, ws.ID, c.ID); len(h) != 1 {
			t.Errorf("the contact's own history holds the switch: %+v", h)
		}
	})
}

// TestContactCompanyLink: a contact is linked to the workspace's company of
// its email's registrable domain, whether the company was stored before the
// contact or after it, and never to another workspace's company.
func TestContactCompanyLink(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		wsA, siteA := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
		hooli := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli", Domain: "hooli.example", Type: foyer.OrgBusiness}}
		with := func(h foyer.Hit, o foyer.Origin) foyer.Hit { h.Origin = o; return h }
		appendHits(t, s, with(pageview(siteA.ID, "visitor-a1-000000000000", 0, "/a1"), globex))

		before := &foyer.Contact{WorkspaceID: wsA.ID, Email: "ana@eu.globex.example"}
		later := &foyer.Contact{WorkspaceID: wsA.ID, Email: "gavin@hooli.example"}
		inB := &foyer.Contact{WorkspaceID: wsB.ID, Email: "ana@globex.example"}
		for _, c := range []*foyer.Contact{before, later, inB} {
			if err := s.CreateContact(ctx, c, "user test"); err != nil {
				t.Fatal(err)
			}
		}
		if before.CompanyID == 0 {
			t.Error("a contact of a stored company's domain is not linked")
		}
		if later.CompanyID != 0 || inB.CompanyID != 0 {
			t.Errorf("linked with no company of the domain in the workspace: %d, %d", later.CompanyID, inB.CompanyID)
		}
		appendHits(t, s, with(pageview(siteA.ID, "visitor-a2-000000000000", time.Second, "/a2"), hooli))
		got, err := s.Contact(ctx, wsA.ID, later.ID)
		if err != nil || got.CompanyID == 0 || got.CompanyID == before.CompanyID {
			t.Errorf("a contact stored before its company: %+v, %v", got, err)
		}
		if got, _ := s.Contact(ctx, wsB.ID, inB.ID); got.CompanyID != 0 {
			t.Errorf("workspace B's contact linked to A's company %d", got.CompanyID)
		}
	})
}

// TestTrackingModeFixture: the same contacts (accepted, refused,
// unanswered, and unanswered after a clearing), in a workspace switched
// from opt-out to opt-in and back, are trackable or not exactly as the
// table of docs/consent.md says, read from the store after each switch.
func TestTrackingModeFixture(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "consent.md"))
	if err != nil {
		t.Fatal(err)
	}
	// | mode | Accepted | Refused | Unanswered |, rows opt-out and opt-in.
	docs := map[foyer.TrackingMode]map[foyer.ConsentStatus]bool{}
	for _, line := range strings.Split(string(md), "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 4 {
			continue
		}
		mode := foyer.TrackingMode(strings.Fields(cells[0])[0])
		if mode != foyer.TrackingOptOut && mode != foyer.TrackingOptIn {
			continue
		}
		docs[mode] = map[foyer.ConsentStatus]bool{}
		for i, st := range []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused, foyer.ConsentUnanswered} {
			docs[mode][st] = strings.TrimSpace(cells[i+1]) == "tracked"
		}
	}
	if len(docs) != 2 {
		t.Fatalf("docs/consent.md: no table of the two modes: %v", docs)
	}
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		var ids []int64
		for i, st := range []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused, foyer.ConsentUnanswered, foyer.ConsentRefused} {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("c%d@example.com", i), Consent: foyer.ConsentState{Status: st}}
			if err := s.CreateContact(ctx, c, "user test"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if _, _, _, err := s.RecordConsent(ctx, ws.ID, ids[3], foyer.ConsentChange{Status: foyer.ConsentUnanswered, Source: foyer.SourceAdmin, Actor: "user test"}); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []foyer.TrackingMode{foyer.TrackingOptOut, foyer.TrackingOptIn, foyer.TrackingOptOut} {
			if _, err := s.SetTrackingMode(ctx, ws.ID, mode, "user test", ""); err != nil {
				t.Fatal(err)
			}
			stored, err := s.TrackingMode(ctx, ws.ID)
			if err != nil || stored != mode {
				t.Fatalf("mode %q, want %q: %v", stored, mode, err)
			}
			for _, id := range ids {
				c, err := s.Contact(ctx, ws.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := foyer.MayTrack(stored, c.Consent), docs[mode][c.Consent.Status]; got != want {
					t.Errorf("%s mode, %s contact %d: tracked %v, the docs say %v", mode, c.Consent.Status.Label(), id, got, want)
				}
			}
		}
	})
}

// TestCreateContactWithConsent: a contact and its consent go in together;
// a change that cannot apply stores no contact.
func TestCreateContactWithConsent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
		next, applied, _, err := s.CreateContactWithConsent(ctx, c, "token 1", &foyer.ConsentChange{Status: foyer.ConsentRefused, At: at, Source: foyer.SourceAPI, Actor: "token 1"})
		if err != nil || !applied || next.Status != foyer.ConsentRefused || !next.At.Equal(at) || c.Consent != next {
			t.Fatalf("create with a refusal: %+v %v %v", next, applied, err)
		}
		if h, _ := s.ConsentHistory(ctx, ws.ID, c.ID); len(h) != 1 || h[0].Source != foyer.SourceAPI {
			t.Errorf("history: %+v", h)
		}
		bad := &foyer.Contact{WorkspaceID: ws.ID, Email: "bob@example.com"}
		_, _, _, err = s.CreateContactWithConsent(ctx, bad, "token 1", &foyer.ConsentChange{Status: foyer.ConsentUnanswered, Source: foyer.SourceAPI})
		if foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("an API clearing: %v", err)
		}
		if _, err := s.ContactByEmail(ctx, ws.ID, "bob@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a contact whose consent failed was stored: %v", err)
		}
	})
}

// TestEditContactConcurrent: edits of one contact at the same time apply
// in turn, each on the one before: none is lost.
func TestEditContactConcurrent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 1))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
		if err := s.CreateContact(ctx, c, "user test"); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, _, _, err := s.EditContact(ctx, ws.ID, c.ID, "token test", func(e *foyer.Contact) error {
					if e.Attrs == nil {
						e.Attrs = map[string]string{}
					}
					e.Attrs[fmt.Sprintf("k%d", i)] = "v"
					return nil
				}, nil)
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Contact(ctx, ws.ID, c.ID)
		if err != nil || len(got.Attrs) != n {
			t.Errorf("after %d edits at once: %v, %v", n, got.Attrs, err)
		}
		if _, _, _, err := s.EditContact(ctx, ws.ID, c.ID, "token test", func(e *foyer.Contact) error {
			e.FirstName = "Ana"
			return foyer.Errorf(foyer.EINVALID, "no")
		}, nil); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("an edit that fails: %v", err)
		}
		if got, _ := s.Contact(ctx, ws.ID, c.ID); got.FirstName != "" {
			t.Error("a failed edit was written")
		}
	})
}
