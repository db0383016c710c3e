package loadgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// BatchKind is one kind of batch in the traffic mix: a sequence of events
// the tracker sends in one request.
type BatchKind struct {
	Name        string
	Description string
	// Weight is the kind's share of batches, in percent.
	Weight int
	// MinEvents and MaxEvents bound its events; the count is uniform between.
	MinEvents, MaxEvents int
}

// Mix is the traffic mix, modelled on what the tracker (internal/tracker)
// sends. Each batch's kind is drawn from it first, then a visitor who can
// send it: one on a page, unless the kind starts with a landing. Visitors
// start the run on a page, as if they were browsing already; one who left
// through an outbound link sends nothing until a landing brings them back.
var Mix = []BatchKind{
	{"landing", "pageview of an entry page: 30% with utm_* parameters, 40% with an external referrer", 20, 1, 1},
	{"navigate", "engagement + pageview (in-site navigation)", 30, 2, 2},
	{"hidden", "engagement (tab hidden)", 15, 1, 1},
	{"bounce", "pageview + engagement (page closed at once)", 10, 2, 2},
	{"outbound", "outbound + engagement (click to another site; the visitor leaves)", 10, 2, 2},
	{"backlog", "engagement/pageview pairs queued by a slow tab, 4–10 events", 10, 4, 10},
	{"reload", "pageview with a same-site referrer (hard navigation)", 5, 1, 1},
}

// Singles is the one-event traffic shape (Config.Shape "single"): each
// request carries one event, as a browser mostly sends them, a page view
// on arriving at a page, an engagement on leaving it.
var Singles = []BatchKind{
	{"pageview", "one pageview: in-site navigation, or (20%, and for a visitor on no page) a landing with the landing's utm_* and referrers", 50, 1, 1},
	{"engagement", "one engagement of the page the visitor is on", 50, 1, 1},
}

// Traffic shapes (Config.Shape).
const (
	ShapeMix    = "mix"
	ShapeSingle = "single"
)

// Kinds returns the batch kinds of a traffic shape: Mix, or Singles for
// ShapeSingle.
func Kinds(shape string) []BatchKind {
	if shape == ShapeSingle {
		return Singles
	}
	return Mix
}

// MeanEvents is the expected number of events per batch of a shape.
func MeanEvents(shape string) float64 {
	if shape == ShapeSingle {
		return 1
	}
	return MixMean()
}

// kind indices into Singles.
const (
	kindSinglePageview = iota
	kindSingleEngagement
)

// kind indices into Mix.
const (
	kindLanding = iota
	kindNavigate
	kindHidden
	kindBounce
	kindOutbound
	kindBacklog
	kindReload
	numKinds
)

// MixMean is the expected number of events per batch of Mix.
func MixMean() float64 {
	var sum, w float64
	for _, k := range Mix {
		sum += float64(k.Weight) * float64(k.MinEvents+k.MaxEvents) / 2
		w += float64(k.Weight)
	}
	return sum / w
}

// event is one event as the collector protocol has it (docs/collect.md).
type event struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	Referrer  string `json:"referrer,omitempty"`
	EngagedMS int64  `json:"engaged_ms,omitempty"`
	Target    string `json:"target,omitempty"`
	Via       string `json:"via,omitempty"`
	Email     string `json:"email,omitempty"`
}

// batch is one request body.
type batch struct {
	Site    string  `json:"site"`
	Visitor string  `json:"visitor"`
	Events  []event `json:"events"`
}

// page is one page of the simulated site.
type page struct{ url, title string }

// pageOrigin is the scheme and host of every simulated page: the demo site
// allows localhost.
const pageOrigin = "http://localhost"

// newPages returns n distinct pages: the usual pages of a B2B site first,
// then blog posts, documentation, features and case studies.
func newPages(n int) []page {
	fixed := []string{"/", "/pricing", "/product", "/features", "/customers", "/integrations",
		"/security", "/about", "/contact", "/careers", "/blog", "/docs", "/demo", "/partners"}
	sections := []string{"blog", "docs/guides", "product", "customers", "integrations", "docs/api"}
	pages := make([]page, 0, n)
	for i := 0; len(pages) < n; i++ {
		var path string
		if i < len(fixed) {
			path = fixed[i]
		} else {
			j := i - len(fixed)
			path = fmt.Sprintf("/%s/topic-%d", sections[j%len(sections)], j/len(sections)+1)
			if j%25 == 24 {
				path = fmt.Sprintf("/search?q=topic+%d", j)
			}
		}
		pages = append(pages, page{url: pageOrigin + path, title: titleOf(path)})
	}
	return pages
}

