package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// contactsPerPage is how many contacts a page of the list shows.
const contactsPerPage = 50

// contactRow is a contact as the list shows it.
type contactRow struct {
	*foyer.Contact
	Name     string
	MayTrack bool
}

// contactsView is what the contact list shows.
type contactsView struct {
	layout
	Query    string
	Consent  string // accepted, refused, unanswered or "" for all
	Review   bool   // only the contacts flagged for review
	Contacts []contactRow
	Page     int // from 1
	Prev     string
	Next     string
	Mode     foyer.TrackingMode
	CanEdit  bool // analysts and above
	Searched bool
}

// contactView is what a contact's profile shows.
type contactView struct {
	layout
	Contact *foyer.Contact
	// PriorErasure is the latest erasure of a contact with the same email
	// before this one was created, nil when none.
	PriorErasure *foyer.Erasure
	// Requests are its data-subject requests, for those who handle them
	// (CanHandleRequests), who record them as RequestKinds, due
	// RequestDays after they come.
	Requests          []requestLine
	CanHandleRequests bool
	RequestKinds      []foyer.RequestKind
	RequestDays       int64
	Name              string
	CompanyName       string // the linked Foyer company's name
	Attrs             []attrPair
	AttrsText         string // the attributes as the edit form shows them
	Mode              foyer.TrackingMode
	MayTrack          bool
	History           []foyer.ConsentEntry
	Changes           []foyer.ContactChange
	Chain             chainStatus
	CanEdit           bool // analysts and above
	CanDelete         bool // admins and owners
	CanClear          bool // admins and owners: clearing a status
	Form              contactForm
	// Unsubscribed is when the contact unsubscribed from the workspace's
	// emails through its hosted form; zero when it has not.
	Unsubscribed time.Time
	// Visits are the contact's identified visits (Persona Insights).
	Visits contactVisits
	// Campaigns are the campaigns sent to a tracked contact; for one that
	// may not be tracked, NotTargeted lists the workspace's latest
	// campaigns instead, each shown as "not targeted", with no trace of a
	// send.
	Campaigns   []foyer.ContactCampaign
	NotTargeted []*foyer.Campaign
	// RulesScore is its score by the workspace's scoring rules, in whole
	// points; Segments the segments it is in.
	RulesScore int64
	Segments   []*foyer.Segment
}

type attrPair struct{ Key, Value string }

// contactForm is a contact's form as submitted, to show again with an error.
type contactForm struct {
	Email, FirstName, LastName, Role, Phone, Company, Language, CRMID, Attrs, Consent string
}

// newContactView is what the page to add a contact shows.
type newContactView struct {
	layout
	Form contactForm
}

// contactName is how pages name a contact: its names, else its email.
func contactName(c *foyer.Contact) string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Email
}

// contactsPath is the address of the workspace's contact list.
func contactsPath(workspaceID int64) string { return fmt.Sprintf("/app/w/%d/contacts", workspaceID) }

// contactPath is the address of a contact's profile.
func contactPath(workspaceID, contactID int64) string {
	return fmt.Sprintf("/app/w/%d/contacts/%d", workspaceID, contactID)
}

// actorOf names a user as the author of a change.
func actorOf(u *foyer.User) string { return fmt.Sprintf("user %d (%s)", u.ID, u.Email) }

// consentFilter reads the list's consent filter: nil for all.
func consentFilter(v string) (*foyer.ConsentStatus, bool) {
	if v == "" {
		return nil, true
	}
	st, err := parseStatus(v) // as the API reads it
	if err != nil {
		return nil, false
	}
	return &st, true
}

