package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/referrer"
)

// The roll-up keeps what is derived from events (today a visit's counters,
// its last activity and its event range) off the acknowledged write path.
// Append only inserts, at the end of the events table and its index; the
// roll-up later reads the new events in ID order and folds them into their
// visits, many events to a statement and many visits to a transaction.
// Updating a visit row per committed batch instead would touch a page of
// the sessions table for nearly every event.
//
// The roll-up's mark (the last event ID it has read) is updated in the same
// transaction as the counters, so each event is counted exactly once, across
// crashes and across processes. IDs are in commit order because one writer
// appends at a time (ingestMu within a process; one serving process per
// database).

// visitRollup is what a run of the roll-up adds to one visit.
type visitRollup struct {
	first, last                 int64 // event IDs
	lastAt                      int64
	pageviews, engaged, nevents int64

	// Of the visit itself: its site, company (0: none), start, whether no
	// earlier roll-up has read any of its events, its organisation type and
	// source.
	site, company, started int64
	isNew                  bool
	orgType, source        string
}

// dayKey is one row of company_days.
type dayKey struct{ company, site, day int64 }

// dayRollup is what a run of the roll-up adds to one company_days row.
type dayRollup struct {
	visits, pageviews, engaged, nevents, lastAt int64
}

// rollupLockWait bounds the roll-up's waits for a row lock on PostgreSQL,
// once it holds its mark.
const rollupLockWait = "250ms"

// catchUpStep is how many events one transaction of RollupAll folds.
const catchUpStep = 8192

// Rollup folds up to limit events that no roll-up has read yet into their
// visits, oldest first. It returns how many it folded: fewer than limit
// means the roll-up is current.
//
// On PostgreSQL it runs in one transaction, and gives way to a row lock it
// would wait for past rollupLockWait: EUNAVAILABLE, and nothing folded. On
// SQLite it reads the events without the write lock and then takes the
// lock for short transactions only (rollupBeside), so that the appends go
// on between them.
func (s *Store) Rollup(ctx context.Context, limit int) (int, error) {
	if s.dialect != Postgres {
		return s.rollupBeside(ctx, limit)
	}
	n, err := s.rollupLocked(ctx, limit)
	if isLockTimeout(err) {
		return 0, foyer.Errorf(foyer.EUNAVAILABLE, "the roll-up gave way to a row another transaction holds; it runs again shortly")
	}
	return n, err
}

// RollupAlongside reports whether Rollup may run while Append does, and
// gains by it (foyer.RollupAlongside): on PostgreSQL, whose locks are by
// row, the roll-up's writes (the visits' counters, the aggregates) do not
// hold up an append's; on SQLite the roll-up holds the one write lock only
// for short transactions (rollupBeside).
func (s *Store) RollupAlongside() bool { return true }

// RollupSteps says how the collector should pace Rollup beside the appends:
// a step once idle events wait, of at most step. On SQLite the steps are
// large: a step's visits are written in transactions of rollupChunk in ID
// order, so that the more events a step reads, the fewer times each page
// of the visits is written; its reading holds no lock. Zero: the
// collector's own.
func (s *Store) RollupSteps() (idle, step int) {
	if s.dialect == Postgres {
		return 0, 0
	}
	return besideIdle, besideStep
}

// The SQLite roll-up's pace beside the appends (RollupSteps), and how many
// visits one of its transactions updates.
const (
	besideIdle  = 16384
	besideStep  = 32768
	rollupChunk = 128
)

// rollupPart is how many events one read of a step beside the appends
// reads (readBeside), and rollupRest how many times as long as a part of
// the step (a read, a transaction) it rests after it (rest).
const (
	rollupPart = 2048
	rollupRest = 2
)

// lockRollups excludes the other roll-ups of this process, and on SQLite
// the appends too; the function it returns unlocks.
func (s *Store) lockRollups() (unlock func()) {
	if s.dialect == Postgres {
		s.rollupMu.Lock()
		return s.rollupMu.Unlock
	}
	return s.lockWriter()
}

