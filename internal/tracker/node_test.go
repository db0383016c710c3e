package tracker

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Scenarios for t.min.js in the fake browser of testdata/harness.js; see
// harness_test.go.

var site = map[string]string{"site": "demo"}

func TestNodePageview(t *testing.T) {
	t.Parallel()
	r, reqs := run(t, browser{
		URL:      "https://shop.example/pricing?utm_source=news&email=jo%40corp.example&plan=pro#team",
		Title:    "Pricing",
		Referrer: "https://search.example/results?q=foyer",
		Attrs:    site,
	})
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	q := reqs[0]
	if q.via != "beacon" || q.url != "https://foyer.example/collect" || q.phase != "after load" {
		t.Errorf("request: %s to %s in phase %q, want a beacon to https://foyer.example/collect right after load", q.via, q.url, q.phase)
	}
	if q.Site != "demo" {
		t.Errorf("site %q, want demo", q.Site)
	}
	wantEvents(t, reqs, event{
		Type:     "pageview",
		URL:      "https://shop.example/pricing?utm_source=news&plan=pro",
		Title:    "Pricing",
		Referrer: "https://search.example/results?q=foyer",
	})
	id := r.Cookies["_foyer_id"]
	if id.Value != q.Visitor || id.Attrs != "path=/; max-age=63072000; SameSite=Lax; Secure" {
		t.Errorf("cookie _foyer_id = %+v, want the visitor %q with path=/; max-age=63072000; SameSite=Lax; Secure", id, q.Visitor)
	}
	if _, ok := r.Cookies["_foyer_t"]; ok {
		t.Error("the test cookie _foyer_t was left behind")
	}
	var tested bool
	for _, c := range r.CookieWrites {
		tested = tested || strings.HasPrefix(c.Cookie, "_foyer_t=")
	}
	if !tested {
		t.Error("cookie support was not tested with _foyer_t")
	}
	if len(r.StorageOps) != 0 {
		t.Errorf("localStorage used although cookies work: %+v", r.StorageOps)
	}
}

func TestNodeStripsIdentifiers(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{
		URL: "https://shop.example/p?utm_campaign=spring&Email=jo@corp.example&first_name=Jo&lastname=Doe&page=2" +
			"&ref=jo%40corp.example&TOKEN=abc&api_key=k&sid=1&user_id=7&tel=1&code=x&sig=s&q=shoes#section",
		Referrer: "https://mail.example/open?session=abc&x=1#inbox",
		Attrs:    site,
	}, step{"do": "click", "href": "https://partner.example/docs?utm_source=shop&password=hunter2&v=2#top"})
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/p?utm_campaign=spring&page=2&q=shoes", Referrer: "https://mail.example/open?x=1"},
		event{Type: "outbound", URL: "https://shop.example/p?utm_campaign=spring&page=2&q=shoes", Target: "https://partner.example/docs?utm_source=shop&v=2"},
	)
}

func TestNodeCookieAttributes(t *testing.T) {
	t.Parallel()
	r, _ := run(t, browser{URL: "http://shop.example/", Attrs: site})
	if a := r.Cookies["_foyer_id"].Attrs; a != "path=/; max-age=63072000; SameSite=Lax" {
		t.Errorf("cookie attributes on http: %q, want no Secure", a)
	}
}

func TestNodeDataAPI(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{Attrs: map[string]string{"site": "demo", "api": "https://stats.shop.example/c"}})
	if len(reqs) != 1 || reqs[0].url != "https://stats.shop.example/c" {
		t.Errorf("requests %+v, want one to data-api", reqs)
	}
}

func TestNodeFetchFallback(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{Attrs: site, NoBeacon: true})
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	want := map[string]any{"method": "POST", "keepalive": true, "credentials": "omit"}
	if q := reqs[0]; q.via != "fetch" || !reflect.DeepEqual(q.opts, want) {
		t.Errorf("request via %s with %v, want fetch with %v", q.via, q.opts, want)
	}
}

