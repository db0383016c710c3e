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

// TestSegmentEditorForm: the editor's buttons add and remove rows without
// saving, a bad condition is answered on the form with the rows as typed,
// and a good one saves a segment with its conditions in order; the
// scoring form adds a rule and refuses one for companies' opens.
func TestSegmentEditorForm(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	ws := w.workspace("Acme")
	cookie := w.signIn("ana@example.com")
	path := fmt.Sprintf("/app/w/%d/segments", ws)
	row := func(v url.Values, kind, field, op, value, pth, days string) {
		for k, x := range map[string]string{"kind": kind, "field": field, "attr": "", "op": op, "value": value,
			"path": pth, "days": days, "minutes": "5", "campaign": "", "points": ""} {
			v.Add(k, x)
		}
	}
	form := url.Values{"name": {"CTOs on pricing"}, "match": {"all"}}
	row(form, "contact", "role", "contains", "cto", "", "30")

	add := url.Values{"add": {"1"}}
	for k, v := range form {
		add[k] = v
	}
	resp := w.do("POST", path, add, cookie)
	page := body(resp)
	if resp.StatusCode != http.StatusOK || strings.Count(page, `class="condition-row"`) != 2 || !strings.Contains(page, `value="cto"`) {
		t.Fatalf("add a row: %d, %d rows", resp.StatusCode, strings.Count(page, `class="condition-row"`))
	}
	if list, _ := w.st.Segments(context.Background(), ws); len(list) != 0 {
		t.Fatalf("adding a row saved %d segments", len(list))
	}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = append([]string(nil), v...)
	}
	row(bad, "visited", "email_domain", "is", "", "pricing", "30")
	resp = w.do("POST", path, bad, cookie)
	page = body(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "condition 2") || !strings.Contains(page, "page pattern") ||
		!strings.Contains(page, `value="pricing"`) {
		t.Fatalf("a bad pattern: %d %s", resp.StatusCode, page)
	}

	rm := url.Values{"remove": {"1"}}
	for k, v := range bad {
		rm[k] = v
	}
	if page := body(w.do("POST", path, rm, cookie)); strings.Count(page, `class="condition-row"`) != 1 {
		t.Errorf("remove a row: %d rows", strings.Count(page, `class="condition-row"`))
	}

	good := url.Values{}
	for k, v := range form {
		good[k] = append([]string(nil), v...)
	}
	row(good, "visited", "email_domain", "is", "", "/pricing/", "30")
	resp = w.do("POST", path, good, cookie)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body(resp))
	}
	list, err := w.st.Segments(context.Background(), ws)
	if err != nil || len(list) != 1 {
		t.Fatalf("segments: %v %v", list, err)
	}
	d := list[0].Definition
	want := `{"match":"all","conditions":[{"kind":"contact","field":"role","op":"contains","value":"cto"},{"kind":"visited","path":"/pricing/","days":30}]}`
	if d.String() != want {
		t.Errorf("saved %s, want %s", d, want)
	}

	scoring := fmt.Sprintf("/app/w/%d/scoring/rules", ws)
	rule := url.Values{"name": {"Pricing"}, "target": {"contact"}, "rule_points": {"10"}}
	row(rule, "visited", "email_domain", "is", "", "/pricing/", "")
	if resp := w.do("POST", scoring, rule, cookie); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("add a rule: %d %s", resp.StatusCode, body(resp))
	}
	opens := url.Values{"name": {"Opens"}, "target": {"company"}, "rule_points": {"3"}}
	row(opens, "opened", "email_domain", "is", "", "", "")
	if resp := w.do("POST", scoring, opens, cookie); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a company rule for opens: %d", resp.StatusCode)
	}
	if rules, _ := w.st.ScoreRules(context.Background(), ws); len(rules) != 1 {
		t.Errorf("rules: %d, want 1", len(rules))
	}
}
