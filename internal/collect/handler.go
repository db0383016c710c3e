package collect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/httperr"
)

// Config configures a Handler.
type Config struct {
	Sites foyer.SiteService
	// Writer makes accepted batches durable: the group-commit *Writer,
	// or a queue's publisher.
	Writer   Sink
	Resolver foyer.Resolver
	ClientIP clientip.Finder
	// Matcher matches identification events to contacts (Persona
	// Insights); nil drops every identification.
	Matcher Matcher
	// HubSpot resolves HubSpot user tokens in the background; nil leaves
	// them unresolved.
	HubSpot *HubSpotResolver
	Metrics *Metrics
	Log     *slog.Logger
	// RatePerClient is the sustained requests per second one client may
	// make (0: no limit); RateBurst how many it may make at once.
	RatePerClient, RateBurst float64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Handler serves POST /collect.
type Handler struct {
	cfg   Config
	sites *siteCache
	bots  *botFilter
	limit *clientip.Limiter
}

// NewHandler returns the collector's HTTP handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Resolver == nil {
		cfg.Resolver = foyer.UnknownResolver{}
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.RateBurst < cfg.RatePerClient {
		cfg.RateBurst = cfg.RatePerClient
	}
	return &Handler{
		cfg:   cfg,
		sites: newSiteCache(cfg.Sites, siteTTL, cfg.Writer.Timeout(), cfg.Now),
		bots:  newBotFilter(),
		limit: clientip.NewLimiter(cfg.RatePerClient, cfg.RateBurst, cfg.Now),
	}
}

// siteTTL bounds how long the collector keeps using a site's settings
// after they changed in storage, when no Forget reached it: another
// collector process, or a change made outside the web app.
const siteTTL = 10 * time.Second

// ForgetSite makes the collector read the site with the key from storage
// on its next request, so that changed settings take effect at once. Other
// collector processes pick the change up within siteTTL (10 seconds).
func (h *Handler) ForgetSite(key string) { h.sites.Forget(key) }

// Ready returns nil when the collector can store batches in time, and
// otherwise EUNAVAILABLE saying why (see Sink.Ready).
func (h *Handler) Ready() error { return h.cfg.Writer.Ready() }

// Values of the headers every answer of the collector carries, shared by
// all: a header's values are only ever replaced or appended to (net/http
// copies them when it writes the answer), never changed in place, and
// sharing them saves an allocation each on every request.
var (
	anyOrigin = []string{"*"}
	jsonType  = []string{"application/json"}
)

// ServeHTTP answers one batch; see docs/collect.md for the protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { h.cfg.Metrics.RequestTime.Observe(time.Since(start).Seconds()) }()
	hdr := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" {
		hdr.Set("Access-Control-Allow-Origin", origin)
		hdr.Add("Vary", "Origin")
	} else {
		hdr["Access-Control-Allow-Origin"] = anyOrigin
	}
	if r.Method == http.MethodOptions {
		hdr.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Content-Type")
		hdr.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodPost {
		hdr.Set("Allow", "POST, OPTIONS")
		h.fail(w, "invalid", http.StatusMethodNotAllowed, foyer.Errorf(foyer.EINVALID, "use POST"))
		return
	}
	n, err := h.serve(r)
	switch {
	case err != nil:
		h.fail(w, reason(err), foyer.ErrorStatus(foyer.ErrorCode(err)), err)
	case n == 0:
		w.WriteHeader(http.StatusNoContent)
	default:
		h.cfg.Metrics.Accepted.Add(float64(n))
		hdr["Content-Type"] = jsonType
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, acceptedBody(n))
	}
}

// acceptedBody is the answer to a batch of which n events were accepted.
func acceptedBody(n int) string {
	if n < len(acceptedBodies) {
		return acceptedBodies[n]
	}
	return formatAccepted(n)
}

// acceptedBodies are the answers to batches of up to MaxEvents events,
// made once rather than on every request.
var acceptedBodies = func() []string {
	b := make([]string, MaxEvents+1)
	for n := range b {
		b[n] = formatAccepted(n)
	}
	return b
}()

