// Package web is Foyer's HTTP server: routes, middleware and the handlers
// of each resource. It holds no storage logic of its own.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/ipdata"
	"github.com/foyerhq/foyer/internal/sso"
	"github.com/foyerhq/foyer/internal/tracker"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

//go:embed static
var staticFiles embed.FS

// Collector is what the server needs of the collector (collect.Handler):
// it serves /collect, forgets a site's cached settings when they change,
// and tells /readyz whether it can store batches in time.
type Collector interface {
	http.Handler
	ForgetSite(key string)
	Ready() error
}

// Config wires a Server.
type Config struct {
	Store    foyer.Store
	Collect  Collector
	Gatherer prometheus.Gatherer
	// Ready, when not nil, answers /readyz instead of the collector's and
	// the store's checks: its body, and false for a 503 (a deployment with
	// a queue, whose readiness also says the queue's lag).
	Ready func(ctx context.Context) (body string, ok bool)
	Log   *slog.Logger
	// IPData is the IP data in service, whose sources /about/data credits;
	// nil when there is none.
	IPData *ipdata.Resolver
	// FailureDelay is how long the answer to the n-th failed sign-in in a
	// row waits; failureDelay when nil.
	FailureDelay func(n int) time.Duration
	// ClientIP finds the client of a request, for SignInLimit.
	ClientIP clientip.Finder
	// SignInLimit bounds the sign-in attempts (passwords and codes) of one
	// client address, whatever the account: 10 a minute in bursts of 10
	// when nil.
	SignInLimit *clientip.Limiter
	// SSO lists the OpenID Connect providers users may sign in with, in the
	// order the login page shows them.
	SSO []*sso.Provider
	// PublicURL is the address users reach Foyer at (https://foyer.example.com),
	// from which the providers' redirect URLs are made; "" takes each
	// request's Host.
	PublicURL string
	// Mail, when set, mails invitation and password reset links too; the
	// pages show them to be copied either way.
	Mail Mailer
	// FormLinks signs and checks the links of the hosted contact forms,
	// with a key derived from the master key (formlink.Purpose); when nil,
	// a random key of this process, whose links stop working at restart.
	FormLinks *formlink.Signer
	// AuditKey keys the hashes the audit log keeps instead of a client's
	// network and of an unknown sign-in address; derived from the master
	// key in serve (AuditKeyPurpose), a random key of this process when nil.
	AuditKey []byte
	// FormLinkLife is how long a form link made by the API lasts;
	// formlink.DefaultLife (90 days) when 0.
	FormLinkLife time.Duration
	// SiteOrigin is the origin at which the contact's browser reaches a
	// site's hostname, for the opt-out's hop through the sites: https://HOST
	// when nil. Tests point it at a local server.
	SiteOrigin func(host string) string
	// HubSpotAPI is the address of HubSpot's API; hubspot.DefaultBaseURL
	// when "".
	HubSpotAPI string
	// BackupProblem, when set, says what went wrong with the last
	// scheduled backup or its copy to the bucket, in full sentences (""
	// when nothing did), for a banner that owners see on their
	// workspace's pages.
	BackupProblem func() string
	// Imports runs the contact import pages' uploads, previews and
	// imports; nil: the pages say this server runs none.
	Imports *importjob.Manager
	// EmailEvents takes the opens and clicks of the campaigns' messages to
	// write in batches (emailtrack.Writer); when nil, each is written at once.
	EmailEvents EmailEventRecorder
	// EmailScanners tells mail scanners and prefetchers from people;
	// emailtrack.NewDetector(nil, nil) when nil.
	EmailScanners *emailtrack.Detector
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Server routes Foyer's HTTP endpoints. Close it before the store.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	ghosts   *ghosts // failed sign-ins of addresses without an account
	lastUsed *lastUsed
	choices  choiceCache // the feed's filter choices, by workspace
	chains   chainCache  // whether each workspace's consent history verifies
	detector *emailtrack.Detector
	tokens   tokenCache // what the campaigns' tokens lead to
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// NewServer returns the server with every route mounted.
func NewServer(cfg Config) *Server {
	if cfg.FailureDelay == nil {
		cfg.FailureDelay = failureDelay
	}
	if cfg.SignInLimit == nil {
		cfg.SignInLimit = clientip.NewLimiter(10.0/60, 10, nil)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.FormLinks == nil {
		key := make([]byte, 32)
		rand.Read(key)
		cfg.FormLinks = formlink.NewSigner(key)
	}
	if cfg.AuditKey == nil {
		cfg.AuditKey = make([]byte, 32)
		rand.Read(cfg.AuditKey)
	}
	if cfg.FormLinkLife <= 0 {
		cfg.FormLinkLife = formlink.DefaultLife
	}
	if cfg.SiteOrigin == nil {
		cfg.SiteOrigin = func(host string) string { return "https://" + host }
	}
	if cfg.EmailScanners == nil {
		cfg.EmailScanners = emailtrack.NewDetector(nil, nil)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), ghosts: newGhosts(), lastUsed: newLastUsed(cfg.Log, cfg.Now), detector: cfg.EmailScanners}
	s.mux.Handle("GET /t.js", tracker.Handler())
	s.mux.Handle("GET /ti.js", tracker.IDHandler())
	if cfg.Collect != nil {
		s.mux.Handle("/collect", cfg.Collect) // every method: the collector answers 405 in JSON itself
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if cfg.Gatherer != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	s.mux.Handle("GET /{$}", strict(http.HandlerFunc(s.home)))
	s.mux.HandleFunc("GET /about/data", s.aboutData)

	// The app: pages with a strict policy, and every state-changing form
	// refused when it comes from another origin.
	csrf := http.NewCrossOriginProtection()
	s.mux.Handle("GET /static/", strict(http.FileServerFS(staticFiles)))
	s.mux.Handle("GET /login", strict(http.HandlerFunc(s.loginPage)))
	s.mux.Handle("POST /login", strict(csrf.Handler(s.throttled(http.HandlerFunc(s.login)))))
	s.mux.Handle("POST /logout", strict(csrf.Handler(http.HandlerFunc(s.logout))))
	s.mux.Handle("GET /app", strict(s.signedIn(s.appHome)))
	s.mux.Handle("GET /login/2fa", strict(http.HandlerFunc(s.secondFactor)))
	s.mux.Handle("POST /login/2fa", strict(csrf.Handler(s.throttled(http.HandlerFunc(s.secondFactor)))))
	s.mux.Handle("GET /account/2fa", strict(s.enrolling(s.enrolPage)))
	s.mux.Handle("POST /account/2fa", strict(csrf.Handler(s.enrolling(s.enrolPage))))
	s.mux.Handle("POST /account/2fa/off", strict(csrf.Handler(s.signedIn(s.turnOff2FA))))
	s.mux.Handle("POST /account/2fa/recovery-codes", strict(csrf.Handler(s.signedIn(s.renewRecoveryCodes))))
	s.mux.Handle("POST /app/w/{ws}/require-2fa", strict(csrf.Handler(s.signedIn(s.require2FA))))
	s.mux.Handle("POST /app/w/{ws}/contact-forms", strict(csrf.Handler(s.signedIn(s.saveContactForms))))
	s.mux.Handle("POST /app/w/{ws}/logo", strict(csrf.Handler(s.signedIn(s.saveLogo))))
	s.mux.Handle("POST /app/w/{ws}/tokens", strict(csrf.Handler(s.signedIn(s.createToken))))
	s.mux.Handle("POST /app/w/{ws}/tokens/{token}/revoke", strict(csrf.Handler(s.signedIn(s.revokeToken))))
	s.mux.Handle("POST /account/sign-out-everywhere", strict(csrf.Handler(s.enrolling(s.signOutEverywhere))))
	s.mux.Handle("GET /account", strict(s.signedIn(s.accountPage)))
	s.mux.Handle("POST /account/time-zone", strict(csrf.Handler(s.signedIn(s.setTimeZone))))
	s.mux.Handle("POST /account/password", strict(csrf.Handler(s.signedIn(s.changePassword))))
	s.mux.Handle("POST /account/sessions/{session}/revoke", strict(csrf.Handler(s.signedIn(s.revokeSession))))
	s.mux.Handle("POST /account/sign-out-others", strict(csrf.Handler(s.signedIn(s.signOutOthers))))
	s.mux.Handle("POST /account/identities/{identity}/unlink", strict(csrf.Handler(s.signedIn(s.unlinkIdentity))))
	s.mux.Handle("GET /app/w/{ws}", strict(s.signedIn(s.feedPage)))
	s.mux.Handle("GET /app/w/{ws}/c/{company}", strict(s.signedIn(s.companyPage)))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/notes", strict(csrf.Handler(s.signedIn(s.addNote))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/hubspot-import", strict(csrf.Handler(s.signedIn(s.importHubSpotCompany))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/notes/{note}/delete", strict(csrf.Handler(s.signedIn(s.deleteNote))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/tags", strict(csrf.Handler(s.signedIn(s.addTag))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/tags/remove", strict(csrf.Handler(s.signedIn(s.removeTag))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/assignee", strict(csrf.Handler(s.signedIn(s.assign))))
	s.mux.Handle("GET /app/w/{ws}/export.csv", strict(s.signedIn(s.feedExport)))
	// Corrections of the feed: admins and owners.
	s.mux.Handle("POST /app/w/{ws}/c/{company}/hide", strict(csrf.Handler(s.signedIn(s.hideCompany))))
	s.mux.Handle("POST /app/w/{ws}/c/{company}/unhide", strict(csrf.Handler(s.signedIn(s.unhideCompany))))
	s.mux.Handle("GET /app/w/{ws}/hidden", strict(s.signedIn(s.hiddenPage)))
	s.mux.Handle("POST /app/w/{ws}/hidden/undo", strict(csrf.Handler(s.signedIn(s.unhideOrg))))
	s.mux.Handle("POST /app/w/{ws}/hidden/show", strict(csrf.Handler(s.signedIn(s.showOrg))))
	s.mux.Handle("POST /app/w/{ws}/hidden/domain", strict(csrf.Handler(s.signedIn(s.hideDomain))))
	s.mux.Handle("POST /app/w/{ws}/hidden/types", strict(csrf.Handler(s.signedIn(s.setHiddenTypes))))
	s.mux.Handle("GET /app/w/{ws}/hidden/classify.tsv", strict(s.signedIn(s.classifyTSV)))
	s.mux.Handle("POST /app/w/{ws}/feeds", strict(csrf.Handler(s.signedIn(s.saveFeed))))
	s.mux.Handle("POST /app/w/{ws}/feeds/{feed}/delete", strict(csrf.Handler(s.signedIn(s.deleteSavedFeed))))
	s.mux.Handle("POST /app/w/{ws}/feeds/{feed}/alert", strict(csrf.Handler(s.signedIn(s.setFeedAlert))))
	s.mux.Handle("GET /app/w/{ws}/sites", strict(s.signedIn(s.sitesPage)))
	s.mux.Handle("GET /app/w/{ws}/sites/{site}", strict(s.signedIn(s.overviewPage)))
	s.mux.Handle("POST /app/w/{ws}/sites", strict(csrf.Handler(s.signedIn(s.addSite))))
	s.mux.Handle("GET /app/w/{ws}/sites/{site}/settings", strict(s.signedIn(s.settingsPage)))
	s.mux.Handle("POST /app/w/{ws}/sites/{site}/settings", strict(csrf.Handler(s.signedIn(s.saveSettings))))
	s.mux.Handle("POST /app/w/{ws}/sites/{site}/delete", strict(csrf.Handler(s.signedIn(s.deleteSite))))
	s.mux.Handle("POST /app/w/{ws}/sites/{site}/test-visit", strict(csrf.Handler(s.signedIn(s.testVisit))))
	s.mux.Handle("GET /app/w/{ws}/members", strict(s.signedIn(s.membersPage)))
	s.mux.Handle("GET /app/w/{ws}/contacts", strict(s.signedIn(s.contactsPage)))
	s.mux.Handle("GET /app/w/{ws}/contacts/new", strict(s.signedIn(s.newContactPage)))
	s.mux.Handle("POST /app/w/{ws}/contacts", strict(csrf.Handler(s.signedIn(s.createContact))))
	s.mux.Handle("GET /app/w/{ws}/contacts/{contact}", strict(s.signedIn(s.contactPage)))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}", strict(csrf.Handler(s.signedIn(s.updateContact))))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/consent", strict(csrf.Handler(s.signedIn(s.setContactConsent))))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/delete", strict(csrf.Handler(s.signedIn(s.deleteContact))))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/requests", strict(csrf.Handler(s.signedIn(s.openRequest))))
	s.mux.Handle("GET /app/w/{ws}/requests", strict(s.signedIn(s.requestsPage)))
	s.mux.Handle("POST /app/w/{ws}/requests/days", strict(csrf.Handler(s.signedIn(s.setRequestDays))))
	s.mux.Handle("POST /app/w/{ws}/requests/{request}/fulfil", strict(csrf.Handler(s.signedIn(s.fulfilRequest))))
	s.mux.Handle("POST /app/w/{ws}/requests/{request}/reject", strict(csrf.Handler(s.signedIn(s.rejectRequest))))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/keep", strict(csrf.Handler(s.signedIn(s.keepContact))))
	s.mux.Handle("GET /app/w/{ws}/settings", strict(s.signedIn(s.workspaceSettingsPage)))
	s.mux.Handle("GET /app/w/{ws}/segments", strict(s.signedIn(s.segmentsPage)))
	s.mux.Handle("GET /app/w/{ws}/segments/new", strict(s.signedIn(s.newSegmentPage)))
	s.mux.Handle("POST /app/w/{ws}/segments", strict(csrf.Handler(s.signedIn(s.saveSegment))))
	s.mux.Handle("POST /app/w/{ws}/segments/evaluate", strict(csrf.Handler(s.signedIn(s.requestEvaluation))))
	s.mux.Handle("GET /app/w/{ws}/segments/{segment}", strict(s.signedIn(s.segmentPage)))
	s.mux.Handle("POST /app/w/{ws}/segments/{segment}", strict(csrf.Handler(s.signedIn(s.saveSegment))))
	s.mux.Handle("GET /app/w/{ws}/segments/{segment}/edit", strict(s.signedIn(s.editSegmentPage)))
	s.mux.Handle("POST /app/w/{ws}/segments/{segment}/delete", strict(csrf.Handler(s.signedIn(s.deleteSegment))))
	s.mux.Handle("POST /app/w/{ws}/segments/{segment}/members", strict(csrf.Handler(s.signedIn(s.addSegmentMember))))
	s.mux.Handle("POST /app/w/{ws}/segments/{segment}/members/{contact}/remove", strict(csrf.Handler(s.signedIn(s.removeSegmentMember))))
	s.mux.Handle("GET /app/w/{ws}/scoring", strict(s.signedIn(s.scoringPage)))
	s.mux.Handle("POST /app/w/{ws}/scoring/rules", strict(csrf.Handler(s.signedIn(s.createScoreRule))))
	s.mux.Handle("POST /app/w/{ws}/scoring/rules/{rule}/delete", strict(csrf.Handler(s.signedIn(s.deleteScoreRule))))
	s.mux.Handle("POST /app/w/{ws}/scoring/half-life", strict(csrf.Handler(s.signedIn(s.setScoreHalfLife))))
	s.mux.Handle("GET /app/w/{ws}/privacy-texts", strict(s.signedIn(s.privacyTextsPage)))
	s.mux.Handle("GET /app/w/{ws}/privacy-texts.md", strict(s.signedIn(s.privacyTextsMarkdown)))
	s.mux.Handle("GET /app/w/{ws}/privacy-texts.html", strict(s.signedIn(s.privacyTextsHTML)))
	s.mux.Handle("GET /app/w/{ws}/audit", strict(s.signedIn(s.auditPage)))
	s.mux.Handle("GET /app/w/{ws}/audit.csv", strict(s.signedIn(s.auditExport)))
	s.mux.Handle("POST /app/w/{ws}/settings/tracking-mode", strict(csrf.Handler(s.signedIn(s.setTrackingMode))))
	s.mux.Handle("POST /app/w/{ws}/settings/persona", strict(csrf.Handler(s.signedIn(s.setPersona))))
	s.mux.Handle("POST /app/w/{ws}/settings/retention", strict(csrf.Handler(s.signedIn(s.setRetention))))
	s.mux.Handle("POST /app/w/{ws}/settings/hubspot", strict(csrf.Handler(s.signedIn(s.setHubSpot))))
	s.mux.Handle("POST /app/w/{ws}/settings/hubspot/check", strict(csrf.Handler(s.signedIn(s.checkHubSpot))))
	s.mux.Handle("POST /app/w/{ws}/invites", strict(csrf.Handler(s.signedIn(s.invite))))
	s.mux.Handle("POST /app/w/{ws}/members/{user}/reset", strict(csrf.Handler(s.signedIn(s.resetLink))))
	s.mux.Handle("POST /app/w/{ws}/members/{user}/role", strict(csrf.Handler(s.signedIn(s.changeRole))))
	s.mux.Handle("POST /app/w/{ws}/members/{user}/remove", strict(csrf.Handler(s.signedIn(s.removeMember))))
	s.mux.Handle("POST /app/w/{ws}/invites/{invite}/revoke", strict(csrf.Handler(s.signedIn(s.revokeInvite))))
	s.mux.Handle("GET /invite/{token}", strict(http.HandlerFunc(s.acceptInvite)))
	s.mux.Handle("POST /invite/{token}", strict(csrf.Handler(http.HandlerFunc(s.acceptInvite))))
	s.mux.Handle("GET /login/sso/{provider}", strict(http.HandlerFunc(s.ssoStart)))
	s.mux.Handle("GET /login/sso/{provider}/callback", strict(s.throttled(http.HandlerFunc(s.ssoCallback))))
	s.mux.Handle("GET /invite/{token}/sso/{provider}", strict(http.HandlerFunc(s.ssoInviteStart)))
	s.mux.Handle("GET /setup/{token}", strict(http.HandlerFunc(s.setup)))
	s.mux.Handle("POST /setup/{token}", strict(csrf.Handler(s.throttled(http.HandlerFunc(s.setup)))))
	s.mux.Handle("GET /login/forgot", strict(http.HandlerFunc(s.forgotPage)))
	s.mux.Handle("POST /login/forgot", strict(csrf.Handler(s.throttled(http.HandlerFunc(s.forgot)))))
	s.mux.Handle("GET /reset/{token}", strict(http.HandlerFunc(s.resetPassword)))
	s.mux.Handle("POST /reset/{token}", strict(csrf.Handler(http.HandlerFunc(s.resetPassword))))
	s.mux.Handle("GET /app/w/{ws}/contacts/import", strict(s.signedIn(s.importPage)))
	s.mux.Handle("POST /app/w/{ws}/contacts/import", strict(csrf.Handler(s.signedIn(s.uploadImport))))
	s.mux.Handle("GET /app/w/{ws}/contacts/import/records/{import}", strict(s.signedIn(s.importRecord)))
	s.mux.Handle("GET /app/w/{ws}/contacts/import/u/{upload}", strict(s.signedIn(s.importStep)))
	s.mux.Handle("GET /app/w/{ws}/contacts/import/u/{upload}/progress", strict(s.signedIn(s.importProgress)))
	s.mux.Handle("POST /app/w/{ws}/contacts/import/u/{upload}/preview", strict(csrf.Handler(s.signedIn(s.previewImport))))
	s.mux.Handle("POST /app/w/{ws}/contacts/import/u/{upload}/start", strict(csrf.Handler(s.signedIn(s.startImport))))
	s.mux.Handle("POST /app/w/{ws}/contacts/import/u/{upload}/cancel", strict(csrf.Handler(s.signedIn(s.cancelImport))))
	// Persona Insights: the activity stream, and unlinking a contact's
	// visits.
	s.mux.Handle("GET /app/w/{ws}/activity", strict(s.signedIn(s.activityPage)))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/visits/unlink", strict(csrf.Handler(s.signedIn(s.unlinkContactVisits))))
	s.mux.Handle("POST /app/w/{ws}/contacts/{contact}/visits/{visit}/unlink", strict(csrf.Handler(s.signedIn(s.unlinkVisit))))
	s.mountAutomations(csrf)
	s.mountFormPages()
	// The hosted contact forms: public, signed in by the link's token in
	// the path (internal/formlink), which a cross-site POST cannot guess.
	s.mux.Handle("GET /forms/{ws}/profile/{token}", strict(http.HandlerFunc(s.profileForm)))
	s.mux.Handle("POST /forms/{ws}/profile/{token}", strict(csrf.Handler(http.HandlerFunc(s.profileForm))))
	s.mux.Handle("GET /forms/{ws}/optout/{token}", strict(http.HandlerFunc(s.optOutForm)))
	s.mux.Handle("POST /forms/{ws}/optout/{token}", strict(csrf.Handler(http.HandlerFunc(s.optOutForm))))
	s.mux.Handle("GET /forms/{ws}/optout/{token}/done", strict(http.HandlerFunc(s.optOutDone)))
	s.mux.Handle("GET /forms/{ws}/unsubscribe/{token}", strict(http.HandlerFunc(s.unsubscribeForm)))
	s.mux.Handle("POST /forms/{ws}/unsubscribe/{token}", strict(csrf.Handler(http.HandlerFunc(s.unsubscribeForm))))
	s.mux.Handle("GET /forms/{ws}/unsubscribe/{token}/done", strict(http.HandlerFunc(s.unsubscribeDone)))
	s.mux.Handle("GET /forms/browser/{token}", strict(http.HandlerFunc(s.browserHop)))
	s.mux.HandleFunc("GET /forms/logo/{ws}", s.logo)
	s.mountContactAPI()
	s.mountEmailTracking()
	s.mountCampaigns(csrf)
	s.mountSegmentAPI()

	// The JSON API: bearer tokens, no cookies, so no cross-site forgery.
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.openapi)
	s.mux.HandleFunc("GET /api/v1/companies", s.withToken(s.apiCompanies))
	s.mux.HandleFunc("GET /api/v1/companies/{id}/visits", s.withToken(s.apiVisits))
	s.mux.HandleFunc("GET /api/v1/sites", s.withToken(s.apiSites))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}/links", s.withToken(s.apiContactLinks))
	return s
}

