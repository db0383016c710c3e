package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// The campaign pages: the list of the workspace's campaigns and each
// one's results. Any member may view them. The list of contacts who
// opened or clicked is personal data: showing it is recorded in the audit
// log as a view of contacts.

// campaignsView is what the campaign list shows.
type campaignsView struct {
	layout
	Campaigns []*foyer.Campaign
}

// campaignView is what a campaign's results page shows.
type campaignView struct {
	layout
	Campaign  *foyer.Campaign
	Engaged   []foyer.EngagedContact
	Untracked int64 // recipients who opened or clicked and may not be tracked
	// Progress counts the messages Foyer sends itself; CanSend (admins
	// and owners) and Relay (one is configured) show the send form.
	Progress       foyer.DeliveryProgress
	CanSend, Relay bool
	Form           deliveryForm
	// The limits the page states.
	MaxAttempts, MaxPace, MaxRecipients int
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Campaigns(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "campaigns", u, err)
		return
	}
	d := campaignsView{layout: layout{Title: "Campaigns", User: u, Workspace: m, Notice: noticeOf(r)}, Campaigns: list}
	s.render(w, http.StatusOK, "campaigns", d)
}

// campaignOf reads the campaign of the request's path: false, with the
// page answered, when there is none in the workspace.
func (s *Server) campaignOf(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership) (*foyer.Campaign, bool) {
	id, err := campaignID(r.PathValue("campaign"))
	var c *foyer.Campaign
	if err == nil {
		c, err = s.cfg.Store.Campaign(r.Context(), m.WorkspaceID, id)
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return nil, false
	case err != nil:
		s.serverErrorOf(w, "campaign", u, err)
		return nil, false
	}
	return c, true
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	c, ok := s.campaignOf(w, r, u, m)
	if !ok {
		return
	}
	s.renderCampaign(w, r, u, m, c, http.StatusOK, deliveryForm{})
}

// renderCampaign shows a campaign's results, its delivery progress and,
// to admins and owners, its send form as filled.
func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, c *foyer.Campaign, status int, form deliveryForm) {
	engaged, untracked, err := s.cfg.Store.EngagedContacts(r.Context(), m.WorkspaceID, c.ID)
	if err != nil {
		s.serverErrorOf(w, "campaign", u, err)
		return
	}
	progress, err := s.cfg.Store.DeliveryProgress(r.Context(), m.WorkspaceID, c.ID)
	if err != nil {
		s.serverErrorOf(w, "campaign", u, err)
		return
	}
	if len(engaged) > 0 && !s.auditRead(w, r, u, m.WorkspaceID, foyer.AuditContactViewed, "campaign", idOf(c.ID),
		fmt.Sprintf("the %d contacts who opened or clicked", len(engaged))) {
		return
	}
	if form.PerMinute == "" {
		form.PerMinute = strconv.Itoa(foyer.DefaultDeliveryPace)
	}
	d := campaignView{layout: layout{Title: c.Name, User: u, Workspace: m, Notice: noticeOf(r)}, Campaign: c, Engaged: engaged,
		Untracked: untracked, Progress: progress, CanSend: m.Role.AtLeast(foyer.RoleAdmin), Relay: s.cfg.Mail != nil, Form: form,
		MaxAttempts: foyer.MaxDeliveryAttempts, MaxPace: foyer.MaxDeliveryPace, MaxRecipients: foyer.MaxCampaignRecipients}
	s.render(w, status, "campaign", d)
}

// contactNotTargeted is how many of the workspace's latest campaigns the
// profile of a contact that may not be tracked lists as "not targeted".
const contactNotTargeted = 10

// contactCampaignsOf fills the campaigns of a contact's profile: those
// sent to it while tracked, or, when it may not be tracked now, the
// workspace's latest campaigns, every one "not targeted".
func (s *Server) contactCampaignsOf(r *http.Request, m foyer.Membership, c *foyer.Contact, d *contactView) error {
	if d.MayTrack {
		var err error
		d.Campaigns, err = s.cfg.Store.ContactCampaigns(r.Context(), m.WorkspaceID, c.ID)
		return err
	}
	list, err := s.cfg.Store.Campaigns(r.Context(), m.WorkspaceID)
	if err != nil {
		return err
	}
	d.NotTargeted = list[:min(len(list), contactNotTargeted)]
	return nil
}
