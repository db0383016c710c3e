package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestPrivacyTextsFollowSettings: the page and its downloads, in English
// and French, say what the workspace's settings are now: the site's
// consent mode, Persona Insights on or off with its basis and sources, the
// tracking mode, two-factor authentication required.
func TestPrivacyTextsFollowSettings(t *testing.T) {
	w := newWebTest(t)
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	site := w.site("Acme", "acme")
	ws := site.WorkspaceID
	cookie := w.signIn("owner@example.com")
	ctx := context.Background()
	// get returns the page or a download in lang.
	get := func(path, lang string) string {
		t.Helper()
		resp := w.do("GET", fmt.Sprintf("/app/w/%d/%s?lang=%s", ws, path, lang), nil, cookie)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s in %s: %d", path, lang, resp.StatusCode)
		}
		return body(resp)
	}
	type check struct {
		lang, path string
		has, lacks []string
	}
	expect := func(when string, checks ...check) {
		t.Helper()
		for _, c := range checks {
			b := get(c.path, c.lang)
			for _, s := range c.has {
				if !strings.Contains(b, s) {
					t.Errorf("%s: %s in %s lacks %q", when, c.path, c.lang, s)
				}
			}
			for _, s := range c.lacks {
				if strings.Contains(b, s) {
					t.Errorf("%s: %s in %s has %q", when, c.path, c.lang, s)
				}
			}
		}
	}
	expect("tracking without consent, Persona Insights off",
		check{"en", "privacy-texts", []string{"our legitimate interest (article 6(1)(f) of the GDPR) in knowing which organisations", "<code>_foyer_id</code>", "<code>_foyer_consent</code>", "<code>_foyer_t</code>", "localStorage", "available to every member", "acme tracks without asking for consent"},
			[]string{"Recognising our existing contacts", "only once you have agreed", "_foyer_hs"}},
		check{"fr", "privacy-texts", []string{`lang="fr"`, "notre intérêt légitime (article 6, paragraphe 1, point f) du RGPD)", "Déclaration des cookies", "Registre des activités de traitement"},
			[]string{"Reconnaissance de nos contacts existants", "qu’après votre accord"}},
		check{"en", "privacy-texts.md", []string{"## Privacy statement: visits to our websites", "| `_foyer_id` | Cookie (first-party) |"}, []string{"Recognising"}},
		check{"fr", "privacy-texts.html", []string{`<html lang="fr">`, "<h2 id=\"cookies-title\">Déclaration des cookies</h2>"}, []string{"Reconnaissance"}},
	)

	site.Consent = foyer.ConsentRequired
	site.Identify.Forms = true
	if err := w.st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetPersonaBasis(ctx, ws, foyer.PersonaConsent, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.SetTrackingMode(ctx, ws, foyer.TrackingOptIn, "test", ""); err != nil {
		t.Fatal(err)
	}
	expect("consent required, Persona Insights on consent with forms, opt-in",
		check{"en", "privacy-texts", []string{"We measure your visits only once you have agreed to it", "Recognising our existing contacts", "fill in one of our forms",
			"on the basis of your consent (article 6(1)(a) of the GDPR), which you can withdraw", "only the contacts who have agreed to it"},
			[]string{"our legitimate interest (article 6(1)(f) of the GDPR) in knowing which organisations", "tracks without asking", "switch the tracking mode to opt-in"}},
		check{"fr", "privacy-texts", []string{"Nous ne mesurons vos visites qu’après votre accord", "Reconnaissance de nos contacts existants", "sur la base de votre consentement"}, nil},
		check{"fr", "privacy-texts.md", []string{"### Reconnaissance de nos contacts existants"}, nil},
		check{"en", "privacy-texts.html", []string{"<h3>Recognising our existing contacts</h3>"}, nil},
	)

	if _, err := w.st.SetTrackingMode(ctx, ws, foyer.TrackingOptOut, "test", ""); err != nil {
		t.Fatal(err)
	}
	expect("Persona Insights on consent, contacts tracked unless they refuse",
		check{"en", "privacy-texts", []string{"switch the tracking mode to opt-in", "who have not objected"}, nil})

	site.Identify.Forms = false
	if err := w.st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	expect("Persona Insights on, no source",
		check{"en", "privacy-texts", []string{"no site uses a way to recognise contacts"}, []string{"Recognising our existing contacts"}})

	// A language there is none of.
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d/privacy-texts.md?lang=de", ws), nil, cookie); resp.StatusCode != http.StatusNotFound {
		t.Errorf("lang=de: %d, want 404", resp.StatusCode)
	}
}

