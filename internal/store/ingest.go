package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/foyerhq/foyer"
)

// cacheLimit bounds each ingest cache; a full cache is dropped and refilled
// from the database, which keeps memory flat under any number of visitors.
const cacheLimit = 250_000

type visitorKey struct {
	site int64
	uid  string
}

type pageKey struct {
	site              int64
	host, path, title string
}

type linkKey struct {
	site int64
	url  string
}

// visit is what the writer remembers of a visitor's latest visit, a row of
// the table sessions (the table kept its first name; in Go, "session"
// means a signed-in user's session).
type visit struct {
	id       int64
	lastAt   int64
	referrer string
	utm      foyer.UTM
	country  string
	contact  int64 // the contact it is linked to, 0 when anonymous
}

// ingestCache maps natural keys to row IDs so that most events are written
// without a lookup. It only ever holds committed rows.
type ingestCache struct {
	visitors  map[visitorKey]int64
	visits    map[int64]visit // by visitor ID
	pages     map[pageKey]int64
	links     map[linkKey]int64
	companies map[companyKey]companyRow
	// orgs are the rows of organisations that are not companies' (orgFor);
	// shown what the writer read of their overrides (shownAsCompany).
	orgs  map[companyKey]int64
	shown map[companyKey]shownEntry
	// unlinked holds visitors known to be linked to no contact: only the
	// writer links a visitor (identify), so what it read stays true until
	// it links one, and their visits need no look-up of a link.
	unlinked map[int64]struct{}
	limit    int // entries per map
}

func newIngestCache(limit int) *ingestCache {
	return &ingestCache{
		limit:    limit,
		unlinked: map[int64]struct{}{},
		visitors: map[visitorKey]int64{},
		visits:   map[int64]visit{},
		pages:    map[pageKey]int64{},
		links:    map[linkKey]int64{},

		companies: map[companyKey]companyRow{},
		orgs:      map[companyKey]int64{},
		shown:     map[companyKey]shownEntry{},
	}
}

// appendTx is the state of one Append: rows it created, staged until commit.
type appendTx struct {
	txStmts
	visitors  map[visitorKey]int64
	visits    map[int64]visit
	pages     map[pageKey]int64
	links     map[linkKey]int64
	companies map[companyKey]companyRow
	orgs      map[companyKey]int64
	sites     map[int64]int64 // site ID: workspace ID, read in this transaction
	// fresh holds the visitors this transaction created (visitorID).
	fresh map[int64]struct{}
}

type eventRow struct {
	visit, ts int64
	kind      foyer.EventKind
	page      int64
	engaged   sql.NullInt64
	link      sql.NullInt64
}

// Append durably stores hits in one transaction. Calls are serialised: the
// collector's group-commit writer is its one caller in production.
//
// Append only inserts: visitors and visits when they are new, and events.
// A visit's counters follow by Rollup. Which visit a hit continues is
// decided from the cache, which holds every visit with events that no
// roll-up has read yet, and otherwise from the database, whose visits are
// then rolled up: so the decision never rests on stale counters.
func (s *Store) Append(ctx context.Context, hits []foyer.Hit) error {
	if err := s.AppendUnsynced(ctx, hits); err != nil {
		return err
	}
	return s.SyncAppends(ctx)
}