// lockIngest excludes the appends and the roll-ups of this process: what
// moves events or their aggregates (or changes what the roll-up reads with
// them, a visit's company) under both. It counts in moveGen, so that a
// roll-up that read the events before knows to read them again. The
// function it returns unlocks.
func (s *Store) lockIngest() (unlock func()) {
	unlock = s.lockWriter()
	s.moveGen.Add(1)
	return unlock
}

// lockWriter takes ingestMu, then rollupMu; the function it returns
// unlocks.
func (s *Store) lockWriter() (unlock func()) {
	s.ingestMu.Lock()
	s.rollupMu.Lock()
	return func() {
		s.rollupMu.Unlock()
		s.ingestMu.Unlock()
	}
}

// Unrolled estimates how many events this store has appended that no roll-up
// has read: the collector's writer uses it to schedule Rollup.
func (s *Store) Unrolled() int64 { return s.unrolled.Load() }

// RollupAll rolls up until current, in transactions of catchUpStep events,
// and returns how many events it folded.
func (s *Store) RollupAll(ctx context.Context) (int, error) {
	unlock := s.lockRollups()
	defer unlock()
	return s.rollupAll(ctx)
}

// rollupAll is RollupAll with rollupMu held (and ingestMu on SQLite).
func (s *Store) rollupAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.rollup(ctx, catchUpStep)
		total += n
		if err != nil || n < catchUpStep {
			return total, err
		}
	}
}

// rollup is Rollup with rollupMu held (and ingestMu on SQLite), in one
// transaction. It first finishes a step that rollupBeside left with its
// visits partly written (a pending mark): exactly the events up to that
// mark, however many, which it counts in what it returns besides the
// limit's. Fewer than limit still means the roll-up is current.
func (s *Store) rollup(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	gen := s.readGen() // before the events are read
	t, flush, end, err := s.beginRollup(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: rollup: begin: %w", err)
	}
	defer end()
	tx := t.tx

	// On SQLite the transaction already holds the write lock (_txlock=immediate);
	// on PostgreSQL the row lock serialises roll-ups of several processes.
	m, err := s.readMarks(ctx, t, s.dialect == Postgres)
	if err != nil {
		return 0, fmt.Errorf("store: rollup: mark: %w", err)
	}
	if s.dialect == Postgres {
		// Beside the appends (RollupAlongside) the roll-up may want a row
		// an append holds (a company it upserts, a visit it identifies)
		// while the append wants one the roll-up holds. Waiting on a row
		// lock at most rollupLockWait, the roll-up gives way at once, and
		// is retried, instead of both waiting for the deadlock detector.
		if _, err := t.tx.ExecContext(ctx, `SET LOCAL lock_timeout = '`+rollupLockWait+`'`); err != nil {
			return 0, fmt.Errorf("store: rollup: %w", err)
		}
	}
	total := 0
	s.batchWrites(t)
	if m.pending != 0 {
		// First exactly the events of the pending step, however many.
		r, err := s.readRollup(ctx, t, m, math.MaxInt32)
		if err != nil {
			return 0, fmt.Errorf("store: rollup: %w", err)
		}
		if err := s.fold(ctx, t, r, m.to(r)); err != nil {
			return 0, fmt.Errorf("store: rollup: %w", err)
		}
		if err := flush(); err != nil { // before reading again
			return 0, fmt.Errorf("store: rollup: %w", err)
		}
		s.batchWrites(t)
		total, m = r.n, marks{mark: m.to(r)}
	}
	r, err := s.readRollup(ctx, t, m, limit)
	if err != nil {
		return 0, fmt.Errorf("store: rollup: %w", err)
	}
	if r.n == 0 && total == 0 {
		s.rollupCurrent(gen, 0)
		return 0, nil
	}
	if r.n > 0 {
		if err := s.fold(ctx, t, r, r.last); err != nil {
			return 0, fmt.Errorf("store: rollup: %w", err)
		}
	}
	if err := flush(); err != nil {
		return 0, fmt.Errorf("store: rollup: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: rollup: commit: %w", err)
	}
	s.ingestCommits.Add(1)
	s.rolledUp(gen, r.n, limit)
	return total + r.n, nil
}

