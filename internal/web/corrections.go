package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// The corrections of the feed: an admin says a company is not one (or
// is their own, or a competitor's), hides a domain before it visits, and
// hides whole organisation types; the hidden organisations page lists
// them, each with an undo. Admins and owners only.

// hiddenView is what the hidden organisations page shows.
type hiddenView struct {
	layout
	Overrides []foyer.OrgOverride
	// Types are the types a workspace may hide, each checked when it does.
	Types []hiddenType
	// Domain and DomainKind are what the form to hide a domain was sent
	// with, kept when it could not be used.
	Domain     string
	DomainKind foyer.HideKind
	// Facts counts the overrides that classify.tsv exports; NoASN those of
	// them without a company's AS number, which it leaves out.
	Facts, NoASN int64
	// LeftOut are the organisations the IP data kept out of the feed that
	// visited in the last LeftOutDays days, most visits first.
	LeftOut     []foyer.LeftOutOrg
	LeftOutDays int
}

// leftOutDays and leftOutLimit bound the organisations the hidden
// organisations page offers to show as companies.
const (
	leftOutDays  = 30
	leftOutLimit = 50
)

// hiddenType is a type the hidden organisations page offers to hide.
type hiddenType struct {
	Type   foyer.OrgType
	Hidden bool
}

// domainKinds are the kinds a domain can be hidden as before it visits:
// the workspace's own choices, not the IP data's mistakes.
var domainKinds = []foyer.HideKind{foyer.HideOwn, foyer.HideCompetitor}

// hiddenPath is the address of the workspace's hidden organisations page.
func hiddenPath(workspaceID int64) string { return fmt.Sprintf("/app/w/%d/hidden", workspaceID) }

// hiddenPage lists the workspace's hidden organisations.
func (s *Server) hiddenPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	s.renderHidden(w, r, u, m, http.StatusOK, hiddenView{DomainKind: foyer.HideOwn})
}

func (s *Server) renderHidden(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, d hiddenView) {
	d.layout = layout{Title: "Hidden organisations", User: u, Workspace: m, Notice: noticeOf(r), Error: d.Error}
	var err error
	if d.Overrides, err = s.cfg.Store.OrgOverrides(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "hidden organisations", u, err)
		return
	}
	hidden, err := s.cfg.Store.HiddenTypes(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "hidden organisations", u, err)
		return
	}
	for _, t := range foyer.HideableTypes {
		d.Types = append(d.Types, hiddenType{Type: t, Hidden: slices.Contains(hidden, t)})
	}
	d.LeftOutDays = leftOutDays
	if d.LeftOut, err = s.cfg.Store.LeftOut(r.Context(), m.WorkspaceID, s.now().AddDate(0, 0, -leftOutDays), leftOutLimit); err != nil {
		s.serverErrorOf(w, "hidden organisations", u, err)
		return
	}
	for _, o := range d.Overrides {
		if _, fact := o.Kind.Classification(); fact {
			d.Facts++
			if o.ASN == 0 {
				d.NoASN++
			}
		}
	}
	s.render(w, status, "hidden", d)
}

// hideCompany hides a company of the workspace, as the kind the form says.
func (s *Server) hideCompany(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	o, err := s.cfg.Store.HideCompany(r.Context(), m.WorkspaceID, id, foyer.HideKind(r.PostFormValue("kind")), u)
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditOrgCorrected, "company", idOf(id), "hidden as "+string(o.Kind))
		done(w, r, companyPath(m.WorkspaceID, id), "company-hidden")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	case foyer.EINVALID:
		s.render(w, http.StatusBadRequest, "formerror", formErrorView{layout: layout{Title: "Not hidden", User: u, Workspace: m,
			Error: "Choose what the organisation is instead of a company."}, Back: companyPath(m.WorkspaceID, id)})
	default:
		s.serverErrorOf(w, "hide company", u, err)
	}
}

// unhideCompany brings a hidden company of the workspace back to the
// feed; one that is not hidden stays as it is.
func (s *Server) unhideCompany(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	ctx := r.Context()
	o, err := s.cfg.Store.CompanyOverride(ctx, m.WorkspaceID, id)
	if err == nil {
		if err = s.cfg.Store.Unhide(ctx, m.WorkspaceID, o.OrgKey); err == nil {
			s.audit(r, u, m.WorkspaceID, foyer.AuditOrgCorrected, "company", idOf(id), "correction undone: "+string(o.Kind))
		}
	}
	if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND { // not hidden (any more): nothing to do
		s.serverErrorOf(w, "unhide company", u, err)
		return
	}
	done(w, r, companyPath(m.WorkspaceID, id), "company-unhidden")
}

// unhideOrg removes the override of the organisation the form names;
// one that is not hidden stays as it is.
func (s *Server) unhideOrg(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	key := r.PostFormValue("org_key")
	err := s.cfg.Store.Unhide(r.Context(), m.WorkspaceID, key)
	if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		s.serverErrorOf(w, "unhide", u, err)
		return
	}
	if err == nil {
		s.audit(r, u, m.WorkspaceID, foyer.AuditOrgCorrected, "organisation", key, "correction undone")
	}
	done(w, r, hiddenPath(m.WorkspaceID), "org-unhidden")
}

