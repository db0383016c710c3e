// Package loadgen drives a Foyer collector on this machine with realistic,
// batched tracker traffic from many simulated visitors over many
// connections, and measures what it got back: acknowledged events,
// client-side latency, status codes and the server's peak memory.
//
// It only ever talks to the one URL it is given, and only when that URL
// is on a loopback address: every connection is checked as it is dialled.
// A run is bounded in time (Duration, at most MaxDuration) and optionally
// in requests (Requests).
package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Bounds of a run.
const (
	MaxDuration = time.Hour
	MaxConns    = 4096
	MaxVisitors = 10_000_000
	MaxPages    = 100_000
	MaxIPs      = 1_000_000
)

// Config says what load to generate. The zero value of a field means its
// default (see Defaults), except Rate and Requests, whose zero means
// "no limit".
type Config struct {
	// URL is the server's base URL (http://host:port) or its /collect URL.
	// Its host must be a loopback address or resolve only to loopback ones.
	URL string
	// Site is the public key of the site the events are sent for.
	Site string
	// Duration bounds the run; in-flight requests are finished after it.
	Duration time.Duration
	// Conns is the number of concurrent workers, each with its own
	// keep-alive connection.
	Conns int
	// Visitors is the number of distinct simulated visitors.
	Visitors int
	// Pages is the number of distinct page paths.
	Pages int
	// Rate is the target in events per second; 0 sends as fast as the
	// server answers (a closed loop).
	Rate float64
	// Requests, when > 0, ends the run after that many requests.
	Requests int64
	// IPs is the size of the pool of client addresses sent in
	// X-Forwarded-For, all from the documentation ranges (RFC 5737, RFC 3849).
	IPs int
	// Seed makes the traffic reproducible; 0 picks a random seed.
	Seed uint64
	// Shape is the traffic's shape: ShapeMix (the default: batches as the
	// tracker sends them, 2.1 events on average) or ShapeSingle (one event
	// a request, a pageview or an engagement).
	Shape string
	// Identify is the share of batches (0 to 1) that also carry an
	// identification (Persona Insights): a form's email, ContactEmail of a
	// number below 2×IdentifyContacts, so that about half match the
	// contacts `foyer seed --contacts` makes and half match nobody.
	Identify         float64
	IdentifyContacts int
}

// ContactEmail is the email of the loadgen's contact n: `foyer seed
// --contacts N` makes contacts 0 to N-1.
func ContactEmail(n int) string { return fmt.Sprintf("loadgen-contact-%d@example.com", n) }

// Defaults returns the default configuration.
func Defaults() Config {
	return Config{
		URL: "http://127.0.0.1:8080", Site: "demo", Shape: ShapeMix, Duration: 20 * time.Second,
		Conns: 64, Visitors: 20_000, Pages: 200, IPs: 5000,
	}
}

// withDefaults fills zero fields from Defaults.
func (c Config) withDefaults() Config {
	d := Defaults()
	if c.URL == "" {
		c.URL = d.URL
	}
	if c.Site == "" {
		c.Site = d.Site
	}
	if c.Shape == "" {
		c.Shape = d.Shape
	}
	if c.Duration == 0 {
		c.Duration = d.Duration
	}
	if c.Conns == 0 {
		c.Conns = d.Conns
	}
	if c.Visitors == 0 {
		c.Visitors = d.Visitors
	}
	if c.Pages == 0 {
		c.Pages = d.Pages
	}
	if c.IPs == 0 {
		c.IPs = d.IPs
	}
	return c
}

// validate checks the bounds of c; EINVALID says which is wrong.
func (c Config) validate() error {
	switch {
	case c.Duration < 0 || c.Duration > MaxDuration:
		return foyer.Errorf(foyer.EINVALID, "duration %s: want more than 0 and at most %s", c.Duration, MaxDuration)
	case c.Conns < 1 || c.Conns > MaxConns:
		return foyer.Errorf(foyer.EINVALID, "conns %d: want 1 to %d", c.Conns, MaxConns)
	case c.Visitors < c.Conns || c.Visitors > MaxVisitors:
		return foyer.Errorf(foyer.EINVALID, "visitors %d: want at least conns (%d) and at most %d", c.Visitors, c.Conns, MaxVisitors)
	case c.Pages < 1 || c.Pages > MaxPages:
		return foyer.Errorf(foyer.EINVALID, "pages %d: want 1 to %d", c.Pages, MaxPages)
	case c.IPs < 1 || c.IPs > MaxIPs:
		return foyer.Errorf(foyer.EINVALID, "ips %d: want 1 to %d", c.IPs, MaxIPs)
	case c.Shape != ShapeMix && c.Shape != ShapeSingle:
		return foyer.Errorf(foyer.EINVALID, "shape %q: want %s or %s", c.Shape, ShapeMix, ShapeSingle)
	case c.Rate < 0:
		return foyer.Errorf(foyer.EINVALID, "rate %g: want 0 (as fast as possible) or more", c.Rate)
	case c.Requests < 0:
		return foyer.Errorf(foyer.EINVALID, "requests %d: want 0 (no limit) or more", c.Requests)
	case c.Identify < 0 || c.Identify > 1:
		return foyer.Errorf(foyer.EINVALID, "identify %g: want a share from 0 to 1", c.Identify)
	case c.Identify > 0 && c.IdentifyContacts < 1:
		return foyer.Errorf(foyer.EINVALID, "identify-contacts %d: want 1 or more", c.IdentifyContacts)
	}
	return nil
}

// target is where a run sends its requests.
type target struct {
	collect string // the /collect URL
	metrics string // the /metrics URL of the same server
}

// resolveTarget parses raw and checks that its host is on this machine.
func resolveTarget(ctx context.Context, raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return target{}, foyer.Errorf(foyer.EINVALID, "url %q: want http://HOST:PORT", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return target{}, foyer.Errorf(foyer.EINVALID, "url %q: want only scheme, host, port and path", raw)
	}
	if err := checkLoopbackHost(ctx, u.Hostname()); err != nil {
		return target{}, err
	}
	base := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/collect")
	u.Path = base + "/collect"
	t := target{collect: u.String()}
	u.Path = base + "/metrics"
	t.metrics = u.String()
	return t, nil
}

// checkLoopbackHost accepts a loopback address, or a name that resolves to
// loopback addresses only.
func checkLoopbackHost(ctx context.Context, host string) error {
	refuse := foyer.Errorf(foyer.EINVALID,
		"url host %q is not a loopback address: loadgen only drives a Foyer server on this machine", host)
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.Unmap().IsLoopback() {
			return refuse
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return foyer.Errorf(foyer.EINVALID, "url host %q: cannot resolve it", host)
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return refuse
		}
	}
	return nil
}
