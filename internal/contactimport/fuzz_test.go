package contactimport

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"testing"
)

// fuzzRead reads data and checks what holds for any input: no panic, every
// row has a valid email and a line of at least minLine, the callbacks and the
// Summary agree, and every record is emitted or rejected.
func fuzzRead(t *testing.T, data []byte, opts Options, minLine int) Summary {
	var rows, rejs int
	sum, err := Read(context.Background(), bytes.NewReader(data), opts,
		func(r Row) error {
			rows++
			if !validEmail(r.Email) || r.Line < minLine {
				t.Fatalf("row %+v", r)
			}
			if r.ConsentAt.IsZero() != (r.Consent == "") && !r.ConsentAt.IsZero() {
				t.Fatalf("a date without a status: %+v", r)
			}
			return nil
		},
		func(r Rejection) error {
			rejs++
			if r.Reason == "" || r.Line < minLine {
				t.Fatalf("rejection %+v", r)
			}
			return nil
		})
	var e *UnknownColumnsError
	if err != nil && errors.As(err, &e) {
		t.Fatalf("unknown columns in a preview: %v", err)
	}
	if sum.Emitted != rows || sum.Rejected != rejs || sum.Records != rows+rejs || sum.Bytes != int64(len(data)) {
		t.Fatalf("summary %+v for %d rows, %d rejections, %d bytes", sum, rows, rejs, len(data))
	}
	if sum.Conflicts > sum.Duplicates || sum.Duplicates > sum.Records {
		t.Fatalf("summary %+v", sum)
	}
	return sum
}

func FuzzReadCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, latin1 bool) {
		sum := fuzzRead(t, data, Options{Preview: true, Latin1: latin1}, 2)
		if sum.Records == 0 {
			return // the header was refused, or there are no records
		}
		// Every record after the header, read or broken, is one record.
		if rest, ok := bytes.CutPrefix(data, bom); ok {
			data = rest
		} else if latin1 {
			data = latin1Runes(data)
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		want := -1 // the header
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			want++
		}
		if sum.Records != want {
			t.Fatalf("%d records, encoding/csv reads %d", sum.Records, want)
		}
	})
}

func FuzzReadNDJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, latin1 bool) {
		sum := fuzzRead(t, data, Options{Format: NDJSON, Preview: true, Latin1: latin1}, 1)
		// Every line that is not blank is one record.
		want := 0
		if rest, ok := bytes.CutPrefix(data, bom); ok {
			data = rest
		} else if latin1 {
			data = latin1Runes(data)
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				want++
			}
		}
		if sum.Records != want {
			t.Fatalf("%d records for %d lines that are not blank", sum.Records, want)
		}
	})
}

// latin1Runes decodes Latin-1 without the package's decoder: each byte is
// the rune of the same number, in UTF-8.
func latin1Runes(b []byte) []byte {
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = rune(c)
	}
	return []byte(string(out))
}