// showOrg says an organisation the IP data left out is a company.
func (s *Server) showOrg(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	id, err := strconv.ParseInt(r.PostFormValue("org"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, u)
		return
	}
	o, err := s.cfg.Store.ShowOrg(r.Context(), m.WorkspaceID, id, u)
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditOrgCorrected, "company", idOf(o.CompanyID), "shown as a company: "+o.Name)
		done(w, r, companyPath(m.WorkspaceID, o.CompanyID), "org-shown")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "show organisation", u, err)
	}
}

// hideDomain hides the organisation of a domain, before or after it
// visits, as the workspace's own company or a competitor.
func (s *Server) hideDomain(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	domain, kind := strings.TrimSpace(r.PostFormValue("domain")), foyer.HideKind(r.PostFormValue("kind"))
	var err error
	if !slices.Contains(domainKinds, kind) {
		err = foyer.Errorf(foyer.EINVALID, "choose whether the domain is your own company's or a competitor's")
	} else {
		var o *foyer.OrgOverride
		if o, err = s.cfg.Store.HideDomain(r.Context(), m.WorkspaceID, domain, kind, u); err == nil {
			s.audit(r, u, m.WorkspaceID, foyer.AuditOrgCorrected, "organisation", o.OrgKey, "hidden as "+string(kind))
		}
	}
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, hiddenPath(m.WorkspaceID), "domain-hidden")
	case foyer.EINVALID:
		s.renderHidden(w, r, u, m, http.StatusBadRequest, hiddenView{layout: layout{Error: "Not hidden: " + foyer.ErrorMessage(err) + "."},
			Domain: domain, DomainKind: kind})
	default:
		s.serverErrorOf(w, "hide domain", u, err)
	}
}

// setHiddenTypes saves the organisation types the feed leaves out.
func (s *Server) setHiddenTypes(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "formerror", formErrorView{layout: layout{Title: "Not saved", User: u, Workspace: m,
			Error: "The form could not be read."}, Back: hiddenPath(m.WorkspaceID)})
		return
	}
	var types []foyer.OrgType
	for _, t := range r.PostForm["type"] {
		types = append(types, foyer.OrgType(t))
	}
	err := s.cfg.Store.SetHiddenTypes(r.Context(), m.WorkspaceID, types)
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), fmt.Sprintf("hidden types: %v", types))
		done(w, r, hiddenPath(m.WorkspaceID), "types-saved")
	case foyer.EINVALID:
		s.renderHidden(w, r, u, m, http.StatusBadRequest, hiddenView{layout: layout{Error: "Not saved: " + foyer.ErrorMessage(err) + "."},
			DomainKind: foyer.HideOwn})
	default:
		s.serverErrorOf(w, "hidden types", u, err)
	}
}

// classifyTSV exports the workspace's corrections that are facts about an
// organisation's type as lines of an operator's classify.tsv (AS number,
// type, name, tab-separated), for the whole installation to use.
func (s *Server) classifyTSV(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	list, err := s.cfg.Store.OrgOverrides(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "classify.tsv", u, err)
		return
	}
	w.Header().Set("Content-Type", "text/tab-separated-values; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="classify.tsv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(classifyLines(m.WorkspaceName, s.now(), list)))
}

// classifyLines writes the lines of classifyTSV: comments first, then a
// line per AS number, sorted by it (an AS corrected twice once, as its
// latest correction says).
func classifyLines(workspace string, now time.Time, list []foyer.OrgOverride) string {
	var b strings.Builder
	b.WriteString("# Foyer: corrections of organisation types made in the workspace " + oneLine(workspace) + ",\n")
	b.WriteString("# exported " + now.UTC().Format(time.RFC3339) + ", as lines of an operator's classify.tsv:\n")
	b.WriteString("# AS number, type, name, separated by tabs. VPNs are written as hosting, \"not a company\" as unknown.\n")
	b.WriteString("# The workspace's own company and competitors are not type corrections, and are left out.\n")
	seen := map[uint32]bool{}
	var lines []string
	skipped := 0
	for _, o := range list { // newest first
		typ, fact := o.Kind.Classification()
		switch {
		case !fact:
			continue
		case o.ASN == 0:
			skipped++
			continue
		case seen[o.ASN]:
			continue
		}
		seen[o.ASN] = true
		name := strings.TrimSpace(oneLine(o.Name))
		if name == "" {
			name = fmt.Sprintf("AS%d", o.ASN) // the file wants a name
		}
		lines = append(lines, fmt.Sprintf("%d\t%s\t%s", o.ASN, typ, name))
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "# %d corrected organisations are left out: their AS number is not known (no visit of theirs named one).\n", skipped)
	}
	slices.SortFunc(lines, func(x, y string) int {
		a, _, _ := strings.Cut(x, "\t")
		c, _, _ := strings.Cut(y, "\t")
		an, _ := strconv.ParseUint(a, 10, 32)
		cn, _ := strconv.ParseUint(c, 10, 32)
		return int(int64(an) - int64(cn))
	})
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// oneLine is s with its tabs and line breaks made spaces, for a line of
// a tab-separated file.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }), " ")
}
