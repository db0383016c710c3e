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

// identifyHit is an identification of visitor on site at t0+at.
func identifyHit(site int64, visitor string, at time.Duration, contact int64, via foyer.IdentifyVia) foyer.Hit {
	h := pageview(site, visitor, at, "/contact")
	h.Kind, h.ContactID, h.Via = foyer.KindIdentify, contact, via
	return h
}

// personaFixture is a workspace with Persona Insights on, a site, and
// contacts: accepted, refused and unanswered.
type personaFixture struct {
	s                             *store.Store
	ws                            *foyer.Workspace
	site                          *foyer.Site
	accepted, refused, unanswered *foyer.Contact
}

func newPersonaFixture(t *testing.T, d store.Dialect) *personaFixture {
	t.Helper()
	ctx := context.Background()
	s := testutil.NewStore(t, d, store.Options{})
	s.UseKeys(testKeys(t, 7))
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	f := &personaFixture{s: s, ws: ws, site: site}
	mk := func(email, first, role string, status foyer.ConsentStatus) *foyer.Contact {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: email, FirstName: first, LastName: "Doe", Role: role}
		var change *foyer.ConsentChange
		if status != foyer.ConsentUnanswered {
			change = &foyer.ConsentChange{Status: status, At: time.Now().Add(-time.Hour), Source: foyer.SourceAPI, Actor: "test"}
		}
		if _, _, _, err := s.CreateContactWithConsent(ctx, c, "test", change); err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.accepted = mk("jane@client.example", "Jane", "CTO", foyer.ConsentAccepted)
	f.refused = mk("rob@client.example", "Rob", "CFO", foyer.ConsentRefused)
	f.unanswered = mk("una@client.example", "Una", "CEO", foyer.ConsentUnanswered)
	if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "user 1"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *personaFixture) match(t *testing.T, ids foyer.Identifiers) int64 {
	t.Helper()
	id, err := f.s.MatchIdentifiers(context.Background(), f.ws.ID, &ids)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// visitsOf returns the visitor's visits (all, via the activity stream),
// oldest first.
func (f *personaFixture) visitsOf(t *testing.T, visitor string) []foyer.ActivityVisit {
	t.Helper()
	if _, err := f.s.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	all, err := f.s.Activity(context.Background(), foyer.ActivityQuery{WorkspaceID: f.ws.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []foyer.ActivityVisit
	for _, v := range slices.Backward(all) {
		if v.VisitorUID == visitor {
			out = append(out, v)
		}
	}
	return out
}

// TestMatchIdentifiers: an email or a token matches only a contact of the
// workspace that may be tracked, with Persona Insights on; names never
// match; an expired token or another workspace's matches nobody.
func TestMatchIdentifiers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaForm, Email: " JANE@Client.example "}); got != f.accepted.ID {
			t.Errorf("accepted contact by email: %d, want %d", got, f.accepted.ID)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaForm, Email: "una@client.example"}); got != f.unanswered.ID {
			t.Errorf("unanswered contact in opt-out mode: %d, want %d", got, f.unanswered.ID)
		}
		for name, ids := range map[string]foyer.Identifiers{
			"refused":       {Via: foyer.ViaForm, Email: "rob@client.example"},
			"unknown email": {Via: foyer.ViaForm, Email: "nobody@client.example"},
			"names alone":   {Via: foyer.ViaEmailLink, FirstName: "Jane", LastName: "Doe"},
			"not an email":  {Via: foyer.ViaForm, Email: "jane"},
			"unknown token": {Via: foyer.ViaToken, Token: "abcdefghijklmnopqrstuvwxyz012345"},
		} {
			if got := f.match(t, ids); got != 0 {
				t.Errorf("%s matched contact %d", name, got)
			}
		}
		// Opt-in mode: the unanswered contact is no longer trackable.
		if _, err := f.s.SetTrackingMode(ctx, f.ws.ID, foyer.TrackingOptIn, "user 1", "test"); err != nil {
			t.Fatal(err)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaForm, Email: "una@client.example"}); got != 0 {
			t.Errorf("unanswered contact in opt-in mode matched %d", got)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaForm, Email: "jane@client.example"}); got != f.accepted.ID {
			t.Errorf("accepted contact in opt-in mode: %d", got)
		}

		tok, err := f.s.CreateContactToken(ctx, f.ws.ID, f.accepted.ID, time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(tok.Token) < 22 {
			t.Errorf("token %q: too short for 128 bits", tok.Token)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaToken, Token: tok.Token}); got != f.accepted.ID {
			t.Errorf("by token: %d", got)
		}
		expired, err := f.s.CreateContactToken(ctx, f.ws.ID, f.accepted.ID, time.Millisecond, "test")
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaToken, Token: expired.Token}); got != 0 {
			t.Errorf("an expired token matched %d", got)
		}
		refusedTok, err := f.s.CreateContactToken(ctx, f.ws.ID, f.refused.ID, time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaToken, Token: refusedTok.Token}); got != 0 {
			t.Errorf("a refused contact's token matched %d", got)
		}

		// Another workspace: its token, its contact IDs and the same
		// email match nothing here, and nothing of here there.
		ws2, _ := testutil.NewSite(t, f.s, "Other", "other", "www.other.example")
		if err := f.s.SetPersonaBasis(ctx, ws2.ID, foyer.PersonaConsent, "user 2"); err != nil {
			t.Fatal(err)
		}
		if id, _ := f.s.MatchIdentifiers(ctx, ws2.ID, &foyer.Identifiers{Via: foyer.ViaToken, Token: tok.Token}); id != 0 {
			t.Errorf("another workspace's token matched %d", id)
		}
		if id, _ := f.s.MatchIdentifiers(ctx, ws2.ID, &foyer.Identifiers{Via: foyer.ViaForm, Email: "jane@client.example"}); id != 0 {
			t.Errorf("another workspace's contact matched %d", id)
		}
		if _, err := f.s.CreateContactToken(ctx, ws2.ID, f.accepted.ID, time.Hour, "test"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a token for another workspace's contact: %v", err)
		}

		// Persona Insights off: nobody matches.
		if err := f.s.SetPersonaBasis(ctx, f.ws.ID, foyer.PersonaOff, "user 1"); err != nil {
			t.Fatal(err)
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaForm, Email: "jane@client.example"}); got != 0 {
			t.Errorf("with Persona Insights off, matched %d", got)
		}
		p, err := f.s.PersonaSettings(ctx, f.ws.ID)
		if err != nil || p.On() || p.By != "user 1" {
			t.Errorf("settings after switching off: %+v, %v", p, err)
		}
	})
}

