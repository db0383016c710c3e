package contactimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// readCSV reads the header, then each record.
func (st *state) readCSV(src io.Reader) error {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if c := st.opts.Comma; c != 0 {
		if c == '"' || c == '\r' || c == '\n' || c == utf8.RuneError || !utf8.ValidRune(c) {
			return foyer.Errorf(foyer.EINVALID, "%q cannot separate CSV fields", c)
		}
		cr.Comma = c
	}
	header, err := cr.Read()
	var perr *csv.ParseError
	switch {
	case err == io.EOF:
		return foyer.Errorf(foyer.EINVALID, "the file is empty: it needs a header line naming its columns")
	case errors.As(err, &perr):
		return foyer.Errorf(foyer.EINVALID, "the header line cannot be read: %v", perr.Err)
	case err != nil:
		return fmt.Errorf("contactimport: read header: %w", err)
	}
	cols, hasConsent, err := st.csvHeader(header)
	if err != nil {
		return err
	}
	vals := make([]string, len(cols))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if errors.As(err, &perr) {
			reason := fmt.Sprintf("broken quoting: %v (line %d, column %d)", perr.Err, perr.Line, perr.Column)
			if err := st.record(Row{Line: perr.StartLine}, reason); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("contactimport: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		var row Row
		var reason string
		switch {
		case len(rec) > len(cols):
			row, reason = Row{Line: line}, fmt.Sprintf("too many fields: %d, the header has %d", len(rec), len(cols))
		case len(rec) < len(cols):
			row, reason = Row{Line: line}, fmt.Sprintf("too few fields: %d, the header has %d", len(rec), len(cols))
		default:
			copy(vals, rec)
			row, reason = makeRow(line, cols, vals, hasConsent)
		}
		if err := st.record(row, reason); err != nil {
			return err
		}
	}
}

// csvHeader resolves the header's columns. It refuses a header that is not
// UTF-8, names a field twice, has unknown columns (unless previewing) or no
// email column (unless previewing with unknown columns, one of which the
// caller may then map to email).
func (st *state) csvHeader(header []string) ([]column, bool, error) {
	cols := make([]column, len(header))
	by := map[column]string{}
	hasConsent := false
	var unknown []string
	for i, name := range header {
		if !utf8.ValidString(name) {
			return nil, false, foyer.Errorf(foyer.EINVALID,
				"the header line is not valid UTF-8: if the file is in Latin-1 (ISO 8859-1), choose that encoding")
		}
		if len(name) > 256 {
			return nil, false, foyer.Errorf(foyer.EINVALID, "column %d's name is over 256 bytes", i+1)
		}
		c, known, err := st.resolve(name)
		if err != nil {
			return nil, false, err
		}
		if !known {
			unknown = append(unknown, name)
			st.noteUnknown(name)
			c = column{f: fIgnore}
		}
		if c.f != fIgnore && c.f != fUnnamed {
			if other, dup := by[c]; dup {
				return nil, false, foyer.Errorf(foyer.EINVALID, "columns %q and %q both give %s", other, name, c.label())
			}
			by[c] = name
		}
		hasConsent = hasConsent || c.f == fConsent
		cols[i] = c
	}
	if len(unknown) > 0 && !st.opts.Preview {
		return nil, false, &UnknownColumnsError{Columns: unknown}
	}
	if _, ok := by[column{f: fEmail}]; !ok && (!st.opts.Preview || len(unknown) == 0) {
		return nil, false, foyer.Errorf(foyer.EINVALID, "no email column: the first line must name the columns, and email is required")
	}
	return cols, hasConsent, nil
}
