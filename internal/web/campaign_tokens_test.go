package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestCampaignTokens: forged, truncated and swapped tokens get 404 with no
// Location; another workspace's token reads and sends nothing of the
// campaign; the redirect goes to the stored URL whatever the request
// says; HEAD, scanners' agents, prefetches and all-links clicks are
// counted apart.
func TestCampaignTokens(t *testing.T) {
	t.Parallel()
	c := newCampaignTest(t, store.SQLite)
	acme := c.wsID("Acme")
	bob := c.contact(acme, "Bob", "bob@corp.example", foyer.ConsentAccepted)
	write, other := c.token("Acme", foyer.ScopeWrite), c.token("Initech", foyer.ScopeWrite)
	read := c.token("Acme", foyer.ScopeRead)
	id := c.createCampaign(write, "Tokens")
	msg := c.send(write, id, fmt.Sprintf(`[{"contact_id": %d}]`, bob))[0].HTML
	clicks, open := clickRe.FindAllString(msg, -1), openRe.FindString(msg)
	click := clicks[0]
	c.clock.Add(time.Minute)

	gone := func(what, link string) {
		t.Helper()
		resp := c.hit("GET", link, personAgent)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d, Location %q; want 404 and none", what, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	tok := click[len(click)-32:]
	forged := []byte(tok)
	forged[5] ^= 1
	gone("forged", "/c/"+string(forged))
	gone("truncated", "/c/"+tok[:31])
	gone("too long", "/c/"+tok+"A")
	gone("not base64url", "/c/"+tok[:31]+"%2F")
	gone("empty", "/c/")
	gone("the pixel's token as a link", strings.Replace(open, "/o/", "/c/", 1))
	gone("a link's token as the pixel", strings.Replace(click, "/c/", "/o/", 1))

	// Another workspace's token sees no campaign and sends none.
	if code, out := c.call("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), other, ""); code != 404 || errCode(out) != foyer.ENOTFOUND {
		t.Errorf("another workspace's GET: %d %v", code, out)
	}
	if code, out := c.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", id), other, fmt.Sprintf(`{"recipients": [{"contact_id": %d}]}`, bob)); code != 404 {
		t.Errorf("another workspace's sends: %d %v", code, out)
	}
	if code, out := c.call("GET", "/api/v1/campaigns", other, ""); code != 200 || len(out["data"].([]any)) != 0 {
		t.Errorf("another workspace's list: %d %v", code, out)
	}
	if code, out := c.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", id), read, fmt.Sprintf(`{"recipients": [{"contact_id": %d}]}`, bob)); code != 403 {
		t.Errorf("a read token sends: %d %v", code, out)
	}
	if code, out := c.call("POST", "/api/v1/campaigns", write, `{"name": "x", "subject": "y", "html": ""}`); code != 400 || errCode(out) != foyer.EINVALID {
		t.Errorf("empty html: %d %v", code, out)
	}
	many := strings.Repeat(`{"contact_id": 1},`, foyer.MaxCampaignRecipients) + `{"contact_id": 1}`
	if code, out := c.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", id), write, `{"recipients": [`+many+`]}`); code != 400 {
		t.Errorf("%d recipients: %d %v", foyer.MaxCampaignRecipients+1, code, out)
	}

	// The redirect ignores what the request says.
	for _, suffix := range []string{"?url=https://evil.example/", "?next=//evil.example", "?u=https%3A%2F%2Fevil.example&url=//evil.example"} {
		resp := c.hit("GET", click+suffix, personAgent)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || loc != "https://www.acme.example/pricing?plan=pro" {
			t.Errorf("%s: %d %q", suffix, resp.StatusCode, loc)
		}
	}
	c.hit("HEAD", click, personAgent)
	c.hit("GET", open, "Mozilla/5.0 (compatible; Barracuda Sentinel link protection)")
	c.hit("GET", open, "")
	c.flush()
	machines := func() map[string]int {
		out := map[string]int{}
		rows, err := c.st.DB().Query(`SELECT machine, COUNT(*) FROM email_events GROUP BY machine`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var m string
			var n int
			rows.Scan(&m, &n)
			out[m] = n
		}
		return out
	}
	if got := machines(); got[""] != 3 || got[foyer.MachineHead] != 1 || got[foyer.MachineAgent] != 2 {
		t.Errorf("events by machine: %v", got)
	}

	// A new message: an open within seconds of the send is a prefetch;
	// both links clicked within a second are a link checker's, and the
	// recipient's first click goes back to none.
	msg = c.send(write, id, fmt.Sprintf(`[{"contact_id": %d}]`, bob))[0].HTML
	clicks, open = clickRe.FindAllString(msg, -1), openRe.FindString(msg)
	c.clock.Add(2 * time.Second)
	c.hit("GET", open, personAgent)
	c.clock.Add(time.Minute)
	c.hit("GET", clicks[0], personAgent)
	c.clock.Add(500 * time.Millisecond)
	c.hit("GET", clicks[1], personAgent)
	c.flush()
	if got := machines(); got[foyer.MachinePrefetch] != 1 || got[foyer.MachineAllLinks] != 2 || got[""] != 3 {
		t.Errorf("events by machine: %v", got)
	}
	var firstOpen, firstClick int64
	c.st.DB().QueryRow(`SELECT first_open_at, first_click_at FROM campaign_recipients ORDER BY id DESC LIMIT 1`).Scan(&firstOpen, &firstClick)
	if firstOpen != 0 || firstClick != 0 {
		t.Errorf("the machines' open and clicks set first_open_at %d, first_click_at %d", firstOpen, firstClick)
	}
	camp, err := c.st.Campaign(context.Background(), acme, id)
	if err != nil {
		t.Fatal(err)
	}
	if tt := camp.Totals; tt.Sent != 2 || tt.UniqueOpens != 0 || tt.Clicks != 3 || tt.UniqueClicks != 1 || tt.MachineOpens != 3 || tt.MachineClicks != 3 {
		t.Errorf("totals %+v", tt)
	}
}

