package automation

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// NewClient returns the client of the webhook calls: it follows no
// redirect (a 3xx answer is a failure), and unless allowPrivate it refuses
// to connect to a loopback, private, link-local, unspecified or multicast
// address. The check is made on the address connected to, after the name
// is resolved, so that a name cannot resolve to an inside address later.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide where the call goes
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// refusePrivate is a dialer's Control: it refuses inside destinations.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook destination %q: %w", address, err)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("webhooks may not call a private or loopback address (the operator allows them with --automations-allow-private)")
	}
	return nil
}

// Public reports whether a is an address on the public internet.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!cgnat.Contains(a) && !uniqueLocal.Contains(a)
}

var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, shared address space
	uniqueLocal = netip.MustParsePrefix("fc00::/7")
)
