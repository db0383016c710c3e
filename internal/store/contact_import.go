package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
)

// ImportRejected is what a row that went in nowhere did (see ImportNew).
const ImportRejected = "rejected"

// ImportRow is one record of an imported file, as ImportContacts takes it.
type ImportRow struct {
	Line    int // the file's line where the record starts
	Contact foyer.Contact
	Consent *foyer.ConsentChange // nil when the row says nothing of consent
	// Replaces is the line of an earlier row of the file for the same
	// email that this one replaces (contactimport's duplicate rule), 0
	// for none.
	Replaces int
	// Rejected, when not "", is why the reader rejected the record: it
	// writes nothing, and is counted and kept as the row's outcome.
	Rejected string
}

// ImportResult is what a row did: Outcome is ImportNew, ImportUpdated,
// ImportUnchanged or ImportRejected, with the Reason for a rejection.
type ImportResult struct {
	Line    int
	Outcome string
	Reason  string
}

// ImportTally counts the results of an import's rows by outcome.
type ImportTally struct {
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
}

// Add counts r and reports whether it is a rejection.
func (t *ImportTally) Add(r ImportResult) (rejected bool) {
	switch r.Outcome {
	case ImportNew:
		t.New++
	case ImportUpdated:
		t.Updated++
	case ImportUnchanged:
		t.Unchanged++
	default:
		t.Rejected++
		return true
	}
	return false
}

// ImportBatch says how ImportContacts writes a batch.
type ImportBatch struct {
	Actor string // recorded as the author of the changes ("import 12")
	// DryRun writes nothing: the results say what the rows would do.
	DryRun bool
	// ImportID, when not 0, is the workspace's running import
	// (StartContactImport) whose record counts the batch, in the batch's
	// transaction.
	ImportID int64
	// BytesRead is how far into the file the batch ends, for the record.
	BytesRead int64
}

// ImportBatchSize is how many rows of a file an import gives
// ImportContacts at once: 500, so that a commit's cost is spread thin
// while a batch holds SQLite's one write lock, or PostgreSQL's lock of the
// workspace's head of the consent history, for a fraction of a second.
// (The head is moved in memory and written once a batch: written for each
// entry, its versions made a longer batch slower on PostgreSQL.)
func (s *Store) ImportBatchSize() int {
	return 500
}

