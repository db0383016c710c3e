package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/sso"
)

// Who may sign in by single sign-on: a user linked to the provider's
// account (issuer, subject); or, at the first sign-in, the user whose
// address the provider verified, who is then linked. Nobody else: single
// sign-on creates an account only for an invitation to the verified
// address. The logs name the provider and the user, never an address.

// ssoSignIn signs in the user the identity belongs to.
func (s *Server) ssoSignIn(w http.ResponseWriter, r *http.Request, p *sso.Provider, id *sso.Identity) {
	ctx := r.Context()
	u, err := s.cfg.Store.UserByIdentity(ctx, id.Issuer, id.Subject)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		email, msg := verifiedEmail(p, id)
		if msg != "" {
			s.cfg.Log.Info("sso: no verified address to match", "provider", p.ID())
			s.render(w, http.StatusForbidden, "login", s.newLoginView(msg))
			return
		}
		u, err = s.cfg.Store.UserByEmail(ctx, email)
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			s.cfg.Log.Info("sso: no account for the verified address", "provider", p.ID())
			s.render(w, http.StatusForbidden, "login",
				s.newLoginView(fmt.Sprintf("There is no Foyer account for %s. Ask an owner of your workspace for an invitation.", email)))
			return
		}
		if err == nil {
			if s.refuseLocked(w, r, p, u, nil) {
				return
			}
			err = s.cfg.Store.LinkIdentity(ctx, &foyer.Identity{Issuer: id.Issuer, Subject: id.Subject, UserID: u.ID, Provider: p.ID()})
			if foyer.ErrorCode(err) == foyer.ECONFLICT {
				s.cfg.Log.Warn("sso: the user has another account at the provider", "provider", p.ID(), "user", u.ID)
				s.render(w, http.StatusConflict, "login", s.newLoginView(linkedElsewhere(p)))
				return
			}
			if err == nil {
				s.cfg.Log.Info("sso: identity linked", "provider", p.ID(), "user", u.ID)
			}
		}
	}
	if err != nil {
		s.serverError(w, "sso", err)
		return
	}
	s.ssoFinish(w, r, p, u, id, "/app", nil)
}

func linkedElsewhere(p *sso.Provider) string {
	return fmt.Sprintf("Your Foyer account is linked to another %s account. Sign in with that one, or with your password.", p.Name())
}

// verifiedEmail returns the address the provider vouches for, or why there
// is none, for the user.
func verifiedEmail(p *sso.Provider, id *sso.Identity) (string, string) {
	email, err := foyer.NormalizeEmail(id.Email)
	switch {
	case id.Email == "" || err != nil:
		return "", fmt.Sprintf("%s did not tell Foyer your email address, so Foyer cannot find your account. "+
			"Sign in with your password, or ask your administrator.", p.Name())
	case !id.EmailVerified:
		return "", fmt.Sprintf("%s has not verified your address %s, so Foyer cannot match it to an account. "+
			"Verify it there, or sign in with your password.", p.Name(), email)
	}
	return email, ""
}

// refuseLocked answers a locked-out user on d's page (the login page when
// nil) and reports whether it did.
func (s *Server) refuseLocked(w http.ResponseWriter, r *http.Request, p *sso.Provider, u *foyer.User, d *inviteView) bool {
	if !u.LockedUntil.After(time.Now()) {
		return false
	}
	s.cfg.Log.Info("sso: the account is locked", "provider", p.ID(), "user", u.ID)
	if d == nil {
		s.render(w, http.StatusTooManyRequests, "login", s.newLoginView(lockedMessage(u.LockedUntil)))
		return true
	}
	d.Error = lockedMessage(u.LockedUntil)
	s.render(w, http.StatusTooManyRequests, "invite", *d)
	return true
}

