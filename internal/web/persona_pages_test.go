package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// personaWeb is a webTest whose workspace Acme has Persona Insights on,
// members of every role, contacts at Globex (Jane, identified on two
// visits, the first after a page of hers; Rob, who refused), an
// anonymous visit from Globex and one from a carrier; and a workspace
// Initech with a contact identified on a visit of its own.
type personaWeb struct {
	*webTest
	acme, initech           *foyer.Site
	jane, rob, gil          *foyer.Contact
	globex, hooli           int64 // Acme's companies
	janeFirst, janeLater    int64 // Jane's visits
	anonymous, initechVisit int64
	at                      time.Time // the first page of Jane's first visit
}

func newPersonaWeb(t *testing.T) *personaWeb {
	t.Helper()
	w := &personaWeb{webTest: newWebTest(t)}
	ctx := context.Background()
	for _, r := range []foyer.Role{foyer.RoleOwner, foyer.RoleAdmin, foyer.RoleAnalyst, foyer.RoleViewer} {
		w.user(string(r)+"@example.com", "correct horse battery", "Acme", r)
	}
	w.user("outsider@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	w.acme, w.initech = w.site("Acme", "acme"), w.site("Initech", "initech")
	for _, s := range []*foyer.Site{w.acme, w.initech} {
		if err := w.st.SetPersonaBasis(ctx, s.WorkspaceID, foyer.PersonaLegitimateInterest, "test"); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(ws int64, email, first, last, role string) *foyer.Contact {
		c := &foyer.Contact{WorkspaceID: ws, Email: email, FirstName: first, LastName: last, Role: role}
		if err := w.st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.jane = mk(w.acme.WorkspaceID, "jane@globex.example", "Jane", "Doe", "Chief technology officer")
	w.rob = mk(w.acme.WorkspaceID, "rob@globex.example", "Rob", "Roe", "Buyer")
	w.gil = mk(w.initech.WorkspaceID, "gil@globex.example", "Gil", "Secret", "Initech's contact")
	if _, _, _, err := w.st.RecordConsent(ctx, w.acme.WorkspaceID, w.rob.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
		At: time.Now().Add(-time.Hour), Source: foyer.SourceAdmin, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
	hooli := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli Inc", Domain: "hooli.example", Type: foyer.OrgBusiness}}
	carrier := foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Example Telecom", Type: foyer.OrgISP}}
	w.at = time.Now().Add(-5 * time.Hour).Truncate(time.Minute) // identified half a minute later, the same day in every zone
	page := func(site *foyer.Site, visitor string, at time.Duration, path string, o foyer.Origin) foyer.Hit {
		return foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: w.at.Add(at), Kind: foyer.KindPageview,
			Host: "www.example.com", Path: path, Origin: o}
	}
	identify := func(h foyer.Hit, contact int64, via foyer.IdentifyVia) foyer.Hit {
		h.Kind, h.ContactID, h.Via, h.Path = foyer.KindIdentify, contact, via, ""
		return h
	}
	const jane, other, gil = "visitor-jane-0000000000", "visitor-other-000000000", "visitor-gil-00000000000"
	for _, hits := range [][]foyer.Hit{
		{page(w.acme, jane, 0, "/pricing", globex), identify(page(w.acme, jane, 30*time.Second, "", globex), w.jane.ID, foyer.ViaForm),
			page(w.acme, jane, 2*time.Minute, "/thanks", globex)},
		{page(w.acme, other, 10*time.Minute, "/careers", globex)},
		{page(w.acme, "visitor-carrier-0000000", 20*time.Minute, "/blog", carrier)},
		{page(w.acme, "visitor-hooli-000000000", 30*time.Minute, "/", hooli)},
		{page(w.acme, jane, 3*time.Hour, "/docs", globex)}, // a new visit, Jane's from its start
		{page(w.initech, gil, 0, "/", globex), identify(page(w.initech, gil, time.Second, "", globex), w.gil.ID, foyer.ViaToken)},
	} {
		if err := w.st.Append(ctx, hits); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*foyer.Site{w.acme, w.initech} {
		list, err := w.st.Activity(ctx, foyer.ActivityQuery{WorkspaceID: s.WorkspaceID})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range list {
			switch {
			case v.Person != nil && v.Person.ContactID == w.jane.ID && v.Pageviews == 2:
				w.janeFirst = v.ID
			case v.Person != nil && v.Person.ContactID == w.jane.ID:
				w.janeLater = v.ID
			case v.Person != nil && v.Person.ContactID == w.gil.ID:
				w.initechVisit = v.ID
			case v.CompanyName == "Globex GmbH":
				w.anonymous = v.ID
			}
			switch v.CompanyName {
			case "Globex GmbH":
				if s == w.acme {
					w.globex = v.CompanyID
				}
			case "Hooli Inc":
				w.hooli = v.CompanyID
			}
		}
	}
	if w.janeFirst == 0 || w.janeLater == 0 || w.initechVisit == 0 || w.anonymous == 0 || w.globex == 0 || w.hooli == 0 {
		t.Fatalf("the fixture's visits: %+v", w)
	}
	return w
}

// get opens path as the member, and wants the status.
func (w *personaWeb) get(path, as string, status int) string {
	w.t.Helper()
	resp := w.do("GET", path, nil, w.signIn(as+"@example.com"))
	b := body(resp)
	if resp.StatusCode != status {
		w.t.Fatalf("GET %s as %s: %d, want %d", path, as, resp.StatusCode, status)
	}
	return b
}

func wantIn(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

func wantNotIn(t *testing.T, what, page string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(page, u) {
			t.Errorf("%s shows %q", what, u)
		}
	}
}

// TestCompanyPagePersona: the company page names the contact of an
// identified visit, with role, how and when, marks the page viewed
// before the identification, shows the others as anonymous, and lists
// the workspace's contacts at the company, tracked or not; a company
// without shows how contacts are matched.
func TestCompanyPagePersona(t *testing.T) {
	w := newPersonaWeb(t)
	ws := w.acme.WorkspaceID
	b := w.get(fmt.Sprintf("/app/w/%d/c/%d", ws, w.globex), "viewer", http.StatusOK)
	wantIn(t, "the company page", b,
		fmt.Sprintf(`<a href="/app/w/%d/contacts/%d"><strong>Jane Doe</strong></a>, Chief technology officer`, ws, w.jane.ID),
		`by</span> <span class="badge">Form</span>`, "identified at <time",
		`<li class="before-id"><span class="path">/pricing</span>`, `<li class="id-mark">Identified here</li>`,
		`<li><span class="path">/thanks</span>`, "Anonymous visitor",
		"Known contacts here", fmt.Sprintf(`<a href="/app/w/%d/contacts/%d">Rob Roe</a> <span class="muted">Buyer</span>`, ws, w.rob.ID),
		`Refused <span class="badge">not tracked</span>`, "Unanswered · tracked", "Opt-out mode")
	wantNotIn(t, "the company page", b, "Gil", "Initech")
	// The later visit is Jane's from its start: no page before.
	if n := strings.Count(b, `class="before-id"`); n != 1 {
		t.Errorf("%d pages marked as before the identification, want 1", n)
	}
	// Times show in the reader's zone.
	if err := w.st.SetTimeZone(context.Background(), w.mustUser("viewer@example.com").ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	b = w.get(fmt.Sprintf("/app/w/%d/c/%d", ws, w.globex), "viewer", http.StatusOK)
	tokyo := w.at.Add(30 * time.Second).In(time.FixedZone("JST", 9*3600))
	wantIn(t, "the company page in Tokyo", b, "identified at <time datetime=\""+w.at.Add(30*time.Second).UTC().Format(time.RFC3339)+"\">"+
		tokyo.Format("15:04")+" JST</time>")
	b = w.get(fmt.Sprintf("/app/w/%d/c/%d", ws, w.hooli), "viewer", http.StatusOK)
	wantIn(t, "a company without contacts", b, "No known contact at this company yet", "by their email's domain", "Anonymous visitor")
}

// TestActivityPage: the activity stream lists identified and anonymous
// visits, newest first, with company or organisation type; the filter
// keeps the identified ones; older visits come by pages of 50; another
// workspace's member gets 404 and its own stream shows none of these.
func TestActivityPage(t *testing.T) {
	w := newPersonaWeb(t)
	ws := w.acme.WorkspaceID
	path := fmt.Sprintf("/app/w/%d/activity", ws)
	b := w.get(path, "viewer", http.StatusOK)
	wantIn(t, "the activity page", b,
		fmt.Sprintf(`<a href="/app/w/%d/contacts/%d"><strong>Jane Doe</strong></a>, Chief technology officer`, ws, w.jane.ID),
		`<span class="badge">Form</span>`, "Anonymous visitor", `<span class="badge">Carrier</span>`,
		fmt.Sprintf(`<a href="/app/w/%d/c/%d"><strong>Globex GmbH</strong></a>`, ws, w.globex), "on acme",
		`<span class="path">/careers</span>`, `<li class="before-id"><span class="path">/pricing</span>`, "2 pages")
	wantNotIn(t, "the activity page", b, "Gil", "Older visits", "Newest visits")
	if i, j := strings.Index(b, "/docs"), strings.Index(b, "/careers"); i < 0 || j < 0 || i > j {
		t.Errorf("the stream is not newest first")
	}
	b = w.get(path+"?identified=1", "viewer", http.StatusOK)
	wantIn(t, "the identified visits", b, "Jane Doe", `<span class="path">/docs</span>`, `name="identified" value="1" checked`)
	wantNotIn(t, "the identified visits", b, "Anonymous visitor", "/careers", "Carrier")

	// 55 more anonymous visits: 50 a page, then the older ones.
	var hits []foyer.Hit
	for i := range 55 {
		hits = append(hits, foyer.Hit{SiteID: w.acme.ID, VisitorUID: fmt.Sprintf("visitor-many-%010d", i), Time: time.Now().Add(-time.Minute),
			Kind: foyer.KindPageview, Host: "www.example.com", Path: fmt.Sprintf("/many/%d", i)})
	}
	if err := w.st.Append(context.Background(), hits); err != nil {
		t.Fatal(err)
	}
	b = w.get(path, "viewer", http.StatusOK)
	if n := strings.Count(b, "<li>\n      <p><strong><time"); n != 50 {
		t.Errorf("the first page lists %d visits, want 50", n)
	}
	wantNotIn(t, "the first page", b, "Jane Doe")
	i := strings.Index(b, `<a href="/app/w/`+fmt.Sprint(ws)+`/activity?before=`)
	if i < 0 || !strings.Contains(b[i:], "Older visits") {
		t.Fatalf("the first page has no link to older visits")
	}
	older := b[i+len(`<a href="`):]
	older = strings.ReplaceAll(older[:strings.Index(older, `"`)], "&amp;", "&")
	b = w.get(older, "viewer", http.StatusOK)
	wantIn(t, "the older page", b, "Jane Doe", "/careers", "Newest visits")
	if n := strings.Count(b, "<li>\n      <p><strong><time"); n != 55+5-50 {
		t.Errorf("the older page lists %d visits, want %d", n, 55+5-50)
	}

	w.get(path, "outsider", http.StatusNotFound)
	b = w.get(fmt.Sprintf("/app/w/%d/activity", w.initech.WorkspaceID), "outsider", http.StatusOK)
	wantIn(t, "Initech's stream", b, "Gil Secret")
	wantNotIn(t, "Initech's stream", b, "Jane", "/careers")
}

// TestContactVisits: a contact's profile lists its identified visits with
// the pages from the identification on; admins and owners unlink one,
// then all (confirmed), after which the store shows the visits anonymous
// and the changes say so; analysts and viewers see no button and get 403;
// a visit of another contact or workspace is not found.
func TestContactVisits(t *testing.T) {
	w := newPersonaWeb(t)
	ctx := context.Background()
	ws := w.acme.WorkspaceID
	profile := contactPath(ws, w.jane.ID)
	b := w.get(profile, "viewer", http.StatusOK)
	wantIn(t, "Jane's visits", b, `<h2 id="visits-title">Visits</h2>`, `<span class="path">/thanks</span>`, `<span class="path">/docs</span>`,
		`by <span class="badge">Form</span>`, "1 page from then on", fmt.Sprintf(`<a href="/app/w/%d/c/%d">Globex GmbH</a>`, ws, w.globex))
	wantNotIn(t, "Jane's visits as a viewer", b, "/pricing", "Unlink", "Not tracked now")
	b = w.get(profile, "analyst", http.StatusOK)
	wantNotIn(t, "Jane's visits as an analyst", b, "Unlink")
	b = w.get(profile, "admin", http.StatusOK)
	wantIn(t, "Jane's visits as an admin", b, fmt.Sprintf(`action="%s/visits/%d/unlink"`, profile, w.janeFirst),
		fmt.Sprintf(`action="%s/visits/unlink"`, profile), `name="confirm" value="yes" required`)

	post := func(path, as string, form url.Values, status int) *http.Response {
		t.Helper()
		resp := w.do("POST", path, form, w.signIn(as+"@example.com"), "Sec-Fetch-Site", "same-origin")
		body(resp)
		if resp.StatusCode != status {
			t.Fatalf("POST %s as %s: %d, want %d", path, as, resp.StatusCode, status)
		}
		return resp
	}
	one := fmt.Sprintf("%s/visits/%d/unlink", profile, w.janeFirst)
	all := profile + "/visits/unlink"
	post(one, "analyst", url.Values{}, http.StatusForbidden)
	post(one, "viewer", url.Values{}, http.StatusForbidden)
	post(all, "analyst", url.Values{"confirm": {"yes"}}, http.StatusForbidden)
	// Not this contact's visit, another workspace's, none: not found.
	post(fmt.Sprintf("%s/visits/%d/unlink", profile, w.anonymous), "admin", url.Values{}, http.StatusNotFound)
	post(fmt.Sprintf("%s/visits/%d/unlink", profile, w.initechVisit), "admin", url.Values{}, http.StatusNotFound)
	post(fmt.Sprintf("%s/visits/%d/unlink", contactPath(ws, w.rob.ID), w.janeFirst), "admin", url.Values{}, http.StatusNotFound)
	post(fmt.Sprintf("%s/visits/x/unlink", profile), "admin", url.Values{}, http.StatusNotFound)
	post(fmt.Sprintf("/app/w/%d/contacts/%d/visits/%d/unlink", w.initech.WorkspaceID, w.gil.ID, w.initechVisit), "admin", url.Values{}, http.StatusNotFound)
	post(fmt.Sprintf("%s/visits/%d/unlink", contactPath(ws, w.gil.ID), w.initechVisit), "admin", url.Values{}, http.StatusNotFound)
	if got, _ := w.st.ContactVisits(ctx, ws, w.jane.ID, 0, 10); len(got) != 2 {
		t.Fatalf("refused requests left Jane %d visits, want 2", len(got))
	}

	resp := post(one, "admin", url.Values{}, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != profile+"?done=visit-unlinked" {
		t.Errorf("unlink one: sent to %q", loc)
	}
	b = w.get(profile+"?done=visit-unlinked", "admin", http.StatusOK)
	wantIn(t, "after unlinking one", b, notices["visit-unlinked"], fmt.Sprintf("unlinked visit %d <span", w.janeFirst), "(made anonymous)")
	wantNotIn(t, "after unlinking one", b, "/thanks")
	if v := w.visit(ws, w.janeFirst); v.Person != nil {
		t.Errorf("the unlinked visit is still linked: %+v", v.Person)
	}

	post(all, "owner", url.Values{}, http.StatusBadRequest) // not confirmed
	if got, _ := w.st.ContactVisits(ctx, ws, w.jane.ID, 0, 10); len(got) != 1 {
		t.Fatalf("an unconfirmed unlink left %d visits, want 1", len(got))
	}
	resp = post(all, "owner", url.Values{"confirm": {"yes"}}, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != profile+"?done=visits-unlinked" {
		t.Errorf("unlink all: sent to %q", loc)
	}
	if got, _ := w.st.ContactVisits(ctx, ws, w.jane.ID, 0, 10); len(got) != 0 {
		t.Errorf("after unlinking all, Jane has %d visits", len(got))
	}
	if v := w.visit(ws, w.janeLater); v.Person != nil {
		t.Errorf("a visit is still linked after unlinking all: %+v", v.Person)
	}
	b = w.get(profile, "owner", http.StatusOK)
	wantIn(t, "after unlinking all", b, "No identified visit.", "unlinked 1 visit and 1 browser")
	b = w.get(fmt.Sprintf("/app/w/%d/c/%d", ws, w.globex), "owner", http.StatusOK)
	wantNotIn(t, "the company page after unlinking", b, "Jane Doe</strong>")
	// Initech's contact keeps its visit.
	if got, _ := w.st.ContactVisits(ctx, w.initech.WorkspaceID, w.gil.ID, 0, 10); len(got) != 1 {
		t.Errorf("Initech's contact has %d visits, want 1", len(got))
	}
}

// TestContactVisitsNotTracked: a contact who refused is said to be
// untracked from then on, its earlier identified visits kept.
func TestContactVisitsNotTracked(t *testing.T) {
	w := newPersonaWeb(t)
	ctx := context.Background()
	ws := w.acme.WorkspaceID
	if _, _, _, err := w.st.RecordConsent(ctx, ws, w.jane.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
		At: time.Now(), Source: foyer.SourceAdmin, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	b := w.get(contactPath(ws, w.jane.ID), "viewer", http.StatusOK)
	wantIn(t, "a refused contact's visits", b, "Not tracked now (Refused, Opt-out mode)",
		"visits from the refusal or the switch of mode on are anonymous", `<span class="path">/docs</span>`)
	b = w.get(contactPath(ws, w.rob.ID), "viewer", http.StatusOK)
	wantIn(t, "Rob's visits", b, "Not tracked now", "No identified visit.")
}

// visit is the workspace's visit id, as the activity stream has it.
func (w *personaWeb) visit(ws, id int64) foyer.ActivityVisit {
	w.t.Helper()
	list, err := w.st.Activity(context.Background(), foyer.ActivityQuery{WorkspaceID: ws, BeforeID: id + 1, Limit: 1})
	if err != nil || len(list) != 1 || list[0].ID != id {
		w.t.Fatalf("visit %d: %v, %v", id, list, err)
	}
	return list[0]
}

// TestContactVisitsPaging: a contact's profile lists 20 identified visits
// at a time, newest first, and links to the older ones and back.
func TestContactVisitsPaging(t *testing.T) {
	w := newPersonaWeb(t)
	ws := w.acme.WorkspaceID
	// 20 more visits of Jane's browser, an hour apart: each is hers from
	// its start.
	var hits []foyer.Hit
	for i := range 20 {
		hits = append(hits, foyer.Hit{SiteID: w.acme.ID, VisitorUID: "visitor-jane-0000000000", Time: w.at.Add(time.Duration(4+i) * time.Hour),
			Kind: foyer.KindPageview, Host: "www.example.com", Path: fmt.Sprintf("/later/%d", i)})
	}
	if err := w.st.Append(context.Background(), hits); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	profile := contactPath(ws, w.jane.ID)
	b := w.get(profile, "viewer", http.StatusOK)
	if n := strings.Count(b, `<ol class="timeline contact-visits">`); n != 1 {
		t.Fatalf("no list of visits")
	}
	if n := strings.Count(b, "from then on</p>"); n != 20 {
		t.Errorf("the first page lists %d visits, want 20", n)
	}
	wantIn(t, "the newest visits", b, "/later/19", "Older visits")
	wantNotIn(t, "the newest visits", b, "/thanks", "Newest visits")
	i := strings.Index(b, `<a href="`+profile+`?before=`)
	if i < 0 {
		t.Fatalf("no link to the older visits")
	}
	older := b[i+len(`<a href="`):]
	older, _, _ = strings.Cut(older[:strings.Index(older, `"`)], "#") // a browser sends no fragment
	b = w.get(older, "viewer", http.StatusOK)
	wantIn(t, "the older visits", b, "/thanks", "/docs", "Newest visits")
	if n := strings.Count(b, "from then on</p>"); n != 2 {
		t.Errorf("the older page lists %d visits, want 2", n)
	}
}
