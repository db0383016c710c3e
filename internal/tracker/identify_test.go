package tracker

import (
	"reflect"
	"strings"
	"testing"
)

// Scenarios for identification (ti.min.js): the landing URL's identifiers,
// forms and HubSpot; and the core t.min.js, which must never identify.

// field and form describe a form for the harness's submit step.
type field struct {
	Tag      string            `json:"tag,omitempty"` // input (default), textarea, select, button
	Type     string            `json:"type,omitempty"`
	Name     string            `json:"name,omitempty"`
	ID       string            `json:"id,omitempty"`
	Value    string            `json:"value,omitempty"`
	Disabled bool              `json:"disabled,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"` // the field's attributes
	Outer    map[string]string `json:"outer,omitempty"` // attributes of an element between it and the form
}

type form struct {
	Attrs  map[string]string `json:"attrs,omitempty"`
	Fields []field           `json:"fields"`
}

func submit(f form) step { return step{"do": "submit", "form": f} }

// idAttrs returns the attributes of a script tag for site demo with more.
func idAttrs(kv ...string) map[string]string {
	a := map[string]string{"site": "demo"}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return a
}

// identified returns the identify events of the requests.
func identified(reqs []sent) []event {
	var es []event
	for _, e := range events(reqs) {
		if e.Type == "identify" {
			es = append(es, e)
		}
	}
	return es
}

// neverSent fails if any request body holds one of words.
func neverSent(t *testing.T, reqs []sent, words ...string) {
	t.Helper()
	for _, q := range reqs {
		for _, w := range words {
			if strings.Contains(q.body, w) {
				t.Errorf("a request holds %q: %s", w, q.body)
			}
		}
	}
}

// onlyRead fails unless the script read the values of exactly these fields.
func onlyRead(t *testing.T, r report, fields ...string) {
	t.Helper()
	var got []string
	for _, v := range r.ValueReads {
		got = append(got, v.Field)
	}
	if !reflect.DeepEqual(got, fields) && (len(got) != 0 || len(fields) != 0) {
		t.Errorf("values read: %q, want %q", got, fields)
	}
}

