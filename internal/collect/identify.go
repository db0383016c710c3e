package collect

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// Matcher finds the contact an identification names (see
// foyer.PersonaService): only one that exists in the workspace and may be
// tracked now, else 0.
type Matcher interface {
	MatchIdentifiers(ctx context.Context, workspaceID int64, ids *foyer.Identifiers) (int64, error)
	MatchCRM(ctx context.Context, workspaceID int64, crmID, email string) (int64, error)
}

// Limits of an identification's fields.
const (
	maxEmail = 254
	maxName  = 100
	maxToken = 200
	maxUTK   = 64
)

// identifiersOf checks an identify event's fields and returns them. Its
// errors never quote a value: they may be a person's.
func identifiersOf(ev *RawEvent) (*foyer.Identifiers, error) {
	via, err := foyer.ParseIdentifyVia(ev.Via)
	if err != nil {
		return nil, err
	}
	ids := &foyer.Identifiers{
		Via:   via,
		Email: strings.TrimSpace(ev.Email), FirstName: strings.TrimSpace(ev.FirstName), LastName: strings.TrimSpace(ev.LastName),
		Token: ev.Token, HubSpotUTK: ev.HubSpotUTK,
	}
	switch {
	case len(ids.Email) > maxEmail || ids.Email != "" && !strings.Contains(ids.Email, "@"):
		return nil, foyer.Errorf(foyer.EINVALID, "field \"email\": want an email address of at most %d bytes", maxEmail)
	case utf8.RuneCountInString(ids.FirstName) > maxName || utf8.RuneCountInString(ids.LastName) > maxName:
		return nil, foyer.Errorf(foyer.EINVALID, "fields \"first_name\" and \"last_name\": at most %d characters each", maxName)
	case ids.Token != "" && !tokenLike(ids.Token, maxToken):
		return nil, foyer.Errorf(foyer.EINVALID, "field \"token\": want 1 to %d characters of A-Z a-z 0-9 - _", maxToken)
	case ids.HubSpotUTK != "" && !tokenLike(ids.HubSpotUTK, maxUTK):
		return nil, foyer.Errorf(foyer.EINVALID, "field \"hubspotutk\": want 1 to %d characters of A-Z a-z 0-9 - _", maxUTK)
	}
	switch via {
	case foyer.ViaForm, foyer.ViaEmailLink:
		if ids.Email == "" {
			return nil, foyer.Errorf(foyer.EINVALID, "field \"email\" is required for via %q", via)
		}
	case foyer.ViaToken:
		if ids.Token == "" {
			return nil, foyer.Errorf(foyer.EINVALID, "field \"token\" is required for via %q", via)
		}
	case foyer.ViaHubSpot:
		if ids.HubSpotUTK == "" {
			return nil, foyer.Errorf(foyer.EINVALID, "field \"hubspotutk\" is required for via %q", via)
		}
	}
	return ids, nil
}

// tokenLike reports whether v is 1 to max characters of A-Z a-z 0-9 - _,
// the alphabet of visitor IDs and tokens.
func tokenLike(v string, max int) bool {
	if len(v) == 0 || len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// allows reports whether the site takes identifications by via.
func allows(site *foyer.Site, via foyer.IdentifyVia) bool {
	switch via {
	case foyer.ViaForm:
		return site.Identify.Forms
	case foyer.ViaEmailLink, foyer.ViaToken:
		return site.Identify.EmailLinks
	case foyer.ViaHubSpot:
		return site.Identify.HubSpot
	}
	return false
}

// identify matches the batch's identify hits (hits[i] is p.Events[i]'s)
// and returns the hits with those that matched a contact, carrying it, and
// without the others, and how many it dropped: those of a source the site
// has off, those that matched no contact who may be tracked, those whose
// lookup failed. The identifiers go nowhere else. An identification with a
// HubSpot user token that nothing else matched is handed to the HubSpot
// resolver, which links the visitor later if HubSpot knows the person.
func (h *Handler) identify(ctx context.Context, site *foyer.Site, p *Payload, hits []foyer.Hit) ([]foyer.Hit, int) {
	kept := hits[:0]
	dropped := 0
	for i, hit := range hits {
		if hit.Kind != foyer.KindIdentify {
			kept = append(kept, hit)
			continue
		}
		ids, _ := identifiersOf(&p.Events[i]) // BuildHits checked them
		path, _, _ := strings.Cut(hit.Path, "?")
		if site.ExcludesPath(path) {
			kept = append(kept, hit) // dropped with the page's other events, as excluded
			continue
		}
		if id := h.match(ctx, site, ids); id != 0 {
			hit.ContactID, hit.Via = id, ids.Via
			kept = append(kept, hit)
			h.cfg.Metrics.Identified.WithLabelValues(ids.Via.String(), "matched").Inc()
			continue
		}
		dropped++
		if ids.HubSpotUTK != "" && site.Identify.HubSpot && h.cfg.HubSpot != nil && h.cfg.Matcher != nil {
			h.cfg.HubSpot.Enqueue(site, hit, ids.HubSpotUTK)
			h.cfg.Metrics.Identified.WithLabelValues(ids.Via.String(), "hubspot").Inc()
			continue
		}
		h.cfg.Metrics.Identified.WithLabelValues(ids.Via.String(), "dropped").Inc()
	}
	// Nothing of the identifiers stays in the batch.
	for i := range p.Events {
		ev := &p.Events[i]
		ev.Email, ev.FirstName, ev.LastName, ev.Token, ev.HubSpotUTK = "", "", "", "", ""
	}
	return kept, dropped
}

// match returns the contact that ids name for the site, or 0.
func (h *Handler) match(ctx context.Context, site *foyer.Site, ids *foyer.Identifiers) int64 {
	if h.cfg.Matcher == nil || !allows(site, ids.Via) || ids.Via == foyer.ViaHubSpot {
		return 0
	}
	// A database that does not answer drops the identification, as an
	// unmatched one, within the sink's deadline.
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Writer.Timeout())
	defer cancel()
	id, err := h.cfg.Matcher.MatchIdentifiers(ctx, site.WorkspaceID, ids)
	if err != nil {
		// The error names no identifier (the store's never do); the
		// page's other events are stored as usual.
		h.cfg.Log.Error("collect: identification lookup failed", "err", err)
		return 0
	}
	return id
}
