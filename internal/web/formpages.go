package web

import (
	"net/http"
	"strconv"
	"strings"
)

// formPages are the paths that only take a form's POST, each with the
// page that form is on. A GET of one (the address bar's Enter after a
// form that showed a page, such as a new API token's) is sent there,
// instead of answering "Method Not Allowed". Every POST route needs one
// (TestEveryFormPathAnswersGet), unless a GET page has the same path.
var formPages = map[string]func(*http.Request) string{
	"/logout":                                        to("/app"),
	"/account/2fa/off":                               to("/account"),
	"/account/2fa/recovery-codes":                    to("/account"),
	"/account/sign-out-everywhere":                   to("/account"),
	"/account/password":                              to("/account"),
	"/account/sessions/{session}/revoke":             to("/account"),
	"/account/sign-out-others":                       to("/account"),
	"/account/identities/{identity}/unlink":          to("/account"),
	"/app/w/{ws}/require-2fa":                        inWorkspace("/members"),
	"/app/w/{ws}/contact-forms":                      inWorkspace("/settings"),
	"/app/w/{ws}/logo":                               inWorkspace("/settings"),
	"/app/w/{ws}/tokens":                             inWorkspace("/members"),
	"/app/w/{ws}/tokens/{token}/revoke":              inWorkspace("/members"),
	"/app/w/{ws}/invites":                            inWorkspace("/members"),
	"/app/w/{ws}/invites/{invite}/revoke":            inWorkspace("/members"),
	"/app/w/{ws}/members/{user}/reset":               inWorkspace("/members"),
	"/app/w/{ws}/members/{user}/role":                inWorkspace("/members"),
	"/app/w/{ws}/members/{user}/remove":              inWorkspace("/members"),
	"/app/w/{ws}/campaigns/{campaign}/deliveries":    ofCampaign,
	"/app/w/{ws}/feeds":                              inWorkspace(""),
	"/app/w/{ws}/feeds/{feed}/delete":                inWorkspace(""),
	"/app/w/{ws}/feeds/{feed}/alert":                 inWorkspace(""),
	"/app/w/{ws}/sites/{site}/delete":                ofSite("/settings"),
	"/app/w/{ws}/sites/{site}/test-visit":            ofSite(""),
	"/account/time-zone":                             to("/account"),
	"/app/w/{ws}/c/{company}/notes":                  ofCompany,
	"/app/w/{ws}/c/{company}/hubspot-import":         ofCompany,
	"/app/w/{ws}/c/{company}/notes/{note}/delete":    ofCompany,
	"/app/w/{ws}/c/{company}/tags":                   ofCompany,
	"/app/w/{ws}/c/{company}/tags/remove":            ofCompany,
	"/app/w/{ws}/c/{company}/assignee":               ofCompany,
	"/app/w/{ws}/c/{company}/hide":                   ofCompany,
	"/app/w/{ws}/c/{company}/unhide":                 ofCompany,
	"/app/w/{ws}/hidden/undo":                        inWorkspace("/hidden"),
	"/app/w/{ws}/hidden/domain":                      inWorkspace("/hidden"),
	"/app/w/{ws}/hidden/show":                        inWorkspace("/hidden"),
	"/app/w/{ws}/hidden/types":                       inWorkspace("/hidden"),
	"/app/w/{ws}/contacts/{contact}/consent":         ofContact,
	"/app/w/{ws}/contacts/{contact}/delete":          ofContact,
	"/app/w/{ws}/contacts/{contact}/requests":        ofContact,
	"/app/w/{ws}/contacts/{contact}/keep":            ofContact,
	"/app/w/{ws}/settings/retention":                 inWorkspace("/settings"),
	"/app/w/{ws}/automations/{rule}/delete":          inWorkspace("/automations"),
	"/app/w/{ws}/requests/days":                      inWorkspace("/requests"),
	"/app/w/{ws}/requests/{request}/fulfil":          inWorkspace("/requests"),
	"/app/w/{ws}/requests/{request}/reject":          inWorkspace("/requests"),
	"/app/w/{ws}/settings/tracking-mode":             inWorkspace("/settings"),
	"/app/w/{ws}/settings/persona":                   inWorkspace("/settings"),
	"/app/w/{ws}/settings/hubspot":                   inWorkspace("/settings"),
	"/app/w/{ws}/settings/hubspot/check":             inWorkspace("/settings"),
	"/app/w/{ws}/contacts/import/u/{upload}/preview": ofUpload,
	"/app/w/{ws}/contacts/import/u/{upload}/start":   ofUpload,
	"/app/w/{ws}/contacts/import/u/{upload}/cancel":  ofUpload,

	// Segments and scoring.
	"/app/w/{ws}/segments/evaluate":                           inWorkspace("/segments"),
	"/app/w/{ws}/segments/{segment}/delete":                   ofSegment,
	"/app/w/{ws}/segments/{segment}/members":                  ofSegment,
	"/app/w/{ws}/segments/{segment}/members/{contact}/remove": ofSegment,
	"/app/w/{ws}/scoring/rules":                               inWorkspace("/scoring"),
	"/app/w/{ws}/scoring/rules/{rule}/delete":                 inWorkspace("/scoring"),
	"/app/w/{ws}/scoring/half-life":                           inWorkspace("/scoring"),

	// Persona Insights: unlinking a contact's visits.
	"/app/w/{ws}/contacts/{contact}/visits/unlink":         ofContact,
	"/app/w/{ws}/contacts/{contact}/visits/{visit}/unlink": ofContact,
}

