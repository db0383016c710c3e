package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestFeedAlertsWeb: a member subscribes to the saved feed the page shows
// and ends it, from the feed page and the account page; each member has
// their own; without a relay the pages say no alert can be sent.
func TestFeedAlertsWeb(t *testing.T) {
	w := newWebTest(t)
	w.user("own@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	vic := w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	ctx := context.Background()
	feed := &foyer.SavedFeed{WorkspaceID: acme.WorkspaceID, Name: "Hot in Germany", Query: "country=DE&days=7"}
	if err := w.st.SaveFeed(ctx, feed); err != nil {
		t.Fatal(err)
	}
	ownC, vicC := w.signIn("own@example.com"), w.signIn("vic@example.com")
	base := fmt.Sprintf("/app/w/%d", acme.WorkspaceID)
	same := []string{"Sec-Fetch-Site", "same-origin"}
	alertPath := fmt.Sprintf("%s/feeds/%d/alert", base, feed.ID)

	// The feed page shows the control only on a saved feed, off at first,
	// and says that no relay is set up.
	if b := body(w.do("GET", base+"?days=30", nil, vicC)); strings.Contains(b, "Email me when a new company appears") {
		t.Error("the control shows on a feed that is not saved")
	}
	b := body(w.do("GET", base+"?"+feed.Query, nil, vicC))
	for _, want := range []string{"Email me when a new company appears in “Hot in Germany”", `<option value="off" selected>Off</option>`,
		`action="` + alertPath + `"`, "No mail relay is set up on this server"} {
		if !strings.Contains(b, want) {
			t.Errorf("the saved feed's page lacks %q", want)
		}
	}
	// The viewer subscribes: back to the feed, which says so.
	resp := w.do("POST", alertPath, url.Values{"frequency": {"daily"}}, vicC, same...)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != base+"?"+feed.Query+"&done=alert-saved" {
		t.Fatalf("subscribe: %d to %q", resp.StatusCode, loc)
	}
	b = body(w.do("GET", loc, nil, vicC))
	if !strings.Contains(b, notices["alert-saved"]) || !strings.Contains(b, `<option value="daily" selected>Daily</option>`) || !strings.Contains(b, "No email yet.") {
		t.Errorf("the feed after subscribing:\n%s", b)
	}
	a, err := w.st.FeedAlert(ctx, acme.WorkspaceID, vic.ID, feed.ID)
	if err != nil || a.Frequency != foyer.AlertDaily {
		t.Fatalf("the viewer's alert: %+v, %v", a, err)
	}
	// Only one's own: the owner's page shows theirs off, and the owner's
	// choice leaves the viewer's alone.
	if b := body(w.do("GET", base+"?"+feed.Query, nil, ownC)); !strings.Contains(b, `<option value="off" selected>Off</option>`) {
		t.Error("the owner sees the viewer's alert as theirs")
	}
	if resp := w.do("POST", alertPath, url.Values{"frequency": {"immediately"}}, ownC, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner subscribes: %d", resp.StatusCode)
	}
	if a, err := w.st.FeedAlert(ctx, acme.WorkspaceID, vic.ID, feed.ID); err != nil || a.Frequency != foyer.AlertDaily {
		t.Fatalf("the viewer's alert after the owner's: %+v, %v", a, err)
	}
	// The account page lists the viewer's alert, and changes it.
	b = body(w.do("GET", "/account", nil, vicC))
	for _, want := range []string{`id="alerts"`, `href="` + base + "?country=DE&amp;days=7" + `">Hot in Germany</a>`, "<td data-label=\"Workspace\">Acme</td>",
		`<option value="daily" selected>Daily</option>`, "none yet"} {
		if !strings.Contains(b, want) {
			t.Errorf("the account page lacks %q:\n%s", want, b)
		}
	}
	if strings.Count(b, `<option value="immediately" selected>`) != 0 {
		t.Error("the account page shows the owner's alert to the viewer")
	}
	resp = w.do("POST", alertPath, url.Values{"frequency": {"weekly"}, "back": {"account"}}, vicC, same...)
	if loc := resp.Header.Get("Location"); loc != "/account?done=alert-saved" {
		t.Fatalf("from the account page: %d to %q", resp.StatusCode, loc)
	}
	if a, err := w.st.FeedAlert(ctx, acme.WorkspaceID, vic.ID, feed.ID); err != nil || a.Frequency != foyer.AlertWeekly {
		t.Fatalf("after Weekly: %+v, %v", a, err)
	}
	// Off ends it, and the account page says there is none.
	resp = w.do("POST", alertPath, url.Values{"frequency": {"off"}, "back": {"account"}}, vicC, same...)
	if loc := resp.Header.Get("Location"); loc != "/account?done=alert-off" {
		t.Fatalf("off: %d to %q", resp.StatusCode, loc)
	}
	if _, err := w.st.FeedAlert(ctx, acme.WorkspaceID, vic.ID, feed.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Fatalf("after Off: %v", err)
	}
	if b := body(w.do("GET", "/account?done=alert-off", nil, vicC)); !strings.Contains(b, notices["alert-off"]) || !strings.Contains(b, "You have no feed alerts.") {
		t.Errorf("the account page after Off:\n%s", b)
	}
	// A frequency that does not exist is refused and stores nothing.
	if resp := w.do("POST", alertPath, url.Values{"frequency": {"hourly"}}, vicC, same...); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hourly: %d", resp.StatusCode)
	}
	if _, err := w.st.FeedAlert(ctx, acme.WorkspaceID, vic.ID, feed.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Fatalf("after hourly: %v", err)
	}
	// With a relay, the pages no longer warn.
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	m, err := mailer.New(mailer.Config{Addr: relay.Addr, From: "foyer@acme.example", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.cfg.Mail = m
	for _, p := range []string{base + "?" + feed.Query, "/account"} {
		if b := body(w.do("GET", p, nil, ownC)); strings.Contains(b, "No mail relay") {
			t.Errorf("%s warns with a relay", p)
		}
	}
}
