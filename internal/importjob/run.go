// Package importjob runs contact imports: a file read by contactimport,
// written into the store in batches of rows, each batch one transaction
// that also moves the import's record (store.ContactImport). The command
// line runs one with Run; the web app's Manager holds the uploaded files,
// encrypted, while their previews and imports run in the background.
package importjob

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/contactimport"
	"github.com/foyerhq/foyer/internal/store"
)

// Store is what an import needs of the store.
type Store interface {
	// ImportBatchSize is how many records one transaction writes.
	ImportBatchSize() int
	ImportContacts(ctx context.Context, workspaceID int64, rows []store.ImportRow, b store.ImportBatch) ([]store.ImportResult, error)
}

// Input says what Run imports, and how.
type Input struct {
	WorkspaceID int64
	Actor       string // recorded as the author of the changes
	DryRun      bool   // write nothing: count what the file would do
	ImportID    int64  // the running import whose record counts the batches; 0 for none
	Options     contactimport.Options
	// MaxErrors bounds the rejections the Report lists (the first ones);
	// 0 lists none. The counts cover them all.
	MaxErrors int
	// Progress, when set, is called after each batch with the Report so
	// far; it must not keep it.
	Progress func(*Report)
}

// Report is what Run did.
type Report struct {
	store.ImportTally
	Errors  []store.ImportRejection // the first MaxErrors rejections
	Rows    int                     // records settled: written or rejected
	Bytes   int64                   // bytes of the file read so far
	Summary contactimport.Summary
}

// Run reads the file r and writes its rows into st in batches of
// st.ImportBatchSize() records (or, with in.DryRun, finds what they would do). It
// returns when the file is read, or at the first error: then the batches
// already written stay written, and the Report counts exactly them, as
// does the import's record. A cancelled ctx ends it so. A file that
// contactimport refuses is an EINVALID error.
func Run(ctx context.Context, st Store, r io.Reader, in Input) (*Report, error) {
	rep := &Report{}
	var read atomic.Int64
	cr := &countingReader{r: r, n: &read}
	size := max(st.ImportBatchSize(), 1)
	batch := make([]store.ImportRow, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := st.ImportContacts(ctx, in.WorkspaceID, batch, store.ImportBatch{
			Actor: in.Actor, DryRun: in.DryRun, ImportID: in.ImportID, BytesRead: read.Load()})
		if err != nil {
			return err
		}
		for _, x := range res {
			if rep.Add(x) && len(rep.Errors) < in.MaxErrors {
				rep.Errors = append(rep.Errors, store.ImportRejection{Line: x.Line, Reason: x.Reason})
			}
		}
		rep.Rows += len(res)
		rep.Bytes = read.Load()
		batch = batch[:0]
		if in.Progress != nil {
			in.Progress(rep)
		}
		return nil
	}
	add := func(row store.ImportRow) error {
		batch = append(batch, row)
		if len(batch) < size {
			return nil
		}
		return flush()
	}
	sum, err := contactimport.Read(ctx, cr, in.Options, func(r contactimport.Row) error {
		return add(rowOf(r, in.Actor))
	}, func(r contactimport.Rejection) error {
		return add(store.ImportRow{Line: r.Line, Rejected: r.Reason})
	})
	if err == nil {
		err = flush()
	}
	rep.Summary = sum
	if err == nil {
		rep.Bytes = read.Load()
	}
	return rep, err
}

// rowOf is the store's row of a file's row.
func rowOf(r contactimport.Row, actor string) store.ImportRow {
	row := store.ImportRow{Line: r.Line, Replaces: r.Replaces, Contact: foyer.Contact{Email: r.Email, FirstName: r.FirstName,
		LastName: r.LastName, Role: r.Role, Phone: r.Phone, Company: r.Company, CRMID: r.CRMID, Attrs: r.Attrs}}
	if r.Consent != "" {
		row.Consent = &foyer.ConsentChange{Status: foyer.ConsentStatus(r.Consent), At: r.ConsentAt,
			Source: foyer.SourceImport, Actor: actor}
	}
	return row
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
