package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL every statement is a round trip, so Append resolves a
// commit's rows set-wise instead of hit by hit (appendPG), in two round
// trips whatever its size: one pgx batch begins the transaction, creates
// the unknown visitors, pages and links (unnest arrays, ON CONFLICT …
// RETURNING) and reads the sites' workspaces and the visitors' latest
// visits and links (for the visitors the cache did not know, in the
// statement that creates or finds them); the hits are then staged in
// memory, in order, exactly as stage does; and a second batch inserts the new visits, with IDs
// taken from their sequence in hit order, and the events, in one
// statement, and commits. A company the ingest cache does not know yet is
// still resolved by companyFor, through database/sql on the same
// connection, so in the same transaction (a round trip each, as before).
//
// A commit that carries an identification is staged hit by hit (stage):
// an identification changes a visitor's link and current visit between
// two hits, which a read made ahead would miss. They are rare.

// pgAppend is what appendPG read ahead for one commit.
type pgAppend struct {
	// latest holds the latest stored visit of the visitors that have one,
	// among those whose visit the ingest cache does not hold.
	latest map[int64]visit
	// links holds the stored links of the visitors whose link was read,
	// as visitorLink keeps them; read marks the visitors whose link was read.
	links map[int64]link
	read  map[int64]bool
	// fresh are the visits the commit creates, placeholder -(i+1) for
	// fresh[i], in the order the hits created them.
	fresh []freshVisit
}

// freshVisit is a visit the commit creates.
type freshVisit struct {
	h            *foyer.Hit
	visitor      int64
	company, org sql.NullInt64
	link         link
	ts           int64
}

// hasIdentify reports whether hits carry an identification.
func hasIdentify(hits []foyer.Hit) bool {
	for i := range hits {
		if hits[i].Kind == foyer.KindIdentify {
			return true
		}
	}
	return false
}

// appendPG is append on PostgreSQL for hits without an identification
// (see above); ids are the batch IDs to record in the same transaction.
func (s *Store) appendPG(ctx context.Context, hits []foyer.Hit, ids []string) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	defer conn.Close()
	// The transaction is pgx's: BEGIN goes in the read-ahead batch and
	// COMMIT in the write's, and what staging reads through database/sql
	// (companyFor) goes on conn, the same connection, so in it too.
	pc, err := pgxConn(conn)
	if err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	defer func() {
		if err != nil && pc.PgConn().TxStatus() != 'I' {
			// An error before COMMIT: the transaction goes. Should the
			// ROLLBACK fail, database/sql drops the connection, as pgx's
			// stdlib refuses one left in a transaction.
			pc.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	a := newAppendTx(nil)
	a.conn = conn
	p, err := s.pgReadAhead(ctx, pc, a, hits, ids)
	if err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	rows := make([]eventRow, 0, len(hits))
	for i := range hits {
		row, err := s.pgStage(ctx, a, p, &hits[i])
		if err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
		rows = append(rows, row)
	}
	// The write's batch ends with the COMMIT.
	if err := s.commitAppend(func() error { return s.pgWrite(ctx, pc, a, p, rows) }); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	s.cache.merge(a)
	s.unrolled.Add(int64(len(rows)))
	return nil
}

// pgxConn returns the pgx connection under conn, which the caller may use
// while it holds conn (the store opens PostgreSQL through pgx's stdlib).
func pgxConn(conn *sql.Conn) (*pgx.Conn, error) {
	var pc *pgx.Conn
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T is not pgx's", dc)
		}
		pc = c.Conn()
		return nil
	})
	return pc, err
}

// newAppendTx returns the state of an Append in transaction tx.
func newAppendTx(tx *sql.Tx) *appendTx {
	return &appendTx{
		txStmts:  txStmts{tx: tx, stmts: map[string]*sql.Stmt{}},
		visitors: map[visitorKey]int64{},
		visits:   map[int64]visit{},
		pages:    map[pageKey]int64{},
		links:    map[linkKey]int64{},

		companies: map[companyKey]companyRow{},
		orgs:      map[companyKey]int64{},
		sites:     map[int64]int64{},
		fresh:     map[int64]struct{}{},
	}
}