// ssoFinish starts the session of a user who signed on and sends them on,
// by the second factor unless the provider did multi-factor
// authentication.
func (s *Server) ssoFinish(w http.ResponseWriter, r *http.Request, p *sso.Provider, u *foyer.User, id *sso.Identity, next string, d *inviteView) {
	if s.refuseLocked(w, r, p, u, d) {
		return
	}
	whole := u.TOTPSecret == "" || id.MultiFactor
	if whole { // else the count of failures stays until the second factor
		if err := s.cfg.Store.LoginSucceeded(r.Context(), u.ID); err != nil {
			s.serverErrorOf(w, "sso", u, err)
			return
		}
		s.auditUser(r, u, foyer.AuditSignIn, "single sign-on: "+p.ID())
	}
	if err := s.startSession(w, r, u, id.MultiFactor); err != nil {
		s.serverError(w, "sso", err)
		return
	}
	s.cfg.Log.Info("sso: signed in", "provider", p.ID(), "user", u.ID, "mfa_at_idp", id.MultiFactor)
	if !whole {
		next = "/login/2fa"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// standingInvite returns a standing invitation by its token, with its
// page and the user who has the invited address (if any), or writes a 404
// page.
func (s *Server) standingInvite(w http.ResponseWriter, r *http.Request, token string) (*foyer.AuthLink, inviteView, *foyer.User, bool) {
	l, _, ok := s.linkByToken(w, r, token, foyer.LinkInvite, "This invitation is unknown, used or expired. Ask for a new one.")
	if !ok {
		return nil, inviteView{}, nil, false
	}
	d, existing, err := s.invitePage(r.Context(), l, token)
	if err != nil {
		s.serverError(w, "invite", err)
		return nil, inviteView{}, nil, false
	}
	return l, d, existing, true
}

// inviteOf returns the page of a standing invitation, or writes a 404 page.
func (s *Server) inviteOf(w http.ResponseWriter, r *http.Request, token string) (inviteView, bool) {
	_, d, _, ok := s.standingInvite(w, r, token)
	return d, ok
}

// ssoAcceptInvite accepts an invitation for the address the provider
// verified: it joins the user who has it, or creates one without a
// password, linked to the provider's account.
func (s *Server) ssoAcceptInvite(w http.ResponseWriter, r *http.Request, p *sso.Provider, f *ssoFlow, id *sso.Identity) {
	ctx := r.Context()
	l, d, u, ok := s.standingInvite(w, r, f.Invite)
	if !ok {
		return
	}
	refuse := func(status int, msg string) {
		d.Error = msg
		s.render(w, status, "invite", d)
	}
	email, msg := verifiedEmail(p, id)
	if msg != "" {
		s.cfg.Log.Info("sso: no verified address for the invitation", "provider", p.ID())
		refuse(http.StatusForbidden, msg)
		return
	}
	if email != l.Email {
		s.cfg.Log.Info("sso: the verified address is not the invited one", "provider", p.ID())
		refuse(http.StatusForbidden, fmt.Sprintf("This invitation is for %s, but %s signed you in as %s. "+
			"Sign in there as %s, or ask for an invitation for %s.", l.Email, p.Name(), email, l.Email, email))
		return
	}
	linked, err := s.cfg.Store.UserByIdentity(ctx, id.Issuer, id.Subject)
	switch {
	case err == nil && (u == nil || linked.ID != u.ID):
		s.cfg.Log.Warn("sso: the provider's account is linked to another user", "provider", p.ID(), "user", linked.ID)
		refuse(http.StatusConflict, fmt.Sprintf("This %s account is linked to another Foyer account.", p.Name()))
		return
	case err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND:
		s.serverError(w, "sso invite", err)
		return
	}
	if u != nil {
		if s.refuseLocked(w, r, p, u, &d) {
			return
		}
		if linked == nil {
			other, err := s.hasIdentityAt(r.Context(), u, id.Issuer)
			if err != nil {
				s.serverError(w, "sso invite", err)
				return
			}
			if other {
				refuse(http.StatusConflict, linkedElsewhere(p))
				return
			}
		}
	}
	// The invitation, the new user, the link to the provider's account and
	// the membership: one transaction.
	var link *foyer.Identity
	if linked == nil {
		link = &foyer.Identity{Issuer: id.Issuer, Subject: id.Subject, Provider: p.ID()}
	}
	if u == nil {
		u = &foyer.User{} // the invited address, no password: single sign-on only
	}
	_, err = s.cfg.Store.AcceptInvite(ctx, auth.TokenHash(f.Invite), u, link)
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.ENOTFOUND:
		s.gone(w, "This invitation was used meanwhile.")
		return
	case foyer.ECONFLICT: // linked, or the address taken, meanwhile
		refuse(http.StatusConflict, fmt.Sprintf("This %s account, or this address, was taken by another Foyer account meanwhile.", p.Name()))
		return
	default:
		s.serverError(w, "sso invite", err)
		return
	}
	s.cfg.Log.Info("sso: invitation accepted", "provider", p.ID(), "user", u.ID, "workspace", l.WorkspaceID)
	s.audit(r, u, l.WorkspaceID, foyer.AuditJoined, "user", idOf(u.ID), "as "+string(l.Role)+", single sign-on: "+p.ID())
	s.ssoFinish(w, r, p, u, id, fmt.Sprintf("/app/w/%d", l.WorkspaceID), &d)
}

// hasIdentityAt reports whether u has an account at the issuer linked.
func (s *Server) hasIdentityAt(ctx context.Context, u *foyer.User, issuer string) (bool, error) {
	ids, err := s.cfg.Store.Identities(ctx, u.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ids, func(i foyer.Identity) bool { return i.Issuer == issuer }), nil
}
