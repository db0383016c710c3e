package browser_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/testutil"
)

// personaPage is a page of the customer's site with the tracker that
// recognises contacts, and a contact form whose other fields carry values
// the tracker must never read.
var personaPage = template.Must(template.New("p").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<script defer src="{{.Script}}" data-site="persona" data-identify="forms links"></script></head>
<body><h1>{{.Title}}</h1>
<form id="contact" action="/thanks" method="post">
  <label>Email <input type="email" name="email" id="email"></label>
  <label>Password <input type="password" name="password" id="password"></label>
  <input type="hidden" name="ref" value="hidden.planted@example.org">
  <label>Notes <input name="notes" id="notes" data-foyer-ignore></label>
  <label>Name <input name="fullname" id="fullname"></label>
  <button id="send">Send</button>
</form></body></html>`))

// Values the tracker must never send, nor Foyer write.
const (
	personaPassword = "Pw-Xanthoria-4471"
	personaIgnored  = "ignored.planted@example.org"
	personaFullname = "Ottoline Brackwater"
	personaUnknown  = "unknown.visitor.zz@example.net"
	personaLinkName = "Zebedee"
)

// TestPersonaInBrowser: on a page with the tracker and a form, a known
// contact's email links the visitor to the contact; an unknown email
// leaves the visit anonymous and is found in no file Foyer wrote (the
// database, its WAL, the log); no password, hidden, ignored or other
// field is ever sent; a tracked-email link's identifiers leave the address
// bar and every stored URL, and its token links the visitor.
func TestPersonaInBrowser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "foyer.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cfg := app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(dir, "foyer.db"),
		Log: slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	f := startFoyerConfig(t, cfg, "")
	ctx := context.Background()
	st := f.app.Store
	ws, site := testutil.NewSite(t, st, "Persona", "persona", "localhost")
	site.Identify = foyer.Identification{Forms: true, EmailLinks: true}
	if err := st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "owner@example.com"); err != nil {
		t.Fatal(err)
	}
	jane := &foyer.Contact{WorkspaceID: ws.ID, Email: "jane.known@client.example", FirstName: "Jane", LastName: "Known", Role: "CTO"}
	rob := &foyer.Contact{WorkspaceID: ws.ID, Email: "rob.refused@client.example", FirstName: "Rob"}
	for _, c := range []*foyer.Contact{jane, rob} {
		if err := st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := st.RecordConsent(ctx, ws.ID, rob.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
		At: time.Now().Add(-time.Hour), Source: foyer.SourceAPI, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	tok, err := st.CreateContactToken(ctx, ws.ID, jane.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}

	// The customer's site on localhost.
	siteSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		title := "Landing"
		if r.URL.Path == "/thanks" {
			if r.Method == http.MethodPost {
				http.Redirect(w, r, "/thanks", http.StatusSeeOther)
				return
			}
			title = "Thanks"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		personaPage.Execute(w, struct{ Title, Script string }{title, f.URL + "/ti.js"})
	}))
	t.Cleanup(siteSrv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(siteSrv.URL, "http://"), ":")
	base := "http://localhost:" + port

	browser := newBrowser(t)
	// submit fills the form and sends it, and waits for the thanks page.
	submit := func(tab context.Context, email string) {
		t.Helper()
		do(t, tab, "fill the form",
			chromedp.SendKeys(chromedp.CSS("#email"), email),
			chromedp.SendKeys(chromedp.CSS("#password"), personaPassword),
			chromedp.SendKeys(chromedp.CSS("#notes"), personaIgnored),
			chromedp.SendKeys(chromedp.CSS("#fullname"), personaFullname))
		clickAndLoad(t, tab, "#send")
		waitTracker(t, tab)
	}
	visitorOf := func(tab context.Context) string {
		t.Helper()
		return cookies(t, tab, base)["_foyer_id"].Value
	}

	// A stranger: an email link with an unknown address and names, then
	// the form with another unknown address.
	stranger := newTab(t, browser)
	landing := base + "/landing?plan=pro&fy_email=" + url.QueryEscape(personaUnknown) + "&fy_fn=" + personaLinkName + "&fy_ln=Quillfeather"
	do(t, stranger, "open the landing page", chromedp.Navigate(landing))
	waitTracker(t, stranger)
	if got := eval[string](t, stranger, "location.href"); got != base+"/landing?plan=pro" {
		t.Errorf("the address bar shows %s after the tracker ran, want the identifiers gone", got)
	}
	submit(stranger, "someone.else.zz@example.net")
	strangerID := visitorOf(stranger)

	// Jane, by the form.
	janeTab := newTab(t, browser)
	do(t, janeTab, "open the landing page", chromedp.Navigate(base+"/landing"))
	waitTracker(t, janeTab)
	submit(janeTab, "Jane.Known@client.example")
	janeID := visitorOf(janeTab)

	// Jane again in another browser, by the token of a tracked email.
	tokenTab := newTab(t, browser)
	do(t, tokenTab, "open the tracked link", chromedp.Navigate(base+"/landing?fy_t="+tok.Token+"&utm_source=mail"))
	waitTracker(t, tokenTab)
	if got := eval[string](t, tokenTab, "location.href"); got != base+"/landing?utm_source=mail" {
		t.Errorf("the address bar shows %s, want the token gone", got)
	}
	tokenID := visitorOf(tokenTab)

	// Rob, who refused, by the form: never linked.
	robTab := newTab(t, browser)
	do(t, robTab, "open the landing page", chromedp.Navigate(base+"/landing"))
	waitTracker(t, robTab)
	submit(robTab, rob.Email)
	robID := visitorOf(robTab)

	f.settled(t, "persona")
	linked := func(visitor string) []int64 {
		if _, err := st.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		vs, err := st.Activity(ctx, foyer.ActivityQuery{WorkspaceID: ws.ID, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, v := range vs {
			if v.VisitorUID == visitor {
				var id int64
				if v.Person != nil {
					id = v.Person.ContactID
				}
				out = append(out, id)
			}
		}
		return out
	}
	for who, tc := range map[string]struct {
		visitor string
		want    int64
	}{"the stranger": {strangerID, 0}, "Jane by the form": {janeID, jane.ID}, "Jane by the token": {tokenID, jane.ID}, "Rob": {robID, 0}} {
		got := linked(tc.visitor)
		if len(got) == 0 {
			t.Errorf("%s: no visit stored", who)
			continue
		}
		for _, id := range got {
			if id != tc.want {
				t.Errorf("%s: a visit linked to %d, want %d", who, id, tc.want)
			}
		}
	}
	cv, err := st.ContactVisits(ctx, ws.ID, jane.ID, 0, 10)
	if err != nil || len(cv) != 2 {
		t.Errorf("Jane's identified visits: %d, %v; want 2", len(cv), err)
	}
	for _, v := range cv {
		if v.Via != foyer.ViaForm && v.Via != foyer.ViaToken {
			t.Errorf("Jane's visit identified by %v", v.Via)
		}
	}

	// What the browsers sent: an identify event with the form's email,
	// and nothing of the other fields, ever.
	var sent strings.Builder
	identifies := 0
	for _, r := range f.requests("persona") {
		sent.WriteString(r.Body)
		identifies += strings.Count(r.Body, `"type":"identify"`)
	}
	for _, never := range []string{personaPassword, personaIgnored, personaFullname, "hidden.planted@example.org", "fy_email", "fy_t="} {
		if strings.Contains(sent.String(), never) {
			t.Errorf("the tracker sent %q", never)
		}
	}
	if identifies < 4 {
		t.Errorf("%d identify events sent, want at least 4:\n%s", identifies, sent.String())
	}

	// What Foyer wrote: no unknown address, no names, no token, no
	// known address in clear, no identifier parameter in a stored URL.
	var all []byte
	where := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && !e.IsDir() {
			all = append(all, bytes.ToLower(b)...)
			where[e.Name()] = bytes.ToLower(b)
		}
	}
	if len(all) == 0 || !bytes.Contains(all, []byte("/landing")) {
		t.Fatal("the scan read nothing of the stored visits")
	}
	for _, needle := range []string{personaUnknown, "someone.else.zz@example.net", strings.ToLower(personaLinkName), "quillfeather",
		strings.ToLower(tok.Token), "jane.known@client.example", rob.Email, strings.ToLower(personaPassword), "fy_email=", "fy_t="} {
		for name, b := range where {
			if i := bytes.Index(b, []byte(needle)); i >= 0 {
				t.Errorf("%q is in %s, which Foyer wrote: …%s…", needle, name, b[max(0, i-80):min(len(b), i+80)])
			}
		}
	}
	for _, e := range f.events(t, ctx, site) {
		if strings.Contains(e.Path, "fy_") {
			t.Errorf("a stored URL keeps an identifier parameter: %s", e.Path)
		}
	}
	t.Logf("scanned %d bytes; %d requests; %s", len(all), len(f.requests("persona")), fmt.Sprint(identifies, " identify events"))
}
