package clientip

import (
	"net/netip"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/testutil"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := NewLimiter(2, 4, clock.Now)
	a, b := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8::1")
	allowed := func(ip netip.Addr, n int) int {
		ok := 0
		for range n {
			if l.Allow(ip) {
				ok++
			}
		}
		return ok
	}
	if got := allowed(a, 10); got != 4 {
		t.Errorf("a burst of 10 let %d through, want the burst of 4", got)
	}
	if got := allowed(b, 10); got != 4 {
		t.Errorf("another client: %d through, want its own burst of 4", got)
	}
	clock.Add(500 * time.Millisecond)
	if got := allowed(a, 10); got != 1 {
		t.Errorf("after 0.5s at 2/s: %d through, want 1", got)
	}
	clock.Add(time.Hour)
	if got := allowed(a, 10); got != 4 {
		t.Errorf("after an hour: %d through, want the burst of 4, no more", got)
	}
	// Buckets that have refilled are forgotten by the next sweep.
	clock.Add(2 * time.Minute)
	l.Allow(b)
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("%d buckets after a sweep, want 1 (only the client just seen)", n)
	}

	var off *Limiter
	if !off.Allow(a) || !NewLimiter(0, 0, clock.Now).Allow(a) {
		t.Error("a nil or zero-rate limiter must allow everything")
	}
}

// TestLimiterClients: an IPv6 subscriber, who may use any address of
// its /64, is one client; IPv4 addresses are clients of their own, mapped
// into IPv6 or not.
func TestLimiterClients(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		first, second string
		same          bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2::2", true},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"2001:db8:1:2::1", "2001:db9:1:2::1", false},
		{"198.51.100.1", "198.51.100.2", false},
		{"198.51.100.1", "::ffff:198.51.100.1", true},
		{"198.51.100.1", "::ffff:198.51.100.2", false},
	} {
		l := NewLimiter(1.0/60, 1, clock.Now)
		if !l.Allow(netip.MustParseAddr(c.first)) {
			t.Fatalf("%s: the first request refused", c.first)
		}
		if got := !l.Allow(netip.MustParseAddr(c.second)); got != c.same {
			t.Errorf("%s after %s: refused %v, want %v (one client: %v)", c.second, c.first, got, c.same, c.same)
		}
	}
}
