package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// stored is what Events should return for h, in a visit whose attributes
// are h's own, without the database's IDs.
func stored(h foyer.Hit) foyer.StoredEvent {
	e := foyer.StoredEvent{
		Time: h.Time, Type: h.Kind.String(), VisitorUID: h.VisitorUID,
		Host: h.Host, Path: h.Path, Title: h.Title, Referrer: h.Referrer,
		UTMSource: h.UTM.Source, UTMMedium: h.UTM.Medium, UTMCampaign: h.UTM.Campaign,
		UTMTerm: h.UTM.Term, UTMContent: h.UTM.Content, Country: h.Origin.Country,
		City: h.Origin.City, OrgType: string(h.Origin.Org.Type),
	}
	if h.Origin.Org.Type.IsCompany() {
		e.Company, e.CompanyDomain = h.Origin.Org.Name, h.Origin.Org.Domain
	}
	switch h.Kind {
	case foyer.KindEngagement:
		e.EngagedMS = h.EngagedMS
	case foyer.KindOutbound:
		e.Target = h.Target
	}
	return e
}

func TestAppendRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		dsn := testutil.NewDSN(t, d)
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "acme.com", "*.acme.com")
		campaign := foyer.UTM{Source: "newsletter", Medium: "email", Campaign: "spring-launch", Term: "crm software", Content: "hero-button"}
		// Within a visitor, every hit carries the visit's referrer, campaign
		// and country, so that each reads back exactly as it went in.
		a := foyer.Hit{
			SiteID: site.ID, VisitorUID: "Vaaaaaaaaaaaaaaaaaaaaa", Kind: foyer.KindPageview,
			Host: "www.acme.com", Path: "/pricing?plan=team", Title: "Pricing — Acme «Team»",
			Referrer: "https://news.ycombinator.com/item", UTM: campaign,
			Origin: foyer.Origin{Country: "DE", City: "Berlin", Org: foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}},
		}
		b := foyer.Hit{
			SiteID: site.ID, VisitorUID: "Vbbbbbbbbbbbbbbbbbbbbb", Kind: foyer.KindPageview,
			Host: "docs.acme.com", Path: "/", Title: "",
		}
		c := foyer.Hit{
			SiteID: site.ID, VisitorUID: "Vccccccccccccccccccccc-_", Kind: foyer.KindPageview,
			Host: "acme.com", Path: "/ja/製品?q=a%20b", Title: "製品 | Acme", Referrer: "https://www.google.co.jp/",
			Origin: foyer.Origin{Country: "JP"},
		}
		with := func(h foyer.Hit, at time.Duration, f func(*foyer.Hit)) foyer.Hit {
			h.Time = t0.Add(at)
			if f != nil {
				f(&h)
			}
			return h
		}
		hits := []foyer.Hit{
			with(a, 0, nil),
			with(b, 1*time.Millisecond, nil),
			with(a, 2*time.Second+345*time.Millisecond, func(h *foyer.Hit) { h.Kind, h.EngagedMS = foyer.KindEngagement, 12_345 }),
			with(c, 3*time.Second, nil),
			with(a, 4*time.Second, func(h *foyer.Hit) {
				h.Kind, h.Target = foyer.KindOutbound, "https://github.com/acme/widget/releases?tab=latest"
			}),
			with(b, 5*time.Second, func(h *foyer.Hit) { h.Kind, h.EngagedMS = foyer.KindEngagement, 1 }),
			with(a, 6*time.Second, func(h *foyer.Hit) { h.Path, h.Title = "/signup", "Sign up — Acme" }),
			with(c, 7*time.Second, func(h *foyer.Hit) { h.Kind, h.EngagedMS = foyer.KindEngagement, 86_400_000 }),
			with(b, 8*time.Second, func(h *foyer.Hit) { h.Kind, h.Target = foyer.KindOutbound, "http://example.org/" }),
			// The same link and page again: interned rows are shared, not lost.
			with(c, 9*time.Second, func(h *foyer.Hit) {
				h.Kind, h.Target = foyer.KindOutbound, "https://github.com/acme/widget/releases?tab=latest"
			}),
			with(b, 10*time.Second, nil),
		}
		// Split over three appends, so that the transaction's own rows, the
		// committed and cached ones, and (after the store is opened again,
		// its caches empty) the visitors, pages and links found in the
		// database are all read back.
		appendHits(t, s, hits[:5]...)
		appendHits(t, s, hits[5:8]...)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = store.Open(context.Background(), dsn, store.Options{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		appendHits(t, s, hits[8:]...)

		got := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(got) != len(hits) {
			t.Fatalf("read %d events, want %d", len(got), len(hits))
		}
		visits := map[string]int64{}
		var lastID int64
		for i, e := range got {
			if e.ID <= lastID {
				t.Errorf("event %d: ID %d after %d, want increasing IDs", i, e.ID, lastID)
			}
			lastID = e.ID
			if e.VisitID == 0 {
				t.Errorf("event %d: no visit", i)
			}
			if id, ok := visits[e.VisitorUID]; ok && id != e.VisitID {
				t.Errorf("event %d: visitor %s in visit %d and %d", i, e.VisitorUID, id, e.VisitID)
			}
			visits[e.VisitorUID] = e.VisitID
			gotE := *e
			gotE.ID, gotE.VisitID = 0, 0
			if want := stored(hits[i]); !reflect.DeepEqual(gotE, want) {
				t.Errorf("event %d:\n got %+v\nwant %+v", i, gotE, want)
			}
			if e.Time.Location() != time.UTC {
				t.Errorf("event %d: time in %v, want UTC", i, e.Time.Location())
			}
		}
		if len(visits) != 3 || visits[a.VisitorUID] == visits[b.VisitorUID] ||
			visits[a.VisitorUID] == visits[c.VisitorUID] || visits[b.VisitorUID] == visits[c.VisitorUID] {
			t.Errorf("visits by visitor = %v, want three different ones", visits)
		}
		// Nothing was stored twice.
		for table, want := range map[string]int{"visitors": 3, "pages": 4, "links": 2} {
			var n int
			if err := s.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%d %s, want %d", n, table, want)
			}
		}
	})
}

