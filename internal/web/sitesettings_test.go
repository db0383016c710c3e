package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/collect"
)

// settingsValues is a valid settings form; edit changes it.
func settingsValues(edit func(url.Values)) url.Values {
	v := url.Values{
		"name":                 {"Acme <web>"},
		"hostnames":            {"www.example.com\r\nShop.Example.com\r\n[0:0::1]"},
		"consent":              {"required"},
		"excluded_paths":       {"/admin/\r\n\r\n /account/*/billing \r\n"},
		"keep_params":          {"Page, q,,\r\ncategory "},
		"identify_forms":       {"on"},
		"identify_email_links": nil,
		// honor_gpc unchecked: not sent
	}
	if edit != nil {
		edit(v)
	}
	return v
}

func TestSiteSettings(t *testing.T) {
	w := newWebTest(t)
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	acme := w.site("Acme", "acme")
	ctx := context.Background()
	page := fmt.Sprintf("/app/w/%d/sites/%d/settings", acme.WorkspaceID, acme.ID)
	ada := w.signIn("ada@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}

	b := body(w.do("GET", page, nil, ada))
	for _, want := range []string{`<input name="name" value="acme"`, `<textarea name="hostnames" rows="3" required>www.example.com</textarea>`,
		`value="none" checked`, `name="honor_gpc" checked`, `data-site=&#34;acme&#34;&gt;`,
		"<strong>it is off</strong>", "/t.js"} {
		if !strings.Contains(b, want) {
			t.Errorf("the settings page lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, `name="identify_forms" checked`) || strings.Contains(b, `value="required" checked`) {
		t.Error("identification or consent on by default")
	}

	resp := w.do("POST", page, settingsValues(nil), ada, same...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"?done=site-saved" {
		t.Fatalf("save: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	want := foyer.Site{ID: acme.ID, WorkspaceID: acme.WorkspaceID, Key: "acme", Name: "Acme <web>",
		Hostnames: []string{"www.example.com", "shop.example.com", "[::1]"}, HonorGPC: false, Consent: foyer.ConsentRequired,
		ExcludedPaths: []string{"/admin/", "/account/*/billing"}, KeepParams: []string{"page", "q", "category"},
		Identify:  foyer.Identification{Forms: true},
		CreatedAt: acme.CreatedAt}
	stored := func() foyer.Site {
		t.Helper()
		s, err := w.st.SiteByKey(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		return *s
	}
	if got := stored(); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored\n %+v\nwant\n %+v", got, want)
	}
	b = body(w.do("GET", page+"?done=site-saved", nil, ada))
	for _, want := range []string{"Settings saved.", `value="Acme &lt;web&gt;"`, `value="required" checked`,
		"/admin/\n/account/*/billing</textarea>", `name="identify_forms" checked`, `name="keep_params" value="page, q, category"`,
		"[::1]</textarea>",
		`/ti.js&#34; data-site=&#34;acme&#34; data-consent=&#34;required&#34; data-gpc=&#34;ignore&#34; data-identify=&#34;forms&#34;&gt;`} {
		if !strings.Contains(b, want) {
			t.Errorf("after saving, the page lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, `name="honor_gpc" checked`) || strings.Contains(b, `name="identify_email_links" checked`) {
		t.Error("an unchecked box shows checked")
	}
	// The list and the overview show the settings and the new snippet.
	b = body(w.do("GET", fmt.Sprintf("/app/w/%d/sites", acme.WorkspaceID), nil, ada))
	for _, want := range []string{`<span class="badge">Consent required</span>`, `<span class="badge">GPC/DNT ignored</span>`,
		`<span class="badge">2 excluded paths</span>`, `href="` + page + `">Settings</a>`, `data-consent=&#34;required&#34;`} {
		if !strings.Contains(b, want) {
			t.Errorf("the sites page lacks %q", want)
		}
	}
	b = body(w.do("GET", fmt.Sprintf("/app/w/%d/sites/%d", acme.WorkspaceID, acme.ID), nil, ada))
	if !strings.Contains(b, `<span class="badge">Consent required</span>`) || !strings.Contains(b, `href="`+page+`">Settings</a>`) {
		t.Errorf("the overview does not show the settings:\n%s", b)
	}
	ana := w.signIn("ana@example.com")
	for _, p := range []string{fmt.Sprintf("/app/w/%d/sites", acme.WorkspaceID), fmt.Sprintf("/app/w/%d/sites/%d", acme.WorkspaceID, acme.ID)} {
		if b := body(w.do("GET", p, nil, ana)); strings.Contains(b, "/settings") || !strings.Contains(b, "Consent required") {
			t.Errorf("%s as an analyst: a settings link, or no settings shown", p)
		}
	}

	// Bad input: 400, the error, the form as typed; nothing stored.
	for _, bad := range []struct {
		name string
		edit func(url.Values)
		msg  string
	}{
		{"star inside a segment", func(v url.Values) { v.Set("excluded_paths", "/ok/\n/blog-*") }, "excluded path &#34;/blog-*&#34;: &#39;*&#39; must be a whole segment"},
		{"query in a pattern", func(v url.Values) { v.Set("excluded_paths", "/search?q=x") }, "leave out the query string"},
		{"relative pattern", func(v url.Values) { v.Set("excluded_paths", "admin") }, "must start with &#39;/&#39;"},
		{"51 patterns", func(v url.Values) {
			var ps []string
			for i := range 51 {
				ps = append(ps, fmt.Sprintf("/p%d/", i))
			}
			v.Set("excluded_paths", strings.Join(ps, "\n"))
		}, "51 excluded paths: at most 50"},
		{"no hostname", func(v url.Values) { v.Set("hostnames", " \n ") }, "Give at least one hostname"},
		{"bad hostname", func(v url.Values) { v.Set("hostnames", "https://www_example.com/") }, "&#34;www_example.com&#34; is not a hostname: write one as www.example.com"},
		{"bracketed text", func(v url.Values) { v.Set("hostnames", "[intranet]") }, "only an IPv6 address may go in brackets"},
		{"IPv6 without brackets", func(v url.Values) { v.Set("hostnames", "::1") }, "write an IPv6 address in brackets, as in [::1]"},
		{"a parameter that names a person", func(v url.Values) { v.Set("keep_params", "page, fy_fn") },
			"query parameter &#34;fy_fn&#34;: its values identify a person"},
		{"a UTM parameter", func(v url.Values) { v.Set("keep_params", "utm_source") }, "UTM parameters are always taken"},
		{"a bad parameter name", func(v url.Values) { v.Set("keep_params", "q=1") }, "use letters, digits"},
		{"consent mode", func(v url.Values) { v.Set("consent", "maybe") }, "consent mode &#34;maybe&#34;"},
		{"no consent mode", func(v url.Values) { v.Del("consent") }, ""}, // "" is none: valid, checked below
	} {
		v := settingsValues(func(v url.Values) { v.Set("name", "Typed <name>"); bad.edit(v) })
		resp := w.do("POST", page, v, ada, same...)
		b := body(resp)
		if bad.msg == "" {
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: %d, want 303", bad.name, resp.StatusCode)
			}
			if got := stored(); got.Consent != foyer.ConsentNone {
				t.Errorf("%s: consent %q, want none", bad.name, got.Consent)
			}
			w.do("POST", page, settingsValues(nil), ada, same...) // back to want
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, `class="error"`) || !strings.Contains(b, bad.msg) {
			t.Errorf("%s: %d, want 400 with %q:\n%s", bad.name, resp.StatusCode, bad.msg, b)
		}
		if !strings.Contains(b, `value="Typed &lt;name&gt;"`) {
			t.Errorf("%s: the typed name is not kept", bad.name)
		}
		if p := v.Get("excluded_paths"); !strings.Contains(b, ">"+template.HTMLEscapeString(p)+"</textarea>") {
			t.Errorf("%s: the typed patterns are not kept", bad.name)
		}
		if p := v.Get("keep_params"); !strings.Contains(b, `name="keep_params" value="`+template.HTMLEscapeString(p)+`"`) {
			t.Errorf("%s: the typed query parameters are not kept", bad.name)
		}
		if got := stored(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: stored\n %+v\nwant\n %+v", bad.name, got, want)
		}
	}
}

func TestSiteSettingsRefused(t *testing.T) {
	w := newWebTest(t)
	for _, r := range []foyer.Role{foyer.RoleOwner, foyer.RoleAnalyst, foyer.RoleViewer} {
		w.user(string(r)+"@example.com", "correct horse battery", "Acme", r)
	}
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	ctx := context.Background()
	before := map[string]*foyer.Site{}
	for _, k := range []string{"acme", "initech"} {
		before[k], _ = w.st.SiteByKey(ctx, k)
	}
	pathOf := func(ws, site int64) string { return fmt.Sprintf("/app/w/%d/sites/%d/settings", ws, site) }
	form := settingsValues(func(v url.Values) { v.Set("name", "Hijacked") })
	for _, c := range []struct {
		who, path string
		hdr       []string
		status    int
	}{
		{"analyst", pathOf(acme.WorkspaceID, acme.ID), nil, http.StatusForbidden},
		{"viewer", pathOf(acme.WorkspaceID, acme.ID), nil, http.StatusForbidden},
		{"owner, another workspace's site", pathOf(acme.WorkspaceID, initech.ID), nil, http.StatusNotFound},
		{"owner, a site that does not exist", pathOf(acme.WorkspaceID, initech.ID+100), nil, http.StatusNotFound},
		{"owner, not a site ID", fmt.Sprintf("/app/w/%d/sites/acme/settings", acme.WorkspaceID), nil, http.StatusNotFound},
		{"owner, another workspace", pathOf(initech.WorkspaceID, initech.ID), nil, http.StatusNotFound},
		{"bob, Acme's site", pathOf(acme.WorkspaceID, acme.ID), nil, http.StatusNotFound},
		{"owner, from another origin", pathOf(acme.WorkspaceID, acme.ID), []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
	} {
		who, _, _ := strings.Cut(c.who, ",")
		cookie := w.signIn(who + "@example.com")
		if c.hdr == nil {
			if resp := w.do("GET", c.path, nil, cookie); resp.StatusCode != c.status {
				t.Errorf("GET as %s: %d, want %d", c.who, resp.StatusCode, c.status)
			}
			c.hdr = []string{"Sec-Fetch-Site", "same-origin"}
		}
		if resp := w.do("POST", c.path, form, cookie, c.hdr...); resp.StatusCode != c.status {
			t.Errorf("POST as %s: %d, want %d", c.who, resp.StatusCode, c.status)
		}
	}
	for _, k := range []string{"acme", "initech"} {
		if got, err := w.st.SiteByKey(ctx, k); err != nil || !reflect.DeepEqual(got, before[k]) {
			t.Errorf("%s after the refused requests: %+v, %v; want %+v", k, got, err, before[k])
		}
	}
}

// TestSiteSettingsReachCollector: a save on the settings page takes effect
// in this process's collector at once, though it has the site cached.
func TestSiteSettingsReachCollector(t *testing.T) {
	w := newWebTest(t)
	wr := collect.NewWriter(w.st, collect.WriterConfig{Log: slog.New(slog.DiscardHandler)})
	wr.Start()
	t.Cleanup(func() { wr.Stop(context.Background()) })
	col := collect.NewHandler(collect.Config{Sites: w.st, Writer: wr, Log: slog.New(slog.DiscardHandler)})
	w.srv = NewServer(Config{Store: w.st, Collect: col, Log: slog.New(slog.DiscardHandler), SignInLimit: clientip.NewLimiter(0, 0, nil)})
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	olga := w.signIn("olga@example.com")
	send := func() int {
		r := httptest.NewRequest("POST", "/collect", strings.NewReader(
			`{"site":"acme","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"pageview","url":"https://www.example.com/"}]}`))
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36")
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, r)
		return rec.Code
	}
	if s := send(); s != http.StatusAccepted { // the collector caches the site
		t.Fatalf("before: %d, want 202", s)
	}
	page := fmt.Sprintf("/app/w/%d/sites/%d/settings", acme.WorkspaceID, acme.ID)
	if resp := w.do("POST", page, settingsValues(nil), olga, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if s := send(); s != http.StatusForbidden {
		t.Errorf("right after requiring consent: %d, want 403", s)
	}
}
