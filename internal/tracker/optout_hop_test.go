package tracker

import (
	"testing"
)

// TestNodeOptOutHop: a page opened from the hosted opt-out form's
// confirmation, with ?foyer_optout=TOKEN, sends nothing, drops the
// visitor ID, keeps the refusal, takes the parameter out of its address
// and goes back to the Foyer of its script, and only there; also under
// GPC; and a token that is not one goes nowhere.
func TestNodeOptOutHop(t *testing.T) {
	t.Parallel()
	const tok = "AQQBAc67o9wGS7pT00ZOwiA-ORmo_AwNhZ"
	for _, c := range []struct {
		name    string
		b       browser
		replace string // the address it leaves itself at
		goTo    string // where it goes; "" for nowhere
	}{
		{"tracked visitor", browser{URL: "https://shop.example/pricing?plan=pro&foyer_optout=" + tok + "#team", Attrs: site,
			Cookies: map[string]string{"_foyer_id": "abcdefghijABCDEFGHIJ_-", "_foyer_consent": "1", "other": "keep"}},
			"https://shop.example/pricing?plan=pro#team", "https://foyer.example/forms/browser/" + tok + "?from=shop.example"},
		{"under GPC", browser{URL: "https://www.shop.example/?foyer_optout=" + tok, Attrs: site, GPC: true,
			Src: "https://analytics.shop.example:8443/t.js"},
			"https://www.shop.example/", "https://analytics.shop.example:8443/forms/browser/" + tok + "?from=www.shop.example"},
		{"consent required", browser{URL: "http://shop.example/?foyer_optout=" + tok + "&a=1", Attrs: map[string]string{"site": "demo", "consent": "required"}},
			"http://shop.example/?a=1", "https://foyer.example/forms/browser/" + tok + "?from=shop.example"},
		{"a path in the token", browser{URL: "https://shop.example/?foyer_optout=..%2F..%2Flogin", Attrs: site}, "https://shop.example/", ""},
		{"an address as the token", browser{URL: "https://shop.example/?foyer_optout=https%3A%2F%2Fevil.example%2F", Attrs: site}, "https://shop.example/", ""},
		{"an empty token", browser{URL: "https://shop.example/?foyer_optout=", Attrs: site}, "https://shop.example/", ""},
	} {
		r, reqs := run(t, c.b, step{"do": "push", "url": "/next"}, step{"do": "pagehide"})
		if len(reqs) != 0 {
			t.Errorf("%s: %d requests sent", c.name, len(reqs))
		}
		if got := r.Cookies["_foyer_consent"]; got.Value != "0" {
			t.Errorf("%s: _foyer_consent = %+v, want the refusal 0", c.name, got)
		}
		if _, ok := r.Cookies["_foyer_id"]; ok {
			t.Errorf("%s: the visitor ID cookie is still there", c.name)
		}
		if c.b.Cookies["other"] != "" && r.Cookies["other"].Value != "keep" {
			t.Errorf("%s: the site's own cookie went", c.name)
		}
		if len(r.Replaced) == 0 || r.Replaced[0].URL != c.replace || r.Replaced[0].Phase != "load" {
			t.Errorf("%s: replaceState %+v, want %s at load", c.name, r.Replaced, c.replace)
		}
		var went []string
		for _, n := range r.Navigations {
			went = append(went, n.URL)
		}
		if c.goTo == "" && len(went) != 0 || c.goTo != "" && (len(went) != 1 || went[0] != c.goTo) {
			t.Errorf("%s: went to %q, want %q", c.name, went, c.goTo)
		}
	}
	// Without the parameter: no hop, no refusal (the control).
	r, reqs := run(t, browser{URL: "https://shop.example/?foyer=1", Attrs: site})
	if len(reqs) != 1 || len(r.Navigations) != 0 || len(r.Replaced) != 0 || r.Cookies["_foyer_consent"].Value != "" {
		t.Errorf("without the parameter: %d requests, %+v, %+v, %+v", len(reqs), r.Navigations, r.Replaced, r.Cookies)
	}
}