func (s *Server) contactsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := contactsView{Query: strings.TrimSpace(q.Get("q")), Consent: q.Get("consent"), Review: q.Get("review") == "1",
		Page: 1, CanEdit: m.Role.AtLeast(foyer.RoleAnalyst)}
	d.layout = layout{Title: "Contacts", User: u, Workspace: m, Notice: noticeOf(r)}
	status, ok := consentFilter(d.Consent)
	if !ok {
		d.Error, d.Consent = fmt.Sprintf("%q is not a consent status: showing every contact.", q.Get("consent")), ""
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 && p <= 100000 {
		d.Page = p
	}
	var err error
	if d.Mode, err = s.cfg.Store.TrackingMode(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "contacts", u, err)
		return
	}
	// One more than a page tells whether there is a next one.
	list, err := s.cfg.Store.SearchContacts(r.Context(), m.WorkspaceID, foyer.ContactQuery{
		Text: d.Query, Consent: status, Review: d.Review, Limit: contactsPerPage + 1, Offset: (d.Page - 1) * contactsPerPage})
	if err != nil {
		s.serverErrorOf(w, "contacts", u, err)
		return
	}
	more := len(list) > contactsPerPage
	for _, c := range list[:min(len(list), contactsPerPage)] {
		d.Contacts = append(d.Contacts, contactRow{Contact: c, Name: contactName(c), MayTrack: foyer.MayTrack(d.Mode, c.Consent)})
	}
	d.Searched = d.Query != "" || status != nil || d.Review
	page := func(n int) string {
		v := url.Values{}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if d.Consent != "" {
			v.Set("consent", d.Consent)
		}
		if d.Review {
			v.Set("review", "1")
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return contactsPath(m.WorkspaceID)
		}
		return contactsPath(m.WorkspaceID) + "?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = page(d.Page - 1)
	}
	if more {
		d.Next = page(d.Page + 1)
	}
	s.render(w, http.StatusOK, "contacts", d)
}

// contactOfPath is the workspace of the request's path, with the caller's
// role at least min, and its contact of the path (404 for another
// workspace's, as for none); ok is false when the answer was written.
func (s *Server) contactOfPath(w http.ResponseWriter, r *http.Request, u *foyer.User, min foyer.Role) (foyer.Membership, *foyer.Contact, bool) {
	m, ok := s.workspaceRole(w, r, u, min)
	if !ok {
		return m, nil, false
	}
	var c *foyer.Contact
	id, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err == nil {
		c, err = s.cfg.Store.Contact(r.Context(), m.WorkspaceID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no contact %q", r.PathValue("contact"))
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return m, nil, false
	case err != nil:
		s.serverErrorOf(w, "contact", u, err)
		return m, nil, false
	}
	return m, c, true
}

func (s *Server) contactPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, contactReader)
	if !ok || !s.auditRead(w, r, u, m.WorkspaceID, foyer.AuditContactViewed, "contact", idOf(c.ID), "") {
		return
	}
	s.renderContact(w, r, u, m, c, http.StatusOK, "", contactFormOf(c))
}

// contactFormOf is a contact's edit form, filled in.
func contactFormOf(c *foyer.Contact) contactForm {
	return contactForm{Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Role: c.Role, Phone: c.Phone,
		Company: c.Company, Language: c.Language, CRMID: c.CRMID, Attrs: attrsText(c.Attrs)}
}

