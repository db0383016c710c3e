package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// segFixture is a workspace in opt-out mode with Persona Insights on, a
// company (client.example, software) and contacts of it: Jane (accepted),
// Rob (refused), Una (no answer); Ann (accepted) of another domain.
// Jane and Una visited /pricing/plans, identified; a visit of Rob's is
// forced into the database, as if it had slipped through, and so is an
// open of a campaign by him: evaluation must ignore both.
type segFixture struct {
	s                   *store.Store
	clock               *testutil.Clock
	ws                  *foyer.Workspace
	site                *foyer.Site
	company, campaign   int64
	jane, rob, una, ann *foyer.Contact
}

func newSegFixture(t *testing.T, d store.Dialect) *segFixture {
	t.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(t0.Add(2 * time.Hour))
	s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	s.UseKeys(testKeys(t, 9))
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	f := &segFixture{s: s, clock: clock, ws: ws, site: site}
	db := s.DB()
	q := func(query string, args ...any) int64 {
		t.Helper()
		if d == store.Postgres {
			query = pgBind(query)
		}
		var id int64
		if err := db.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return id
	}
	f.company = q(`INSERT INTO companies (workspace_id, org_key, name, domain, type, industry, size, country, created_at)
		VALUES (?, 'domain:client.example', 'Client Software', 'client.example', 'business', 'Software', '51-200', 'FR', ?)`, ws.ID, t0.UnixMilli())
	mk := func(email, first, role string, status foyer.ConsentStatus) *foyer.Contact {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: email, FirstName: first, LastName: "Doe", Role: role}
		var change *foyer.ConsentChange
		if status != foyer.ConsentUnanswered {
			change = &foyer.ConsentChange{Status: status, At: t0, Source: foyer.SourceAPI, Actor: "test"}
		}
		if _, _, _, err := s.CreateContactWithConsent(ctx, c, "test", change); err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.jane = mk("jane@client.example", "Jane", "CTO", foyer.ConsentAccepted)
	f.rob = mk("rob@client.example", "Rob", "CFO", foyer.ConsentRefused)
	f.una = mk("una@client.example", "Una", "CEO", foyer.ConsentUnanswered)
	f.ann = mk("ann@elsewhere.example", "Ann", "CTO", foyer.ConsentAccepted)
	if f.jane.CompanyID != f.company || f.ann.CompanyID != 0 {
		t.Fatalf("companies of contacts: %d, %d", f.jane.CompanyID, f.ann.CompanyID)
	}
	if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "user 1"); err != nil {
		t.Fatal(err)
	}
	appendHits(t, s,
		identifyHit(site.ID, "vjane", 0, f.jane.ID, foyer.ViaForm), pageview(site.ID, "vjane", time.Minute, "/pricing/plans"),
		identifyHit(site.ID, "vuna", 0, f.una.ID, foyer.ViaEmailLink), pageview(site.ID, "vuna", time.Minute, "/pricing/plans"),
		identifyHit(site.ID, "vrob", 0, f.jane.ID, foyer.ViaForm), pageview(site.ID, "vrob", time.Minute, "/pricing/plans"))
	if _, err := s.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	execSQL(t, s, `UPDATE sessions SET contact_id = ? WHERE visitor_id = (SELECT id FROM visitors WHERE uid = 'vrob')`, f.rob.ID)
	f.campaign = q(`INSERT INTO campaigns (workspace_id, name, subject, html, created_by, created_at) VALUES (?, 'March', 'Hi', '<p>x</p>', 'test', ?)`,
		ws.ID, t0.UnixMilli())
	for _, c := range []*foyer.Contact{f.jane, f.rob} {
		q(`INSERT INTO campaign_recipients (workspace_id, campaign_id, contact_id, sent_at, first_open_at) VALUES (?, ?, ?, ?, ?)`,
			ws.ID, f.campaign, c.ID, t0.UnixMilli(), t0.Add(time.Hour).UnixMilli())
	}
	return f
}

