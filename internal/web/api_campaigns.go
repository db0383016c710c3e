package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/emailtrack"
)

// The campaigns API: a write token creates campaigns and makes their
// messages (sends); a read token reads them and their totals. Every call
// is scoped to the token's workspace: another workspace's campaign is not
// found.

// Body limits of the campaigns API: the HTML as JSON (escaped), and a
// sends call's recipients.
const (
	maxCampaignBody = 3 * foyer.MaxCampaignHTML
	maxSendsBody    = 256 << 10
	// maxSendsOutput bounds the messages one sends call returns (the
	// HTML's size times the recipients): past it, send fewer at a time.
	maxSendsOutput = 64 << 20
)

// mountCampaigns adds the campaigns' API routes and pages.
func (s *Server) mountCampaigns(csrf *http.CrossOriginProtection) {
	s.mux.HandleFunc("POST /api/v1/campaigns", s.withToken(s.apiCreateCampaign))
	s.mux.HandleFunc("GET /api/v1/campaigns", s.withToken(s.apiListCampaigns))
	s.mux.HandleFunc("GET /api/v1/campaigns/{id}", s.withToken(s.apiGetCampaign))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/sends", s.withToken(s.apiSendCampaign))
	s.mux.HandleFunc("POST /api/v1/campaigns/{id}/bounces", s.withToken(s.apiBounces))
	s.mux.Handle("GET /app/w/{ws}/campaigns", strict(s.signedIn(s.campaignsPage)))
	s.mux.Handle("GET /app/w/{ws}/campaigns/{campaign}", strict(s.signedIn(s.campaignPage)))
	s.mountDeliveries(csrf)
}

// apiCampaign is a campaign as the API shows it.
type apiCampaign struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	Subject   string            `json:"subject"`
	HTML      string            `json:"html,omitempty"` // GET /campaigns/{id} only
	CreatedBy string            `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
	Links     []apiCampaignLink `json:"links,omitempty"`
	Totals    apiTotals         `json:"totals"`
}

type apiCampaignLink struct {
	Position      int    `json:"position"`
	URL           string `json:"url"`
	Clicks        int64  `json:"clicks"`
	UniqueClicks  int64  `json:"unique_clicks"`
	MachineClicks int64  `json:"machine_clicks"`
}

// apiTotals are a campaign's counts: of people, with the machines' apart.
type apiTotals struct {
	Sent          int64   `json:"sent"`
	Bounced       int64   `json:"bounced"`
	Delivered     int64   `json:"delivered"`
	Opens         int64   `json:"opens"`
	UniqueOpens   int64   `json:"unique_opens"`
	Clicks        int64   `json:"clicks"`
	UniqueClicks  int64   `json:"unique_clicks"`
	ClickThrough  float64 `json:"click_through"` // unique clicks / delivered
	MachineOpens  int64   `json:"machine_opens"`
	MachineClicks int64   `json:"machine_clicks"`
	Untracked     int64   `json:"untracked_recipients"`
}

func apiCampaignOf(c *foyer.Campaign) apiCampaign {
	t := c.Totals
	out := apiCampaign{ID: c.ID, Name: c.Name, Subject: c.Subject, HTML: c.HTML, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt,
		Totals: apiTotals{Sent: t.Sent, Bounced: t.Bounced, Delivered: t.Delivered, Opens: t.Opens, UniqueOpens: t.UniqueOpens,
			Clicks: t.Clicks, UniqueClicks: t.UniqueClicks, ClickThrough: t.ClickThrough, MachineOpens: t.MachineOpens,
			MachineClicks: t.MachineClicks, Untracked: t.Untracked}}
	for _, l := range c.Links {
		out.Links = append(out.Links, apiCampaignLink{Position: l.Position, URL: l.URL, Clicks: l.Clicks,
			UniqueClicks: l.UniqueClicks, MachineClicks: l.MachineClicks})
	}
	return out
}

// campaignID reads the path's campaign ID; ENOTFOUND when it is not one.
func campaignID(v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, foyer.Errorf(foyer.ENOTFOUND, "no campaign %q", v)
	}
	return id, nil
}

// apiCreateCampaign: POST /api/v1/campaigns {"name","subject","html"} —
// stores the campaign and the links of its HTML, in order.
func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, maxCampaignBody)
	if !ok {
		return
	}
	var in struct {
		Name    string `json:"name"`
		Subject string `json:"subject"`
		HTML    string `json:"html"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	c := &foyer.Campaign{WorkspaceID: t.WorkspaceID, Name: in.Name, Subject: in.Subject, HTML: in.HTML, CreatedBy: tokenActor(t)}
	for _, u := range emailtrack.Links(in.HTML) {
		c.Links = append(c.Links, foyer.CampaignLink{URL: u})
	}
	if err := s.cfg.Store.CreateCampaign(r.Context(), c); err != nil {
		s.apiFail(w, "api create campaign", err)
		return
	}
	apiJSONStatus(w, http.StatusCreated, apiCampaignOf(c))
}

