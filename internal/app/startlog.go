package app

import (
	"cmp"
	"fmt"
	"github.com/foyerhq/foyer/internal/wikidata"
	"net/netip"
	"strings"
)

// logSettings logs, at start, what decides how visits are counted and
// links are made: the trusted proxies (operator config: CIDRs, never a
// client's address), the public URL, and the IP data in service.
func (a *App) logSettings() {
	a.log.Info("settings", "trusted_proxies", trustedProxies(a.trusted), "public_url", publicURL(a.cfg.PublicURL),
		"ip_data", a.ipdataState(), "enrichment", a.enrichState())
}

// enrichState says whether companies are looked up in open data.
func (a *App) enrichState() string {
	if !a.cfg.Enrich {
		return "off"
	}
	return "Wikidata at " + cmp.Or(a.cfg.WikidataAPI, wikidata.DefaultBaseURL) + " (only organisations' domains and names are sent; --no-enrich turns it off)"
}

// trustedProxies describes the proxies whose forwarding headers are believed.
func trustedProxies(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "none (X-Forwarded-For and Forwarded are ignored: each visit is its connection's address; --trusted-proxy CIDR,…)"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// publicURL describes where links point.
func publicURL(u string) string {
	if u == "" {
		return "none (links follow each request's Host header; --public-url)"
	}
	return u
}

// ipdataState describes the IP data table in service.
func (a *App) ipdataState() string {
	res := ipdataOf(a.cfg.Resolver)
	switch {
	case res != nil && res.Table() != nil:
		i := res.Table().Info()
		return fmt.Sprintf("loaded from %s, built %s: %d IPv4 and %d IPv6 ranges", res.Path(),
			i.BuiltAt.UTC().Format("2006-01-02 15:04 MST"), i.Ranges4, i.Ranges6)
	case res != nil:
		return "none loaded (" + res.Path() + "): every visit's company is unknown"
	case a.cfg.Resolver != nil:
		return "a resolver that is not a table file"
	}
	return "none: every visit's company is unknown"
}
