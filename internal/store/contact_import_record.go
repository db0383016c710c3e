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

// The states of a contact import.
const (
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportCancelled = "cancelled"
	ImportFailed    = "failed"
)

// MaxImportRejections is how many rejected rows an import's record keeps
// (the first ones, by line); the count covers them all.
const MaxImportRejections = 1000

// maxImportFileName bounds the file name an import's record keeps, in
// bytes: file names can hold anything, personal data included.
const maxImportFileName = 120

// ContactImport is the record of a contact import: who started it, on
// which file, and how far it got. The counts are those of the rows
// written (committed), so that they say the truth after a cancellation.
type ContactImport struct {
	ID          int64
	WorkspaceID int64
	UserID      int64  // who started it; 0 for the command line or a deleted account
	FileName    string // cut to 120 bytes
	Format      string // csv or ndjson
	State       string // ImportRunning, ImportDone, ImportCancelled or ImportFailed
	Error       string // why it failed, safe to show
	RowsRead    int64  // the records of the file that are settled: written or rejected
	BytesRead   int64  // how far into the file those records go
	BytesTotal  int64  // the file's size, 0 when unknown
	New         int64
	Updated     int64
	Unchanged   int64
	Rejected    int64
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running
}

// ImportRejection is a rejected row kept in an import's record.
type ImportRejection struct {
	Line   int
	Reason string
}

// shortFileName cuts a file name to maxImportFileName bytes, on a rune.
func shortFileName(name string) string {
	name = strings.ToValidUTF8(strings.TrimSpace(name), "?")
	if len(name) <= maxImportFileName {
		return name
	}
	return cutUTF8(name, maxImportFileName-len("…")) + "…"
}

// StartContactImport records imp as a running import of its workspace
// and sets its ID, state and start. EINVALID for a format other than csv
// or ndjson; ENOTFOUND when the workspace does not exist.
func (s *Store) StartContactImport(ctx context.Context, imp *ContactImport) error {
	if imp.Format != "csv" && imp.Format != "ndjson" {
		return foyer.Errorf(foyer.EINVALID, "import format %q: want csv or ndjson", imp.Format)
	}
	imp.FileName = shortFileName(imp.FileName)
	imp.State = ImportRunning
	imp.StartedAt = s.now().UTC().Truncate(time.Millisecond)
	var user sql.NullInt64
	if imp.UserID != 0 {
		user = sql.NullInt64{Int64: imp.UserID, Valid: true}
	}
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.StartContactImport */
		INSERT INTO contact_imports (workspace_id, user_id, file_name, format, state, bytes_total, started_at)
		SELECT id, ?, ?, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
		user, imp.FileName, imp.Format, imp.State, imp.BytesTotal, ms(imp.StartedAt), imp.WorkspaceID).Scan(&imp.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", imp.WorkspaceID)
	}
	if err != nil {
		return fmt.Errorf("store: start contact import: %w", err)
	}
	return nil
}

// countImportBatch adds a batch's results to the running import's record
// in the batch's transaction tx, and keeps its rejections up to
// MaxImportRejections.
func (s *Store) countImportBatch(ctx context.Context, tx *sql.Tx, workspaceID int64, b ImportBatch, out []ImportResult) error {
	var n [4]int64
	var rejected []ImportResult
	for _, r := range out {
		switch r.Outcome {
		case ImportNew:
			n[0]++
		case ImportUpdated:
			n[1]++
		case ImportUnchanged:
			n[2]++
		default:
			n[3]++
			rejected = append(rejected, r)
		}
	}
	var before int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.ImportContacts */
		UPDATE contact_imports SET rows_read = rows_read + ?, bytes_read = ?, new_count = new_count + ?,
			updated_count = updated_count + ?, unchanged_count = unchanged_count + ?, rejected_count = rejected_count + ?
		WHERE id = ? AND workspace_id = ? AND state = 'running' RETURNING rejected_count - ?`),
		len(out), b.BytesRead, n[0], n[1], n[2], n[3], b.ImportID, workspaceID, n[3]).Scan(&before)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "no running import %d", b.ImportID)
	}
	if err != nil {
		return err
	}
	for i, r := range rejected {
		if before+int64(i) >= MaxImportRejections {
			break
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ImportContacts */
			INSERT INTO contact_import_rejections (import_id, line, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			b.ImportID, r.Line, r.Reason); err != nil {
			return err
		}
	}
	return nil
}

// FinishContactImport ends the workspace's running import in state
// (ImportDone, ImportCancelled or ImportFailed, with why for a failure),
// and returns its record. Its counts are left as its batches wrote them.
// ENOTFOUND when it is not a running import of the workspace.
func (s *Store) FinishContactImport(ctx context.Context, workspaceID, id int64, state, why string) (*ContactImport, error) {
	switch state {
	case ImportDone, ImportCancelled, ImportFailed:
	default:
		return nil, foyer.Errorf(foyer.EINVALID, "an import ends done, cancelled or failed, not %q", state)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.FinishContactImport */
		UPDATE contact_imports SET state = ?, error = ?, finished_at = ? WHERE id = ? AND workspace_id = ? AND state = 'running'`),
		state, why, ms(s.now()), id, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: finish contact import: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no running import %d", id)
	}
	rec, err := s.ContactImport(ctx, workspaceID, id)
	if err == nil && s.dialect == Postgres && rec.New+rec.Updated >= analyzeAfter {
		// The planner's statistics, which autovacuum may not renew for a
		// while (or ever, where it is off): without them a search by a
		// common word took half a second at 1M contacts instead of 1 ms.
		for _, table := range []string{"contacts", "contact_terms"} {
			if _, err := s.db.ExecContext(ctx, "ANALYZE "+table); err != nil {
				return rec, fmt.Errorf("store: analyze %s after an import: %w", table, err)
			}
		}
	}
	return rec, err
}