func formatAccepted(n int) string { return `{"accepted":` + strconv.Itoa(n) + "}\n" }

// bodies keeps the buffers request bodies are read into, each at most
// MaxBody and a little, for the next request.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// serve handles a POST and returns how many events it stored.
func (h *Handler) serve(r *http.Request) (int, error) {
	ip := h.cfg.ClientIP.From(r)
	if !h.limit.Allow(ip) {
		return 0, foyer.Errorf(foyer.ERATELIMIT, "too many requests; slow down")
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxBody))
	body := buf.Bytes() // parsing copies what it keeps: buf goes back after
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return 0, foyer.Errorf(foyer.ETOOLARGE, "body larger than %d bytes", MaxBody)
		}
		return 0, foyer.Errorf(foyer.EINVALID, "could not read the body")
	}
	if h.bots.IsBot(r.UserAgent()) {
		h.cfg.Metrics.rejectedFor("bot").Inc()
		return 0, nil
	}
	p, err := ParsePayload(body)
	if err != nil {
		return 0, err
	}
	site, err := h.site(r.Context(), p.Site)
	if err != nil {
		return 0, err
	}
	if site.HonorGPC && (r.Header.Get("Sec-GPC") == "1" || r.Header.Get("DNT") == "1") {
		h.cfg.Metrics.rejectedFor("gpc").Inc()
		return 0, nil
	}
	if site.Consent == foyer.ConsentRequired && !p.Consent {
		return 0, &refusal{"consent", foyer.Errorf(foyer.EFORBIDDEN,
			"site %q requires the visitor's consent: send \"consent\": true once the page has called foyer.consent(true)", site.Key)}
	}
	hits, err := BuildHits(site, p, foyer.Origin{}, h.cfg.Now())
	if err != nil {
		return 0, err
	}
	// Identifications are matched here, in memory; those that match no
	// contact who may be tracked leave nothing behind. They count as
	// accepted either way, so that the answer does not tell whether an
	// address is a contact's.
	hits, unmatched := h.identify(r.Context(), site, p, hits)
	hits, n := dropExcluded(site, hits)
	if n > 0 {
		h.cfg.Metrics.rejectedFor("excluded").Add(float64(n))
	}
	if len(hits) == 0 {
		return unmatched, nil
	}
	// Only what is kept needs an origin: a batch of excluded pages asks
	// nothing of the IP data, nor of reverse DNS.
	origin := h.cfg.Resolver.Resolve(ip)
	for i := range hits {
		hits[i].Origin = origin
	}
	if err := h.cfg.Writer.Write(r.Context(), hits); err != nil {
		return 0, err
	}
	return len(hits) + unmatched, nil
}

// site returns the site with the key, from the cache or from storage:
// ENOTFOUND for an unknown key, and EUNAVAILABLE, as for a failed commit,
// when storage fails or does not answer within the commit deadline.
func (h *Handler) site(ctx context.Context, key string) (*foyer.Site, error) {
	site, err := h.sites.Get(ctx, key)
	if foyer.ErrorCode(err) == foyer.EINTERNAL {
		h.cfg.Log.Error("collect: site lookup failed", "err", err)
		return nil, foyer.Errorf(foyer.EUNAVAILABLE, "the site's settings could not be read; try again")
	}
	return site, err
}

// BuildHits validates every event of p against site and turns it into a
// Hit with identifiers stripped. One bad event fails the whole batch.
func BuildHits(site *foyer.Site, p *Payload, origin foyer.Origin, now time.Time) ([]foyer.Hit, error) {
	hits := make([]foyer.Hit, 0, len(p.Events))
	for i, ev := range p.Events {
		hit, err := buildHit(site, p.Visitor, &ev, origin, now)
		if err != nil {
			var fe *foyer.Error
			if errors.As(err, &fe) {
				return nil, foyer.Errorf(fe.Code, "event %d: %s", i, fe.Message)
			}
			return nil, err
		}
		hits = append(hits, hit)
	}
	return hits, nil
}

