package web

import (
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/contactexport"
)

// apiConsentEntry is an entry of a contact's consent history.
type apiConsentEntry struct {
	ID       int64      `json:"id"`
	At       time.Time  `json:"at"`        // when Foyer received the change
	StatusAt *time.Time `json:"status_at"` // the date the change gave; null when none
	Action   string     `json:"action"`
	Source   string     `json:"source"`
	Actor    string     `json:"actor"`
	Reason   string     `json:"reason"`
	Applied  bool       `json:"applied"`
	Why      string     `json:"why"`
}

// apiGetConsent: GET /api/v1/contacts/{id}/consent — the contact's status,
// its date, whether it may be tracked now, and its whole history, oldest
// first; with ?format=csv or ndjson, the history as a file.
func (s *Server) apiGetConsent(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	var format contactexport.Format
	if v, ok := r.URL.Query()["format"]; ok {
		if format, err = contactexport.ParseFormat(v[0]); err != nil {
			apiError(w, err)
			return
		}
	}
	ctx := r.Context()
	c, err := s.cfg.Store.Contact(ctx, t.WorkspaceID, id)
	if err != nil {
		s.apiFail(w, "api consent", err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditContactViewed, "contact", idOf(id), "consent history through the API") {
		return
	}
	history, err := s.cfg.Store.ConsentHistory(ctx, t.WorkspaceID, id)
	if err != nil {
		s.apiFail(w, "api consent", err)
		return
	}
	if format != "" {
		exportHeaders(w, format, fmt.Sprintf("consent-contact-%d", id))
		hw, err := contactexport.NewHistoryWriter(w, format)
		for i := 0; err == nil && i < len(history); i++ {
			err = hw.Write(history[i])
		}
		if err == nil {
			err = hw.Flush()
		}
		if err != nil {
			s.cfg.Log.Error("api consent export", "err", err) // the header is out: the cut file shows it
		}
		return
	}
	mode, err := s.cfg.Store.TrackingMode(ctx, t.WorkspaceID)
	if err != nil {
		s.apiFail(w, "api consent", err)
		return
	}
	out := struct {
		Status   string            `json:"status"`
		At       *time.Time        `json:"at"`
		MayTrack bool              `json:"may_track"`
		Mode     string            `json:"tracking_mode"`
		History  []apiConsentEntry `json:"history"`
	}{Status: contactexport.StatusName(c.Consent.Status), At: optTime(c.Consent.At), MayTrack: foyer.MayTrack(mode, c.Consent),
		Mode: string(modeOrDefault(mode)), History: []apiConsentEntry{}}
	for _, e := range history {
		out.History = append(out.History, apiConsentEntry{ID: e.ID, At: e.At.UTC(), StatusAt: optTime(e.StatusAt),
			Action: string(e.Action), Source: string(e.Source), Actor: e.Actor, Reason: e.Reason, Applied: e.Applied, Why: e.Why})
	}
	apiJSON(w, out)
}

func modeOrDefault(m foyer.TrackingMode) foyer.TrackingMode {
	if m == "" {
		return foyer.TrackingOptOut
	}
	return m
}

// exportHeaders starts a file answer.
func exportHeaders(w http.ResponseWriter, f contactexport.Format, name string) {
	ext := "csv"
	if f == contactexport.NDJSON {
		ext = "ndjson"
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, ext))
	h.Set("Cache-Control", "no-store")
}

// apiPostConsent: POST /api/v1/contacts/{id}/consent — a consent change
// dated by the caller, applied by the precedence rules (foyer.ApplyConsent)
// and recorded in the history either way; it answers the resulting status,
// whether the change was applied, and why.
func (s *Server) apiPostConsent(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	b, ok := writeBody(w, r, t, maxBodyBytes)
	if !ok {
		return
	}
	var in struct {
		Status *string `json:"status"`
		At     *string `json:"at"`
		Source *string `json:"source"`
		Reason string  `json:"reason"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	change, err := consentChangeOf(in.Status, in.At, in.Source, in.Reason, tokenActor(t))
	if err != nil {
		apiError(w, err)
		return
	}
	ctx := r.Context()
	next, applied, why, err := s.cfg.Store.RecordConsent(ctx, t.WorkspaceID, id, change)
	if err != nil {
		s.apiFail(w, "api post consent", err)
		return
	}
	s.auditToken(r, t, foyer.AuditConsentChanged, "contact", idOf(id), fmt.Sprintf("%s (applied: %v)", change.Status, applied))
	mode, err := s.cfg.Store.TrackingMode(ctx, t.WorkspaceID)
	if err != nil {
		s.apiFail(w, "api post consent", err)
		return
	}
	apiJSON(w, struct {
		consentOutcome
		MayTrack bool `json:"may_track"`
	}{outcomeOf(next, applied, why), foyer.MayTrack(mode, next)})
}

// consentChangeOf checks a consent change's fields as sent.
func consentChangeOf(status, at, source *string, reason, actor string) (foyer.ConsentChange, error) {
	if status == nil {
		return foyer.ConsentChange{}, foyer.Errorf(foyer.EINVALID, "status: required, accepted or refused")
	}
	st, err := parseStatus(*status)
	if err != nil {
		return foyer.ConsentChange{}, err
	}
	if st == foyer.ConsentUnanswered {
		return foyer.ConsentChange{}, foyer.Errorf(foyer.EINVALID, "status unanswered: an API token cannot clear a status, only an administrator or a data-subject request can")
	}
	if source != nil && *source != string(foyer.SourceAPI) {
		return foyer.ConsentChange{}, foyer.Errorf(foyer.EINVALID, "source %q: a change through the API has the source api", *source)
	}
	when, err := parseConsentAt(deref(at))
	if err != nil {
		return foyer.ConsentChange{}, err
	}
	if len(reason) > foyer.MaxContactField || !utf8.ValidString(reason) {
		return foyer.ConsentChange{}, foyer.Errorf(foyer.EINVALID, "reason: at most %d bytes of UTF-8", foyer.MaxContactField)
	}
	return foyer.ConsentChange{Status: st, At: when, Source: foyer.SourceAPI, Actor: actor, Reason: reason}, nil
}

// apiConsentHistory: GET /api/v1/consent/history?format=csv|ndjson — the
// workspace's whole consent history as a file, oldest first, with the
// switches of its tracking mode and each entry's hashes, streamed.
func (s *Server) apiConsentHistory(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	format, err := contactexport.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		apiError(w, err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditExport, "export", "consent", "consent history through the API") {
		return
	}
	exportHeaders(w, format, "consent-history")
	if _, err := contactexport.History(r.Context(), s.cfg.Store, t.WorkspaceID, w, format); err != nil {
		s.cfg.Log.Error("api consent history export", "err", err) // the header is out: the cut file shows it
	}
}
