package store

import (
	"math"
	"time"

	"github.com/foyerhq/foyer"
)

// Judging a contact: a segment's verdict and a contact's score, from what
// loadContacts read.

// attrMatch tests an attribute condition on a contact and its company.
func attrMatch(c foyer.Condition, ct *foyer.Contact, co *foyer.Company) bool {
	if c.Kind == foyer.CondContact {
		return c.MatchText(foyer.ContactField(ct, c.Field))
	}
	return c.MatchText(foyer.CompanyField(co, c.Field))
}

// behaviourMatch tests a behavioural condition on a tracked contact.
func (p *evalPlan) behaviourMatch(c foyer.Condition, e *evalContact) bool {
	since := p.now.Add(-time.Duration(c.Days) * 24 * time.Hour)
	switch c.Kind {
	case foyer.CondVisited:
		for _, v := range e.visits {
			for _, pg := range v.pages {
				if pg.path != "" && !pg.at.Before(since) && foyer.MatchPath(c.Path, pg.path) {
					return true
				}
			}
		}
	case foyer.CondEngaged:
		var total int64
		for _, v := range e.visits {
			for _, pg := range v.pages {
				if !pg.at.Before(since) {
					total += pg.engagedMS
				}
			}
		}
		return total > int64(c.Minutes)*60_000
	case foyer.CondForm:
		for _, v := range e.visits {
			if v.viaForm && !v.identifiedAt.Before(since) {
				return true
			}
		}
	case foyer.CondOpened, foyer.CondClicked:
		for _, cp := range e.campaigns {
			at := cp.openAt
			if c.Kind == foyer.CondClicked {
				at = cp.clickAt
			}
			if at != 0 && (c.Campaign == 0 || c.Campaign == cp.campaign) && at >= ms(since) {
				return true
			}
		}
	case foyer.CondScore:
		return e.score > c.Points*1000
	}
	return false
}

// verdict is what a dynamic segment makes of a contact.
type verdict struct {
	member, behavioural, excluded bool
}

// judge evaluates a segment's definition on a contact: behavioural
// conditions are false for a contact MayTrack refuses. excluded is set for
// such a contact that would be a member if every behavioural condition
// held for it.
func (p *evalPlan) judge(d *foyer.SegmentDefinition, e *evalContact) verdict {
	var v verdict
	test := func(i int) bool {
		c := d.Conditions[i]
		if !c.Behavioural() {
			return attrMatch(c, e.c, e.company)
		}
		if !e.tracked {
			return false
		}
		ok := p.behaviourMatch(c, e)
		v.behavioural = v.behavioural || ok
		return ok
	}
	v.member = d.Eval(test)
	if !v.member {
		v.behavioural = false
	}
	if !e.tracked && !v.member && d.Behavioural() {
		v.excluded = d.Eval(func(i int) bool {
			c := d.Conditions[i]
			return c.Behavioural() || attrMatch(c, e.c, e.company)
		})
	}
	return v
}

// decayed returns points given at t, decayed to the plan's now, in milli.
func (p *evalPlan) decayed(points int64, t time.Time) float64 {
	if p.halfLife <= 0 {
		return float64(points * 1000)
	}
	age := max(0, p.now.Sub(t))
	return float64(points*1000) * math.Exp2(-float64(age)/float64(time.Duration(p.halfLife)*24*time.Hour))
}

// scoreContact computes a contact's score from the contact rules:
// attribute points as given at the contact's last change, behaviour's at
// the time of each act, only for a tracked contact.
func (p *evalPlan) scoreContact(rules []*foyer.ScoreRule, e *evalContact) {
	var attr, beh float64
	for _, r := range rules {
		c := r.Condition
		if !c.Behavioural() {
			if attrMatch(c, e.c, e.company) {
				attr += p.decayed(r.Points, e.c.UpdatedAt)
			}
			continue
		}
		if !e.tracked {
			continue
		}
		beh += p.behaviourPoints(r, e.visits, e.campaigns)
	}
	e.behaviour = int64(math.Round(beh))
	e.score = int64(math.Round(attr + beh))
}

// behaviourPoints sums a behavioural rule's points over visits and
// campaigns, each decayed from its time.
func (p *evalPlan) behaviourPoints(r *foyer.ScoreRule, visits []*evalVisit, campaigns []evalCampaign) float64 {
	c := r.Condition
	var sum float64
	switch c.Kind {
	case foyer.CondVisited:
		for _, v := range visits {
			for _, pg := range v.pages {
				if pg.path != "" && !pg.at.Before(p.horizonOf()) && foyer.MatchPath(c.Path, pg.path) {
					sum += p.decayed(r.Points, pg.at)
					break
				}
			}
		}
	case foyer.CondEngaged:
		for _, v := range visits {
			engaged := v.engagedMS
			if v.read {
				engaged = 0
				for _, pg := range v.pages {
					engaged += pg.engagedMS
				}
			}
			if minutes := engaged / 60_000; minutes > 0 && !v.start.Before(p.horizonOf()) {
				sum += p.decayed(r.Points*minutes, v.start)
			}
		}
	case foyer.CondForm:
		for _, v := range visits {
			if v.viaForm && !v.identifiedAt.Before(p.horizonOf()) {
				sum += p.decayed(r.Points, v.identifiedAt)
			}
		}
	case foyer.CondOpened, foyer.CondClicked:
		for _, cp := range campaigns {
			at := cp.openAt
			if c.Kind == foyer.CondClicked {
				at = cp.clickAt
			}
			if at != 0 && (c.Campaign == 0 || c.Campaign == cp.campaign) && at >= ms(p.horizonOf()) {
				sum += p.decayed(r.Points, fromMS(at))
			}
		}
	}
	return sum
}

// horizonOf is the oldest act a rule counts: ten half-lives back.
func (p *evalPlan) horizonOf() time.Time {
	return p.now.Add(-time.Duration(min(10*max(p.halfLife, 1), foyer.MaxConditionDays)) * 24 * time.Hour)
}
