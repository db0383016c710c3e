package web

import (
	"net/http"
	"net/url"
	"strings"
)

// notices are the confirmations a page shows after a form changed
// something, by the done parameter of the address the form's handler
// redirected to (post/redirect/get): reloading the page shows it again
// but changes nothing. An unknown value says nothing.
var notices = map[string]string{
	// campaigns
	"delivery-started": "The send has started: Foyer mails the messages at the pace you chose. Their progress is below.",
	// automations
	"automation-created": "The automation is made. It acts on what happens from now on.",
	"automation-saved":   "The automation is saved.",
	"automation-deleted": "The automation is deleted, with its delivery log.",
	// segments and scoring
	"segments-evaluating":    "Every segment and score is being checked again, in the background: counts update within a few minutes.",
	"segment-saved":          "The segment is saved. Its members are up to date (in a workspace of more than 100,000 contacts, within a few minutes).",
	"segment-deleted":        "The segment is deleted.",
	"segment-member-added":   "The contact is added to the segment.",
	"segment-member-removed": "The contact is taken out of the segment.",
	"rule-added":             "The rule is added, and the scores are computed again (in a workspace of more than 100,000 contacts, within a few minutes).",
	"rule-deleted":           "The rule is deleted, and the scores are computed again (in a workspace of more than 100,000 contacts, within a few minutes).",
	"half-life":              "The half-life is saved, and the scores are computed again (in a workspace of more than 100,000 contacts, within a few minutes).",
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
	"note":             "The note is saved; every member of this workspace sees it.",
	"note-deleted":     "The note is deleted.",
	"tagged":           "The tag is added.",
	"untagged":         "The tag is removed.",
	"assigned":         "The assignment is saved.",
	"2fa-required":     "Every member of this workspace now needs two-factor authentication to open it.",
	"2fa-not-required": "Two-factor authentication is no longer required to open this workspace.",
	"token-revoked":    "The API token was revoked: requests with it are refused from now on.",
	"contact-forms":    "The settings of the contacts' hosted forms are saved.",
	"logo":             "The logo is saved: the hosted forms show it.",
	"logo-removed":     "The logo is removed: the hosted forms show the workspace's name only.",
	// corrections of the feed
	"company-hidden": "The company is hidden: the feed, the API and the CSV export leave it out, its past and future visits too. " +
		"Undo brings it back.",
	"company-unhidden": "The company shows in the feed again, with its past visits.",
	"org-unhidden":     "The correction is undone: the feed treats the organisation as the IP data does, past visits included.",
	"org-shown": "It is a company now: this workspace's feed shows it, with its past visits and those to come. " +
		"Undo it on the hidden organisations page.",
	"domain-hidden": "The domain is hidden: its organisation stays out of the feed, from its first visit on.",
	"types-saved":   "The hidden types are saved: the feed, the API and the CSV export apply them at once.",
	// the feed
	"feed-saved":   "The feed is saved: find it under Saved feeds.",
	"feed-deleted": "The saved feed was deleted.",
	"alert-saved":  "Saved: you will get an email when a new company appears in this feed.",
	"alert-off":    "The alert is off: no more emails about this feed.",
	// sites
	"site-added":   "The site is added. Put its snippet on your pages, then send a test visit from its page.",
	"site-saved":   "Settings saved. The collector applies them at once; other collector processes, if you run several, within 10 seconds.",
	"site-deleted": "The site was deleted, with its visits and events. The feed no longer counts them, and the collector refuses its events.",
	"test-visit":   "The collector accepted the test visit. It counts on the site's page as a visit of no company: this server's own address belongs to none.",
	// contacts
	"contact-added":       "The contact is added.",
	"contact-saved":       "The contact is saved.",
	"request-opened":      "The request is recorded, with its due date. Carry it out, or reject it with a reason, below.",
	"request-done":        "The request is carried out and closed.",
	"request-erased":      "The request is carried out: the contact is erased, and the erasure ledger names the request.",
	"request-rejected":    "The request is closed as rejected, with the reason recorded.",
	"request-closed":      "That request was closed already: nothing was done again.",
	"request-days":        "Saved: requests received from now on are due that many days later.",
	"contact-kept":        "The contact is kept: it is no longer to review, and counts as active from today.",
	"contact-deleted":     "The contact is erased, with its personal data and its key; its visits are anonymous now. Its consent history stays, as the proof of what it chose.",
	"consent-saved":       "The tracking consent is saved, and recorded in the consent history.",
	"consent-not-applied": "The change is recorded in the consent history, but not applied: see why in the history below.",
	"visit-unlinked":      "The visit is unlinked and stays as an anonymous visit. The browser it came from stays linked to the contact: to forget it too, unlink all visits.",
	"visits-unlinked":     "Every visit of this contact is unlinked and stays as an anonymous visit; its browsers are forgotten, so its next visits are anonymous until it is identified again.",
	// the workspace's settings
	"retention-saved": "The retention is saved. The daily retention job applies it at its next run.",
	"mode-saved":      "The tracking mode is saved, and the switch recorded in the consent history. It applies at once.",
	"mode-same":       "The workspace was already in that mode: nothing changed.",
	"persona-on":      "Persona Insights is on. Known contacts are recognised from now on, never in visits before.",
	"persona-off": "Persona Insights is off. No visit is linked to a contact from now on, and every browser linked to one is forgotten; " +
		"the visits linked before stay linked until you unlink them.",
	"hubspot-saved":   "HubSpot is connected: the token works, and is stored encrypted.",
	"hubspot-removed": "HubSpot is disconnected: the token is deleted.",
	"hubspot-ok":      "HubSpot answered: the token works.",
	"hubspot-failed":  "HubSpot did not answer as it should: see the problem in the HubSpot card.",
	"hubspot-imported": "The company's HubSpot contacts are imported, with their HubSpot ID and consent: " +
		"they are listed under Known contacts here.",
	// contact imports
	"import-done":      "The import is done. Its record below stays: the counts, and the rows that were rejected with why.",
	"import-cancelled": "The import is cancelled. The rows written before it stopped stay, each whole; the record says how many. The uploaded file is deleted.",
	"upload-cancelled": "Nothing was imported, and the uploaded file is deleted.",
	// signing out
	"signed-out": "You are signed out everywhere: every session of your account has ended.",
}