func buildHit(site *foyer.Site, visitor string, ev *RawEvent, origin foyer.Origin, now time.Time) (foyer.Hit, error) {
	var kind foyer.EventKind
	if ev.Type == "identify" {
		if _, err := identifiersOf(ev); err != nil {
			return foyer.Hit{}, err
		}
		kind = foyer.KindIdentify
	} else {
		var err error
		if kind, err = foyer.ParseEventKind(ev.Type); err != nil {
			return foyer.Hit{}, err
		}
	}
	if ev.URL == "" {
		return foyer.Hit{}, foyer.Errorf(foyer.EINVALID, "field \"url\" is required")
	}
	page, err := cleanPage(ev.URL, site)
	if err != nil {
		return foyer.Hit{}, err
	}
	if !site.AllowsHost(page.host) {
		return foyer.Hit{}, foyer.Errorf(foyer.EFORBIDDEN, "hostname %q is not allowed for site %q", page.host, site.Key)
	}
	hit := foyer.Hit{
		SiteID: site.ID, VisitorUID: visitor, Time: now, Kind: kind,
		Host: page.host, Path: page.path, Origin: origin,
	}
	switch kind {
	case foyer.KindPageview:
		hit.UTM = page.utm
		hit.Title = cleanTitle(ev.Title)
		if refHost, ref := cleanReferrer(ev.Referrer); ref != "" && !site.AllowsHost(refHost) {
			hit.Referrer = ref
		}
	case foyer.KindEngagement:
		if ev.EngagedMS <= 0 || ev.EngagedMS > maxEngagedMS {
			return foyer.Hit{}, foyer.Errorf(foyer.EINVALID, "field \"engaged_ms\": want 1 to %d", maxEngagedMS)
		}
		hit.EngagedMS = ev.EngagedMS
	case foyer.KindOutbound:
		if hit.Target, err = cleanLink(ev.Target, site); err != nil {
			return foyer.Hit{}, err
		}
	}
	return hit, nil
}

// dropExcluded removes the hits on pages the site excludes, matched on
// the path as cleanPath normalised it, without its query string, and
// returns how many it removed.
func dropExcluded(site *foyer.Site, hits []foyer.Hit) ([]foyer.Hit, int) {
	if len(site.ExcludedPaths) == 0 {
		return hits, 0
	}
	kept := hits[:0]
	for _, hit := range hits {
		path, _, _ := strings.Cut(hit.Path, "?")
		if !site.ExcludesPath(path) {
			kept = append(kept, hit)
		}
	}
	return kept, len(hits) - len(kept)
}

// refusal is an error answered like its *foyer.Error but counted in the
// metrics under its own reason.
type refusal struct {
	reason string
	err    *foyer.Error
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

func reason(err error) string {
	var rf *refusal
	if errors.As(err, &rf) {
		return rf.reason
	}
	switch foyer.ErrorCode(err) {
	case foyer.ENOTFOUND:
		return "unknown_site"
	case foyer.EFORBIDDEN:
		return "forbidden"
	case foyer.ETOOLARGE:
		return "too_large"
	case foyer.ERATELIMIT:
		return "rate_limited"
	case foyer.EUNAVAILABLE, foyer.EINTERNAL:
		return "unavailable"
	}
	return "invalid"
}

// retryAfter is the Retry-After of a 503, in seconds: storage that failed
// or stalled is given a few seconds before the client tries again.
const retryAfter = "5"

func (h *Handler) fail(w http.ResponseWriter, reason string, code int, err error) {
	h.cfg.Metrics.rejectedFor(reason).Inc()
	if foyer.ErrorCode(err) == foyer.EINTERNAL {
		// The detail may name a row, never the client: no address goes near errors.
		h.cfg.Log.Error("collect", "err", err)
	}
	switch code {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	}
	httperr.JSONStatus(w, code, err)
}
