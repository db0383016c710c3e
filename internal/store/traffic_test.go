package store_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/foyerhq/foyer"
)

// traffic generates realistic hits for one site: a few thousand returning
// visitors, about 50 pages, visits of about six events (pageview and
// engagement pairs, now and then an outbound click) from a few dozen
// visitors at a time, with referrers, campaigns and countries as a B2B
// site sees them. It is deterministic for a seed.
type traffic struct {
	rng      *rand.Rand
	site     int64
	now      time.Time
	visitors []trafficVisitor
	pages    []trafficPage
	active   []*trafficVisit
}

type trafficVisitor struct {
	uid     string
	country string
}

type trafficPage struct{ path, title string }

type trafficVisit struct {
	visitor    int
	left       int // events still to come
	page       int
	ref        string
	utm        foyer.UTM
	engagement bool // the next event reports engagement on page
}

func newTraffic(seed uint64, site int64, visitors, concurrent int) *traffic {
	g := &traffic{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), site: site, now: t0}
	countries := []string{"US", "US", "US", "DE", "DE", "GB", "FR", "NL", "SE", "CA", "JP", "IN", "BR", "CH", ""}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for range visitors {
		uid := make([]byte, 22) // as the tracker makes them
		for i := range uid {
			uid[i] = alphabet[g.rng.IntN(len(alphabet))]
		}
		g.visitors = append(g.visitors, trafficVisitor{string(uid), countries[g.rng.IntN(len(countries))]})
	}
	g.pages = []trafficPage{{"/", "Acme — Revenue analytics for B2B teams"}, {"/pricing", "Pricing — Acme"},
		{"/product", "Product — Acme"}, {"/customers", "Customers — Acme"}, {"/docs", "Documentation — Acme"},
		{"/contact", "Contact sales — Acme"}, {"/signup", "Start your trial — Acme"}, {"/about", "About us — Acme"}}
	for i := len(g.pages); i < 50; i++ {
		g.pages = append(g.pages, trafficPage{
			fmt.Sprintf("/blog/2025/how-teams-use-intent-data-part-%d", i),
			fmt.Sprintf("How B2B teams use intent data, part %d — Acme blog", i),
		})
	}
	for range concurrent {
		g.active = append(g.active, g.newVisit())
	}
	return g
}

func (g *traffic) newVisit() *trafficVisit {
	v := &trafficVisit{visitor: g.rng.IntN(len(g.visitors)), left: 4 + g.rng.IntN(5)} // 4 to 8, mean 6
	switch r := g.rng.IntN(10); {
	case r < 3:
		v.ref = "https://www.google.com/"
	case r < 4:
		v.ref = "https://www.linkedin.com/"
	case r < 5:
		v.ref = "https://news.ycombinator.com/item"
	case r < 6:
		v.utm = foyer.UTM{Source: "newsletter", Medium: "email", Campaign: fmt.Sprintf("2025-%02d", 1+g.rng.IntN(12))}
	}
	return v
}

// next returns the next hit, a second or so after the previous one.
func (g *traffic) next() foyer.Hit {
	g.now = g.now.Add(time.Duration(200+g.rng.IntN(1800)) * time.Millisecond)
	i := g.rng.IntN(len(g.active))
	v := g.active[i]
	who := g.visitors[v.visitor]
	h := foyer.Hit{
		SiteID: g.site, VisitorUID: who.uid, Time: g.now, Host: "www.acme.com",
		Origin: foyer.Origin{Country: who.country},
	}
	switch {
	case v.engagement && g.rng.IntN(8) == 0:
		h.Kind = foyer.KindOutbound
		h.Target = fmt.Sprintf("https://github.com/acme/sdk-%d", g.rng.IntN(10))
		v.engagement = false
	case v.engagement:
		h.Kind = foyer.KindEngagement
		h.EngagedMS = int64(500 + g.rng.IntN(180_000))
		v.engagement = false
	default:
		h.Kind = foyer.KindPageview
		v.page = g.rng.IntN(len(g.pages))
		if g.rng.IntN(3) == 0 {
			v.page = g.rng.IntN(8) // the main pages are the most seen
		}
		h.Referrer, h.UTM = v.ref, v.utm // the landing page's; later pageviews keep them
		v.engagement = true
	}
	p := g.pages[v.page]
	h.Path, h.Title = p.path, p.title
	v.left--
	if v.left == 0 {
		g.active[i] = g.newVisit()
	}
	return h
}

// batch returns the next n hits.
func (g *traffic) batch(n int) []foyer.Hit {
	hits := make([]foyer.Hit, n)
	for i := range hits {
		hits[i] = g.next()
	}
	return hits
}
