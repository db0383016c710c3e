package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// knownVisits remembers, for the SQLite roll-up beside the appends
// (rollupBeside), the visits of which a step it committed read events:
// their site, company and start. Only what takes lockIngest changes those
// (or deletes visits, whose IDs SQLite may then give again), and it counts
// in moveGen: the memory holds for the moveGen it was filled at. A step
// then reads the events alone and looks up only the visits it does not
// know, instead of reading every event's visit with it.
type knownVisits struct {
	mu     sync.Mutex
	gen    uint64 // moveGen of what visits holds
	visits map[int64]knownVisit
}

type knownVisit struct{ site, company, started int64 }

// knownLimit bounds knownVisits: once full, it starts over.
const knownLimit = 1 << 17

// get returns the visits known at moveGen gen, or nil when there are none
// (it forgets those of another moveGen). The caller must not write to the
// map, and must not call add while it reads it.
func (k *knownVisits) get(gen uint64) map[int64]knownVisit {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen {
		k.visits, k.gen = nil, gen
	}
	return k.visits
}

// add remembers the visits a step read and committed at moveGen gen.
func (k *knownVisits) add(gen uint64, visits map[int64]*visitRollup) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen || k.visits == nil || len(k.visits)+len(visits) > knownLimit {
		k.visits, k.gen = make(map[int64]knownVisit, len(visits)), gen
	}
	for id, v := range visits {
		k.visits[id] = knownVisit{v.site, v.company, v.started}
	}
}

// readKnown reads, for a roll-up that knows the visits of known
// (knownVisits: each seen by a roll-up that moved the mark), up to limit
// events after the last one r read (r.last), and no further than the
// marks m allow, and sums them into r in their order, as readRollup does.
// It reads the events alone, then the visits that neither known nor r
// holds. Called again with the same r, it reads on where it stopped, in
// another transaction if need be: the caller counts the visits
// (countVisits) once it has read all it will.
func (s *Store) readKnown(ctx context.Context, t *txStmts, r *rollupRead, m marks, limit int, known map[int64]knownVisit) error {
	st, err := s.stmt(ctx, t, `/* Store.readKnown */
		SELECT id, session_id, ts, kind, COALESCE(engaged_ms, 0), page_id
		FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, r.last, m.upto(), limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	var events []eventRead
	unknown := map[int64]*visitRead{}
	for rows.Next() {
		var e eventRead
		if err := rows.Scan(&e.id, &e.visit, &e.ts, &e.kind, &e.engaged, &e.page); err != nil {
			return err
		}
		events = append(events, e)
		if _, ok := known[e.visit]; !ok && r.visits[e.visit] == nil {
			unknown[e.visit] = nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if err := s.readVisits(ctx, t, m.mark, unknown); err != nil {
		return err
	}
	for i := range events {
		e := &events[i]
		v := unknown[e.visit]
		if v == nil {
			if vr := r.visits[e.visit]; vr != nil {
				// Read by an earlier part of this step: add needs only
				// its site and company.
				v = &visitRead{site: vr.site, company: vr.company, started: vr.started, seen: !vr.isNew}
			} else if k, ok := known[e.visit]; ok {
				v = &visitRead{site: k.site, company: k.company, started: k.started, seen: true}
			} else {
				return fmt.Errorf("event %d: visit %d not found", e.id, e.visit)
			}
			unknown[e.visit] = v // the next event of the visit finds it
		}
		r.add(e, v)
	}
	return nil
}

// readVisits reads what a roll-up needs of the visits that are the keys
// of visits, into it, some at a time: as readRollup reads them with
// their events. Every event's visit exists (a foreign key).
func (s *Store) readVisits(ctx context.Context, t *txStmts, mark int64, visits map[int64]*visitRead) error {
	ids := slices.Sorted(maps.Keys(visits))
	for chunk := range slices.Chunk(ids, visitChunk) {
		// Statements of a few lengths only, kept: a short chunk repeats
		// its last ID.
		n := visitChunk
		for n/4 >= len(chunk) && n > 16 {
			n /= 4
		}
		args := visitReadArgs(mark)
		for i := range n {
			args = append(args, chunk[min(i, len(chunk)-1)])
		}
		st, err := s.stmt(ctx, t, `/* Store.readVisits */
			SELECT s.id, `+visitReadColumns+`
			FROM sessions s WHERE s.id IN (`+placeholders(n)+`)`)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		var id int64
		var v visitRead
		dest := append([]any{&id}, v.dest()...)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			read := v
			visits[id] = &read
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// visitChunk is how many visits one statement of readVisits reads at most.
const visitChunk = 256