// attrsText writes attributes one "name = value" a line, in name order.
func attrsText(attrs map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(attrs) {
		fmt.Fprintf(&b, "%s = %s\n", k, attrs[k])
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, c *foyer.Contact, status int, errMsg string, form contactForm) {
	ctx := r.Context()
	d := contactView{Contact: c, Name: contactName(c), Form: form,
		CanEdit: m.Role.AtLeast(foyer.RoleAnalyst), CanDelete: m.Role.AtLeast(foyer.RoleAdmin), CanClear: m.Role.AtLeast(foyer.RoleAdmin)}
	d.layout = layout{Title: d.Name, User: u, Workspace: m, Error: errMsg, Notice: noticeOf(r)}
	for _, k := range sortedKeys(c.Attrs) {
		d.Attrs = append(d.Attrs, attrPair{k, c.Attrs[k]})
	}
	var err error
	if d.Mode, err = s.cfg.Store.TrackingMode(ctx, m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	d.MayTrack = foyer.MayTrack(d.Mode, c.Consent)
	milli, err := s.cfg.Store.ScoreOf(ctx, m.WorkspaceID, foyer.TargetContact, c.ID)
	if err == nil {
		d.RulesScore = foyer.ScoreEntry{Milli: milli}.Points()
		d.Segments, err = s.cfg.Store.ContactSegments(ctx, m.WorkspaceID, c.ID)
	}
	if err != nil {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	if d.PriorErasure, err = s.cfg.Store.PriorErasure(ctx, m.WorkspaceID, c.ID); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	if d.CanHandleRequests = m.Role.AtLeast(requestHandler); d.CanHandleRequests {
		list, err := s.cfg.Store.SubjectRequests(ctx, m.WorkspaceID, foyer.RequestQuery{ContactID: c.ID})
		var days int
		if err == nil {
			days, err = s.cfg.Store.RequestDays(ctx, m.WorkspaceID)
		}
		d.RequestDays = int64(days)
		if err != nil {
			s.serverErrorOf(w, "contact", u, err)
			return
		}
		d.Requests, d.RequestKinds = s.requestLines(ctx, m.WorkspaceID, list), foyer.RequestKinds
	}
	if c.CompanyID != 0 {
		if co, err := s.cfg.Store.Company(ctx, m.WorkspaceID, c.CompanyID); err == nil {
			d.CompanyName = co.Name
		}
	}
	if d.History, err = s.cfg.Store.ConsentHistory(ctx, m.WorkspaceID, c.ID); err != nil {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	slices.Reverse(d.History) // newest first
	if d.Changes, err = s.cfg.Store.ContactChanges(ctx, m.WorkspaceID, c.ID, 20); err != nil {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	if d.Unsubscribed, err = s.cfg.Store.Unsubscribed(ctx, m.WorkspaceID, c.ID); err != nil {
		s.serverErrorOf(w, "contact", u, err)
		return
	}
	if d.Visits, err = s.contactVisitsOf(r, m, c, d.layout); err != nil {
		s.serverErrorOf(w, "contact visits", u, err)
		return
	}
	if err := s.contactCampaignsOf(r, m, c, &d); err != nil {
		s.serverErrorOf(w, "contact campaigns", u, err)
		return
	}
	d.Chain = s.chains.status(s.cfg.Store, s.cfg.Log, m.WorkspaceID, chainCacheLife)
	s.render(w, status, "contact", d)
}

// readContactForm reads a contact's form into c; the attributes come one
// "name = value" a line.
func readContactForm(r *http.Request, c *foyer.Contact) (contactForm, error) {
	f := contactForm{Email: r.PostFormValue("email"), FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Role: r.PostFormValue("role"), Phone: r.PostFormValue("phone"), Company: r.PostFormValue("company"),
		Language: r.PostFormValue("language"), CRMID: r.PostFormValue("crm_id"), Attrs: r.PostFormValue("attrs"), Consent: r.PostFormValue("consent")}
	c.Email, c.FirstName, c.LastName = f.Email, strings.TrimSpace(f.FirstName), strings.TrimSpace(f.LastName)
	c.Role, c.Phone, c.Company = strings.TrimSpace(f.Role), strings.TrimSpace(f.Phone), strings.TrimSpace(f.Company)
	c.Language, c.CRMID = f.Language, strings.TrimSpace(f.CRMID)
	c.Attrs = nil
	for i, line := range strings.Split(f.Attrs, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return f, foyer.Errorf(foyer.EINVALID, "attributes, line %d: write each as name = value", i+1)
		}
		if c.Attrs == nil {
			c.Attrs = map[string]string{}
		}
		c.Attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return f, nil
}

func (s *Server) newContactPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "contactnew", newContactView{layout: layout{Title: "Add a contact", User: u, Workspace: m}})
}

// createContact adds a contact by hand: analysts and above. A status given
// here is recorded in the history as the user's (source admin).
func (s *Server) createContact(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 512<<10)
	c := &foyer.Contact{WorkspaceID: m.WorkspaceID}
	f, err := readContactForm(r, c)
	if err == nil {
		switch f.Consent {
		case "accepted", "refused":
			c.Consent = foyer.ConsentState{Status: foyer.ConsentStatus(f.Consent)}
		case "":
		default:
			err = foyer.Errorf(foyer.EINVALID, "%q is not a consent status", f.Consent)
		}
	}
	if err == nil {
		err = s.cfg.Store.CreateContact(r.Context(), c, actorOf(u))
	}
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactCreated, "contact", idOf(c.ID), "")
		done(w, r, contactPath(m.WorkspaceID, c.ID), "contact-added")
	case foyer.EINVALID, foyer.ECONFLICT:
		s.render(w, formStatus(err), "contactnew", newContactView{
			layout: layout{Title: "Add a contact", User: u, Workspace: m, Error: "Not saved: " + foyer.ErrorMessage(err)}, Form: f})
	default:
		s.serverErrorOf(w, "contact", u, err)
	}
}

// updateContact saves a contact's edit form: analysts and above.
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 512<<10)
	edit := *c
	f, err := readContactForm(r, &edit)
	if err == nil {
		err = s.cfg.Store.UpdateContact(r.Context(), &edit, actorOf(u))
	}
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactUpdated, "contact", idOf(c.ID), "")
		done(w, r, contactPath(m.WorkspaceID, c.ID), "contact-saved")
	case foyer.EINVALID, foyer.ECONFLICT:
		s.renderContact(w, r, u, m, c, formStatus(err), "Not saved: "+foyer.ErrorMessage(err), f)
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "contact", u, err)
	}
}

