package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// feedPeriod is the period a page shows: the last Days days up to today,
// or, when Days is 0, the UTC days From to To that the reader chose.
type feedPeriod struct {
	Days     int
	From, To time.Time
}

// maxPeriodDays bounds a custom period.
const maxPeriodDays = 366

// Custom reports whether the reader chose the days.
func (p feedPeriod) Custom() bool { return p.Days == 0 }

// Label names the period for a heading: "30 days", "1 Nov – 15 Nov 2026".
func (p feedPeriod) Label() string {
	switch {
	case p.Days == 1:
		return "Today"
	case p.Days > 0:
		return strconv.Itoa(p.Days) + " days"
	case p.From.Equal(p.To):
		return p.From.Format("2 Jan 2006")
	case p.From.Year() == p.To.Year():
		return p.From.Format("2 Jan") + " – " + p.To.Format("2 Jan 2006")
	}
	return p.From.Format("2 Jan 2006") + " – " + p.To.Format("2 Jan 2006")
}

// values writes the period as query parameters.
func (p feedPeriod) values(v url.Values) {
	if p.Custom() {
		v.Set("from", p.From.Format(time.DateOnly))
		v.Set("to", p.To.Format(time.DateOnly))
		return
	}
	v.Set("days", strconv.Itoa(p.Days))
}

// QS is the period as a query string, for links to other pages of it.
func (p feedPeriod) QS() template.URL {
	v := url.Values{}
	p.values(v)
	return template.URL(v.Encode())
}

// periodLinks are the fixed periods a page offers, the current one marked.
func periodLinks(p feedPeriod) []period {
	var out []period
	for _, l := range []period{{1, "Today", false}, {7, "7 days", false}, {30, "30 days", false}} {
		l.Current = l.Days == p.Days
		out = append(out, l)
	}
	return out
}

// periodOf reads the period of a request: ?from=YYYY-MM-DD&to=YYYY-MM-DD
// for days the reader chose (to is today when left out), else ?days= (1, 7
// or 30, the default) up to today. A bad custom period gives the default
// and an EINVALID error saying what is wrong.
func periodOf(r *http.Request) (feedPeriod, error) {
	return parsePeriod(r.URL.Query())
}

func parsePeriod(qs url.Values) (feedPeriod, error) {
	return parsePeriodAt(qs, now())
}

// parsePeriodAt is parsePeriod on the day of at.
func parsePeriodAt(qs url.Values, at time.Time) (feedPeriod, error) {
	today := at.UTC().Truncate(24 * time.Hour)
	def := feedPeriod{Days: 30, From: today.AddDate(0, 0, -29), To: today}
	fromS, toS := strings.TrimSpace(qs.Get("from")), strings.TrimSpace(qs.Get("to"))
	if fromS == "" && toS == "" {
		days := 30
		switch d := strings.TrimSpace(qs.Get("days")); d {
		case "1":
			days = 1
		case "7":
			days = 7
		case "30", "":
		default:
			return def, foyer.Errorf(foyer.EINVALID, "there is no period of %q days: choose today, 7 or 30 days, or pick the first and last day", d)
		}
		return feedPeriod{Days: days, From: today.AddDate(0, 0, -(days - 1)), To: today}, nil
	}
	from, err := time.Parse(time.DateOnly, fromS)
	if err != nil {
		return def, foyer.Errorf(foyer.EINVALID, "the period's first day %q is not a date like 2026-11-01", fromS)
	}
	to := today
	if toS != "" {
		if to, err = time.Parse(time.DateOnly, toS); err != nil {
			return def, foyer.Errorf(foyer.EINVALID, "the period's last day %q is not a date like 2026-11-30", toS)
		}
	}
	switch {
	case to.Before(from):
		return def, foyer.Errorf(foyer.EINVALID, "the period ends (%s) before it starts (%s)", toS, fromS)
	case from.After(today):
		return def, foyer.Errorf(foyer.EINVALID, "the period starts after today")
	case to.Sub(from) >= maxPeriodDays*24*time.Hour:
		return def, foyer.Errorf(foyer.EINVALID, "a period of at most %d days, please", maxPeriodDays)
	}
	if to.After(today) {
		to = today
	}
	return feedPeriod{From: from, To: to}, nil
}

// periodNotice is what a page says when periodOf refused the period it
// was asked for: why, and that it shows the default instead; "" for nil.
func periodNotice(err error) string {
	if err == nil {
		return ""
	}
	return foyer.ErrorMessage(err) + " Showing the last 30 days."
}

// filterOf reads the feed's filter and order from the query string. A
// value that cannot be used filters nothing, and problems says why, a
// sentence each: the feed page shows them, the API and export refuse.
func filterOf(r *http.Request) (f foyer.FeedQuery, problems []string) {
	return parseFilter(r.URL.Query())
}

