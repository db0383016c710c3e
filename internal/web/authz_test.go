package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/sso"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAuthorizationMatrix sends every app route as every role of workspace
// Acme, as a member of another workspace only, and signed out, at Acme's
// IDs and at the other workspace's, and checks each answer; a refused
// request changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWebTest(t)
	_, provider := newTestIdP(t)
	w.srv.cfg.SSO = []*sso.Provider{provider}
	roles := []foyer.Role{foyer.RoleOwner, foyer.RoleAdmin, foyer.RoleAnalyst, foyer.RoleViewer}
	for _, r := range roles {
		w.user(string(r)+"@example.com", "correct horse battery", "Acme", r)
	}
	outsiderID := w.user("outsider@example.com", "correct horse battery", "Initech", foyer.RoleOwner).ID
	victimID := w.user("victim@example.com", "correct horse battery", "Initech", foyer.RoleViewer).ID
	// A member of both workspaces, whose password no owner may reset.
	sharedID := w.user("shared@example.com", "correct horse battery", "Initech", foyer.RoleViewer).ID
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	w.visitFrom(acme, 0, foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}, at)
	w.visitFrom(initech, 1, foyer.Org{Name: "Hooli Inc", Type: foyer.OrgBusiness}, at)
	ctx := context.Background()
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	companyOf := func(ws int64) int64 {
		rows, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws, From: at, To: time.Now()})
		if err != nil || len(rows) != 1 {
			t.Fatalf("feed of %d: %v", ws, err)
		}
		return rows[0].ID
	}
	a, i := acme.WorkspaceID, initech.WorkspaceID
	ac, ic := companyOf(a), companyOf(i)
	if err := w.st.SetMembership(ctx, foyer.Membership{WorkspaceID: a, UserID: sharedID, Role: foyer.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	// An invitation to Acme for the victim, whom every caller tries to
	// join with the victim's password, or as themselves.
	invToken, invHash := auth.NewToken()
	if err := w.st.CreateLink(ctx, invHash, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: a, Email: "victim@example.com",
		Role: foyer.RoleOwner, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	invitation := "/invite/" + invToken
	// A member of Acme whom its owner removes, and a pending invitation of
	// each workspace, which callers try to revoke.
	leaverID := w.user("leaver@example.com", "correct horse battery", "Acme", foyer.RoleViewer).ID
	pendingHash := func(ws int64, email string) string {
		_, h := auth.NewToken()
		if err := w.st.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws, Email: email,
			Role: foyer.RoleViewer, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(h)
	}
	acmeInv, initechInv := pendingHash(a, "pending@example.com"), pendingHash(i, "pending@example.com")

	acmeFeed := &foyer.SavedFeed{WorkspaceID: a, Name: "Acme's feed", Query: "days=7"}
	initechFeed := &foyer.SavedFeed{WorkspaceID: i, Name: "Initech's feed", Query: "days=7"}
	for _, f := range []*foyer.SavedFeed{acmeFeed, initechFeed} {
		if err := w.st.SaveFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
	}

	// An automation rule of each workspace, on a segment of its own,
	// which callers read, edit and try to delete across workspaces.
	segmentOf := func(ws int64) int64 {
		var id int64
		if err := w.st.DB().QueryRow(`INSERT INTO segments (workspace_id, name, created_by, created_at, updated_at)
			VALUES (?, 'Hot', 'test', 0, 0) RETURNING id`, ws).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	aseg, iseg := segmentOf(a), segmentOf(i)
	ruleOf := func(ws, seg int64) int64 {
		r := &foyer.AutomationRule{WorkspaceID: ws, Name: "Tell sales", Trigger: foyer.TriggerSegmentEntered, SegmentID: seg,
			Actions: []foyer.AutomationAction{{Kind: foyer.ActionEmail}}, Enabled: true, OnlyTracked: true}
		if _, err := w.st.CreateAutomationRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	arule, irule := ruleOf(a, aseg), ruleOf(i, iseg)

	// A note on each workspace's company, by its owner, which callers try
	// to delete across workspaces.
	ownerID := w.mustUser("owner@example.com").ID
	acmeNote := &foyer.Note{WorkspaceID: a, CompanyID: ac, AuthorID: ownerID, Body: "Acme's note"}
	initechNote := &foyer.Note{WorkspaceID: i, CompanyID: ic, AuthorID: outsiderID, Body: "Initech's note"}
	for _, n := range []*foyer.Note{acmeNote, initechNote} {
		if err := w.st.AddNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	// A contact of each workspace, which callers read, edit, and try to
	// reach across workspaces.
	acmeContact := &foyer.Contact{WorkspaceID: a, Email: "ana@globex.example"}
	initechContact := &foyer.Contact{WorkspaceID: i, Email: "gavin@hooli.example"}
	for _, c := range []*foyer.Contact{acmeContact, initechContact} {
		if err := w.st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	acon, icon := acmeContact.ID, initechContact.ID
	campaign := func(ws int64) int64 {
		c := &foyer.Campaign{WorkspaceID: ws, Name: "News", Subject: "News", HTML: `<a href="https://www.example.com/">x</a>`,
			Links: []foyer.CampaignLink{{URL: "https://www.example.com/"}}, CreatedBy: "test"}
		if err := w.st.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	acamp, icamp := campaign(a), campaign(i)
	// A static segment of each workspace and a scoring rule of Initech,
	// which callers read, edit and try to reach across workspaces.
	acmeSeg := &foyer.Segment{WorkspaceID: a, Name: "Acme's list"}
	initechSeg := &foyer.Segment{WorkspaceID: i, Name: "Initech's list"}
	for _, sg := range []*foyer.Segment{acmeSeg, initechSeg} {
		if err := w.st.SaveSegment(ctx, sg, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.st.AddSegmentMember(ctx, i, initechSeg.ID, icon); err != nil {
		t.Fatal(err)
	}
	initechRule := &foyer.ScoreRule{WorkspaceID: i, Target: foyer.TargetContact, Name: "CTO", Points: 5,
		Condition: foyer.Condition{Kind: foyer.CondContact, Field: "role", Op: "is", Value: "CTO"}}
	if err := w.st.CreateScoreRule(ctx, initechRule, "test"); err != nil {
		t.Fatal(err)
	}
	// An open request about each workspace's contact.
	request := func(ws, contact int64) int64 {
		r := &foyer.SubjectRequest{WorkspaceID: ws, ContactID: contact, Kind: foyer.RequestRectification, OpenedBy: "test"}
		if err := w.st.OpenRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	areq, ireq := request(a, acon), request(i, icon)
	// An identified visit of each workspace's contact (Persona Insights),
	// which callers try to unlink across workspaces and contacts.
	identified := func(site *foyer.Site, contactID int64) int64 {
		visitor := fmt.Sprintf("visitor-known-%09d", contactID)
		pv := foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview, Host: "www.example.com", Path: "/"}
		id := pv
		id.Kind, id.ContactID, id.Via, id.Time = foyer.KindIdentify, contactID, foyer.ViaForm, at.Add(time.Second)
		if err := w.st.SetPersonaBasis(ctx, site.WorkspaceID, foyer.PersonaLegitimateInterest, "test"); err != nil {
			t.Fatal(err)
		}
		if err := w.st.Append(ctx, []foyer.Hit{pv, id}); err != nil {
			t.Fatal(err)
		}
		visits, err := w.st.ContactVisits(ctx, site.WorkspaceID, contactID, 0, 10)
		if err != nil || len(visits) != 1 {
			t.Fatalf("identified visit of contact %d: %v, %v", contactID, visits, err)
		}
		return visits[0].ID
	}
	avisit, ivisit := identified(acme, acon), identified(initech, icon)

	// The contact import pages, with a past import in each workspace and
	// the analyst's upload in flight in Acme.
	imports, err := importjob.NewManager(ctx, importjob.Config{Store: w.st, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(imports.Close)
	w.srv.cfg.Imports = imports
	acmeImp := &store.ContactImport{WorkspaceID: a, FileName: "acme.csv", Format: "csv"}
	initechImp := &store.ContactImport{WorkspaceID: i, FileName: "initech.csv", Format: "csv"}
	for _, imp := range []*store.ContactImport{acmeImp, initechImp} {
		if err := w.st.StartContactImport(ctx, imp); err != nil {
			t.Fatal(err)
		}
	}
	analystUpload, err := imports.Upload(ctx, a, w.mustUser("analyst@example.com").ID, "people.csv", false, strings.NewReader("email\nann@example.com\n"))
	if err != nil {
		t.Fatal(err)
	}

	cookies := map[string]string{"signed out": ""}
	for _, r := range roles {
		cookies[string(r)] = w.signIn(string(r) + "@example.com")
	}
	cookies["outsider"] = w.signIn("outsider@example.com")
	// Another user's session, whose ID every caller tries to revoke.
	victim := w.signIn("victim@example.com")
	victimSession := w.sessionID(victim)
	// Another user's linked account, which every caller tries to unlink.
	victimIdentity := &foyer.Identity{Issuer: provider.Issuer(), Subject: "victim", UserID: w.mustUser("victim@example.com").ID, Provider: "test"}
	if err := w.st.LinkIdentity(ctx, victimIdentity); err != nil {
		t.Fatal(err)
	}

	// The status each caller gets; a missing caller gets the default.
	type route struct {
		method, path string
		form         url.Values
		want         map[string]int
		def          int // for callers not in want
	}
	ok, seeOther, forbidden, notFound := http.StatusOK, http.StatusSeeOther, http.StatusForbidden, http.StatusNotFound
	badRequest := http.StatusBadRequest
	members := func(status int) map[string]int {
		return map[string]int{"owner": status, "admin": status, "analyst": status, "viewer": status}
	}
	with := func(m map[string]int, k string, v int) map[string]int { m[k] = v; return m }
	addSite := url.Values{"name": {"New"}, "hostnames": {"new.example"}}
	siteSettings := url.Values{"name": {"Renamed"}, "hostnames": {"www.example.com"}, "consent": {"required"}}
	routes := []route{
		{"GET", "/app", nil, with(with(members(ok), "outsider", ok), "signed out", seeOther), ok},
		{"GET", fmt.Sprintf("/app/w/%d", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", a, ac), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", a, ic), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", i, ic), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/export.csv", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/export.csv", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d", a, acme.ID), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d", a, initech.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites", a), addSite,
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites", i), addSite, map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, acme.ID), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, initech.ID), nil,
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", i, initech.ID), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, acme.ID), siteSettings,
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, initech.ID), siteSettings,
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", i, initech.ID), siteSettings, map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		// Deleting a site: admins and owners of its workspace, here with a
		// wrong name, which deletes nothing (400).
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/delete", a, acme.ID), url.Values{"confirm": {"not the name"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/delete", a, initech.ID), url.Values{"confirm": {initech.Name}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/delete", i, initech.ID), url.Values{"confirm": {"not the name"}},
			map[string]int{"signed out": seeOther, "outsider": badRequest}, notFound},
		// A test visit: admins and owners; here no collector answers, which
		// the site's page is told (303).
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/test-visit", a, acme.ID), url.Values{},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/test-visit", a, initech.ID), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/test-visit", i, initech.ID), url.Values{},
			map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		// A GET of a form's path goes to the form's page, for anyone.
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/delete", a, acme.ID), nil, nil, seeOther},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/test-visit", i, initech.ID), nil, nil, seeOther},
		// Contacts: every member reads them; analysts and above change
		// them and their consent; admins and owners delete them (here one
		// of another workspace, or an invalid form, so nothing changes).
		{"GET", fmt.Sprintf("/app/w/%d/contacts", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d", a, acon), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d", a, icon), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/new", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts", a), url.Values{"email": {"not an address"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d", a, acon), url.Values{"email": {"not an address"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d", a, icon), url.Values{"email": {"stolen@example.com"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/consent", a, acon), url.Values{"status": {"maybe"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/consent", a, icon), url.Values{"status": {"refused"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/delete", a, icon), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d/delete", a, acon), nil, nil, seeOther},
		// Data-subject requests: admins and owners record and handle them,
		// of their own workspace's contacts only; owners set the time to
		// answer. The forms here change nothing: an unknown kind, a bad
		// number of days (400), a rejection without a reason (409),
		// another workspace's contact or request (404).
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/requests", a, acon), url.Values{"kind": {"everything"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/requests", a, icon), url.Values{"kind": {"access"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/requests", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/requests", i), nil, map[string]int{"outsider": ok, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/requests/days", a), url.Values{"days": {"0"}},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/requests/%d/reject", a, areq), url.Values{},
			map[string]int{"owner": http.StatusConflict, "admin": http.StatusConflict, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/requests/%d/reject", a, ireq), url.Values{"reason": {"no"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/requests/%d/fulfil", a, ireq), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/requests/%d/fulfil", a, areq), nil, nil, seeOther},
		// Keeping a contact flagged for review: admins and owners, as erasing.
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/keep", a, acon), url.Values{},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/keep", a, icon), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/keep", i, acon), url.Values{},
			map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d/keep", a, acon), nil, nil, seeOther},
		// Campaigns: every member reads them and their results, of their
		// own workspace only.
		{"GET", fmt.Sprintf("/app/w/%d/campaigns", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/campaigns", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/campaigns/%d", a, acamp), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/campaigns/%d", a, icamp), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/campaigns/%d", i, acamp), nil, map[string]int{"signed out": seeOther}, notFound},
		// Sending a campaign through the relay: admins and owners, of their
		// own workspace's campaigns; an empty list changes nothing (400).
		{"POST", fmt.Sprintf("/app/w/%d/campaigns/%d/deliveries", a, acamp), url.Values{"recipients": {""}, "per_minute": {"60"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/campaigns/%d/deliveries", a, icamp), url.Values{"recipients": {"ana@example.com"}, "per_minute": {"60"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/campaigns/%d/deliveries", i, acamp), url.Values{"recipients": {"ana@example.com"}, "per_minute": {"60"}},
			map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/campaigns/%d/deliveries", a, acamp), nil, nil, seeOther},
		// Persona Insights: every member reads the activity stream (it
		// names contacts, as their pages do); admins and owners unlink a
		// contact's visits, of their own workspace's contacts only, and
		// a visit only through its own contact.
		{"GET", fmt.Sprintf("/app/w/%d/activity", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/activity", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", a, acon, avisit), url.Values{},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", a, acon, ivisit), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", a, icon, ivisit), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", i, icon, avisit), url.Values{},
			map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/unlink", a, acon), url.Values{"confirm": {"yes"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/unlink", a, icon), url.Values{"confirm": {"yes"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/%d/visits/unlink", i, acon), url.Values{"confirm": {"yes"}},
			map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", a, acon, avisit), nil, nil, seeOther},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/%d/visits/unlink", a, acon), nil, nil, seeOther},
		{"GET", fmt.Sprintf("/app/w/%d/settings", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// The privacy texts, written from the workspace's settings, and
		// their downloads: admins and owners.
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts?lang=fr", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts.md?lang=fr", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts.md", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts.html", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/privacy-texts.html?lang=en", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		// The audit log and its export: owners only, each of their own workspace.
		{"GET", fmt.Sprintf("/app/w/%d/audit", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/audit", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/audit?action=sign_in&from=2020-01-01&to=2099-12-31&actor=owner", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/audit?from=yesterday", a), nil,
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/audit.csv", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/audit.csv", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/audit", a), nil, nil, http.StatusMethodNotAllowed},
		{"POST", fmt.Sprintf("/app/w/%d/settings/tracking-mode", a), url.Values{"mode": {"sometimes"}},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// Persona Insights and the HubSpot connection: owners only.
		{"POST", fmt.Sprintf("/app/w/%d/settings/persona", a), url.Values{"basis": {"whim"}},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// The retention: owners only, and only their workspace's.
		{"POST", fmt.Sprintf("/app/w/%d/settings/retention", a), url.Values{"event_days": {"400"}, "link_days": {"400"}, "review_months": {"24"}},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/settings/retention", a), url.Values{"event_days": {"1"}, "link_days": {"400"}, "review_months": {"24"}},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/settings/retention", i), url.Values{"event_days": {"400"}, "link_days": {"400"}, "review_months": {"24"}},
			map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/settings/retention", a), nil, nil, seeOther},
		// The contacts to review: every member of the workspace.
		{"GET", fmt.Sprintf("/app/w/%d/contacts?review=1", a), nil,
			map[string]int{"signed out": seeOther, "outsider": notFound}, ok},
		{"GET", fmt.Sprintf("/app/w/%d/contacts?review=1", i), nil,
			map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/settings/hubspot", a), url.Values{"token": {""}},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/settings/hubspot/check", a), url.Values{},
			map[string]int{"owner": badRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/members", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/invites", a), url.Values{"email": {"x@example.com"}, "role": {"owner"}},
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/tokens", a), url.Values{"scope": {"read"}},
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/tokens/%d/revoke", a, 999999), url.Values{},
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/require-2fa", a), url.Values{},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// The hosted forms' settings: owners of the workspace only.
		{"POST", fmt.Sprintf("/app/w/%d/contact-forms", a), url.Values{},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contact-forms", i), url.Values{}, map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/logo", a), url.Values{"remove": {"on"}},
			map[string]int{"owner": http.StatusBadRequest, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/forms/logo/%d", a), nil, nil, notFound},
		// Roles and removals: owners only, of their own workspace's
		// members; a role set to the one a member has changes nothing.
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/role", a, leaverID), url.Values{"role": {"viewer"}},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/role", a, outsiderID), url.Values{"role": {"viewer"}},
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/role", i, leaverID), url.Values{"role": {"owner"}},
			map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/role", i, victimID), url.Values{"role": {"viewer"}},
			map[string]int{"outsider": seeOther, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/remove", a, outsiderID), nil,
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/remove", i, leaverID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/remove", a, leaverID), nil,
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// Invitations: owners revoke their own workspace's.
		{"POST", fmt.Sprintf("/app/w/%d/invites/%s/revoke", a, initechInv), url.Values{},
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/invites/%s/revoke", i, acmeInv), url.Values{}, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/invites/%s/revoke", a, acmeInv), url.Values{},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/reset", a, outsiderID), nil,
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		// No owner makes a reset link for a member of another workspace.
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/reset", a, sharedID), nil,
			map[string]int{"outsider": notFound, "signed out": seeOther}, forbidden},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/reset", i, sharedID), nil,
			map[string]int{"outsider": forbidden, "signed out": seeOther}, notFound},
		// The invitation page checks no password and tells nothing; only
		// the invited address, signed in, joins.
		{"GET", invitation, nil, nil, ok},
		{"POST", invitation, url.Values{"password": {"correct horse battery"}}, nil, http.StatusConflict},
		{"POST", invitation, url.Values{"join": {"1"}, "password": {"correct horse battery"}}, nil, forbidden},
		{"POST", fmt.Sprintf("/app/w/%d/feeds", a), url.Values{"name": {"Hot"}, "query": {"days=7&sort=score"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/feeds", i), url.Values{"name": {"Hot"}, "query": {"days=7"}},
			map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/delete", a, initechFeed.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/delete", i, acmeFeed.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		// Automations: every member reads them; admins and owners make,
		// change and delete them, of their own workspace only. The forms
		// here change nothing: no name (400), another workspace's segment
		// or rule (404).
		{"GET", fmt.Sprintf("/app/w/%d/automations", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/new", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations", a), url.Values{"name": {""}, "trigger": {"segment-entered"}, "segment": {idOf(aseg)}, "email": {"on"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations", a), url.Values{"name": {"Theirs"}, "trigger": {"segment-entered"}, "segment": {idOf(iseg)}, "email": {"on"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations/%d", a, arule), url.Values{"name": {"Theirs"}, "trigger": {"contact-score"}, "threshold": {"5"}, "add_to": {idOf(iseg)}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations", i), url.Values{"name": {""}},
			map[string]int{"signed out": seeOther, "outsider": badRequest}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/%d", a, arule), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/%d", a, irule), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/%d", i, irule), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/x", a), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations/%d", a, arule), url.Values{"name": {""}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations/%d", a, irule), url.Values{"name": {"Stolen"}, "trigger": {"segment-entered"}, "segment": {idOf(aseg)}, "email": {"on"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations/%d/delete", a, irule), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/automations/%d/delete", i, arule), url.Values{}, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/automations/%d/delete", a, arule), nil, nil, seeOther},
		// Feed alerts: every member subscribes themself to a saved feed of
		// the workspace; another workspace's feed is not found, through
		// either workspace's path.
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/alert", a, acmeFeed.ID), url.Values{"frequency": {"daily"}},
			map[string]int{"outsider": notFound}, seeOther},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/alert", a, acmeFeed.ID), url.Values{"frequency": {"off"}},
			map[string]int{"outsider": notFound}, seeOther},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/alert", a, acmeFeed.ID), url.Values{"frequency": {"hourly"}},
			map[string]int{"outsider": notFound, "signed out": seeOther}, badRequest},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/alert", a, initechFeed.ID), url.Values{"frequency": {"daily"}},
			map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/feeds/%d/alert", i, acmeFeed.ID), url.Values{"frequency": {"daily"}},
			map[string]int{"signed out": seeOther}, notFound},
		// Segments and scoring: every member views them; analysts and
		// above edit them, their own workspace's only. The forms here
		// change nothing: a segment or rule with no name, another
		// workspace's contact, a half-life of 0 (400); another
		// workspace's segment, member or rule (404).
		{"GET", fmt.Sprintf("/app/w/%d/segments", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments", i), nil, map[string]int{"outsider": ok, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/new", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments", a), url.Values{"name": {""}, "static": {"on"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/%d", a, acmeSeg.ID), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/%d", a, initechSeg.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/%d/edit", a, acmeSeg.ID), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/%d/edit", a, initechSeg.ID), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments/%d", a, initechSeg.ID), url.Values{"name": {"Stolen"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments/%d/delete", a, initechSeg.ID), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments/%d/members", a, acmeSeg.ID), url.Values{"email": {"gavin@hooli.example"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments/%d/members/%d/remove", a, initechSeg.ID, icon), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/segments/evaluate", a), url.Values{},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/segments/evaluate", a), nil, nil, seeOther},
		{"GET", fmt.Sprintf("/app/w/%d/scoring", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"POST", fmt.Sprintf("/app/w/%d/scoring/rules", a), url.Values{"name": {""}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/scoring/rules/%d/delete", a, initechRule.ID), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/scoring/half-life", a), url.Values{"days": {"0"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		// A company's notes, tags and assignee: analysts and above write
		// them, on their own workspace's companies only; a company or note
		// of another workspace is not found, also in the caller's own
		// workspace's path.
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes", a, ac), url.Values{"body": {"Called them"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes", a, ic), url.Values{"body": {"Called them"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes", i, ic), url.Values{"body": {"Called them"}},
			map[string]int{"outsider": seeOther, "signed out": seeOther}, notFound},
		// Importing a company's HubSpot contacts: analysts and above, on
		// their own workspace's companies (this one has no domain: 400).
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/hubspot-import", a, ac), url.Values{},
			map[string]int{"owner": http.StatusBadRequest, "admin": http.StatusBadRequest, "analyst": http.StatusBadRequest,
				"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/hubspot-import", a, ic), url.Values{},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes", a, ac), url.Values{"body": {" "}},
			map[string]int{"owner": http.StatusBadRequest, "admin": http.StatusBadRequest, "analyst": http.StatusBadRequest,
				"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes/%d/delete", a, ac, initechNote.ID), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes/%d/delete", i, ic, acmeNote.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/notes/%d/delete", a, ac, acmeNote.ID), nil, // the owner's note
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther, "outsider": notFound}, seeOther},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/tags", a, ac), url.Values{"tag": {"hot lead"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/tags", a, ic), url.Values{"tag": {"hot lead"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/tags/remove", a, ic), url.Values{"tag": {"initech"}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/tags/remove", i, ic), url.Values{"tag": {"initech"}},
			map[string]int{"outsider": seeOther, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/tags/remove", a, ac), url.Values{"tag": {"acme"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/assignee", a, ac), url.Values{"user": {fmt.Sprint(ownerID)}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/assignee", a, ac), url.Values{"user": {fmt.Sprint(outsiderID)}},
			map[string]int{"owner": http.StatusBadRequest, "admin": http.StatusBadRequest, "analyst": http.StatusBadRequest,
				"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/assignee", a, ic), url.Values{"user": {fmt.Sprint(ownerID)}},
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/assignee", i, ic), url.Values{"user": {fmt.Sprint(ownerID)}},
			map[string]int{"outsider": http.StatusBadRequest, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/assignee", i, ic), url.Values{"user": {""}},
			map[string]int{"outsider": seeOther, "signed out": seeOther}, notFound},
		// Corrections of the feed: admins and owners, of their own
		// workspace's companies. The forms here change nothing: an
		// unknown kind, a company that is not hidden, a domain that is
		// none, a type that cannot be hidden (400); undoing what is not
		// hidden (303).
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/hide", a, ac), url.Values{"kind": {"friend"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/hide", a, ic), url.Values{"kind": {"isp"}},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/hide", i, ic), url.Values{"kind": {"friend"}},
			map[string]int{"outsider": badRequest, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/unhide", a, ac), url.Values{},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/c/%d/unhide", a, ic), url.Values{},
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d/hide", a, ac), nil, nil, seeOther},
		{"GET", fmt.Sprintf("/app/w/%d/hidden", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/hidden", i), nil, map[string]int{"outsider": ok, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/hidden/classify.tsv", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/hidden/classify.tsv", i), nil, map[string]int{"outsider": ok, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/undo", a), url.Values{"org_key": {"domain:nobody.example"}},
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/undo", i), url.Values{"org_key": {"domain:nobody.example"}},
			map[string]int{"outsider": seeOther, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/domain", a), url.Values{"domain": {"not a domain"}, "kind": {"own"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/domain", i), url.Values{"domain": {"not a domain"}, "kind": {"own"}},
			map[string]int{"outsider": badRequest, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/types", a), url.Values{"type": {"business"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/types", i), url.Values{"type": {"business"}},
			map[string]int{"outsider": badRequest, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/hidden/types", a), nil, nil, seeOther},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/show", a), url.Values{"org": {"999999999"}},
			map[string]int{"owner": notFound, "admin": notFound, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/hidden/show", i), url.Values{"org": {"999999999"}},
			map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/hidden/show", a), nil, nil, seeOther},
		// Contact imports: analysts and above, of their own workspace; an
		// upload in flight is its uploader's alone; a form of another
		// kind than an upload is refused (400).
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import", i), nil, map[string]int{"outsider": ok, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/records/%d", a, acmeImp.ID), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/records/%d", a, initechImp.ID), nil,
			map[string]int{"viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/records/%d", i, acmeImp.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/import", a), url.Values{"latin1": {"1"}},
			map[string]int{"owner": badRequest, "admin": badRequest, "analyst": badRequest, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/import", i), url.Values{}, map[string]int{"outsider": badRequest, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/u/%s", a, analystUpload.ID), nil,
			map[string]int{"analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/u/%s/progress", a, analystUpload.ID), nil,
			map[string]int{"analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/u/%s", i, analystUpload.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/import/u/%s/start", a, analystUpload.ID), url.Values{},
			map[string]int{"analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound}, // not previewed: back to its page
		{"POST", fmt.Sprintf("/app/w/%d/contacts/import/u/%s/preview", i, analystUpload.ID), url.Values{}, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/contacts/import/u/%s/cancel", a, analystUpload.ID), url.Values{},
			map[string]int{"analyst": seeOther, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/contacts/import/u/%s/cancel", a, analystUpload.ID), nil, nil, seeOther},
		// Single sign-on starts for anyone; a callback without the
		// browser's flow is refused for anyone.
		{"GET", "/login/sso/test", nil, nil, seeOther},
		{"GET", "/login/sso/test/callback?code=c&state=s", nil, nil, http.StatusBadRequest},
		{"GET", "/login/sso/other", nil, nil, notFound},
		{"GET", "/invite/not-a-token/sso/test", nil, nil, notFound},
		// Once users exist, no setup link creates another owner.
		{"GET", "/setup/not-a-token", nil, nil, notFound},
		{"POST", "/setup/not-a-token", url.Values{"workspace": {"Acme"}, "email": {"eve@example.com"},
			"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}, nil, notFound},
		// The hosted contact forms take no session: only a link signed for
		// the contact, which none of these is; the API takes no session
		// either, only a token (TestContactLinksAPI has the token matrix).
		{"GET", fmt.Sprintf("/forms/%d/profile/not-a-token", a), nil, nil, notFound},
		{"POST", fmt.Sprintf("/forms/%d/profile/not-a-token", a), url.Values{"consent_shown": {"1"}}, nil, notFound},
		{"POST", fmt.Sprintf("/forms/%d/optout/not-a-token", a), url.Values{}, nil, notFound},
		{"GET", fmt.Sprintf("/forms/%d/optout/not-a-token/done", a), nil, nil, notFound},
		{"POST", fmt.Sprintf("/forms/%d/unsubscribe/not-a-token", a), url.Values{}, nil, notFound},
		{"GET", fmt.Sprintf("/forms/%d/unsubscribe/not-a-token/done", a), nil, nil, notFound},
		{"GET", "/forms/browser/not-a-token?from=www.example.com", nil, nil, notFound},
		{"GET", "/api/v1/contacts/1/links", nil, nil, http.StatusUnauthorized},
		// The account pages are the caller's own: any signed-in user, and
		// another user's session is not found.
		{"GET", "/account", nil, map[string]int{"signed out": seeOther}, ok},
		{"GET", "/account/2fa", nil, map[string]int{"signed out": seeOther}, ok},
		{"POST", "/account/password", url.Values{"current": {"not the password"}, "password": {"a brand new password"}, "confirm": {"a brand new password"}},
			map[string]int{"signed out": seeOther}, http.StatusUnauthorized},
		{"POST", "/account/sessions/" + victimSession + "/revoke", url.Values{}, map[string]int{"signed out": seeOther}, notFound},
		{"POST", "/account/identities/" + victimIdentity.PublicID() + "/unlink", url.Values{}, map[string]int{"signed out": seeOther}, notFound},
		{"POST", "/account/sign-out-others", url.Values{}, nil, seeOther},
		{"POST", "/account/time-zone", url.Values{"zone": {"Mars/Olympus"}}, map[string]int{"signed out": seeOther}, http.StatusBadRequest},
		{"POST", "/account/time-zone", url.Values{"zone": {"UTC"}, "back": {"/app"}}, nil, seeOther},
		// Turning two-factor authentication off and new recovery codes act
		// on the caller's own account only; no caller here has it on, so
		// each is sent to set it up, and a signed-out one to sign in.
		{"POST", "/account/2fa/off", url.Values{"code": {"000000"}}, nil, seeOther},
		{"POST", "/account/2fa/recovery-codes", url.Values{"code": {"000000"}}, nil, seeOther},
	}
	// sitesOf describes a workspace's sites (how many, and each one's
	// settings) and its saved feeds.
	sitesOf := func(ws int64) string {
		list, err := w.st.Sites(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, s := range list {
			fmt.Fprintf(&b, "%+v\n", *s)
		}
		feeds, err := w.st.SavedFeeds(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d saved feeds\n", len(feeds))
		members, err := w.st.Members(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			fmt.Fprintf(&b, "%s %s\n", m.User.Email, m.Role)
		}
		// What the team keeps about the workspace's company.
		co := map[int64]int64{a: ac, i: ic}[ws]
		notes, err := w.st.Notes(ctx, ws, co)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := w.st.Tags(ctx, ws, co)
		if err != nil {
			t.Fatal(err)
		}
		assignee, err := w.st.Assignee(ctx, ws, co)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d notes, tags %q, assigned to %d\n", len(notes), tags, assignee)
		hidden, err := w.st.OrgOverrides(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		types, err := w.st.HiddenTypes(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d hidden organisations, hidden types %q\n", len(hidden), types)
		forms, err := w.st.ContactForms(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "contact forms %+v\n", forms)
		// The identified visits of the workspace's contact.
		known, err := w.st.ContactVisits(ctx, ws, map[int64]int64{a: acon, i: icon}[ws], 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d identified visits\n", len(known))
		invs, err := w.st.Invitations(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			if inv.ID == acmeInv || inv.ID == initechInv {
				fmt.Fprintf(&b, "invitation %s\n", inv.ID)
			}
		}
		return b.String()
	}
	// cleanUp deletes the feeds that a permitted request saved, so that the
	// next caller can save one of the same name, and puts back a deleted
	// note.
	cleanUp := func() {
		// Put back the owner's note that an owner or admin deleted.
		if _, err := w.st.Note(ctx, a, acmeNote.ID); foyer.ErrorCode(err) == foyer.ENOTFOUND {
			if _, err := w.st.DB().Exec(`INSERT INTO company_notes (id, workspace_id, company_id, author_id, body, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, acmeNote.ID, a, ac, ownerID, acmeNote.Body, acmeNote.CreatedAt.UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
		// Link again the visit that an owner or admin unlinked.
		if _, err := w.st.DB().Exec(`UPDATE sessions SET contact_id = ?, identified_via = 1, identified_at = started_at
			WHERE id = ? AND contact_id IS NULL`, acon, avisit); err != nil {
			t.Fatal(err)
		}
		for _, ws := range []int64{a, i} {
			feeds, err := w.st.SavedFeeds(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range feeds {
				if f.ID != acmeFeed.ID && f.ID != initechFeed.ID {
					if err := w.st.DeleteSavedFeed(ctx, ws, f.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	defer func() {
		for _, c := range []struct{ ws, id int64 }{{a, arule}, {i, irule}} {
			if r, err := w.st.AutomationRule(ctx, c.ws, c.id); err != nil || r.Name != "Tell sales" {
				t.Errorf("rule %d after the matrix: %+v, %v", c.id, r, err)
			}
		}
		for _, ws := range []int64{a, i} {
			if rs, err := w.st.AutomationRules(ctx, ws); err != nil || len(rs) != 1 {
				t.Errorf("workspace %d has %d rules after the matrix (%v)", ws, len(rs), err)
			}
		}
	}()
	passwords := func() string {
		var all, h string
		rows, err := w.st.DB().Query(`SELECT password_hash FROM users ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			rows.Scan(&h)
			all += h + "\n"
		}
		return all
	}
	before := passwords()
	for _, rt := range routes {
		for who, cookie := range cookies {
			want, ok := rt.want[who]
			if !ok {
				want = rt.def
			}
			beforeA, beforeI := sitesOf(a), sitesOf(i)
			resp := w.do(rt.method, rt.path, rt.form, cookie, "Sec-Fetch-Site", "same-origin")
			body(resp)
			if resp.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d", rt.method, rt.path, who, resp.StatusCode, want)
			}
			if !w.signedInNow(victim) {
				t.Fatalf("%s %s as %s signed another user out", rt.method, rt.path, who)
			}
			if passwords() != before {
				t.Fatalf("%s %s as %s changed a password", rt.method, rt.path, who)
			}
			if ids, err := w.st.Identities(ctx, victimIdentity.UserID); err != nil || len(ids) != 1 {
				t.Fatalf("%s %s as %s unlinked another user's account: %v, %v", rt.method, rt.path, who, ids, err)
			}
			if rt.method == "POST" && resp.StatusCode != seeOther || who == "signed out" {
				if sitesOf(a) != beforeA || sitesOf(i) != beforeI {
					t.Errorf("%s %s as %s was refused (%d) but changed Acme from %s to %s, Initech from %s to %s", rt.method, rt.path,
						who, resp.StatusCode, beforeA, sitesOf(a), beforeI, sitesOf(i))
				}
			}
			if n := w.resetLinks(sharedID); n != 0 {
				t.Fatalf("%s %s as %s made a reset link for a member of two workspaces", rt.method, rt.path, who)
			}
			if _, err := w.st.Role(ctx, a, victimID); err == nil {
				t.Fatalf("%s %s as %s made the victim a member of Acme", rt.method, rt.path, who)
			}
			cleanUp()
		}
	}
}

// TestAPIAuthorizationMatrix sends every API route with no token, a bad
// one, and a read and a write token of Acme and of Initech, at a contact
// of Acme's, and checks each answer: read tokens read, write tokens also
// change, and no token reaches another workspace's contact (404, whatever
// its scope may do). A refused request changes nothing.
func TestAPIAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	const (
		ok, created, noContent  = http.StatusOK, http.StatusCreated, http.StatusNoContent
		unauthorized, forbidden = http.StatusUnauthorized, http.StatusForbidden
		notFound                = http.StatusNotFound
	)
	// The callers, Acme's write token last: its changes succeed.
	callers := []string{"no token", "bad token", "initech read", "initech write", "acme read", "acme write"}
	type route struct {
		method, path, body string // path: %[1]d is Acme's contact
		want               map[string]int
	}
	reads := func(own int) map[string]int {
		return map[string]int{"no token": unauthorized, "bad token": unauthorized, "initech read": own, "initech write": own,
			"acme read": ok, "acme write": ok}
	}
	// writes: Acme's read token is forbidden, Initech's tokens get
	// forbidden (read) or other (write: the contact is not theirs).
	writes := func(success, other int) map[string]int {
		return map[string]int{"no token": unauthorized, "bad token": unauthorized, "initech read": forbidden, "initech write": other,
			"acme read": forbidden, "acme write": success}
	}
	routes := []route{
		{"GET", "/api/v1/openapi.json", "", map[string]int{"no token": ok, "bad token": ok, "initech read": ok, "initech write": ok,
			"acme read": ok, "acme write": ok}},
		{"GET", "/api/v1/companies", "", reads(ok)},
		{"GET", "/api/v1/sites", "", reads(ok)},
		{"GET", "/api/v1/contacts", "", reads(ok)},
		{"GET", "/api/v1/contacts/%[1]d", "", reads(notFound)},
		{"GET", "/api/v1/contacts/%[1]d/consent", "", reads(notFound)},
		{"GET", "/api/v1/contacts/%[1]d/links", "", reads(notFound)},
		{"GET", "/api/v1/contacts/%[1]d/consent?format=csv", "", reads(notFound)},
		{"GET", "/api/v1/consent/history?format=csv", "", reads(ok)},
		{"POST", "/api/v1/contacts", `{"email":"new@example.com"}`, writes(created, created)},
		{"POST", "/api/v1/contacts/bulk", `{"contacts":[{"email":"new@example.com"}]}`, writes(ok, ok)},
		{"PATCH", "/api/v1/contacts/%[1]d", `{"first_name":"Changed"}`, writes(ok, notFound)},
		{"DELETE", "/api/v1/contacts/%[1]d", "", writes(noContent, notFound)},
		{"POST", "/api/v1/contacts/%[1]d/consent", `{"status":"refused","at":"2026-05-01"}`, writes(ok, notFound)},
		// Persona Insights: a contact's visits, unlinking them, its tokens.
		{"GET", "/api/v1/contacts/%[1]d/visits", "", reads(notFound)},
		{"DELETE", "/api/v1/contacts/%[1]d/visits", "", writes(ok, notFound)},
		{"DELETE", "/api/v1/contacts/%[1]d/visits/1", "", writes(notFound, notFound)},
		{"POST", "/api/v1/contacts/%[1]d/links", `{"days":30,"url":"https://www.example.com/offer"}`, writes(created, notFound)},
		// Data-subject requests.
		{"GET", "/api/v1/contacts/%[1]d/requests", "", reads(notFound)},
		{"POST", "/api/v1/contacts/%[1]d/requests", `{"kind":"objection","reference":"t-1"}`, writes(created, notFound)},
		{"GET", "/api/v1/contacts/%[1]d/requests/999999/access", "", writes(notFound, notFound)},
		// Campaigns (%[2]d is Acme's): read tokens read, write tokens
		// create and make messages, of their own workspace only.
		{"GET", "/api/v1/campaigns", "", reads(ok)},
		{"GET", "/api/v1/campaigns/%[2]d", "", reads(notFound)},
		{"POST", "/api/v1/campaigns", `{"name":"n","subject":"s","html":"<p>hi</p>"}`, writes(created, created)},
		{"POST", "/api/v1/campaigns/%[2]d/sends", `{"recipients":[{"contact_id":%[1]d}]}`, writes(ok, notFound)},
		{"POST", "/api/v1/campaigns/%[2]d/bounces", `{"bounces":[{"recipient_id":1,"reason":"550"}]}`, writes(ok, notFound)},
		// Segments: %[3]d is Acme's segment.
		{"GET", "/api/v1/segments", "", reads(ok)},
		{"GET", "/api/v1/segments/%[3]d/members", "", reads(notFound)},
		{"POST", "/api/v1/segments", `{"name":"CTOs","definition":{"match":"all","conditions":[{"kind":"contact","field":"role","op":"is","value":"CTO"}]}}`,
			writes(created, created)},
		// Sending through the relay: write tokens queue, read tokens see
		// the progress, of their own workspace's campaigns only.
		{"POST", "/api/v1/campaigns/%[2]d/deliveries", `{"recipients":[{"contact_id":%[1]d}],"per_minute":30}`, writes(http.StatusAccepted, notFound)},
		{"GET", "/api/v1/campaigns/%[2]d/deliveries", "", reads(notFound)},
	}
	relay, err := mailer.New(mailer.Config{Addr: testutil.NewSMTPServer(t, testutil.SMTPOptions{}).Addr, From: "news@example.com", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		w := newContactsTest(t, store.SQLite)
		w.srv.cfg.Mail = relay // a relay is configured: campaigns may be sent through it
		ctx := context.Background()
		acme, initech := w.wsID("Acme"), w.wsID("Initech")
		ana := &foyer.Contact{WorkspaceID: acme, Email: "ana@example.com", FirstName: "Ana"}
		if err := w.st.CreateContact(ctx, ana, "test"); err != nil {
			t.Fatal(err)
		}
		tokens := map[string]string{"no token": "", "bad token": "not-a-token",
			"initech read": w.token("Initech", foyer.ScopeRead), "initech write": w.token("Initech", foyer.ScopeWrite),
			"acme read": w.token("Acme", foyer.ScopeRead), "acme write": w.token("Acme", foyer.ScopeWrite)}
		state := func() string {
			var b strings.Builder
			for _, ws := range []int64{acme, initech} {
				list, err := w.st.SearchContacts(ctx, ws, foyer.ContactQuery{})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range list {
					fmt.Fprintf(&b, "%d %d %s %s %v\n", ws, c.ID, c.Email, c.FirstName, c.Consent)
				}
				h, err := w.st.WorkspaceConsentHistory(ctx, ws, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%d history entries\n", len(h))
			}
			return b.String()
		}
		camp := &foyer.Campaign{WorkspaceID: acme, Name: "News", Subject: "News", HTML: "<p>hi</p>", CreatedBy: "test"}
		if err := w.st.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		seg := &foyer.Segment{WorkspaceID: acme, Name: "Acme's list"}
		if err := w.st.SaveSegment(ctx, seg, "test"); err != nil {
			t.Fatal(err)
		}
		// The paths and bodies name their IDs by index: %[1]d the
		// contact, %[2]d the campaign, %[3]d the segment.
		path, body := rt.path, rt.body
		if strings.Contains(path, "%[") {
			path = fmt.Sprintf(rt.path, ana.ID, camp.ID, seg.ID)
		}
		if strings.Contains(body, "%[") {
			body = fmt.Sprintf(rt.body, ana.ID, camp.ID, seg.ID)
		}
		for _, who := range callers {
			before := state()
			r := httptest.NewRequest(rt.method, path, strings.NewReader(body))
			if tokens[who] != "" {
				r.Header.Set("Authorization", "Bearer "+tokens[who])
			}
			rec := httptest.NewRecorder()
			w.srv.ServeHTTP(rec, r)
			if rec.Code != rt.want[who] {
				t.Errorf("%s %s as %s: %d, want %d: %s", rt.method, rt.path, who, rec.Code, rt.want[who], rec.Body)
			}
			if strings.HasPrefix(who, "initech") && strings.Contains(rec.Body.String(), "ana@example.com") {
				t.Errorf("%s %s as %s: Acme's contact in the answer", rt.method, rt.path, who)
			}
			if rec.Code >= 300 && state() != before {
				t.Errorf("%s %s as %s was refused (%d) but changed the contacts", rt.method, rt.path, who, rec.Code)
			}
		}
	}
}
