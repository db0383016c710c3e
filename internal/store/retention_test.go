package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// rollupTables are the aggregates that deleting raw events must leave as
// they are.
var rollupTables = []string{"company_days", "company_totals", "company_pages", "company_sources",
	"company_source_weeks", "company_sites", "site_days", "page_days", "source_days"}

// dumpTable returns every row of the table, each as text, sorted.
func dumpTable(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v|", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// storedEvent is an event as the retention test follows it.
type storedEvent struct {
	id, ts, workspace int64
}

func allEvents(t *testing.T, db *sql.DB) []storedEvent {
	t.Helper()
	rows, err := db.Query(`SELECT e.id, e.ts, COALESCE(si.workspace_id, 0) FROM events e
		LEFT JOIN sessions s ON s.id = e.session_id LEFT JOIN sites si ON si.id = s.site_id ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if err := rows.Scan(&e.id, &e.ts, &e.workspace); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestRetention runs the retention job on two years of history in two
// workspaces: Acme keeps the defaults, Initech ten years of everything.
func TestRetention(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := testutil.NewClock(now.Add(-800 * 24 * time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		s.UseKeys(testKeys(t, 3))
		acme, acmeSite := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		initech, initechSite := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		if err := s.SetRetention(ctx, initech.ID, foyer.Retention{EventDays: 3650, LinkDays: 3650, ReviewMonths: 120}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Retention(ctx, acme.ID); err != nil || r != foyer.DefaultRetention {
			t.Fatalf("Acme's retention = %+v, %v; want the defaults", r, err)
		}
		wantCode(t, s.SetRetention(ctx, acme.ID, foyer.Retention{EventDays: 10, LinkDays: 395, ReviewMonths: 24}), foyer.EINVALID)
		for _, ws := range []int64{acme.ID, initech.ID} {
			if err := s.SetPersonaBasis(ctx, ws, foyer.PersonaLegitimateInterest, "user 1"); err != nil {
				t.Fatal(err)
			}
		}
		// Contacts created 800 days ago.
		mk := func(ws int64, email string) *foyer.Contact {
			c := &foyer.Contact{WorkspaceID: ws, Email: email, FirstName: "F", LastName: "L"}
			if err := s.CreateContact(ctx, c, "test"); err != nil {
				t.Fatal(err)
			}
			return c
		}
		idle := mk(acme.ID, "idle@client.example")           // nothing since: flagged
		longAgo := mk(acme.ID, "long-ago@client.example")    // identified 750 days ago: flagged
		mid := mk(acme.ID, "mid@client.example")             // identified 500 days ago: link gone, not flagged
		recent := mk(acme.ID, "recent@client.example")       // identified 100 days ago: kept
		consented := mk(acme.ID, "consented@client.example") // consent 10 days ago: not flagged
		otherIdle := mk(initech.ID, "idle@client.example")   // Initech flags after 10 years
		otherOld := mk(initech.ID, "old@client.example")     // identified 500 days ago, kept by Initech
		day := 24 * time.Hour
		identify := func(site *foyer.Site, visitor string, c *foyer.Contact, ago int) {
			at := now.Add(-time.Duration(ago) * day)
			hits := []foyer.Hit{
				{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview, Host: "www.example.com", Path: "/form", Title: "Form"},
				{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(time.Second), Kind: foyer.KindIdentify, Host: "www.example.com", Path: "/form", Title: "Form",
					ContactID: c.ID, Via: foyer.ViaForm},
				{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(2 * time.Second), Kind: foyer.KindPageview, Host: "www.example.com", Path: "/thanks", Title: "Thanks"},
			}
			if err := s.Append(ctx, hits); err != nil {
				t.Fatal(err)
			}
		}
		// History, in time order, with the identifications between.
		history := func(from, to int, seed uint64) {
			for i, site := range []*foyer.Site{acmeSite, initechSite} {
				_, err := loadgen.WriteHistory(ctx, s, site, loadgen.History{Events: 2500 * (from - to) / 730, Days: from - to,
					End: now.Add(-time.Duration(to) * day), Companies: 40, Seed: seed + uint64(i)}, nil)
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.RollupAll(ctx); err != nil {
				t.Fatal(err)
			}
		}
		identify(acmeSite, "v-long-ago", longAgo, 750)
		history(730, 500, 1)
		identify(acmeSite, "v-mid", mid, 500)
		identify(initechSite, "v-other-old", otherOld, 500)
		history(499, 100, 3)
		identify(acmeSite, "v-recent", recent, 100)
		history(99, 0, 5)
		clock.Add(790 * day)
		if _, _, _, err := s.RecordConsent(ctx, acme.ID, consented.ID, foyer.ConsentChange{Status: foyer.ConsentAccepted,
			At: clock.Now(), Source: foyer.SourceAPI, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(10 * day) // now
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}

		db := s.DB()
		before := map[string][]string{}
		for _, tb := range rollupTables {
			before[tb] = dumpTable(t, db, tb)
		}
		if len(before["company_days"]) == 0 || len(before["page_days"]) == 0 {
			t.Fatal("the fixture has no roll-ups")
		}
		events := allEvents(t, db)
		var sessionsBefore int
		db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&sessionsBefore)

		commits := map[foyer.RetentionKind]int{}
		runs, err := s.EnforceRetention(ctx, store.RetentionOptions{Batch: 500, OnCommit: func(k foyer.RetentionKind, n int64) {
			if n > 500 {
				t.Errorf("a transaction changed %d rows of %s, over the batch of 500", n, k)
			}
			commits[k]++
		}})
		if err != nil {
			t.Fatal(err)
		}

		// Events: Acme's older than 395 days are gone, every other stays.
		cutoff := now.Add(-395 * day).UnixMilli()
		left := map[int64]bool{}
		for _, e := range allEvents(t, db) {
			left[e.id] = true
		}
		var gone, kept, initechOld int64
		for _, e := range events {
			old := e.workspace == acme.ID && e.ts < cutoff
			switch {
			case old && left[e.id]:
				t.Errorf("event %d of Acme at %v, before the cutoff, is still there", e.id, time.UnixMilli(e.ts).UTC())
			case !old && !left[e.id]:
				t.Errorf("event %d (workspace %d) at %v was deleted", e.id, e.workspace, time.UnixMilli(e.ts).UTC())
			case old:
				gone++
			default:
				kept++
				if e.workspace == initech.ID && e.ts < cutoff {
					initechOld++
				}
			}
		}
		if gone < 500 || kept < 500 || initechOld < 500 {
			t.Errorf("deleted %d events, kept %d (%d of Initech's before the cutoff): the fixture is too small", gone, kept, initechOld)
		}
		t.Logf("deleted %d events, kept %d (%d of Initech's before the cutoff), in %d transactions", gone, kept, initechOld, commits[foyer.RetentionEvents])
		if commits[foyer.RetentionEvents] < 3 {
			t.Errorf("the events went in %d transactions, want several", commits[foyer.RetentionEvents])
		}
		// The roll-ups are exactly as they were, and so are the visits.
		for _, tb := range rollupTables {
			if after := dumpTable(t, db, tb); !slices.Equal(before[tb], after) {
				t.Errorf("%s changed: %d rows before, %d after", tb, len(before[tb]), len(after))
			}
		}
		var sessionsAfter int
		db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&sessionsAfter)
		if sessionsAfter != sessionsBefore {
			t.Errorf("%d visits before, %d after", sessionsBefore, sessionsAfter)
		}

		// Links: Acme's older than 395 days are gone, the visits unlinked.
		linked := func(c *foyer.Contact) (browsers, visits int) {
			db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM visitor_links WHERE contact_id = %d`, c.ID)).Scan(&browsers)
			db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM sessions WHERE contact_id = %d`, c.ID)).Scan(&visits)
			return
		}
		for _, tc := range []struct {
			c                *foyer.Contact
			browsers, visits int
		}{{longAgo, 0, 0}, {mid, 0, 0}, {recent, 1, 1}, {otherOld, 1, 1}} {
			if b, v := linked(tc.c); b != tc.browsers || v != tc.visits {
				t.Errorf("%s: %d browsers and %d visits linked, want %d and %d", tc.c.Email, b, v, tc.browsers, tc.visits)
			}
		}

		// Contacts: the inactive flagged, none deleted.
		flagged, err := s.SearchContacts(ctx, acme.ID, foyer.ContactQuery{Review: true})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range flagged {
			names = append(names, c.Email)
			if !c.ReviewSince.Equal(now) {
				t.Errorf("%s flagged since %v, want %v", c.Email, c.ReviewSince, now)
			}
		}
		slices.Sort(names)
		if want := []string{idle.Email, longAgo.Email}; !slices.Equal(names, want) {
			t.Errorf("flagged %v, want %v", names, want)
		}
		if n, _ := s.ContactsToReview(ctx, initech.ID); n != 0 {
			t.Errorf("Initech has %d contacts to review, want none (%s stays)", n, otherIdle.Email)
		}
		all, _ := s.SearchContacts(ctx, acme.ID, foyer.ContactQuery{})
		if len(all) != 5 {
			t.Errorf("Acme has %d contacts after the run, want 5", len(all))
		}

		// The record.
		got := map[foyer.RetentionKind]int64{}
		for _, r := range runs {
			if r.WorkspaceID == acme.ID {
				got[r.Kind] = r.Removed
			}
		}
		if want := map[foyer.RetentionKind]int64{foyer.RetentionEvents: gone, foyer.RetentionLinks: 2,
			foyer.RetentionVisits: 2, foyer.RetentionReview: 2}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("runs say %v, want %v", got, want)
		}
		stored, err := s.RetentionRuns(ctx, acme.ID, 10)
		if err != nil || len(stored) != 4 || stored[3].Kind != foyer.RetentionEvents || stored[3].Removed != gone ||
			!stored[3].Cutoff.Equal(time.UnixMilli(cutoff).UTC()) {
			t.Errorf("stored runs %+v, %v", stored, err)
		}

		// The timeline still shows the old visits, without their pages.
		var company int64
		db.QueryRow(fmt.Sprintf(`SELECT cs.company_id FROM company_sites cs JOIN sites si ON si.id = cs.site_id
			WHERE si.workspace_id = %d ORDER BY cs.visits DESC LIMIT 1`, acme.ID)).Scan(&company)
		visits, err := s.CompanyVisits(ctx, acme.ID, company, now.Add(-800*day), now, 200, 0)
		if err != nil {
			t.Fatal(err)
		}
		oldVisits := 0
		for _, v := range visits {
			switch old := v.StartedAt.UnixMilli() < cutoff-day.Milliseconds(); {
			case old && (len(v.Pages) != 0 || !v.PagesGone):
				t.Errorf("visit %d of %v lists %d pages (gone: %v), after its events went", v.ID, v.StartedAt, len(v.Pages), v.PagesGone)
			case !old && v.StartedAt.UnixMilli() > cutoff+day.Milliseconds() && (len(v.Pages) == 0 || v.PagesGone):
				t.Errorf("visit %d of %v lists no pages", v.ID, v.StartedAt)
			case old:
				oldVisits++
			}
		}

		if oldVisits == 0 {
			t.Errorf("company %d has no visit before the cutoff among %d", company, len(visits))
		}

		// A second run finds nothing more, and a contact changed is unflagged.
		idle.Role = "Buyer"
		if err := s.UpdateContact(ctx, idle, "test"); err != nil {
			t.Fatal(err)
		}
		runs, err = s.EnforceRetention(ctx, store.RetentionOptions{Batch: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Removed != 0 {
				t.Errorf("the second run: %+v", r)
			}
		}
		if n, _ := s.ContactsToReview(ctx, acme.ID); n != 1 {
			t.Errorf("after an edit, %d contacts to review, want 1", n)
		}
	})
}

// TestRetentionDeletesTheLastEvent: when every event is old and the job
// deletes them all, the next event stored still gets an ID above the
// roll-up's mark, so that the roll-up reads it.
func TestRetentionDeletesTheLastEvent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clock := testutil.NewClock(t0)
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		if err := s.Append(ctx, []foyer.Hit{pageview(site.ID, "v1", 0, "/a"), pageview(site.ID, "v1", time.Minute, "/b")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(400 * 24 * time.Hour)
		runs, err := s.EnforceRetention(ctx, store.RetentionOptions{})
		if err != nil || runs[0].Kind != foyer.RetentionEvents || runs[0].Removed != 2 {
			t.Fatalf("runs %+v, %v", runs, err)
		}
		if evs := readEvents(t, s, ws.ID, site.ID, time.Time{}); len(evs) != 0 {
			t.Fatalf("%d events left", len(evs))
		}
		h := pageview(site.ID, "v2", 400*24*time.Hour, "/c")
		if err := s.Append(ctx, []foyer.Hit{h}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RollupAll(ctx); err != nil || n != 1 {
			t.Fatalf("the roll-up read %d events (%v), want the new one", n, err)
		}
		evs := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(evs) != 1 || evs[0].Path != "/c" {
			t.Fatalf("events after: %+v", evs)
		}
	})
}

// TestRetentionWhileCollecting: the job runs in small transactions while
// the writer appends and rolls up; neither fails, the old events go and
// every new one is stored and read by the roll-up.
func TestRetentionWhileCollecting(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		s := testutil.NewStore(t, d, store.Options{Now: func() time.Time { return now }})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		if _, err := loadgen.WriteHistory(ctx, s, site, loadgen.History{Events: 3000, Days: 300,
			End: now.AddDate(0, 0, -400), Companies: 20, Seed: 9}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for i := range 40 {
				at := now.Add(-time.Hour + time.Duration(i)*time.Second)
				hits := []foyer.Hit{{SiteID: site.ID, VisitorUID: fmt.Sprintf("new-%d", i), Time: at, Kind: foyer.KindPageview,
					Host: "www.example.com", Path: "/new", Title: "New"}}
				if err := s.Append(ctx, hits); err != nil {
					done <- err
					return
				}
				if _, err := s.Rollup(ctx, 100); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		runs, err := s.EnforceRetention(ctx, store.RetentionOptions{Batch: 50})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		if runs[0].Removed < 2500 {
			t.Errorf("deleted %d events", runs[0].Removed)
		}
		evs := readEvents(t, s, ws.ID, site.ID, time.Time{})
		fresh := 0
		for _, e := range evs {
			if e.Path == "/new" {
				fresh++
			} else if e.Time.Before(now.AddDate(0, 0, -395)) {
				t.Errorf("old event %d at %v left", e.ID, e.Time)
			}
		}
		if fresh != 40 {
			t.Errorf("%d of the 40 new events stored", fresh)
		}
		if n := s.Unrolled(); n != 0 {
			t.Errorf("%d events not rolled up", n)
		}
	})
}
