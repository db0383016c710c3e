package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// On PostgreSQL the events table is partitioned by time, a partition a UTC
// month (migration 0049): events_pYYYYMM holds the events whose ts (Unix
// ms) is in that month. A hit can only be stored in a month that has a
// partition, so the store creates them:
//
//   - ahead: at Open and at each run of the retention job, for this month
//     and the next partitionsAhead, so that the collector's commits never
//     wait on DDL at a month's turn;
//   - on demand: before a commit whose hits fall in a month without one
//     (foyer seed's past months, a client's clock far off).
//
// The retention job drops a partition whose month ended before the
// earliest of every workspace's event cutoff (now - EventDays), and whose
// events the roll-up has all read: no workspace keeps any of its events,
// so dropping it deletes only what the job would delete row by row. A
// workspace that keeps events longer keeps the partition. Partitions whose
// names are not of that form (made by hand) are left alone.

// partitionsAhead is how many months after the current one have a
// partition before any hit needs it.
const partitionsAhead = 3

// month is a UTC month as year*12 + month-1.
type month int64

func monthOf(tsMS int64) month {
	t := time.UnixMilli(tsMS).UTC()
	return month(int64(t.Year())*12 + int64(t.Month()) - 1)
}

// bounds are the month's first millisecond and the next month's.
func (m month) bounds() (lo, hi int64) {
	y, mo := int(m/12), time.Month(m%12+1)
	return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(y, mo+1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

// partitionName is the month's partition's name.
func (m month) partitionName() string {
	return fmt.Sprintf("events_p%04d%02d", int64(m/12), int64(m%12+1))
}

// parsePartition returns the month of a partition named by partitionName.
func parsePartition(name string) (month, bool) {
	digits, ok := strings.CutPrefix(name, "events_p")
	if !ok || len(digits) != 6 {
		return 0, false
	}
	v, err := strconv.Atoi(digits)
	if err != nil || v%100 < 1 || v%100 > 12 {
		return 0, false
	}
	return month(int64(v/100)*12 + int64(v%100) - 1), true
}

// eventsPartitioned reports whether the events table is partitioned: on
// PostgreSQL from migration 0049 on.
func (s *Store) eventsPartitioned(ctx context.Context, q querier) (bool, error) {
	if s.dialect != Postgres {
		return false, nil
	}
	var kind string
	err := q.QueryRowContext(ctx, `/* Store.eventsPartitioned */
		SELECT relkind::text FROM pg_class WHERE oid = to_regclass('events')`).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return kind == "p", err
}

// ensurePartitions creates the partitions the hits' months lack, each in
// a transaction of its own, before the commit that stores them. Callers
// hold ingestMu, which guards partMonths: the months known to have one.
func (s *Store) ensurePartitions(ctx context.Context, hits []foyer.Hit) error {
	var need []month
	for i := range hits {
		if m := monthOf(ms(hits[i].Time)); !s.partMonths[m] && !slices.Contains(need, m) {
			need = append(need, m)
		}
	}
	if len(need) == 0 {
		return nil
	}
	return s.createPartitions(ctx, need)
}

// createPartitions creates the months' partitions, when events is
// partitioned and they have none, and remembers them.
func (s *Store) createPartitions(ctx context.Context, months []month) error {
	ok, err := s.eventsPartitioned(ctx, s.db)
	if err != nil {
		return fmt.Errorf("partitions: %w", err)
	}
	if s.partMonths == nil {
		s.partMonths = map[month]bool{}
	}
	for _, m := range months {
		if ok {
			if err := s.createPartition(ctx, m); err != nil {
				return err
			}
		}
		s.partMonths[m] = true
	}
	return nil
}

// createPartition creates the month's partition unless it exists. Another
// process may create it at the same moment: its error is then no error.
func (s *Store) createPartition(ctx context.Context, m month) error {
	lo, hi := m.bounds()
	name := m.partitionName()
	_, err := s.db.ExecContext(ctx, fmt.Sprintf(`/* Store.createPartition */
		CREATE TABLE IF NOT EXISTS %s PARTITION OF events FOR VALUES FROM (%d) TO (%d)`, name, lo, hi))
	if err == nil {
		return nil
	}
	var exists bool
	if qerr := s.db.QueryRowContext(ctx, `/* Store.createPartition */
		SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); qerr == nil && exists {
		return nil
	}
	return fmt.Errorf("partition %s: %w", name, err)
}

// forgetPartitions makes the store check again which months have a
// partition (after its migrations ran, up or down).
func (s *Store) forgetPartitions() {
	s.ingestMu.Lock()
	s.partMonths = nil
	s.ingestMu.Unlock()
}

// createPartitionsAhead creates the partitions of the month of now and
// the partitionsAhead months after it.
func (s *Store) createPartitionsAhead(ctx context.Context, now time.Time) error {
	if s.dialect != Postgres {
		return nil
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	first := monthOf(ms(now))
	months := make([]month, 0, partitionsAhead+1)
	for m := first; m <= first+partitionsAhead; m++ {
		months = append(months, m)
	}
	if err := s.createPartitions(ctx, months); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Partitions returns the names of the events table's partitions, oldest
// first: none on SQLite.
func (s *Store) Partitions(ctx context.Context) ([]string, error) {
	if ok, err := s.eventsPartitioned(ctx, s.db); err != nil || !ok {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `/* Store.Partitions */
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass('events') ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("store: partitions: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: partitions: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// dropOldPartitions drops the partitions that no workspace's retention
// keeps anything in (see above) and returns how many events each
// workspace lost with them. wss are every workspace's settings; with
// none, nothing is dropped.
func (s *Store) dropOldPartitions(ctx context.Context, now time.Time, wss []wsRetention) (map[int64]int64, error) {
	removed := map[int64]int64{}
	if len(wss) == 0 {
		return removed, nil
	}
	names, err := s.Partitions(ctx)
	if err != nil || len(names) == 0 {
		return removed, err
	}
	// The earliest cutoff: no workspace keeps an event before it.
	keep := int64(0)
	for i, w := range wss {
		c := ms(now.Add(-time.Duration(w.r.EventDays) * 24 * time.Hour))
		if i == 0 || c < keep {
			keep = c
		}
	}
	for _, name := range names {
		m, ok := parsePartition(name)
		if !ok {
			continue
		}
		if _, hi := m.bounds(); hi > keep {
			break // names sort by month: none later can go
		}
		if err := s.dropPartition(ctx, name, m, removed); err != nil {
			return removed, fmt.Errorf("store: retention: partition %s: %w", name, err)
		}
	}
	return removed, nil
}

// dropPartition drops the partition unless it holds an event the roll-up
// has not read (the retention job deletes only events it has read), and
// adds to removed how many events each workspace lost. It holds the
// roll-up's mark, as the roll-up does, and then the partition, so that no
// commit adds to it meanwhile; the writer goes on with other months.
func (s *Store) dropPartition(ctx context.Context, name string, m month, removed map[int64]int64) error {
	s.ingestMu.Lock()
	delete(s.partMonths, m) // a hit of that month creates it again
	s.ingestMu.Unlock()
	counts := map[int64]int64{}
	err := s.inTx(ctx, "drop partition", func(tx *sql.Tx) error {
		clear(counts)
		var mark int64
		if err := tx.QueryRowContext(ctx, `/* Store.dropPartition */
			SELECT last_event_id FROM rollup_marks WHERE name = 'sessions' FOR UPDATE`).Scan(&mark); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `/* Store.dropPartition */ LOCK TABLE `+name+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			return err
		}
		var top sql.NullInt64
		if err := tx.QueryRowContext(ctx, `/* Store.dropPartition */ SELECT MAX(id) FROM `+name).Scan(&top); err != nil {
			return err
		}
		if top.Valid && top.Int64 > mark {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `/* Store.dropPartition */
			SELECT si.workspace_id, COUNT(*) FROM `+name+` e
			JOIN sessions s ON s.id = e.session_id JOIN sites si ON si.id = s.site_id GROUP BY si.workspace_id`)
		if err != nil {
			return err
		}
		var ws, n int64
		if _, err := scanPairs(rows, &ws, &n, func() { counts[ws] += n }); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `/* Store.dropPartition */ DROP TABLE `+name)
		return err
	})
	if err != nil {
		return err
	}
	for ws, n := range counts {
		removed[ws] += n
	}
	return nil
}

// scanPairs scans each row of rows into a and b and calls f, and
// returns how many rows it read.
func scanPairs(rows *sql.Rows, a, b *int64, f func()) (int, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(a, b); err != nil {
			return n, err
		}
		f()
		n++
	}
	return n, rows.Err()
}

// maintainPartitions is the retention job's care of the partitions: it
// creates those ahead and drops those no workspace keeps anything in,
// and returns how many events each workspace lost with them.
func (s *Store) maintainPartitions(ctx context.Context, now time.Time, wss []wsRetention) (map[int64]int64, error) {
	if s.dialect != Postgres {
		return nil, nil
	}
	if err := s.createPartitionsAhead(ctx, now); err != nil {
		return nil, err
	}
	return s.dropOldPartitions(ctx, now, wss)
}

// spans are the partitions of events with the range of IDs each holds.
type spans []span

// span is a partition's bounds of time and the lowest and highest ID in it.
type span struct{ lo, hi, minID, maxID int64 }

// partitionSpans reads every partition's range of IDs, on partitioned
// PostgreSQL; nil elsewhere, or when a partition is not one of this
// file's months (its bounds unknown). A visit's rolled-up events (IDs at
// or below the roll-up's mark) are all committed, so the spans read now
// hold every one of them.
func (s *Store) partitionSpans(ctx context.Context) (spans, error) {
	names, err := s.Partitions(ctx)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	parts := make([]string, 0, len(names))
	out := make(spans, 0, len(names))
	for _, name := range names {
		m, ok := parsePartition(name)
		if !ok {
			return nil, nil
		}
		lo, hi := m.bounds()
		out = append(out, span{lo: lo, hi: hi})
		parts = append(parts, fmt.Sprintf("SELECT %d AS i, (SELECT MIN(id) FROM %s), (SELECT MAX(id) FROM %s)", len(parts), name, name))
	}
	rows, err := s.db.QueryContext(ctx, `/* Store.partitionSpans */ `+strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var lo, hi sql.NullInt64
		if err := rows.Scan(&i, &lo, &hi); err != nil {
			return nil, err
		}
		if lo.Valid {
			out[i].minID, out[i].maxID = lo.Int64, hi.Int64
		} else {
			out[i].minID, out[i].maxID = 1, 0 // empty: holds no ID
		}
	}
	return out, rows.Err()
}

// times returns the bounds of time [lo, hi) of the partitions that hold
// IDs from first to last, and false when none does.
func (sp spans) times(first, last int64) (lo, hi int64, ok bool) {
	for _, p := range sp {
		if p.minID > p.maxID || p.maxID < first || p.minID > last {
			continue
		}
		if !ok || p.lo < lo {
			lo = p.lo
		}
		if !ok || p.hi > hi {
			hi = p.hi
		}
		ok = true
	}
	return lo, hi, ok
}