func titleOf(path string) string {
	if path == "/" {
		return "Example Corp — B2B software for teams"
	}
	p := strings.Trim(path, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	p = strings.NewReplacer("-", " ", "?q=", ": ", "+", " ").Replace(p)
	return strings.ToUpper(p[:1]) + p[1:] + " | Example Corp"
}

var (
	utmSources   = []string{"newsletter", "linkedin", "google", "partner", "webinar"}
	utmMediums   = []string{"email", "social", "cpc", "referral"}
	utmCampaigns = []string{"spring-launch", "pricing-2026", "retargeting", "webinar-q3"}
	referrers    = []string{"https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
		"https://www.linkedin.com/feed/", "https://news.ycombinator.com/", "https://github.com/",
		"https://partner.example.net/blog/integrations"}
	outboundTargets = []string{"https://github.com/example/sdk", "https://www.linkedin.com/company/example",
		"https://partner.example.net/docs/setup", "https://status.example.com/", "https://docs.example.org/api",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://calendly.com/example/demo"}
)

// userAgents are current desktop and mobile browsers: none is a bot.
var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
}

// ipPool returns n client addresses, all from the ranges reserved for
// documentation: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737)
// and, past their 762 host addresses, 2001:db8::/32 (RFC 3849).
func ipPool(n int) []string {
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	pool := make([]string, 0, n)
	for host := 1; host <= 254 && len(pool) < n; host++ {
		for _, p := range nets {
			if len(pool) < n {
				pool = append(pool, fmt.Sprintf("%s%d", p, host))
			}
		}
	}
	for i := 0; len(pool) < n; i++ {
		pool = append(pool, fmt.Sprintf("2001:db8:%x:%x::%x", i>>16, i&0xffff, 1+i%250))
	}
	return pool
}

// visitor is one simulated browser. A visitor belongs to one worker, so
// its state needs no lock.
type visitor struct {
	id  string
	ua  string
	ip  string
	cur int // index of the current page; -1: on no page (left the site)
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// newVisitorID returns a 22-character ID like the tracker's.
func newVisitorID(rng *rand.Rand) string {
	var b [22]byte
	for i := range b {
		b[i] = idAlphabet[rng.IntN(len(idAlphabet))]
	}
	return string(b[:])
}

// traffic generates batches for one worker's visitors.
type traffic struct {
	site   string
	rng    *rand.Rand
	pages  []page
	zipf   *rand.Zipf // page popularity
	cumMix []int      // cumulative weights of Mix, or of Singles
	single bool       // the one-event shape (Singles)
	// identify is the share of batches with an identification, of the
	// emails of contacts 0 to 2×contacts-1 (see Config.Identify).
	identify float64
	contacts int
}

func newTraffic(site string, pages []page, rng *rand.Rand) *traffic {
	return newShapedTraffic(site, ShapeMix, pages, rng)
}

// newShapedTraffic returns traffic of the shape: ShapeMix or ShapeSingle.
func newShapedTraffic(site, shape string, pages []page, rng *rand.Rand) *traffic {
	t := &traffic{site: site, rng: rng, pages: pages, single: shape == ShapeSingle}
	if len(pages) > 1 {
		t.zipf = rand.NewZipf(rng, 1.1, 2, uint64(len(pages)-1))
	}
	sum := 0
	for _, k := range Kinds(shape) {
		sum += k.Weight
		t.cumMix = append(t.cumMix, sum)
	}
	return t
}

// identifying makes share of t's batches carry an identification by
// the email of one of 2×contacts contacts.
func (t *traffic) identifying(share float64, contacts int) *traffic {
	t.identify, t.contacts = share, contacts
	return t
}

func (t *traffic) pickPage() int {
	if t.zipf == nil {
		return 0
	}
	return int(t.zipf.Uint64())
}

func (t *traffic) pickKind() int {
	r := t.rng.IntN(t.cumMix[len(t.cumMix)-1])
	for i, c := range t.cumMix {
		if r < c {
			return i
		}
	}
	return len(t.cumMix) - 1
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// engaged returns an engaged time: mostly seconds, now and then minutes.
func (t *traffic) engaged() int64 {
	return min(500+int64(t.rng.ExpFloat64()*25_000), 86_400_000)
}

// needsPage reports whether a batch of the kind happens on a page the
// visitor is already on.
func (t *traffic) needsPage(kind int) bool {
	if t.single {
		return kind == kindSingleEngagement
	}
	return kind != kindLanding && kind != kindBounce
}

// fallback is the kind sent instead when no visitor is on a page for one
// that needs it.
func (t *traffic) fallback() int {
	if t.single {
		return kindSinglePageview
	}
	return kindLanding
}

// next appends a batch of the kind by v to evs. v must be on a page unless
// the kind starts with a landing (in the one-event shape: is a pageview).
func (t *traffic) next(v *visitor, kind int, evs []event) []event {
	if t.single {
		return t.nextSingle(v, kind, evs)
	}
	switch kind {
	case kindLanding, kindBounce:
		evs = append(evs, t.landing(v))
		if kind == kindBounce {
			evs = append(evs, t.engagement(v))
		}
	case kindNavigate:
		evs = append(evs, t.engagement(v), t.pageview(v, ""))
	case kindHidden:
		evs = append(evs, t.engagement(v))
	case kindOutbound:
		evs = append(evs,
			event{Type: "outbound", URL: t.pages[v.cur].url, Target: pick(t.rng, outboundTargets)},
			t.engagement(v))
		v.cur = -1
	case kindBacklog:
		n := Mix[kindBacklog].MinEvents + t.rng.IntN(Mix[kindBacklog].MaxEvents-Mix[kindBacklog].MinEvents+1)
		for i := range n {
			if i%2 == 0 {
				evs = append(evs, t.engagement(v))
			} else {
				evs = append(evs, t.pageview(v, ""))
			}
		}
	case kindReload:
		evs = append(evs, t.pageview(v, t.pages[v.cur].url))
	}
	if t.identify > 0 && v.cur >= 0 && t.rng.Float64() < t.identify {
		evs = append(evs, event{Type: "identify", Via: "form", URL: t.pages[v.cur].url,
			Email: ContactEmail(t.rng.IntN(2 * t.contacts))})
	}
	return evs
}

// nextSingle appends the one event of a batch of the kind of Singles.
func (t *traffic) nextSingle(v *visitor, kind int, evs []event) []event {
	switch {
	case kind == kindSingleEngagement:
		evs = append(evs, t.engagement(v))
	case v.cur < 0 || t.rng.IntN(5) == 0:
		evs = append(evs, t.landing(v))
	default:
		evs = append(evs, t.pageview(v, ""))
	}
	if t.identify > 0 && t.rng.Float64() < t.identify {
		evs = append(evs, event{Type: "identify", Via: "form", URL: t.pages[v.cur].url,
			Email: ContactEmail(t.rng.IntN(2 * t.contacts))})
	}
	return evs
}

// landing is the page view that starts a visit.
func (t *traffic) landing(v *visitor) event {
	v.cur = t.pickPage()
	p := t.pages[v.cur]
	ev := event{Type: "pageview", URL: p.url, Title: p.title}
	if t.rng.IntN(10) < 3 {
		sep := "?"
		if strings.Contains(p.url, "?") {
			sep = "&"
		}
		ev.URL += sep + "utm_source=" + pick(t.rng, utmSources) + "&utm_medium=" + pick(t.rng, utmMediums) +
			"&utm_campaign=" + pick(t.rng, utmCampaigns)
	}
	if t.rng.IntN(10) < 4 {
		ev.Referrer = pick(t.rng, referrers)
	}
	return ev
}

// pageview moves v to another page of the site.
func (t *traffic) pageview(v *visitor, referrer string) event {
	if referrer == "" && v.cur >= 0 {
		referrer = t.pages[v.cur].url
		v.cur = t.pickPage()
	}
	p := t.pages[v.cur]
	return event{Type: "pageview", URL: p.url, Title: p.title, Referrer: referrer}
}

func (t *traffic) engagement(v *visitor) event {
	return event{Type: "engagement", URL: t.pages[v.cur].url, EngagedMS: t.engaged()}
}