// fold writes what a roll-up read, and moves the mark to last.
func (s *Store) fold(ctx context.Context, t *txStmts, r *rollupRead, last int64) error {
	if err := s.applyRollup(ctx, t, r.visitIDs(), r.visits); err != nil {
		return err
	}
	return s.applyFolded(ctx, t, r, last)
}

// rolledUp records that a roll-up, which read appendGen as gen before it
// read the events, folded n of at most limit.
func (s *Store) rolledUp(gen uint64, n, limit int) {
	if n < limit {
		s.rollupCurrent(gen, n)
	} else {
		s.unrolled.Store(max(0, s.unrolled.Load()-int64(n)))
	}
}

// applyFolded writes what a roll-up read besides the visits' counters (the
// aggregates by company, by site and by day, the event marks) and moves
// the roll-up's mark to last, ending a pending one.
func (s *Store) applyFolded(ctx context.Context, t *txStmts, r *rollupRead, last int64) error {
	ranges := totalsRanges(r.days)
	if err := s.applyDays(ctx, t, ranges, r.days); err != nil {
		return err
	}
	if err := s.applyTotals(ctx, t, ranges); err != nil {
		return err
	}
	if err := s.applyLast(ctx, t, ranges); err != nil {
		return err
	}
	if err := s.applySite(ctx, t, r.site); err != nil {
		return err
	}
	if r.n > 0 {
		if err := s.applyEventMark(ctx, t, r.last, r.visits); err != nil {
			return err
		}
	}
	if _, err := s.exec(ctx, t, `/* Store.rollup */ UPDATE rollup_marks SET last_event_id = ? WHERE name = 'sessions'`, last); err != nil {
		return fmt.Errorf("mark: %w", err)
	}
	if _, err := s.exec(ctx, t, `/* Store.rollup */ DELETE FROM rollup_marks WHERE name = '`+pendingMark+`'`); err != nil {
		return fmt.Errorf("pending mark: %w", err)
	}
	return nil
}

// pendingMark names the row of rollup_marks that holds, while a roll-up on
// SQLite has written some of its visits' counters but not yet moved its
// mark, the last event it read: the next roll-up reads exactly up to it
// again, and writes only the visits not yet written (applyRollup's guard).
const pendingMark = "sessions.pending"

// marks are the roll-up's mark and its pending mark (0: none).
type marks struct{ mark, pending int64 }

// to is where a roll-up that read r moves the mark.
func (m marks) to(r *rollupRead) int64 { return max(r.last, m.pending) }

// readMarks reads the roll-up's marks in t, locking them on PostgreSQL
// with lock.
func (s *Store) readMarks(ctx context.Context, t *txStmts, lock bool) (marks, error) {
	q := `/* Store.readMarks */ SELECT name, last_event_id FROM rollup_marks WHERE name IN ('sessions', '` + pendingMark + `')`
	if lock {
		q += " FOR UPDATE"
	}
	st, err := s.stmt(ctx, t, q)
	if err != nil {
		return marks{}, err
	}
	rows, err := st.QueryContext(ctx)
	if err != nil {
		return marks{}, err
	}
	defer rows.Close()
	var m marks
	found := false
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return marks{}, err
		}
		if name == pendingMark {
			m.pending = id
		} else {
			m.mark, found = id, true
		}
	}
	if err := rows.Err(); err != nil {
		return marks{}, err
	}
	if !found {
		return marks{}, sql.ErrNoRows
	}
	return m, nil
}

