package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/foyerhq/foyer"
)

// Erasure by key destruction: a contact's personal fields are sealed
// under a data key of its own, kept wrapped in its row; erasing the
// contact deletes the row, and with it the only copy of that key in the
// live database. On SQLite, secure_delete overwrites the freed content
// and a checkpoint empties the WAL of the row's earlier pages. Backups
// taken before still hold the row, so every erasure is written to the
// ledger (the table erasures, and the ledger file when the store has one,
// written before the commit), and a restore replays the ledger before the
// restored database is used (ReplayErasures).

// DeleteContact erases the contact with no request ID.
func (s *Store) DeleteContact(ctx context.Context, workspaceID, id int64, actor string) error {
	_, err := s.EraseContact(ctx, workspaceID, id, actor, "")
	return err
}

// EraseContact erases a contact of the workspace and records it in the
// erasure ledger.
func (s *Store) EraseContact(ctx context.Context, workspaceID, id int64, actor, requestID string) (*foyer.Erasure, error) {
	e := &foyer.Erasure{WorkspaceID: workspaceID, ContactID: id, At: s.now().UTC().Truncate(time.Millisecond),
		RequestID: cutUTF8(requestID, 200), Actor: actor}
	err := s.inTx(ctx, "erase contact", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.EraseContact */
			DELETE FROM contacts WHERE workspace_id = ? AND id = ? RETURNING email_hash`), workspaceID, id).Scan(&e.EmailHash)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", id)
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.EraseContact */
			INSERT INTO erasures (workspace_id, contact_id, email_hash, at, request_id, actor)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			workspaceID, id, e.EmailHash, ms(e.At), e.RequestID, e.Actor).Scan(&e.ID); err != nil {
			return err
		}
		if err := s.detachContact(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		if err := s.forgetDeliveryAddress(ctx, tx, workspaceID, e.EmailHash); err != nil {
			return err
		}
		if err := s.logContactChange(ctx, tx, workspaceID, id, actor, "deleted", nil); err != nil {
			return err
		}
		if err := s.eraseSegmentData(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		// Before the commit: a ledger line for an erasure that then fails
		// only erases, at a restore, what was meant to be erased.
		return s.writeLedger(e)
	})
	if err != nil {
		return nil, err
	}
	s.dropOldPages(ctx)
	return e, nil
}

// dropOldPages checkpoints SQLite's WAL and truncates it, so that the
// pages that held an erased row before its deletion are gone from it.
// A reader holding an old snapshot can keep the checkpoint from
// finishing: then the next checkpoint ends the job.
func (s *Store) dropOldPages(ctx context.Context) {
	if s.dialect != SQLite {
		return
	}
	if busy, _, err := s.checkpoint(ctx, "TRUNCATE"); err != nil || busy {
		slog.Warn("store: after an erasure, the WAL could not be emptied yet; the next checkpoint does it", "err", err)
	}
}

// PriorErasure returns the latest erasure of a contact with the same
// email before the contact was created.
func (s *Store) PriorErasure(ctx context.Context, workspaceID, contactID int64) (*foyer.Erasure, error) {
	var e foyer.Erasure
	var at int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.PriorErasure */
		SELECT e.id, e.workspace_id, e.contact_id, e.email_hash, e.at, e.request_id, e.actor
		FROM contacts c JOIN erasures e ON e.workspace_id = c.workspace_id AND e.email_hash = c.email_hash AND e.at <= c.created_at
		WHERE c.workspace_id = ? AND c.id = ? ORDER BY e.at DESC LIMIT 1`), workspaceID, contactID).
		Scan(&e.ID, &e.WorkspaceID, &e.ContactID, &e.EmailHash, &at, &e.RequestID, &e.Actor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no erasure before contact %d", contactID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: prior erasure: %w", err)
	}
	e.At = fromMS(at)
	return &e, nil
}