// TestIdentifyNotRetroactive: an identification links the visitor's
// current visit from its time on and the visits after, never the visits
// before; a linked contact's refusal makes what follows anonymous at once,
// in the same visit too.
func TestIdentifyNotRetroactive(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		const vis = "visitor-aaaaaaaaaaaa"
		site := f.site.ID
		appendHits(t, f.s, pageview(site, vis, 0, "/before"))            // visit 1
		appendHits(t, f.s, pageview(site, vis, 2*time.Hour, "/pricing")) // visit 2
		appendHits(t, f.s, identifyHit(site, vis, 2*time.Hour+time.Minute, f.accepted.ID, foyer.ViaForm))
		appendHits(t, f.s, pageview(site, vis, 2*time.Hour+2*time.Minute, "/thanks")) // visit 2 goes on
		appendHits(t, f.s, pageview(site, vis, 5*time.Hour, "/docs"))                 // visit 3, born linked

		v := f.visitsOf(t, vis)
		if len(v) != 3 {
			t.Fatalf("%d visits, want 3", len(v))
		}
		if v[0].Person != nil {
			t.Errorf("the visit before the identification is linked: %+v", v[0].Person)
		}
		for i, want := range []foyer.IdentifyVia{0, foyer.ViaForm, foyer.ViaForm} {
			if i == 0 {
				continue
			}
			p := v[i].Person
			if p == nil || p.ContactID != f.accepted.ID || p.Via != want || p.Name != "Jane Doe" || p.Role != "CTO" {
				t.Errorf("visit %d: person %+v, want Jane Doe, CTO, by %v", i+1, p, want)
			}
		}
		if got := v[1].Person.IdentifiedAt; !got.Equal(t0.Add(2*time.Hour + time.Minute)) {
			t.Errorf("visit 2 identified at %v", got)
		}

		// The contact's visits show the pages from the identification on.
		cv, err := f.s.ContactVisits(ctx, f.ws.ID, f.accepted.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(cv) != 2 {
			t.Fatalf("contact visits: %d, want 2", len(cv))
		}
		var paths []string
		for _, iv := range slices.Backward(cv) {
			for _, p := range iv.Pages {
				paths = append(paths, p.Path)
			}
		}
		if want := []string{"/thanks", "/docs"}; !slices.Equal(paths, want) {
			t.Errorf("the contact's pages: %q, want %q", paths, want)
		}
		if _, err := f.s.ContactVisits(ctx, f.ws.ID+1000, f.accepted.ID, 0, 50); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("another workspace's contact visits: %v", err)
		}

		// The contact refuses: the next event, within the same visit's
		// time, is anonymous, and so are the visits after.
		if _, _, _, err := f.s.RecordConsent(ctx, f.ws.ID, f.accepted.ID, foyer.ConsentChange{
			Status: foyer.ConsentRefused, At: time.Now(), Source: foyer.SourceAPI, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		appendHits(t, f.s, pageview(site, vis, 5*time.Hour+time.Minute, "/after-refusal"))
		appendHits(t, f.s, pageview(site, vis, 9*time.Hour, "/later"))
		v = f.visitsOf(t, vis)
		if len(v) != 5 {
			t.Fatalf("%d visits after the refusal, want 5", len(v))
		}
		for _, x := range v[3:] {
			if x.Person != nil {
				t.Errorf("a visit after the refusal is linked: %+v (pages %v)", x.Person, x.Pages)
			}
		}
		cv, _ = f.s.ContactVisits(ctx, f.ws.ID, f.accepted.ID, 0, 50)
		if len(cv) != 2 {
			t.Errorf("the contact has %d visits after refusing, want the 2 from before", len(cv))
		}
	})
}