// AppendUnsynced is Append but for the wait for the disk: its commit is
// visible to readers and survives a crash of the process, and survives a
// power loss once SyncAppends has returned nil after it. The collector
// acknowledges only then, and meanwhile commits the next batches
// (foyer.AppendSyncer).
func (s *Store) AppendUnsynced(ctx context.Context, hits []foyer.Hit) error {
	if len(hits) == 0 {
		return nil
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	return s.appendLocked(ctx, hits, nil)
}

// appendLocked is Append with ingestMu held; it records the batch IDs in
// the same transaction.
func (s *Store) appendLocked(ctx context.Context, hits []foyer.Hit, ids []string) error {
	hits = s.dropDeleted(hits)
	if len(hits) == 0 {
		return nil
	}
	err := s.append(ctx, hits, ids)
	if err == nil {
		return nil
	}
	// A site another process deleted fails the batch (a foreign key, or no
	// site to read): its hits are dropped, and the rest stored. A site that
	// never existed still fails the batch.
	gone, gerr := s.goneSites(ctx, hits)
	if gerr != nil || len(gone) == 0 {
		return err
	}
	s.forgetSites(gone...)
	if hits = s.dropDeleted(hits); len(hits) == 0 {
		return nil
	}
	return s.append(ctx, hits, ids)
}

// dropDeleted returns hits without those of sites DeleteSite deleted.
func (s *Store) dropDeleted(hits []foyer.Hit) []foyer.Hit {
	if len(s.deleted) == 0 {
		return hits
	}
	return slices.DeleteFunc(slices.Clone(hits), func(h foyer.Hit) bool { return s.deleted[h.SiteID] })
}

// forgetSites records that the sites are deleted, so that Append drops
// their hits, and starts the ingest caches afresh, since they may hold
// rows of those sites whose IDs SQLite may give again.
func (s *Store) forgetSites(ids ...int64) {
	if s.deleted == nil {
		s.deleted = map[int64]bool{}
	}
	for _, id := range ids {
		s.deleted[id] = true
	}
	s.cache = newIngestCache(s.cache.limit)
	s.genMu.Lock()
	s.appendGen++
	s.caughtUp.Store(false) // the database answers for every visit again once rolled up
	s.genMu.Unlock()
}

// goneSites returns the IDs of the hits' sites that DeleteSite deleted.
func (s *Store) goneSites(ctx context.Context, hits []foyer.Hit) ([]int64, error) {
	var ids []any
	seen := map[int64]bool{}
	for _, h := range hits {
		if !seen[h.SiteID] {
			seen[h.SiteID] = true
			ids = append(ids, h.SiteID)
		}
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.goneSites */
		SELECT site_id FROM deleted_sites WHERE site_id IN (`+placeholders(len(ids))+`)
			AND NOT EXISTS (SELECT 1 FROM sites WHERE sites.id = deleted_sites.site_id)`), ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var gone []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		gone = append(gone, id)
	}
	return gone, rows.Err()
}

// append is Append with ingestMu held; ids are the batch IDs to record.
func (s *Store) append(ctx context.Context, hits []foyer.Hit, ids []string) error {
	// Before the database can answer for a visit that is not cached, it must
	// hold every event: at the first Append, and before the cache is emptied.
	full := len(s.cache.visits)+len(hits) > s.cache.limit
	if !s.caughtUp.Load() || full {
		s.rollupMu.Lock()
		_, err := s.rollupAll(ctx)
		if err == nil && full {
			s.cache.visits = map[int64]visit{}
		}
		s.rollupMu.Unlock()
		if err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
	}

	if s.dialect == Postgres {
		if err := s.ensurePartitions(ctx, hits); err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
		if !hasIdentify(hits) {
			return s.appendPG(ctx, hits, ids) // ingest_pg.go
		}
	}

	t, err := s.beginIngest(ctx)
	if err != nil {
		return fmt.Errorf("store: append: begin: %w", err)
	}
	tx := t.tx
	defer tx.Rollback()
	a := newAppendTx(tx)
	a.ingest = t.ingest
	if err := s.recordBatches(ctx, &a.txStmts, ids); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	rows := make([]eventRow, 0, len(hits))
	for i := range hits {
		if hits[i].Kind == foyer.KindIdentify {
			if err := s.identify(ctx, a, &hits[i]); err != nil {
				return fmt.Errorf("store: append: %w", err)
			}
			continue
		}
		row, err := s.stage(ctx, a, &hits[i])
		if err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
		rows = append(rows, row)
	}
	if err := s.insertEvents(ctx, a, rows); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	if err := s.commitAppend(tx.Commit); err != nil {
		return fmt.Errorf("store: append: commit: %w", err)
	}
	s.ingestCommits.Add(1)
	s.cache.merge(a)
	s.unrolled.Add(int64(len(rows)))
	return nil
}

// commitAppend runs commit, an append's commit, and counts it in
// appendGen: a roll-up that reads appendGen before it reads the events has
// then either seen the commit or sees appendGen moved (rollupCurrent).
func (s *Store) commitAppend(commit func() error) error {
	s.genMu.Lock()
	defer s.genMu.Unlock()
	if err := commit(); err != nil {
		return err
	}
	s.appendGen++
	return nil
}

func (c *ingestCache) merge(a *appendTx) {
	mergeInto(&c.visitors, a.visitors, c.limit)
	mergeInto(&c.visits, a.visits, c.limit) // Append made room first
	mergeInto(&c.pages, a.pages, c.limit)
	mergeInto(&c.links, a.links, c.limit)
	mergeInto(&c.companies, a.companies, c.limit)
	mergeInto(&c.orgs, a.orgs, c.limit)
}

func mergeInto[K comparable, V any](dst *map[K]V, src map[K]V, limit int) {
	if len(*dst)+len(src) > limit {
		*dst = make(map[K]V, len(src))
	}
	for k, v := range src {
		(*dst)[k] = v
	}
}

// stage resolves a hit's visitor, visit, page and link, creating rows as
// needed, and returns its event row.
func (s *Store) stage(ctx context.Context, a *appendTx, h *foyer.Hit) (eventRow, error) {
	vid, err := s.visitorID(ctx, a, h)
	if err != nil {
		return eventRow{}, err
	}
	ts := ms(h.Time)
	v, err := s.visitFor(ctx, a, vid, h, ts)
	if err != nil {
		return eventRow{}, err
	}
	pid, err := s.pageID(ctx, a, h)
	if err != nil {
		return eventRow{}, err
	}
	row := eventRow{visit: v.id, ts: ts, kind: h.Kind, page: pid}
	switch h.Kind {
	case foyer.KindEngagement:
		row.engaged = sql.NullInt64{Int64: h.EngagedMS, Valid: true}
	case foyer.KindOutbound:
		lid, err := s.linkID(ctx, a, h.SiteID, h.Target)
		if err != nil {
			return eventRow{}, err
		}
		row.link = sql.NullInt64{Int64: lid, Valid: true}
	}
	return row, nil
}

func (s *Store) visitorID(ctx context.Context, a *appendTx, h *foyer.Hit) (int64, error) {
	k := visitorKey{h.SiteID, h.VisitorUID}
	if id, ok := a.visitors[k]; ok {
		return id, nil
	}
	if id, ok := s.cache.visitors[k]; ok {
		return id, nil
	}
	id, created, err := s.insertID(ctx, &a.txStmts, `/* Store.visitorID */
		INSERT INTO visitors (site_id, uid, created_at) VALUES (?, ?, ?)
		ON CONFLICT (site_id, uid) DO NOTHING`,
		h.SiteID, h.VisitorUID, ms(h.Time))
	switch {
	case err != nil:
	case created:
		// A visitor created just now has no visit and no link yet: its
		// first hit needs neither looked up (visitFor).
		a.fresh[id] = struct{}{}
	default: // stored before, but not cached
		err = s.queryRow(ctx, &a.txStmts, `/* Store.visitorID */
			SELECT id FROM visitors WHERE site_id = ? AND uid = ?`, h.SiteID, h.VisitorUID).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("visitor: %w", err)
	}
	a.visitors[k] = id
	return id, nil
}

// visitFor returns the visit a hit belongs to: the visitor's current one,
// or a new one after a pause longer than the timeout, a new campaign, a new
// external referrer or a new (known) country.
func (s *Store) visitFor(ctx context.Context, a *appendTx, vid int64, h *foyer.Hit, ts int64) (visit, error) {
	cur, ok := a.visits[vid]
	if !ok {
		cur, ok = s.cache.visits[vid]
	}
	_, fresh := a.fresh[vid]
	if !ok && !fresh {
		var err error
		cur, ok, err = s.latestVisit(ctx, a, vid)
		if err != nil {
			return visit{}, err
		}
	}
	if ok && !s.startsNewVisit(cur, h, ts) {
		// A visit linked to a contact goes on as the contact's only while
		// the link holds: the contact may have refused since, or been
		// unlinked. Then what follows is a new, anonymous visit.
		still := true
		if cur.contact != 0 {
			link, err := s.visitorLink(ctx, a, vid)
			if err != nil {
				return visit{}, err
			}
			still = link.contact == cur.contact
		}
		if still {
			// The visit goes on: the timeout counts from its latest event.
			cur.lastAt = max(cur.lastAt, ts)
			a.visits[vid] = cur
			return cur, nil
		}
	}
	next := visit{lastAt: ts, referrer: h.Referrer, utm: h.UTM, country: h.Origin.Country}
	company, org, err := s.companyFor(ctx, a, h)
	if err != nil {
		return visit{}, err
	}
	// A browser recognised earlier makes the visit its contact's, if the
	// contact may be tracked now.
	var link link
	if !fresh {
		if link, err = s.visitorLink(ctx, a, vid); err != nil {
			return visit{}, err
		}
	}
	next.contact = link.contact
	next.id, _, err = s.insertID(ctx, &a.txStmts, `/* Store.visitFor */
		INSERT INTO sessions (site_id, visitor_id, started_at, last_at, referrer,
			utm_source, utm_medium, utm_campaign, utm_term, utm_content, country, city, org_type, company_id,
			contact_id, identified_via, identified_at, org_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.SiteID, vid, ts, ts, h.Referrer, h.UTM.Source, h.UTM.Medium, h.UTM.Campaign,
		h.UTM.Term, h.UTM.Content, h.Origin.Country, h.Origin.City, orgType(h.Origin), company,
		link.contactID(), int64(link.via), link.at(ts), org)
	if err != nil {
		return visit{}, fmt.Errorf("visit: %w", err)
	}
	a.visits[vid] = next
	return next, nil
}

// orgType is what a visit keeps of its organisation's type: "" when no IP
// data answered.
func orgType(o foyer.Origin) string {
	if o.Org.Type == foyer.OrgUnknown && o.Org.Name == "" && o.Country == "" {
		return ""
	}
	return string(o.Org.Type)
}

func (s *Store) startsNewVisit(cur visit, h *foyer.Hit, ts int64) bool {
	if ts-cur.lastAt > s.timeout.Milliseconds() {
		return true
	}
	if h.Origin.Country != "" && cur.country != "" && h.Origin.Country != cur.country {
		return true // an unknown country is no evidence of a move
	}
	if h.Kind != foyer.KindPageview {
		return false
	}
	if !h.UTM.IsZero() && h.UTM != cur.utm {
		return true
	}
	return h.Referrer != "" && h.Referrer != cur.referrer
}

// latestVisit reads the visitor's latest visit. Visits of a visitor are created
// in time order by the one writer, so the latest has the highest ID.
func (s *Store) latestVisit(ctx context.Context, a *appendTx, vid int64) (visit, bool, error) {
	var cur visit
	err := s.queryRow(ctx, &a.txStmts, `/* Store.latestVisit */
		SELECT id, last_at, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content, country,
			COALESCE(contact_id, 0)
		FROM sessions WHERE visitor_id = ? ORDER BY id DESC LIMIT 1`, vid).Scan(
		&cur.id, &cur.lastAt, &cur.referrer, &cur.utm.Source, &cur.utm.Medium, &cur.utm.Campaign,
		&cur.utm.Term, &cur.utm.Content, &cur.country, &cur.contact)
	if err == sql.ErrNoRows {
		return visit{}, false, nil
	}
	if err != nil {
		return visit{}, false, fmt.Errorf("latest visit: %w", err)
	}
	return cur, true, nil
}

func (s *Store) pageID(ctx context.Context, a *appendTx, h *foyer.Hit) (int64, error) {
	k := pageKey{h.SiteID, h.Host, h.Path, h.Title}
	if id, ok := a.pages[k]; ok {
		return id, nil
	}
	if id, ok := s.cache.pages[k]; ok {
		return id, nil
	}
	id, created, err := s.insertID(ctx, &a.txStmts, `/* Store.pageID */
		INSERT INTO pages (site_id, host, path, title) VALUES (?, ?, ?, ?)
		ON CONFLICT (site_id, host, path, title) DO NOTHING`,
		h.SiteID, h.Host, h.Path, h.Title)
	if err == nil && !created { // stored before, but not cached
		err = s.queryRow(ctx, &a.txStmts, `/* Store.pageID */
			SELECT id FROM pages WHERE site_id = ? AND host = ? AND path = ? AND title = ?`,
			h.SiteID, h.Host, h.Path, h.Title).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("page: %w", err)
	}
	a.pages[k] = id
	return id, nil
}

func (s *Store) linkID(ctx context.Context, a *appendTx, site int64, url string) (int64, error) {
	k := linkKey{site, url}
	if id, ok := a.links[k]; ok {
		return id, nil
	}
	if id, ok := s.cache.links[k]; ok {
		return id, nil
	}
	id, created, err := s.insertID(ctx, &a.txStmts, `/* Store.linkID */
		INSERT INTO links (site_id, url) VALUES (?, ?) ON CONFLICT (site_id, url) DO NOTHING`, site, url)
	if err == nil && !created { // stored before, but not cached
		err = s.queryRow(ctx, &a.txStmts, `/* Store.linkID */
			SELECT id FROM links WHERE site_id = ? AND url = ?`, site, url).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("link: %w", err)
	}
	a.links[k] = id
	return id, nil
}

// eventChunk is how many rows one INSERT statement carries.
const eventChunk = 128

// orNull is n as a statement argument: its value, or nil for NULL. Passed
// as it is, a sql.NullInt64 costs a conversion through its Value method.
func orNull(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}

// insertEvents writes rows eventChunk at a time; every statement text
// (one per chunk length) is prepared once and kept.
func (s *Store) insertEvents(ctx context.Context, a *appendTx, rows []eventRow) error {
	for chunk := range slices.Chunk(rows, eventChunk) {
		var q strings.Builder
		q.WriteString("/* Store.insertEvents */ INSERT INTO events (session_id, ts, kind, page_id, engaged_ms, link_id) VALUES ")
		args := make([]any, 0, len(chunk)*6)
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?)")
			args = append(args, r.visit, r.ts, int64(r.kind), r.page, orNull(r.engaged), orNull(r.link))
		}
		stmt, err := s.stmt(ctx, &a.txStmts, q.String())
		if err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
	}
	return nil
}
