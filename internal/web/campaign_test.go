package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/contactexport"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// campaignTest is a webTest whose server hands opens and clicks to a
// running emailtrack.Writer, with the workspaces Acme and Initech.
type campaignTest struct {
	*webTest
	writer *emailtrack.Writer
}

func newCampaignTest(t *testing.T, d store.Dialect) *campaignTest {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	st := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st.UseKeys(keys)
	writer := emailtrack.NewWriter(st, slog.New(slog.NewTextHandler(t.Output(), nil)))
	writer.Start()
	t.Cleanup(func() { writer.Stop(context.Background()) })
	srv := NewServer(Config{Store: st, Log: slog.New(slog.NewTextHandler(t.Output(), nil)), FailureDelay: func(int) time.Duration { return 0 },
		SignInLimit: clientip.NewLimiter(0, 0, nil), Now: clock.Now, PublicURL: "https://foyer.example.org", EmailEvents: writer})
	t.Cleanup(srv.Close)
	w := &webTest{t: t, st: st, srv: srv, clock: clock}
	for _, name := range []string{"Acme", "Initech"} {
		if err := st.CreateWorkspace(context.Background(), &foyer.Workspace{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return &campaignTest{webTest: w, writer: writer}
}

// flush waits until the writer has written every event handed to it, and
// starts a new one for the next.
func (c *campaignTest) flush() {
	c.t.Helper()
	if err := c.writer.Stop(context.Background()); err != nil {
		c.t.Fatal(err)
	}
	c.writer = emailtrack.NewWriter(c.st, nil)
	c.writer.Start()
	c.srv.cfg.EmailEvents = c.writer
}

// contact adds a contact to the workspace, with a consent status.
func (c *campaignTest) contact(ws int64, first, email string, status foyer.ConsentStatus) int64 {
	c.t.Helper()
	ct := &foyer.Contact{WorkspaceID: ws, Email: email, FirstName: first, LastName: "Tester", Consent: foyer.ConsentState{Status: status}}
	if status != foyer.ConsentUnanswered {
		ct.Consent.At = c.clock.Now()
	}
	if err := c.st.CreateContact(context.Background(), ct, "test"); err != nil {
		c.t.Fatal(err)
	}
	return ct.ID
}

// hit requests a tracking URL (made for https://foyer.example.org) with a
// person's browser, or the given method and agent.
func (c *campaignTest) hit(method, link, agent string) *http.Response {
	c.t.Helper()
	path := strings.TrimPrefix(link, "https://foyer.example.org")
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("User-Agent", agent)
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, r)
	return rec.Result()
}

const personAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

var (
	clickRe = regexp.MustCompile(`https://foyer\.example\.org/c/[A-Za-z0-9_-]{32}`)
	openRe  = regexp.MustCompile(`https://foyer\.example\.org/o/[A-Za-z0-9_-]{32}`)
)

// sendResult is one result of a sends call.
type sendResult struct {
	Index       int    `json:"index"`
	RecipientID int64  `json:"recipient_id"`
	Tracked     *bool  `json:"tracked"`
	HTML        string `json:"html"`
	Error       *struct {
		Code, Message string
	} `json:"error"`
}

const campaignHTML = `<!doctype html><html><body><h1>Spring news</h1>
<p>See <a href="https://www.acme.example/pricing?plan=pro">our prices</a> and
<a class="x" href="https://docs.other.example/guide#start">the guide</a>. <a href="mailto:sales@acme.example">Mail us</a>.</p>
</body></html>`

// createCampaign creates the campaign through the API and returns its ID.
func (c *campaignTest) createCampaign(token, name string) int64 {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"name": name, "subject": "What is new in spring", "html": campaignHTML})
	code, out := c.call("POST", "/api/v1/campaigns", token, string(b))
	if code != http.StatusCreated {
		c.t.Fatalf("create campaign: %d %v", code, out)
	}
	links, _ := out["links"].([]any)
	if len(links) != 2 || links[0].(map[string]any)["url"] != "https://www.acme.example/pricing?plan=pro" ||
		links[1].(map[string]any)["url"] != "https://docs.other.example/guide#start" {
		c.t.Fatalf("links %v", out["links"])
	}
	return int64(out["id"].(float64))
}

// send makes the messages of the recipients (a JSON list).
func (c *campaignTest) send(token string, id int64, recipients string) []sendResult {
	c.t.Helper()
	code, b, _ := c.callRaw("POST", fmt.Sprintf("/api/v1/campaigns/%d/sends", id), token, `{"recipients": `+recipients+`}`)
	if code != http.StatusOK {
		c.t.Fatalf("sends: %d %s", code, b)
	}
	var out struct {
		Subject string
		Results []sendResult
	}
	if err := json.Unmarshal(b, &out); err != nil {
		c.t.Fatal(err)
	}
	if out.Subject != "What is new in spring" {
		c.t.Errorf("subject %q", out.Subject)
	}
	return out.Results
}

