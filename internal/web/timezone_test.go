package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // as the binary: the zones load without the system's database

	"github.com/foyerhq/foyer"
)

// TestTimesInUserZone: a user in Tokyo reads a visit at 20:00 UTC on 30
// November as 05:00 on 1 December, on the company page and in the feed's
// tooltip; a user who chose no zone reads UTC, and the pages say so.
func TestTimesInUserZone(t *testing.T) {
	w := newWebTest(t)
	ana := w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	if err := w.st.SetTimeZone(context.Background(), ana.ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	acme := w.site("Acme", "acme")
	w.visitFrom(acme, 1, foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}, time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC))
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := w.st.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: acme.WorkspaceID,
		From: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(rows) != 1 {
		t.Fatalf("feed: %v, %v", rows, err)
	}
	period := "?from=2026-11-30&to=2026-12-01"
	company := fmt.Sprintf("/app/w/%d/c/%d%s", acme.WorkspaceID, rows[0].ID, period)
	feed := fmt.Sprintf("/app/w/%d%s", acme.WorkspaceID, period)
	for _, c := range []struct {
		email     string
		want, not []string
	}{
		{"ana@example.com", []string{"Tue 1 Dec 2026, 05:00 JST", ">1 Dec 2026<"}, []string{"20:00 UTC", "Mon 30 Nov 2026, 20:00", "zone-ask"}},
		{"bob@example.com", []string{"Mon 30 Nov 2026, 20:00 UTC", ">30 Nov 2026<"}, []string{"JST", "1 Dec 2026, 05:00"}},
	} {
		cookie := w.signIn(c.email)
		for _, path := range []string{company, feed} {
			resp := w.do("GET", path, nil, cookie)
			b := body(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s as %s: %d", path, c.email, resp.StatusCode)
			}
			if path == company && !strings.Contains(b, "Days are UTC days") {
				t.Errorf("the company page does not say its days are UTC days")
			}
			for _, want := range c.want {
				if !strings.Contains(b, want) {
					t.Errorf("%s as %s lacks %q", path, c.email, want)
				}
			}
			for _, not := range c.not {
				if strings.Contains(b, not) {
					t.Errorf("%s as %s shows %q", path, c.email, not)
				}
			}
		}
		// The account page lists this session's sign-in in the zone.
		zone := map[string]string{"ana@example.com": "JST", "bob@example.com": "UTC"}[c.email]
		if b := body(w.do("GET", "/account", nil, cookie)); !strings.Contains(b, " "+zone+"</td>") {
			t.Errorf("the account page of %s does not show its sessions in %s", c.email, zone)
		}
	}
}

// TestTimeZoneForm: a zone is stored only when it is one, and the form
// leads back only to a page of the app.
func TestTimeZoneForm(t *testing.T) {
	w := newWebTest(t)
	ana := w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	cookie := w.signIn("ana@example.com")
	zone := func() string { return w.mustUser(ana.Email).TimeZone }
	for _, bad := range []string{"Mars/Olympus_Mons", "", "Local", "../../etc/passwd", "Europe/Berlin\x00"} {
		for _, back := range []string{"", "/app"} {
			resp := w.do("POST", "/account/time-zone", url.Values{"zone": {bad}, "back": {back}}, cookie)
			if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "time zone") {
				t.Errorf("zone %q from %q: %d\n%s", bad, back, resp.StatusCode, b)
			}
			if zone() != "" {
				t.Fatalf("zone %q stored %q", bad, zone())
			}
		}
	}
	for back, want := range map[string]string{
		"/app": "/app", fmt.Sprintf("/app/w/%d", w.workspace("Acme")): fmt.Sprintf("/app/w/%d", w.workspace("Acme")),
		"https://evil.example/": "/account", "//evil.example/app": "/account", "/app/../login": "/account", "/app/w/1/": "/account",
		"/app?x=1": "/account", "/account": "/account", "/\\evil.example": "/account",
	} {
		resp := w.do("POST", "/account/time-zone", url.Values{"zone": {"Europe/Berlin"}, "back": {back}}, cookie)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != want+"?done=zone" {
			t.Errorf("back %q: %d to %q, want %q", back, resp.StatusCode, loc, want+"?done=zone")
		}
	}
	if zone() != "Europe/Berlin" {
		t.Fatalf("zone %q", zone())
	}
	b := body(w.do("GET", "/account?done=zone", nil, cookie))
	if !strings.Contains(b, "<option selected>Europe/Berlin</option>") || !strings.Contains(b, notices["zone"]) {
		t.Errorf("the account page shows neither the zone nor the confirmation:\n%s", b)
	}
}

// TestZonePrompt: a user who chose no zone is asked once, with a guess
// from the browser's languages, until they confirm one.
func TestZonePrompt(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	cookie := w.signIn("ana@example.com")
	feed := fmt.Sprintf("/app/w/%d", w.workspace("Acme"))
	lang := []string{"Accept-Language", "de-DE,de;q=0.9,en;q=0.8"}
	for _, path := range []string{"/app", feed} {
		b := body(w.do("GET", path, nil, cookie, lang...))
		if !strings.Contains(b, `class="zone-ask`) || !strings.Contains(b, "<option selected>Europe/Berlin</option>") ||
			!strings.Contains(b, `name="back" value="`+path+`"`) {
			t.Fatalf("%s asks for no zone, or guesses another:\n%s", path, b)
		}
	}
	resp := w.do("POST", "/account/time-zone", url.Values{"zone": {"Europe/Berlin"}, "back": {feed}}, cookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != feed+"?done=zone" {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b := body(w.do("GET", feed+"?done=zone", nil, cookie, lang...))
	if strings.Contains(b, "zone-ask") || !strings.Contains(b, notices["zone"]) {
		t.Errorf("after confirming, the feed asks again or does not confirm:\n%s", b)
	}
	if b := body(w.do("GET", "/app", nil, cookie, lang...)); strings.Contains(b, "zone-ask") {
		t.Errorf("after confirming, /app asks again")
	}
}

func TestGuessZone(t *testing.T) {
	for header, want := range map[string]string{
		"de-DE,de;q=0.9,en;q=0.8":    "Europe/Berlin",
		"en-GB":                      "Europe/London",
		"en-US,en;q=0.5":             "America/New_York",
		"fr-CA,fr;q=0.8":             "America/Toronto",
		"fr":                         "Europe/Paris",
		"en":                         "UTC",
		"":                           "UTC",
		"*":                          "UTC",
		"en;q=0.9, ja-JP":            "Asia/Tokyo", // the higher q wins
		"xx-ZZ, pt-BR;q=0.5":         "America/Sao_Paulo",
		"zh-Hant-TW":                 "Asia/Taipei",
		"de_AT":                      "Europe/Vienna",
		"en-US;q=0, de":              "Europe/Berlin", // q=0: not acceptable
		"es-419":                     "UTC",
		strings.Repeat("en-,", 5000): "UTC",
	} {
		if got := guessZone(header); got != want {
			t.Errorf("guessZone(%.40q) = %q, want %q", header, got, want)
		}
	}
}

// TestZonesLoad: every zone the forms offer or guess is one.
func TestZonesLoad(t *testing.T) {
	all := append([]string{}, commonZones...)
	for _, z := range regionZones {
		all = append(all, z)
	}
	for _, z := range languageZones {
		all = append(all, z)
	}
	for _, z := range all {
		if _, err := foyer.ParseTimeZone(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
	if len(zoneChoices("Asia/Tokyo")) != len(commonZones) || zoneChoices("America/Boise")[0] != "America/Boise" {
		t.Error("zoneChoices does not add a zone it lacks, first")
	}
}