func TestNodeIdentifyLinks(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 101)
	for _, tc := range []struct {
		name  string
		url   string
		attrs map[string]string
		addr  string // the address bar after load
		page  string // the page view's URL
		id    *event // the identify event, if any
		never []string
	}{
		{"e-mail and names", "https://shop.example/p?utm_source=mail&fy_email=jo%40corp.example&fy_fn=Josephine&fy_ln=Doerwald&plan=pro#team",
			idAttrs("identify", "links"), "https://shop.example/p?utm_source=mail&plan=pro#team", "https://shop.example/p?utm_source=mail&plan=pro",
			&event{Via: "email_link", Email: "jo@corp.example", FirstName: "Josephine", LastName: "Doerwald"}, nil},
		{"names in capitals", "https://shop.example/?FY_EMAIL=jo%40corp.example&Fy_Fn=Josephine",
			idAttrs("identify", "links"), "https://shop.example/", "https://shop.example/",
			&event{Via: "email_link", Email: "jo@corp.example", FirstName: "Josephine"}, nil},
		{"custom names", "https://shop.example/p?MAIL=jo%40corp.example&vn=Josephine&NN=Doerwald&x=1#f",
			idAttrs("identify", "links", "id-params", "Mail VN nn"), "https://shop.example/p?x=1#f", "https://shop.example/p?x=1",
			&event{Via: "email_link", Email: "jo@corp.example", FirstName: "Josephine", LastName: "Doerwald"}, nil},
		{"the token wins", "https://shop.example/?fy_t=AbC_123-x&fy_email=jo%40corp.example&fy_fn=Josephine&b=2",
			idAttrs("identify", "links"), "https://shop.example/?b=2", "https://shop.example/?b=2",
			&event{Via: "token", Token: "AbC_123-x"}, []string{"jo@corp", "Josephine"}},
		{"names alone", "https://shop.example/?fy_fn=Josephine&fy_ln=Doerwald&a=1",
			idAttrs("identify", "links"), "https://shop.example/?a=1", "https://shop.example/?a=1", nil, []string{"Josephine", "Doerwald"}},
		{"no token but an e-mail address, trimmed", "https://shop.example/?fy_t=not%20a%20token&fy_email=%20jo%40corp.example%20",
			idAttrs("identify", "forms,links"), "https://shop.example/", "https://shop.example/",
			&event{Via: "email_link", Email: "jo@corp.example"}, []string{"not a token", "not%20a"}},
		{"no e-mail address", "https://shop.example/?fy_email=nobody&fy_fn=Josephine",
			idAttrs("identify", "links"), "https://shop.example/", "https://shop.example/", nil, []string{"nobody", "Josephine"}},
		{"a name too long", "https://shop.example/?fy_email=jo%40corp.example&fy_fn=" + long + "&fy_ln=Doerwald",
			idAttrs("identify", "links"), "https://shop.example/", "https://shop.example/",
			&event{Via: "email_link", Email: "jo@corp.example", LastName: "Doerwald"}, []string{long}},
		{"an e-mail address too long", "https://shop.example/?fy_email=" + strings.Repeat("j", 250) + "%40corp.example",
			idAttrs("identify", "links"), "https://shop.example/", "https://shop.example/", nil, []string{"jjjj"}},
		{"links not on", "https://shop.example/?fy_email=jo%40corp.example&fy_fn=Josephine",
			idAttrs("identify", "forms hubspot"), "https://shop.example/", "https://shop.example/", nil, []string{"jo@corp", "Josephine"}},
		{"no data-identify", "https://shop.example/?fy_t=AbC_123-x&fy_fn=Josephine",
			idAttrs(), "https://shop.example/", "https://shop.example/", nil, []string{"AbC_123", "Josephine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, reqs := run(t, browser{Script: "ti.min.js", URL: tc.url, Attrs: tc.attrs}, step{"do": "push", "url": "/next"})
			if len(r.Replaced) != 1 || r.Replaced[0].URL != tc.addr || r.Replaced[0].Phase != "load" {
				t.Errorf("replaceState: %+v, want once at load with %s", r.Replaced, tc.addr)
			}
			want := []event{{Type: "pageview", URL: tc.page}}
			if tc.id != nil {
				id := *tc.id
				id.Type, id.URL = "identify", tc.page
				want = append(want, id)
			}
			want = append(want, event{Type: "pageview", URL: "https://shop.example/next", Referrer: tc.page})
			wantEvents(t, reqs, want...)
			if len(reqs) != 2 {
				t.Errorf("%d requests, want 2 (the identify event with the page view)", len(reqs))
			}
			neverSent(t, reqs, append(tc.never, "fy_", "MAIL=", "vn=", "NN=")...)
		})
	}
}

