package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// SavedFeedQuery is the store's query of a saved feed (its query string)
// for the user userID at the time at: its period as of that day ("7 days"
// stays relative), its filters, and "assigned to me" read as the user.
// EINVALID when the saved query cannot be used. The alert job runs it.
func SavedFeedQuery(workspaceID int64, query string, userID int64, at time.Time) (foyer.FeedQuery, error) {
	qs, err := url.ParseQuery(query)
	if err != nil {
		return foyer.FeedQuery{}, foyer.Errorf(foyer.EINVALID, "the saved feed's query cannot be read")
	}
	p, err := parsePeriodAt(qs, at)
	if err != nil {
		return foyer.FeedQuery{}, err
	}
	f, problems := parseFilter(qs)
	if len(problems) > 0 {
		return foyer.FeedQuery{}, foyer.Errorf(foyer.EINVALID, "%s", strings.Join(problems, " "))
	}
	q := forUser(f, userID)
	q.WorkspaceID, q.From, q.To = workspaceID, p.From, p.To
	return q, nil
}

// CountryName is the English name of a two-letter country code, or the
// code itself when it names no country.
func CountryName(code string) string { return countryName(code) }