// setContactConsent records a user's change of a contact's status (source
// admin): analysts and above give accepted or refused, admins and owners
// may clear it.
func (s *Server) setContactConsent(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	in := foyer.ConsentChange{Source: foyer.SourceAdmin, Actor: actorOf(u), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	var err error
	switch v := r.PostFormValue("status"); v {
	case "accepted", "refused":
		in.Status = foyer.ConsentStatus(v)
	case "cleared":
		if !m.Role.AtLeast(foyer.RoleAdmin) {
			s.forbidden(w, u)
			return
		}
		in.Status = foyer.ConsentUnanswered
	default:
		err = foyer.Errorf(foyer.EINVALID, "choose accepted, refused or cleared, not %q", v)
	}
	if err == nil && len(in.Reason) > 1000 {
		err = foyer.Errorf(foyer.EINVALID, "the reason is over 1,000 bytes")
	}
	applied := false
	if err == nil {
		_, applied, _, err = s.cfg.Store.RecordConsent(r.Context(), m.WorkspaceID, c.ID, in)
	}
	if err == nil {
		s.audit(r, u, m.WorkspaceID, foyer.AuditConsentChanged, "contact", idOf(c.ID), fmt.Sprintf("%s (applied: %v)", in.Status, applied))
	}
	switch {
	case err == nil && applied:
		done(w, r, contactPath(m.WorkspaceID, c.ID), "consent-saved")
	case err == nil:
		done(w, r, contactPath(m.WorkspaceID, c.ID), "consent-not-applied")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderContact(w, r, u, m, c, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err), contactFormOf(c))
	default:
		s.serverErrorOf(w, "contact consent", u, err)
	}
}

// deleteContact erases a contact: admins and owners. Its consent history
// stays, as the proof of what it chose, and the erasure ledger records it.
func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	err := s.cfg.Store.DeleteContact(r.Context(), m.WorkspaceID, c.ID, actorOf(u))
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactDeleted, "contact", idOf(c.ID), "")
		done(w, r, contactsPath(m.WorkspaceID), "contact-deleted")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "contact", u, err)
	}
}

// chainStatus is whether a workspace's consent history verifies, as of
// At; with Pending, no verification has ended yet (one runs).
type chainStatus struct {
	OK      bool
	Break   *foyer.ChainBreak
	At      time.Time
	Pending bool
	Running bool // a newer verification runs
}

// chainCache keeps each workspace's last verification. A verification
// reads the whole history (about 2.5 s for 500,000 entries), too long
// for a page to wait on: it runs in the background, one at a time for a
// workspace, and a page waits a moment for it, else shows the last
// result and says that a newer one runs.
type chainCache struct {
	mu      sync.Mutex
	by      map[int64]chainStatus
	running map[int64]chan struct{}
}

// chainCacheLife is how old a verification a profile shows may be.
const chainCacheLife = 10 * time.Minute

// chainWait is how long a page waits for a verification it started.
const chainWait = 300 * time.Millisecond

// status is the workspace's last verification when it is younger than
// maxAge; else it starts one (unless one runs), waits for it up to
// chainWait, and returns what is known then.
func (c *chainCache) status(st foyer.Store, log *slog.Logger, workspaceID int64, maxAge time.Duration) chainStatus {
	c.mu.Lock()
	cached, ok := c.by[workspaceID]
	if ok && time.Since(cached.At) < maxAge {
		c.mu.Unlock()
		return cached
	}
	done, running := c.running[workspaceID]
	if !running {
		if c.running == nil {
			c.running, c.by = map[int64]chan struct{}{}, map[int64]chainStatus{}
		}
		done = make(chan struct{})
		c.running[workspaceID] = done
		go c.verify(st, log, workspaceID, done)
	}
	c.mu.Unlock()
	select {
	case <-done:
	case <-time.After(chainWait):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	res, ok := c.by[workspaceID]
	if !ok {
		return chainStatus{Pending: true, Running: true}
	}
	_, res.Running = c.running[workspaceID]
	return res
}

func (c *chainCache) verify(st foyer.Store, log *slog.Logger, workspaceID int64, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	br, err := st.VerifyConsent(ctx, workspaceID)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.running, workspaceID)
	if err != nil {
		log.Error("verify the consent history", "workspace", workspaceID, "err", err)
		return
	}
	c.by[workspaceID] = chainStatus{OK: br == nil, Break: br, At: time.Now()}
}
