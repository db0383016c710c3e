// Package clientip tells who a request's client is, and how often it may
// come: the address behind a request (trusting forwarding headers only from
// configured proxies), and a token bucket per client that holds no address.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Finder finds the address of the client behind a request: the peer of
// the connection, or, only when that peer is a trusted proxy, the nearest
// untrusted address in X-Forwarded-For or Forwarded.
type Finder struct {
	Trusted []netip.Prefix
}

// ParsePrefixes parses a comma-separated list of CIDRs or addresses.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (c *Finder) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// From returns the client address of r; the zero Addr when there is none.
func (c *Finder) From(r *http.Request) netip.Addr {
	peer := parseHostAddr(r.RemoteAddr)
	if !peer.IsValid() || !c.trusted(peer) {
		return peer
	}
	chain := forwardedChain(r.Header)
	for i := len(chain) - 1; i >= 0; i-- {
		a := chain[i]
		if !c.trusted(a) {
			return a
		}
	}
	if len(chain) > 0 {
		return chain[0]
	}
	return peer
}

// forwardedChain lists the addresses a request passed through, client
// first, from X-Forwarded-For or else from Forwarded's for= parameters.
// Entries that are not addresses end the chain's trust: they are kept as
// invalid Addrs, which are never trusted.
func forwardedChain(h http.Header) []netip.Addr {
	var chain []netip.Addr
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for part := range strings.SplitSeq(line, ",") {
				chain = append(chain, parseHostAddr(strings.TrimSpace(part)))
			}
		}
		return chain
	}
	for _, line := range h.Values("Forwarded") {
		for elem := range strings.SplitSeq(line, ",") {
			for pair := range strings.SplitSeq(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					chain = append(chain, parseHostAddr(strings.Trim(v, `"`)))
				}
			}
		}
	}
	return chain
}

// parseHostAddr parses "1.2.3.4", "1.2.3.4:80", "[::1]:80" or "::1".
func parseHostAddr(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap()
		}
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}