// TestNodeIdentifyLinkConsent: the landing URL's identifiers leave the
// address bar in every case, but are sent only once tracking is on.
func TestNodeIdentifyLinkConsent(t *testing.T) {
	t.Parallel()
	const url = "https://shop.example/?fy_email=jo%40corp.example&fy_fn=Josephine&k=v"
	id := event{Type: "identify", Via: "email_link", URL: "https://shop.example/?k=v", Email: "jo@corp.example", FirstName: "Josephine"}
	page := event{Type: "pageview", URL: "https://shop.example/?k=v"}
	required := idAttrs("identify", "links", "consent", "required")
	for _, tc := range []struct {
		name  string
		b     browser
		steps []step
		want  []event
		phase string // of the one request, if any
	}{
		{"GPC", browser{Attrs: idAttrs("identify", "links"), GPC: true},
			[]step{{"do": "consent", "value": true}, {"do": "pagehide"}}, nil, ""},
		{"DNT", browser{Attrs: idAttrs("identify", "links"), DNT: "1"}, nil, nil, ""},
		{"no site", browser{Attrs: map[string]string{"identify": "links"}}, []step{{"do": "consent", "value": true}}, nil, ""},
		{"consent required, not given", browser{Attrs: required}, []step{{"do": "advance", "ms": 1000}, {"do": "pagehide"}}, nil, ""},
		{"consent required, given later", browser{Attrs: required},
			[]step{{"do": "advance", "ms": 1000}, {"do": "consent", "value": true}}, []event{page, id}, "after step 1"},
		{"consent required, refused", browser{Attrs: required},
			[]step{{"do": "consent", "value": false}, {"do": "consent", "value": true}}, []event{page}, "after step 1"},
		{"refused earlier", browser{Attrs: idAttrs("identify", "links"), Cookies: map[string]string{"_foyer_consent": "0"}},
			[]step{{"do": "pagehide"}}, nil, ""},
		{"consent given earlier", browser{Attrs: required, Cookies: map[string]string{"_foyer_consent": "1"}},
			nil, []event{page, id}, "after load"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.b
			b.Script, b.URL = "ti.min.js", url
			r, reqs := run(t, b, tc.steps...)
			if len(r.Replaced) != 1 || r.Replaced[0].URL != "https://shop.example/?k=v" || r.Replaced[0].Phase != "load" {
				t.Errorf("replaceState: %+v, want once at load", r.Replaced)
			}
			wantEvents(t, reqs, tc.want...)
			if tc.want == nil {
				neverSent(t, reqs, "jo@corp") // nothing was sent: wantEvents says so
			} else if len(reqs) != 1 || reqs[0].phase != tc.phase {
				t.Errorf("requests %+v, want one in phase %s", reqs, tc.phase)
			}
		})
	}
	// The opt-out hop takes its own parameter and the identifiers out.
	r, reqs := run(t, browser{Script: "ti.min.js", URL: "https://shop.example/?foyer_optout=AbC&fy_email=jo%40corp.example&a=1#x",
		Attrs: idAttrs("identify", "links")}, step{"do": "consent", "value": true})
	if r.Href != "https://shop.example/?a=1#x" {
		t.Errorf("opt-out hop: address %s, want https://shop.example/?a=1#x", r.Href)
	}
	if len(identified(reqs)) != 0 || len(r.Navigations) != 1 {
		t.Errorf("opt-out hop: %+v sent, went to %+v; want no identify event and the hop", events(reqs), r.Navigations)
	}
}

