package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// visitTimeout is the timeout the tests of splitting hits into visits use:
// shorter than
// the 30-minute default, so that the option is seen to be honoured.
const visitTimeout = 10 * time.Minute

// step is one hit of a case and the visit it belongs to.
type step struct {
	site    int // index of the case's site: 0 or 1
	visitor string
	at      time.Duration
	kind    foyer.EventKind // pageview when 0
	ref     string
	utm     foyer.UTM
	country string
	visit   string // label: steps with the same label share a visit
}

var (
	utmMail = foyer.UTM{Source: "newsletter", Medium: "email", Campaign: "spring"}
	utmAds  = foyer.UTM{Source: "google", Medium: "cpc", Campaign: "spring"}
	refHN   = "https://news.ycombinator.com/item"
	refG    = "https://www.google.com/"
)

var visitCases = []struct {
	name  string
	steps []step
}{
	{"within the timeout", []step{
		{at: 0, visit: "A"},
		{at: 5 * time.Minute, visit: "A"},
	}},
	{"gap of exactly the timeout", []step{
		{at: 0, visit: "A"},
		{at: visitTimeout, visit: "A"},
	}},
	{"gap just past the timeout", []step{
		{at: 0, visit: "A"},
		{at: visitTimeout + time.Millisecond, visit: "B"},
	}},
	{"gap past the option, within the default", []step{
		{at: 0, visit: "A"},
		{at: 20 * time.Minute, visit: "B"},
	}},
	{"steady activity for longer than the timeout", []step{
		{at: 0, visit: "A"},
		{at: 8 * time.Minute, visit: "A"},
		{at: 16 * time.Minute, visit: "A"},
		{at: 24 * time.Minute, visit: "A"},
	}},
	{"engagement and outbound events extend the visit", []step{
		{at: 0, visit: "A"},
		{at: 8 * time.Minute, kind: foyer.KindEngagement, visit: "A"},
		{at: 16 * time.Minute, kind: foyer.KindOutbound, visit: "A"},
		{at: 24 * time.Minute, visit: "A"},
	}},
	{"new visit after a gap continues", []step{
		{at: 0, visit: "A"},
		{at: 11 * time.Minute, visit: "B"},
		{at: 12 * time.Minute, visit: "B"},
		{at: 23 * time.Minute, visit: "C"},
	}},
	{"campaign on a later pageview", []step{
		{at: 0, visit: "A"},
		{at: time.Minute, utm: utmMail, visit: "B"},
	}},
	{"same campaign again", []step{
		{at: 0, utm: utmMail, visit: "A"},
		{at: time.Minute, utm: utmMail, visit: "A"},
	}},
	{"pageview without campaign stays in the campaign's visit", []step{
		{at: 0, utm: utmMail, visit: "A"},
		{at: time.Minute, visit: "A"},
		{at: 2 * time.Minute, utm: utmMail, visit: "A"},
	}},
	{"another campaign", []step{
		{at: 0, utm: utmMail, visit: "A"},
		{at: time.Minute, utm: utmAds, visit: "B"},
		{at: 2 * time.Minute, utm: utmMail, visit: "C"},
	}},
	{"campaign differing in one parameter", []step{
		{at: 0, utm: utmMail, visit: "A"},
		{at: time.Minute, utm: foyer.UTM{Source: "newsletter", Medium: "email", Campaign: "spring", Content: "footer"}, visit: "B"},
	}},
	{"external referrer on a later pageview", []step{
		{at: 0, visit: "A"},
		{at: time.Minute, ref: refHN, visit: "B"},
	}},
	{"same referrer again", []step{
		{at: 0, ref: refHN, visit: "A"},
		{at: time.Minute, ref: refHN, visit: "A"},
	}},
	{"pageview without referrer stays in the referred visit", []step{
		{at: 0, ref: refHN, visit: "A"},
		{at: time.Minute, visit: "A"},
		{at: 2 * time.Minute, ref: refHN, visit: "A"},
	}},
	{"another referrer", []step{
		{at: 0, ref: refHN, visit: "A"},
		{at: time.Minute, ref: refG, visit: "B"},
	}},
	{"another country", []step{
		{at: 0, country: "DE", visit: "A"},
		{at: time.Minute, country: "DE", visit: "A"},
		{at: 2 * time.Minute, country: "FR", visit: "B"},
		{at: 3 * time.Minute, country: "", visit: "B"}, // unknown: no evidence of a move
		{at: 4 * time.Minute, country: "DE", visit: "C"},
	}},
	{"engagement with a new referrer or campaign", []step{
		{at: 0, ref: refHN, visit: "A"},
		{at: time.Minute, kind: foyer.KindEngagement, ref: refG, visit: "A"},
		{at: 2 * time.Minute, kind: foyer.KindEngagement, utm: utmAds, visit: "A"},
	}},
	{"outbound with a new referrer or campaign", []step{
		{at: 0, visit: "A"},
		{at: time.Minute, kind: foyer.KindOutbound, ref: refG, visit: "A"},
		{at: 2 * time.Minute, kind: foyer.KindOutbound, utm: utmAds, visit: "A"},
	}},
	{"first event of a visitor is an engagement", []step{
		{at: 0, kind: foyer.KindEngagement, visit: "A"},
		{at: time.Minute, visit: "A"},
	}},
	{"different visitors at the same time", []step{
		{visitor: "one", at: 0, visit: "A"},
		{visitor: "two", at: 0, visit: "B"},
		{visitor: "three", at: 0, ref: refHN, utm: utmMail, country: "DE", visit: "C"},
	}},
	{"interleaved visitors", []step{
		{visitor: "one", at: 0, visit: "A"},
		{visitor: "two", at: time.Minute, visit: "B"},
		{visitor: "one", at: 2 * time.Minute, visit: "A"},
		{visitor: "two", at: 3 * time.Minute, ref: refG, visit: "C"},
		{visitor: "one", at: 4 * time.Minute, visit: "A"},
		{visitor: "two", at: 5 * time.Minute, visit: "C"},
	}},
	{"same visitor ID on two sites", []step{
		{site: 0, at: 0, visit: "A"},
		{site: 1, at: time.Minute, visit: "B"},
		{site: 0, at: 2 * time.Minute, visit: "A"},
	}},
}

