package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestAutomationPages: an admin makes a rule (its secret shown on that
// page only), changes it and deletes it, each audited without the
// webhook's address; a bad form keeps what was typed and says what is
// wrong.
func TestAutomationPages(t *testing.T) {
	w := newWebTest(t)
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	ctx := context.Background()
	ws, err := w.st.WorkspaceByName(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	var seg int64
	if err := w.st.DB().QueryRow(`INSERT INTO segments (workspace_id, name, created_by, created_at, updated_at)
		VALUES (?, 'Hot leads', 'test', 0, 0) RETURNING id`, ws.ID).Scan(&seg); err != nil {
		t.Fatal(err)
	}
	cookie := w.signIn("ada@example.com")
	base := fmt.Sprintf("/app/w/%d/automations", ws.ID)
	hook := "https://crm.example/hook?token=s3cr3t"
	form := url.Values{"name": {"To the CRM"}, "trigger": {"contact-score"}, "threshold": {"42,5"}, "webhook": {hook},
		"only_tracked": {"on"}, "enabled": {"on"}, "add_to": {fmt.Sprint(seg)}}
	resp := w.do("POST", base, form, cookie)
	page := body(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Copy it now: it is not shown again.") {
		t.Fatalf("create: %d\n%s", resp.StatusCode, page)
	}
	rules, err := w.st.AutomationRules(ctx, ws.ID)
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules %+v, %v", rules, err)
	}
	r := rules[0]
	if r.ThresholdMilli != 42_500 || r.Trigger != foyer.TriggerContactScore || !r.OnlyTracked || !r.Enabled || len(r.Actions) != 2 ||
		r.Actions[0] != (foyer.AutomationAction{Kind: foyer.ActionSegment, SegmentID: seg}) || r.Actions[1].URL != hook {
		t.Fatalf("stored %+v", r)
	}
	secret, err := w.st.AutomationSecret(ctx, ws.ID, r.ID)
	if err != nil || !strings.Contains(page, secret) {
		t.Fatalf("the page does not show the secret %q (%v)", secret, err)
	}
	resp = w.do("GET", fmt.Sprintf("%s/%d", base, r.ID), nil, cookie)
	if page := body(resp); resp.StatusCode != http.StatusOK || strings.Contains(page, secret) || !strings.Contains(page, "Nothing yet") {
		t.Fatalf("the rule's page: %d, shows the secret: %v", resp.StatusCode, strings.Contains(page, secret))
	}
	// A bad threshold: 400, the form as typed.
	form.Set("threshold", "lots")
	resp = w.do("POST", fmt.Sprintf("%s/%d", base, r.ID), form, cookie)
	if page := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Not saved: the score threshold is a number") ||
		!strings.Contains(page, `value="lots"`) {
		t.Fatalf("bad threshold: %d\n%s", resp.StatusCode, page)
	}
	form.Set("threshold", "60")
	form.Del("only_tracked")
	resp = w.do("POST", fmt.Sprintf("%s/%d", base, r.ID), form, cookie)
	body(resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	if got, err := w.st.AutomationRule(ctx, ws.ID, r.ID); err != nil || got.ThresholdMilli != 60_000 || got.OnlyTracked {
		t.Fatalf("after the update %+v, %v", got, err)
	}
	if again, _ := w.st.AutomationSecret(ctx, ws.ID, r.ID); again != secret {
		t.Error("the update changed the secret")
	}
	resp = w.do("POST", fmt.Sprintf("%s/%d/delete", base, r.ID), url.Values{}, cookie)
	body(resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if _, err := w.st.AutomationRule(ctx, ws.ID, r.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Fatalf("after the delete: %v", err)
	}
	entries, _, err := w.st.AuditLog(ctx, ws.ID, foyer.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[foyer.AuditAction]bool{}
	for _, e := range entries {
		if e.ObjectType == "automation" {
			seen[e.Action] = true
			if strings.Contains(e.Detail, "s3cr3t") || strings.Contains(e.Detail, "crm.example") {
				t.Errorf("the audit entry names the webhook: %q", e.Detail)
			}
		}
	}
	for _, a := range []foyer.AuditAction{foyer.AuditAutomationCreated, foyer.AuditAutomationChanged, foyer.AuditAutomationDeleted} {
		if !seen[a] {
			t.Errorf("no %s entry", a)
		}
	}
}

// FuzzRuleForm: whatever the editor's fields hold, reading them never
// panics, and a rule they make that validates reads back the same from
// the editor it fills.
func FuzzRuleForm(f *testing.F) {
	f.Add("Hot", "segment-entered", "", int64(3), int64(0), true, "", "https://hooks.example/x")
	f.Add("Score", "contact-score", "42,5", int64(0), int64(4), false, "https://hooks.slack.com/services/T/B/X", "")
	f.Add("Company", "company-score", "1e3", int64(0), int64(0), true, "", "http://[::1]:8080/hook")
	f.Fuzz(func(t *testing.T, name, trigger, threshold string, segment, addTo int64, email bool, slack, webhook string) {
		form := ruleForm{Name: name, Trigger: trigger, Threshold: threshold, SegmentID: segment, AddTo: addTo, Email: email,
			Slack: slack, Webhook: webhook, Enabled: true, OnlyTracked: true}
		r, err := form.rule(1)
		if err != nil {
			return
		}
		if foyer.ValidateAutomationRule(&r) != nil {
			return
		}
		again, err := ruleFormOf(&r).rule(1)
		if err != nil {
			t.Fatalf("the filled editor does not read: %v", err)
		}
		if err := foyer.ValidateAutomationRule(&again); err != nil {
			t.Fatalf("the filled editor's rule does not validate: %v", err)
		}
		if again.Name != r.Name || again.Trigger != r.Trigger || again.SegmentID != r.SegmentID || again.ThresholdMilli != r.ThresholdMilli ||
			fmt.Sprint(again.Actions) != fmt.Sprint(r.Actions) {
			t.Fatalf("read back %+v, want %+v", again, r)
		}
	})
}
