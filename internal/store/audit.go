package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// The audit log: foyer.AuditService. Each log (a workspace's, or the
// installation's under workspace 0) is a hash chain as the consent history
// is, with its head and its retention anchor in audit_heads.

// RecordAudit appends e to its workspace's log in a transaction of its own.
func (s *Store) RecordAudit(ctx context.Context, e *foyer.AuditEntry) error {
	if e.Action == "" {
		return foyer.Errorf(foyer.EINVALID, "an audit entry needs an action")
	}
	return s.inTx(ctx, "audit", func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, e) })
}

// RecordTokenUse appends e, an AuditTokenUsed entry, unless the token
// (e.ObjectID) has one in the same clock hour already. The head's lock
// orders two calls, so that only one of them records.
func (s *Store) RecordTokenUse(ctx context.Context, e *foyer.AuditEntry) (bool, error) {
	e.Action, e.ObjectType = foyer.AuditTokenUsed, "token"
	recorded := false
	err := s.inTx(ctx, "audit token use", func(tx *sql.Tx) error {
		if _, _, err := s.lockAuditHead(ctx, tx, e.WorkspaceID); err != nil {
			return err
		}
		var at int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordTokenUse */
			SELECT at FROM audit_log WHERE workspace_id = ? AND object_type = 'token' AND object_id = ? AND action = ?
			ORDER BY id DESC LIMIT 1`), e.WorkspaceID, e.ObjectID, string(foyer.AuditTokenUsed)).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		hour := s.now().UTC().Truncate(time.Hour)
		if err == nil && !fromMS(at).Before(hour) {
			return nil
		}
		recorded = true
		return s.appendAudit(ctx, tx, e)
	})
	return recorded, err
}

// appendAudit appends e in the transaction tx: after its log's head,
// locked, which then moves to e.
func (s *Store) appendAudit(ctx context.Context, tx querier, e *foyer.AuditEntry) error {
	head, _, err := s.lockAuditHead(ctx, tx, e.WorkspaceID)
	if err != nil {
		return err
	}
	e.At = s.now()
	e.Tidy()
	if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordAudit */
		INSERT INTO audit_log (workspace_id, at, actor_kind, actor_id, actor, action, object_type, object_id, detail, user_agent, network, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.WorkspaceID, ms(e.At), e.ActorKind, e.ActorID, e.Actor, string(e.Action), e.ObjectType, e.ObjectID, e.Detail,
		e.UserAgent, e.Network, head, head).Scan(&e.ID); err != nil {
		return err
	}
	e.Seal([32]byte(head))
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordAudit */
		UPDATE audit_log SET hash = ? WHERE id = ?`), e.Hash[:], e.ID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.rebind(`/* Store.RecordAudit */
		UPDATE audit_heads SET hash = ? WHERE workspace_id = ?`), e.Hash[:], e.WorkspaceID)
	return err
}

