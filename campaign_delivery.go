package foyer

import (
	"context"
	"time"
)

// Campaign deliveries: Foyer sends a campaign's messages itself, through
// the operator's SMTP relay, at a pace of so many messages a minute. A
// delivery job makes the recipients' messages as a sends call does (the
// same rows and tokens), and a background sender mails them one by one.

// AuditCampaignSent is the audit action of a delivery job started: Foyer
// will read the recipients' addresses to mail them.
const AuditCampaignSent AuditAction = "campaign_sent"

// Pacing of a delivery job, in messages a minute.
const (
	DefaultDeliveryPace = 60
	MaxDeliveryPace     = 600
	// MaxDeliveryAttempts is how often a message the relay could not
	// take for now (a temporary error) is tried before it fails.
	MaxDeliveryAttempts = 3
)

// MessageState is where a message of a delivery job is.
type MessageState string

// Delivery states, as campaign_deliveries.state stores them.
const (
	MessageQueued  MessageState = "queued"
	MessageSending MessageState = "sending" // handed to the relay
	MessageSent    MessageState = "sent"    // the relay accepted it
	MessageBounced MessageState = "bounced" // the relay refused it for good
	MessageFailed  MessageState = "failed"  // never sent: no address, or tries exhausted
	// MessageUnknown is a message found "sending" at start: the relay
	// may or may not have taken it, and it is not sent again.
	MessageUnknown MessageState = "unknown"
)

// Delivery is a message of a delivery job that the sender took: the
// recipient's address, the campaign's message, and the recipient's
// tokens, for its copy (emailtrack.Rewrite with BaseURL).
type Delivery struct {
	ID, WorkspaceID, CampaignID, RecipientID int64
	To                                       string // "" when the recipient has no address any more
	Subject, HTML, BaseURL                   string
	Open                                     string   // the pixel's token
	Links                                    []string // the links' tokens, by position - 1
	Attempts                                 int      // with this one
}

// DeliveryOutcome is what became of a message handed to the relay.
type DeliveryOutcome struct {
	State  MessageState // MessageSent, MessageBounced, MessageFailed, or MessageQueued to try again
	Reason string       // the relay's answer, for a bounce or a failure
	Retry  time.Time    // with MessageQueued: not before
}

// DeliveryProgress counts the messages of a campaign's delivery jobs.
type DeliveryProgress struct {
	Queued, Sending, Sent, Bounced, Failed, Unknown int64
	PerMinute                                       int // of the latest job; 0 when none
}

// Running says whether messages remain to send.
func (p DeliveryProgress) Running() bool { return p.Queued+p.Sending > 0 }

// Total counts every message.
func (p DeliveryProgress) Total() int64 {
	return p.Queued + p.Sending + p.Sent + p.Bounced + p.Failed + p.Unknown
}

// DeliveryJob is a request to send a campaign through the relay.
type DeliveryJob struct {
	WorkspaceID, CampaignID int64
	To                      []Recipient
	PerMinute               int    // DefaultDeliveryPace when 0
	BaseURL                 string // where the messages' links and pixel point
	CreatedBy               string
}

// DeliveryService keeps the delivery jobs.
type DeliveryService interface {
	// QueueDeliveries makes the recipients' messages as SendCampaign does
	// and queues them, in one transaction. ENOTFOUND for another
	// workspace's campaign; EINVALID for a pace out of range.
	QueueDeliveries(ctx context.Context, job DeliveryJob) ([]RecipientTokens, error)
	// DeliveryProgress counts the campaign's messages; ENOTFOUND.
	DeliveryProgress(ctx context.Context, workspaceID, campaignID int64) (DeliveryProgress, error)
}
