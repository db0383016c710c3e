package contactimport

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"golang.org/x/text/encoding/charmap"
)

// Format is the format of a contact file.
type Format int

// The formats Read knows.
const (
	CSV Format = iota
	NDJSON
)

// Options says how to read a file.
type Options struct {
	Format Format
	// Latin1 reads the file as ISO 8859-1 instead of UTF-8 (unless it
	// starts with a UTF-8 byte-order mark).
	Latin1 bool
	// Comma is the CSV separator; 0 means ','.
	Comma rune
	// Mapping maps a file's column name (matched without regard to case
	// or surrounding spaces) to a field name ("email", "attr.size", …) or
	// to "" to ignore the column. It wins over the column's own name.
	Mapping map[string]string
	// Preview lists unknown columns in the Summary and ignores them,
	// instead of refusing the file.
	Preview bool
	// Progress, when set, is called with the bytes read so far every
	// 1024 records and once at the end.
	Progress func(bytesRead int64)
}

// Row is a valid contact record.
type Row struct {
	Line      int    // the file's line where the record starts
	Email     string // trimmed and lower-cased
	FirstName string
	LastName  string
	Role      string
	Phone     string
	CRMID     string
	Company   string
	Attrs     map[string]string // nil when none; empty values left out
	Consent   string            // "accepted", "refused" or ""
	ConsentAt time.Time         // zero when none, else UTC
	// HasConsentColumn is true when the record has a tracking_consent
	// field (even empty), so the consumer knows whether the file speaks
	// about consent at all.
	HasConsentColumn bool
	// Replaces is the line of the earlier row for the same email that
	// this row replaces (see Duplicate emails in the package
	// documentation), 0 when none.
	Replaces int
}

// Rejection is a record that was not read as a row, with the reason in
// plain words.
type Rejection struct {
	Line   int
	Reason string
}

// Summary counts what Read did.
type Summary struct {
	Records        int      // data records read: Emitted + Rejected
	Emitted        int      // rows passed to emit, replacements included
	Rejected       int      // rejections passed to reject
	Duplicates     int      // records whose email came earlier in the file
	Conflicts      int      // duplicates rejected as a conflict of consent
	UnknownColumns []string // unknown columns (or NDJSON keys), as written
	Bytes          int64    // bytes read from the reader
}

// UnknownColumnsError refuses a file with columns that are neither known nor
// mapped. Its chain holds a *foyer.Error with code EINVALID.
type UnknownColumnsError struct {
	Columns []string
}

func (e *UnknownColumnsError) Error() string { return e.invalid().Error() }

// Unwrap returns the user-facing EINVALID error.
func (e *UnknownColumnsError) Unwrap() error { return e.invalid() }

func (e *UnknownColumnsError) invalid() *foyer.Error {
	q := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		q[i] = fmt.Sprintf("%q", c)
	}
	return foyer.Errorf(foyer.EINVALID, "unknown columns %s: map each to a field or ignore it", strings.Join(q, ", "))
}

// Read reads a contact file from r and calls emit for each valid row and
// reject for each rejected record, in file order. A row for an email seen
// earlier replaces it (see the package documentation): the consumer upserts
// by email. If emit or reject returns an error, or ctx is done, Read stops and
// returns that error. Read returns a *foyer.Error (EINVALID) for a file it
// refuses (empty, bad header, unknown columns as *UnknownColumnsError,
// missing email column, invalid mapping) and a wrapped error for an I/O error.
// The Summary counts what was done even when Read returns an error.
func Read(ctx context.Context, r io.Reader, opts Options, emit func(Row) error, reject func(Rejection) error) (Summary, error) {
	cr := &countingReader{r: r}
	st := &state{ctx: ctx, opts: opts, emit: emit, reject: reject, dedup: newDedup(), counter: cr}
	err := st.read(cr)
	st.sum.Bytes = cr.n
	if opts.Progress != nil {
		opts.Progress(cr.n)
	}
	return st.sum, err
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func (st *state) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	b, err := br.Peek(len(bom))
	switch {
	case bytes.Equal(b, bom):
		_, _ = br.Discard(len(bom))
	case err != nil && err != io.EOF:
		return fmt.Errorf("contactimport: read: %w", err)
	case st.opts.Latin1:
		src = charmap.ISO8859_1.NewDecoder().Reader(br)
	}
	mapping, err := normMapping(st.opts.Mapping)
	if err != nil {
		return err
	}
	st.mapping = mapping
	switch st.opts.Format {
	case CSV:
		return st.readCSV(src)
	case NDJSON:
		return st.readNDJSON(src)
	}
	return foyer.Errorf(foyer.EINVALID, "unknown file format %d", st.opts.Format)
}

// state is one Read's progress.
type state struct {
	ctx     context.Context
	opts    Options
	emit    func(Row) error
	reject  func(Rejection) error
	mapping map[string]column
	dedup   *dedup
	sum     Summary
	counter *countingReader
}

// record handles one data record: a row, or the reason it is rejected.
func (st *state) record(row Row, reason string) error {
	st.sum.Records++
	if st.sum.Records%256 == 0 {
		if err := st.ctx.Err(); err != nil {
			return err
		}
		if st.opts.Progress != nil && st.sum.Records%1024 == 0 {
			st.opts.Progress(st.counter.n)
		}
	}
	if reason == "" {
		reason = st.dedup.check(&row, &st.sum)
	}
	if reason != "" {
		st.sum.Rejected++
		return st.reject(Rejection{Line: row.Line, Reason: reason})
	}
	st.sum.Emitted++
	return st.emit(row)
}

// noteUnknown adds a column to the Summary's unknown columns, at most 100.
func (st *state) noteUnknown(name string) {
	for _, c := range st.sum.UnknownColumns {
		if c == name {
			return
		}
	}
	if len(st.sum.UnknownColumns) < 100 {
		st.sum.UnknownColumns = append(st.sum.UnknownColumns, name)
		sort.Strings(st.sum.UnknownColumns)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