func TestAppendLargeBatch(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		const n, visitors = 1000, 37 // 1000 is 7 full insert chunks and a partial one
		hits := make([]foyer.Hit, n)
		for i := range hits {
			h := pageview(site.ID, fmt.Sprintf("visitor-%016d", i%visitors), time.Duration(i)*time.Second, fmt.Sprintf("/page/%d", i%50))
			switch i % 3 {
			case 1:
				h.Kind, h.EngagedMS = foyer.KindEngagement, int64(i)
			case 2:
				h.Kind, h.Target = foyer.KindOutbound, fmt.Sprintf("https://out.example/%d", i)
			}
			hits[i] = h
		}
		appendHits(t, s, hits...)

		got := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(got) != n {
			t.Fatalf("read %d events, want %d", len(got), n)
		}
		visits := map[string]int64{}
		for i, e := range got {
			gotE := *e
			gotE.ID, gotE.VisitID = 0, 0
			if want := stored(hits[i]); !reflect.DeepEqual(gotE, want) {
				t.Fatalf("event %d:\n got %+v\nwant %+v", i, gotE, want)
			}
			if id, ok := visits[e.VisitorUID]; ok && id != e.VisitID {
				t.Fatalf("event %d: visitor %s in visits %d and %d", i, e.VisitorUID, id, e.VisitID)
			}
			visits[e.VisitorUID] = e.VisitID
		}
		if len(visits) != visitors {
			t.Errorf("%d visitors read back, want %d", len(visits), visitors)
		}
	})
}

func TestAppendEmpty(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		ctx := context.Background()
		for _, hits := range [][]foyer.Hit{nil, {}} {
			if err := s.Append(ctx, hits); err != nil {
				t.Errorf("append %#v: %v", hits, err)
			}
		}
		if got := readEvents(t, s, ws.ID, site.ID, time.Time{}); len(got) != 0 {
			t.Errorf("read %d events after empty appends, want none", len(got))
		}
		var visits int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&visits); err != nil {
			t.Fatal(err)
		}
		if visits != 0 {
			t.Errorf("%d visits after empty appends, want none", visits)
		}
	})
}

