package browser_test

import (
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var pages = template.Must(template.ParseGlob("testdata/*.html"))

// --- the sites the browser visits ----------------------------------------

// pageSpec is one kind of page on the customer's site, by the first segment
// of its path.
type pageSpec struct {
	Title, Site, Consent, GPC string
	Next                      string // where the button pushStates to
}

// web is the customer's site, at http://localhost:PORT, with the tracker of
// the Foyer server, and a partner site at http://127.0.0.1:PORT, which links
// to the customer's site (a referrer) and is linked from it (outbound).
type web struct {
	Site    string // http://localhost:PORT
	Partner string // http://127.0.0.1:PORT
	Landing string // the landing page that Partner/ref links to
}

// startWeb serves the kinds of pages: GET /KIND/... renders page.html with
// kinds[KIND].
func startWeb(t *testing.T, foyerURL string, kinds map[string]pageSpec) *web {
	t.Helper()
	site := httptest.NewUnstartedServer(nil)
	partner := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	w := &web{Site: "http://localhost:" + port, Partner: "http://" + partner.Listener.Addr().String()}
	w.Landing = w.Site + "/landing?utm_source=newsletter&utm_medium=email&email=jane%40example.com#section"

	site.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		spec, ok := kinds[kind]
		if !ok || r.Method != http.MethodGet {
			http.NotFound(rw, r)
			return
		}
		render(t, rw, "page.html", struct {
			pageSpec
			Script, Outbound string
		}{spec, foyerURL + "/t.js", w.Partner + "/out?token=abc"})
	})
	partner.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ref":
			render(t, rw, "ref.html", struct{ Landing string }{w.Landing})
		case "/out":
			render(t, rw, "out.html", nil)
		default:
			http.NotFound(rw, r)
		}
	})
	site.Start()
	partner.Start()
	t.Cleanup(site.Close)
	t.Cleanup(partner.Close)
	return w
}

func render(t *testing.T, w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		t.Errorf("render %s: %v", name, err)
	}
}
