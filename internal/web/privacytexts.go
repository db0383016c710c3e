package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/privacytext"
)

// privacyTextsPolicy is pagePolicy with the page's own script, which
// copies a text to the clipboard.
const privacyTextsPolicy = pagePolicy + "; script-src 'self'"

// privacyTextsView is what the privacy texts page shows: the texts in one
// language, each with its Markdown to copy, and what to check in them.
type privacyTextsView struct {
	layout
	Lang     privacytext.Lang
	Langs    []privacytext.Lang
	Sections []privacyTextSection
	Notes    []string
}

// privacyTextSection is one text, rendered and as Markdown.
type privacyTextSection struct {
	ID, Title string
	HTML      template.HTML // escaped by privacytext
	Markdown  string
}

// privacyDoc returns the workspace's texts in the language of the query's
// lang, from its settings now: admins and owners only. ok is false when
// the answer is written.
func (s *Server) privacyDoc(w http.ResponseWriter, r *http.Request, u *foyer.User) (m foyer.Membership, d privacytext.Doc, f privacytext.Facts, ok bool) {
	m, ok = s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return m, d, f, false
	}
	lang, known := privacytext.ParseLang(r.URL.Query().Get("lang"))
	if !known {
		s.notFound(w, u)
		return m, d, f, false
	}
	ctx := r.Context()
	f = privacytext.Facts{Controller: m.WorkspaceName, Require2FA: m.Require2FA}
	var err error
	if f.Sites, err = s.cfg.Store.Sites(ctx, m.WorkspaceID); err == nil {
		if f.Persona, err = s.cfg.Store.PersonaSettings(ctx, m.WorkspaceID); err == nil {
			f.Mode, err = s.cfg.Store.TrackingMode(ctx, m.WorkspaceID)
		}
		if err == nil {
			var ret foyer.Retention
			if ret, err = s.cfg.Store.Retention(ctx, m.WorkspaceID); err == nil {
				f.VisitDays, f.LinkDays = ret.EventDays, ret.LinkDays
			}
		}
	}
	if err != nil {
		s.serverErrorOf(w, "privacy texts", u, err)
		return m, d, f, false
	}
	return m, privacytext.Build(f, lang), f, true
}

// privacyTextsPage shows the texts, to read, copy or download.
func (s *Server) privacyTextsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, doc, f, ok := s.privacyDoc(w, r, u)
	if !ok {
		return
	}
	v := privacyTextsView{layout: layout{Title: "Privacy texts", User: u, Workspace: m}, Lang: doc.Lang, Langs: privacytext.Langs,
		Notes: privacyNotes(f)}
	for _, sec := range doc.Sections {
		v.Sections = append(v.Sections, privacyTextSection{ID: sec.ID, Title: sec.Title,
			HTML: template.HTML(sec.HTML()), Markdown: sec.Markdown()}) // privacytext escapes every text
	}
	w.Header().Set("Content-Security-Policy", privacyTextsPolicy)
	s.render(w, http.StatusOK, "privacytexts", v)
}

// privacyNotes are what an owner should know before publishing the texts.
func privacyNotes(f privacytext.Facts) []string {
	notes := []string{"The texts name the controller by the workspace's name, and leave what Foyer cannot know in [square brackets]: fill these in, and have the texts reviewed by whoever is in charge of your legal texts."}
	if len(f.Sites) == 0 {
		notes = append(notes, "The workspace has no site yet: the texts describe none.")
	}
	for _, s := range f.Sites {
		if s.Consent != foyer.ConsentRequired {
			notes = append(notes, fmt.Sprintf("The site %s tracks without asking for consent: in the European Union, a visitor ID cookie usually needs the visitor's consent. Check that your legal basis allows it.", s.Name))
		}
	}
	if f.VisitDays == 0 {
		notes = append(notes, "No retention period is set for visit records, and the texts say so.")
	}
	if f.Persona.On() && !f.Identifying() {
		notes = append(notes, "Persona Insights is on, but no site uses a way to recognise contacts (forms, email links or HubSpot): the texts leave it out until one does.")
	}
	if f.Persona.Basis == foyer.PersonaConsent && f.Mode != foyer.TrackingOptIn {
		notes = append(notes, "Persona Insights rests on consent while contacts are tracked unless they refuse (opt-out): switch the tracking mode to opt-in so that the texts and the practice agree.")
	}
	return notes
}

// privacyTextsMarkdown downloads the texts as Markdown.
func (s *Server) privacyTextsMarkdown(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	_, doc, _, ok := s.privacyDoc(w, r, u)
	if !ok {
		return
	}
	privacyDownload(w, "text/markdown; charset=utf-8", doc.Lang, "md", doc.Markdown())
}

// privacyTextsHTML downloads the texts as an HTML document.
func (s *Server) privacyTextsHTML(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	_, doc, _, ok := s.privacyDoc(w, r, u)
	if !ok {
		return
	}
	privacyDownload(w, "text/html; charset=utf-8", doc.Lang, "html", doc.Page())
}

func privacyDownload(w http.ResponseWriter, typ string, lang privacytext.Lang, ext, body string) {
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="privacy-texts-%s.%s"`, lang, ext))
	h.Set("Cache-Control", "no-store")
	// Opened by mistake in the browser, the document runs nothing.
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.Write([]byte(body))
}
