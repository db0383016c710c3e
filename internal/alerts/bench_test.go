package alerts_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/alerts"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/web"
)

// benchUsers is how many members, each with a daily alert, the benchmark
// mails.
const benchUsers = 1000

// BenchmarkDailyDigests: one run of the job at the digests' hour for 1,000
// members of a seeded workspace (300 companies in the feed's week, 20 of
// them new since the day before), each with a daily alert on one of four
// saved feeds: per run, every member's feed is read, its new companies
// noted, the digest written, composed, mailed through a real SMTP
// relay on 127.0.0.1 and marked sent, on SQLite and on PostgreSQL. It reports the time and allocations
// per digest beside those of the whole run (ns/op, allocs/op).
func BenchmarkDailyDigests(b *testing.B) {
	for _, d := range testutil.Dialects {
		b.Run(string(d), func(b *testing.B) { benchDigests(b, d) })
	}
}

func benchDigests(b *testing.B, d store.Dialect) {
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := testutil.NewStore(b, d, store.Options{Now: clock.Now, SQLiteSync: "normal"})
	relay := testutil.NewSMTPServer(b, testutil.SMTPOptions{})
	ws, site := testutil.NewSite(b, st, "Acme", "acme", "www.example.com")
	var feeds []*foyer.SavedFeed
	for i, q := range []string{"days=7", "country=DE&days=7", "days=7&type=business", "days=30"} {
		f := &foyer.SavedFeed{WorkspaceID: ws.ID, Name: fmt.Sprintf("Feed %d", i), Query: q}
		if err := st.SaveFeed(ctx, f); err != nil {
			b.Fatal(err)
		}
		feeds = append(feeds, f)
	}
	for i := range benchUsers {
		u := &foyer.User{Email: fmt.Sprintf("member-%04d@acme.example", i)}
		if err := st.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if err := st.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: foyer.RoleViewer}); err != nil {
			b.Fatal(err)
		}
		if err := st.SetTimeZone(ctx, u.ID, "UTC"); err != nil {
			b.Fatal(err)
		}
		if err := st.SetFeedAlert(ctx, &foyer.FeedAlert{WorkspaceID: ws.ID, UserID: u.ID, SavedFeedID: feeds[i%len(feeds)].ID, Frequency: foyer.AlertDaily}); err != nil {
			b.Fatal(err)
		}
	}
	companies := 0
	seed := func(n int) {
		var hits []foyer.Hit
		for range n {
			companies++
			o := foyer.Origin{Country: []string{"DE", "FR", "US"}[companies%3], Org: foyer.Org{Name: fmt.Sprintf("Company %05d", companies),
				Domain: fmt.Sprintf("company-%05d.example", companies), Type: foyer.OrgBusiness, Industry: "Software"}}
			visitor := fmt.Sprintf("bench-visitor-%013d", companies)
			at := clock.Now().Add(-time.Duration(companies%50) * time.Minute)
			hits = append(hits, foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview, Host: "www.example.com", Path: "/", Origin: o},
				foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(time.Second), Kind: foyer.KindPageview, Host: "www.example.com", Path: "/pricing", Origin: o})
		}
		if err := st.Append(ctx, hits); err != nil {
			b.Fatal(err)
		}
		if _, err := st.RollupAll(ctx); err != nil {
			b.Fatal(err)
		}
	}
	seed(280)
	m, err := mailer.New(mailer.Config{Addr: relay.Addr, From: "foyer@acme.example", NoStartTLS: true})
	if err != nil {
		b.Fatal(err)
	}
	j := &alerts.Job{Store: st, Mail: m, Query: web.SavedFeedQuery, CountryName: web.CountryName, BaseURL: "https://foyer.acme.example", Now: clock.Now}
	if _, err := j.Run(ctx); err != nil { // learns the feeds
		b.Fatal(err)
	}
	var digests, listed int
	var mallocs uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		clock.Add(12 * time.Hour)
		seed(20)
		clock.Add(12 * time.Hour) // 09:00 UTC: every member's digest is due
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		b.StartTimer()
		res, err := j.Run(ctx)
		b.StopTimer()
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - before
		if err != nil || res.Sent != benchUsers || res.Failed != 0 {
			b.Fatalf("run: %+v, %v", res, err)
		}
		digests += res.Sent
		listed += res.Companies
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(digests), "ns/digest")
	b.ReportMetric(float64(mallocs)/float64(digests), "allocs/digest")
	b.ReportMetric(float64(listed)/float64(digests), "companies/digest")
}

// BenchmarkCompose: writing one digest's text, 20 companies.
func BenchmarkCompose(b *testing.B) {
	j := &alerts.Job{BaseURL: "https://foyer.acme.example", CountryName: web.CountryName}
	a := &foyer.FeedAlert{WorkspaceID: 1, FeedName: "German visitors", FeedQuery: "country=DE&days=7", WorkspaceName: "Acme",
		Frequency: foyer.AlertDaily, TimeZone: "Europe/Paris", LastSentAt: time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)}
	d := &foyer.AlertDelivery{}
	for i := range 20 {
		d.Companies = append(d.Companies, foyer.AlertCompany{Company: foyer.Company{ID: int64(i + 1), Name: fmt.Sprintf("Company %d", i),
			Domain: fmt.Sprintf("company-%d.example", i), Country: "DE", Industry: "Software"}, Visits: 3, Pageviews: 7})
	}
	b.ReportAllocs()
	for b.Loop() {
		j.Compose(a, d)
	}
}
