package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/campaignsend"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCampaignDeliveries: without a relay a send is refused (409); with
// one, the API queues a message per contact and reports a recipient that
// names none; the progress shows in the API and on the page (with a
// reload link while messages remain); admins get the send form, viewers do
// not; the form queues and is audited; the sender then mails at the pace.
func TestCampaignDeliveries(t *testing.T) {
	t.Parallel()
	c := newCampaignTest(t, store.SQLite)
	ctx := context.Background()
	acme := c.wsID("Acme")
	c.user("admin@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	c.user("viewer@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	c.contact(acme, "Ana", "ana@example.com", foyer.ConsentUnanswered)
	c.contact(acme, "Cy", "cy@example.com", foyer.ConsentRefused)
	token := c.token("Acme", foyer.ScopeWrite)
	id := c.createCampaign(token, "Spring")
	path := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", id)
	req := `{"recipients":[{"email":"ana@example.com"},{"email":"cy@example.com"},{"email":"nobody@example.com"}],"per_minute":30}`
	if code, out := c.call("POST", path, token, req); code != http.StatusConflict {
		t.Fatalf("without a relay: %d %v", code, out)
	}
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	m, err := mailer.New(mailer.Config{Addr: relay.Addr, From: "news@acme.example", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	c.srv.cfg.Mail = m
	if code, out := c.call("POST", path, token, `{"recipients":[{"email":"ana@example.com"}],"per_minute":601}`); code != http.StatusBadRequest {
		t.Fatalf("pace 601: %d %v", code, out)
	}
	code, out := c.call("POST", path, token, req)
	if code != http.StatusAccepted || out["queued"] != 2.0 || out["errors"] != 1.0 {
		t.Fatalf("queue: %d %v", code, out)
	}
	res := out["results"].([]any)
	if res[1].(map[string]any)["tracked"] != false || res[2].(map[string]any)["error"] == nil {
		t.Fatalf("results %v", res)
	}
	code, out = c.call("GET", path, token, "")
	if code != http.StatusOK || out["queued"] != 2.0 || out["per_minute"] != 30.0 || out["running"] != true {
		t.Fatalf("progress: %d %v", code, out)
	}
	page := fmt.Sprintf("/app/w/%d/campaigns/%d", acme, id)
	admin, viewer := c.signIn("admin@example.com"), c.signIn("viewer@example.com")
	html := body(c.do("GET", page, nil, viewer))
	if !strings.Contains(html, "Sent by Foyer") || !strings.Contains(html, `<td data-label="Queued" class="num">2</td>`) ||
		!strings.Contains(html, `class="reload"`) || strings.Contains(html, "/deliveries") {
		t.Fatalf("viewer's page:\n%s", html)
	}
	if html = body(c.do("GET", page, nil, admin)); !strings.Contains(html, `action="`+page+`/deliveries"`) {
		t.Fatalf("admin's page has no send form:\n%s", html)
	}
	// The form: a line that names no contact is reported, the others queued.
	resp := c.do("POST", page+"/deliveries", url.Values{"recipients": {"ana@example.com\r\nnobody@example.com\r\n"}, "per_minute": {"30"}}, admin)
	if html = body(resp); resp.StatusCode != http.StatusOK || !strings.Contains(html, "1 messages queued") || !strings.Contains(html, "line 2") {
		t.Fatalf("form with a bad line: %d\n%s", resp.StatusCode, html)
	}
	resp = c.do("POST", page+"/deliveries", url.Values{"recipients": {"ana@example.com"}, "per_minute": {"30"}}, admin)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != page+"?done=delivery-started" {
		t.Fatalf("form: %d to %q", resp.StatusCode, loc)
	}
	resp = c.do("POST", page+"/deliveries", url.Values{"recipients": {"ana@example.com"}, "per_minute": {"30"}}, viewer)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer's form: %d", resp.StatusCode)
	}
	if got := c.auditOf(acme, foyer.AuditFilter{Action: foyer.AuditCampaignSent}); len(got) != 3 {
		t.Fatalf("%d audit entries of sends, want 3 (API, two forms)", len(got))
	}
	p, err := c.st.DeliveryProgress(ctx, acme, id)
	if err != nil || p.Queued != 4 {
		t.Fatalf("progress %+v %v", p, err)
	}
	// The sender, on the server's clock: one message per job at this pace.
	sender := &campaignsend.Sender{Store: c.st, Mail: m, Now: c.clock.Now}
	if r, err := sender.Run(ctx); err != nil || r.Sent != 3 {
		t.Fatalf("run: %+v %v", r, err)
	}
	for _, msg := range relay.Messages() {
		if !strings.Contains(strings.ReplaceAll(msg.Data, "=\r\n", ""), "https://foyer.example.org/o/") { // soft line breaks undone
			t.Fatalf("message without the pixel:\n%s", msg.Data)
		}
	}
}