// rollupBeside is Rollup on SQLite. It reads the events and sums them
// with no lock, on the main pool (a reader of the write-ahead log does not
// wait for the writer), then writes the visits' counters in transactions
// of rollupChunk visits, in ID order, and last the aggregates with the
// mark: each holds the write lock for a short while, and the appends
// commit between them. A step of at most rollupChunk visits writes them
// and the aggregates in one transaction.
//
// The first of several also records the pending mark. Should the process
// stop before the last, the next roll-up reads the same events again
// (readMarks, rollup) and writes only the visits not yet written. If
// anything moved events, aggregates or a visit's company meanwhile
// (moveGen), or another roll-up moved the marks, it writes nothing more
// and returns 0: the next step reads again.
func (s *Store) rollupBeside(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	s.besideMu.Lock()
	defer s.besideMu.Unlock()
	gen, moved := s.readGen(), s.moveGen.Load()
	m, r, err := s.readBeside(ctx, limit, s.known.get(moved))
	if err != nil {
		return 0, fmt.Errorf("store: rollup: %w", err)
	}
	if m.pending != 0 {
		return s.rollupLocked(ctx, limit) // it reads the pending step again
	}
	if r.n == 0 {
		s.rollupCurrent(gen, 0)
		return 0, nil
	}
	if len(r.visits) <= s.chunk {
		// Small enough for one transaction, which needs no pending mark.
		ok, err := s.writeChunk(ctx, moved, m, m, func(t *txStmts) error {
			return s.fold(ctx, t, r, r.last)
		})
		if err != nil {
			return 0, err
		}
		if !ok { // something moved since the read: read again, under the lock
			return s.rollupLocked(ctx, limit)
		}
		s.known.add(moved, r.visits)
		s.rolledUp(gen, r.n, limit)
		return r.n, nil
	}
	want := marks{mark: m.mark, pending: r.last}
	ids := r.visitIDs()
	i := 0
	for chunk := range slices.Chunk(ids, s.chunk) {
		start := time.Now()
		ok, err := s.writeChunk(ctx, moved, m, want, func(t *txStmts) error {
			return s.applyRollup(ctx, t, chunk, r.visits)
		})
		if !ok || err != nil {
			return 0, err
		}
		m = want // the first chunk records the pending mark
		if err := s.rest(ctx, time.Since(start)); err != nil {
			return 0, err
		}
		if s.afterChunk != nil {
			if err := s.afterChunk(i); err != nil {
				return 0, err
			}
		}
		i++
	}
	ok, err := s.writeChunk(ctx, moved, want, want, func(t *txStmts) error {
		return s.applyFolded(ctx, t, r, r.last)
	})
	if !ok || err != nil {
		return 0, err
	}
	s.known.add(moved, r.visits)
	s.rolledUp(gen, r.n, limit)
	return r.n, nil
}

// rollupLocked is rollup under the locks of lockRollups.
func (s *Store) rollupLocked(ctx context.Context, limit int) (int, error) {
	unlock := s.lockRollups()
	defer unlock()
	return s.rollup(ctx, limit)
}

// readBeside reads the marks and up to limit events after the mark, in
// parts of s.part events (rollupPart), each in a read-only transaction on
// the main pool: the driver begins those DEFERRED, whatever _txlock says,
// so they take no write lock. It reads the visits of known from there
// (readKnown), and rests between the parts (rest).
func (s *Store) readBeside(ctx context.Context, limit int, known map[int64]knownVisit) (marks, *rollupRead, error) {
	var m marks
	var r *rollupRead
	// part reads the next part in t; the first also reads the marks, and
	// begins r unless a step is pending.
	part := func(t *txStmts) (more bool, err error) {
		if r == nil {
			if m, err = s.readMarks(ctx, t, false); err != nil {
				return false, fmt.Errorf("mark: %w", err)
			}
			if m.pending != 0 {
				return false, nil
			}
			r = newRollupRead(m.mark)
		}
		before := r.n
		want := min(s.part, limit-before)
		if err := s.readKnown(ctx, t, r, m, want, known); err != nil {
			return false, err
		}
		return r.n-before == want && r.n < limit, nil
	}
	for {
		start := time.Now()
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return marks{}, nil, err
		}
		more, err := part(&txStmts{tx: tx, stmts: map[string]*sql.Stmt{}})
		tx.Rollback()
		if err != nil {
			return marks{}, nil, err
		}
		if !more {
			break
		}
		if err := s.rest(ctx, time.Since(start)); err != nil {
			return marks{}, nil, err
		}
	}
	if m.pending != 0 {
		return m, &rollupRead{}, nil // rollup reads them under the lock
	}
	r.countVisits()
	return m, r, nil
}

