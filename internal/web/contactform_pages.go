package web

import (
	"net/http"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
)

// profileForm: GET and POST /forms/{ws}/profile/{token} — the contact's
// own details and its tracking consent: the box ticked accepts, unticked
// refuses (source form).
func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) {
	f, ok := s.openForm(w, r, formlink.Profile)
	if !ok {
		return
	}
	c := f.contact
	d := profileFormView{formLayout: f.layout, Email: c.Email, Accepted: c.Consent.Status == foyer.ConsentAccepted,
		P: foyer.ContactProfile{FirstName: c.FirstName, LastName: c.LastName, Role: c.Role, Phone: c.Phone, Company: c.Company, Language: c.Language}}
	d.Title = d.T.ProfileTitle
	if r.Method == http.MethodGet {
		d.Saved = r.URL.Query().Get("saved") == "1"
		s.renderForm(w, http.StatusOK, "profile", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	field := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	d.P = foyer.ContactProfile{FirstName: field("first_name"), LastName: field("last_name"), Role: field("role"),
		Phone: field("phone"), Company: field("company"), Language: field("language")}
	var change *foyer.ConsentChange
	if r.PostForm.Get("consent_shown") == "1" {
		d.Accepted = r.PostForm.Get("consent") == "yes"
		status := foyer.ConsentRefused
		if d.Accepted {
			status = foyer.ConsentAccepted
		}
		change = &foyer.ConsentChange{Status: status, Source: foyer.SourceForm, Actor: foyer.ActorContact}
	}
	if _, err := s.cfg.Store.UpdateContactProfile(r.Context(), f.link.Workspace, c.ID, d.P, change); err != nil {
		if foyer.ErrorCode(err) == foyer.EINVALID {
			d.Error = foyer.ErrorMessage(err)
			s.renderForm(w, http.StatusBadRequest, "profile", d)
			return
		}
		s.serverError(w, "profile form", err)
		return
	}
	detail := "profile form"
	if change != nil {
		detail += ", consent " + string(change.Status)
	}
	s.auditContact(r, f.link.Workspace, c.ID, foyer.AuditContactUpdated, detail)
	http.Redirect(w, r, f.url("?saved=1"), http.StatusSeeOther)
}

// optOutForm: GET and POST /forms/{ws}/optout/{token} — one button that
// refuses behavioural tracking (source optout-form, or unsubscribe-form
// when reached from the unsubscribe form's confirmation), then the
// confirmation.
func (s *Server) optOutForm(w http.ResponseWriter, r *http.Request) {
	f, ok := s.openForm(w, r, formlink.OptOut)
	if !ok {
		return
	}
	via := r.URL.Query().Get("via")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		r.ParseForm()
		via = r.PostForm.Get("via")
	}
	if via != "unsubscribe" {
		via = ""
	}
	d := optOutFormView{formLayout: f.layout, Via: via, Refused: f.contact.Consent.Status == foyer.ConsentRefused}
	d.Title = d.T.OptOutTitle
	if r.Method == http.MethodGet {
		s.renderForm(w, http.StatusOK, "optout", d)
		return
	}
	source := foyer.SourceOptOutForm
	if via == "unsubscribe" {
		source = foyer.SourceUnsubscribeForm
	}
	if _, _, _, err := s.cfg.Store.RecordConsent(r.Context(), f.link.Workspace, f.contact.ID,
		foyer.ConsentChange{Status: foyer.ConsentRefused, Source: source, Actor: foyer.ActorContact}); err != nil {
		s.serverError(w, "opt-out form", err)
		return
	}
	s.auditContact(r, f.link.Workspace, f.contact.ID, foyer.AuditConsentChanged, "refused, "+string(source))
	http.Redirect(w, r, f.url("/done"), http.StatusSeeOther)
}

// unsubscribeForm: GET and POST /forms/{ws}/unsubscribe/{token} — one
// button that unsubscribes the contact from the workspace's emails.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	f, ok := s.openForm(w, r, formlink.Unsubscribe)
	if !ok {
		return
	}
	ctx := r.Context()
	if r.Method == http.MethodPost {
		if _, err := s.cfg.Store.Unsubscribe(ctx, f.link.Workspace, f.contact.ID); err != nil {
			s.serverError(w, "unsubscribe form", err)
			return
		}
		s.auditContact(r, f.link.Workspace, f.contact.ID, foyer.AuditContactUpdated, "unsubscribed from emails, unsubscribe form")
		http.Redirect(w, r, f.url("/done"), http.StatusSeeOther)
		return
	}
	at, err := s.cfg.Store.Unsubscribed(ctx, f.link.Workspace, f.contact.ID)
	if err != nil {
		s.serverError(w, "unsubscribe form", err)
		return
	}
	d := unsubscribeFormView{formLayout: f.layout, Already: !at.IsZero()}
	d.Title = d.T.UnsubTitle
	s.renderForm(w, http.StatusOK, "unsubscribe", d)
}

// unsubscribeDone: GET /forms/{ws}/unsubscribe/{token}/done — the
// confirmation, which ends with a link to the opt-out form when the
// workspace says so. That link lasts as long as this one.
func (s *Server) unsubscribeDone(w http.ResponseWriter, r *http.Request) {
	f, ok := s.openForm(w, r, formlink.Unsubscribe)
	if !ok {
		return
	}
	ctx := r.Context()
	at, err := s.cfg.Store.Unsubscribed(ctx, f.link.Workspace, f.contact.ID)
	if err != nil {
		s.serverError(w, "unsubscribe form", err)
		return
	}
	if at.IsZero() {
		http.Redirect(w, r, f.url(""), http.StatusSeeOther)
		return
	}
	settings, err := s.cfg.Store.ContactForms(ctx, f.link.Workspace)
	if err != nil {
		s.serverError(w, "unsubscribe form", err)
		return
	}
	d := unsubscribeDoneView{formLayout: f.layout}
	d.Title = d.T.UnsubDoneTitle
	if settings.UnsubscribeOffersOptOut {
		l := f.link
		l.Kind = formlink.OptOut
		d.OptOutURL = formPath(l, s.cfg.FormLinks.Sign(l)) + "?via=unsubscribe"
	}
	s.renderForm(w, http.StatusOK, "unsubscribe-done", d)
}
