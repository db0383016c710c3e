package foyer

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The audit actions of automation rules.
const (
	AuditAutomationCreated AuditAction = "automation_created" // an automation rule was made
	AuditAutomationChanged AuditAction = "automation_changed" // … changed
	AuditAutomationDeleted AuditAction = "automation_deleted" // … deleted
)

// TriggerKind is what makes an automation rule run.
type TriggerKind string

// Trigger kinds.
const (
	TriggerSegmentEntered TriggerKind = "segment-entered" // a contact enters the rule's segment
	TriggerContactScore   TriggerKind = "contact-score"   // a contact's score crosses the threshold upwards
	TriggerCompanyScore   TriggerKind = "company-score"   // a company's score crosses the threshold upwards
)

// Label describes the kind in a few words.
func (k TriggerKind) Label() string {
	switch k {
	case TriggerSegmentEntered:
		return "A contact enters a segment"
	case TriggerContactScore:
		return "A contact's score rises past a threshold"
	case TriggerCompanyScore:
		return "A company's score rises past a threshold"
	}
	return "Unknown trigger"
}

// Behavioural reports whether the trigger may rest on behaviour: score
// crossings always may; a segment's entry may too (its conditions may be
// behavioural), so only-tracked is the default for every trigger.
func (k TriggerKind) Behavioural() bool { return k.Valid() }

// Valid reports whether k is one of the kinds.
func (k TriggerKind) Valid() bool {
	return k == TriggerSegmentEntered || k == TriggerContactScore || k == TriggerCompanyScore
}

// AboutContact reports whether the trigger's subject is a contact (else a
// company).
func (k TriggerKind) AboutContact() bool { return k != TriggerCompanyScore }

// ActionKind is what an automation rule does.
type ActionKind string

// Action kinds.
const (
	ActionSegment ActionKind = "segment" // add the contact to a static segment
	ActionEmail   ActionKind = "email"   // mail the workspace's members
	ActionSlack   ActionKind = "slack"   // post to a Slack-compatible incoming webhook
	ActionWebhook ActionKind = "webhook" // POST a signed JSON description of the event
)

// Label names the kind.
func (k ActionKind) Label() string {
	switch k {
	case ActionSegment:
		return "Add to segment"
	case ActionEmail:
		return "Email the workspace's members"
	case ActionSlack:
		return "Post to Slack"
	case ActionWebhook:
		return "Call a webhook"
	}
	return "Unknown action"
}

// HTTP reports whether the action is an HTTP request.
func (k ActionKind) HTTP() bool { return k == ActionSlack || k == ActionWebhook }

// AutomationAction is one thing a rule does.
type AutomationAction struct {
	Kind      ActionKind `json:"kind"`
	SegmentID int64      `json:"segment_id,omitempty"` // ActionSegment: the static segment
	URL       string     `json:"url,omitempty"`        // ActionSlack, ActionWebhook
}

// AutomationRule is "when this happens, do that" for a workspace.
type AutomationRule struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Trigger     TriggerKind
	SegmentID   int64 // TriggerSegmentEntered: the segment
	// ThresholdMilli is the score, in thousandths of a point, that a score
	// trigger's subject must rise to from below.
	ThresholdMilli int64
	Actions        []AutomationAction
	Enabled        bool
	// OnlyTracked skips a contact who may not be tracked (MayTrack) when
	// the rule runs; the skip is counted, without naming the contact.
	OnlyTracked bool
	// Fired and SkippedUntracked count the events the rule acted on and
	// those it skipped; LastFired is when it last acted (zero: never).
	Fired, SkippedUntracked int64
	LastFired               time.Time
	CreatedBy               string
	CreatedAt, UpdatedAt    time.Time
}

// Threshold is the score threshold in points, as the pages show it.
func (r *AutomationRule) Threshold() string {
	return strconv.FormatFloat(float64(r.ThresholdMilli)/1000, 'f', -1, 64)
}

// HasWebhook reports whether the rule calls a signed webhook.
func (r *AutomationRule) HasWebhook() bool {
	for _, a := range r.Actions {
		if a.Kind == ActionWebhook {
			return true
		}
	}
	return false
}

// MaxAutomationActions bounds a rule's actions.
const MaxAutomationActions = 10

// ValidateAutomationRule trims the rule's name and URLs and checks them;
// EINVALID says what is wrong. It does not look the segments up: the store
// does.
func ValidateAutomationRule(r *AutomationRule) error {
	r.Name = strings.TrimSpace(r.Name)
	switch {
	case r.Name == "":
		return Errorf(EINVALID, "give the rule a name")
	case utf8.RuneCountInString(r.Name) > 80:
		return Errorf(EINVALID, "a rule's name has at most 80 characters")
	case !r.Trigger.Valid():
		return Errorf(EINVALID, "choose what triggers the rule")
	case r.Trigger == TriggerSegmentEntered && r.SegmentID <= 0:
		return Errorf(EINVALID, "choose the segment that triggers the rule")
	case r.Trigger != TriggerSegmentEntered && r.ThresholdMilli <= 0:
		return Errorf(EINVALID, "a score threshold is a number of points above 0")
	case r.Trigger != TriggerSegmentEntered && r.ThresholdMilli > 1_000_000_000:
		return Errorf(EINVALID, "a score threshold is at most 1,000,000 points")
	case len(r.Actions) == 0:
		return Errorf(EINVALID, "give the rule at least one action")
	case len(r.Actions) > MaxAutomationActions:
		return Errorf(EINVALID, "a rule has at most %d actions", MaxAutomationActions)
	}
	if r.Trigger != TriggerSegmentEntered {
		r.SegmentID = 0
	} else {
		r.ThresholdMilli = 0
	}
	for i := range r.Actions {
		a := &r.Actions[i]
		switch a.Kind {
		case ActionSegment:
			a.URL = ""
			if !r.Trigger.AboutContact() {
				return Errorf(EINVALID, "a company is not added to a segment: segments hold contacts")
			}
			if a.SegmentID <= 0 {
				return Errorf(EINVALID, "choose the segment to add the contact to")
			}
		case ActionEmail:
			a.URL, a.SegmentID = "", 0
		case ActionSlack, ActionWebhook:
			a.SegmentID = 0
			a.URL = strings.TrimSpace(a.URL)
			if err := CheckWebhookURL(a.URL); err != nil {
				return err
			}
		default:
			return Errorf(EINVALID, "unknown action %q", a.Kind)
		}
	}
	return nil
}

