package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// The sign-in middleware: who the request's session is (currentUser),
// pages only for a signed-in user (signedIn), and the workspace in the
// path of a member's request (workspaceOf, workspaceRole).

// currentUser returns the user and session of a request's cookie, or nil.
func (s *Server) currentUser(r *http.Request) (*foyer.User, *foyer.AuthSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	hash := auth.TokenHash(c.Value)
	sess, err := s.cfg.Store.Session(r.Context(), hash)
	if foyer.ErrorCode(err) == foyer.EUNAUTHORIZED {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	s.lastUsed.record("session", s.cfg.Store.TouchSession, hash, sess.LastSeenAt)
	u, err := s.cfg.Store.UserByID(r.Context(), sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

type membershipsKey struct{}

type sessionKey struct{}

// sessionOfRequest returns the session of a request that signedIn served,
// or nil.
func sessionOfRequest(r *http.Request) *foyer.AuthSession {
	sess, _ := r.Context().Value(sessionKey{}).(*foyer.AuthSession)
	return sess
}

// membershipCache holds a signed-in request's memberships once read.
type membershipCache struct {
	ms   []foyer.Membership
	err  error
	done bool
}

// memberships returns the user's workspaces and roles, read once per
// request that signedIn served: its checks and the page use the same.
func (s *Server) memberships(r *http.Request, u *foyer.User) ([]foyer.Membership, error) {
	c, ok := r.Context().Value(membershipsKey{}).(*membershipCache)
	if !ok {
		return s.cfg.Store.Memberships(r.Context(), u.ID)
	}
	if !c.done {
		c.ms, c.err = s.cfg.Store.Memberships(r.Context(), u.ID)
		c.done = true
	}
	return c.ms, c.err
}

// signedIn serves a page only to a signed-in user: others go to /login,
// a session that has not given its second factor to /login/2fa, and a
// member of a workspace that requires two-factor authentication who has
// none to /account/2fa to set it up; multi-factor authentication at the
// identity provider of a single sign-on meets the requirement too.
func (s *Server) signedIn(next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return s.signedInTo(false, next)
}

// enrolling is signedIn for what the two-factor enrolment page offers (the
// enrolment itself, and signing out everywhere): a member a workspace
// makes set up two-factor authentication reaches them before doing so.
func (s *Server) enrolling(next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return s.signedInTo(true, next)
}

func (s *Server) signedInTo(enrolment bool, next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, sess, err := s.currentUser(r)
		if err != nil {
			s.serverError(w, "session", err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), membershipsKey{}, &membershipCache{})
		r = r.WithContext(context.WithValue(ctx, sessionKey{}, sess))
		if !sess.SecondFactor {
			http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
			return
		}
		if u.TOTPSecret == "" && !sess.MultiFactorAtIdP && !enrolment {
			required, err := s.requires2FA(r, u)
			if err != nil {
				s.serverError(w, "session", err)
				return
			}
			if required {
				http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
				return
			}
		}
		next(w, r, u)
	}
}

// requires2FA reports whether a workspace of u requires two-factor
// authentication of its members.
func (s *Server) requires2FA(r *http.Request, u *foyer.User) (bool, error) {
	ms, err := s.memberships(r, u)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ms, func(m foyer.Membership) bool { return m.Require2FA }), nil
}

// workspaceOf returns the user's membership of the workspace in the path,
// or writes a 404: another workspace's ID looks like one that does not exist.
func (s *Server) workspaceOf(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, bool) {
	id, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	if err == nil {
		ms, err := s.memberships(r, u)
		if err != nil {
			s.serverError(w, "memberships", err)
			return foyer.Membership{}, false
		}
		for _, m := range ms {
			if m.WorkspaceID == id {
				return m, true
			}
		}
	}
	s.notFound(w, u)
	return foyer.Membership{}, false
}

// workspaceRole is workspaceOf for what needs at least a role: a member
// with less gets a 403 page.
func (s *Server) workspaceRole(w http.ResponseWriter, r *http.Request, u *foyer.User, min foyer.Role) (foyer.Membership, bool) {
	m, ok := s.workspaceOf(w, r, u)
	if ok && !m.Role.AtLeast(min) {
		s.forbidden(w, u)
		return m, false
	}
	return m, ok
}