// pgReadAhead begins the transaction, records the batch IDs, creates the
// commit's unknown visitors, pages and links, and reads its sites'
// workspaces and the latest visits and links of its visitors the cache
// cannot answer for, in one round trip.
func (s *Store) pgReadAhead(ctx context.Context, pc *pgx.Conn, a *appendTx, hits []foyer.Hit, ids []string) (*pgAppend, error) {
	p := &pgAppend{latest: map[int64]visit{}, links: map[int64]link{}, read: map[int64]bool{}}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if len(ids) > 0 {
		b.Queue(`/* Store.recordBatches */ INSERT INTO ingest_batches (id, stored_at)
			SELECT unnest($1::text[]), $2::bigint`, ids, time.Now().UnixMilli()) // as recordBatches
	}

	var sites []int64
	seenSite := map[int64]bool{}
	var vSite, vCreated []int64 // visitors to create, in the order hits name them
	var vUID []string
	var qSite, lSite []int64 // visitors whose latest visit (q) and link (l) to read
	var qUID, lUID []string
	seenV := map[visitorKey]bool{}
	var pSite []int64
	var pHost, pPath, pTitle []string
	seenP := map[pageKey]bool{}
	var kSite []int64
	var kURL []string
	seenK := map[linkKey]bool{}
	for i := range hits {
		h := &hits[i]
		if !seenSite[h.SiteID] {
			seenSite[h.SiteID] = true
			sites = append(sites, h.SiteID)
		}
		vk := visitorKey{h.SiteID, h.VisitorUID}
		if !seenV[vk] {
			seenV[vk] = true
			id, known := s.cache.visitors[vk]
			switch {
			case !known:
				// Created, or found, with its latest visit and link read
				// in the same statement.
				vSite, vUID, vCreated = append(vSite, h.SiteID), append(vUID, h.VisitorUID), append(vCreated, ms(h.Time))
			default:
				if _, ok := s.cache.visits[id]; !ok {
					qSite, qUID = append(qSite, h.SiteID), append(qUID, h.VisitorUID)
				}
				if _, ok := s.cache.unlinked[id]; !ok {
					lSite, lUID = append(lSite, h.SiteID), append(lUID, h.VisitorUID)
				}
			}
		}
		pk := pageKey{h.SiteID, h.Host, h.Path, h.Title}
		if _, ok := s.cache.pages[pk]; !ok && !seenP[pk] {
			seenP[pk] = true
			pSite, pHost, pPath, pTitle = append(pSite, h.SiteID), append(pHost, h.Host), append(pPath, h.Path), append(pTitle, h.Title)
		}
		if h.Kind == foyer.KindOutbound {
			lk := linkKey{h.SiteID, h.Target}
			if _, ok := s.cache.links[lk]; !ok && !seenK[lk] {
				seenK[lk] = true
				kSite, kURL = append(kSite, h.SiteID), append(kURL, h.Target)
			}
		}
	}

	b.Queue(`/* Store.workspaceOf */ SELECT id, workspace_id FROM sites WHERE id = ANY($1::bigint[])`, sites).
		Query(func(rows pgx.Rows) error {
			var site, ws int64
			_, err := pgx.ForEachRow(rows, []any{&site, &ws}, func() error { a.sites[site] = ws; return nil })
			return err
		})
	if len(vSite) > 0 {
		// Visitors of this commit are created in the order its hits name
		// them. For those found instead, their latest visit and their link
		// are read in the same statement, as latestVisit and visitorLink
		// read them: the statement sees the tables as they were before
		// its insert, and a visitor it created has neither.
		b.Queue(`/* Store.visitorID */ WITH v AS (
				INSERT INTO visitors (site_id, uid, created_at)
				SELECT site_id, uid, created_at FROM unnest($1::bigint[], $2::text[], $3::bigint[]) WITH ORDINALITY AS v(site_id, uid, created_at, n) ORDER BY n
				ON CONFLICT (site_id, uid) DO UPDATE SET uid = excluded.uid RETURNING id, site_id, uid)
			SELECT v.id, v.site_id, v.uid, s.id IS NOT NULL, COALESCE(s.id, 0), COALESCE(s.last_at, 0), COALESCE(s.referrer, ''),
				COALESCE(s.utm_source, ''), COALESCE(s.utm_medium, ''), COALESCE(s.utm_campaign, ''), COALESCE(s.utm_term, ''),
				COALESCE(s.utm_content, ''), COALESCE(s.country, ''), COALESCE(s.contact_id, 0), `+pgLinkColumns+`
			FROM v
			LEFT JOIN LATERAL (SELECT * FROM sessions WHERE visitor_id = v.id ORDER BY id DESC LIMIT 1) s ON true
			`+pgLinkJoin, vSite, vUID, vCreated).
			Query(func(rows pgx.Rows) error {
				var k visitorKey
				var id int64
				var hasVisit bool
				var c visit
				var r pgLinkRow
				_, err := pgx.ForEachRow(rows, append([]any{&id, &k.site, &k.uid, &hasVisit, &c.id, &c.lastAt, &c.referrer,
					&c.utm.Source, &c.utm.Medium, &c.utm.Campaign, &c.utm.Term, &c.utm.Content, &c.country, &c.contact},
					r.dest()...), func() error {
					a.visitors[k] = id
					if hasVisit {
						p.latest[id] = c
					}
					s.noteLink(p, id, r)
					return nil
				})
				return err
			})
	}
	if len(pSite) > 0 {
		b.Queue(`/* Store.pageID */ INSERT INTO pages (site_id, host, path, title)
			SELECT site_id, host, path, title FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS p(site_id, host, path, title, n) ORDER BY n
			ON CONFLICT (site_id, host, path, title) DO UPDATE SET title = excluded.title RETURNING id, site_id, host, path, title`,
			pSite, pHost, pPath, pTitle).
			Query(func(rows pgx.Rows) error {
				var k pageKey
				var id int64
				_, err := pgx.ForEachRow(rows, []any{&id, &k.site, &k.host, &k.path, &k.title}, func() error { a.pages[k] = id; return nil })
				return err
			})
	}
	if len(kSite) > 0 {
		b.Queue(`/* Store.linkID */ INSERT INTO links (site_id, url)
			SELECT site_id, url FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS l(site_id, url, n) ORDER BY n
			ON CONFLICT (site_id, url) DO UPDATE SET url = excluded.url RETURNING id, site_id, url`, kSite, kURL).
			Query(func(rows pgx.Rows) error {
				var k linkKey
				var id int64
				_, err := pgx.ForEachRow(rows, []any{&id, &k.site, &k.url}, func() error { a.links[k] = id; return nil })
				return err
			})
	}
	if len(qSite) > 0 {
		// As latestVisit, for many visitors: their visits are numbered in
		// time order, so each one's latest has the highest ID.
		b.Queue(`/* Store.latestVisit */ SELECT v.id, s.id, s.last_at, s.referrer, s.utm_source, s.utm_medium,
				s.utm_campaign, s.utm_term, s.utm_content, s.country, COALESCE(s.contact_id, 0)
			FROM unnest($1::bigint[], $2::text[]) AS k(site_id, uid)
			JOIN visitors v ON v.site_id = k.site_id AND v.uid = k.uid
			CROSS JOIN LATERAL (SELECT * FROM sessions WHERE visitor_id = v.id ORDER BY id DESC LIMIT 1) s`, qSite, qUID).
			Query(func(rows pgx.Rows) error {
				var vid int64
				var c visit
				_, err := pgx.ForEachRow(rows, []any{&vid, &c.id, &c.lastAt, &c.referrer, &c.utm.Source, &c.utm.Medium,
					&c.utm.Campaign, &c.utm.Term, &c.utm.Content, &c.country, &c.contact}, func() error {
					p.latest[vid] = c
					return nil
				})
				return err
			})
	}
	if len(lSite) > 0 {
		// As visitorLink, for many visitors; a visitor without a row is
		// linked to nobody.
		b.Queue(`/* Store.visitorLink */ SELECT v.id, `+pgLinkColumns+`
			FROM unnest($1::bigint[], $2::text[]) AS k(site_id, uid)
			JOIN visitors v ON v.site_id = k.site_id AND v.uid = k.uid
			`+pgLinkJoin, lSite, lUID).
			Query(func(rows pgx.Rows) error {
				var vid int64
				var r pgLinkRow
				_, err := pgx.ForEachRow(rows, append([]any{&vid}, r.dest()...), func() error {
					s.noteLink(p, vid, r)
					return nil
				})
				return err
			})
	}
	if err := pc.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return p, nil
}

