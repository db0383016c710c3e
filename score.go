package foyer

import (
	"context"
	"math"
	"time"
)

// ScoreTarget is what a scoring rule gives points to.
type ScoreTarget string

// Score targets.
const (
	TargetContact ScoreTarget = "contact"
	TargetCompany ScoreTarget = "company"
)

// ScoreRule gives points to contacts or companies. Its Condition says for
// what: an attribute (a contact or company field) gives Points once; a
// visit to a page matching a pattern gives Points for each such visit;
// engaged time gives Points for each full engaged minute of each visit;
// an open, a click (of any campaign or of one) gives Points for each
// campaign; a tracked form gives Points for each identification by it.
// Behavioural rules never give points to a contact MayTrack refuses.
type ScoreRule struct {
	ID          int64
	WorkspaceID int64
	Target      ScoreTarget
	Name        string
	Condition   Condition
	Points      int64 // -1000 to 1000, not 0
	CreatedBy   string
	CreatedAt   time.Time
}

// Behavioural reports whether the rule gives points for behaviour.
func (r *ScoreRule) Behavioural() bool { return r.Condition.Behavioural() }

// Validate checks and normalises the rule: EINVALID saying why.
func (r *ScoreRule) Validate() error {
	name, err := ValidateSegmentName(r.Name)
	if err != nil {
		return err
	}
	r.Name = name
	if r.Target != TargetContact && r.Target != TargetCompany {
		return Errorf(EINVALID, "a rule gives points to contacts or to companies")
	}
	if r.Points == 0 || r.Points < -1000 || r.Points > 1000 {
		return Errorf(EINVALID, "the points must be -1000 to 1000, not 0")
	}
	c := r.Condition
	if c.Kind.Behavioural() && c.Days == 0 {
		c.Days = 1 // unused by rules: decay bounds what counts
	}
	if c.Kind == CondEngaged && c.Minutes == 0 {
		c.Minutes = 1
	}
	c, err = ValidateCondition(c)
	if err != nil {
		return err
	}
	c.Days, c.Minutes = 0, 0
	switch c.Kind {
	case CondScore:
		return Errorf(EINVALID, "a rule cannot give points for a score")
	case CondContact:
		if r.Target == TargetCompany {
			return Errorf(EINVALID, "a company rule tests company fields, not contact fields")
		}
	case CondOpened, CondClicked, CondForm:
		if r.Target == TargetCompany {
			return Errorf(EINVALID, "opens, clicks and forms are a contact's: a company rule gives points for visits, engaged time and company fields")
		}
	}
	r.Condition = c
	return nil
}

// DefaultScoreHalfLife is a workspace's score half-life unless it sets one.
const DefaultScoreHalfLife = 30

// Decay returns milli, a score as of at, decayed to now: it halves every
// halfLifeDays. A time before at does not raise it.
func Decay(milli int64, at, now time.Time, halfLifeDays int) int64 {
	if milli == 0 || halfLifeDays <= 0 {
		return milli
	}
	age := max(0, now.Sub(at))
	f := math.Exp2(-float64(age) / float64(time.Duration(halfLifeDays)*24*time.Hour))
	return int64(math.Round(float64(milli) * f))
}

// ScoreEntry is a contact's or company's rules score, decayed to now.
type ScoreEntry struct {
	SubjectID int64
	Name      string
	Milli     int64
}

// Points returns the score in whole points, rounded.
func (e ScoreEntry) Points() int64 { return int64(math.Round(float64(e.Milli) / 1000)) }

// ScoreService keeps a workspace's scoring rules and the scores they give.
type ScoreService interface {
	// ScoreRules returns the workspace's rules, contact rules first.
	ScoreRules(ctx context.Context, workspaceID int64) ([]*ScoreRule, error)
	// CreateScoreRule stores a rule and recomputes the workspace's
	// scores. EINVALID for a bad rule or another workspace's campaign.
	CreateScoreRule(ctx context.Context, r *ScoreRule, actor string) error
	// DeleteScoreRule deletes a rule and recomputes the scores; ENOTFOUND.
	DeleteScoreRule(ctx context.Context, workspaceID, id int64) error
	// ScoreHalfLife returns the workspace's half-life of scores, in days.
	ScoreHalfLife(ctx context.Context, workspaceID int64) (int, error)
	// SetScoreHalfLife sets it, 1 to 3650 days (EINVALID).
	SetScoreHalfLife(ctx context.Context, workspaceID int64, days int) error
	// TopScores returns the highest scores of the target, decayed to now.
	TopScores(ctx context.Context, workspaceID int64, target ScoreTarget, limit int) ([]ScoreEntry, error)
	// ScoreOf returns a contact's or company's score decayed to now, in
	// thousandths of a point; 0 when it has none.
	ScoreOf(ctx context.Context, workspaceID int64, target ScoreTarget, id int64) (int64, error)
}
