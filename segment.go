package foyer

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Segment is a named group of a workspace's contacts. A dynamic segment
// has a Definition whose conditions decide its members; a static one
// (Definition nil) has the members users and automations add.
type Segment struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Definition  *SegmentDefinition // nil for a static segment
	// Members is how many contacts are in it; ExcludedUntracked how many
	// contacts who may not be tracked would be in it if every behavioural
	// condition held for them (see SegmentDefinition.Optimistic).
	Members           int64
	ExcludedUntracked int64
	EvaluatedAt       time.Time // zero until first evaluated
	CreatedBy         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Static reports whether the segment's members are added by hand.
func (s *Segment) Static() bool { return s.Definition == nil }

// SegmentMember is a contact in a segment, how it came in and since when.
type SegmentMember struct {
	ContactID int64
	Name      string // the contact's name, else its email
	Email     string
	Added     string // "rule", "manual" or "automation"
	Since     time.Time
}

// SegmentCampaign is a campaign a condition can name.
type SegmentCampaign struct {
	ID   int64
	Name string
}

// How a member came into a segment (segment_members.added).
const (
	AddedRule       = "rule"
	AddedManual     = "manual"
	AddedAutomation = "automation"
)

// MaxSegmentName bounds a segment's and a scoring rule's name, in bytes.
const MaxSegmentName = 120

// ValidateSegmentName trims a name and checks it: EINVALID when empty,
// too long or not UTF-8.
func ValidateSegmentName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", Errorf(EINVALID, "a name is required")
	case len(name) > MaxSegmentName:
		return "", Errorf(EINVALID, "the name is over %d bytes", MaxSegmentName)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", Errorf(EINVALID, "the name holds invalid characters")
	}
	return name, nil
}

// SegmentService keeps a workspace's segments and scoring. Every method is
// scoped by the workspace: another workspace's segment, rule or contact is
// ENOTFOUND.
type SegmentService interface {
	// Segments returns the workspace's segments by name.
	Segments(ctx context.Context, workspaceID int64) ([]*Segment, error)
	// Segment returns one segment, ENOTFOUND when the workspace has none
	// of that ID.
	Segment(ctx context.Context, workspaceID, id int64) (*Segment, error)
	// SaveSegment creates (ID 0) or updates a segment, and evaluates a
	// dynamic one over every contact of the workspace before it returns.
	// EINVALID for a bad name or definition (one naming a campaign the
	// workspace does not have), ECONFLICT for a name in use, ENOTFOUND
	// for another workspace's segment.
	SaveSegment(ctx context.Context, s *Segment, actor string) error
	// DeleteSegment deletes a segment and its members; ENOTFOUND.
	DeleteSegment(ctx context.Context, workspaceID, id int64) error
	// SegmentMembers returns a page of the segment's members, by contact
	// ID descending, below beforeID when it is not 0.
	SegmentMembers(ctx context.Context, workspaceID, id, beforeID int64, limit int) ([]SegmentMember, error)
	// AddSegmentMember adds a contact to a static segment by hand;
	// EINVALID for a dynamic segment, ENOTFOUND for either unknown.
	AddSegmentMember(ctx context.Context, workspaceID, segmentID, contactID int64) error
	// RemoveSegmentMember takes a contact added by hand or by an
	// automation out of a segment; ENOTFOUND when it is not such a member.
	RemoveSegmentMember(ctx context.Context, workspaceID, segmentID, contactID int64) error
	// ContactSegments returns the segments a contact is in.
	ContactSegments(ctx context.Context, workspaceID, contactID int64) ([]*Segment, error)
	// EvaluateWorkspace re-evaluates every segment and score of the
	// workspace over all its contacts and companies.
	EvaluateWorkspace(ctx context.Context, workspaceID int64) error
	// RequestEvaluation has the background evaluator do what
	// EvaluateWorkspace does, at its next round.
	RequestEvaluation(ctx context.Context, workspaceID int64) error
	// MarkContactsChanged queues contacts for re-evaluation: the
	// background evaluator updates their segments and scores.
	MarkContactsChanged(ctx context.Context, workspaceID int64, contactIDs ...int64) error
	// SegmentCampaigns returns the workspace's campaigns, newest first,
	// for conditions and rules to name.
	SegmentCampaigns(ctx context.Context, workspaceID int64) ([]SegmentCampaign, error)

	ScoreService
}