func TestNodeIdentifyForms(t *testing.T) {
	t.Parallel()
	// Every field the script must not read, each with an address in it.
	decoys := []field{
		{Type: "password", Name: "email", Value: "pass@word.example"},
		{Type: "hidden", Name: "email", Value: "hidden@field.example"},
		{Type: "email", Name: "ignored", Value: "ignored@field.example", Attrs: map[string]string{"data-foyer-ignore": ""}},
		{Type: "email", Name: "inner", Value: "inner@field.example", Outer: map[string]string{"data-foyer-ignore": ""}},
		{Type: "email", Name: "off", Value: "disabled@field.example", Disabled: true},
		{Tag: "textarea", Name: "email", Value: "textarea@field.example"},
		{Type: "text", Name: "company", Value: "Acme Confidential Co"},
	}
	secrets := []string{"pass@word", "hidden@field", "ignored@field", "inner@field", "disabled@field", "textarea@field", "Confidential"}
	with := func(fs ...field) []field { return append(append([]field{}, decoys...), fs...) }
	byType := form{Fields: with(field{Type: "text", Name: "user_email", Value: "not@chosen.example"}, field{Type: "email", Name: "work", Value: " jo@corp.example "})}
	byName := form{Fields: with(field{Type: "text", Name: "name", Value: "Josephine"}, field{Type: "text", ID: "E-Mail", Value: "jo@corp.example"},
		field{Type: "text", Name: "email2", Value: "second@corp.example"})}
	for _, tc := range []struct {
		name   string
		attrs  map[string]string
		b      browser
		steps  []step
		emails []string // sent, in order, each in its submit step
		read   []string // the fields whose values were read
	}{
		{"by type", idAttrs("identify", "forms"), browser{}, []step{submit(byType)}, []string{"jo@corp.example"}, []string{"work"}},
		{"by name or id", idAttrs("identify", "forms"), browser{}, []step{submit(byName)}, []string{"jo@corp.example"}, []string{"E-Mail"}},
		{"only decoys", idAttrs("identify", "forms"), browser{}, []step{submit(form{Fields: decoys})}, nil, nil},
		{"not an address", idAttrs("identify", "forms"), browser{},
			[]step{submit(form{Fields: []field{{Type: "email", Name: "e", Value: "jo"}}})}, nil, []string{"e"}},
		{"once per address", idAttrs("identify", "forms"), browser{},
			[]step{submit(byType), submit(byName), submit(form{Fields: []field{{Type: "email", Name: "e", Value: "other@corp.example"}}})},
			[]string{"jo@corp.example", "other@corp.example"}, []string{"work", "E-Mail", "e"}},
		{"marked forms only", idAttrs("identify", "forms", "forms", "marked"), browser{},
			[]step{submit(byType), submit(form{Attrs: map[string]string{"data-foyer-form": ""}, Fields: byName.Fields})},
			[]string{"jo@corp.example"}, []string{"E-Mail"}},
		{"forms not on", idAttrs("identify", "links hubspot"), browser{}, []step{submit(byType)}, nil, nil},
		{"consent required, not given", idAttrs("identify", "forms", "consent", "required"), browser{}, []step{submit(byType)}, nil, nil},
		{"GPC", idAttrs("identify", "forms"), browser{GPC: true}, []step{{"do": "consent", "value": true}, submit(byType)}, nil, nil},
		{"after consent(false)", idAttrs("identify", "forms"), browser{}, []step{{"do": "consent", "value": false}, submit(byType)}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.b
			b.Script, b.Attrs = "ti.min.js", tc.attrs
			r, reqs := run(t, b, tc.steps...)
			var got []string
			for _, q := range reqs {
				for _, e := range q.Events {
					if e.Type != "identify" {
						continue
					}
					got = append(got, e.Email)
					if want := (event{Type: "identify", Via: "form", URL: "https://shop.example/", Email: e.Email}); e != want {
						t.Errorf("event %+v, want %+v", e, want)
					}
					if !strings.HasPrefix(q.phase, "step ") || len(q.Events) != 1 {
						t.Errorf("identify event sent in phase %q with %d events, want alone, at once", q.phase, len(q.Events))
					}
				}
			}
			if !reflect.DeepEqual(got, tc.emails) {
				t.Errorf("e-mail addresses sent: %q, want %q", got, tc.emails)
			}
			onlyRead(t, r, tc.read...)
			neverSent(t, reqs, append(secrets, "Josephine", "not@chosen", "second@corp")...)
		})
	}
}

