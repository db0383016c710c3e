package web

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// tokenCache keeps, in memory, what the campaigns' tokens lead to, keyed
// by the token's SHA-256, so that most opens and clicks need no read of
// the database. An entry lives tokenCacheLife: a deleted campaign's links
// may work that long after. What may change in that time, whether the
// recipient may be tracked, is never taken from it where it matters: the
// store checks it again when it writes the open or click, and the click
// asks the store afresh before it identifies a landing.
type tokenCache struct {
	mu sync.Mutex
	m  map[[32]byte]cachedToken
}

type cachedToken struct {
	t     foyer.EmailToken
	until time.Time
}

// Bounds of the token cache.
const (
	tokenCacheMax  = 1 << 16
	tokenCacheLife = time.Minute
)

func tokenKey(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

// get returns a copy of the live entry of key.
func (c *tokenCache) get(key [32]byte, now time.Time) (*foyer.EmailToken, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || now.After(e.until) {
		return nil, false
	}
	t := e.t
	return &t, true
}

// put keeps t for key; a full cache is emptied first.
func (c *tokenCache) put(key [32]byte, t *foyer.EmailToken, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tokenCacheMax {
		c.m = make(map[[32]byte]cachedToken, 1024)
	}
	c.m[key] = cachedToken{t: *t, until: now.Add(tokenCacheLife)}
}
