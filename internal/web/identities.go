package web

import (
	"context"
	"net/http"

	"github.com/foyerhq/foyer"
)

// The account page's single sign-on part: the user's linked accounts at
// OpenID Connect providers, and unlinking one. A link is named by its
// public ID (foyer.Identity.PublicID), never by its subject.

// identityRow is one of the user's linked accounts, as the account page
// lists it.
type identityRow struct {
	foyer.Identity
	// Name is the configured provider's name, or the stored provider ID
	// when no configured provider has the link's issuer.
	Name string
	// Usable says whether a configured provider has the link's issuer, so
	// that the link can sign the user in.
	Usable bool
	// Only says that the user has no password and no other usable link,
	// so that UnlinkIdentity refuses: the page offers no button.
	Only bool
}

// signInIssuers lists the issuers of the configured providers: the links
// that can sign a user in.
func (s *Server) signInIssuers() []string {
	var out []string
	for _, p := range s.cfg.SSO {
		out = append(out, p.Issuer())
	}
	return out
}

// identityRows returns the user's linked accounts for the account page.
func (s *Server) identityRows(ctx context.Context, u *foyer.User) ([]identityRow, error) {
	ids, err := s.cfg.Store.Identities(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	rows := make([]identityRow, len(ids))
	usable := 0
	for i, id := range ids {
		rows[i] = identityRow{Identity: id, Name: id.Provider}
		for _, p := range s.cfg.SSO {
			if p.Issuer() == id.Issuer {
				rows[i].Name, rows[i].Usable = p.Name(), true
				usable++
				break
			}
		}
	}
	for i, row := range rows {
		others := usable
		if row.Usable {
			others--
		}
		rows[i].Only = u.PasswordHash == "" && others == 0
	}
	return rows, nil
}

// unlinkIdentity removes one of the user's linked accounts, unless it is
// the user's only way to sign in (409, the account page says why). Another
// user's link, or one that is gone, is not found. The user's sessions stay.
func (s *Server) unlinkIdentity(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	id, err := s.cfg.Store.UnlinkIdentity(r.Context(), u.ID, r.PathValue("identity"), s.signInIssuers())
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.ENOTFOUND:
		s.notFound(w, u)
		return
	case foyer.ECONFLICT:
		s.renderAccount(w, r, u, http.StatusConflict, onlyWayMessage, "")
		return
	default:
		s.serverError(w, "unlink identity", err)
		return
	}
	s.cfg.Log.Info("sso: identity unlinked", "provider", id.Provider, "user", u.ID)
	done(w, r, "/account", "unlinked")
}

// onlyWayMessage is what the account page says when the user tries to
// unlink their last way to sign in.
const onlyWayMessage = "That account is your only way to sign in to Foyer: you have no password, " +
	"and no other linked account at a provider Foyer offers. It stays linked. " +
	"To unlink it, first sign in once with another provider (with the same address), " +
	"or set a password with a reset link from an owner of your workspace."