// apiListCampaigns: GET /api/v1/campaigns — the workspace's campaigns,
// newest first, with totals.
func (s *Server) apiListCampaigns(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	list, err := s.cfg.Store.Campaigns(r.Context(), t.WorkspaceID)
	if err != nil {
		s.apiServerError(w, "api campaigns", err)
		return
	}
	out := struct {
		Data []apiCampaign `json:"data"`
	}{Data: []apiCampaign{}}
	for _, c := range list {
		out.Data = append(out.Data, apiCampaignOf(c))
	}
	apiJSON(w, out)
}

// apiGetCampaign: GET /api/v1/campaigns/{id} — a campaign with its HTML,
// its links and their clicks, and its totals.
func (s *Server) apiGetCampaign(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := campaignID(r.PathValue("id"))
	if err == nil {
		var c *foyer.Campaign
		if c, err = s.cfg.Store.Campaign(r.Context(), t.WorkspaceID, id); err == nil {
			apiJSON(w, apiCampaignOf(c))
			return
		}
	}
	s.apiFail(w, "api campaign", err)
}

// apiSendResult is the message made for one recipient, or its error.
type apiSendResult struct {
	Index       int        `json:"index"`
	RecipientID int64      `json:"recipient_id,omitempty"`
	Tracked     *bool      `json:"tracked,omitempty"` // false: anonymised at the source
	HTML        string     `json:"html,omitempty"`
	Error       *bulkError `json:"error,omitempty"`
}

// apiRecipient is a recipient as the sends and deliveries calls take it:
// a contact's ID or an email address.
type apiRecipient struct {
	ContactID int64  `json:"contact_id"`
	Email     string `json:"email"`
}

// recipientsOfAPI returns the recipients of a call for the store.
func recipientsOfAPI(in []apiRecipient) []foyer.Recipient {
	to := make([]foyer.Recipient, len(in))
	for i, rc := range in {
		to[i] = foyer.Recipient{ContactID: rc.ContactID, Email: rc.Email}
	}
	return to
}

// sendResults tells, for each recipient of a call in order, what the
// store made of it: its recipient ID (and, when html is not nil, its
// message), or its error; with the counts of each.
func sendResults(made []foyer.RecipientTokens, html func(foyer.RecipientTokens) string) (out []apiSendResult, ok, failed int) {
	out = make([]apiSendResult, len(made))
	for i, m := range made {
		res := apiSendResult{Index: i}
		if m.Err != nil {
			res.Error = &bulkError{foyer.ErrorCode(m.Err), foyer.ErrorMessage(m.Err)}
			failed++
		} else {
			tracked := m.Tracked
			res.RecipientID, res.Tracked = m.RecipientID, &tracked
			if html != nil {
				res.HTML = html(m)
			}
			ok++
		}
		out[i] = res
	}
	return out, ok, failed
}