// pgBind numbers ? placeholders for PostgreSQL.
func pgBind(q string) string {
	out := make([]byte, 0, len(q)+8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// execSQL runs a statement on the store's database.
func execSQL(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if s.Dialect() == store.Postgres {
		q = pgBind(q)
	}
	if _, err := s.DB().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// members returns the IDs of a segment's members, ascending.
func (f *segFixture) members(t *testing.T, id int64) []int64 {
	t.Helper()
	list, err := f.s.SegmentMembers(context.Background(), f.ws.ID, id, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, m := range list {
		out = append(out, m.ContactID)
	}
	slices.Sort(out)
	return out
}

// segEvent is an automation event as the tests compare it.
type segEvent struct {
	Kind               string
	Segment, Contact   int64
	Behavioural        bool
	OldMilli, NewMilli int64
	Company            int64
}

// events returns the workspace's automation events after id, and the last
// ID.
func (f *segFixture) events(t *testing.T, after int64) ([]segEvent, int64) {
	t.Helper()
	q := `SELECT id, kind, segment_id, contact_id, company_id, old_milli, new_milli, behavioural FROM automation_events
		WHERE workspace_id = ? AND id > ? ORDER BY id`
	if f.s.Dialect() == store.Postgres {
		q = pgBind(q)
	}
	rows, err := f.s.DB().QueryContext(context.Background(), q, f.ws.ID, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []segEvent
	for rows.Next() {
		var e segEvent
		if err := rows.Scan(&after, &e.Kind, &e.Segment, &e.Contact, &e.Company, &e.OldMilli, &e.NewMilli, &e.Behavioural); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out, after
}

// has reports whether evs holds an event of the kind, segment and contact
// with the behavioural flag.
func has(evs []segEvent, kind string, segment, contact int64, behavioural bool) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Segment == segment && e.Contact == contact && e.Behavioural == behavioural {
			return true
		}
	}
	return false
}

func def(t *testing.T, s string) *foyer.SegmentDefinition {
	t.Helper()
	d, err := foyer.ParseSegmentDefinition(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSegmentsUntracked: behavioural conditions match tracked contacts
// only, attribute conditions everyone; the untracked contacts a segment
// leaves out are counted; scores give behavioural points to tracked
// contacts only; each entry and score writes its automation event; in
// opt-in mode the contact with no answer leaves too. Both dialects.
func TestSegmentsUntracked(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newSegFixture(t, d)
		ctx := context.Background()
		rule := &foyer.ScoreRule{WorkspaceID: f.ws.ID, Target: foyer.TargetContact, Name: "Pricing", Points: 10,
			Condition: foyer.Condition{Kind: foyer.CondVisited, Path: "/pricing/"}}
		if err := f.s.CreateScoreRule(ctx, rule, "user 1"); err != nil {
			t.Fatal(err)
		}
		open := &foyer.ScoreRule{WorkspaceID: f.ws.ID, Target: foyer.TargetContact, Name: "Opened", Points: 3,
			Condition: foyer.Condition{Kind: foyer.CondOpened}}
		if err := f.s.CreateScoreRule(ctx, open, "user 1"); err != nil {
			t.Fatal(err)
		}
		pricing := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "Software on pricing", Definition: def(t,
			`{"match":"all","conditions":[{"kind":"company","field":"industry","op":"contains","value":"soft"},{"kind":"visited","path":"/pricing/","days":30}]}`)}
		if err := f.s.SaveSegment(ctx, pricing, "user 1"); err != nil {
			t.Fatal(err)
		}
		cfo := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "CFOs", Definition: def(t,
			`{"match":"all","conditions":[{"kind":"contact","field":"role","op":"is","value":"cfo"}]}`)}
		if err := f.s.SaveSegment(ctx, cfo, "user 1"); err != nil {
			t.Fatal(err)
		}
		openers := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "Openers or scored", Definition: def(t,
			`{"match":"any","conditions":[{"kind":"opened","days":30},{"kind":"score","points":5}]}`)}
		if err := f.s.SaveSegment(ctx, openers, "user 1"); err != nil {
			t.Fatal(err)
		}

		if got, want := f.members(t, pricing.ID), []int64{f.jane.ID, f.una.ID}; !slices.Equal(got, want) {
			t.Errorf("pricing members %v, want %v (Rob refused)", got, want)
		}
		if got, want := f.members(t, cfo.ID), []int64{f.rob.ID}; !slices.Equal(got, want) {
			t.Errorf("CFO members %v, want %v: attributes match untracked contacts", got, want)
		}
		if got, want := f.members(t, openers.ID), []int64{f.jane.ID, f.una.ID}; !slices.Equal(got, want) {
			t.Errorf("openers members %v, want %v", got, want)
		}
		sg, err := f.s.Segment(ctx, f.ws.ID, pricing.ID)
		if err != nil || sg.Members != 2 || sg.ExcludedUntracked != 1 {
			t.Errorf("pricing counts: %+v, %v; want 2 members, 1 left out (Rob)", sg, err)
		}
		sg, _ = f.s.Segment(ctx, f.ws.ID, openers.ID)
		if sg.ExcludedUntracked != 1 {
			t.Errorf("openers: %d left out, want Rob (Ann is tracked)", sg.ExcludedUntracked)
		}
		sg, _ = f.s.Segment(ctx, f.ws.ID, cfo.ID)
		if sg.ExcludedUntracked != 0 {
			t.Errorf("an attribute segment left out %d", sg.ExcludedUntracked)
		}

		score := func(c *foyer.Contact) int64 {
			t.Helper()
			v, err := f.s.ScoreOf(ctx, f.ws.ID, foyer.TargetContact, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		// Jane: a pricing visit and an open, barely decayed (2 hours of 30 days).
		if v := score(f.jane); v < 12900 || v > 13000 {
			t.Errorf("Jane's score %d, want about 13000", v)
		}
		if v := score(f.una); v < 9900 || v > 10000 {
			t.Errorf("Una's score %d, want about 10000", v)
		}
		if v := score(f.rob); v != 0 {
			t.Errorf("Rob (refused) scored %d", v)
		}

		evs, last := f.events(t, 0)
		for _, want := range []struct {
			seg, contact int64
			beh          bool
		}{{pricing.ID, f.jane.ID, true}, {pricing.ID, f.una.ID, true}, {cfo.ID, f.rob.ID, false}, {openers.ID, f.jane.ID, true}} {
			if !has(evs, "segment-entered", want.seg, want.contact, want.beh) {
				t.Errorf("no segment-entered event for segment %d, contact %d, behavioural %v: %+v", want.seg, want.contact, want.beh, evs)
			}
		}
		for _, e := range evs {
			if e.Contact == f.rob.ID && (e.Behavioural || e.Kind == "score-changed") {
				t.Errorf("a behavioural event of Rob: %+v", e)
			}
		}
		if !has(evs, "score-changed", 0, f.jane.ID, true) {
			t.Errorf("no score event for Jane: %+v", evs)
		}

		// Opt-in: Una (no answer) may no longer be tracked.
		if _, err := f.s.SetTrackingMode(ctx, f.ws.ID, foyer.TrackingOptIn, "user 1", ""); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.PollSegments(ctx); err != nil || n != 1 {
			t.Fatalf("poll after the mode change: %d full, %v", n, err)
		}
		if got, want := f.members(t, pricing.ID), []int64{f.jane.ID}; !slices.Equal(got, want) {
			t.Errorf("pricing members in opt-in %v, want %v", got, want)
		}
		if v := score(f.una); v != 0 {
			t.Errorf("Una's score in opt-in: %d", v)
		}
		sg, _ = f.s.Segment(ctx, f.ws.ID, pricing.ID)
		if sg.Members != 1 || sg.ExcludedUntracked != 2 {
			t.Errorf("pricing in opt-in: %d members, %d left out; want 1, 2", sg.Members, sg.ExcludedUntracked)
		}
		evs, _ = f.events(t, last)
		if !has(evs, "segment-left", pricing.ID, f.una.ID, true) || !has(evs, "score-changed", 0, f.una.ID, true) {
			t.Errorf("events after opt-in: %+v", evs)
		}
		for _, e := range evs {
			if e.Contact == f.una.ID && e.Kind == "score-changed" && (e.OldMilli != 0 || e.NewMilli != 0) {
				t.Errorf("the score event of a contact no longer tracked repeats her behaviour: %+v", e)
			}
		}
	})
}

// TestSegmentsIncremental: a consent refusal, a new identified visit and
// a campaign open move a contact in or out of segments, with their
// events, through the queue and the poll, with no full evaluation.
func TestSegmentsIncremental(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newSegFixture(t, d)
		ctx := context.Background()
		pricing := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "Pricing", Definition: def(t,
			`{"match":"any","conditions":[{"kind":"visited","path":"/pricing/","days":7},{"kind":"clicked","days":30}]}`)}
		if err := f.s.SaveSegment(ctx, pricing, "user 1"); err != nil {
			t.Fatal(err)
		}
		openers := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "Openers", Definition: def(t,
			`{"match":"all","conditions":[{"kind":"opened","days":30}]}`)}
		if err := f.s.SaveSegment(ctx, openers, "user 1"); err != nil {
			t.Fatal(err)
		}
		// The first poll evaluates in full and marks the time.
		if _, err := f.s.PollSegments(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := f.members(t, pricing.ID), []int64{f.jane.ID, f.una.ID}; !slices.Equal(got, want) {
			t.Fatalf("members %v, want %v", got, want)
		}
		_, last := f.events(t, 0)
		drain := func() {
			t.Helper()
			if _, err := f.s.PollSegments(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.DrainSegmentQueue(ctx, 100); err != nil {
				t.Fatal(err)
			}
		}

		// Jane refuses.
		f.clock.Add(time.Minute)
		if _, _, _, err := f.s.RecordConsent(ctx, f.ws.ID, f.jane.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
			Source: foyer.SourceAdmin, Actor: "user 1"}); err != nil {
			t.Fatal(err)
		}
		drain()
		if got, want := f.members(t, pricing.ID), []int64{f.una.ID}; !slices.Equal(got, want) {
			t.Errorf("after Jane refused: %v, want %v", got, want)
		}
		evs, l := f.events(t, last)
		last = l
		if len(evs) != 2 || !has(evs, "segment-left", pricing.ID, f.jane.ID, true) || !has(evs, "segment-left", openers.ID, f.jane.ID, true) {
			t.Errorf("events after the refusal: %+v", evs)
		}

		// Ann visits the pricing page, identified.
		f.clock.Add(time.Minute)
		appendHits(t, f.s, identifyHit(f.site.ID, "vann", 2*time.Hour+time.Minute, f.ann.ID, foyer.ViaForm),
			pageview(f.site.ID, "vann", 2*time.Hour+90*time.Second, "/pricing/enterprise"))
		if _, err := f.s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		drain()
		if got, want := f.members(t, pricing.ID), []int64{f.una.ID, f.ann.ID}; !slices.Equal(got, want) {
			t.Errorf("after Ann's visit: %v, want %v", got, want)
		}
		evs, last = f.events(t, last)
		if len(evs) != 1 || !has(evs, "segment-entered", pricing.ID, f.ann.ID, true) {
			t.Errorf("events after Ann's visit: %+v", evs)
		}

		// Jane accepts again and clicks in the campaign.
		if _, _, _, err := f.s.RecordConsent(ctx, f.ws.ID, f.jane.ID, foyer.ConsentChange{Status: foyer.ConsentAccepted,
			Source: foyer.SourceAdmin, Actor: "user 1"}); err != nil {
			t.Fatal(err)
		}
		// Her refusal detached her from the campaign she had received (her
		// opens stay counted, linked to nobody): a new message, after she
		// accepted, is the one she opens and clicks.
		var linked int
		q := `SELECT COUNT(*) FROM campaign_recipients WHERE contact_id = ?`
		if f.s.Dialect() == store.Postgres {
			q = pgBind(q)
		}
		if err := f.s.DB().QueryRowContext(ctx, q, f.jane.ID).Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked != 0 {
			t.Errorf("after her refusal Jane is still linked to %d campaign recipients", linked)
		}
		execSQL(t, f.s, `INSERT INTO campaign_recipients (workspace_id, campaign_id, contact_id, sent_at, first_open_at, first_click_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.ws.ID, f.campaign, f.jane.ID, f.clock.Now().UnixMilli(), f.clock.Now().UnixMilli(), f.clock.Now().UnixMilli())
		f.clock.Add(time.Minute)
		drain()
		if got, want := f.members(t, pricing.ID), []int64{f.jane.ID, f.una.ID, f.ann.ID}; !slices.Equal(got, want) {
			t.Errorf("after Jane's click: %v, want %v", got, want)
		}
		evs, _ = f.events(t, last)
		if !has(evs, "segment-entered", pricing.ID, f.jane.ID, true) {
			t.Errorf("events after Jane's click: %+v", evs)
		}

		// Ann opens the campaign: she is an opener now.
		if got, want := f.members(t, openers.ID), []int64{f.jane.ID}; !slices.Equal(got, want) {
			t.Errorf("openers before Ann's open: %v, want %v", got, want)
		}
		_, last = f.events(t, 0)
		q = `INSERT INTO campaign_recipients (workspace_id, campaign_id, contact_id, sent_at, first_open_at) VALUES (?, ?, ?, ?, ?)`
		execSQL(t, f.s, q, f.ws.ID, f.campaign, f.ann.ID, f.clock.Now().UnixMilli(), f.clock.Now().UnixMilli())
		f.clock.Add(time.Minute)
		drain()
		if got, want := f.members(t, openers.ID), []int64{f.jane.ID, f.ann.ID}; !slices.Equal(got, want) {
			t.Errorf("openers after Ann's open: %v, want %v", got, want)
		}
		evs, _ = f.events(t, last)
		if !has(evs, "segment-entered", openers.ID, f.ann.ID, true) {
			t.Errorf("events after Ann's open: %+v", evs)
		}

		// Rob's click, forced in, still counts for nothing.
		execSQL(t, f.s, `UPDATE campaign_recipients SET first_click_at = ? WHERE contact_id = ?`, f.clock.Now().UnixMilli(), f.rob.ID)
		drain()
		if slices.Contains(f.members(t, pricing.ID), f.rob.ID) {
			t.Error("Rob (refused) entered by a click")
		}

		// Erasing Una takes her out of the segment and the events.
		if err := f.s.DeleteContact(ctx, f.ws.ID, f.una.ID, "user 1"); err != nil {
			t.Fatal(err)
		}
		sg, _ := f.s.Segment(ctx, f.ws.ID, pricing.ID)
		if sg.Members != 2 {
			t.Errorf("members after erasing Una: %d", sg.Members)
		}
		all, _ := f.events(t, 0)
		for _, e := range all {
			if e.Contact == f.una.ID {
				t.Errorf("an event of the erased contact stayed: %+v", e)
			}
		}
	})
}

// TestSegmentsCrossWorkspace: another workspace's segment, rule and
// campaign are not found or not accepted.
func TestSegmentsCrossWorkspace(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newSegFixture(t, d)
		ctx := context.Background()
		ws2, _ := testutil.NewSite(t, f.s, "Other", "other", "www.other.example")
		sg := &foyer.Segment{WorkspaceID: f.ws.ID, Name: "Static"}
		if err := f.s.SaveSegment(ctx, sg, "user 1"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddSegmentMember(ctx, f.ws.ID, sg.ID, f.rob.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.members(t, sg.ID); !slices.Equal(got, []int64{f.rob.ID}) {
			t.Errorf("static members %v", got)
		}
		if _, err := f.s.Segment(ctx, ws2.ID, sg.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("another workspace's segment: %v", err)
		}
		if _, err := f.s.SegmentMembers(ctx, ws2.ID, sg.ID, 0, 10); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("another workspace's members: %v", err)
		}
		if err := f.s.DeleteSegment(ctx, ws2.ID, sg.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("deleting another workspace's segment: %v", err)
		}
		if err := f.s.AddSegmentMember(ctx, ws2.ID, sg.ID, f.jane.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("adding to another workspace's segment: %v", err)
		}
		other := &foyer.Segment{WorkspaceID: ws2.ID, Name: "Theirs"}
		if err := f.s.SaveSegment(ctx, other, "user 2"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddSegmentMember(ctx, ws2.ID, other.ID, f.jane.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("adding this workspace's contact there: %v", err)
		}
		bad := &foyer.Segment{WorkspaceID: ws2.ID, Name: "Their openers",
			Definition: def(t, `{"match":"all","conditions":[{"kind":"opened","campaign":`+strconv.FormatInt(f.campaign, 10)+`,"days":30}]}`)}
		if err := f.s.SaveSegment(ctx, bad, "user 2"); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("a definition naming another workspace's campaign: %v", err)
		}
		rule := &foyer.ScoreRule{WorkspaceID: f.ws.ID, Target: foyer.TargetContact, Name: "CTO", Points: 5,
			Condition: foyer.Condition{Kind: foyer.CondContact, Field: "role", Op: "is", Value: "cto"}}
		if err := f.s.CreateScoreRule(ctx, rule, "user 1"); err != nil {
			t.Fatal(err)
		}
		if err := f.s.DeleteScoreRule(ctx, ws2.ID, rule.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("deleting another workspace's rule: %v", err)
		}
		if v, _ := f.s.ScoreOf(ctx, ws2.ID, foyer.TargetContact, f.jane.ID); v != 0 {
			t.Errorf("a score read through another workspace: %d", v)
		}
		// Rob (refused) gets attribute points? No: he is a CFO. Ann, CTO,
		// accepted, does; Jane too.
		top, err := f.s.TopScores(ctx, f.ws.ID, foyer.TargetContact, 10)
		if err != nil || len(top) != 2 {
			t.Errorf("top scores: %+v, %v", top, err)
		}
	})
}

// TestCompanyScores: company rules count every visit of the company,
// anonymous ones included, and its fields.
func TestCompanyScores(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newSegFixture(t, d)
		ctx := context.Background()
		execSQL(t, f.s, `UPDATE sessions SET company_id = ?`, f.company)
		for _, r := range []*foyer.ScoreRule{
			{WorkspaceID: f.ws.ID, Target: foyer.TargetCompany, Name: "Pricing", Points: 10, Condition: foyer.Condition{Kind: foyer.CondVisited, Path: "/pricing/"}},
			{WorkspaceID: f.ws.ID, Target: foyer.TargetCompany, Name: "Software", Points: 5, Condition: foyer.Condition{Kind: foyer.CondCompany, Field: "industry", Op: "is", Value: "software"}},
		} {
			if err := f.s.CreateScoreRule(ctx, r, "user 1"); err != nil {
				t.Fatal(err)
			}
		}
		v, err := f.s.ScoreOf(ctx, f.ws.ID, foyer.TargetCompany, f.company)
		// three visits to pricing (30), the industry (5), decayed a little.
		if err != nil || v < 34000 || v > 35000 {
			t.Errorf("company score %d, %v; want about 35000", v, err)
		}
	})
}

// TestFeedRulesScore: the feed ordered by the rules score puts the
// company the rules like first, whatever the fixed score says.
func TestFeedRulesScore(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clock := testutil.NewClock(t0.Add(3 * time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		visit := func(visitor, org string, n int, path string) {
			for i := range n {
				h := pageview(site.ID, visitor, time.Duration(i)*time.Minute, path)
				h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: org, Domain: strings.ToLower(org) + ".example", Type: foyer.OrgBusiness}}
				appendHits(t, s, h)
			}
		}
		visit("v-busy", "Busy", 6, "/blog")
		visit("v-buyer", "Buyer", 1, "/pricing/plans")
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		rule := &foyer.ScoreRule{WorkspaceID: ws.ID, Target: foyer.TargetCompany, Name: "Pricing", Points: 10,
			Condition: foyer.Condition{Kind: foyer.CondVisited, Path: "/pricing/"}}
		if err := s.CreateScoreRule(ctx, rule, "user 1"); err != nil {
			t.Fatal(err)
		}
		names := func(sort foyer.FeedSort) []string {
			rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: t0.Add(-24 * time.Hour), To: clock.Now(), Sort: sort})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, fmt.Sprintf("%s:%d", r.Name, r.RulesScore))
			}
			return out
		}
		if got := names(foyer.SortScore); len(got) != 2 || !strings.HasPrefix(got[0], "Busy") {
			t.Errorf("by the fixed score: %v", got)
		}
		if got, want := names(foyer.SortRulesScore), []string{"Buyer:10", "Busy:0"}; !slices.Equal(got, want) {
			t.Errorf("by the rules score: %v, want %v", got, want)
		}
	})
}