// CheckWebhookURL checks the form of a webhook's address: an absolute
// http or https URL of a host, without user information, at most 2,000
// bytes. Where it points is checked when it is called (see the automation
// worker's dialer), since a name may resolve elsewhere later.
func CheckWebhookURL(s string) error {
	if s == "" {
		return Errorf(EINVALID, "give the webhook's address")
	}
	if len(s) > 2000 {
		return Errorf(EINVALID, "a webhook's address has at most 2,000 characters")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return Errorf(EINVALID, "a webhook's address is an http:// or https:// URL, such as https://hooks.example.com/foyer")
	}
	return nil
}

// DeliveryStatus is where a delivery of an action stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"   // not done yet: due, or waiting for its next try
	DeliveryDelivered DeliveryStatus = "delivered" // done
	DeliveryFailed    DeliveryStatus = "failed"    // its retries ran out
)

// AutomationDelivery is one action of a rule for one event: the outbox's
// row, with what the event said.
type AutomationDelivery struct {
	ID          int64
	WorkspaceID int64
	RuleID      int64
	EventID     int64
	ActionIndex int
	Action      ActionKind
	Trigger     TriggerKind
	SegmentID   int64 // the segment entered, for a segment trigger
	ContactID   int64 // 0 for a company's score
	CompanyID   int64 // 0 for a contact's
	// OldMilli and NewMilli are the score before and after, for a score
	// trigger.
	OldMilli, NewMilli int64
	Behavioural        bool
	EventAt            time.Time
	Status             DeliveryStatus
	Tries              int // attempts so far
	CreatedAt          time.Time
	FirstAttempt       time.Time // zero until the first attempt
	NextAt             time.Time
	DoneAt             time.Time
	LastError          string
}

// DeliveryAttempt is one try of a delivery.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	HTTPStatus int    // 0 when no HTTP answer came (or the action is not HTTP)
	Error      string // "" when it succeeded
	Duration   time.Duration
}

// Took is the attempt's duration as the delivery log shows it.
func (a DeliveryAttempt) Took() string {
	if a.Duration < time.Second {
		return strconv.FormatInt(a.Duration.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(a.Duration.Seconds(), 'f', 1, 64) + " s"
}

// OK reports whether the attempt succeeded.
func (a DeliveryAttempt) OK() bool { return a.Error == "" }

// AutomationService keeps a workspace's automation rules and the log of
// their deliveries.
type AutomationService interface {
	// CreateAutomationRule validates and stores r, with a new signing
	// secret, which it returns (it is never shown again). EINVALID for a
	// bad rule (or a segment with conditions for an add-to-segment
	// action), ENOTFOUND for a segment not of the workspace, ECONFLICT for
	// a name taken.
	CreateAutomationRule(ctx context.Context, r *AutomationRule) (secret string, err error)
	// UpdateAutomationRule changes the rule's name, trigger, actions and
	// flags; the secret stays. ENOTFOUND when the workspace has no rule
	// r.ID or no segment it names, else as CreateAutomationRule.
	UpdateAutomationRule(ctx context.Context, r *AutomationRule) error
	// DeleteAutomationRule deletes a rule and its deliveries; ENOTFOUND.
	DeleteAutomationRule(ctx context.Context, workspaceID, id int64) error
	// AutomationRule returns one of the workspace's rules, or ENOTFOUND.
	AutomationRule(ctx context.Context, workspaceID, id int64) (*AutomationRule, error)
	// AutomationRules returns the workspace's rules, by name.
	AutomationRules(ctx context.Context, workspaceID int64) ([]AutomationRule, error)
	// AutomationDeliveries returns the rule's latest deliveries, newest
	// first, at most limit, each with its attempts (oldest first).
	AutomationDeliveries(ctx context.Context, workspaceID, ruleID int64, limit int) ([]DeliveryLog, error)
	// AutomationSegments returns the workspace's segments, for the rule
	// editor's choices.
	AutomationSegments(ctx context.Context, workspaceID int64) ([]SegmentChoice, error)
}

// DeliveryLog is a delivery with its attempts.
type DeliveryLog struct {
	AutomationDelivery
	Attempts []DeliveryAttempt
}

// SegmentChoice is a segment as the rule editor offers it.
type SegmentChoice struct {
	ID     int64
	Name   string
	Static bool // its members are added by hand or by automations, not by conditions
}