// TestLinkReadBack: with the ingest caches kept to one entry, a visitor's
// latest visit and link are read back from the database at each append
// (on PostgreSQL in the statement that finds the visitor): a linked
// visitor's next visit is born linked, and goes on across appends.
func TestLinkReadBack(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		const vis, other = "visitor-bbbbbbbbbbbb", "visitor-cccccccccccc"
		site := f.site.ID
		appendHits(t, f.s, pageview(site, vis, 0, "/pricing"))
		appendHits(t, f.s, identifyHit(site, vis, time.Minute, f.accepted.ID, foyer.ViaForm))
		store.SetCacheLimit(f.s, 1)
		appendHits(t, f.s, pageview(site, other, 90*time.Minute, "/other")) // the caches forget vis
		appendHits(t, f.s, pageview(site, vis, 3*time.Hour, "/docs"))       // a new visit, born linked
		appendHits(t, f.s, pageview(site, other, 3*time.Hour, "/other/2"))
		appendHits(t, f.s, pageview(site, vis, 3*time.Hour+time.Minute, "/docs/2")) // it goes on

		v := f.visitsOf(t, vis)
		if len(v) != 2 {
			t.Fatalf("%d visits of the linked visitor, want 2", len(v))
		}
		if p := v[1].Person; p == nil || p.ContactID != f.accepted.ID {
			t.Errorf("the visit after the caches forgot the visitor: person %+v, want Jane's", p)
		}
		var paths []string
		for _, pg := range v[1].Pages {
			paths = append(paths, pg.Path)
		}
		slices.Sort(paths)
		if want := []string{"/docs", "/docs/2"}; !slices.Equal(paths, want) {
			t.Errorf("the second visit's pages: %q, want %q", paths, want)
		}
		for i, x := range f.visitsOf(t, other) {
			if x.Person != nil {
				t.Errorf("the other visitor's visit %d is linked: %+v", i+1, x.Person)
			}
		}
	})
}

