package emailtrack

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

func TestMachine(t *testing.T) {
	extra, err := parseAgents(strings.NewReader("# our gateway\n\n  AcmeGuard/2 \n"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(extra, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")})
	sent := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	later := sent.Add(time.Hour)
	person := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	for _, c := range []struct {
		method, agent string
		addr          string
		kind          foyer.EmailHitKind
		at            time.Time
		want          string
	}{
		{"GET", person, "203.0.113.5", foyer.HitClick, later, ""},
		{"GET", person, "", foyer.HitOpen, later, ""},
		{"HEAD", person, "", foyer.HitClick, later, foyer.MachineHead},
		{"GET", person, "192.0.2.77", foyer.HitClick, later, foyer.MachineNetwork},
		{"GET", person, "::ffff:192.0.2.1", foyer.HitOpen, later, foyer.MachineNetwork},
		{"GET", "Mozilla/5.0 (compatible; ProofPoint URL Defense)", "", foyer.HitClick, later, foyer.MachineAgent},
		{"GET", "Mozilla/5.0 acmeguard/2.1", "", foyer.HitClick, later, foyer.MachineAgent},
		{"GET", "python-requests/2.31", "", foyer.HitOpen, later, foyer.MachineAgent},
		{"GET", "", "", foyer.HitOpen, later, foyer.MachineAgent},
		{"GET", person, "", foyer.HitOpen, sent.Add(3 * time.Second), foyer.MachinePrefetch},
		{"GET", person, "", foyer.HitClick, sent.Add(3 * time.Second), ""}, // a quick click is a person's
		{"GET", person, "", foyer.HitOpen, sent.Add(foyer.PrefetchWindow), ""},
	} {
		var addr netip.Addr
		if c.addr != "" {
			addr = netip.MustParseAddr(c.addr)
		}
		if got := d.Machine(c.method, c.agent, addr, c.kind, sent, c.at); got != c.want {
			t.Errorf("%s %q from %q, %s at +%v: %q, want %q", c.method, c.agent, c.addr, c.kind, c.at.Sub(sent), got, c.want)
		}
	}
}
