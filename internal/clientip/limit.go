package clientip

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"time"
)

// Limiter is a token bucket per client: an IPv4 address, or an IPv6 /64
// (clientKey), for the collector and the sign-in forms alike. Clients are
// keyed by a keyed hash of their address whose seed lives only in this
// process's memory, so not even the limiter holds an IP address.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	seed    maphash.Seed
	mu      sync.Mutex
	buckets map[uint64]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows perSecond requests a client on average, in bursts of
// burst, by the clock now (time.Now when nil). A rate of 0 allows
// everything.
func NewLimiter(perSecond, burst float64, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: perSecond, burst: burst, now: now, seed: maphash.MakeSeed(), buckets: map[uint64]*bucket{}}
}

// Allow takes one token from the client's bucket and reports whether it had
// one. A nil limiter, or one with a rate of 0, allows everything.
func (l *Limiter) Allow(ip netip.Addr) bool {
	if l == nil || l.rate <= 0 {
		return true
	}
	var h maphash.Hash
	h.SetSeed(l.seed)
	b16 := clientKey(ip).As16()
	h.Write(b16[:])
	key := h.Sum64()

	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// clientKey is what a client is known by: an IPv4 address (mapped into
// IPv6 or not) as it is, an IPv6 address by its /64, the smallest network
// one subscriber is given, who can use any address in it.
func clientKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// sweep forgets clients whose buckets have refilled.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}