// TestIdentifyRefusedNeverLinked: an identify hit for a contact who may
// not be tracked, or of another workspace, links nothing even if it
// reaches the store.
func TestIdentifyRefusedNeverLinked(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		ws2, site2 := testutil.NewSite(t, f.s, "Other", "other", "www.other.example")
		other := &foyer.Contact{WorkspaceID: ws2.ID, Email: "x@other.example"}
		if err := f.s.CreateContact(ctx, other, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetTrackingMode(ctx, f.ws.ID, foyer.TrackingOptIn, "user 1", "test"); err != nil {
			t.Fatal(err)
		}
		site := f.site.ID
		for i, c := range []int64{f.refused.ID, f.unanswered.ID, other.ID} {
			vis := "visitor-bbbbbbbbbbb" + string(rune('a'+i))
			appendHits(t, f.s, pageview(site, vis, 0, "/a"), identifyHit(site, vis, time.Second, c, foyer.ViaEmailLink),
				pageview(site, vis, 2*time.Second, "/b"))
			appendHits(t, f.s, pageview(site, vis, 3*time.Hour, "/c"))
			for _, v := range f.visitsOf(t, vis) {
				if v.Person != nil {
					t.Errorf("contact %d (case %d) linked: %+v", c, i, v.Person)
				}
			}
		}
		// And the other workspace's site's visits are not this workspace's.
		_ = site2
		if cv, err := f.s.ContactVisits(ctx, ws2.ID, other.ID, 0, 10); err != nil || len(cv) != 0 {
			t.Errorf("the other workspace's contact: %d visits, %v", len(cv), err)
		}
	})
}

// TestUnlink: an admin unlinks one visit, then all of a contact's; the
// visits stay as anonymous visits, later visits of the browser are
// anonymous, and the changes are recorded.
func TestUnlink(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		const vis = "visitor-cccccccccccc"
		site := f.site.ID
		appendHits(t, f.s, pageview(site, vis, 0, "/a"), identifyHit(site, vis, time.Second, f.accepted.ID, foyer.ViaToken))
		appendHits(t, f.s, pageview(site, vis, 2*time.Hour, "/b"))
		appendHits(t, f.s, pageview(site, vis, 4*time.Hour, "/c"))
		cv, err := f.s.ContactVisits(ctx, f.ws.ID, f.accepted.ID, 0, 50)
		if err != nil || len(cv) != 3 {
			t.Fatalf("contact visits: %d, %v", len(cv), err)
		}
		if err := f.s.UnlinkVisit(ctx, f.ws.ID+1000, f.accepted.ID, cv[0].ID, "user 9"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("unlink in another workspace: %v", err)
		}
		if err := f.s.UnlinkVisit(ctx, f.ws.ID, f.unanswered.ID, cv[0].ID, "user 9"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("unlink as another contact's visit: %v", err)
		}
		if err := f.s.UnlinkVisit(ctx, f.ws.ID, f.accepted.ID, cv[0].ID, "user 9"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.UnlinkVisit(ctx, f.ws.ID, f.accepted.ID, cv[0].ID, "user 9"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("unlink twice: %v", err)
		}
		if cv, _ := f.s.ContactVisits(ctx, f.ws.ID, f.accepted.ID, 0, 50); len(cv) != 2 {
			t.Errorf("after unlinking one visit: %d, want 2", len(cv))
		}
		n, err := f.s.UnlinkContact(ctx, f.ws.ID, f.accepted.ID, "user 9")
		if err != nil || n != 2 {
			t.Fatalf("unlink all: %d, %v", n, err)
		}
		appendHits(t, f.s, pageview(site, vis, 8*time.Hour, "/d"))
		v := f.visitsOf(t, vis)
		if len(v) != 4 {
			t.Fatalf("%d visits, want all 4 kept", len(v))
		}
		for _, x := range v {
			if x.Person != nil {
				t.Errorf("still linked after unlinking all: %+v", x.Person)
			}
		}
		changes, err := f.s.ContactChanges(ctx, f.ws.ID, f.accepted.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var unlinks [][]string
		for _, c := range changes {
			if c.Action == "unlinked" {
				unlinks = append(unlinks, c.Fields)
				if c.Actor != "user 9" {
					t.Errorf("unlinked by %q", c.Actor)
				}
			}
		}
		if len(unlinks) != 2 || !slices.Equal(unlinks[0], []string{"2 visits", "1 browser"}) {
			t.Errorf("recorded unlinks: %q", unlinks)
		}
	})
}

