package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// membersDone sends the browser back to the members page, which confirms
// what was done.
func membersDone(w http.ResponseWriter, r *http.Request, ws int64, notice string) {
	done(w, r, fmt.Sprintf("/app/w/%d/members", ws), notice)
}

// memberOf reads the member in the path: a user of the workspace, or a
// 404 page for anyone else.
func (s *Server) memberOf(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err == nil {
		_, err = s.cfg.Store.Role(r.Context(), m.WorkspaceID, id)
	}
	if err != nil {
		if foyer.ErrorCode(err) != foyer.ENOTFOUND && id != 0 {
			s.serverError(w, "member", err)
			return 0, false
		}
		s.notFound(w, u)
		return 0, false
	}
	return id, true
}

// memberForOwner is memberOf for the forms that only owners use: the
// workspace in the path, where u must be an owner (else 403 or 404), and
// the member in the path.
func (s *Server) memberForOwner(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, int64, bool) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return m, 0, false
	}
	id, ok := s.memberOf(w, r, u, m)
	return m, id, ok
}

// memberChangeError answers a refused change of a member: the members page
// with the reason when it is the last owner, 404 when the member went
// meanwhile.
func (s *Server) memberChangeError(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, what string, err error) {
	switch foyer.ErrorCode(err) {
	case foyer.ECONFLICT, foyer.EINVALID:
		s.renderMembers(w, r, u, m, foyer.ErrorStatus(foyer.ErrorCode(err)), foyer.ErrorMessage(err), membersView{})
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverError(w, what, err)
	}
}

// changeRole gives a member another role: owners only, and never the
// workspace's last owner.
func (s *Server) changeRole(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.memberForOwner(w, r, u)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	role, err := foyer.ParseRole(r.PostForm.Get("role"))
	if err == nil {
		err = s.cfg.Store.ChangeRole(r.Context(), m.WorkspaceID, id, role)
	}
	if err != nil {
		s.memberChangeError(w, r, u, m, "change role", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditRoleChanged, "user", idOf(id), "to "+string(role))
	if id == u.ID && role != foyer.RoleOwner {
		// An owner who stepped down sees the members page no more.
		http.Redirect(w, r, fmt.Sprintf("/app/w/%d", m.WorkspaceID), http.StatusSeeOther)
		return
	}
	membersDone(w, r, m.WorkspaceID, "role")
}

// removeMember ends a member's access to the workspace: owners only, and
// never the workspace's last owner. The member's sessions stay, for their
// other workspaces.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.memberForOwner(w, r, u)
	if !ok {
		return
	}
	if err := s.cfg.Store.RemoveMember(r.Context(), m.WorkspaceID, id); err != nil {
		s.memberChangeError(w, r, u, m, "remove member", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditMemberRemoved, "user", idOf(id), "")
	if id == u.ID {
		http.Redirect(w, r, "/app", http.StatusSeeOther)
		return
	}
	membersDone(w, r, m.WorkspaceID, "removed")
}

// revokeInvite spends a pending invitation of the workspace, so that its
// link answers 404: owners only.
func (s *Server) revokeInvite(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	if err := s.cfg.Store.RevokeInvitation(r.Context(), m.WorkspaceID, r.PathValue("invite")); err != nil {
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			s.notFound(w, u)
			return
		}
		s.serverError(w, "revoke invitation", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditInviteRevoked, "invitation", r.PathValue("invite"), "")
	membersDone(w, r, m.WorkspaceID, "revoked")
}

// RoleNames are the roles a member may be given, from least to most
// trusted, for the members page's menus.
func (membersView) RoleNames() []foyer.Role {
	return []foyer.Role{foyer.RoleViewer, foyer.RoleAnalyst, foyer.RoleAdmin, foyer.RoleOwner}
}
