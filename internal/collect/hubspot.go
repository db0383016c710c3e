package collect

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// HubSpotLookup asks HubSpot, with a workspace's private app token, which
// contact a user token (the hubspotutk cookie) belongs to: its HubSpot ID
// and email, found false when HubSpot knows nobody by it.
type HubSpotLookup func(ctx context.Context, token, utk string) (id, email string, found bool, err error)

// HubSpotTokens keeps the workspaces' HubSpot tokens and the connector's
// status (see foyer.PersonaService).
type HubSpotTokens interface {
	HubSpotToken(ctx context.Context, workspaceID int64) (string, error)
	SetHubSpotStatus(ctx context.Context, workspaceID int64, errText string) error
}

// HubSpotConfig configures a HubSpotResolver.
type HubSpotConfig struct {
	Lookup  HubSpotLookup
	Tokens  HubSpotTokens
	Matcher Matcher
	Writer  Sink
	Log     *slog.Logger
	Metrics *Metrics
	// Queue bounds the user tokens waiting for HubSpot (1000 when 0);
	// past it, new ones are dropped. Timeout bounds one lookup (15 s when
	// 0), retries included.
	Queue   int
	Timeout time.Duration
}

// HubSpotResolver resolves HubSpot user tokens in the background, so that
// no browser waits on HubSpot: a token whose contact is a Foyer contact who
// may be tracked becomes an identification, written like the others; any
// other is forgotten. The tokens wait in memory only, and a full queue or
// a stop drops them.
type HubSpotResolver struct {
	cfg  HubSpotConfig
	in   chan hubspotJob
	done chan struct{}
	stop context.CancelFunc
	ctx  context.Context

	mu     sync.Mutex
	cache  map[hubspotKey]hubspotAnswer // answers of the last hour, bounded
	status map[int64]string             // the last status recorded per workspace
}

type hubspotJob struct {
	workspace int64
	hit       foyer.Hit
	utk       string
}

type hubspotKey struct {
	workspace int64
	utk       string
}

type hubspotAnswer struct {
	id, email string
	found     bool
	at        time.Time
}

const (
	hubspotCacheTTL   = time.Hour
	hubspotCacheLimit = 10_000
)

// NewHubSpotResolver returns a resolver; call Start, and Stop before the
// writer stops.
func NewHubSpotResolver(cfg HubSpotConfig) *HubSpotResolver {
	if cfg.Queue <= 0 {
		cfg.Queue = 1000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &HubSpotResolver{cfg: cfg, in: make(chan hubspotJob, cfg.Queue), done: make(chan struct{}),
		ctx: ctx, stop: cancel, cache: map[hubspotKey]hubspotAnswer{}, status: map[int64]string{}}
}

// Start runs the resolver's loop.
func (r *HubSpotResolver) Start() { go r.loop() }

// Stop drops what waits and returns once the lookup under way ends.
func (r *HubSpotResolver) Stop(ctx context.Context) error {
	r.stop()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Enqueue hands a user token to the resolver, with the identification hit
// it came with; it never blocks.
func (r *HubSpotResolver) Enqueue(site *foyer.Site, hit foyer.Hit, utk string) {
	select {
	case r.in <- hubspotJob{workspace: site.WorkspaceID, hit: hit, utk: utk}:
	default:
		r.cfg.Metrics.Identified.WithLabelValues(foyer.ViaHubSpot.String(), "queue_full").Inc()
	}
}

func (r *HubSpotResolver) loop() {
	defer close(r.done)
	for {
		select {
		case <-r.ctx.Done():
			return
		case j := <-r.in:
			r.resolve(j)
		}
	}
}

// resolve looks one user token up and writes the identification if it
// names a trackable contact.
func (r *HubSpotResolver) resolve(j hubspotJob) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	ans, ok := r.cached(j)
	if !ok {
		token, err := r.cfg.Tokens.HubSpotToken(ctx, j.workspace)
		if err != nil {
			r.cfg.Log.Error("collect: hubspot token", "workspace", j.workspace, "err", err)
			return
		}
		if token == "" {
			r.outcome("no_token")
			return
		}
		ans.id, ans.email, ans.found, err = r.cfg.Lookup(ctx, token, j.utk)
		if r.ctx.Err() != nil {
			return // stopping: nothing is recorded
		}
		r.record(j.workspace, err)
		if err != nil {
			r.outcome("error")
			return
		}
		ans.at = time.Now()
		r.remember(j, ans)
	}
	if !ans.found {
		r.outcome("unknown")
		return
	}
	id, err := r.cfg.Matcher.MatchCRM(ctx, j.workspace, ans.id, ans.email)
	if err != nil {
		r.cfg.Log.Error("collect: hubspot match", "workspace", j.workspace, "err", err)
		return
	}
	if id == 0 {
		r.outcome("dropped")
		return
	}
	hit := j.hit
	hit.Kind, hit.ContactID, hit.Via = foyer.KindIdentify, id, foyer.ViaHubSpot
	if err := r.cfg.Writer.Write(ctx, []foyer.Hit{hit}); err != nil {
		r.cfg.Log.Warn("collect: hubspot identification not stored", "err", err)
		return
	}
	r.outcome("matched")
}

func (r *HubSpotResolver) outcome(o string) {
	r.cfg.Metrics.Identified.WithLabelValues(foyer.ViaHubSpot.String(), "hubspot_"+o).Inc()
}

func (r *HubSpotResolver) cached(j hubspotJob) (hubspotAnswer, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.cache[hubspotKey{j.workspace, j.utk}]
	return a, ok && time.Since(a.at) < hubspotCacheTTL
}

func (r *HubSpotResolver) remember(j hubspotJob, a hubspotAnswer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) >= hubspotCacheLimit {
		clear(r.cache)
	}
	r.cache[hubspotKey{j.workspace, j.utk}] = a
}

// record writes the connector's status for the workspace's settings page
// when it changed: the error's text (which never holds the token), or ""
// once a call works again.
func (r *HubSpotResolver) record(workspace int64, err error) {
	text := ""
	if err != nil {
		text = err.Error()
	}
	r.mu.Lock()
	last, seen := r.status[workspace]
	r.status[workspace] = text
	r.mu.Unlock()
	if seen && last == text {
		return
	}
	if err := r.cfg.Tokens.SetHubSpotStatus(r.ctx, workspace, text); err != nil {
		r.cfg.Log.Error("collect: hubspot status", "workspace", workspace, "err", err)
	}
}
