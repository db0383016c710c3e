package collect

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodePayload decodes a batch written as the tracker writes it, without
// reflection: one object with the keys of Payload, spelled exactly, each
// once ("events" at most once), its events objects with the keys of
// RawEvent, and any other key with a value of any kind, which is skipped.
// It reports ok false for anything else, valid or not (another spelling
// of a key, null, a number where a string is due, a syntax error…): the
// caller then decodes with encoding/json, which says what is wrong, so
// that an answer never depends on which decoder read the body. On what it
// accepts it gives what encoding/json gives (TestDecodeMatchesJSON,
// FuzzDecodeMatchesJSON). body must be valid UTF-8.
func decodePayload(body []byte) (p *Payload, ok bool) {
	d := decoder{b: body}
	p = &Payload{}
	if !d.object(p.field) {
		return nil, false
	}
	d.space()
	if d.i != len(d.b) {
		return nil, false
	}
	return p, true
}

// decoder reads JSON from b, at i.
type decoder struct {
	b     []byte
	i     int
	depth int
}

// maxSkipDepth bounds the nesting of a skipped value; deeper ones are left
// to encoding/json.
const maxSkipDepth = 64

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips white space and then c, reporting whether c was there.
func (d *decoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, calling field for each key with the decoder at
// the key's value (white space skipped); field reads the value.
func (d *decoder) object(field func(d *decoder, key []byte) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		d.space()
		key, ok := d.rawKey()
		if !ok || !d.consume(':') {
			return false
		}
		d.space()
		if !field(d, key) {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume('}')
	}
}

// rawKey reads a key without escapes (a key with one is left to
// encoding/json) and returns its bytes.
func (d *decoder) rawKey() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// field reads the value of one key of a batch.
func (p *Payload) field(d *decoder, key []byte) bool {
	switch string(key) {
	case "site":
		return d.str(&p.Site)
	case "visitor":
		return d.str(&p.Visitor)
	case "consent":
		return d.boolean(&p.Consent)
	case "events":
		if p.Events != nil {
			return false // a second list: encoding/json merges them
		}
		return d.events(&p.Events)
	}
	return d.known(key) && d.skip()
}

// known reports whether key may be skipped: encoding/json matches keys
// without regard to case, so a key that folds to a field's name is left to
// it (the fast path only knows the exact spelling).
func (d *decoder) known(key []byte) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false // 'ſ' and 'K' fold to 's' and 'k'
		}
	}
	switch lowerASCII(key) {
	case "site", "visitor", "consent", "events",
		"type", "url", "title", "referrer", "engaged_ms", "target",
		"via", "email", "first_name", "last_name", "token", "hubspotutk":
		return false
	}
	return true
}

func lowerASCII(b []byte) string {
	var buf [32]byte
	if len(b) > len(buf) {
		return "" // longer than any field's name
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(b)])
}

// events reads the list of events.
func (d *decoder) events(evs *[]RawEvent) bool {
	if !d.consume('[') {
		return false
	}
	*evs = make([]RawEvent, 0, 2)
	if d.consume(']') {
		return true
	}
	for {
		*evs = append(*evs, RawEvent{})
		ev := &(*evs)[len(*evs)-1]
		if !d.object(ev.field) {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume(']')
	}
}

// field reads the value of one key of an event.
func (ev *RawEvent) field(d *decoder, key []byte) bool {
	switch string(key) {
	case "type":
		return d.str(&ev.Type)
	case "url":
		return d.str(&ev.URL)
	case "title":
		return d.str(&ev.Title)
	case "referrer":
		return d.str(&ev.Referrer)
	case "engaged_ms":
		return d.integer(&ev.EngagedMS)
	case "target":
		return d.str(&ev.Target)
	case "via":
		return d.str(&ev.Via)
	case "email":
		return d.str(&ev.Email)
	case "first_name":
		return d.str(&ev.FirstName)
	case "last_name":
		return d.str(&ev.LastName)
	case "token":
		return d.str(&ev.Token)
	case "hubspotutk":
		return d.str(&ev.HubSpotUTK)
	}
	return d.known(key) && d.skip()
}

// str reads a string into s.
func (d *decoder) str(s *string) bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			*s = string(d.b[start:j])
			d.i = j + 1
			return true
		case c == '\\':
			return d.escaped(s, start, j)
		case c < 0x20:
			return false
		}
	}
	return false
}

// escaped reads the rest of a string with escapes, from its first
// backslash at j; start is where the string's characters begin. A
// surrogate escape is left to encoding/json.
func (d *decoder) escaped(s *string, start, j int) bool {
	buf := make([]byte, 0, j-start+16)
	buf = append(buf, d.b[start:j]...)
	for j < len(d.b) {
		c := d.b[j]
		switch {
		case c == '"':
			*s = string(buf)
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		if j+1 >= len(d.b) {
			return false
		}
		switch e := d.b[j+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(d.b[j+2:])
			if !ok || utf16.IsSurrogate(r) {
				return false
			}
			buf = utf8.AppendRune(buf, r)
			j += 6
			continue
		default:
			return false
		}
		j += 2
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// boolean reads true or false into v.
func (d *decoder) boolean(v *bool) bool {
	switch {
	case d.literal("true"):
		*v = true
	case d.literal("false"):
		*v = false
	default:
		return false
	}
	return true
}

func (d *decoder) literal(lit string) bool {
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// integer reads a JSON number that is an integer in the range of int64.
func (d *decoder) integer(v *int64) bool {
	start := d.i
	if !d.number() {
		return false
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		return false // a fraction, an exponent, or too large
	}
	*v = n
	return true
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number() bool {
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !d.digits() {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !d.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more digits.
func (d *decoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// skip reads a value of any kind and forgets it.
func (d *decoder) skip() bool {
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		var s string
		return d.str(&s)
	case c == '{', c == '[':
		if d.depth++; d.depth > maxSkipDepth {
			return false
		}
		defer func() { d.depth-- }()
		if c == '{' {
			return d.object(func(d *decoder, _ []byte) bool { return d.skip() })
		}
		d.i++
		if d.consume(']') {
			return true
		}
		for {
			d.space()
			if !d.skip() {
				return false
			}
			if d.consume(',') {
				continue
			}
			return d.consume(']')
		}
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return false
}
