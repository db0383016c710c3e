package foyer

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Email campaigns: a message (subject and HTML) that a workspace sends with
// any email tool. Foyer makes each recipient's copy, with its links wrapped
// (/c/{token}) and an open pixel (/o/{token}), and counts what comes back.
// Engagement is anonymised at the source: a recipient who may not be
// tracked (MayTrack, with the workspace's mode) is never linked to the
// contact, and one who refuses later is detached before any further open
// or click is written. The totals count every recipient either way.

// Limits of the campaign API.
const (
	MaxCampaignHTML       = 512 << 10 // bytes of a campaign's HTML
	MaxCampaignLinks      = 200       // links of one message
	MaxCampaignRecipients = 1000      // recipients of one sends call
	MaxCampaignName       = 200       // bytes of a name or a subject
	MaxBounceReason       = 200       // bytes of a bounce's reason kept
)

// Campaign is a message of a workspace, with its links in order.
type Campaign struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Subject     string
	HTML        string
	CreatedBy   string
	CreatedAt   time.Time
	Links       []CampaignLink // by position; filled by CampaignService.Campaign
	Totals      CampaignTotals
}

// CampaignLink is a link of a campaign's message and its clicks.
type CampaignLink struct {
	ID       int64
	Position int // from 1, in the order of the message
	URL      string
	// Clicks by people, the recipients who clicked it (people), and the
	// clicks taken for scanners.
	Clicks, UniqueClicks, MachineClicks int64
}

// CampaignTotals are a campaign's counts, of every recipient, tracked or
// not. Machine opens and clicks (scanners, prefetchers) are apart: Opens,
// Clicks and the unique counts are people's.
type CampaignTotals struct {
	Sent, Bounced, Delivered    int64
	Opens, UniqueOpens          int64
	Clicks, UniqueClicks        int64
	MachineOpens, MachineClicks int64
	Untracked                   int64 // recipients not linked to a contact (may not be tracked)
	ClickThrough, OpenRate      float64
}

// Finish computes Delivered and the rates from the counts.
func (t *CampaignTotals) Finish() {
	t.Delivered = t.Sent - t.Bounced
	if t.Delivered > 0 {
		t.ClickThrough = float64(t.UniqueClicks) / float64(t.Delivered)
		t.OpenRate = float64(t.UniqueOpens) / float64(t.Delivered)
	}
}

// Recipient names one recipient of a sends call: a contact's ID or email.
type Recipient struct {
	ContactID int64
	Email     string
}

// RecipientTokens is what the store made for one recipient of a sends
// call: the tokens of its open pixel and of each link (by position - 1),
// or Err when the recipient names no contact of the workspace (then
// nothing was stored for it).
type RecipientTokens struct {
	RecipientID int64
	Tracked     bool // linked to the contact (MayTrack allowed it)
	Open        string
	Links       []string
	Err         error
}

// EmailHitKind is an open or a click.
type EmailHitKind string

// Email hit kinds, as email_events.kind stores them.
const (
	HitOpen  EmailHitKind = "open"
	HitClick EmailHitKind = "click"
)

// EmailToken is what a token of a message's link or pixel leads to.
type EmailToken struct {
	WorkspaceID int64
	CampaignID  int64
	RecipientID int64
	LinkID      int64  // 0 for the pixel
	URL         string // the link's stored URL; "" for the pixel
	Links       int    // links of the message
	SentAt      time.Time
	// ContactID is the recipient's contact when it is linked to one and
	// MayTrack allows it now; 0 otherwise. Linkable says Persona Insights
	// is on as well, so that a landing may be identified (fy_t).
	ContactID int64
	Linkable  bool
}

// EmailEvent is an open or a click to record. Machine is "" for a
// person, else why it was taken for a scanner or prefetcher.
type EmailEvent struct {
	WorkspaceID, CampaignID, RecipientID, LinkID int64
	Kind                                         EmailHitKind
	At                                           time.Time
	Machine                                      string
	Links                                        int // links of the message, for the all-links check
}

// AllLinksWindow is how close together clicks on every link of a message
// must come for them to be taken for a link checker's (MachineAllLinks).
const AllLinksWindow = 2 * time.Second