// pgLinkRow is a visitor's link as pgReadAhead reads it: its contact (0:
// none), how it was made, the contact's consent and when it was given, and
// the workspace's tracking mode and Persona basis.
type pgLinkRow struct {
	contact, via, at    int64
	status, mode, basis string
}

// pgLinkColumns are the columns of a pgLinkRow, in the order of dest, and
// pgLinkJoin the join they read: a visitor v's link, if any.
const (
	pgLinkColumns = `COALESCE(l.contact_id, 0), COALESCE(l.via, 0),
	COALESCE(c.tracking_consent, ''), COALESCE(c.tracking_consent_at, 0),
	COALESCE(w.tracking_mode, ''), COALESCE(w.persona_basis, '')`
	pgLinkJoin = `LEFT JOIN (visitor_links l JOIN contacts c ON c.id = l.contact_id JOIN workspaces w ON w.id = l.workspace_id)
	ON l.visitor_id = v.id`
)

// dest returns where to scan pgLinkColumns.
func (r *pgLinkRow) dest() []any {
	return []any{&r.contact, &r.via, &r.status, &r.at, &r.mode, &r.basis}
}

// noteLink keeps what pgReadAhead read of visitor vid's link: a visitor
// linked to nobody goes to the ingest cache, and a link that may be
// followed now to p, as visitorLink decides.
func (s *Store) noteLink(p *pgAppend, vid int64, r pgLinkRow) {
	p.read[vid] = true
	switch {
	case r.contact == 0:
		if len(s.cache.unlinked) >= s.cache.limit {
			clear(s.cache.unlinked)
		}
		s.cache.unlinked[vid] = struct{}{}
	case mayLink(r.status, r.at, r.mode, r.basis):
		p.links[vid] = link{contact: r.contact, via: foyer.IdentifyVia(r.via)}
	}
}

