package contactimport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"
)

// maxLine is the longest NDJSON line read; a longer one is rejected and
// skipped without being held in memory.
const maxLine = 1 << 20

// readNDJSON reads one JSON object per line.
func (st *state) readNDJSON(src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	var buf []byte
	cache := map[string]column{}
	for line := 1; ; line++ {
		b, tooLong, err := readLine(br, buf[:0])
		buf = b
		if err != nil && err != io.EOF {
			return fmt.Errorf("contactimport: read: %w", err)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 || tooLong {
			row, reason := Row{Line: line}, ""
			switch {
			case tooLong:
				reason = "the line is over 1 MiB"
			case !utf8.Valid(t):
				reason = "not valid UTF-8"
			case t[0] != '{':
				reason = fmt.Sprintf("line %d is not a JSON object", line)
			default:
				row, reason = st.ndjsonRow(line, t, cache)
			}
			if err := st.record(row, reason); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads a line into buf, without its newline. A line longer than
// maxLine is read to its end but not kept: tooLong is true.
func readLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(frag) > maxLine+2 {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(buf, []byte("\n")), tooLong, err
	}
}

// ndjsonRow reads one object's fields.
func (st *state) ndjsonRow(line int, b []byte, cache map[string]column) (Row, string) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return Row{Line: line}, fmt.Sprintf("line %d is not valid JSON: %v", line, err)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cols := make([]column, 0, len(keys))
	vals := make([]string, 0, len(keys))
	by := map[column]string{}
	hasConsent, hasEmail := false, false
	for _, k := range keys {
		c, ok := cache[k]
		if !ok {
			var known bool
			var err error
			c, known, err = st.resolve(k)
			if err != nil {
				return Row{Line: line}, fmt.Sprintf("field %q is not a valid attribute name", short(k))
			}
			if !known {
				if !st.opts.Preview {
					return Row{Line: line}, fmt.Sprintf("unknown field %q: map it to a field or ignore it", short(k))
				}
				st.noteUnknown(short(k))
				c = column{f: fIgnore}
			}
			if len(cache) < 1000 {
				cache[k] = c
			}
		}
		if c.f == fIgnore {
			continue
		}
		if other, dup := by[c]; dup {
			return Row{Line: line}, fmt.Sprintf("fields %q and %q both give %s", short(other), short(k), c.label())
		}
		by[c] = k
		v, reason := jsonText(obj[k])
		if reason != "" {
			return Row{Line: line}, c.label() + " " + reason
		}
		hasConsent = hasConsent || c.f == fConsent
		hasEmail = hasEmail || c.f == fEmail
		cols = append(cols, c)
		vals = append(vals, v)
	}
	if !hasEmail {
		return Row{Line: line}, "email is missing"
	}
	return makeRow(line, cols, vals, hasConsent)
}

// jsonText reads a JSON value as text: a string as is, a number or a
// boolean as written, null as empty. An object or an array is refused.
func jsonText(raw json.RawMessage) (string, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", "is empty"
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", "is not a valid JSON string"
		}
		return s, ""
	case 'n':
		return "", ""
	case '{':
		return "", "must be a string, not an object"
	case '[':
		return "", "must be a string, not an array"
	}
	return string(raw), ""
}
