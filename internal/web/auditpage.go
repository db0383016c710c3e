package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/csvsafe"
)

// auditView is the owners' page of the workspace's audit log.
type auditView struct {
	layout
	Entries []foyer.AuditEntry
	Filter  auditForm
	// Next is the address of the next (older) page; "" on the last.
	Next string
	// Export is the address of the CSV of every entry the filter selects.
	Export      string
	Actions     []foyer.AuditAction
	ObjectTypes []string
}

// auditForm is the page's filter as typed.
type auditForm struct {
	Action, ObjectType, ObjectID, Actor, From, To string
}

// auditPageSize is how many entries a page shows.
const auditPageSize = 50

// auditFilterOf reads the filter of the query, dates in the user's zone
// (To is the last day shown, included); EINVALID for a bad one.
func auditFilterOf(r *http.Request, zone *time.Location) (foyer.AuditFilter, auditForm, error) {
	q := r.URL.Query()
	form := auditForm{Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Actor: strings.TrimSpace(q.Get("actor")), From: q.Get("from"), To: q.Get("to")}
	f := foyer.AuditFilter{Action: foyer.AuditAction(form.Action), ObjectType: form.ObjectType, ObjectID: form.ObjectID, Actor: form.Actor}
	if len(form.Actor) > 200 || len(form.ObjectID) > 100 {
		return f, form, foyer.Errorf(foyer.EINVALID, "the filter is too long")
	}
	if form.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, form.From, zone)
		if err != nil {
			return f, form, foyer.Errorf(foyer.EINVALID, "from: a date such as 2026-01-31")
		}
		f.From = d
	}
	if form.To != "" {
		d, err := time.ParseInLocation(time.DateOnly, form.To, zone)
		if err != nil {
			return f, form, foyer.Errorf(foyer.EINVALID, "to: a date such as 2026-01-31")
		}
		f.To = d.AddDate(0, 0, 1)
	}
	if b := q.Get("before"); b != "" {
		id, err := strconv.ParseInt(b, 10, 64)
		if err != nil || id <= 0 {
			return f, form, foyer.Errorf(foyer.EINVALID, "before: an entry's number")
		}
		f.BeforeID = id
	}
	return f, form, nil
}

// query is the filter as a query string, without a page.
func (f auditForm) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"action": f.Action, "object_type": f.ObjectType, "object_id": f.ObjectID,
		"actor": f.Actor, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// auditPage shows the workspace's audit log, newest first, filtered and a
// page at a time: owners only.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	d := auditView{layout: layout{Title: "Audit log", User: u, Workspace: m}, Actions: foyer.AuditActions, ObjectTypes: auditObjectTypes}
	f, form, err := auditFilterOf(r, d.zone())
	d.Filter = form
	status := http.StatusOK
	if err != nil {
		d.Error, status = foyer.ErrorMessage(err), http.StatusBadRequest
	} else {
		f.Limit = auditPageSize
		var more bool
		if d.Entries, more, err = s.cfg.Store.AuditLog(r.Context(), m.WorkspaceID, f); err != nil {
			s.serverErrorOf(w, "audit log", u, err)
			return
		}
		if more {
			q := form.query()
			q.Set("before", strconv.FormatInt(d.Entries[len(d.Entries)-1].ID, 10))
			d.Next = auditPath(m.WorkspaceID) + "?" + q.Encode()
		}
	}
	d.Export = auditPath(m.WorkspaceID) + ".csv"
	if q := form.query().Encode(); q != "" {
		d.Export += "?" + q
	}
	s.render(w, status, "audit", d)
}

// auditExportLimit bounds one CSV export of the audit log.
const auditExportLimit = 100_000

// auditExport writes the entries the filter selects as CSV, newest first,
// with their hashes: owners only. The export is itself an entry.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	f, form, err := auditFilterOf(r, layout{User: u}.zone())
	if err != nil {
		http.Error(w, foyer.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	if !s.auditRead(w, r, u, m.WorkspaceID, foyer.AuditExport, "export", "audit", "audit log CSV "+form.query().Encode()) {
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%d-%s.csv"`, m.WorkspaceID, s.now().UTC().Format(time.DateOnly)))
	hdr.Set("Cache-Control", "no-store")
	if r.URL.Query().Get("bom") != "0" {
		io.WriteString(w, utf8BOM)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at_utc", "actor_kind", "actor_id", "actor", "action", "object_type", "object_id", "detail",
		"user_agent", "network", "prev_hash", "hash"})
	f.Limit = 1000
	for written := 0; written < auditExportLimit; {
		page, more, err := s.cfg.Store.AuditLog(r.Context(), m.WorkspaceID, f)
		if err != nil {
			s.cfg.Log.Error("audit export", "err", err)
			return // the header is out: the cut file shows the failure
		}
		for _, e := range page {
			cw.Write(csvsafe.Row(strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorKind,
				strconv.FormatInt(e.ActorID, 10), e.Actor, string(e.Action), e.ObjectType, e.ObjectID, e.Detail,
				e.UserAgent, e.Network, fmt.Sprintf("%x", e.PrevHash), fmt.Sprintf("%x", e.Hash)))
		}
		written += len(page)
		if !more || len(page) == 0 {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	cw.Flush()
}
