package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// forgotView is what the page to ask for a password reset link shows.
type forgotView struct {
	layout
	Email   string // the address a link was asked for
	MailOff bool   // no mail relay is configured
	Asked   bool   // a link was asked for
}

// newForgotView is the page to ask for a password reset link, before
// asking.
func (s *Server) newForgotView() forgotView {
	return forgotView{layout: layout{Title: "Forgot your password?"}, MailOff: s.cfg.Mail == nil}
}

// forgotPage offers a user to choose a new password: with a mail relay,
// it mails a reset link; without one, it says whom to ask.
func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "forgot", s.newForgotView())
}

// forgot mails a reset link to the address, when it has an account. The
// answer is the same either way, and as quick: the mail goes out after it.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	d := s.newForgotView()
	if s.cfg.Mail == nil {
		s.render(w, http.StatusServiceUnavailable, "forgot", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm()
	email, err := foyer.NormalizeEmail(strings.TrimSpace(r.PostForm.Get("email")))
	if err != nil {
		d.Error = "Type the address you sign in with, such as ana@example.com."
		s.render(w, http.StatusBadRequest, "forgot", d)
		return
	}
	d.Email, d.Asked = email, true
	u, err := s.cfg.Store.UserByEmail(r.Context(), email)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
	case err != nil:
		s.serverError(w, "forgot", err)
		return
	default:
		if err := s.mailOwnReset(r, u); err != nil {
			s.serverErrorOf(w, "forgot", u, err)
			return
		}
	}
	s.render(w, http.StatusOK, "forgot", d)
}

// mailOwnReset makes a reset link of u's own, of no workspace, and mails
// it in the background.
func (s *Server) mailOwnReset(r *http.Request, u *foyer.User) error {
	token, hash := auth.NewToken()
	l := foyer.AuthLink{Kind: foyer.LinkReset, UserID: u.ID, ExpiresAt: s.now().Add(resetLife)}
	if err := s.cfg.Store.CreateLink(r.Context(), hash, l); err != nil {
		return err
	}
	subject, body := resetMail("", u.Email, s.linkURL(r, foyer.LinkReset, token), l.ExpiresAt)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.cfg.Mail.Send(ctx, u.Email, subject, body); err != nil {
			s.cfg.Log.Warn("reset link not mailed", "user", u.ID, "err", withoutAddresses(err.Error()))
		}
	}()
	return nil
}
