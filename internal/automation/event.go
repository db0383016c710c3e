package automation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Event is the JSON body of a webhook call: what happened, to whom, and
// which rule acted. It never holds a network address.
type Event struct {
	Delivery  int64         `json:"delivery"` // the same on each retry of the call
	Type      string        `json:"type"`     // "segment.entered", "contact.score_crossed" or "company.score_crossed"
	At        time.Time     `json:"occurred_at"`
	Workspace int64         `json:"workspace_id"`
	Rule      EventRule     `json:"rule"`
	Segment   *EventSegment `json:"segment,omitempty"`
	Score     *EventScore   `json:"score,omitempty"`
	Contact   *EventContact `json:"contact,omitempty"`
	Company   *EventCompany `json:"company,omitempty"`
}

// EventRule names the rule that fired.
type EventRule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// EventSegment is the segment entered.
type EventSegment struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// EventScore is a score crossing, in points.
type EventScore struct {
	Old       float64 `json:"old"`
	New       float64 `json:"new"`
	Threshold float64 `json:"threshold"`
}

// EventContact is the contact the event is about.
type EventContact struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Company   string `json:"company,omitempty"`
	URL       string `json:"url"` // the contact's page in Foyer
}

// EventCompany is the company whose score crossed the threshold.
type EventCompany struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain,omitempty"`
	URL    string `json:"url"` // the company's page in Foyer
}

// describe reads what the delivery is about. ENOTFOUND when its contact
// or company is gone.
func (w *Worker) describe(ctx context.Context, r *foyer.AutomationRule, d *foyer.AutomationDelivery) (*Event, error) {
	ev := &Event{Delivery: d.ID, At: d.EventAt, Workspace: d.WorkspaceID, Rule: EventRule{ID: r.ID, Name: r.Name}}
	base := strings.TrimSuffix(w.PublicURL, "/") + "/app/w/" + strconv.FormatInt(d.WorkspaceID, 10)
	switch d.Trigger {
	case foyer.TriggerSegmentEntered:
		ev.Type = "segment.entered"
		ev.Segment = &EventSegment{ID: d.SegmentID, Name: fmt.Sprintf("segment %d", d.SegmentID)}
		segs, err := w.Store.AutomationSegments(ctx, d.WorkspaceID)
		if err != nil {
			return nil, err
		}
		for _, s := range segs {
			if s.ID == d.SegmentID {
				ev.Segment.Name = s.Name
			}
		}
	case foyer.TriggerContactScore:
		ev.Type = "contact.score_crossed"
	case foyer.TriggerCompanyScore:
		ev.Type = "company.score_crossed"
	}
	if d.Trigger != foyer.TriggerSegmentEntered {
		ev.Score = &EventScore{Old: points(d.OldMilli), New: points(d.NewMilli), Threshold: points(r.ThresholdMilli)}
	}
	if d.ContactID != 0 {
		c, err := w.Store.Contact(ctx, d.WorkspaceID, d.ContactID)
		if err != nil {
			return nil, err
		}
		ev.Contact = &EventContact{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Company: c.Company,
			URL: base + "/contacts/" + strconv.FormatInt(c.ID, 10)}
	}
	if d.CompanyID != 0 {
		c, err := w.Store.Company(ctx, d.WorkspaceID, d.CompanyID)
		if err != nil {
			return nil, err
		}
		ev.Company = &EventCompany{ID: c.ID, Name: c.Name, Domain: c.Domain, URL: base + "/c/" + strconv.FormatInt(c.ID, 10)}
	}
	return ev, nil
}

func points(milli int64) float64 { return float64(milli) / 1000 }

// text is the event in a sentence or two, for Slack and email.
func (ev *Event) text() string {
	var who, url string
	switch {
	case ev.Contact != nil:
		who = strings.TrimSpace(ev.Contact.FirstName + " " + ev.Contact.LastName)
		if who == "" {
			who = ev.Contact.Email
		}
		if ev.Contact.Company != "" {
			who += " (" + ev.Contact.Company + ")"
		}
		url = ev.Contact.URL
	case ev.Company != nil:
		who, url = ev.Company.Name, ev.Company.URL
	}
	var what string
	switch {
	case ev.Segment != nil:
		what = fmt.Sprintf("%s entered the segment %q.", who, ev.Segment.Name)
	case ev.Score != nil:
		what = fmt.Sprintf("%s's score rose from %s to %s, past %s.", who, num(ev.Score.Old), num(ev.Score.New), num(ev.Score.Threshold))
	}
	return fmt.Sprintf("Foyer rule %q: %s\n%s", ev.Rule.Name, what, url)
}

// num writes a score in as few digits as it takes.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