func TestNodeIdentifyHubSpot(t *testing.T) {
	t.Parallel()
	const utk = "0123456789abcdef0123456789abcdef"
	cookie := map[string]string{"hubspotutk": utk}
	email := form{Fields: []field{{Type: "email", Name: "e", Value: "jo@corp.example"}}}
	hs := event{Type: "identify", Via: "hubspot", URL: "https://shop.example/?fy_x=1", HubSpotUTK: utk}
	t.Run("attached, and an event of its own once", func(t *testing.T) {
		t.Parallel()
		r, reqs := run(t, browser{Script: "ti.min.js", URL: "https://shop.example/?fy_x=1&fy_email=jo%40corp.example",
			Attrs: idAttrs("identify", "links forms hubspot"), Cookies: cookie},
			step{"do": "push", "url": "/b"}, submit(email))
		wantEvents(t, reqs,
			event{Type: "pageview", URL: "https://shop.example/?fy_x=1"},
			event{Type: "identify", Via: "email_link", URL: "https://shop.example/?fy_x=1", Email: "jo@corp.example", HubSpotUTK: utk},
			hs,
			event{Type: "pageview", URL: "https://shop.example/b", Referrer: "https://shop.example/?fy_x=1"},
			event{Type: "identify", Via: "form", URL: "https://shop.example/b", Email: "jo@corp.example", HubSpotUTK: utk},
		)
		if r.Session["_foyer_hs"] == "" || strings.Contains(r.Session["_foyer_hs"], utk) {
			t.Errorf("sessionStorage %+v, want _foyer_hs set, without the cookie's value", r.Session)
		}
	})
	for _, tc := range []struct {
		name string
		b    browser
		want []event
	}{
		{"already sent in this session", browser{Session: map[string]string{"_foyer_hs": "1"}}, nil},
		{"no sessionStorage: once per page load", browser{NoSession: true}, []event{hs}},
		{"not a HubSpot token", browser{Cookies: map[string]string{"hubspotutk": "a.b"}}, nil},
		{"no cookie", browser{Cookies: map[string]string{}}, nil},
		{"hubspot not on", browser{Attrs: idAttrs("identify", "links")}, nil},
		{"consent required, not given", browser{Attrs: idAttrs("identify", "hubspot", "consent", "required")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.b
			b.Script, b.URL = "ti.min.js", "https://shop.example/?fy_x=1"
			if b.Attrs == nil {
				b.Attrs = idAttrs("identify", "hubspot")
			}
			if b.Cookies == nil {
				b.Cookies = cookie
			}
			r, reqs := run(t, b, step{"do": "push", "url": "/b"}, step{"do": "pop", "url": "/"})
			if got := identified(reqs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("identify events %+v, want %+v", got, tc.want)
			}
			if b.Attrs["consent"] == "required" && len(r.SessionOps) != 0 {
				t.Errorf("sessionStorage used before consent: %+v", r.SessionOps)
			}
		})
	}
}

// TestNodeCoreNeverIdentifies: t.min.js ignores every identification
// attribute, reads no form and no sessionStorage, but keeps the landing URL's
// identifiers off the wire.
func TestNodeCoreNeverIdentifies(t *testing.T) {
	t.Parallel()
	r, reqs := run(t, browser{Script: "t.min.js",
		URL:      "https://shop.example/p?fy_email=jo%40corp.example&fy_fn=Josephine&FY_LN=Doerwald&fy_t=AbC_123-x&plan=pro",
		Referrer: "https://mail.example/?fy_t=AbC_123-x&fy_fn=Josephine&r=1",
		Attrs:    idAttrs("identify", "links forms hubspot"),
		Cookies:  map[string]string{"hubspotutk": "0123456789abcdef0123456789abcdef"},
	},
		submit(form{Fields: []field{{Type: "email", Name: "e", Value: "jo@corp.example"}}}),
		step{"do": "click", "href": "https://partner.example/?fy_fn=Josephine&v=1"},
	)
	wantEvents(t, reqs,
		event{Type: "pageview", URL: "https://shop.example/p?plan=pro", Referrer: "https://mail.example/?r=1"},
		event{Type: "outbound", URL: "https://shop.example/p?plan=pro", Target: "https://partner.example/?v=1"},
	)
	neverSent(t, reqs, "jo@corp", "Josephine", "Doerwald", "AbC_123", "0123456789abcdef")
	onlyRead(t, r)
	if len(r.SessionOps) != 0 || len(r.Replaced) != 0 {
		t.Errorf("t.min.js used sessionStorage %+v or replaceState %+v", r.SessionOps, r.Replaced)
	}
}