// Close waits for what the server still records in the background (when
// sessions and tokens were last used), at most a few seconds, and records
// no more. Call it after the last request and before closing the store.
func (s *Server) Close() { s.lastUsed.close() }

// throttled refuses a client that tries to sign in too often, across
// accounts: the per-account lock-out does not stop one address trying
// many accounts. The address is a lookup key in memory, never kept.
func (s *Server) throttled(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allowSignIn(w, r) {
			s.render(w, http.StatusTooManyRequests, "login", s.newLoginView(errTooManyAttempts))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// errTooManyAttempts is the answer to a client over the sign-in limit.
const errTooManyAttempts = "Too many sign-in attempts from your network. Wait a minute and try again."

// allowSignIn counts a sign-in attempt of the request's client against the
// limit; over it, it sets Retry-After and reports false, and the caller
// answers 429 with errTooManyAttempts on its own page.
func (s *Server) allowSignIn(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.SignInLimit.Allow(s.cfg.ClientIP.From(r)) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	return false
}

// pagePolicy allows the page's own style sheet and images, and nothing
// else: no script at all, inline or not, no framing, forms only to Foyer.
const pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// strict adds the app's security headers.
func strict(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", pagePolicy)
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
		hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.ServeHTTP(w, r)
	})
}

// ServeHTTP serves a request with Foyer's common headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	BaseHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// BaseHeaders sets the headers every answer of Foyer carries: no content
// sniffing, no referrer.
func BaseHeaders(h http.Header) {
	// The values are shared by all answers, as collect's anyOrigin is:
	// assigning the slice spares every request, the collector's above
	// all, two allocations.
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = noReferrer
}