// pgLink is visitorLink from what pgReadAhead read.
func (p *pgAppend) pgLink(vid int64) link {
	if p.read[vid] {
		return p.links[vid]
	}
	// Not read: the cache knew it linked to nobody.
	return link{}
}

// pgStage is stage from what pgReadAhead read: a new visit gets a
// placeholder ID, -(i+1) for p.fresh[i], until pgWrite stores it.
func (s *Store) pgStage(ctx context.Context, a *appendTx, p *pgAppend, h *foyer.Hit) (eventRow, error) {
	vk := visitorKey{h.SiteID, h.VisitorUID}
	vid, ok := a.visitors[vk]
	if !ok {
		vid = s.cache.visitors[vk]
	}
	ts := ms(h.Time)
	v, err := s.pgVisitFor(ctx, a, p, vid, h, ts)
	if err != nil {
		return eventRow{}, err
	}
	pk := pageKey{h.SiteID, h.Host, h.Path, h.Title}
	pid, ok := a.pages[pk]
	if !ok {
		pid = s.cache.pages[pk]
	}
	row := eventRow{visit: v.id, ts: ts, kind: h.Kind, page: pid}
	switch h.Kind {
	case foyer.KindEngagement:
		row.engaged = sql.NullInt64{Int64: h.EngagedMS, Valid: true}
	case foyer.KindOutbound:
		lk := linkKey{h.SiteID, h.Target}
		lid, ok := a.links[lk]
		if !ok {
			lid = s.cache.links[lk]
		}
		row.link = sql.NullInt64{Int64: lid, Valid: true}
	}
	return row, nil
}