// TestCampaignsOpenAPI: openapi.json describes the campaign answers with
// the fields the API sends.
func TestCampaignsOpenAPI(t *testing.T) {
	t.Parallel()
	c := newCampaignTest(t, store.SQLite)
	bob := c.contact(c.wsID("Acme"), "Bob", "bob@corp.example", foyer.ConsentAccepted)
	tok := c.token("Acme", foyer.ScopeWrite)
	id := c.createCampaign(tok, "Docs")
	_, got := c.call("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), tok, "")
	_, sent := c.call("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", id), tok, fmt.Sprintf(`{"recipients":[{"contact_id":%d},{"email":"x@y.example"}]}`, bob))
	_, doc := c.api("/api/v1/openapi.json", "")
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	same := func(name string, schema, got map[string]any) {
		t.Helper()
		props := schema["properties"].(map[string]any)
		for k := range got {
			if props[k] == nil {
				t.Errorf("openapi.json: %s lacks %q", name, k)
			}
		}
		for k := range props {
			if _, ok := got[k]; !ok {
				t.Errorf("openapi.json: %s has %q, which the API does not send", name, k)
			}
		}
	}
	same("Campaign", schemas["Campaign"].(map[string]any), got)
	same("CampaignTotals", schemas["CampaignTotals"].(map[string]any), got["totals"].(map[string]any))
	same("SendResult", schemas["SendResult"].(map[string]any), sent)
	merged := map[string]any{}
	for _, r := range sent["results"].([]any) {
		for k, v := range r.(map[string]any) {
			merged[k] = v
		}
	}
	item := schemas["SendResult"].(map[string]any)["properties"].(map[string]any)["results"].(map[string]any)["items"].(map[string]any)
	same("SendResult's result", item, merged)
	paths := doc["paths"].(map[string]any)
	for p, methods := range map[string][]string{"/campaigns": {"get", "post"}, "/campaigns/{id}": {"get"}, "/campaigns/{id}/sends": {"post"},
		"/campaigns/{id}/bounces": {"post"}} {
		for _, m := range methods {
			if op, _ := paths[p].(map[string]any)[m].(map[string]any); op == nil || op["responses"].(map[string]any)["401"] == nil {
				t.Errorf("openapi.json: %s %s missing or without its 401", m, p)
			}
		}
	}
}

// TestCampaignBounces: the email tool reports bounces by recipient; the
// totals' delivered drops, the reason is kept without the address it
// quotes, a second bounce of the same recipient changes nothing, and a
// recipient of another campaign or workspace is not found.
func TestCampaignBounces(t *testing.T) {
	t.Parallel()
	c := newCampaignTest(t, store.SQLite)
	acme := c.wsID("Acme")
	tok, other := c.token("Acme", foyer.ScopeWrite), c.token("Initech", foyer.ScopeWrite)
	a := c.contact(acme, "Ann", "ann@corp.example", foyer.ConsentRefused)
	b := c.contact(acme, "Ben", "ben@corp.example", foyer.ConsentAccepted)
	id := c.createCampaign(tok, "Bounces")
	second := c.createCampaign(tok, "Other")
	res := c.send(tok, id, fmt.Sprintf(`[{"contact_id": %d}, {"contact_id": %d}]`, a, b))
	elsewhere := c.send(tok, second, fmt.Sprintf(`[{"contact_id": %d}]`, b))[0].RecipientID
	path := fmt.Sprintf("/api/v1/campaigns/%d/bounces", id)
	body := fmt.Sprintf(`{"bounces": [{"recipient_id": %d, "reason": "550 5.1.1 <ann@corp.example>: Recipient address rejected"},
		{"recipient_id": %d, "reason": "later"}, {"recipient_id": %d}, {"recipient_id": 999999}]}`,
		res[0].RecipientID, res[0].RecipientID, elsewhere)
	code, out := c.call("POST", path, tok, body)
	if code != 200 || out["recorded"].(float64) != 2 || out["errors"].(float64) != 2 {
		t.Fatalf("bounces: %d %v", code, out)
	}
	if code, _ := c.call("POST", path, other, body); code != 404 {
		t.Errorf("another workspace's bounces: %d", code)
	}
	var reason string
	c.st.DB().QueryRow(`SELECT bounce FROM campaign_recipients WHERE id = ?`, res[0].RecipientID).Scan(&reason)
	if reason != "550 5.1.1 [address] Recipient address rejected" {
		t.Errorf("reason kept: %q", reason)
	}
	camp, err := c.st.Campaign(context.Background(), acme, id)
	if err != nil {
		t.Fatal(err)
	}
	if tt := camp.Totals; tt.Sent != 2 || tt.Bounced != 1 || tt.Delivered != 1 {
		t.Errorf("totals %+v", tt)
	}
}