// PrefetchWindow is how soon after the send an open is taken for a
// prefetch by a mail gateway or client (MachinePrefetch).
const PrefetchWindow = 10 * time.Second

// Machine reasons (email_events.machine).
const (
	MachineHead     = "head"          // a HEAD request: link checkers, never a person
	MachineAgent    = "scanner-agent" // a user agent of a known scanner or link checker
	MachinePrefetch = "prefetch"      // an open within seconds of the send
	MachineAllLinks = "all-links"     // every link of the message clicked within seconds
	MachineNetwork  = "gateway"       // from a mail gateway's network (operator's CIDRs)
)

// EngagedContact is a tracked contact who opened or clicked a campaign.
type EngagedContact struct {
	ContactID             int64
	Name, Email           string
	FirstOpen, FirstClick time.Time // zero when none
	Opens, Clicks         int64
}

// ContactCampaign is a campaign sent to a tracked contact, as its profile
// shows it.
type ContactCampaign struct {
	CampaignID            int64
	Name                  string
	SentAt                time.Time
	FirstOpen, FirstClick time.Time // zero when none
}

// CampaignService keeps campaigns and their engagement. Every method is
// scoped by the workspace: another workspace's campaign is ENOTFOUND.
type CampaignService interface {
	// CreateCampaign stores c with its links (c.Links' URLs, in order) and
	// sets its ID and time. EINVALID when a field is empty or too long.
	CreateCampaign(ctx context.Context, c *Campaign) error
	// Campaigns lists the workspace's campaigns, newest first, with totals
	// (no HTML, no links).
	Campaigns(ctx context.Context, workspaceID int64) ([]*Campaign, error)
	// Campaign returns a campaign with its links, their clicks and its
	// totals; ENOTFOUND.
	Campaign(ctx context.Context, workspaceID, id int64) (*Campaign, error)
	// SendCampaign makes a message for each recipient in one transaction:
	// a recipient row (linked to the contact only when MayTrack allows it),
	// a token for the pixel and one per link. A recipient that names no
	// contact gets Err (ENOTFOUND or EINVALID) and nothing is stored for it.
	// ENOTFOUND when the campaign is not the workspace's.
	SendCampaign(ctx context.Context, workspaceID, campaignID int64, to []Recipient) ([]RecipientTokens, error)
	// RecordBounce marks the campaign's recipient as bounced with the
	// reason (its first bounce is kept); ENOTFOUND when the recipient is
	// not one of the workspace's campaign's.
	RecordBounce(ctx context.Context, workspaceID, campaignID, recipientID int64, reason string) error
	// EmailToken returns what a pixel or link token leads to; ENOTFOUND
	// for an unknown token.
	EmailToken(ctx context.Context, token string) (*EmailToken, error)
	// RecordEmailEvents writes opens and clicks in one transaction: each
	// recipient whose contact may no longer be tracked is detached first,
	// then the event is written and the recipient's first open or click
	// (of a person) set.
	RecordEmailEvents(ctx context.Context, events []EmailEvent) error
	// EngagedContacts lists the tracked contacts who opened or clicked the
	// campaign (MayTrack now), and how many recipients who engaged are
	// not listed (untracked).
	EngagedContacts(ctx context.Context, workspaceID, campaignID int64) ([]EngagedContact, int64, error)
	// ContactCampaigns lists the campaigns sent to the contact while it
	// is linked to it, newest first; none for a contact that may not be
	// tracked now.
	ContactCampaigns(ctx context.Context, workspaceID, contactID int64) ([]ContactCampaign, error)
}

// ScrubBounce returns a bounce's reason as kept: every word with an @ in
// it (an address the mail server quoted) replaced by "[address]", spaces
// folded, cut to MaxBounceReason bytes at a rune's start.
func ScrubBounce(reason string) string {
	words := strings.Fields(reason)
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	out := strings.Join(words, " ")
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "?")
	}
	if len(out) > MaxBounceReason {
		n := MaxBounceReason
		for n > 0 && !utf8.RuneStart(out[n]) {
			n--
		}
		out = out[:n]
	}
	return out
}