// TestCampaignAnonymisedEndToEnd: a campaign to five contacts, two who
// refused before the send and one who refuses after it; every one opens
// and clicks. The totals count all five, the results list only the two
// tracked ones, the legend says 3 untracked, the three profiles say "not
// targeted", and no row links a refuser to an open or a click.
func TestCampaignAnonymisedEndToEnd(t *testing.T) {
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testCampaignEndToEnd(t, d)
		})
	}
}

func testCampaignEndToEnd(t *testing.T, d store.Dialect) {
	c := newCampaignTest(t, d)
	ctx := context.Background()
	acme, initech := c.wsID("Acme"), c.wsID("Initech")
	c.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	site := c.site("Acme", "acme")
	site.Hostnames, site.Identify.EmailLinks = []string{"www.acme.example"}, true
	if err := c.st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := c.st.SetPersonaBasis(ctx, acme, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	alice := c.contact(acme, "Alice", "alice@corp.example", foyer.ConsentAccepted)
	c.contact(acme, "Bruno", "bruno@corp.example", foyer.ConsentUnanswered)
	chloe := c.contact(acme, "Chloe", "chloe@corp.example", foyer.ConsentRefused)
	dmitri := c.contact(acme, "Dmitri", "dmitri@corp.example", foyer.ConsentRefused)
	emma := c.contact(acme, "Emma", "emma@corp.example", foyer.ConsentUnanswered)
	other := c.contact(initech, "Olga", "olga@initech.example", foyer.ConsentAccepted)
	write := c.token("Acme", foyer.ScopeWrite)
	id := c.createCampaign(write, "Spring news")

	res := c.send(write, id, fmt.Sprintf(`[{"contact_id": %d}, {"email": "Bruno@Corp.example"}, {"contact_id": %d},
		{"email": "dmitri@corp.example"}, {"contact_id": %d}, {"email": "nobody@corp.example"}, {"contact_id": %d}]`,
		alice, chloe, emma, other))
	if len(res) != 7 {
		t.Fatalf("%d results", len(res))
	}
	for i, want := range []bool{true, true, false, false, true} {
		r := res[i]
		if r.Error != nil || r.Tracked == nil || *r.Tracked != want || r.RecipientID == 0 {
			t.Fatalf("result %d: %+v, want tracked %v", i, r, want)
		}
		if n := len(clickRe.FindAllString(r.HTML, -1)); n != 2 || len(openRe.FindAllString(r.HTML, -1)) != 1 ||
			!strings.Contains(r.HTML, `href="mailto:sales@acme.example"`) || strings.Contains(r.HTML, "www.acme.example/pricing") {
			t.Fatalf("message %d: %d links\n%s", i, n, r.HTML)
		}
		if strings.Index(r.HTML, "/o/") > strings.Index(r.HTML, "</body>") {
			t.Errorf("message %d: the pixel is not before </body>", i)
		}
	}
	for _, i := range []int{5, 6} { // an unknown email; another workspace's contact
		if r := res[i]; r.Error == nil || r.Error.Code != foyer.ENOTFOUND || r.HTML != "" || r.RecipientID != 0 {
			t.Errorf("result %d: %+v, want not found", i, r)
		}
	}
	var recipients int
	c.st.DB().QueryRow(`SELECT COUNT(*) FROM campaign_recipients`).Scan(&recipients)
	if recipients != 5 {
		t.Errorf("%d recipient rows, want 5 (none for the unknown ones)", recipients)
	}

	// Emma refuses after the send.
	if _, applied, _, err := c.st.RecordConsent(ctx, acme, emma, foyer.ConsentChange{Status: foyer.ConsentRefused,
		Source: foyer.SourceAdmin, Actor: "test"}); err != nil || !applied {
		t.Fatalf("refusal: %v %v", applied, err)
	}
	c.clock.Add(5 * time.Minute) // past the prefetch window

	for i, r := range res[:5] {
		if resp := c.hit("GET", openRe.FindString(r.HTML), personAgent); resp.StatusCode != 200 ||
			resp.Header.Get("Content-Type") != "image/gif" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("open %d: %d %v", i, resp.StatusCode, resp.Header)
		}
		resp := c.hit("GET", clickRe.FindString(r.HTML)+"?to=https://evil.example", personAgent)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "https://www.acme.example/pricing?plan=pro") {
			t.Fatalf("click %d: %d %q", i, resp.StatusCode, loc)
		}
		// Only a tracked contact's landing on the workspace's site is identified.
		if tracked := i < 2; strings.Contains(loc, "&fy_t=") != tracked {
			t.Errorf("click %d: Location %q, want fy_t %v", i, loc, tracked)
		}
	}
	c.hit("GET", openRe.FindString(res[0].HTML), personAgent) // Alice opens again
	// A link checker clicks Bruno's second link with HEAD: counted apart.
	if resp := c.hit("HEAD", clickRe.FindAllString(res[1].HTML, -1)[1], "Mozilla/5.0"); resp.StatusCode != http.StatusFound ||
		resp.Header.Get("Location") != "https://docs.other.example/guide#start" {
		t.Errorf("HEAD click: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.flush()

	camp, err := c.st.Campaign(ctx, acme, id)
	if err != nil {
		t.Fatal(err)
	}
	want := foyer.CampaignTotals{Sent: 5, Delivered: 5, Opens: 6, UniqueOpens: 5, Clicks: 5, UniqueClicks: 5,
		MachineClicks: 1, Untracked: 3, ClickThrough: 1, OpenRate: 1}
	if camp.Totals != want {
		t.Errorf("totals %+v\nwant   %+v", camp.Totals, want)
	}
	if l := camp.Links; len(l) != 2 || l[0].Clicks != 5 || l[0].UniqueClicks != 5 || l[1].Clicks != 0 || l[1].MachineClicks != 1 {
		t.Errorf("links %+v", l)
	}

	// The results page lists Alice and Bruno only; the legend counts 3.
	session := c.signIn("ana@example.com")
	resp := c.do("GET", fmt.Sprintf("/app/w/%d/campaigns/%d", acme, id), nil, session)
	page := body(resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "Alice Tester") || !strings.Contains(page, "Bruno Tester") ||
		!strings.Contains(page, "3 untracked contacts") {
		t.Fatalf("results page: %d\n%s", resp.StatusCode, page)
	}
	for _, name := range []string{"Chloe", "Dmitri", "Emma"} {
		if strings.Contains(page, name) {
			t.Errorf("the results page names %s", name)
		}
	}
	if entries := c.auditOf(acme, foyer.AuditFilter{Action: foyer.AuditContactViewed}); len(entries) == 0 || entries[0].ObjectType != "campaign" {
		t.Errorf("the view of the engaged contacts is not audited: %+v", entries)
	}
	list := body(c.do("GET", fmt.Sprintf("/app/w/%d/campaigns", acme), nil, session))
	if !strings.Contains(list, "Spring news") || !strings.Contains(list, "100%") {
		t.Errorf("campaign list:\n%s", list)
	}

	// Profiles: the three untracked say "not targeted" and show no send.
	for _, ct := range []int64{chloe, dmitri, emma} {
		p := body(c.do("GET", fmt.Sprintf("/app/w/%d/contacts/%d", acme, ct), nil, session))
		if !strings.Contains(p, "not targeted") || strings.Contains(p, fmt.Sprintf("/campaigns/%d", id)) {
			t.Errorf("profile of contact %d:\n%s", ct, p)
		}
	}
	p := body(c.do("GET", fmt.Sprintf("/app/w/%d/contacts/%d", acme, alice), nil, session))
	if strings.Contains(p, "not targeted") || !strings.Contains(p, fmt.Sprintf(`href="/app/w/%d/campaigns/%d"`, acme, id)) {
		t.Errorf("profile of Alice:\n%s", p)
	}

	// No recipient row links a refuser, and no open or click reaches one.
	refusers := fmt.Sprintf("(%d, %d, %d)", chloe, dmitri, emma)
	var linked, events int
	c.st.DB().QueryRow(`SELECT COUNT(*) FROM campaign_recipients WHERE contact_id IN ` + refusers).Scan(&linked)
	c.st.DB().QueryRow(`SELECT COUNT(*) FROM email_events e JOIN campaign_recipients r ON r.id = e.recipient_id
		WHERE r.contact_id IN ` + refusers).Scan(&events)
	if linked != 0 || events != 0 {
		t.Errorf("refusers linked: %d recipient rows, %d events", linked, events)
	}

	// The access package holds Alice's campaign; the refusers' hold none.
	for who, want := range map[int64]int{alice: 1, chloe: 0, dmitri: 0, emma: 0} {
		data, err := c.srv.accessData(ctx, acme, "Acme", who)
		if err != nil {
			t.Fatal(err)
		}
		var zip bytes.Buffer
		if len(data.Campaigns) != want || contactexport.WriteAccess(&zip, data) != nil {
			t.Errorf("access package of contact %d: %+v", who, data.Campaigns)
		}
	}

	// Erasing Alice detaches her rows; the totals stay.
	if _, err := c.st.EraseContact(ctx, acme, alice, "test", ""); err != nil {
		t.Fatal(err)
	}
	c.st.DB().QueryRow(`SELECT COUNT(*) FROM campaign_recipients WHERE contact_id IS NOT NULL`).Scan(&linked)
	after, err := c.st.Campaign(ctx, acme, id)
	if err != nil {
		t.Fatal(err)
	}
	if linked != 1 || after.Totals.UniqueOpens != 5 || after.Totals.Untracked != 4 {
		t.Errorf("after erasure: %d linked rows, totals %+v", linked, after.Totals)
	}
}
