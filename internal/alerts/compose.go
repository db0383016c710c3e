package alerts

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// Compose writes the email of a delivery: a subject naming the count and
// the feed, and a text listing each company with its country, industry,
// visits and pages in the feed's period and a link to its page, then links
// to the feed and to the account page, where the member changes or ends
// the subscription.
func (j *Job) Compose(a *foyer.FeedAlert, d *foyer.AlertDelivery) (subject, body string) {
	n := len(d.Companies)
	what := plural(n, "new company", "new companies")
	switch a.Frequency {
	case foyer.AlertDaily:
		subject = fmt.Sprintf("Daily digest: %s in %q", what, a.FeedName)
	case foyer.AlertWeekly:
		subject = fmt.Sprintf("Weekly digest: %s in %q", what, a.FeedName)
	default:
		subject = fmt.Sprintf("%s in %q", capitalise(what), a.FeedName)
	}
	base := strings.TrimSuffix(j.BaseURL, "/")
	ws := base + "/app/w/" + strconv.FormatInt(a.WorkspaceID, 10)
	period := periodQuery(a.FeedQuery)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s entered the saved feed %q of %s on Foyer", capitalise(plural(n, "company", "companies")), a.FeedName, a.WorkspaceName)
	if !a.LastSentAt.IsZero() {
		fmt.Fprintf(&b, " since our last email (%s)", a.LastSentAt.In(Location(a.TimeZone)).Format("2 Jan 2006, 15:04 MST"))
	}
	b.WriteString(":\n\n")
	for _, c := range d.Companies {
		b.WriteString(c.Name)
		if c.Domain != "" {
			b.WriteString(" (" + c.Domain + ")")
		}
		b.WriteString("\n  ")
		var facts []string
		if c.Country != "" {
			name := c.Country
			if j.CountryName != nil {
				name = j.CountryName(c.Country)
			}
			facts = append(facts, name)
		}
		if ind := c.DisplayIndustry(); ind != "" {
			facts = append(facts, ind)
		}
		facts = append(facts, plural(int(c.Visits), "visit", "visits")+", "+plural(int(c.Pageviews), "page", "pages"))
		b.WriteString(strings.Join(facts, " · "))
		b.WriteString("\n  " + ws + "/c/" + strconv.FormatInt(c.ID, 10))
		if period != "" {
			b.WriteString("?" + period)
		}
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "The whole feed:\n%s?%s\n\n", ws, a.FeedQuery)
	fmt.Fprintf(&b, "You get this email because you asked for it %s. To change how often it comes, or to stop it, open your account page:\n%s/account#alerts\n",
		frequencyPhrase(a.Frequency), base)
	return subject, b.String()
}

// periodQuery is the period part of a saved feed's query string, for the
// links to the company pages.
func periodQuery(query string) string {
	qs, err := url.ParseQuery(query)
	if err != nil {
		return ""
	}
	v := url.Values{}
	for _, k := range []string{"days", "from", "to"} {
		if s := qs.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

func frequencyPhrase(f foyer.AlertFrequency) string {
	switch f {
	case foyer.AlertDaily:
		return "every morning at 08:00"
	case foyer.AlertWeekly:
		return "every Monday at 08:00"
	}
	return "as soon as a new company appears"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
