package web

import (
	"time"

	"github.com/foyerhq/foyer"
)

// visitLine is a visit as the company page, the activity stream and a
// contact's profile list it (templates/_visit.html): with its site, the
// profile of the contact it is linked to, and its times in the reader's
// zone.
type visitLine struct {
	foyer.Visit
	Site        string // "" when the page names no site
	ContactPath string // the profile of Person, "" when anonymous
	// More counts the visit's pages left out of Pages: a list that shows
	// the first pages only.
	More int64
	zone *time.Location
}

// newVisitLine is v as the page of layout l lists it, in workspace ws.
func newVisitLine(v foyer.Visit, site string, ws int64, l layout) visitLine {
	line := visitLine{Visit: v, Site: site, zone: l.zone()}
	if v.Person != nil {
		line.ContactPath = contactPath(ws, v.Person.ContactID)
	}
	return line
}

// firstPages keeps the first n pages of the line's visit, and counts the
// others in More.
func (v *visitLine) firstPages(n int) {
	if len(v.Pages) > n {
		v.More, v.Pages = int64(len(v.Pages)-n), v.Pages[:n]
	}
}

// PageCount counts the pages the line lists, and those left out.
func (v visitLine) PageCount() int64 { return int64(len(v.Pages)) + v.More }

// Local is t in the reader's zone.
func (v visitLine) Local(t time.Time) time.Time {
	if v.zone == nil {
		return t.UTC()
	}
	return t.In(v.zone)
}

// IdentifiedAt writes when the visit was identified: the time of day
// when that is the day the visit started, else the date too.
func (v visitLine) IdentifiedAt() string {
	if v.Person == nil {
		return ""
	}
	at, start := v.Local(v.Person.IdentifiedAt), v.Local(v.StartedAt)
	if at.YearDay() == start.YearDay() && at.Year() == start.Year() {
		return at.Format("15:04 MST")
	}
	return at.Format("2 Jan 2006, 15:04 MST")
}

// pageLine is a page of a visit, and whether it was viewed before the
// visit was identified: not the contact's.
type pageLine struct {
	foyer.PageView
	Before bool
	// Mark: the identification happened just before this page, after
	// others viewed before it.
	Mark bool
}

// PageLines are the visit's pages, each marked as before the
// identification or not.
func (v visitLine) PageLines() []pageLine {
	out := make([]pageLine, len(v.Pages))
	for i, p := range v.Pages {
		out[i].PageView = p
		out[i].Before = v.Person != nil && p.Time.Before(v.Person.IdentifiedAt)
		out[i].Mark = i > 0 && out[i-1].Before && !out[i].Before
	}
	return out
}

// MarkAtEnd reports whether every page of an identified visit was viewed
// before its identification: the mark follows the last one.
func (v visitLine) MarkAtEnd() bool {
	return v.Person != nil && v.More == 0 && len(v.Pages) > 0 && v.Pages[len(v.Pages)-1].Time.Before(v.Person.IdentifiedAt)
}