func TestEventsSince(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		// One visit from 0 to 20 minutes, another from 1 hour on.
		appendHits(t, s,
			pageview(site.ID, "visitor-one-0000000000", 0, "/a"),
			pageview(site.ID, "visitor-one-0000000000", 10*time.Minute, "/b"),
			pageview(site.ID, "visitor-one-0000000000", 20*time.Minute, "/c"),
			pageview(site.ID, "visitor-two-0000000000", time.Hour, "/d"),
			pageview(site.ID, "visitor-two-0000000000", time.Hour+time.Millisecond, "/e"),
		)
		tests := []struct {
			name  string
			since time.Time
			want  []string
		}{
			{"zero time", time.Time{}, []string{"/a", "/b", "/c", "/d", "/e"}},
			{"first event's time", t0, []string{"/a", "/b", "/c", "/d", "/e"}},
			{"a millisecond later", t0.Add(time.Millisecond), []string{"/b", "/c", "/d", "/e"}},
			{"inside the first visit", t0.Add(15 * time.Minute), []string{"/c", "/d", "/e"}},
			{"between visits", t0.Add(30 * time.Minute), []string{"/d", "/e"}},
			{"last event's time", t0.Add(time.Hour + time.Millisecond), []string{"/e"}},
			{"in another zone", t0.Add(time.Hour).In(time.FixedZone("PST", -8*3600)), []string{"/d", "/e"}},
			{"after every event", t0.Add(2 * time.Hour), nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var paths []string
				for _, e := range readEvents(t, s, ws.ID, site.ID, tt.since) {
					paths = append(paths, e.Path)
				}
				if !reflect.DeepEqual(paths, tt.want) {
					t.Errorf("since %v: %q, want %q", tt.since, paths, tt.want)
				}
			})
		}
	})
}

func TestEventsIsolation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, siteA := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		wsB, siteB := testutil.NewSite(t, s, "Globex", "globex", "globex.com")
		// The same visitor ID on both sites is two visitors.
		const uid = "shared-visitor-id-0000"
		appendHits(t, s,
			pageview(siteA.ID, uid, 0, "/acme-1"),
			pageview(siteB.ID, uid, time.Second, "/globex-1"),
			pageview(siteA.ID, uid, 2*time.Second, "/acme-2"),
		)
		tests := []struct {
			name      string
			ws, site  int64
			wantCode  string
			wantPaths []string
		}{
			{"own site A", wsA.ID, siteA.ID, "", []string{"/acme-1", "/acme-2"}},
			{"own site B", wsB.ID, siteB.ID, "", []string{"/globex-1"}},
			{"B's site from A", wsA.ID, siteB.ID, foyer.ENOTFOUND, nil},
			{"A's site from B", wsB.ID, siteA.ID, foyer.ENOTFOUND, nil},
			{"unknown site", wsA.ID, siteB.ID + 1000, foyer.ENOTFOUND, nil},
			{"unknown workspace", wsB.ID + 1000, siteB.ID, foyer.ENOTFOUND, nil},
		}
		visits := map[int64]string{}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var paths []string
				err := s.Events(ctx, tt.ws, tt.site, time.Time{}, func(e *foyer.StoredEvent) error {
					paths = append(paths, e.Path)
					if p, ok := visits[e.VisitID]; ok && p[:4] != e.Path[:4] {
						t.Errorf("visit %d holds %s and %s", e.VisitID, p, e.Path)
					}
					visits[e.VisitID] = e.Path
					return nil
				})
				if got := foyer.ErrorCode(err); got != tt.wantCode {
					t.Errorf("code %q (err %v), want %q", got, err, tt.wantCode)
				}
				if !reflect.DeepEqual(paths, tt.wantPaths) {
					t.Errorf("events %q, want %q", paths, tt.wantPaths)
				}
			})
		}
	})
}

func TestEventsCallbackError(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		var hits []foyer.Hit
		for i := range 5 {
			hits = append(hits, pageview(site.ID, "visitor-0000000000000000", time.Duration(i)*time.Second, fmt.Sprintf("/%d", i)))
		}
		appendHits(t, s, hits...)

		stop := errors.New("stop here")
		var seen []string
		err := s.Events(context.Background(), ws.ID, site.ID, time.Time{}, func(e *foyer.StoredEvent) error {
			seen = append(seen, e.Path)
			if len(seen) == 3 {
				return fmt.Errorf("export: %w", stop)
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("err = %v, want the callback's", err)
		}
		if want := []string{"/0", "/1", "/2"}; !reflect.DeepEqual(seen, want) {
			t.Errorf("callback saw %q, want %q", seen, want)
		}
		// The store is still usable: the rows were closed.
		if got := readEvents(t, s, ws.ID, site.ID, time.Time{}); len(got) != 5 {
			t.Errorf("read %d events afterwards, want 5", len(got))
		}
	})
}