// pgVisitFor is visitFor from what pgReadAhead read.
func (s *Store) pgVisitFor(ctx context.Context, a *appendTx, p *pgAppend, vid int64, h *foyer.Hit, ts int64) (visit, error) {
	cur, ok := a.visits[vid]
	if !ok {
		cur, ok = s.cache.visits[vid]
	}
	if !ok {
		cur, ok = p.latest[vid]
	}
	if ok && !s.startsNewVisit(cur, h, ts) {
		// As in visitFor: a contact's visit goes on only while the link holds.
		if cur.contact == 0 || p.pgLink(vid).contact == cur.contact {
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
	l := p.pgLink(vid)
	next.contact = l.contact
	p.fresh = append(p.fresh, freshVisit{h: h, visitor: vid, company: company, org: org, link: l, ts: ts})
	next.id = -int64(len(p.fresh))
	a.visits[vid] = next
	return next, nil
}

// pgWrite inserts the commit's new visits, numbered from their sequence
// in the order the hits created them, and its events, in one statement,
// commits, and puts the visits' IDs in place of their placeholders in a.
func (s *Store) pgWrite(ctx context.Context, pc *pgx.Conn, a *appendTx, p *pgAppend, rows []eventRow) error {
	n := len(p.fresh)
	site, visitor, ts, via, identAt := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	ref, src, med, camp, term, cont := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	country, city, otype := make([]string, n), make([]string, n), make([]string, n)
	company, contact, org := make([]*int64, n), make([]*int64, n), make([]*int64, n)
	for i, f := range p.fresh {
		h := f.h
		site[i], visitor[i], ts[i], via[i], identAt[i] = h.SiteID, f.visitor, f.ts, int64(f.link.via), f.link.at(f.ts)
		ref[i], src[i], med[i], camp[i], term[i], cont[i] = h.Referrer, h.UTM.Source, h.UTM.Medium, h.UTM.Campaign, h.UTM.Term, h.UTM.Content
		country[i], city[i], otype[i] = h.Origin.Country, h.Origin.City, orgType(h.Origin)
		company[i], contact[i], org[i] = nullPtr(f.company), nullPtr(f.link.contactID()), nullPtr(f.org)
	}
	m := len(rows)
	evVisit, evTS, evKind, evPage := make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m)
	evEngaged, evLink := make([]*int64, m), make([]*int64, m)
	for i, r := range rows {
		evVisit[i], evTS[i], evKind[i], evPage[i] = r.visit, r.ts, int64(r.kind), r.page
		evEngaged[i], evLink[i] = nullPtr(r.engaged), nullPtr(r.link)
	}
	// v numbers the new visits in hit order (n) from the sequence; an
	// event's visit is a stored visit's ID, or -n for the n-th new one.
	ids := make([]int64, n)
	b := &pgx.Batch{}
	b.Queue(`/* Store.insertEvents */
		WITH v AS (
			SELECT n, nextval(pg_get_serial_sequence('sessions', 'id')) AS id, site_id, visitor_id, ts, referrer,
				utm_source, utm_medium, utm_campaign, utm_term, utm_content, country, city, org_type, company_id,
				contact_id, identified_via, identified_at, org_id
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[],
				$15::bigint[], $16::bigint[], $17::bigint[])
				WITH ORDINALITY AS f(site_id, visitor_id, ts, referrer, utm_source, utm_medium, utm_campaign, utm_term,
					utm_content, country, city, org_type, company_id, contact_id, identified_via, identified_at, org_id, n)
			ORDER BY n
		), s AS (
			INSERT INTO sessions (id, site_id, visitor_id, started_at, last_at, referrer,
				utm_source, utm_medium, utm_campaign, utm_term, utm_content, country, city, org_type, company_id,
				contact_id, identified_via, identified_at, org_id)
			SELECT id, site_id, visitor_id, ts, ts, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
				country, city, org_type, company_id, contact_id, identified_via, identified_at, org_id
			FROM v ORDER BY n
		), e AS (
			INSERT INTO events (session_id, ts, kind, page_id, engaged_ms, link_id)
			SELECT CASE WHEN x.visit < 0 THEN (SELECT v.id FROM v WHERE v.n = -x.visit) ELSE x.visit END,
				x.ts, x.kind, x.page_id, x.engaged_ms, x.link_id
			FROM unnest($18::bigint[], $19::bigint[], $20::smallint[], $21::bigint[], $22::bigint[], $23::bigint[])
				WITH ORDINALITY AS x(visit, ts, kind, page_id, engaged_ms, link_id, n)
			ORDER BY x.n
		)
		SELECT n, id FROM v ORDER BY n`,
		site, visitor, ts, ref, src, med, camp, term, cont, country, city, otype, company, contact, via, identAt, org,
		evVisit, evTS, evKind, evPage, evEngaged, evLink).Query(func(rows pgx.Rows) error {
		var i, id int64
		_, err := pgx.ForEachRow(rows, []any{&i, &id}, func() error {
			if i < 1 || int(i) > n {
				return fmt.Errorf("visit %d of %d", i, n)
			}
			ids[i-1] = id
			return nil
		})
		return err
	})
	b.Queue("COMMIT")
	if err := pc.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert visits and events, commit: %w", err)
	}
	for vid, v := range a.visits {
		if v.id < 0 {
			v.id = ids[-v.id-1]
			a.visits[vid] = v
		}
	}
	return nil
}

// nullPtr is v as pgx takes a nullable integer.
func nullPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
