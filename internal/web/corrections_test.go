package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/ipdata"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestHideFromFeed: an admin hides a company from its page; the
// workspace's feed page, API and CSV export lose it at once and get it
// back on undo, while another workspace with the same organisation keeps
// it; only admins and owners see the controls; the hidden organisations
// page lists what is hidden, hides a domain before its visit and whole
// types, and exports the type corrections as classify.tsv lines. On both
// dialects.
func TestHideFromFeed(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testHideFromFeed(t, d)
		})
	}
}

func testHideFromFeed(t *testing.T, d store.Dialect) {
	w := newWebTestOn(t, d)
	for _, r := range []foyer.Role{foyer.RoleOwner, foyer.RoleAdmin, foyer.RoleAnalyst, foyer.RoleViewer} {
		w.user(string(r)+"@example.com", "correct horse battery", "Acme", r)
	}
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	if today := time.Now().UTC().Truncate(24 * time.Hour); at.Before(today) {
		at = today
	}
	globex := foyer.Org{Name: "Globex GmbH", Domain: "globex.example", ASN: 64500, Type: foyer.OrgBusiness}
	hooli := foyer.Org{Name: "Hooli Inc", ASN: 64501, Type: foyer.OrgBusiness}
	uni := foyer.Org{Name: "Example University", Domain: "uni.example", ASN: 64502, Type: foyer.OrgEducation}
	w.visitFrom(acme, 0, globex, at)
	w.visitFrom(acme, 1, hooli, at)
	w.visitFrom(acme, 2, uni, at)
	w.visitFrom(initech, 3, globex, at)
	ctx := context.Background()
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	a, i := acme.WorkspaceID, initech.WorkspaceID
	ids := map[string]int64{}
	rows, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: a, From: at, To: time.Now()})
	if err != nil || len(rows) != 3 {
		t.Fatalf("feed: %v, %v", rows, err)
	}
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	owner, admin, analyst, viewer := w.signIn("owner@example.com"), w.signIn("admin@example.com"), w.signIn("analyst@example.com"), w.signIn("viewer@example.com")
	bob := w.signIn("bob@example.com")
	acmeToken, initechToken := w.token("Acme", foyer.ScopeRead), w.token("Initech", foyer.ScopeRead)

	// listed says what the workspace's feed page, API and export list.
	listed := func(ws int64, cookie, token string) (feed, api, export []string) {
		t.Helper()
		feed = companiesListed(body(w.do("GET", fmt.Sprintf("/app/w/%d?days=7", ws), nil, cookie)))
		_, out := w.api("/api/v1/companies", token)
		for _, c := range out["data"].([]any) {
			api = append(api, c.(map[string]any)["name"].(string))
		}
		csv := body(w.do("GET", fmt.Sprintf("/app/w/%d/export.csv?days=7&bom=0", ws), nil, cookie))
		for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
			name, _, _ := strings.Cut(line, ",")
			export = append(export, name)
		}
		slices.Sort(feed)
		slices.Sort(api)
		slices.Sort(export)
		return feed, api, export
	}
	expect := func(what string, ws int64, cookie, token string, want ...string) {
		t.Helper()
		slices.Sort(want)
		feed, api, export := listed(ws, cookie, token)
		for name, got := range map[string][]string{"feed page": feed, "API": api, "CSV export": export} {
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s lists %q, want %q", what, name, got, want)
			}
		}
	}
	all := []string{"Example University", "Globex GmbH", "Hooli Inc"}
	expect("before", a, analyst, acmeToken, all...)

	// The company page's control, for admins and owners only.
	globexPage := fmt.Sprintf("/app/w/%d/c/%d", a, ids["Globex GmbH"])
	for cookie, want := range map[string]bool{owner: true, admin: true, analyst: false, viewer: false} {
		b := body(w.do("GET", globexPage, nil, cookie))
		if got := strings.Contains(b, "This is not a company") && strings.Contains(b, globexPage+"/hide"); got != want {
			t.Errorf("company page shows the control: %v, want %v", got, want)
		}
	}
	for cookie, want := range map[string]bool{owner: true, admin: true, analyst: false, viewer: false} {
		b := body(w.do("GET", fmt.Sprintf("/app/w/%d?days=7", a), nil, cookie))
		if got := strings.Contains(b, fmt.Sprintf(`href="/app/w/%d/hidden"`, a)); got != want {
			t.Errorf("feed page links the hidden organisations: %v, want %v", got, want)
		}
	}

	// Hidden: gone from Acme's feed, API and export, not from Initech's.
	resp := w.do("POST", globexPage+"/hide", url.Values{"kind": {"isp"}}, admin)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != globexPage+"?done=company-hidden" {
		t.Fatalf("hide: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	expect("Globex hidden", a, analyst, acmeToken, "Example University", "Hooli Inc")
	expect("Globex hidden in Acme", i, bob, initechToken, "Globex GmbH")
	// The trend and the site's overview count what the feed shows.
	totals := map[string][]string{
		fmt.Sprintf("/app/w/%d?days=7", a): {"<strong>2 organisations</strong> identified in 3 visits", "67% from identified organisations",
			`<span class="key key-3"></span>33% from organisations you hide`},
		fmt.Sprintf("/app/w/%d/sites/%d?days=7", a, acme.ID): {`<span class="n">2</span> companies identified`,
			`<span class="n">2</span> visits from companies`, "2 from companies + 1 from organisations this workspace hides"},
	}
	for path, wants := range totals {
		b := body(w.do("GET", path, nil, analyst))
		for _, want := range wants {
			if !strings.Contains(b, want) {
				t.Errorf("Globex hidden: %s lacks %q", path, want)
			}
		}
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d?days=7", i), nil, bob)); !strings.Contains(b, "<strong>1 organisation</strong> identified in 1 visit") ||
		strings.Contains(b, "organisations you hide") {
		t.Error("Globex hidden in Acme: Initech's trend changed")
	}
	b := body(w.do("GET", globexPage, nil, analyst))
	if !strings.Contains(b, "Hidden from the feed as <strong>Carrier (ISP or mobile)</strong> by admin@example.com") || strings.Contains(b, "/unhide") {
		t.Errorf("the hidden company's page, to an analyst:\n%s", b)
	}
	if b := body(w.do("GET", globexPage, nil, owner)); !strings.Contains(b, globexPage+"/unhide") || strings.Contains(b, "This is not a company") {
		t.Error("no undo on the hidden company's page for its owner")
	}
	if resp := w.do("POST", globexPage+"/hide", url.Values{"kind": {"friend"}}, admin); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hide as an unknown kind: %d", resp.StatusCode)
	}

	// The hidden organisations page.
	hidden := fmt.Sprintf("/app/w/%d/hidden", a)
	b = body(w.do("GET", hidden, nil, owner))
	for _, want := range []string{"Globex GmbH", "Carrier (ISP or mobile)", "admin@example.com", `name="org_key" value="domain:globex.example"`, "Download classify.tsv"} {
		if !strings.Contains(b, want) {
			t.Errorf("hidden page without %q", want)
		}
	}
	// A domain hidden before it visits, and one that is not a domain.
	if resp := w.do("POST", hidden+"/domain", url.Values{"domain": {"WWW.Initrode.co.uk"}, "kind": {"competitor"}}, admin); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("hide a domain: %d", resp.StatusCode)
	}
	if resp := w.do("POST", hidden+"/domain", url.Values{"domain": {"not a domain"}, "kind": {"own"}}, admin); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body(resp), `value="not a domain"`) {
		t.Errorf("hide no domain: %d", resp.StatusCode)
	}
	if resp := w.do("POST", hidden+"/domain", url.Values{"domain": {"example.org"}, "kind": {"isp"}}, admin); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hide a domain as a carrier: %d", resp.StatusCode)
	}
	if b := body(w.do("GET", hidden, nil, owner)); !strings.Contains(b, "initrode.co.uk <span class=\"muted\">(no visit yet)</span>") || !strings.Contains(b, "A competitor") {
		t.Errorf("hidden page without the domain:\n%s", b)
	}
	w.visitFrom(acme, 4, foyer.Org{Name: "Initrode Ltd", Domain: "initrode.co.uk", ASN: 64503, Type: foyer.OrgBusiness}, at)
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	expect("Initrode hidden before its visit", a, analyst, acmeToken, "Example University", "Hooli Inc")

	// Hidden types.
	if resp := w.do("POST", hidden+"/types", url.Values{"type": {"education"}}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("hide education: %d", resp.StatusCode)
	}
	expect("education hidden", a, analyst, acmeToken, "Hooli Inc")
	if b := body(w.do("GET", hidden, nil, owner)); !strings.Contains(b, `value="education" checked`) {
		t.Error("the education box is not checked")
	}
	if resp := w.do("POST", hidden+"/types", url.Values{"type": {"business"}}, owner); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hide businesses: %d", resp.StatusCode)
	}
	if resp := w.do("POST", hidden+"/types", url.Values{}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("show every type: %d", resp.StatusCode)
	}

	// classify.tsv: the type corrections, by AS number; none without one.
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/c/%d/hide", a, ids["Hooli Inc"]), url.Values{"kind": {"vpn"}}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide Hooli: %d", resp.StatusCode)
	}
	if _, err := w.st.HideDomain(ctx, a, "never-visited.example", foyer.HideOther, nil); err != nil {
		t.Fatal(err)
	}
	resp = w.do("GET", hidden+"/classify.tsv", nil, admin)
	tsv := body(resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/tab-separated-values") {
		t.Fatalf("classify.tsv: %d %v", resp.StatusCode, resp.Header)
	}
	var data []string
	for _, line := range strings.Split(strings.TrimSuffix(tsv, "\n"), "\n") {
		if !strings.HasPrefix(line, "#") {
			data = append(data, line)
		}
	}
	if !slices.Equal(data, []string{"64500\tisp\tGlobex GmbH", "64501\thosting\tHooli Inc"}) ||
		!strings.HasPrefix(tsv, "# Foyer: corrections of organisation types made in the workspace Acme,\n# exported ") ||
		!strings.Contains(tsv, "# 1 corrected organisations are left out: their AS number is not known") {
		t.Errorf("classify.tsv:\n%s", tsv)
	}
	// As the installation reads an operator's classify.tsv.
	classify, err := ipdata.WithOverrides(tsv, ipdata.ClassifyFile)
	if err != nil {
		t.Fatalf("the export is no classify.tsv: %v", err)
	}
	if typ, why := classify(ipdata.Network{ASN: 64501, Org: "Hooli Inc"}); typ != foyer.OrgHosting {
		t.Errorf("AS64501 read back as %s (%s)", typ, why)
	}
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d/hidden/classify.tsv", i), nil, bob); !strings.Contains(body(resp), "workspace Initech") {
		t.Error("Initech's classify.tsv")
	}

	// Undo, from the page and from the company's: back with their visits.
	resp = w.do("POST", hidden+"/undo", url.Values{"org_key": {"domain:globex.example"}}, admin)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != hidden+"?done=org-unhidden" {
		t.Fatalf("undo: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = w.do("POST", fmt.Sprintf("/app/w/%d/c/%d/unhide", a, ids["Hooli Inc"]), url.Values{}, owner)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unhide Hooli: %d", resp.StatusCode)
	}
	expect("undone", a, analyst, acmeToken, all...)
	expect("undone in Acme", i, bob, initechToken, "Globex GmbH")
	// Undoing what is not hidden changes nothing.
	if resp := w.do("POST", hidden+"/undo", url.Values{"org_key": {"domain:globex.example"}}, admin); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("undo twice: %d", resp.StatusCode)
	}
}

