package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/emailtrack"
)

// campaignMessage is the HTML of the browser tests' campaign.
const campaignMessage = `<!doctype html><html><body><h1>Precision spindles, spring range</h1>
<p><a href="https://www.acme-industrial.example/products/precision-spindles-for-five-axis-milling?utm_source=newsletter">See the new range</a>,
<a href="https://www.acme-industrial.example/pricing">the prices</a> and
<a href="https://docs.acme-industrial.example/maintenance/spindles/five-axis/guide.pdf">the maintenance guide</a>.</p></body></html>`

// a11yCampaign adds a campaign sent to the contacts, the first of whom
// opens and clicks, and returns its ID.
func a11yCampaign(t *testing.T, f *foyerServer, ws int64, contacts ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	c := &foyer.Campaign{WorkspaceID: ws, Name: "Spring launch: precision spindles for five-axis milling", Subject: "The spring range is here",
		HTML: campaignMessage, CreatedBy: "test"}
	for _, u := range emailtrack.Links(c.HTML) {
		c.Links = append(c.Links, foyer.CampaignLink{URL: u})
	}
	if err := f.app.Store.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	var to []foyer.Recipient
	for _, id := range contacts {
		to = append(to, foyer.Recipient{ContactID: id})
	}
	made, err := f.app.Store.SendCampaign(ctx, ws, c.ID, to)
	if err != nil {
		t.Fatal(err)
	}
	var events []foyer.EmailEvent
	for i, m := range made {
		e := foyer.EmailEvent{WorkspaceID: ws, CampaignID: c.ID, RecipientID: m.RecipientID, Kind: foyer.HitOpen, At: time.Now()}
		events = append(events, e)
		if i == 0 {
			e.Kind, e.LinkID = foyer.HitClick, c.Links[0].ID
			events = append(events, e)
		}
	}
	if err := f.app.Store.RecordEmailEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestCampaignResultsInBrowser: a campaign made through the API for five
// contacts, two of whom refused tracking before the send and one after;
// all of them open and click through the real server. The owner finds
// the campaign from the feed's navigation, sees the totals of all five,
// the two tracked contacts listed with links to their profiles, "3
// untracked contacts" in the legend and the scanner's click apart; a
// refuser's profile says "not targeted". Screenshots: campaigns,
// campaign-results, contact-not-targeted (desktop and 390 px).
func TestCampaignResultsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "campaigns")
	ws := site.WorkspaceID
	f.member(t, "olga@example.com", ws, foyer.RoleOwner)
	ctx := context.Background()
	people := []struct {
		first, last string
		status      foyer.ConsentStatus
	}{
		{"Alice", "Martin", foyer.ConsentAccepted}, {"Bruno", "Keller-Hoffmann", foyer.ConsentUnanswered},
		{"Chloé", "Durand", foyer.ConsentRefused}, {"Dmitri", "Ivanov", foyer.ConsentRefused}, {"Emma", "Schulz", foyer.ConsentUnanswered},
	}
	var ids []int64
	for _, p := range people {
		c := &foyer.Contact{WorkspaceID: ws, FirstName: p.first, LastName: p.last, Company: "Globex",
			Email: strings.ToLower(p.last) + "@globex.example", Consent: foyer.ConsentState{Status: p.status}}
		if p.status != foyer.ConsentUnanswered {
			c.Consent.At = time.Now().Add(-time.Hour)
		}
		if err := f.app.Store.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	token, hash := auth.NewToken()
	if err := f.app.Store.CreateAPIToken(ctx, hash, foyer.APIToken{WorkspaceID: ws, Scope: foyer.ScopeWrite, Name: "mailer"}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path string, in, out any) {
		t.Helper()
		b, _ := json.Marshal(in)
		r, _ := http.NewRequest(method, f.URL+path, bytes.NewReader(b))
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var camp struct{ ID int64 }
	call("POST", "/api/v1/campaigns", map[string]string{"name": "Spring launch: precision spindles", "subject": "The spring range is here",
		"html": campaignMessage}, &camp)
	var recipients []map[string]any
	for _, id := range ids {
		recipients = append(recipients, map[string]any{"contact_id": id})
	}
	var sent struct{ Results []struct{ HTML string } }
	call("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", camp.ID), map[string]any{"recipients": recipients}, &sent)
	if _, _, _, err := f.app.Store.RecordConsent(ctx, ws, ids[4], foyer.ConsentChange{Status: foyer.ConsentRefused,
		Source: foyer.SourceOptOutForm, Actor: "contact"}); err != nil {
		t.Fatal(err)
	}
	// Every recipient clicks the first link; Alice the second too; a
	// link checker sends HEAD for Bruno's third. Opens would be taken for
	// prefetches this soon after the send: they are written as a person's,
	// later, by the store.
	links := regexp.MustCompile(`/c/[A-Za-z0-9_-]{32}`)
	hit := func(method, path string) {
		t.Helper()
		r, _ := http.NewRequest(method, f.URL+path, nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36")
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	for i, r := range sent.Results {
		ls := links.FindAllString(r.HTML, -1)
		if len(ls) != 3 {
			t.Fatalf("message %d has %d links", i, len(ls))
		}
		hit("GET", ls[0])
		if i == 0 {
			hit("GET", ls[1])
		}
		if i == 1 {
			hit("HEAD", ls[2])
		}
	}
	var opens []foyer.EmailEvent
	for _, r := range sent.Results {
		tok, err := f.app.Store.EmailToken(ctx, regexp.MustCompile(`/o/([A-Za-z0-9_-]{32})`).FindStringSubmatch(r.HTML)[1])
		if err != nil {
			t.Fatal(err)
		}
		opens = append(opens, foyer.EmailEvent{WorkspaceID: ws, CampaignID: camp.ID, RecipientID: tok.RecipientID, Kind: foyer.HitOpen,
			At: time.Now().Add(time.Minute)})
	}
	if err := f.app.Store.RecordEmailEvents(ctx, opens); err != nil {
		t.Fatal(err)
	}
	// The clicks go through the server's batching writer: wait for them.
	deadline := time.Now().Add(waitFor)
	for {
		c, err := f.app.Store.Campaign(ctx, ws, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Totals.Clicks == 6 && c.Totals.MachineClicks == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clicks are not written: %+v", c.Totals)
		}
		time.Sleep(20 * time.Millisecond)
	}

	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	do(t, tab, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olga@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)
	do(t, tab, "open the feed", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d", f.URL, ws)))
	clickAndLoad(t, tab, `nav.links a[href$="/campaigns"]`)
	check(t, "the list's heading", eval[string](t, tab, `document.querySelector('h1').textContent`), "Campaigns")
	check(t, "the list's row", eval[string](t, tab, `[...document.querySelectorAll('table.campaigns tbody td')].map((td) => td.textContent.trim()).slice(2).join(' ')`),
		"5 5 5 100%")
	screenshot(t, tab, "campaigns")
	clickAndLoad(t, tab, `table.campaigns tbody a`)
	check(t, "tiles", eval[string](t, tab, `[...document.querySelectorAll('.tiles .n')].map((n) => n.textContent).join(' ')`), "5 5 5 5 100%")
	check(t, "engaged contacts", eval[string](t, tab, `[...document.querySelectorAll('table.engaged tbody a')].map((a) => a.textContent).join(', ')`),
		"Alice Martin, Bruno Keller-Hoffmann")
	check(t, "legend", strings.Contains(eval[string](t, tab, `document.querySelector('.legend').textContent`), "3 untracked contacts"), true)
	check(t, "link clicks", eval[string](t, tab, `[...document.querySelectorAll('table.links tbody tr')].map((tr) => [...tr.querySelectorAll('td.num')].map((td) => td.textContent).join('/')).join(' ')`),
		"5/5/0 1/1/0 0/0/1")
	screenshot(t, tab, "campaign-results")
	do(t, tab, "a refuser's profile", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/contacts/%d#campaigns", f.URL, ws, ids[2])))
	check(t, "not targeted", eval[string](t, tab, `document.querySelector('ul.not-targeted li').textContent.trim()`),
		"Spring launch: precision spindles not targeted")
	screenshot(t, tab, "contact-not-targeted")
	do(t, tab, "Alice's profile", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/contacts/%d#campaigns", f.URL, ws, ids[0])))
	check(t, "Alice's campaign", eval[int](t, tab, `document.querySelectorAll('table.contact-campaigns tbody tr').length`), 1)
	screenshot(t, tab, "contact-campaigns")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