// ImportContacts creates or updates the workspace's contacts of a batch
// of an imported file's rows in one transaction, each row all or nothing
// within it (a savepoint): the row's non-empty fields replace the stored
// ones, and its consent change is applied by foyer.ApplyConsent (an older
// date never overwrites a newer status) and recorded in the history,
// applied or not. A row that is not valid (EINVALID, ECONFLICT) is rolled
// back alone and rejected with the reason; any other error, a cancelled
// ctx among them, rolls back the whole batch and is returned, and the
// import's record then counts none of it. It returns each row's result in
// order. ENOTFOUND when b.ImportID is not a running import of the
// workspace.
func (s *Store) ImportContacts(ctx context.Context, workspaceID int64, rows []ImportRow, b ImportBatch) ([]ImportResult, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	out := make([]ImportResult, len(rows))
	err := s.inTx(ctx, "import contacts", func(sqlTx *sql.Tx) error {
		tx := newTxCache(sqlTx)
		for i := range rows {
			r := &rows[i]
			out[i] = ImportResult{Line: r.Line, Outcome: ImportRejected, Reason: r.Rejected}
			if r.Rejected != "" {
				continue
			}
			outcome, err := s.importRowSaved(ctx, tx, workspaceID, r, b.Actor)
			switch code := foyer.ErrorCode(err); {
			case code == foyer.EINVALID:
				out[i].Reason = foyer.ErrorMessage(err)
			case code == foyer.ECONFLICT:
				out[i].Reason = "another contact has this email" // the store's message names the address
			case err != nil:
				return err
			default:
				if b.DryRun && outcome == ImportNew && r.Replaces != 0 {
					// The earlier row's contact is not written in a dry
					// run's earlier batch: this row would update it.
					outcome = ImportUpdated
				}
				out[i] = ImportResult{Line: r.Line, Outcome: outcome}
			}
		}
		if b.DryRun {
			return errDryRun
		}
		if err := s.flushHeads(ctx, tx); err != nil {
			return err
		}
		if b.ImportID != 0 {
			return s.countImportBatch(ctx, sqlTx, workspaceID, b, out)
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importRowSaved is importRow within a savepoint: on an error, the row's
// statements are undone and the transaction goes on.
func (s *Store) importRowSaved(ctx context.Context, tx querier, workspaceID int64, r *ImportRow, actor string) (string, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
		return "", fmt.Errorf("store: import row: %w", err)
	}
	var heads map[int64][32]byte // as the row found them: a row undone moves no head
	tc, batch := tx.(*txCache)
	if batch {
		heads = maps.Clone(tc.heads)
	}
	c := r.Contact
	c.WorkspaceID = workspaceID
	var change *foyer.ConsentChange
	if r.Consent != nil {
		ch := *r.Consent
		change = &ch
	}
	outcome, err := s.importRow(ctx, tx, &c, change, actor)
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); rerr != nil {
			return "", fmt.Errorf("store: import row: %w", rerr)
		}
		if batch {
			tc.heads = heads
		}
	}
	if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`); rerr != nil {
		return "", fmt.Errorf("store: import row: %w", rerr)
	}
	return outcome, err
}

// importRow creates or updates the contact of c.Email from an imported row
// in the transaction tx, and applies and records its consent change; see
// ImportContacts. tx is the transaction or a txCache of it.
func (s *Store) importRow(ctx context.Context, tx querier, c *foyer.Contact, change *foyer.ConsentChange, actor string) (string, error) {
	if err := checkContact(c); err != nil {
		return "", err
	}
	var outcome string
	stored, err := s.scanContact(tx.QueryRowContext(ctx, s.rebind(`/* Store.ImportContacts */
		SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND email_hash = ?`),
		c.WorkspaceID, s.emailLookup(c.WorkspaceID, c.Email)).Scan)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		outcome = ImportNew
		c.Consent = foyer.ConsentState{}
		if err := s.createContact(ctx, tx, c, actor); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	default:
		outcome = ImportUnchanged
		if merged, changed := mergeContact(stored, c); changed {
			if len(merged.Attrs) > foyer.MaxContactAttrs {
				return "", foyer.Errorf(foyer.EINVALID, "with this row's attributes the contact would have %d, over %d", len(merged.Attrs), foyer.MaxContactAttrs)
			}
			outcome = ImportUpdated
			if err := s.resealContact(ctx, tx, stored, merged, actor); err != nil {
				return "", err
			}
		}
		c.ID = stored.ID
	}
	if change != nil {
		_, applied, _, err := s.recordConsent(ctx, tx, c.WorkspaceID, c.ID, *change)
		if err != nil {
			return "", err
		}
		if applied && outcome == ImportUnchanged {
			outcome = ImportUpdated
		}
	}
	return outcome, nil
}

// txCache is a transaction that prepares each of its statements once: a
// batch runs the same few statements for each of its rows, which SQLite
// would otherwise parse anew every time. The statements close with the
// transaction.
type txCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// heads are the workspaces' heads of the consent history as the
	// batch moved them, to write before it commits (flushHeads).
	heads map[int64][32]byte
	// wrapUnder is the master key new data keys are wrapped under, read
	// once (newDataKey): the lock taken then holds it until the end.
	wrapUnder *vault.MasterKey
}

func newTxCache(tx *sql.Tx) *txCache { return &txCache{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (c *txCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

// ExecContext runs q, prepared once.
func (c *txCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs q, prepared once.
func (c *txCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs q, prepared once; an error preparing it comes
// from the Row's Scan, through the transaction.
func (c *txCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
