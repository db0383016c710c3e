package web

import (
	"net/http"
	"net/url"
)

// notices are the confirmations a page shows after a form changed
// something, by the done parameter of the address the form's handler
// redirected to (post/redirect/get): reloading the page shows it again
// but changes nothing. An unknown value says nothing.
var notices = map[string]string{
	// the account page
	"password": "Your password is changed. Every other place where you were signed in is signed out.",
	"session":  "That session is signed out.",
	"others":   "Every other place where you were signed in is signed out.",
	"2fa-off":  "Two-factor authentication is off, and your recovery codes no longer work. You can set it up again at any time.",
	"unlinked": "That account is unlinked: it no longer signs you in. Where you are signed in, you stay signed in.",
	"zone":     "Your time zone is saved: times of day show in it from now on.",
	// the members page
	"role":    "The role was changed.",
	"removed": "The member was removed from this workspace.",
	"revoked": "The invitation was revoked: its link works no more.",
	// a company's page
	"note":         "The note is saved; every member of this workspace sees it.",
	"note-deleted": "The note is deleted.",
	"tagged":       "The tag is added.",
	"untagged":     "The tag is removed.",
	"assigned":     "The assignment is saved.",
}

// noticeOf is the confirmation the request's address asks for, or "".
func noticeOf(r *http.Request) string {
	return notices[r.URL.Query().Get("done")]
}

// done sends the browser to path (which has no query) with the
// confirmation of what a form did, after the form's change is stored.
func done(w http.ResponseWriter, r *http.Request, path, notice string) {
	if _, ok := notices[notice]; !ok {
		panic("web: no notice " + notice) // a programming error, caught by every test of the form
	}
	http.Redirect(w, r, path+"?done="+url.QueryEscape(notice), http.StatusSeeOther)
}