// rest pauses the roll-up beside the appends after a part of its work
// that took d: for rollupRest times d, or until ctx ends. So a step takes
// the processor and the write lock in short turns, at most a third of the
// time, and the appends' requests, on a machine whose cores it shares
// with them, wait for a part of it at a time instead of for all of it.
func (s *Store) rest(ctx context.Context, d time.Duration) error {
	if s.restFactor <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(s.restFactor) * d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeChunk runs write in a transaction of the writer, under the write
// lock, if nothing moved since the roll-up read (moveGen is still moved)
// and the marks are still was; it then records want as the marks. It
// reports whether it wrote.
func (s *Store) writeChunk(ctx context.Context, moved uint64, was, want marks, write func(*txStmts) error) (bool, error) {
	unlock := s.lockRollups()
	defer unlock()
	if s.moveGen.Load() != moved {
		return false, nil
	}
	t, err := s.beginIngest(ctx)
	if err != nil {
		return false, fmt.Errorf("store: rollup: begin: %w", err)
	}
	defer t.tx.Rollback()
	cur, err := s.readMarks(ctx, t, false)
	if err != nil {
		return false, fmt.Errorf("store: rollup: mark: %w", err)
	}
	if cur != was {
		return false, nil
	}
	if err := write(t); err != nil {
		return false, fmt.Errorf("store: rollup: %w", err)
	}
	if want.pending != was.pending {
		if _, err := s.exec(ctx, t, `/* Store.rollupBeside */ INSERT INTO rollup_marks (name, last_event_id) VALUES ('`+pendingMark+`', ?)
			ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id`, want.pending); err != nil {
			return false, fmt.Errorf("store: rollup: pending mark: %w", err)
		}
	}
	if err := t.tx.Commit(); err != nil {
		return false, fmt.Errorf("store: rollup: commit: %w", err)
	}
	s.ingestCommits.Add(1)
	return true, nil
}

// readGen returns appendGen.
func (s *Store) readGen() uint64 {
	s.genMu.Lock()
	defer s.genMu.Unlock()
	return s.appendGen
}

// rollupCurrent records that a roll-up, which read appendGen as gen before
// it read the events, folded n and found no more. If no append committed
// and no cache was dropped since, it has read every stored event (only
// this store appends): the database now answers for every visit the
// ingest cache does not hold. Otherwise, as when a roll-up on PostgreSQL
// runs beside the appends, only the backlog's estimate goes down.
func (s *Store) rollupCurrent(gen uint64, n int) {
	s.genMu.Lock()
	defer s.genMu.Unlock()
	if s.appendGen != gen {
		s.unrolled.Store(max(0, s.unrolled.Load()-int64(n)))
		return
	}
	s.caughtUp.Store(true)
	s.unrolled.Store(0)
}

// rollupRead is what a roll-up read: the sums by visit, and by company and
// day for visits from a company, and by site; the last event ID read and
// how many were read.
type rollupRead struct {
	visits map[int64]*visitRollup
	days   map[dayKey]*dayRollup
	site   siteBatch
	last   int64
	n      int
}

// visitIDs returns the IDs of the visits read, in order.
func (r *rollupRead) visitIDs() []int64 {
	return slices.Sorted(maps.Keys(r.visits))
}

// readRollup reads up to limit events after the mark (and up to the
// pending mark, if any) and sums them. A visit is new to the roll-up when
// no roll-up has read any of its events, or only one that has not moved
// the mark yet (a pending one).
func (s *Store) readRollup(ctx context.Context, t *txStmts, m marks, limit int) (*rollupRead, error) {
	st, err := s.stmt(ctx, t, `/* Store.readRollup */
		SELECT e.id, e.session_id, e.ts, e.kind, COALESCE(e.engaged_ms, 0), e.page_id, `+visitReadColumns+`
		FROM events e JOIN sessions s ON s.id = e.session_id
		WHERE e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, append(visitReadArgs(m.mark), m.mark, m.upto(), limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r := newRollupRead(m.mark)
	var e eventRead
	var v visitRead
	dest := append([]any{&e.id, &e.visit, &e.ts, &e.kind, &e.engaged, &e.page}, v.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil { // every field, every row
			return nil, err
		}
		r.add(&e, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.countVisits()
	return r, nil
}

// visitSeen is true for a visit (sessions s) of which a roll-up that moved
// the mark (the argument) read an event.
const visitSeen = `(s.first_event_id IS NOT NULL AND s.first_event_id <= ?)`

// visitReadColumns are the columns of a visitRead (visitRead.dest), of
// sessions s, taking visitReadArgs. The text columns count only for a
// visit new to the roll-up: for the others (most events) they are read as
// empty strings, which cost no copy.
const visitReadColumns = `s.site_id, COALESCE(s.company_id, 0), s.started_at, ` + visitSeen + `,
	CASE WHEN ` + visitSeen + ` THEN '' ELSE s.org_type END,
	CASE WHEN ` + visitSeen + ` THEN '' ELSE s.utm_source END,
	CASE WHEN ` + visitSeen + ` THEN '' ELSE s.referrer END`

// visitReadArgs returns the arguments of visitReadColumns for the mark.
func visitReadArgs(mark int64) []any { return []any{mark, mark, mark, mark} }

// upto is the last event a roll-up may read: up to the pending mark, if
// there is one.
func (m marks) upto() int64 {
	if m.pending != 0 {
		return m.pending
	}
	return math.MaxInt64
}

// eventRead is what a roll-up reads of an event, visitRead of its visit.
type eventRead struct{ id, visit, ts, kind, engaged, page int64 }

type visitRead struct {
	site, company, started int64
	seen                   bool // a roll-up that moved the mark read an event of the visit
	// orgType, utmSource and referrer are read only for a visit not seen.
	orgType, utmSource, referrer string
}

// dest returns where to scan visitReadColumns.
func (v *visitRead) dest() []any {
	return []any{&v.site, &v.company, &v.started, &v.seen, &v.orgType, &v.utmSource, &v.referrer}
}

func newRollupRead(mark int64) *rollupRead {
	return &rollupRead{visits: map[int64]*visitRollup{}, days: map[dayKey]*dayRollup{}, last: mark,
		site: siteBatch{days: map[[2]int64]*siteDay{}, pages: map[[3]int64]int64{}, sources: map[siteSourceKey]int64{},
			companyPages: map[companyPageKey]int64{}, companySources: companySources{}}}
}

// add sums an event of the visit v, read in event ID order.
func (r *rollupRead) add(e *eventRead, v *visitRead) {
	vr := r.visits[e.visit]
	if vr == nil {
		vr = &visitRollup{first: e.id, site: v.site, company: v.company, started: v.started, isNew: !v.seen, orgType: v.orgType}
		if !v.seen {
			vr.source = referrer.Of(v.utmSource, v.referrer).Name
		}
		r.visits[e.visit] = vr
	}
	vr.last = e.id
	vr.lastAt = max(vr.lastAt, e.ts)
	vr.nevents++
	vr.engaged += e.engaged
	sb := &r.site
	day := dayOf(e.ts)
	pageview := e.kind == int64(foyer.KindPageview)
	if pageview {
		vr.pageviews++
		sb.day(v.site, day).pageviews++
		sb.pages[[3]int64{v.site, day, e.page}]++
	}
	if v.company != 0 {
		k := dayKey{v.company, v.site, day}
		d := r.days[k]
		if d == nil {
			d = &dayRollup{}
			r.days[k] = d
		}
		d.nevents++
		d.engaged += e.engaged
		d.lastAt = max(d.lastAt, e.ts)
		if pageview {
			d.pageviews++
			sb.companyPages[companyPageKey{e.page, day, v.company, v.site}]++
		}
	}
	r.last, r.n = e.id, r.n+1
	if r.n%512 == 0 {
		// A large step's reading, beside the appends, takes turns
		// with the requests waiting for its processor.
		runtime.Gosched()
	}
}

// countVisits counts each visit new to the roll-up once, on the day it
// started, once all events are added.
func (r *rollupRead) countVisits() {
	sb := &r.site
	for _, v := range r.visits {
		if !v.isNew {
			continue
		}
		sd := sb.day(v.site, dayOf(v.started))
		sd.visits++
		switch {
		case v.company != 0:
			sd.company++
		case v.orgType == string(foyer.OrgISP) || v.orgType == string(foyer.OrgHosting):
			sd.anonymous++
		default: // an organisation of unknown type, or no IP data
			sd.unidentified++
		}
		sb.sources[siteSourceKey{v.site, dayOf(v.started), v.source}]++
		if v.company == 0 {
			continue
		}
		sb.companySources.add(companySourceKey{v.company, dayOf(v.started), v.site, v.source}, v.started)
		k := dayKey{v.company, v.site, dayOf(v.started)}
		d := r.days[k]
		if d == nil {
			d = &dayRollup{lastAt: v.started}
			r.days[k] = d
		}
		d.visits++
	}
}

// applyEventMark records in event_marks that every event up to last
// happened at or before the latest time read so far, in the row of that
// time's minute: the export of the events since a time starts after the
// last mark before it (migration 0015).
func (s *Store) applyEventMark(ctx context.Context, t *txStmts, last int64, visits map[int64]*visitRollup) error {
	var latest int64
	for _, v := range visits {
		latest = max(latest, v.lastAt)
	}
	if t.batch != nil {
		return s.applyEventMarkPG(ctx, t, last, latest)
	}
	// The marks' times only grow with their minutes: the last is the latest.
	var before int64
	err := s.queryRow(ctx, t, `/* Store.applyEventMark */
		SELECT max_ts FROM event_marks ORDER BY minute DESC LIMIT 1`).Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("event mark: %w", err)
	}
	latest = max(latest, before)
	st, err := s.stmt(ctx, t, `/* Store.applyEventMark */
		INSERT INTO event_marks (minute, event_id, max_ts) VALUES (?, ?, ?)
		ON CONFLICT (minute) DO UPDATE SET event_id = excluded.event_id, max_ts = excluded.max_ts`)
	if err == nil {
		_, err = st.ExecContext(ctx, latest/60_000, last, latest)
	}
	if err != nil {
		return fmt.Errorf("event mark: %w", err)
	}
	return nil
}

// applyLast moves each company's last visit, per site and in all, forward
// to what the roll-up read, and adds the run's sums to its totals per site:
// the last range of each company and site holds both (its sums run over
// every day of the run, and its day is the run's latest).
func (s *Store) applyLast(ctx context.Context, t *txStmts, ranges []totalsRange) error {
	perCompany := map[int64]int64{}
	var rows [][]any
	for _, r := range ranges {
		if r.until != math.MaxInt64 {
			continue
		}
		rows = append(rows, []any{r.company, r.site, r.lastAt, r.visits, r.pageviews, r.engaged})
		perCompany[r.company] = max(perCompany[r.company], r.lastAt)
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.upsertRows(ctx, t, `/* Store.applyLast */
		INSERT INTO company_sites (company_id, site_id, last_at, visits, pageviews, engaged_ms) VALUES `,
		` ON CONFLICT (company_id, site_id) DO UPDATE SET
			last_at = CASE WHEN company_sites.last_at > excluded.last_at THEN company_sites.last_at ELSE excluded.last_at END,
			visits = company_sites.visits + excluded.visits, pageviews = company_sites.pageviews + excluded.pageviews,
			engaged_ms = company_sites.engaged_ms + excluded.engaged_ms`,
		rows); err != nil {
		return fmt.Errorf("company sites: %w", err)
	}
	if t.batch != nil {
		return s.applyLastPG(ctx, t, perCompany)
	}
	company, err := s.stmt(ctx, t, `/* Store.applyLast */
		UPDATE companies SET last_at = ? WHERE id = ? AND last_at < ?`)
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(perCompany)) {
		if _, err := company.ExecContext(ctx, perCompany[id], id, perCompany[id]); err != nil {
			return fmt.Errorf("companies: %w", err)
		}
	}
	return nil
}

// applyDays adds the sums to company_days, a statement per row on SQLite
// and many rows to a statement on PostgreSQL.
func (s *Store) applyDays(ctx context.Context, t *txStmts, ranges []totalsRange, days map[dayKey]*dayRollup) error {
	rows := make([][]any, 0, len(ranges))
	for _, r := range ranges { // one a day, in key order
		d := days[dayKey{r.company, r.site, r.from}]
		rows = append(rows, []any{r.company, r.site, r.from, d.visits, d.pageviews, d.engaged, d.nevents, d.lastAt})
	}
	if err := s.upsertRows(ctx, t, `/* Store.applyDays */ INSERT INTO company_days
		(company_id, site_id, day, visits, pageviews, engaged_ms, events, last_at) VALUES `,
		` ON CONFLICT (company_id, site_id, day) DO UPDATE SET
		visits = company_days.visits + excluded.visits, pageviews = company_days.pageviews + excluded.pageviews,
		engaged_ms = company_days.engaged_ms + excluded.engaged_ms, events = company_days.events + excluded.events,
		last_at = CASE WHEN company_days.last_at > excluded.last_at THEN company_days.last_at ELSE excluded.last_at END`,
		rows); err != nil {
		return fmt.Errorf("company days: %w", err)
	}
	return nil
}

// applyRollup adds the sums to the visits of ids, in that order. A visit
// whose last event is not before the sums' last already has them (a
// roll-up wrote it, then stopped before moving its mark: pendingMark), and
// is left as it is. Many visits go in one statement (rollupUpdates), in
// the batch of a transaction that has one (PostgreSQL: applyRollupPG).
func (s *Store) applyRollup(ctx context.Context, t *txStmts, ids []int64, visits map[int64]*visitRollup) error {
	if t.batch != nil {
		return s.applyRollupPG(ctx, t, ids, visits)
	}
	args := make([]any, 0, rowChunk*7)
	for chunk := range slices.Chunk(ids, rowChunk) {
		n := rowChunk
		for n/4 >= len(chunk) && n > 8 {
			n /= 4
		}
		args = args[:0]
		for i := range n {
			id := chunk[min(i, len(chunk)-1)]
			v := visits[id]
			args = append(args, id, v.lastAt, v.pageviews, v.engaged, v.nevents, v.first, v.last)
		}
		if _, err := s.exec(ctx, t, rollupUpdates[n], args...); err != nil {
			return fmt.Errorf("update visits: %w", err)
		}
	}
	return nil
}

// rollupUpdates are applyRollup's statements by their number of visits:
// an UPDATE … FROM VALUES that finds each visit by its ID. On SQLite one
// statement for many visits spends less on binding and stepping than one
// a visit; on PostgreSQL it is one round trip. The statements are of a few
// lengths only, each kept: a short chunk repeats its last visit, which
// updates that visit once all the same (an UPDATE … FROM updates a row
// once, whatever rows of the FROM match it).
var rollupUpdates = func() map[int]string {
	m := map[int]string{}
	for n := rowChunk; n >= 8; n /= 4 {
		// VALUES columns are named column1…; the casts of the first row type them.
		m[n] = `/* Store.applyRollup */ UPDATE sessions SET
			last_at = CASE WHEN sessions.last_at > v.column2 THEN sessions.last_at ELSE v.column2 END,
			pageviews = sessions.pageviews + v.column3, engaged_ms = sessions.engaged_ms + v.column4,
			events = sessions.events + v.column5,
			first_event_id = COALESCE(sessions.first_event_id, v.column6), last_event_id = v.column7
			FROM (VALUES ` + valuesRows(n, 7) + `) AS v
			WHERE sessions.id = v.column1 AND COALESCE(sessions.last_event_id, 0) < v.column7`
	}
	return m
}()