var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when Foyer can take and store batches: the
// collector's writer is neither stalled past its commit deadline nor full,
// and the store answers; 503 with the reason otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		body, ok := s.cfg.Ready(ctx)
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		w.Write([]byte(body))
		return
	}
	// The collector's state first: it is known without a round trip.
	if s.cfg.Collect != nil {
		if err := s.cfg.Collect.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(foyer.ErrorMessage(err) + "\n"))
			return
		}
	}
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.cfg.Log.Error("readyz: store not reachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("store not reachable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

var aboutDataPage = template.Must(template.New("about-data").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data sources · Foyer</title><link rel="stylesheet" href="/static/foyer.css"></head>
<body><a class="skip" href="#main">Skip to the main content</a>
<header class="top"><a class="brand" href="/">Foyer</a></header>
<main id="main" tabindex="-1"><section class="card about-data"><h1>Where company data comes from</h1>
<p>Foyer looks up each visit's network address in a table compiled from the sources below, keeps the
country, city and organisation it finds, and forgets the address.</p>
{{if .}}<p>Table built {{.BuiltAt.Format "2 January 2006, 15:04 MST"}}: {{.Ranges4}} IPv4 and {{.Ranges6}} IPv6 ranges.</p>
<ul>{{range .Sources}}
<li><strong>{{.Name}}</strong>{{if .Version}} (version {{.Version}}){{end}}{{if .Attribution}}: {{.Attribution}}.
{{if .License}}Licence: {{.License}}.{{end}} {{if .URL}}<a href="{{.URL}}">{{.URL}}</a>{{end}}{{end}}</li>{{end}}
</ul>{{else}}<p>No IP data table is loaded: every visit's organisation is unknown.</p>{{end}}
<h2>Company details</h2>
<p>A company's common name, website, industry, number of employees, country and LinkedIn page come, where the
operator's own company list says nothing, from <strong>Wikidata</strong>, the free knowledge base (data under
CC0 1.0), <a href="https://www.wikidata.org/">https://www.wikidata.org/</a>. Foyer sends Wikidata an
organisation's domain or registered name, never anything about a visitor, and keeps what it finds. An operator
turns this off with <code>foyer serve --no-enrich</code>.</p>
</section></main></body></html>
`))

func (s *Server) aboutData(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'")
	var info *ipdata.Info
	if s.cfg.IPData != nil {
		if t := s.cfg.IPData.Table(); t != nil {
			i := t.Info()
			info = &i
		}
	}
	aboutDataPage.Execute(w, info)
}