// TestPrivacyTextsDownloads: the downloads are attachments of the right
// type, and a workspace's and a site's names with markup show as
// themselves in the page, the HTML and the Markdown.
func TestPrivacyTextsDownloads(t *testing.T) {
	w := newWebTest(t)
	const evil = `Acme <script>alert("x")</script> | *Co*`
	w.user("admin@example.com", "correct horse battery", evil, foyer.RoleAdmin)
	site := w.site(evil, "acme")
	site.Name = `Shop <script>alert(1)</script>`
	site.ExcludedPaths = []string{"/a/*"}
	if err := w.st.UpdateSite(context.Background(), site); err != nil {
		t.Fatal(err)
	}
	cookie := w.signIn("admin@example.com")
	for _, lang := range []string{"en", "fr"} {
		for _, tc := range []struct {
			path, typ, file string
			has             []string
		}{
			{"privacy-texts", "text/html; charset=utf-8", "",
				[]string{"<strong>Acme &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | *Co*</strong>", "<strong>Shop &lt;script&gt;alert(1)&lt;/script&gt;</strong>", `<script src="/static/copy.js" defer></script>`,
					`<textarea id="md-statement" rows="12" readonly lang="` + lang + `">`, `<button type="button" data-copy="md-statement" hidden>`, "**Shop \\&lt;script\\&gt;alert(1)\\&lt;/script\\&gt;**"}},
			{"privacy-texts.html", "text/html; charset=utf-8", "privacy-texts-" + lang + ".html",
				[]string{"<!doctype html>", "<strong>Acme &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | *Co*</strong>", "<strong>Shop &lt;script&gt;alert(1)&lt;/script&gt;</strong>"}},
			{"privacy-texts.md", "text/markdown; charset=utf-8", "privacy-texts-" + lang + ".md",
				[]string{`**Acme \<script\>alert("x")\</script\> \| \*Co\***`, `**Shop \<script\>alert(1)\</script\>**`, "`/a/*`"}},
		} {
			resp := w.do("GET", fmt.Sprintf("/app/w/%d/%s?lang=%s", site.WorkspaceID, tc.path, lang), nil, cookie)
			b := body(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s in %s: %d", tc.path, lang, resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.typ {
				t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.typ)
			}
			disp := resp.Header.Get("Content-Disposition")
			if tc.file != "" && disp != `attachment; filename="`+tc.file+`"` || tc.file == "" && disp != "" {
				t.Errorf("%s: Content-Disposition %q", tc.path, disp)
			}
			if tc.file != "" && resp.Header.Get("Content-Security-Policy") != "default-src 'none'" {
				t.Errorf("%s: Content-Security-Policy %q", tc.path, resp.Header.Get("Content-Security-Policy"))
			}
			for _, s := range tc.has {
				if !strings.Contains(b, s) {
					t.Errorf("%s in %s lacks %q:\n%s", tc.path, lang, s, b)
				}
			}
			if regexp.MustCompile(`(^|[^\\])<script`).MatchString(strings.ReplaceAll(b, `<script src="/static/copy.js" defer></script>`, "")) {
				t.Errorf("%s in %s has a script element of a name", tc.path, lang)
			}
		}
	}
}
