package collect

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeCases are bodies the fast decoder takes (ok) or leaves to
// encoding/json (!ok); either way both must agree (checkSameDecode).
var decodeCases = []struct {
	body string
	ok   bool
}{
	{`{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"pageview","url":"http://localhost/","title":"Home","referrer":"https://www.google.com/"}]}`, true},
	{` {"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","consent":true,"events":[{"type":"engagement","url":"http://localhost/","engaged_ms":12500}]}` + "\n", true},
	{`{"events":[{"type":"identify","via":"form","email":"a@b.example","first_name":"A","last_name":"B","token":"t","hubspotutk":"h"}],"site":"s","visitor":"v"}`, true},
	{`{"site":"d\"e\\m\/o\u00e9\n\t\r\b\f\u0000","visitor":"x","events":[]}`, true},
	{`{"site":"demo","unknown":{"a":[1,-2.5e+3,true,false,null,"x\"y",{}],"b":[]},"events":[{"type":"x","extra":[[[]]]}]}`, true},
	{`{"site":"a","site":"b","consent":true,"consent":false,"events":[{"engaged_ms":1,"engaged_ms":-0}]}`, true},
	{`{}`, true},
	{`{"events":[{},{}]}`, true},
	{`{"site":"a😀é"}`, true},
	// Left to encoding/json.
	{`{"Site":"demo"}`, false},
	{`{"events":[{"TYPE":"pageview"}]}`, false},
	{`{"ſite":"demo"}`, false},
	{`{"site":null}`, false},
	{`{"site":1}`, false},
	{`{"events":null}`, false},
	{`{"events":[null]}`, false},
	{`{"events":[{"engaged_ms":1.5}]}`, false},
	{`{"events":[{"engaged_ms":1e3}]}`, false},
	{`{"events":[{"engaged_ms":99999999999999999999}]}`, false},
	{`{"events":[{"engaged_ms":"5"}]}`, false},
	{`{"events":[{"engaged_ms":01}]}`, false},
	{`{"events":[{"type":"a"}],"events":[{"url":"b"}]}`, false},
	{`{"site":"\ud83d\ude00"}`, false},
	{`{"site":"\ud800"}`, false},
	{`{"site":"\x"}`, false},
	{`{"site":"a` + "\x01" + `"}`, false},
	{`{"si\u0074e":"demo"}`, false},
	{`{"site":"demo",}`, false},
	{`{"site":"demo"}}`, false},
	{`{"site":"demo"} {}`, false},
	{`[]`, false},
	{`null`, false},
	{``, false},
	{`{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, false},
	{`{"x":-}`, false},
	{`{"x":1.}`, false},
	{`{"x":tru}`, false},
	{`{"consent":"true"}`, false},
	{"\ufeff{}", false},
}

func TestDecodeMatchesJSON(t *testing.T) {
	t.Parallel()
	for _, c := range decodeCases {
		_, ok := decodePayload([]byte(c.body))
		if ok != c.ok {
			t.Errorf("decodePayload(%q): ok %v, want %v", c.body, ok, c.ok)
		}
		checkSameDecode(t, []byte(c.body))
	}
}

// checkSameDecode fails when the fast decoder takes body and encoding/json
// refuses it or reads it otherwise.
func checkSameDecode(t *testing.T, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		return
	}
	fast, ok := decodePayload(body)
	if !ok {
		return
	}
	slow, err := decodeJSON(body)
	if err != nil {
		t.Fatalf("decodePayload took %q, which encoding/json refuses: %v", body, err)
	}
	if len(fast.Events) == 0 && len(slow.Events) == 0 {
		fast.Events, slow.Events = nil, nil
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("decodePayload(%q)\n = %+v\nencoding/json\n = %+v", body, *fast, *slow)
	}
}

func FuzzDecodeMatchesJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSameDecode(t, body)
		// The whole of ParsePayload answers alike whichever decoder read it.
		p, err := ParsePayload(body)
		if !utf8.Valid(body) {
			return
		}
		slow, jerr := decodeJSON(body)
		if (err == nil) != (jerr == nil && slow.Site != "" && validVisitor(slow.Visitor) &&
			len(slow.Events) > 0 && len(slow.Events) <= MaxEvents) {
			t.Fatalf("ParsePayload(%q) = %v, %v; encoding/json: %v", body, p, err, jerr)
		}
	})
}

func BenchmarkParsePayload(b *testing.B) {
	body := []byte(`{"site":"demo","visitor":"k3J9xQ2mW8rT5vYbQ2mW8r","events":[{"type":"pageview","url":"http://localhost/docs/guides/topic-3?utm_source=newsletter&utm_medium=email","title":"Topic 3 | Example Corp","referrer":"https://www.google.com/"}]}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParsePayload(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
