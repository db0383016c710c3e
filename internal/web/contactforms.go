package web

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
)

// The hosted contact forms: pages a contact reaches from a signed link
// (internal/formlink) in the workspace's emails, without signing in, in
// the contact's language, with no script. Each submission is recorded
// with its source and the actor foyer.ActorContact.

//go:embed templates/forms/*.html
var formTemplateFiles embed.FS

// formLayout is what every page of the hosted forms has.
type formLayout struct {
	Lang      string // "en" or "fr"
	T         *formText
	Workspace string // its name; "" on the page of a link that names none we trust
	Logo      string // the address of its logo, "" when it has none
	Title     string
}

// profileFormView is the profile and opt-in form.
type profileFormView struct {
	formLayout
	Email    string
	P        foyer.ContactProfile
	Accepted bool // the consent box is ticked
	Saved    bool
	Error    string
}

// optOutFormView is the behavioural-tracking opt-out form.
type optOutFormView struct {
	formLayout
	Via     string // "unsubscribe" when reached from the unsubscribe form's confirmation
	Refused bool   // the contact has refused already
}

// siteHop is one site of the opt-out's hop through the browser.
type siteHop struct {
	Host, URL string
}

// optOutDoneView confirms the opt-out and offers the browser's hop.
type optOutDoneView struct {
	formLayout
	Hops   []siteHop
	AllURL string // the first hop, which goes on to the others
}

// browserDoneView ends the browser's hop through the sites.
type browserDoneView struct {
	formLayout
	Hosts []string // where the hop has been
}

// unsubscribeFormView is the unsubscribe form.
type unsubscribeFormView struct {
	formLayout
	Already bool
}

// unsubscribeDoneView confirms an unsubscription.
type unsubscribeDoneView struct {
	formLayout
	OptOutURL string // the opt-out form, when the workspace offers it
}

// linkErrorView says why a link does not work.
type linkErrorView struct {
	formLayout
	Text string
}

// formPageTemplates are the pages of the hosted forms, parsed once.
var formPageTemplates = parseFormPages(map[string]any{
	"profile": profileFormView{}, "optout": optOutFormView{}, "optout-done": optOutDoneView{},
	"browser-done": browserDoneView{}, "unsubscribe": unsubscribeFormView{}, "unsubscribe-done": unsubscribeDoneView{},
	"link-error": linkErrorView{},
})

func parseFormPages(views map[string]any) map[string]pageTemplate {
	return parseTemplates(views, formTemplateFiles, nil, "templates/forms/layout.html", "templates/forms/%s.html")
}

// renderForm writes a page of the hosted forms, as render does, and asks
// search engines not to index it.
func (s *Server) renderForm(w http.ResponseWriter, status int, name string, view any) {
	w.Header().Set("X-Robots-Tag", "noindex")
	s.renderOf(w, status, formPageTemplates, name, view)
}

// hostedForm is a request of a hosted form whose link verified.
type hostedForm struct {
	link    formlink.Link
	token   string
	contact *foyer.Contact
	layout  formLayout
}

// url is the address of the form's page at suffix ("" for the form).
func (f *hostedForm) url(suffix string) string {
	return fmt.Sprintf("/forms/%d/%s/%s%s", f.link.Workspace, f.link.Kind, f.token, suffix)
}

// openForm verifies the request's link for a form of kind, in the
// workspace its path names, and loads the contact and its workspace. When
// the link does not work it answers the error page (410 expired, 403
// another workspace's, 404 otherwise), and reports false.
func (s *Server) openForm(w http.ResponseWriter, r *http.Request, kind formlink.Kind) (*hostedForm, bool) {
	token := r.PathValue("token")
	ws, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	if err != nil || ws < 1 {
		s.linkError(w, r, formlink.ErrMalformed, nil)
		return nil, false
	}
	l, err := s.cfg.FormLinks.Verify(token, ws, kind, s.now())
	if errors.Is(err, formlink.ErrExpired) {
		// The link is genuine: its workspace's name and its contact's
		// language are to be trusted, if they are still there.
		s.linkError(w, r, err, &l)
		return nil, false
	}
	if err != nil {
		s.linkError(w, r, err, nil)
		return nil, false
	}
	return s.loadForm(w, r, l, token)
}

// loadForm loads the contact and the workspace of a verified link; a
// contact deleted since gets the error page of a link that does not work.
func (s *Server) loadForm(w http.ResponseWriter, r *http.Request, l formlink.Link, token string) (*hostedForm, bool) {
	ctx := r.Context()
	c, err := s.cfg.Store.Contact(ctx, l.Workspace, l.Contact)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.linkError(w, r, formlink.ErrForged, nil)
		return nil, false
	}
	if err != nil {
		s.serverError(w, "contact form", err)
		return nil, false
	}
	wsp, err := s.cfg.Store.WorkspaceByID(ctx, l.Workspace)
	if err != nil {
		s.serverError(w, "contact form", err)
		return nil, false
	}
	settings, err := s.cfg.Store.ContactForms(ctx, l.Workspace)
	if err != nil {
		s.serverError(w, "contact form", err)
		return nil, false
	}
	lang := formLanguage(c.Language, r)
	f := &hostedForm{link: l, token: token, contact: c, layout: formLayout{Lang: lang, T: formTexts[lang], Workspace: wsp.Name}}
	if settings.HasLogo {
		f.layout.Logo = fmt.Sprintf("/forms/logo/%d", l.Workspace)
	}
	return f, true
}

// linkError answers a link that does not work, saying why in the
// browser's language, or the contact's when the link is genuine but
// expired (expired, then, is what it names).
func (s *Server) linkError(w http.ResponseWriter, r *http.Request, err error, expired *formlink.Link) {
	lang := formLanguage("", r)
	d := linkErrorView{}
	status := http.StatusNotFound
	if errors.Is(err, formlink.ErrOtherWorkspace) {
		status = http.StatusForbidden
	}
	if expired != nil {
		status = http.StatusGone
		ctx := r.Context()
		if c, err := s.cfg.Store.Contact(ctx, expired.Workspace, expired.Contact); err == nil {
			lang = formLanguage(c.Language, r)
		}
		if wsp, err := s.cfg.Store.WorkspaceByID(ctx, expired.Workspace); err == nil {
			d.Workspace = wsp.Name
		}
		if f, err := s.cfg.Store.ContactForms(ctx, expired.Workspace); err == nil && f.HasLogo {
			d.Logo = fmt.Sprintf("/forms/logo/%d", expired.Workspace)
		}
	}
	d.Lang, d.T = lang, formTexts[lang]
	if expired != nil {
		d.Title, d.Text = d.T.ExpiredTitle, fmt.Sprintf(d.T.ExpiredText, d.Workspace)
	} else {
		d.Title, d.Text = d.T.InvalidTitle, d.T.InvalidText
	}
	s.renderForm(w, status, "link-error", d)
}