// apiSendCampaign: POST /api/v1/campaigns/{id}/sends {"recipients":
// [{"contact_id": 7} or {"email": "…"}, …]} — makes each recipient's
// message, ready for any email service: its links wrapped (/c/{token})
// and an open pixel (/o/{token}). A recipient that names no contact of
// the workspace gets an error in its result, and nothing is stored for
// it; the others are made.
func (s *Server) apiSendCampaign(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
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
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	switch {
	case len(in.Recipients) == 0:
		apiError(w, foyer.Errorf(foyer.EINVALID, `recipients: required, a list of {"contact_id": …} or {"email": …}`))
		return
	case len(in.Recipients) > foyer.MaxCampaignRecipients:
		apiError(w, foyer.Errorf(foyer.EINVALID, "%d recipients: at most %d a call; nothing was made", len(in.Recipients), foyer.MaxCampaignRecipients))
		return
	}
	c, err := s.cfg.Store.Campaign(r.Context(), t.WorkspaceID, id)
	if err != nil {
		s.apiFail(w, "api send campaign", err)
		return
	}
	if len(c.HTML)*len(in.Recipients) > maxSendsOutput {
		apiError(w, foyer.Errorf(foyer.EINVALID, "%d recipients of a %d KiB message make too large an answer: send at most %d a call",
			len(in.Recipients), len(c.HTML)>>10, max(1, maxSendsOutput/len(c.HTML))))
		return
	}
	made, err := s.cfg.Store.SendCampaign(r.Context(), t.WorkspaceID, id, recipientsOfAPI(in.Recipients))
	if err != nil {
		s.apiFail(w, "api send campaign", err)
		return
	}
	base := s.baseURL(r)
	out := struct {
		Subject string          `json:"subject"`
		Made    int             `json:"made"`
		Errors  int             `json:"errors"`
		Results []apiSendResult `json:"results"`
	}{Subject: c.Subject}
	out.Results, out.Made, out.Errors = sendResults(made, func(m foyer.RecipientTokens) string {
		return emailtrack.Rewrite(c.HTML, base, m.Links, m.Open)
	})
	apiJSON(w, out)
}

// apiBounces: POST /api/v1/campaigns/{id}/bounces {"bounces":
// [{"recipient_id": 7, "reason": "550 5.1.1 user unknown"}, …]} — the
// email tool reports the messages that bounced, by the recipient_id the
// sends call gave; delivered is then sent minus bounced. A recipient's
// first bounce is kept; the reason is kept without any address it quotes.
// Each bounce is done on its own: one of an unknown recipient is reported
// in its result.
func (s *Server) apiBounces(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
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
		Bounces []struct {
			RecipientID int64  `json:"recipient_id"`
			Reason      string `json:"reason"`
		} `json:"bounces"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	switch {
	case len(in.Bounces) == 0:
		apiError(w, foyer.Errorf(foyer.EINVALID, `bounces: required, a list of {"recipient_id": …, "reason": …}`))
		return
	case len(in.Bounces) > foyer.MaxCampaignRecipients:
		apiError(w, foyer.Errorf(foyer.EINVALID, "%d bounces: at most %d a call; nothing was recorded", len(in.Bounces), foyer.MaxCampaignRecipients))
		return
	}
	if _, err := s.cfg.Store.Campaign(r.Context(), t.WorkspaceID, id); err != nil {
		s.apiFail(w, "api bounces", err)
		return
	}
	type result struct {
		Index int        `json:"index"`
		Error *bulkError `json:"error,omitempty"`
	}
	out := struct {
		Recorded int      `json:"recorded"`
		Errors   int      `json:"errors"`
		Results  []result `json:"results"`
	}{Results: make([]result, len(in.Bounces))}
	for i, bn := range in.Bounces {
		out.Results[i].Index = i
		err := s.cfg.Store.RecordBounce(r.Context(), t.WorkspaceID, id, bn.RecipientID, bn.Reason)
		switch {
		case err == nil:
			out.Recorded++
		case foyer.ErrorCode(err) == foyer.EINTERNAL:
			s.apiServerError(w, "api bounces", err)
			return
		default:
			out.Errors++
			out.Results[i].Error = &bulkError{foyer.ErrorCode(err), foyer.ErrorMessage(err)}
		}
	}
	apiJSON(w, out)
}
