package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// visit appends a visit of a new visitor from org: one page view per path,
// the first with the referrer.
func (w *webTest) visit(site *foyer.Site, i int, org foyer.Org, at time.Time, referrer string, paths ...string) {
	w.t.Helper()
	var hits []foyer.Hit
	for n, p := range paths {
		h := foyer.Hit{SiteID: site.ID, VisitorUID: fmt.Sprintf("visitor-%016d", i), Time: at.Add(time.Duration(n) * time.Second),
			Kind: foyer.KindPageview, Host: "www.example.com", Path: p, Origin: foyer.Origin{Country: "DE", Org: org}}
		if n == 0 {
			h.Referrer = referrer
		}
		hits = append(hits, h)
	}
	if err := w.st.Append(context.Background(), hits); err != nil {
		w.t.Fatal(err)
	}
}

// companiesListed returns the feed page's company names, in order.
func companiesListed(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<strong>([^<]*)</strong></a>`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestFeedFiltersAndOrder(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	now := time.Now()
	biz := func(name string) foyer.Org { return foyer.Org{Name: name, Type: foyer.OrgBusiness} }
	// Globex came once, just now, from a search engine (score 4+2+15, see
	// foyer.ScoreParts); Hooli came twenty days ago for eight pages, pricing
	// among them (4+7+2); Umbrella came yesterday and ten days ago (6+5+14).
	w.visit(acme, 1, biz("Globex GmbH"), now.Add(-time.Hour), "https://www.search.example/q", "/")
	w.visit(acme, 2, biz("Hooli Inc"), now.AddDate(0, 0, -20), "", "/", "/product", "/pricing", "/docs", "/blog", "/about", "/careers", "/contact")
	w.visit(acme, 3, biz("Umbrella AG"), now.AddDate(0, 0, -1), "https://partner.example/", "/", "/product")
	w.visit(acme, 4, biz("Umbrella AG"), now.AddDate(0, 0, -10), "", "/blog")
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	feed := func(q url.Values) (int, string) {
		resp := w.do("GET", fmt.Sprintf("/app/w/%d?%s", acme.WorkspaceID, q.Encode()), nil, ana)
		return resp.StatusCode, body(resp)
	}
	for _, c := range []struct {
		q    url.Values
		want string
	}{
		{url.Values{}, "Globex GmbH,Umbrella AG,Hooli Inc"},
		{url.Values{"sort": {"score"}}, "Umbrella AG,Globex GmbH,Hooli Inc"},
		{url.Values{"page": {"PRICING"}}, "Hooli Inc"},
		{url.Values{"source": {"search.example"}}, "Globex GmbH"},
		{url.Values{"source": {"direct"}}, "Umbrella AG,Hooli Inc"},
		{url.Values{"min_pages": {"3"}}, "Umbrella AG,Hooli Inc"},
		{url.Values{"min_pages": {"3"}, "days": {"7"}}, ""},
		{url.Values{"from": {now.AddDate(0, 0, -21).Format(time.DateOnly)}, "to": {now.AddDate(0, 0, -9).Format(time.DateOnly)}}, "Umbrella AG,Hooli Inc"},
		{url.Values{"from": {now.AddDate(0, 0, -2).Format(time.DateOnly)}}, "Globex GmbH,Umbrella AG"},
	} {
		status, b := feed(c.q)
		if got := strings.Join(companiesListed(b), ","); status != http.StatusOK || got != c.want {
			t.Errorf("%s: %d %q, want %q", c.q.Encode(), status, got, c.want)
		}
	}
	// The score order explains itself: Umbrella's score is shown.
	if _, b := feed(url.Values{"sort": {"score"}}); !strings.Contains(b, `<span class="score">`) || !strings.Contains(b, `<td data-label="Top source">search.example</td>`) {
		t.Error("the feed shows no score or no top source")
	}
	// A custom period is kept in the company links and the export link.
	from := now.AddDate(0, 0, -21).Format(time.DateOnly)
	_, b := feed(url.Values{"from": {from}})
	if !strings.Contains(b, "?from="+from+"&amp;to=") || !strings.Contains(b, `value="`+from+`"`) {
		t.Error("the custom period is not kept in the page's links and form")
	}
	// A bad period says so and shows the last 30 days.
	for _, q := range []url.Values{{"from": {"yesterday"}}, {"from": {"2026-11-10"}, "to": {"2026-11-01"}},
		{"from": {"2020-01-01"}, "to": {"2026-01-01"}}, {"from": {now.AddDate(0, 0, 3).Format(time.DateOnly)}}} {
		status, b := feed(q)
		if status != http.StatusOK || !strings.Contains(b, `role="alert"`) || len(companiesListed(b)) != 3 {
			t.Errorf("%s: %d, %d companies, alert %v", q.Encode(), status, len(companiesListed(b)), strings.Contains(b, "alert"))
		}
	}
	// The Score column's title publishes the formula; a known source shows
	// its kind.
	w.visit(acme, 5, biz("Initrode LLC"), now.Add(-time.Minute), "https://lnkd.in/xyz", "/")
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, b := feed(url.Values{}); !strings.Contains(b, `title="0 to 100, the sum of four parts`) ||
		!strings.Contains(b, `<td data-label="Top source">LinkedIn <span class="muted">social</span></td>`) {
		t.Error("the feed does not explain the score or show a source's kind")
	}
	if _, b := feed(url.Values{"source": {"LINKEDIN.com"}}); strings.Join(companiesListed(b), ",") != "Initrode LLC" {
		t.Errorf("source=LINKEDIN.com: %q", companiesListed(b))
	}
}

