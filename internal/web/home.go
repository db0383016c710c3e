package web

import (
	"net/http"

	"github.com/foyerhq/foyer"
)

// homeView is the landing page at /: what Foyer is, the way in (sign in,
// or the app when signed in), and, while nobody can sign in, where the
// first owner's setup link is.
type homeView struct {
	layout
	NoUsers bool   // no user yet: the page says where the setup link is
	Base    string // the address the tracker snippet names
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var u *foyer.User
	if cu, sess, err := s.currentUser(r); err != nil {
		s.serverError(w, "home", err)
		return
	} else if cu != nil && sess.SecondFactor {
		u = cu
	}
	has, err := s.cfg.Store.HasUsers(r.Context())
	if err != nil {
		s.serverError(w, "home", err)
		return
	}
	s.render(w, http.StatusOK, "home", homeView{layout: layout{Title: "Welcome", User: u}, NoUsers: !has, Base: s.baseURL(r)})
}
