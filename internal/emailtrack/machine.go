package emailtrack

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// DefaultAgents are parts of the user agents of mail-security scanners,
// link checkers and prefetchers, in lower case: a request whose agent
// contains one is counted apart. Operators add their own (Detector.Agents,
// foyer serve --email-scanner-agents FILE).
var DefaultAgents = []string{
	"barracuda", "mimecast", "proofpoint", "safelinks", "safe links", "messagelabs", "symantec",
	"forcepoint", "sophos", "trendmicro", "trend micro", "fireeye", "ironport", "cisco-esa",
	"zscaler", "checkpoint", "fortiguard", "fortinet", "bitdefender", "kaspersky", "avanan",
	"urlscan", "linkchecker", "link checker", "link-checker", "bot", "crawler",
	"spider", "python-requests", "curl/", "wget/", "go-http-client", "java/", "okhttp",
	"headlesschrome", "phantomjs",
}

// Detector tells mail scanners and prefetchers from people.
type Detector struct {
	// Agents are lower-case parts of scanners' user agents.
	Agents []string
	// Networks are the mail gateways' networks, whose requests are
	// counted apart. The address is compared in memory, never kept.
	Networks []netip.Prefix
	// Prefetch is how soon after the send an open is a prefetch;
	// foyer.PrefetchWindow when 0.
	Prefetch time.Duration
}

// NewDetector returns a Detector with DefaultAgents and the extra ones.
func NewDetector(extra []string, networks []netip.Prefix) *Detector {
	d := &Detector{Agents: append([]string(nil), DefaultAgents...), Networks: networks}
	for _, a := range extra {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			d.Agents = append(d.Agents, a)
		}
	}
	return d
}

// Machine returns why a request is taken for a machine's, or "" for a
// person's: a HEAD request, an address in a gateway's network, a
// scanner's user agent, or an open within the prefetch window of the send.
// The all-links check needs the recipient's other clicks: the store makes
// it when it writes the click.
func (d *Detector) Machine(method, agent string, addr netip.Addr, kind foyer.EmailHitKind, sentAt, now time.Time) string {
	if method == "HEAD" {
		return foyer.MachineHead
	}
	if addr.IsValid() {
		addr = addr.Unmap()
		for _, p := range d.Networks {
			if p.Contains(addr) {
				return foyer.MachineNetwork
			}
		}
	}
	a := strings.ToLower(agent)
	if a == "" {
		return foyer.MachineAgent // people's mail clients and browsers name themselves
	}
	for _, s := range d.Agents {
		if strings.Contains(a, s) {
			return foyer.MachineAgent
		}
	}
	window := d.Prefetch
	if window == 0 {
		window = foyer.PrefetchWindow
	}
	if kind == foyer.HitOpen && !sentAt.IsZero() && now.Sub(sentAt) < window {
		return foyer.MachinePrefetch
	}
	return ""
}

// ReadAgents reads a file of user agent parts, one a line; blank lines
// and lines starting with # are skipped.
func ReadAgents(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, foyer.Errorf(foyer.EINVALID, "email scanner agents: %v", err)
	}
	defer f.Close()
	return parseAgents(f)
}

func parseAgents(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.ToLower(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("email scanner agents: %w", err)
	}
	return out, nil
}