func TestSavedFeedsWeb(t *testing.T) {
	w := newWebTest(t)
	w.user("own@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("amy@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	ctx := context.Background()
	own, ana, amy, vic := w.signIn("own@example.com"), w.signIn("ana@example.com"), w.signIn("amy@example.com"), w.signIn("vic@example.com")
	base := fmt.Sprintf("/app/w/%d", acme.WorkspaceID)
	save := func(cookie, name, query string) *http.Response {
		return w.do("POST", base+"/feeds", url.Values{"name": {name}, "query": {query}}, cookie, "Sec-Fetch-Site", "same-origin")
	}
	// Saved with its filters in a canonical order; junk parameters dropped.
	resp := save(ana, "Hot in Germany", "sort=score&country=DE&days=7&junk=1&offset=50")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != base+"?country=DE&days=7&sort=score&done=feed-saved" {
		t.Fatalf("save: %d to %q", resp.StatusCode, loc)
	}
	// The feed it goes to says so, and is the saved feed's.
	if b := body(w.do("GET", loc, nil, ana)); !strings.Contains(b, notices["feed-saved"]) || !strings.Contains(b, `aria-current="page">Hot in Germany</a>`) {
		t.Errorf("the feed after saving does not confirm it, or is not the saved feed:\n%s", b)
	}
	feeds, err := w.st.SavedFeeds(ctx, acme.WorkspaceID)
	if err != nil || len(feeds) != 1 || feeds[0].Query != "country=DE&days=7&sort=score" {
		t.Fatalf("saved %+v, %v", feeds, err)
	}
	hot := feeds[0]
	// Every member sees it; the viewer cannot save or delete.
	for _, c := range []string{own, ana, vic} {
		b := body(w.do("GET", base, nil, c))
		if !strings.Contains(b, `href="?country=DE&amp;days=7&amp;sort=score"`) || !strings.Contains(b, "Hot in Germany") {
			t.Error("a member does not see the saved feed")
		}
	}
	if b := body(w.do("GET", base, nil, vic)); strings.Contains(b, "/feeds/") || strings.Contains(b, `action="`+base+`/feeds"`) {
		t.Error("the viewer is offered to save or delete feeds")
	}
	if resp := save(vic, "Mine", "days=1"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the viewer saved a feed: %d", resp.StatusCode)
	}
	// Bad names and periods are refused with the reason.
	for _, c := range []struct{ name, query, want string }{
		{"Hot in Germany", "days=1", "exists"},
		{"  ", "days=1", "name"},
		{"Bad period", "from=2026-13-01", "not a date"},
		{"Bad query", "%zz", "cannot be saved"},
	} {
		resp := save(ana, c.name, c.query)
		if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, c.want) {
			t.Errorf("save %q %q: %d, want 400 saying %q", c.name, c.query, resp.StatusCode, c.want)
		}
	}
	del := func(cookie string, id int64) int {
		return w.do("POST", fmt.Sprintf("%s/feeds/%d/delete", base, id), nil, cookie, "Sec-Fetch-Site", "same-origin").StatusCode
	}
	// Another analyst and the viewer may not delete Ana's feed; Ana and
	// the owner may.
	if got := del(amy, hot.ID); got != http.StatusForbidden {
		t.Errorf("another analyst deleting: %d", got)
	}
	if got := del(vic, hot.ID); got != http.StatusForbidden {
		t.Errorf("the viewer deleting: %d", got)
	}
	if feeds, _ := w.st.SavedFeeds(ctx, acme.WorkspaceID); len(feeds) != 1 {
		t.Fatal("a refused delete deleted")
	}
	if got := del(ana, hot.ID); got != http.StatusSeeOther {
		t.Errorf("the author deleting: %d", got)
	}
	if got := del(ana, hot.ID); got != http.StatusNotFound {
		t.Errorf("deleting again: %d", got)
	}
	if resp := save(amy, "Amy's", "days=30"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.StatusCode)
	}
	feeds, _ = w.st.SavedFeeds(ctx, acme.WorkspaceID)
	if got := del(own, feeds[0].ID); got != http.StatusSeeOther {
		t.Errorf("the owner deleting another's feed: %d", got)
	}
	if feeds, _ := w.st.SavedFeeds(ctx, acme.WorkspaceID); len(feeds) != 0 {
		t.Errorf("left %+v", feeds)
	}
}
