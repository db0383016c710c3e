package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/foyerhq/foyer"
)

// The click redirect (/c/{token}) and the open pixel (/o/{token}) of the
// campaigns' messages. A token is looked up by its hash in one indexed
// query; the open or click is handed to the batching writer
// (internal/emailtrack), or written at once when the server has none.
// An unknown, forged or truncated token, or a link's token on /o and the
// pixel's on /c, is answered 404 with no Location: the redirect only ever
// goes to the URL stored with the campaign's link.

// EmailEventRecorder takes opens and clicks to write (emailtrack.Writer).
type EmailEventRecorder interface {
	Record(ctx context.Context, e foyer.EmailEvent) error
}

// emailTokenLen is the length of a campaign token: 24 bytes, base64url.
const emailTokenLen = 32

// transparentGIF is a 1×1 transparent GIF.
var transparentGIF = []byte{
	'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
	0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
}

// mountEmailTracking adds the redirect's and the pixel's routes.
func (s *Server) mountEmailTracking() {
	s.mux.HandleFunc("GET /c/{token}", s.emailClick) // GET also answers HEAD
	s.mux.HandleFunc("GET /o/{token}", s.emailOpen)
}

// emailToken reads the path's token; nil after answering 404.
func (s *Server) emailToken(w http.ResponseWriter, r *http.Request, kind foyer.EmailHitKind) *foyer.EmailToken {
	tok := r.PathValue("token")
	if !wellFormedToken(tok) {
		trackNotFound(w)
		return nil
	}
	key, now := tokenKey(tok), s.now()
	t, cached := s.tokens.get(key, now)
	var err error
	if !cached {
		if t, err = s.cfg.Store.EmailToken(r.Context(), tok); err == nil {
			s.tokens.put(key, t, now)
		}
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		trackNotFound(w)
		return nil
	case err != nil:
		s.cfg.Log.Error("email token", "err", err)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Foyer could not read the link. Try again in a moment.", http.StatusInternalServerError)
		return nil
	case (kind == foyer.HitOpen) != (t.LinkID == 0):
		trackNotFound(w)
		return nil
	}
	return t
}

// wellFormedToken reports whether tok could be a campaign token: 32
// characters of the base64url alphabet.
func wellFormedToken(tok string) bool {
	if len(tok) != emailTokenLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func trackNotFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte("This link is not known here.\n"))
}

// recordHit hands the open or click to the writer; machine says why it is
// taken for a scanner's ("" for a person's).
func (s *Server) recordHit(r *http.Request, t *foyer.EmailToken, kind foyer.EmailHitKind) string {
	now := s.now()
	machine := s.detector.Machine(r.Method, r.UserAgent(), s.cfg.ClientIP.From(r), kind, t.SentAt, now)
	e := foyer.EmailEvent{WorkspaceID: t.WorkspaceID, CampaignID: t.CampaignID, RecipientID: t.RecipientID, LinkID: t.LinkID,
		Kind: kind, At: now, Machine: machine, Links: t.Links}
	var err error
	if s.cfg.EmailEvents != nil {
		err = s.cfg.EmailEvents.Record(r.Context(), e)
	} else {
		err = s.cfg.Store.RecordEmailEvents(r.Context(), []foyer.EmailEvent{e})
	}
	if err != nil {
		s.cfg.Log.Error("email event not recorded", "kind", string(kind), "err", err)
	}
	return machine
}

// emailClick: GET|HEAD /c/{token} — 302 to the link's stored URL.
func (s *Server) emailClick(w http.ResponseWriter, r *http.Request) {
	t := s.emailToken(w, r, foyer.HitClick)
	if t == nil {
		return
	}
	machine := s.recordHit(r, t, foyer.HitClick)
	target := t.URL
	if machine == "" && t.Linkable {
		target = s.identifiedLanding(r, t)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Location", target)
	w.WriteHeader(http.StatusFound)
}

// identifiedLanding is the link's URL with a contact token (fy_t) when it
// goes to a site of the workspace that links visits from email links;
// else the URL as it is. A token that cannot be made leaves the URL as is.
func (s *Server) identifiedLanding(r *http.Request, t *foyer.EmailToken) string {
	u, err := url.Parse(t.URL)
	if err != nil {
		return t.URL
	}
	sites, err := s.cfg.Store.Sites(r.Context(), t.WorkspaceID)
	if err != nil {
		s.cfg.Log.Error("email click: sites", "err", err)
		return t.URL
	}
	host := strings.ToLower(u.Hostname())
	for _, site := range sites {
		if !site.Identify.EmailLinks || !site.AllowsHost(host) {
			continue
		}
		// Afresh: the contact may have refused since the token was cached.
		now, err := s.cfg.Store.EmailToken(r.Context(), r.PathValue("token"))
		if err != nil || !now.Linkable {
			return t.URL
		}
		ct, err := s.cfg.Store.CreateContactToken(r.Context(), now.WorkspaceID, now.ContactID, 0, fmt.Sprintf("campaign %d", now.CampaignID))
		if err != nil {
			s.cfg.Log.Error("email click: contact token", "err", err)
			return t.URL
		}
		return withParam(t.URL, "fy_t", ct.Token)
	}
	return t.URL
}

// emailOpen: GET|HEAD /o/{token} — the 1×1 transparent GIF, never cached.
func (s *Server) emailOpen(w http.ResponseWriter, r *http.Request) {
	t := s.emailToken(w, r, foyer.HitOpen)
	if t == nil {
		return
	}
	s.recordHit(r, t, foyer.HitOpen)
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("Content-Length", fmt.Sprint(len(transparentGIF)))
	w.Write(transparentGIF)
}

// withParam adds name=value to the query of the URL raw, before its
// fragment, leaving the rest of it as it was written.
func withParam(raw, name, value string) string {
	base, frag, hasFrag := strings.Cut(raw, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	out := base + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if hasFrag {
		out += "#" + frag
	}
	return out
}