// SegmentMatch combines a definition's conditions.
type SegmentMatch string

// The ways to combine conditions.
const (
	MatchAll SegmentMatch = "all"
	MatchAny SegmentMatch = "any"
)

// SegmentDefinition is a dynamic segment's conditions: all of them must
// hold, or any one.
type SegmentDefinition struct {
	Match      SegmentMatch `json:"match"`
	Conditions []Condition  `json:"conditions"`
}

// Behavioural reports whether any condition tests behaviour.
func (d *SegmentDefinition) Behavioural() bool {
	for _, c := range d.Conditions {
		if c.Behavioural() {
			return true
		}
	}
	return false
}

// Campaigns returns the IDs of the campaigns the conditions name.
func (d *SegmentDefinition) Campaigns() []int64 {
	var out []int64
	for _, c := range d.Conditions {
		if c.Campaign != 0 {
			out = append(out, c.Campaign)
		}
	}
	return out
}

// Eval combines the outcome of each condition, test(i) for condition i,
// by the definition's match. It tests no more conditions than it needs.
func (d *SegmentDefinition) Eval(test func(i int) bool) bool {
	for i := range d.Conditions {
		if ok := test(i); ok != (d.Match == MatchAll) {
			return ok
		}
	}
	return d.Match == MatchAll
}

// String returns the definition as canonical JSON, which
// ParseSegmentDefinition reads back to the same definition.
func (d *SegmentDefinition) String() string {
	if d == nil {
		return ""
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// ParseSegmentDefinition reads a definition from its JSON, strictly:
// unknown fields, trailing data and bad conditions are EINVALID. "" is a
// static segment: nil and no error. The definition it returns is
// normalised (trimmed values, fields a kind does not use cleared), so that
// its String is canonical.
func ParseSegmentDefinition(s string) (*SegmentDefinition, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if len(s) > MaxDefinitionLen {
		return nil, Errorf(EINVALID, "the definition is over %d bytes", MaxDefinitionLen)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var d SegmentDefinition
	if err := dec.Decode(&d); err != nil {
		return nil, Errorf(EINVALID, "the definition is not valid JSON of conditions: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Errorf(EINVALID, "the definition has data after its end")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// jsonProblem says what is wrong with JSON without echoing long input.
func jsonProblem(err error) string {
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return strings.ToValidUTF8(msg, "?")
}

// Validate checks and normalises d in place: EINVALID saying which
// condition is wrong and why.
func (d *SegmentDefinition) Validate() error {
	switch d.Match {
	case MatchAll, MatchAny:
	case "":
		d.Match = MatchAll
	default:
		return Errorf(EINVALID, "match %q: want all or any", cut(string(d.Match)))
	}
	if len(d.Conditions) == 0 {
		return Errorf(EINVALID, "a segment needs at least one condition")
	}
	if len(d.Conditions) > MaxConditions {
		return Errorf(EINVALID, "a segment has at most %d conditions", MaxConditions)
	}
	for i := range d.Conditions {
		c, err := ValidateCondition(d.Conditions[i])
		if err != nil {
			return Errorf(EINVALID, "condition %d: %s", i+1, ErrorMessage(err))
		}
		d.Conditions[i] = c
	}
	return nil
}

// cut shortens user input quoted in an error.
func cut(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Equal reports whether two definitions are the same (both nil included).
func (d *SegmentDefinition) Equal(e *SegmentDefinition) bool {
	return d.String() == e.String()
}