// TestClassifyLines: the export's lines are one per AS number, its latest
// correction's, sorted, with tabs and line breaks of names made spaces.
func TestClassifyLines(t *testing.T) {
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	got := classifyLines("Acme\tCo", now, []foyer.OrgOverride{
		{Kind: foyer.HideOther, ASN: 70000, Name: "Odd\tName\nInc"},
		{Kind: foyer.HideHosting, ASN: 9, Name: "Small AS"},
		{Kind: foyer.HideISP, ASN: 70000, Name: "Older correction"},
		{Kind: foyer.HideOwn, ASN: 1, Name: "Ourselves"},
		{Kind: foyer.HideCompetitor, ASN: 2, Name: "Rival"},
	})
	want := "# Foyer: corrections of organisation types made in the workspace Acme Co,\n" +
		"# exported 2026-12-04T08:00:00Z, as lines of an operator's classify.tsv:\n" +
		"# AS number, type, name, separated by tabs. VPNs are written as hosting, \"not a company\" as unknown.\n" +
		"# The workspace's own company and competitors are not type corrections, and are left out.\n" +
		"9\thosting\tSmall AS\n70000\tunknown\tOdd Name Inc\n"
	if got != want {
		t.Errorf("classifyLines:\n%s\nwant:\n%s", got, want)
	}
}

