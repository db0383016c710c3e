package collect

import (
	"strings"
	"sync"

	"github.com/x-way/crawlerdetect"
)

// botFilter tells bots and crawlers by user agent, remembering its answers
// because the same few user agents make most of the traffic.
type botFilter struct {
	mu    sync.RWMutex
	cache map[string]bool
}

func newBotFilter() *botFilter { return &botFilter{cache: map[string]bool{}} }

// IsBot reports whether the user agent belongs to a bot, a crawler, a
// monitoring tool or a headless browser. An empty user agent is a bot.
func (f *botFilter) IsBot(ua string) bool {
	if strings.TrimSpace(ua) == "" {
		return true
	}
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	f.mu.RLock()
	v, ok := f.cache[ua]
	f.mu.RUnlock()
	if ok {
		return v
	}
	v = crawlerdetect.IsCrawler(ua)
	f.mu.Lock()
	if len(f.cache) > 10_000 {
		clear(f.cache)
	}
	f.cache[ua] = v
	f.mu.Unlock()
	return v
}