// problems are what a page shows as an error after a form's handler
// redirected to it by the problem parameter (failed), when what went
// wrong is not the form's input (which the form shows again instead).
var problems = map[string]string{
	"test-unknown-site":  "The collector refused the test visit: it does not know this site's key. Reload the page; if the site still shows, the collector reads another database than this page does.",
	"test-host":          "The collector refused the test visit: the page address it named is not on the site's allowed hostnames. Check the hostnames in the site's settings.",
	"test-ignored":       "The collector answered, but stored nothing: it ignores the page sent (an excluded path) or took the test for a bot.",
	"test-busy":          "The collector could not take the test visit now (too many requests, or storage too slow). Try again in a few seconds.",
	"test-unreachable":   "Foyer could not reach its own collector at its public address. Check that --public-url names an address this server itself can reach.",
	"test-not-collector": "Something answered at this Foyer's public address, but not its collector. Check that --public-url is this Foyer's address and that a proxy in front of it passes /collect on.",
	"import-busy":        "Other imports are running on this server. Try again when one has ended.",
	"import-step":        "That step does not apply to this upload any more: the page below shows where it is.",
	"test-failed":        "The collector refused the test visit with an error Foyer did not expect. Check the server's log.",
}

// problemOf is the error the request's address asks to show, or "".
func problemOf(r *http.Request) string {
	return problems[r.URL.Query().Get("problem")]
}

// failed sends the browser to path (which may have a query) to show the
// problem, after a form's action went wrong on another side than its input.
func failed(w http.ResponseWriter, r *http.Request, path, problem string) {
	if _, ok := problems[problem]; !ok {
		panic("web: no problem " + problem) // a programming error, caught by every test of the form
	}
	http.Redirect(w, r, path+sep(path)+"problem="+url.QueryEscape(problem), http.StatusSeeOther)
}

// sep is what joins a parameter to path: "?", or "&" when it has a query.
func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// noticeOf is the confirmation the request's address asks for, or "".
func noticeOf(r *http.Request) string {
	return notices[r.URL.Query().Get("done")]
}

// done sends the browser to path (which may have a query) with the
// confirmation of what a form did, after the form's change is stored.
func done(w http.ResponseWriter, r *http.Request, path, notice string) {
	if _, ok := notices[notice]; !ok {
		panic("web: no notice " + notice) // a programming error, caught by every test of the form
	}
	http.Redirect(w, r, path+sep(path)+"done="+url.QueryEscape(notice), http.StatusSeeOther)
}