// visitHits returns a case's hits on sites; each has its own path so that
// its event can be told apart.
func visitHits(steps []step, sites [2]*foyer.Site) []foyer.Hit {
	hits := make([]foyer.Hit, len(steps))
	for i, st := range steps {
		visitor := st.visitor
		if visitor == "" {
			visitor = "default"
		}
		kind := st.kind
		if kind == 0 {
			kind = foyer.KindPageview
		}
		hits[i] = foyer.Hit{
			SiteID: sites[st.site].ID, VisitorUID: "visitor-" + visitor + "-00000000000", Time: t0.Add(st.at),
			Kind: kind, Host: "www.example.com", Path: fmt.Sprintf("/step/%d", i), Title: "Step",
			Referrer: st.ref, UTM: st.utm, Origin: foyer.Origin{Country: st.country},
		}
		switch kind {
		case foyer.KindEngagement:
			hits[i].EngagedMS = 1000
		case foyer.KindOutbound:
			hits[i].Target = "https://elsewhere.example/"
		}
	}
	return hits
}

// checkVisitSplit reads the case's events back and checks that steps share
// a visit exactly when their labels are the same.
func checkVisitSplit(t *testing.T, s foyer.EventService, ws *foyer.Workspace, sites [2]*foyer.Site, steps []step) {
	t.Helper()
	byLabel := map[string]int64{} // label → visit ID
	byID := map[int64]string{}    // visit ID → label
	seen := map[int]bool{}
	for _, site := range sites {
		for _, e := range readEvents(t, s, ws.ID, site.ID, time.Time{}) {
			var i int
			if _, err := fmt.Sscanf(e.Path, "/step/%d", &i); err != nil || i < 0 || i >= len(steps) || seen[i] {
				t.Fatalf("unexpected event %+v", e)
			}
			seen[i] = true
			label := steps[i].visit
			if id, ok := byLabel[label]; ok && id != e.VisitID {
				t.Errorf("step %d: visit %d, want %d like the earlier steps of %s", i, e.VisitID, id, label)
			}
			if l, ok := byID[e.VisitID]; ok && l != label {
				t.Errorf("step %d (%s) is in visit %d of %s", i, label, e.VisitID, l)
			}
			byLabel[label], byID[e.VisitID] = e.VisitID, label
		}
	}
	if len(seen) != len(steps) {
		t.Errorf("read %d of %d events back", len(seen), len(steps))
	}
}

// newCaseSites creates a workspace with two sites for one case.
func newCaseSites(t *testing.T, s foyer.Store, name string) (*foyer.Workspace, [2]*foyer.Site) {
	t.Helper()
	ctx := context.Background()
	ws := &foyer.Workspace{Name: name}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	var sites [2]*foyer.Site
	for i := range sites {
		sites[i] = &foyer.Site{WorkspaceID: ws.ID, Key: fmt.Sprintf("s%d-%d", ws.ID, i), Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, sites[i]); err != nil {
			t.Fatal(err)
		}
	}
	return ws, sites
}

// TestVisits appends each case's hits in one batch (visits found in the
// transaction's own state), one hit per Append (visits found in the
// committed cache) and one hit per Append with a cache of one entry, which
// is emptied before nearly every Append (visits read back from the
// database, which must first roll up what the cache knew).
func TestVisits(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, mode := range []string{"one batch", "one append per hit", "tiny cache"} {
			t.Run(mode, func(t *testing.T) {
				t.Parallel()
				s := testutil.NewStore(t, d, store.Options{VisitTimeout: visitTimeout})
				if mode == "tiny cache" {
					store.SetCacheLimit(s, 1)
				}
				for i, tc := range visitCases {
					t.Run(tc.name, func(t *testing.T) {
						t.Parallel()
						ws, sites := newCaseSites(t, s, fmt.Sprintf("case %d", i))
						hits := visitHits(tc.steps, sites)
						if mode == "one batch" {
							appendHits(t, s, hits...)
						} else {
							for _, h := range hits {
								appendHits(t, s, h)
							}
						}
						checkVisitSplit(t, s, ws, sites, tc.steps)
					})
				}
			})
		}
	})
}