// analyzeAfter is how many contacts an import writes before PostgreSQL is
// asked to renew its statistics of the contacts.
const analyzeAfter = 10_000

// FailRunningImports ends every import still recorded as running, as
// failed with why: at start-up, those of a server that stopped before
// they ended. It returns how many it ended.
func (s *Store) FailRunningImports(ctx context.Context, why string) (int, error) {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.FailRunningImports */
		UPDATE contact_imports SET state = 'failed', error = ?, finished_at = ? WHERE state = 'running'`), why, ms(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: fail running imports: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const contactImportColumns = `id, workspace_id, COALESCE(user_id, 0), file_name, format, state, error, rows_read, bytes_read,
	bytes_total, new_count, updated_count, unchanged_count, rejected_count, started_at, finished_at`

func scanContactImport(scan func(...any) error) (*ContactImport, error) {
	var imp ContactImport
	var started, finished int64
	if err := scan(&imp.ID, &imp.WorkspaceID, &imp.UserID, &imp.FileName, &imp.Format, &imp.State, &imp.Error,
		&imp.RowsRead, &imp.BytesRead, &imp.BytesTotal, &imp.New, &imp.Updated, &imp.Unchanged, &imp.Rejected,
		&started, &finished); err != nil {
		return nil, err
	}
	imp.StartedAt = fromMS(started)
	if finished != 0 {
		imp.FinishedAt = fromMS(finished)
	}
	return &imp, nil
}

// ContactImport returns the record of the workspace's import, or
// ENOTFOUND (also for another workspace's).
func (s *Store) ContactImport(ctx context.Context, workspaceID, id int64) (*ContactImport, error) {
	imp, err := scanContactImport(s.db.QueryRowContext(ctx, s.rebind(`/* Store.ContactImport */
		SELECT `+contactImportColumns+` FROM contact_imports WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no import %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: contact import %d: %w", id, err)
	}
	return imp, nil
}

// ContactImports returns the workspace's latest imports, newest first, at
// most limit (1 to 500).
func (s *Store) ContactImports(ctx context.Context, workspaceID int64, limit int) ([]*ContactImport, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ContactImports */
		SELECT `+contactImportColumns+` FROM contact_imports WHERE workspace_id = ? ORDER BY id DESC LIMIT ?`),
		workspaceID, min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: contact imports: %w", err)
	}
	defer rows.Close()
	var out []*ContactImport
	for rows.Next() {
		imp, err := scanContactImport(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: contact imports: %w", err)
		}
		out = append(out, imp)
	}
	return out, rows.Err()
}

// ImportRejections returns the rejections kept of the workspace's import,
// by line, at most limit (1 to MaxImportRejections).
func (s *Store) ImportRejections(ctx context.Context, workspaceID, id int64, limit int) ([]ImportRejection, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ImportRejections */
		SELECT r.line, r.reason FROM contact_import_rejections r JOIN contact_imports i ON i.id = r.import_id
		WHERE i.workspace_id = ? AND r.import_id = ? ORDER BY r.line LIMIT ?`),
		workspaceID, id, min(max(limit, 1), MaxImportRejections))
	if err != nil {
		return nil, fmt.Errorf("store: import rejections: %w", err)
	}
	defer rows.Close()
	var out []ImportRejection
	for rows.Next() {
		var r ImportRejection
		if err := rows.Scan(&r.Line, &r.Reason); err != nil {
			return nil, fmt.Errorf("store: import rejections: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