// Erasures returns the whole erasure ledger of the database, oldest first.
func (s *Store) Erasures(ctx context.Context) ([]foyer.Erasure, error) {
	rows, err := s.db.QueryContext(ctx, `/* Store.Erasures */
		SELECT id, workspace_id, contact_id, email_hash, at, request_id, actor FROM erasures ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: erasures: %w", err)
	}
	defer rows.Close()
	var out []foyer.Erasure
	for rows.Next() {
		var e foyer.Erasure
		var at int64
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.ContactID, &e.EmailHash, &at, &e.RequestID, &e.Actor); err != nil {
			return nil, fmt.Errorf("store: erasures: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReplayErasures applies the ledger entries to the database, as a
// restore must before the restored database is used: each erased contact
// still in it (by its ID, or by its email's hash, created no later than
// the erasure) is erased, and each entry the database's own ledger lacks
// is added to it. A contact created after an erasure of its email is
// another person's record and stays. An entry the database's own ledger
// holds was applied already (the ledger's row and the deletion commit
// together), so serve's replay at each start costs a read of the ledger,
// not a write an entry. It returns how many contacts it erased.
func (s *Store) ReplayErasures(ctx context.Context, entries []foyer.Erasure) (int, error) {
	type entryKey struct{ workspace, contact, at int64 }
	erased := 0
	err := s.inTx(ctx, "replay erasures", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `/* Store.ReplayErasures */ SELECT workspace_id, contact_id, at FROM erasures`)
		if err != nil {
			return err
		}
		applied := map[entryKey]bool{}
		for rows.Next() {
			var k entryKey
			if err := rows.Scan(&k.workspace, &k.contact, &k.at); err != nil {
				rows.Close()
				return err
			}
			applied[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range entries {
			if applied[entryKey{e.WorkspaceID, e.ContactID, ms(e.At)}] {
				continue
			}
			res, err := tx.ExecContext(ctx, s.rebind(`/* Store.ReplayErasures */
				DELETE FROM contacts WHERE workspace_id = ? AND (id = ? OR email_hash = ?) AND created_at <= ?`),
				e.WorkspaceID, e.ContactID, e.EmailHash, ms(e.At))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			erased += int(n)
			if n > 0 {
				// The campaigns' recipients of the contacts just erased.
				if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ReplayErasures */
					UPDATE campaign_recipients SET contact_id = NULL WHERE workspace_id = ? AND contact_id IS NOT NULL
					AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = campaign_recipients.contact_id)`), e.WorkspaceID); err != nil {
					return err
				}
				if err := s.eraseSegmentData(ctx, tx, e.WorkspaceID, e.ContactID); err != nil {
					return err
				}
				// A queued message of an untracked recipient keeps the
				// erased address, sealed: it goes too.
				if err := s.forgetDeliveryAddress(ctx, tx, e.WorkspaceID, e.EmailHash); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ReplayErasures */
				INSERT INTO erasures (workspace_id, contact_id, email_hash, at, request_id, actor) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (workspace_id, contact_id, at) DO NOTHING`),
				e.WorkspaceID, e.ContactID, e.EmailHash, ms(e.At), e.RequestID, e.Actor); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if erased > 0 {
		s.dropOldPages(ctx)
	}
	return erased, nil
}

// ledgerLine is a line of the ledger file: JSON, one erasure a line.
type ledgerLine struct {
	Workspace int64  `json:"workspace"`
	Contact   int64  `json:"contact"`
	EmailHash []byte `json:"email_hash"`
	At        int64  `json:"at"` // Unix milliseconds
	Request   string `json:"request,omitempty"`
	Actor     string `json:"actor,omitempty"`
}

// UseLedgerFile makes the store write every erasure to the ledger file at
// path too (appended, synced before the erasure commits), which lives
// apart from the database and its backups, beside the master key: a
// restore replays it. Call it before the first erasure.
func (s *Store) UseLedgerFile(path string) { s.ledgerPath = path }

// writeLedger appends e to the ledger file, if the store has one.
func (s *Store) writeLedger(e *foyer.Erasure) error {
	if s.ledgerPath == "" {
		return nil
	}
	line, err := json.Marshal(ledgerLine{Workspace: e.WorkspaceID, Contact: e.ContactID, EmailHash: e.EmailHash,
		At: ms(e.At), Request: e.RequestID, Actor: e.Actor})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.ledgerPath), 0o700); err != nil {
		return fmt.Errorf("erasure ledger: %w", err)
	}
	f, err := os.OpenFile(s.ledgerPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("erasure ledger: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("erasure ledger: %w", err)
	}
	return nil
}

// ReadLedgerFile reads the erasures of a ledger file; a missing file has
// none. A line cut short by a crash, the last one, is skipped (its
// erasure did not commit); any other bad line is an error.
func ReadLedgerFile(path string) ([]foyer.Erasure, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("erasure ledger: %w", err)
	}
	defer f.Close()
	return readLedger(f)
}

func readLedger(r io.Reader) ([]foyer.Erasure, error) {
	var out []foyer.Erasure
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil // what follows the last newline was never finished
		}
		if err != nil {
			return nil, fmt.Errorf("erasure ledger: %w", err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var l ledgerLine
		if err := json.Unmarshal(line, &l); err != nil || l.Workspace <= 0 || l.Contact <= 0 || len(l.EmailHash) == 0 {
			return nil, fmt.Errorf("erasure ledger: line %d is not an erasure", n)
		}
		out = append(out, foyer.Erasure{WorkspaceID: l.Workspace, ContactID: l.Contact, EmailHash: l.EmailHash,
			At: fromMS(l.At), RequestID: l.Request, Actor: l.Actor})
	}
}
