package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// Deliveries: Foyer sends a campaign itself through the operator's SMTP
// relay. An API call with a write token, or an admin or owner on the
// campaign's page, starts a delivery job; the background sender
// (internal/campaignsend) mails its messages at its pace. Without a relay
// there is no sender, and starting a job is refused.

// mountDeliveries adds the deliveries' API routes and the page's form.
func (s *Server) mountDeliveries(csrf *http.CrossOriginProtection) {
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/deliveries", s.withToken(s.apiStartDelivery))
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}/deliveries", s.withToken(s.apiDeliveryProgress))
	s.mux.Handle("POST /app/w/{ws}/campaigns/{campaign}/deliveries", strict(csrf.Handler(s.signedIn(s.startDelivery))))
}

// errNoRelay answers a send when no SMTP relay is configured.
var errNoRelay = foyer.Errorf(foyer.ECONFLICT, "no SMTP relay is configured, so Foyer cannot send campaigns itself: use the sends call with your email tool, or ask the operator to set --smtp-addr")

// apiProgress is a campaign's delivery progress as the API shows it.
type apiProgress struct {
	Queued    int64 `json:"queued"`
	Sending   int64 `json:"sending"`
	Sent      int64 `json:"sent"`
	Bounced   int64 `json:"bounced"`
	Failed    int64 `json:"failed"`
	Unknown   int64 `json:"unknown"` // interrupted while the relay had them: not sent again
	PerMinute int   `json:"per_minute"`
	Running   bool  `json:"running"`
}

func apiProgressOf(p foyer.DeliveryProgress) apiProgress {
	return apiProgress{Queued: p.Queued, Sending: p.Sending, Sent: p.Sent, Bounced: p.Bounced, Failed: p.Failed,
		Unknown: p.Unknown, PerMinute: p.PerMinute, Running: p.Running()}
}

// apiStartDelivery: POST /api/v1/campaigns/{id}/deliveries {"recipients":
// [{"contact_id": 7} or {"email": "…"}, …], "per_minute": 60} — makes each
// recipient's message as a sends call does and queues it for the relay.
// A recipient that names no contact gets an error in its result.
func (s *Server) apiStartDelivery(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, maxSendsBody)
	if !ok {
		return
	}
	id, err := campaignID(r.PathValue("id"))
	if err != nil {
		apiError(w, err)
		return
	}
	var in struct {
		Recipients []apiRecipient `json:"recipients"`
		PerMinute  int            `json:"per_minute"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	switch {
	case s.cfg.Mail == nil:
		apiError(w, errNoRelay)
		return
	case len(in.Recipients) == 0:
		apiError(w, foyer.Errorf(foyer.EINVALID, `recipients: required, a list of {"contact_id": …} or {"email": …}`))
		return
	}
	job := foyer.DeliveryJob{WorkspaceID: t.WorkspaceID, CampaignID: id, PerMinute: in.PerMinute,
		BaseURL: s.baseURL(r), CreatedBy: tokenActor(t), To: recipientsOfAPI(in.Recipients)}
	made, err := s.cfg.Store.QueueDeliveries(r.Context(), job)
	if err != nil {
		s.apiFail(w, "api start delivery", err)
		return
	}
	out := struct {
		Queued  int             `json:"queued"`
		Errors  int             `json:"errors"`
		Results []apiSendResult `json:"results"`
	}{}
	out.Results, out.Queued, out.Errors = sendResults(made, nil)
	s.auditToken(r, t, foyer.AuditCampaignSent, "campaign", idOf(id), fmt.Sprintf("%d messages queued for the relay", out.Queued))
	apiJSONStatus(w, http.StatusAccepted, out)
}

// apiDeliveryProgress: GET /api/v1/campaigns/{id}/deliveries — how many
// of the campaign's messages are queued, sent, bounced or failed.
func (s *Server) apiDeliveryProgress(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := campaignID(r.PathValue("id"))
	if err == nil {
		var p foyer.DeliveryProgress
		if p, err = s.cfg.Store.DeliveryProgress(r.Context(), t.WorkspaceID, id); err == nil {
			apiJSON(w, apiProgressOf(p))
			return
		}
	}
	s.apiFail(w, "api delivery progress", err)
}

// maxDeliveryForm bounds the form's body: a thousand addresses.
const maxDeliveryForm = 256 << 10

// recipientsOf reads the form's recipients, one a line: a contact's
// number, or an email address. Blank lines are skipped.
func recipientsOf(text string) []foyer.Recipient {
	var out []foyer.Recipient
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if id, err := strconv.ParseInt(strings.TrimPrefix(line, "#"), 10, 64); err == nil && id > 0 {
			out = append(out, foyer.Recipient{ContactID: id})
			continue
		}
		out = append(out, foyer.Recipient{Email: line})
	}
	return out
}

// startDelivery: the campaign page's form (admins and owners) starts a
// delivery job for the recipients listed.
func (s *Server) startDelivery(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	c, ok := s.campaignOf(w, r, u, m)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDeliveryForm)
	to := recipientsOf(r.PostFormValue("recipients"))
	pace, perr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("per_minute")))
	form := deliveryForm{Recipients: r.PostFormValue("recipients"), PerMinute: r.PostFormValue("per_minute")}
	var err error
	switch {
	case s.cfg.Mail == nil:
		err = errNoRelay
	case len(to) == 0:
		err = foyer.Errorf(foyer.EINVALID, "list the recipients: an email address or a contact's number a line")
	case perr != nil:
		err = foyer.Errorf(foyer.EINVALID, "the pace is a number of messages a minute, from 1 to %d", foyer.MaxDeliveryPace)
	}
	var made []foyer.RecipientTokens
	if err == nil {
		made, err = s.cfg.Store.QueueDeliveries(r.Context(), foyer.DeliveryJob{WorkspaceID: m.WorkspaceID, CampaignID: c.ID,
			To: to, PerMinute: pace, BaseURL: s.baseURL(r), CreatedBy: actorOf(u)})
	}
	if code := foyer.ErrorCode(err); err != nil && code != foyer.EINVALID && code != foyer.ECONFLICT {
		s.serverErrorOf(w, "campaign delivery", u, err)
		return
	}
	if err != nil {
		form.Error = "Nothing was sent: " + foyer.ErrorMessage(err)
		s.renderCampaign(w, r, u, m, c, http.StatusBadRequest, form)
		return
	}
	queued, bad := 0, []string{}
	for i, mm := range made {
		if mm.Err != nil {
			bad = append(bad, fmt.Sprintf("line %d (%s)", i+1, foyer.ErrorMessage(mm.Err)))
		} else {
			queued++
		}
	}
	if queued > 0 {
		s.audit(r, u, m.WorkspaceID, foyer.AuditCampaignSent, "campaign", idOf(c.ID), fmt.Sprintf("%d messages queued for the relay", queued))
	}
	if len(bad) > 0 {
		form = deliveryForm{PerMinute: form.PerMinute, Error: fmt.Sprintf("%d messages queued. These lines name no contact of the workspace and were left out: %s.",
			queued, strings.Join(bad, "; "))}
		s.renderCampaign(w, r, u, m, c, http.StatusOK, form)
		return
	}
	done(w, r, fmt.Sprintf("/app/w/%d/campaigns/%d", m.WorkspaceID, c.ID), "delivery-started")
}

// deliveryForm is the send form of a campaign's page, as it was filled.
type deliveryForm struct {
	Recipients, PerMinute, Error string
}