// to is the page at path.
func to(path string) func(*http.Request) string {
	return func(*http.Request) string { return path }
}

// inWorkspace is the workspace's page at suffix ("" for its feed).
func inWorkspace(suffix string) func(*http.Request) string {
	return func(r *http.Request) string {
		ws, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
		if err != nil {
			return "/app"
		}
		return "/app/w/" + strconv.FormatInt(ws, 10) + suffix
	}
}

// ofSite is the site's page at suffix ("" for its overview).
func ofSite(suffix string) func(*http.Request) string {
	return func(r *http.Request) string {
		site, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
		if err != nil {
			return inWorkspace("/sites")(r)
		}
		return inWorkspace("/sites/" + strconv.FormatInt(site, 10) + suffix)(r)
	}
}

// ofCompany is the company's page.
func ofCompany(r *http.Request) string {
	company, err := strconv.ParseInt(r.PathValue("company"), 10, 64)
	if err != nil {
		return inWorkspace("")(r)
	}
	return inWorkspace("/c/" + strconv.FormatInt(company, 10))(r)
}

// ofCampaign is the campaign's page.
func ofCampaign(r *http.Request) string {
	id, err := strconv.ParseInt(r.PathValue("campaign"), 10, 64)
	if err != nil {
		return inWorkspace("/campaigns")(r)
	}
	return inWorkspace("/campaigns/" + strconv.FormatInt(id, 10))(r)
}

// ofSegment is the segment's page.
func ofSegment(r *http.Request) string {
	id, err := strconv.ParseInt(r.PathValue("segment"), 10, 64)
	if err != nil {
		return inWorkspace("/segments")(r)
	}
	return inWorkspace("/segments/" + strconv.FormatInt(id, 10))(r)
}

// ofContact is the contact's profile.
func ofContact(r *http.Request) string {
	contact, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil {
		return inWorkspace("/contacts")(r)
	}
	return inWorkspace("/contacts/" + strconv.FormatInt(contact, 10))(r)
}

// mountFormPages answers a GET of each path of formPages with a redirect
// to its form's page, which checks who may see it.
func (s *Server) mountFormPages() {
	for path, page := range formPages {
		s.mux.Handle("GET "+path, strict(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, page(r), http.StatusSeeOther)
		})))
	}
}

// ofUpload is the page of an import's upload.
func ofUpload(r *http.Request) string {
	upload := r.PathValue("upload")
	if upload == "" || strings.ContainsAny(upload, "/?#%") {
		return inWorkspace("/contacts/import")(r)
	}
	return inWorkspace("/contacts/import/u/" + upload)(r)
}
