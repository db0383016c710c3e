package collect

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/; run a fuzzer with
//
//	go test -run='^$' -fuzz='^FuzzCleanPage$' -fuzztime=60s ./internal/collect/
//
// and keep what it finds there.

var (
	// visitorRE is the protocol's visitor ID, written independently of validVisitor.
	visitorRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
	// emailRaw finds local@domain.tld in an escaped URL: something other than
	// a separator, '@', then a domain-like run.
	emailRaw = regexp.MustCompile(`[^/?&=]@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// emailDecoded finds local@domain.tld in one decoded segment, name or value.
	emailDecoded = regexp.MustCompile(`.@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	utmNames     = map[string]bool{"utm_source": true, "utm_medium": true, "utm_campaign": true, "utm_term": true, "utm_content": true}
	// escapeRE is one percent escape, for decoding independently of the cleaner.
	escapeRE = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
)

// fuzzSite is the site the fuzzers send to: it keeps a few query
// parameters, among them a redirect target, and allows an IPv6 host.
func fuzzSite() *foyer.Site {
	return &foyer.Site{ID: 1, Key: "demo", Hostnames: []string{"localhost", "example.com", "*.example.com", "[::1]"},
		KeepParams: []string{"page", "q", "next", "u", "lang"}}
}

// decodedForms returns s and what it becomes when decoded again and again
// (at most 6 times), valid escapes only.
func decodedForms(s string) []string {
	out := []string{s}
	for range 6 {
		d := escapeRE.ReplaceAllStringFunc(s, func(e string) string {
			b, _ := strconv.ParseUint(e[1:], 16, 8)
			return string([]byte{byte(b)})
		})
		if d == s {
			break
		}
		out, s = append(out, d), d
	}
	return out
}

// hasEmail reports whether any decoded form of s holds an e-mail address.
func hasEmail(s string) bool {
	for _, d := range decodedForms(s) {
		if emailDecoded.MatchString(d) {
			return true
		}
	}
	return false
}

func FuzzParsePayload(f *testing.F) {
	site := fuzzSite()
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePayload(body)
		if err != nil {
			if foyer.ErrorCode(err) != foyer.EINVALID || foyer.ErrorMessage(err) == "" || p != nil {
				t.Fatalf("ParsePayload error %v with payload %v; want EINVALID with a message and no payload", err, p)
			}
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted a body that is not valid UTF-8 JSON: %q", body)
		}
		if p.Site == "" {
			t.Fatal("accepted a batch without a site")
		}
		if !visitorRE.MatchString(p.Visitor) {
			t.Fatalf("accepted visitor %q", p.Visitor)
		}
		if n := len(p.Events); n < 1 || n > MaxEvents {
			t.Fatalf("accepted %d events", n)
		}
		hits, err := BuildHits(site, p, foyer.Origin{}, time.Unix(1_700_000_000, 0))
		if err == nil {
			for i := range hits {
				checkHit(t, site, &p.Events[i], &hits[i])
			}
		}
	})
}

func FuzzBuildHits(f *testing.F) {
	site := fuzzSite()
	f.Fuzz(func(t *testing.T, typ, rawURL, title, referrer string, engagedMS int64, target string) {
		ev := RawEvent{Type: typ, URL: rawURL, Title: title, Referrer: referrer, EngagedMS: engagedMS, Target: target}
		p := &Payload{Site: "demo", Visitor: "k3J9xQ2mW8rT5vYb", Events: []RawEvent{ev}}
		hits, err := BuildHits(site, p, foyer.Origin{Country: "NL"}, time.Unix(1_700_000_000, 0))
		if err != nil {
			if c := foyer.ErrorCode(err); c != foyer.EINVALID && c != foyer.EFORBIDDEN || hits != nil ||
				!strings.HasPrefix(foyer.ErrorMessage(err), "event 0: ") {
				t.Fatalf("BuildHits error %v with %d hits; want EINVALID or EFORBIDDEN for event 0 and no hits", err, len(hits))
			}
			return
		}
		if len(hits) != 1 {
			t.Fatalf("%d hits for one event", len(hits))
		}
		checkHit(t, site, &ev, &hits[0])
	})
}

func FuzzCleanPage(f *testing.F) {
	site := fuzzSite()
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := cleanPage(raw, site)
		if err != nil {
			if foyer.ErrorCode(err) != foyer.EINVALID {
				t.Fatalf("cleanPage error %v, want EINVALID", err)
			}
			return
		}
		checkHost(t, p.host)
		checkURLPath(t, site, "path", p.path, true)
		for _, v := range []string{p.utm.Source, p.utm.Medium, p.utm.Campaign, p.utm.Term, p.utm.Content} {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || len(v) > 256 || hasEmail(v) {
				t.Fatalf("UTM value %q kept", v)
			}
		}
		// Cleaning is idempotent: what is kept does not look personal to the
		// cleaner either. (A path cut at 2,048 bytes may end in half an escape.)
		if len(p.path) < 2000 {
			again, err := cleanPage("https://example.com"+p.path, site)
			if err != nil || again.path != p.path {
				t.Fatalf("cleaning %q again gave %q, %v", p.path, again.path, err)
			}
		}
	})
}