func parseFilter(qs url.Values) (f foyer.FeedQuery, problems []string) {
	get := func(k string) string { return strings.TrimSpace(qs.Get(k)) }
	f = foyer.FeedQuery{Industry: get("industry"), Size: get("size"), Search: get("q"), Page: get("page"), Source: get("source")}
	if c := get("country"); c != "" {
		if code, ok := countryOf(c); ok {
			f.Country = code
		} else {
			problems = append(problems, fmt.Sprintf("There is no country %q: type its name or its two-letter code, like Germany or DE.", c))
		}
	}
	if t := get("type"); t != "" {
		if ot := foyer.OrgType(strings.ToLower(t)); ot.IsCompany() {
			f.Type = ot
		} else {
			problems = append(problems, fmt.Sprintf("There is no type of organisation %q: choose business, education, government or nonprofit.", t))
		}
	}
	switch o := get("sort"); o {
	case "", string(foyer.SortRecent):
	case string(foyer.SortScore):
		f.Sort = foyer.SortScore
	case string(foyer.SortRulesScore):
		f.Sort = foyer.SortRulesScore
	default:
		problems = append(problems, fmt.Sprintf("There is no order %q: the feed is ordered by the latest visit, by score or by the score of your rules.", o))
	}
	if v := get("site"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.SiteID = id
		} else {
			problems = append(problems, fmt.Sprintf("There is no site %q.", v))
		}
	}
	for _, n := range []struct {
		key, what string
		to        *int64
		unit      int64
	}{{"min_pages", "pages", &f.MinPages, 1}, {"min_minutes", "minutes engaged", &f.MinEngagedMS, 60_000}} {
		v := get(n.key)
		if v == "" {
			continue
		}
		if x, err := strconv.ParseInt(v, 10, 64); err == nil && x >= 0 {
			*n.to = min(x, 1_000_000) * n.unit
		} else {
			problems = append(problems, fmt.Sprintf("%q is not a number of %s: give a whole number, like 3.", v, n.what))
		}
	}
	if tag := strings.Join(strings.Fields(qs.Get("tag")), " "); utf8.RuneCountInString(tag) <= 100 {
		f.Tag = tag
	} else {
		problems = append(problems, "A tag has at most 40 characters: the tag filter is off.")
	}
	switch a := strings.TrimSpace(qs.Get("assigned")); a {
	case "":
	case "me":
		f.AssignedTo = assignedToMe
	case "none":
		f.Unassigned = true
	default:
		if id, err := strconv.ParseInt(a, 10, 64); err == nil && id > 0 {
			f.AssignedTo = id
		} else {
			problems = append(problems, fmt.Sprintf("There is no member %q to filter by: choose one from the list.", a))
		}
	}
	return f, problems
}

// assignedToMe is the AssignedTo of a filter that says assigned=me, until
// it is asked for a user (forUser): a saved feed keeps "me", so that it
// lists each member's own companies.
const assignedToMe = -1

// forUser is the filter f as the store takes it for the user userID.
func forUser(f foyer.FeedQuery, userID int64) foyer.FeedQuery {
	if f.AssignedTo == assignedToMe {
		f.AssignedTo = userID
	}
	return f
}

// assignedValue is the assigned parameter of f: "me", a user's ID,
// "none" or "".
func assignedValue(f foyer.FeedQuery) string {
	switch {
	case f.AssignedTo == assignedToMe:
		return "me"
	case f.AssignedTo > 0:
		return strconv.FormatInt(f.AssignedTo, 10)
	case f.Unassigned:
		return "none"
	}
	return ""
}

// filterValues writes the filter and order of f as query parameters.
func filterValues(f foyer.FeedQuery, v url.Values) {
	for k, s := range map[string]string{"country": f.Country, "industry": f.Industry, "size": f.Size,
		"q": f.Search, "type": string(f.Type), "page": f.Page, "source": f.Source, "tag": f.Tag, "assigned": assignedValue(f)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.SiteID != 0 {
		v.Set("site", strconv.FormatInt(f.SiteID, 10))
	}
	if f.Sort == foyer.SortScore || f.Sort == foyer.SortRulesScore {
		v.Set("sort", string(f.Sort))
	}
	if f.MinPages > 0 {
		v.Set("min_pages", strconv.FormatInt(f.MinPages, 10))
	}
	if f.MinEngagedMS > 0 {
		v.Set("min_minutes", strconv.FormatInt(f.MinEngagedMS/60_000, 10))
	}
}

// feedQueryString is the canonical query string of a feed: its period,
// filter and order. Saved feeds keep it.
func feedQueryString(p feedPeriod, f foyer.FeedQuery) string {
	v := url.Values{}
	p.values(v)
	filterValues(f, v)
	return v.Encode()
}
