package alerts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/alerts"
	"github.com/foyerhq/foyer/internal/store"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDigestTimes: digests come at 08:00 in the member's zone, so at
// another UTC time after a change of daylight saving time, and weekly
// ones on Mondays.
func TestDigestTimes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		zone string
		freq foyer.AlertFrequency
		from string
		want []string // the next due times, in UTC, one after another
	}{
		// Paris leaves summer time on Sunday 25 October 2026 at 03:00.
		{"Europe/Paris", foyer.AlertDaily, "2026-10-23 07:00", []string{"2026-10-24 06:00", "2026-10-25 07:00", "2026-10-26 07:00"}},
		// …and enters it on Sunday 29 March 2026 at 02:00.
		{"Europe/Paris", foyer.AlertDaily, "2026-03-27 12:00", []string{"2026-03-28 07:00", "2026-03-29 06:00", "2026-03-30 06:00"}},
		// New York leaves it on Sunday 1 November 2026 and enters it on 8 March.
		{"America/New_York", foyer.AlertDaily, "2026-10-31 00:00", []string{"2026-10-31 12:00", "2026-11-01 13:00", "2026-11-02 13:00"}},
		{"America/New_York", foyer.AlertDaily, "2026-03-07 12:59", []string{"2026-03-07 13:00", "2026-03-08 12:00", "2026-03-09 12:00"}},
		// Tokyo has no summer time: always 23:00 UTC the day before.
		{"Asia/Tokyo", foyer.AlertDaily, "2026-10-24 22:00", []string{"2026-10-24 23:00", "2026-10-25 23:00", "2026-10-26 23:00"}},
		// Weekly: Mondays at 08:00; Monday 26 October is in winter time in
		// Paris, Monday 2 November in New York.
		{"Europe/Paris", foyer.AlertWeekly, "2026-10-19 06:00", []string{"2026-10-26 07:00", "2026-11-02 07:00"}},
		{"America/New_York", foyer.AlertWeekly, "2026-10-26 11:00", []string{"2026-10-26 12:00", "2026-11-02 13:00"}},
		{"Asia/Tokyo", foyer.AlertWeekly, "2026-10-25 23:00", []string{"2026-11-01 23:00"}},
		// No zone chosen: UTC.
		{"", foyer.AlertDaily, "2026-10-24 08:00", []string{"2026-10-25 08:00"}},
	} {
		cut := utc(c.from)
		loc := alerts.Location(c.zone)
		for _, w := range c.want {
			next := foyer.NextDigest(c.freq, loc, cut)
			if !next.Equal(utc(w)) {
				t.Errorf("%s %s after %s: %s, want %s UTC", c.zone, c.freq, cut.Format(time.DateTime), next.UTC().Format(time.DateTime), w)
			}
			if local := next.In(loc); local.Hour() != 8 || local.Minute() != 0 {
				t.Errorf("%s: due at %s local", c.zone, local)
			}
			a := &foyer.FeedAlert{Frequency: c.freq, TimeZone: c.zone, CutAt: cut}
			if alerts.Due(a, next.Add(-time.Minute)) || !alerts.Due(a, next) {
				t.Errorf("%s: not due exactly at %s", c.zone, next)
			}
			cut = next
		}
	}
}

// TestDigestAcrossDST runs the job with a fake clock over Paris' change
// to winter time: the member's digests come at 08:00 Paris time on both
// sides of it, at 06:00 and then 07:00 UTC.
func TestDigestAcrossDST(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	f.setClock(utc("2026-10-23 10:00"))
	f.member("ann@acme.example", "Europe/Paris", foyer.RoleOwner, foyer.AlertDaily)
	j := f.job(nil)
	f.run(j) // learns the feed
	for _, day := range []struct{ visit, before, at, name string }{
		{"2026-10-23 15:00", "2026-10-24 05:59", "2026-10-24 06:00", "Hooli"},
		{"2026-10-24 15:00", "2026-10-25 06:59", "2026-10-25 07:00", "Soylent"},
		{"2026-10-25 15:00", "2026-10-26 06:59", "2026-10-26 07:00", "Umbrella"},
	} {
		f.setClock(utc(day.visit))
		f.visit(f.site, day.name, "DE")
		if got := f.run(j); len(got) != 0 {
			t.Fatalf("an email at %s: %+v", day.visit, got)
		}
		f.setClock(utc(day.before))
		if got := f.run(j); len(got) != 0 {
			t.Fatalf("an email at %s UTC, before 08:00 in Paris: %+v", day.before, got)
		}
		f.setClock(utc(day.at))
		got := f.run(j)
		if len(got) != 1 || !strings.Contains(got[0].Body, day.name) || strings.Count(got[0].Body, ".example)") != 1 {
			t.Fatalf("the digest at %s UTC: %+v, want %s alone", day.at, got, day.name)
		}
	}
}