// TestVisitsAcrossReopen re-opens the store before every hit: with empty
// caches, each visitor's latest visit must be read back from the database.
func TestVisitsAcrossReopen(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, tc := range visitCases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				dsn := testutil.NewDSN(t, d)
				opt := store.Options{VisitTimeout: visitTimeout}
				open := func() *store.Store {
					t.Helper()
					s, err := store.Open(ctx, dsn, opt)
					if err != nil {
						t.Fatalf("open: %v", err)
					}
					return s
				}
				s := open()
				ws, sites := newCaseSites(t, s, "reopened")
				s.Close()
				for _, h := range visitHits(tc.steps, sites) {
					s := open()
					appendHits(t, s, h)
					if err := s.Close(); err != nil {
						t.Fatalf("close: %v", err)
					}
				}
				s = open()
				defer s.Close()
				checkVisitSplit(t, s, ws, sites, tc.steps)
			})
		}
	})
}

// TestAppendAllOrNothing appends a batch whose last hit violates a foreign
// key: none of it may be stored, and the visitors and visits the failed
// transaction created must not be reused afterwards.
func TestAppendAllOrNothing(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{VisitTimeout: visitTimeout})
		ctx := context.Background()
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		const (
			old   = "visitor-old-0000000000"
			fresh = "visitor-fresh-00000000"
			other = "visitor-other-00000000"
		)
		appendHits(t, s, pageview(site.ID, old, 0, "/first"))

		withRef := pageview(site.ID, old, time.Minute, "/failed-new-visit")
		withRef.Referrer = refHN // would start a new visit for old
		failed := []foyer.Hit{
			withRef,
			pageview(site.ID, fresh, time.Minute, "/failed-new-visitor"),
			pageview(site.ID, fresh, time.Minute, "/failed-new-visitor-2"),
			pageview(site.ID+1000, other, time.Minute, "/no-such-site"),
		}
		if err := s.Append(ctx, failed); err == nil {
			t.Fatal("append with an unknown site ID succeeded")
		}
		counts := func() (visitors, visits, events int) {
			t.Helper()
			for _, c := range []struct {
				table string
				n     *int
			}{{"visitors", &visitors}, {"sessions", &visits}, {"events", &events}} {
				if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+c.table).Scan(c.n); err != nil {
					t.Fatal(err)
				}
			}
			return
		}
		if v, vs, e := counts(); v != 1 || vs != 1 || e != 1 {
			t.Errorf("after the failed append: %d visitors, %d visits, %d events; want 1 each", v, vs, e)
		}

		// other takes the row IDs the failed transaction used, where a
		// database reuses them; fresh and old must get rows of their own.
		appendHits(t, s,
			pageview(site.ID, other, 2*time.Minute, "/other"),
			pageview(site.ID, fresh, 2*time.Minute, "/fresh"),
			pageview(site.ID, old, 2*time.Minute, "/old-again"),
		)
		appendHits(t, s, pageview(site.ID, fresh, 3*time.Minute, "/fresh-again"))

		got := readEvents(t, s, ws.ID, site.ID, time.Time{})
		want := []struct{ path, visitor string }{
			{"/first", old}, {"/other", other}, {"/fresh", fresh}, {"/old-again", old}, {"/fresh-again", fresh},
		}
		if len(got) != len(want) {
			t.Fatalf("read %d events, want %d", len(got), len(want))
		}
		for i, w := range want {
			if got[i].Path != w.path || got[i].VisitorUID != w.visitor {
				t.Errorf("event %d: %s by %s, want %s by %s", i, got[i].Path, got[i].VisitorUID, w.path, w.visitor)
			}
		}
		vOld, vOther, vFresh := got[0].VisitID, got[1].VisitID, got[2].VisitID
		if got[3].VisitID != vOld || got[4].VisitID != vFresh {
			t.Errorf("visits %d,%d; want old's visit %d to go on and fresh's %d", got[3].VisitID, got[4].VisitID, vOld, vFresh)
		}
		if vOld == vOther || vOld == vFresh || vOther == vFresh {
			t.Errorf("visits old %d, other %d, fresh %d: want three different ones", vOld, vOther, vFresh)
		}
		if got[3].Referrer != "" {
			t.Errorf("old's visit has referrer %q from the failed append", got[3].Referrer)
		}
		if v, vs, e := counts(); v != 3 || vs != 3 || e != 5 {
			t.Errorf("at the end: %d visitors, %d visits, %d events; want 3, 3, 5", v, vs, e)
		}
	})
}