func TestNodeConsentRequired(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{"site": "demo", "consent": "required"}
	before := []step{
		{"do": "advance", "ms": 1000},
		{"do": "activity", "type": "keydown"},
		{"do": "push", "url": "/b?x=1"},
		{"do": "click", "href": "https://partner.example/"},
		{"do": "hide"},
		{"do": "show"},
	}
	t.Run("nothing before consent", func(t *testing.T) {
		t.Parallel()
		r, reqs := run(t, browser{Attrs: attrs}, append(before, step{"do": "pagehide"})...)
		if len(reqs) != 0 {
			t.Errorf("%d requests before consent", len(reqs))
		}
		nothingStored(t, r)
	})
	t.Run("consent(true)", func(t *testing.T) {
		t.Parallel()
		r, reqs := run(t, browser{Attrs: attrs}, append(before, step{"do": "consent", "value": true})...)
		consentStep := "step " + itoa(int64(len(before)))
		for _, c := range r.CookieWrites {
			if c.Phase != consentStep && c.Phase != "after "+consentStep {
				t.Errorf("%s: cookie %s written before consent", c.Phase, c.Cookie)
			}
		}
		if len(r.StorageOps) != 0 {
			t.Errorf("localStorage used: %+v", r.StorageOps)
		}
		if len(reqs) != 1 || reqs[0].phase != "after "+consentStep {
			t.Fatalf("requests %+v, want one, after consent", reqs)
		}
		wantEvents(t, reqs, event{Type: "pageview", URL: "https://shop.example/b?x=1"})
		if c := r.Cookies["_foyer_consent"]; c.Value != "1" || c.Attrs != "path=/; max-age=63072000; SameSite=Lax; Secure" {
			t.Errorf("consent cookie %+v", c)
		}
		if r.Cookies["_foyer_id"].Value != reqs[0].Visitor {
			t.Errorf("visitor cookie %+v, want %s", r.Cookies["_foyer_id"], reqs[0].Visitor)
		}
	})
	t.Run("consent cookie from an earlier visit", func(t *testing.T) {
		t.Parallel()
		_, reqs := run(t, browser{Attrs: attrs, Cookies: map[string]string{"_foyer_consent": "1"}})
		wantEvents(t, reqs, event{Type: "pageview", URL: "https://shop.example/"})
	})
}