// TestShowLeftOut: the hidden organisations page lists a carrier the IP
// data left out of the feed; an admin says it is a company, and the
// workspace's feed page and API show it at once with its past visit,
// while another workspace's stays as it was and its organisation cannot
// be shown from here; the correction is listed, exported as a business
// line of classify.tsv, and undone.
func TestShowLeftOut(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	w.user("admin@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	if today := time.Now().UTC().Truncate(24 * time.Hour); at.Before(today) {
		at = today
	}
	telco := foyer.Org{Name: "Telco Netz AG", ASN: 64510, Type: foyer.OrgISP}
	w.visitFrom(acme, 0, telco, at)
	w.visitFrom(initech, 1, telco, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, i := acme.WorkspaceID, initech.WorkspaceID
	admin, bob := w.signIn("admin@example.com"), w.signIn("bob@example.com")
	token := w.token("Acme", foyer.ScopeRead)
	orgID := regexp.MustCompile(`name="org" value="(\d+)"`)
	leftOut := func(ws int64, cookie string) (string, string) {
		t.Helper()
		b := body(w.do("GET", fmt.Sprintf("/app/w/%d/hidden", ws), nil, cookie))
		m := orgID.FindStringSubmatch(b)
		if m == nil {
			return b, ""
		}
		return b, m[1]
	}
	b, acmeOrg := leftOut(a, admin)
	if acmeOrg == "" || !strings.Contains(b, "Left out by the IP data") || !strings.Contains(b, "Telco Netz AG") || !strings.Contains(b, "Carrier") {
		t.Fatalf("the hidden page does not offer the carrier:\n%s", b)
	}
	_, initechOrg := leftOut(i, bob)
	if initechOrg == "" || initechOrg == acmeOrg {
		t.Fatalf("Initech's carrier: %q (Acme's %q)", initechOrg, acmeOrg)
	}
	inFeed := func(ws int64, cookie string) bool {
		return slices.Contains(companiesListed(body(w.do("GET", fmt.Sprintf("/app/w/%d?days=7", ws), nil, cookie))), "Telco Netz AG")
	}
	if inFeed(a, admin) {
		t.Fatal("the carrier is in the feed before the correction")
	}
	show := fmt.Sprintf("/app/w/%d/hidden/show", a)
	if resp := w.do("POST", show, url.Values{"org": {initechOrg}}, admin); resp.StatusCode != http.StatusNotFound {
		t.Errorf("showing another workspace's organisation: %d, want 404", resp.StatusCode)
	}
	resp := w.do("POST", show, url.Values{"org": {acmeOrg}}, admin)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?done=org-shown") {
		t.Fatalf("show: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !inFeed(a, admin) {
		t.Error("the carrier said to be a company is not in the feed")
	}
	_, out := w.api("/api/v1/companies", token)
	var api []string
	for _, c := range out["data"].([]any) {
		api = append(api, c.(map[string]any)["name"].(string))
	}
	if !slices.Equal(api, []string{"Telco Netz AG"}) {
		t.Errorf("the API lists %q", api)
	}
	if inFeed(i, bob) {
		t.Error("the correction reached the other workspace's feed")
	}
	b, still := leftOut(a, admin)
	if still != "" || !strings.Contains(b, "A company") || !strings.Contains(b, `value="org:64510:telco netz ag"`) {
		t.Errorf("after the correction the hidden page offers %q, lists:\n%s", still, b)
	}
	tsv := body(w.do("GET", fmt.Sprintf("/app/w/%d/hidden/classify.tsv", a), nil, admin))
	if !strings.Contains(tsv, "\n64510\tbusiness\tTelco Netz AG\n") {
		t.Errorf("classify.tsv:\n%s", tsv)
	}
	resp = w.do("POST", fmt.Sprintf("/app/w/%d/hidden/undo", a), url.Values{"org_key": {"org:64510:telco netz ag"}}, admin)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	if inFeed(a, admin) {
		t.Error("the carrier is still in the feed after the undo")
	}
	if _, again := leftOut(a, admin); again != acmeOrg {
		t.Errorf("after the undo the hidden page offers %q, want %q", again, acmeOrg)
	}
}
