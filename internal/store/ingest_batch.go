package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// batchChunk is how many batch IDs one statement reads or writes.
const batchChunk = 256

// AppendBatches stores the hits of the batches whose IDs it has not
// recorded before, and records those IDs, in one transaction (see
// foyer.EventService). A batch ID that appears twice in one call is
// stored once.
func (s *Store) AppendBatches(ctx context.Context, batches []foyer.Batch) (int, error) {
	for _, b := range batches {
		if b.ID == "" || len(b.ID) > foyer.MaxBatchID {
			return 0, foyer.Errorf(foyer.EINVALID, "a batch ID must be 1 to %d bytes", foyer.MaxBatchID)
		}
	}
	if len(batches) == 0 {
		return 0, nil
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	stored, err := s.storedBatches(ctx, batches)
	if err != nil {
		return 0, fmt.Errorf("store: append batches: %w", err)
	}
	var ids []string
	var hits []foyer.Hit
	for _, b := range batches {
		if stored[b.ID] {
			continue
		}
		stored[b.ID] = true
		ids = append(ids, b.ID)
		hits = append(hits, b.Hits...)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := s.appendLocked(ctx, hits, ids); err != nil {
		return 0, err
	}
	if err := s.SyncAppends(ctx); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// storedBatches returns which of the batches' IDs are recorded already.
func (s *Store) storedBatches(ctx context.Context, batches []foyer.Batch) (map[string]bool, error) {
	seen := make(map[string]bool, len(batches))
	ids := make([]any, 0, len(batches))
	for _, b := range batches {
		ids = append(ids, b.ID)
	}
	for chunk := range slices.Chunk(ids, batchChunk) {
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.storedBatches */
			SELECT id FROM ingest_batches WHERE id IN (`+placeholders(len(chunk))+`)`), chunk...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

// recordBatches writes the batch IDs in the append's transaction. A
// primary key conflict (another process stored the batch meanwhile) fails
// the transaction, and the caller's retry then skips the batch.
func (s *Store) recordBatches(ctx context.Context, t *txStmts, ids []string) error {
	now := time.Now().UnixMilli()
	for chunk := range slices.Chunk(ids, batchChunk) {
		var q strings.Builder
		q.WriteString("/* Store.recordBatches */ INSERT INTO ingest_batches (id, stored_at) VALUES ")
		args := make([]any, 0, 2*len(chunk))
		for i, id := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?)")
			args = append(args, id, now)
		}
		if _, err := s.exec(ctx, t, q.String(), args...); err != nil {
			return fmt.Errorf("batch IDs: %w", err)
		}
	}
	return nil
}

// PruneBatchIDs forgets the batch IDs recorded before the time.
func (s *Store) PruneBatchIDs(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.PruneBatchIDs */
		DELETE FROM ingest_batches WHERE stored_at < ?`), before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: prune batch IDs: %w", err)
	}
	return res.RowsAffected()
}