// checkHit checks the invariants of a hit built from ev.
func checkHit(t *testing.T, site *foyer.Site, ev *RawEvent, h *foyer.Hit) {
	t.Helper()
	checkHost(t, h.Host)
	if !site.AllowsHost(h.Host) {
		t.Fatalf("hit for host %q, which the site does not allow", h.Host)
	}
	if h.Kind.String() != ev.Type {
		t.Fatalf("kind %v for type %q", h.Kind, ev.Type)
	}
	checkURLPath(t, site, "path", h.Path, true)
	if !utf8.ValidString(h.Title) || strings.ContainsRune(h.Title, 0) || len(h.Title) > maxTitle ||
		strings.TrimSpace(h.Title) != h.Title {
		t.Fatalf("title %q", h.Title)
	}
	for _, word := range strings.Fields(h.Title) {
		if hasEmail(word) {
			t.Fatalf("title %q keeps an e-mail address in %q", h.Title, word)
		}
	}
	if h.Kind == foyer.KindPageview && (hasEmail(h.UTM.Source) || hasEmail(h.UTM.Medium) || hasEmail(h.UTM.Campaign) ||
		hasEmail(h.UTM.Term) || hasEmail(h.UTM.Content)) {
		t.Fatalf("UTM %+v keeps an e-mail address", h.UTM)
	}
	if h.Kind != foyer.KindPageview && (h.Title != "" || h.Referrer != "" || !h.UTM.IsZero()) {
		t.Fatalf("a %v hit carries pageview fields: %+v", h.Kind, h)
	}
	if h.Referrer != "" {
		u, err := url.Parse(h.Referrer)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" ||
			strings.ContainsAny(h.Referrer, "?#") || u.User != nil {
			t.Fatalf("referrer %q is not scheme://host/path", h.Referrer)
		}
		if site.AllowsHost(u.Hostname()) {
			t.Fatalf("internal referrer %q kept", h.Referrer)
		}
		checkURLPath(t, site, "referrer", u.EscapedPath(), false)
	}
	if h.Kind == foyer.KindOutbound {
		u, err := url.Parse(h.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Fragment != "" {
			t.Fatalf("target %q", h.Target)
		}
		checkURLPath(t, site, "target", strings.TrimPrefix(h.Target, u.Scheme+"://"+u.Host), false)
	} else if h.Target != "" {
		t.Fatalf("a %v hit with target %q", h.Kind, h.Target)
	}
	if h.Kind == foyer.KindEngagement && (h.EngagedMS < 1 || h.EngagedMS > maxEngagedMS) ||
		h.Kind != foyer.KindEngagement && h.EngagedMS != 0 {
		t.Fatalf("a %v hit with engaged_ms %d", h.Kind, h.EngagedMS)
	}
}

func checkHost(t *testing.T, host string) {
	t.Helper()
	if host == "" || strings.ToLower(host) != host || strings.ContainsAny(host, "/?#@") || !utf8.ValidString(host) {
		t.Fatalf("host %q: want non-empty, lower case, a host name only", host)
	}
}

// checkURLPath checks an escaped "path?query": no fragment; a path
// normalised (no empty, '.', '..' or ';' segment, no escaped '/'); no
// e-mail address in any segment, name or value, however often encoded; no
// query parameter but those the site keeps and, outside a page path, UTM
// ones.
func checkURLPath(t *testing.T, site *foyer.Site, what, s string, page bool) {
	t.Helper()
	if !strings.HasPrefix(s, "/") || !utf8.ValidString(s) || len(s) > 2048 {
		t.Fatalf("%s %q: want a valid UTF-8 path of at most 2048 bytes", what, s)
	}
	if strings.ContainsRune(s, '#') {
		t.Fatalf("%s %q contains a fragment", what, s)
	}
	if m := emailRaw.FindString(s); m != "" {
		t.Fatalf("%s %q contains an e-mail address (%q)", what, s, m)
	}
	path, query, _ := strings.Cut(s, "?")
	segs := strings.Split(path, "/")[1:]
	for i, seg := range segs {
		if seg == "" && i < len(segs)-1 {
			t.Fatalf("%s %q: empty segment", what, s)
		}
		for _, dec := range decodedForms(seg) {
			if emailDecoded.MatchString(dec) {
				t.Fatalf("%s %q: segment %q is an e-mail address", what, s, dec)
			}
			if dec == "." || dec == ".." || strings.ContainsAny(dec, ";/\\") {
				t.Fatalf("%s %q: segment %q is not normalised", what, s, seg)
			}
		}
	}
	if query == "" {
		return
	}
	for _, part := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue // only a cut at 2,048 bytes leaves half an escape
		}
		norm := strings.ReplaceAll(strings.ToLower(name), "-", "_")
		if page && utmNames[norm] {
			t.Fatalf("%s %q keeps UTM parameter %q", what, s, name)
		}
		if _, kept := site.KeptParam(name); !kept && !utmNames[norm] {
			t.Fatalf("%s %q keeps parameter %q, which the site does not keep", what, s, name)
		}
		if foyer.IdentifierParam(name) {
			t.Fatalf("%s %q keeps identifier parameter %q", what, s, name)
		}
		if hasEmail(name) || hasEmail(value) {
			t.Fatalf("%s %q keeps an e-mail address in %q", what, s, part)
		}
	}
}