// TestHubSpotToken: the token is stored sealed, read back, and removed.
func TestHubSpotToken(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		const token = "pat-na1-11111111-2222-3333-4444-555555555555"
		if err := f.s.SetHubSpotToken(ctx, f.ws.ID, token, "user 1"); err != nil {
			t.Fatal(err)
		}
		if got, err := f.s.HubSpotToken(ctx, f.ws.ID); err != nil || got != token {
			t.Fatalf("token read back: %q, %v", got, err)
		}
		if err := f.s.SetHubSpotStatus(ctx, f.ws.ID, "HubSpot refused the token (401)"); err != nil {
			t.Fatal(err)
		}
		p, _ := f.s.PersonaSettings(ctx, f.ws.ID)
		if !p.HubSpot || p.HubSpotError == "" || p.HubSpotCheckedAt.IsZero() {
			t.Errorf("settings: %+v", p)
		}
		if err := f.s.SetHubSpotToken(ctx, f.ws.ID, "", "user 1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.HubSpotToken(ctx, f.ws.ID); got != "" {
			t.Errorf("removed token read back %q", got)
		}
	})
}

// TestDeletedContactUnlinked: deleting a contact leaves its visits as
// anonymous visits, its browsers linked to nobody, and its tokens void.
func TestDeletedContactUnlinked(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		const vis = "visitor-dddddddddddd"
		site := f.site.ID
		tok, err := f.s.CreateContactToken(ctx, f.ws.ID, f.accepted.ID, time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		appendHits(t, f.s, pageview(site, vis, 0, "/a"), identifyHit(site, vis, time.Second, f.accepted.ID, foyer.ViaToken))
		if err := f.s.DeleteContact(ctx, f.ws.ID, f.accepted.ID, "user 1"); err != nil {
			t.Fatal(err)
		}
		appendHits(t, f.s, pageview(site, vis, 3*time.Hour, "/b"))
		v := f.visitsOf(t, vis)
		if len(v) != 2 {
			t.Fatalf("%d visits, want both kept", len(v))
		}
		for _, x := range v {
			if x.Person != nil {
				t.Errorf("a visit still linked to the deleted contact: %+v", x.Person)
			}
		}
		if got := f.match(t, foyer.Identifiers{Via: foyer.ViaToken, Token: tok.Token}); got != 0 {
			t.Errorf("the deleted contact's token matched %d", got)
		}
	})
}

// TestActivityLeavesOutHidden: the visits of a company the workspace hides
// (its own, a competitor) leave the activity stream with it.
func TestActivityLeavesOutHidden(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newPersonaFixture(t, d)
		ctx := context.Background()
		for i, org := range []string{"Rival GmbH", "Client AG"} {
			h := pageview(f.site.ID, fmt.Sprintf("visitor-hidden-%06d", i), time.Duration(i)*time.Minute, "/")
			h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: org, ASN: uint32(100 + i), Type: foyer.OrgBusiness}}
			appendHits(t, f.s, h)
		}
		if _, err := f.s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		names := func() []string {
			vs, err := f.s.Activity(ctx, foyer.ActivityQuery{WorkspaceID: f.ws.ID})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, v := range vs {
				out = append(out, v.CompanyName)
			}
			slices.Sort(out)
			return out
		}
		if got := names(); !slices.Equal(got, []string{"Client AG", "Rival GmbH"}) {
			t.Fatalf("activity %q", got)
		}
		rows, err := f.s.Feed(ctx, foyer.FeedQuery{WorkspaceID: f.ws.ID, From: t0, To: t0})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Name == "Rival GmbH" {
				if _, err := f.s.HideCompany(ctx, f.ws.ID, r.ID, foyer.HideCompetitor, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := names(); !slices.Equal(got, []string{"Client AG"}) {
			t.Errorf("with Rival hidden, activity %q", got)
		}
	})
}