// TestNodeConsentFlag: every batch after consent, and only those, says
// "consent": true, which the collector of a consent-required site insists on.
func TestNodeConsentFlag(t *testing.T) {
	t.Parallel()
	required := map[string]string{"site": "demo", "consent": "required"}
	flags := func(reqs []sent) string {
		var out []string
		for _, r := range reqs {
			switch {
			case r.Consent == nil:
				out = append(out, "none")
			case *r.Consent:
				out = append(out, "true")
			default:
				out = append(out, "false")
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name  string
		b     browser
		steps []step
		want  string
	}{
		{"consent not asked", browser{Attrs: site}, []step{{"do": "push", "url": "/b"}}, "none none"},
		{"required, given on the page", browser{Attrs: required},
			[]step{{"do": "consent", "value": true}, {"do": "push", "url": "/b"}, {"do": "click", "href": "https://partner.example/"}},
			"true true true"},
		{"required, given on an earlier page", browser{Attrs: required, Cookies: map[string]string{"_foyer_consent": "1"}},
			[]step{{"do": "push", "url": "/b"}}, "true true"},
		{"not required, given later", browser{Attrs: site},
			[]step{{"do": "push", "url": "/b"}, {"do": "consent", "value": true}, {"do": "push", "url": "/c"}}, "none none true"},
		{"given, withdrawn, given again", browser{Attrs: required},
			[]step{{"do": "consent", "value": true}, {"do": "consent", "value": false}, {"do": "push", "url": "/b"},
				{"do": "consent", "value": true}}, "true true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, reqs := run(t, tc.b, tc.steps...)
			if got := flags(reqs); got != tc.want {
				t.Errorf("consent flags of the requests: %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNodePrivacySignals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		b    browser
	}{
		{"GPC", browser{GPC: true}},
		{"navigator.doNotTrack", browser{DNT: "1"}},
		{"window.doNotTrack", browser{WindowDNT: "1"}},
		{"GPC, consent required", browser{GPC: true, Attrs: map[string]string{"consent": "required"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.b
			b.Attrs = map[string]string{"site": "demo", "consent": b.Attrs["consent"]}
			r, reqs := run(t, b,
				step{"do": "consent", "value": true},
				step{"do": "push", "url": "/b"},
				step{"do": "click", "href": "https://partner.example/"},
				step{"do": "pagehide"},
			)
			if len(reqs) != 0 {
				t.Errorf("%d requests", len(reqs))
			}
			nothingStored(t, r)
		})
	}
	t.Run("ignored with data-gpc", func(t *testing.T) {
		t.Parallel()
		_, reqs := run(t, browser{GPC: true, DNT: "1", Attrs: map[string]string{"site": "demo", "gpc": "ignore"}})
		if len(reqs) != 1 {
			t.Errorf("%d requests, want 1", len(reqs))
		}
	})
	t.Run("DNT unset", func(t *testing.T) {
		t.Parallel()
		_, reqs := run(t, browser{DNT: "0", Attrs: site})
		if len(reqs) != 1 {
			t.Errorf("%d requests, want 1", len(reqs))
		}
	})
}

func TestNodeConsentFalse(t *testing.T) {
	t.Parallel()
	const id = "abcdefghijABCDEFGHIJ_-"
	r, reqs := run(t, browser{
		Attrs:   site,
		Cookies: map[string]string{"_foyer_id": id, "_foyer_consent": "1", "_foyer_t": "1", "other": "keep"},
		Storage: map[string]string{"_foyer_id": `{"id":"zzzzzzzzzzzzzzzzzzzzzz","exp":1}`, "other": "keep"},
	},
		step{"do": "advance", "ms": 2000},
		step{"do": "consent", "value": false},
		step{"do": "push", "url": "/b"},
		step{"do": "click", "href": "https://partner.example/"},
		step{"do": "hide"},
		step{"do": "pagehide"},
	)
	if len(reqs) != 1 || reqs[0].Visitor != id {
		t.Fatalf("requests %+v, want only the first page view, from visitor %s", reqs, id)
	}
	want := map[string]struct{ Value, Attrs string }{
		"other":          {"keep", ""},
		"_foyer_consent": {"0", "path=/; max-age=63072000; SameSite=Lax; Secure"},
	}
	if !reflect.DeepEqual(r.Cookies, want) {
		t.Errorf("cookies after consent(false): %+v, want the site's own and the refusal marker", r.Cookies)
	}
	if want := map[string]string{"other": "keep"}; !reflect.DeepEqual(r.Storage, want) {
		t.Errorf("localStorage after consent(false): %+v, want only the site's own", r.Storage)
	}
}

func TestNodeRefusalRemembered(t *testing.T) {
	t.Parallel()
	steps := []step{
		{"do": "push", "url": "/b"},
		{"do": "click", "href": "https://partner.example/"},
		{"do": "pagehide"},
	}
	// The same page without the refusal does send: the control.
	if _, reqs := run(t, browser{Attrs: site}, steps...); len(reqs) == 0 {
		t.Fatal("control: the tracker sent nothing without a refusal")
	}
	for _, attrs := range []map[string]string{site, {"site": "demo", "consent": "required"}} {
		r, reqs := run(t, browser{Attrs: attrs, Cookies: map[string]string{"_foyer_consent": "0"}}, steps...)
		if len(reqs) != 0 {
			t.Errorf("%v: a refused visitor sent %d requests", attrs, len(reqs))
		}
		if _, ok := r.Cookies["_foyer_id"]; ok {
			t.Errorf("%v: a refused visitor got a visitor ID cookie", attrs)
		}
	}
}

func TestNodeConsentFalseThenTrue(t *testing.T) {
	t.Parallel()
	r, reqs := run(t, browser{Attrs: site},
		step{"do": "consent", "value": false},
		step{"do": "push", "url": "/b"},
		step{"do": "consent", "value": true},
	)
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/"},
		event{Type: "pageview", URL: "https://shop.example/b"},
	)
	if len(reqs) == 2 && reqs[0].Visitor == reqs[1].Visitor {
		t.Error("the visitor ID survived consent(false)")
	}
	if r.Cookies["_foyer_consent"].Value != "1" {
		t.Error("consent(true) did not store the consent cookie")
	}
}

func TestNodeLocalStorageFallback(t *testing.T) {
	t.Parallel()
	type entry struct {
		ID  string `json:"id"`
		Exp int64  `json:"exp"`
	}
	const old = "abcdefghijABCDEFGHIJ_-"
	for _, tc := range []struct {
		name    string
		stored  string
		reuse   bool
		wantExp int64
	}{
		{"new", "", false, now + twoYears*1000},
		{"kept", `{"id":"` + old + `","exp":` + itoa(now+1000) + `}`, true, now + 1000},
		{"expired", `{"id":"` + old + `","exp":` + itoa(now-1) + `}`, false, now + twoYears*1000},
		{"garbage", `{"id":"x"`, false, now + twoYears*1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := browser{Attrs: site, NoCookies: true}
			if tc.stored != "" {
				b.Storage = map[string]string{"_foyer_id": tc.stored}
			}
			r, reqs := run(t, b)
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			var e entry
			if err := json.Unmarshal([]byte(r.Storage["_foyer_id"]), &e); err != nil {
				t.Fatalf("localStorage _foyer_id = %q: %v", r.Storage["_foyer_id"], err)
			}
			if e.ID != reqs[0].Visitor || e.Exp != tc.wantExp || (e.ID == old) != tc.reuse {
				t.Errorf("stored %+v, visitor %s; want exp %d, reuse of %s %v", e, reqs[0].Visitor, tc.wantExp, old, tc.reuse)
			}
		})
	}
	t.Run("no storage at all", func(t *testing.T) {
		t.Parallel()
		_, reqs := run(t, browser{Attrs: site, NoCookies: true, NoStorage: true},
			step{"do": "push", "url": "/b"})
		if len(reqs) != 2 || reqs[0].Visitor != reqs[1].Visitor {
			t.Errorf("requests %+v, want two with one per-page visitor ID", reqs)
		}
	})
}

func TestNodeNavigation(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{URL: "https://shop.example/", Title: "Home", Referrer: "https://search.example/", Attrs: site},
		step{"do": "advance", "ms": 4000},
		step{"do": "activity", "type": "keydown"},
		step{"do": "title", "value": "B"},
		step{"do": "push", "url": "/b?utm_source=x"},
		step{"do": "replace", "url": "/b?utm_source=x"},                    // same URL
		step{"do": "push", "url": "/b?utm_source=x#more"},                  // only the fragment
		step{"do": "push", "url": "/b?utm_source=x&email=jo@corp.example"}, // only an identifier
		step{"do": "advance", "ms": 1000},
		step{"do": "pop", "url": "/"},
	)
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/", Title: "Home", Referrer: "https://search.example/"},
		event{Type: "engagement", URL: "https://shop.example/", EngagedMS: 4000},
		event{Type: "pageview", URL: "https://shop.example/b?utm_source=x", Title: "B", Referrer: "https://shop.example/"},
		event{Type: "engagement", URL: "https://shop.example/b?utm_source=x", EngagedMS: 1000},
		event{Type: "pageview", URL: "https://shop.example/", Title: "B", Referrer: "https://shop.example/b?utm_source=x"},
	)
	if len(reqs) != 3 {
		t.Errorf("%d requests, want 3 (the engagement batched with the next page view)", len(reqs))
	}
}

func TestNodeEngagement(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{Attrs: site},
		step{"do": "advance", "ms": 10000},
		step{"do": "activity", "type": "mousemove"}, // 10 s engaged
		step{"do": "advance", "ms": 30000},          // only 15 s of it count
		step{"do": "hide"},                          // → 25000 at once
		step{"do": "advance", "ms": 60000},          // hidden: nothing counts
		step{"do": "show"},
		step{"do": "advance", "ms": 2000},
		step{"do": "pagehide"}, // → 2000 at once
		step{"do": "hide"},     // nothing more
	)
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/"},
		event{Type: "engagement", URL: "https://shop.example/", EngagedMS: 25000},
		event{Type: "engagement", URL: "https://shop.example/", EngagedMS: 2000},
	)
	if len(reqs) == 3 && (reqs[1].phase != "step 3" || reqs[2].phase != "step 7") {
		t.Errorf("engagement sent in phases %q and %q, want synchronously in steps 3 and 7", reqs[1].phase, reqs[2].phase)
	}
}

func TestNodeOutbound(t *testing.T) {
	t.Parallel()
	_, reqs := run(t, browser{URL: "https://shop.example/a", Attrs: site},
		step{"do": "click", "href": "https://shop.example/b"}, // same host
		step{"do": "click", "href": "/c"},                     // relative
		step{"do": "click", "href": "mailto:jo@corp.example"}, // not http(s)
		step{"do": "click", "href": "http://partner.example/x?name=Jo#y"},
	)
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/a"},
		event{Type: "outbound", URL: "https://shop.example/a", Target: "http://partner.example/x"},
	)
	if len(reqs) == 2 && reqs[1].phase != "step 3" {
		t.Errorf("outbound sent in phase %q, want synchronously in step 3", reqs[1].phase)
	}
}

func TestNodeNoSite(t *testing.T) {
	t.Parallel()
	r, reqs := run(t, browser{Attrs: map[string]string{}},
		step{"do": "consent", "value": true},
		step{"do": "push", "url": "/b"},
		step{"do": "pagehide"},
	)
	if len(reqs) != 0 {
		t.Errorf("%d requests without data-site", len(reqs))
	}
	nothingStored(t, r)
}