// FuzzIdentify: an identification event is taken only with a known
// source and the fields that source needs, each of its shape; a refusal
// is EINVALID and never quotes a value, which may be a person's.
func FuzzIdentify(f *testing.F) {
	site := fuzzSite()
	f.Fuzz(func(t *testing.T, via, email, first, last, token, utk string) {
		ev := RawEvent{Type: "identify", URL: "https://example.com/contact", Via: via, Email: email, FirstName: first,
			LastName: last, Token: token, HubSpotUTK: utk}
		ids, err := identifiersOf(&ev)
		if err != nil {
			msg := foyer.ErrorMessage(err)
			if foyer.ErrorCode(err) != foyer.EINVALID || msg == "" || ids != nil {
				t.Fatalf("identifiersOf error %v with %v; want EINVALID with a message", err, ids)
			}
			for _, v := range []string{email, first, last, token, utk} {
				if len(v) >= 6 && strings.Contains(msg, v) {
					t.Fatalf("the error %q quotes the value %q", msg, v)
				}
			}
			return
		}
		if ids.Via.String() != via {
			t.Fatalf("via %q taken as %v", via, ids.Via)
		}
		if len(ids.Email) > maxEmail || ids.Email != "" && !strings.Contains(ids.Email, "@") ||
			utf8.RuneCountInString(ids.FirstName) > maxName || utf8.RuneCountInString(ids.LastName) > maxName ||
			ids.Token != "" && !tokenLike(ids.Token, maxToken) || ids.HubSpotUTK != "" && !tokenLike(ids.HubSpotUTK, maxUTK) {
			t.Fatalf("took %+v", ids)
		}
		need := map[foyer.IdentifyVia]string{foyer.ViaForm: ids.Email, foyer.ViaEmailLink: ids.Email, foyer.ViaToken: ids.Token,
			foyer.ViaHubSpot: ids.HubSpotUTK}[ids.Via]
		if need == "" {
			t.Fatalf("took via %v without its field: %+v", ids.Via, ids)
		}
		p := &Payload{Site: "demo", Visitor: "k3J9xQ2mW8rT5vYb", Events: []RawEvent{ev}}
		hits, err := BuildHits(site, p, foyer.Origin{}, time.Unix(1_700_000_000, 0))
		if err != nil || len(hits) != 1 || hits[0].Kind != foyer.KindIdentify || hits[0].ContactID != 0 {
			t.Fatalf("BuildHits of a valid identification: %v, %+v", err, hits)
		}
		checkHit(t, site, &ev, &hits[0])
	})
}

// alnumRun is a run of ASCII letters and digits, for finding looksToken's
// runs independently of it.
var alnumRun = regexp.MustCompile(`[A-Za-z0-9]+`)

// looksTokenRuns is looksToken's rule for runs, written apart from it.
func looksTokenRuns(s string) bool {
	for _, run := range alnumRun.FindAllString(s, -1) {
		if len(run) < 16 {
			continue
		}
		digits := len(regexp.MustCompile(`[0-9]`).FindAllString(run, -1))
		upper := len(regexp.MustCompile(`[A-Z]`).FindAllString(run, -1))
		lower := len(run) - digits - upper
		if digits > 0 && upper+lower > 0 || upper > 0 && lower > 0 && upper*4 > len(run) {
			return true
		}
	}
	return false
}

func FuzzLooksToken(f *testing.F) {
	for _, s := range []string{"", "pricing", "how-teams-use-intent-data", "a1B2c3D4e5F6g7H8i9", "Q2xpZW50U2VjcmV0S2V5MTIz",
		"550e8400-e29b-41d4-a716-446655440000", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "été-ÀB12cd34EF56gh78IJ", "x\xffAb12Cd34Ef56Gh78"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") >= 1 && len(s) > 20 || isUUIDish(s) || looksTokenRuns(s)
		if got := looksToken(s); got != want {
			t.Fatalf("looksToken(%q) = %v, want %v", s, got, want)
		}
	})
}