// lockAuditHead reads a log's head and anchor, creating them when missing,
// and on PostgreSQL locks them until the transaction ends. ENOTFOUND for
// a workspace that does not exist (0, the installation's, always does).
func (s *Store) lockAuditHead(ctx context.Context, tx querier, workspaceID int64) (head, anchor []byte, err error) {
	zero := make([]byte, 32)
	q := `INSERT INTO audit_heads (workspace_id, hash, anchor) SELECT id, ?, ? FROM workspaces WHERE id = ?`
	args := []any{zero, zero, workspaceID}
	if workspaceID == 0 {
		q, args = `INSERT INTO audit_heads (workspace_id, hash, anchor) VALUES (0, ?, ?)`, []any{zero, zero}
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.lockAuditHead */ `+q+` ON CONFLICT (workspace_id) DO NOTHING`), args...); err != nil {
		return nil, nil, err
	}
	err = tx.QueryRowContext(ctx, s.rebind(`/* Store.lockAuditHead */
		SELECT hash, anchor FROM audit_heads WHERE workspace_id = ?`+s.forUpdate()), workspaceID).Scan(&head, &anchor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err == nil && (len(head) != 32 || len(anchor) != 32) {
		err = fmt.Errorf("store: audit head of workspace %d is not a hash", workspaceID)
	}
	return head, anchor, err
}

// auditColumns are the columns scanAudit reads, in its order.
const auditColumns = `id, workspace_id, at, actor_kind, actor_id, actor, action, object_type, object_id, detail, user_agent, network, prev_hash, hash`

// scanAudit reads a row of auditColumns into e.
func scanAudit(rows *sql.Rows, e *foyer.AuditEntry) error {
	var at int64
	var action string
	var prev, hash []byte
	if err := rows.Scan(&e.ID, &e.WorkspaceID, &at, &e.ActorKind, &e.ActorID, &e.Actor, &action, &e.ObjectType, &e.ObjectID,
		&e.Detail, &e.UserAgent, &e.Network, &prev, &hash); err != nil {
		return err
	}
	e.At, e.Action = fromMS(at), foyer.AuditAction(action)
	e.PrevHash, e.Hash = [32]byte{}, [32]byte{}
	copy(e.PrevHash[:], prev)
	copy(e.Hash[:], hash)
	return nil
}

// AuditLog returns a page of the workspace's entries, newest first.
func (s *Store) AuditLog(ctx context.Context, workspaceID int64, f foyer.AuditFilter) ([]foyer.AuditEntry, bool, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	where, args := []string{"workspace_id = ?"}, []any{workspaceID}
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Action != "" {
		add("action = ?", string(f.Action))
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		add(`LOWER(actor) LIKE ? ESCAPE '\'`, "%"+r.Replace(strings.ToLower(a))+"%")
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	if f.BeforeID > 0 {
		add("id < ?", f.BeforeID)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.AuditLog */
		SELECT `+auditColumns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`),
		append(args, limit+1)...)
	if err != nil {
		return nil, false, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []foyer.AuditEntry
	for rows.Next() {
		var e foyer.AuditEntry
		if err := scanAudit(rows, &e); err != nil {
			return nil, false, fmt.Errorf("store: audit log: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: audit log: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// VerifyAudit checks a log against its hashes, its anchor and its head, as
// of one moment. It needs no master key.
func (s *Store) VerifyAudit(ctx context.Context, workspaceID int64) (*foyer.ChainBreak, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: verify audit: %w", err)
	}
	defer tx.Rollback()
	var head *[32]byte
	var v foyer.ChainVerifier
	var h, anchor []byte
	err = tx.QueryRowContext(ctx, s.rebind(`/* Store.VerifyAudit */
		SELECT hash, anchor FROM audit_heads WHERE workspace_id = ?`), workspaceID).Scan(&h, &anchor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("store: audit head: %w", err)
	case len(h) != 32 || len(anchor) != 32:
		return &foyer.ChainBreak{Problem: "the log's recorded head or anchor is not a hash (altered)"}, nil
	default:
		head = (*[32]byte)(h)
		v.StartAfter([32]byte(anchor))
	}
	rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.VerifyAudit */
		SELECT `+auditColumns+` FROM audit_log WHERE workspace_id = ? ORDER BY id`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	var e foyer.AuditEntry
	var last int64
	for rows.Next() {
		if err := scanAudit(rows, &e); err != nil {
			return nil, fmt.Errorf("store: verify audit: %w", err)
		}
		last = e.ID
		if !v.AddLink(e.Link()) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: verify audit: %w", err)
	}
	if head == nil && v.Entries() > 0 {
		return &foyer.ChainBreak{ID: last, Problem: "the log's recorded head is missing (deleted)"}, nil
	}
	return v.End(head), nil
}

// AuditLogs lists the workspaces that have an audit log, 0 (the
// installation's) among them when it has one, in order.
func (s *Store) AuditLogs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `/* Store.AuditLogs */
		SELECT workspace_id FROM audit_heads UNION SELECT DISTINCT workspace_id FROM audit_log ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: audit logs: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: audit logs: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PruneAudit deletes the entries older than before, oldest first, at most
// batch in a transaction, so that PostgreSQL holds no long lock. Only a
// log's oldest entries go, so what stays is still a chain: it starts
// after the last entry deleted, whose hash becomes the anchor.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, batch int) (int, error) {
	batch = max(batch, 1)
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.PruneAudit */
		SELECT DISTINCT workspace_id FROM audit_log WHERE at < ?`), ms(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	var logs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: prune audit: %w", err)
		}
		logs = append(logs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: prune audit: %w", err)
	}
	total := 0
	for _, ws := range logs {
		for {
			n, err := s.pruneAuditBatch(ctx, ws, before, batch)
			total += n
			if err != nil {
				return total, err
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

// pruneAuditBatch deletes at most batch of a log's oldest entries that are
// older than before, and moves its anchor past them.
func (s *Store) pruneAuditBatch(ctx context.Context, workspaceID int64, before time.Time, batch int) (int, error) {
	n := 0
	err := s.inTx(ctx, "prune audit", func(tx *sql.Tx) error {
		if _, _, err := s.lockAuditHead(ctx, tx, workspaceID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.PruneAudit */
			SELECT id, at, hash FROM audit_log WHERE workspace_id = ? ORDER BY id LIMIT ?`), workspaceID, batch)
		if err != nil {
			return err
		}
		var lastID int64
		var lastHash []byte
		for rows.Next() {
			var id, at int64
			var h []byte
			if err := rows.Scan(&id, &at, &h); err != nil {
				rows.Close()
				return err
			}
			if at >= ms(before) {
				break // the log's prefix only: what stays is a chain
			}
			lastID, lastHash = id, h
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.PruneAudit */
			DELETE FROM audit_log WHERE workspace_id = ? AND id <= ?`), workspaceID, lastID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.PruneAudit */
			UPDATE audit_heads SET anchor = ? WHERE workspace_id = ?`), lastHash, workspaceID)
		return err
	})
	if err != nil {
		n = 0
	}
	return n, err
}
