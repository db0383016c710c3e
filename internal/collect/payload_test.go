package collect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// batch returns a JSON batch for site "demo" with n pageview events.
func batch(visitor string, n int) string {
	evs := make([]string, n)
	for i := range evs {
		evs[i] = fmt.Sprintf(`{"type":"pageview","url":"https://example.com/p/%d"}`, i)
	}
	return `{"site":"demo","visitor":"` + visitor + `","events":[` + strings.Join(evs, ",") + `]}`
}

const goodVisitor = "k3J9xQ2mW8rT5vYb"

func TestParsePayload(t *testing.T) {
	t.Parallel()
	body := `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb-_","events":[
		{"type":"pageview","url":"https://example.com/pricing?utm_source=news","title":"Pricing","referrer":"https://search.example/"},
		{"type":"engagement","url":"https://example.com/pricing","engaged_ms":12500},
		{"type":"outbound","url":"https://example.com/pricing","target":"https://partner.example/docs","unknown":true}
	]}` + "\n"
	p, err := ParsePayload([]byte(body))
	if err != nil {
		t.Fatalf("ParsePayload: %v", err)
	}
	want := Payload{Site: "demo", Visitor: "k3J9xQ2mW8rT5vYb-_", Events: []RawEvent{
		{Type: "pageview", URL: "https://example.com/pricing?utm_source=news", Title: "Pricing", Referrer: "https://search.example/"},
		{Type: "engagement", URL: "https://example.com/pricing", EngagedMS: 12500},
		{Type: "outbound", URL: "https://example.com/pricing", Target: "https://partner.example/docs"},
	}}
	if fmt.Sprint(*p) != fmt.Sprint(want) {
		t.Errorf("ParsePayload\n got %+v\nwant %+v", *p, want)
	}
	for _, ok := range []string{
		batch(goodVisitor, 1), batch(goodVisitor, MaxEvents), batch(strings.Repeat("a", 64), 1),
		" \t\r\n" + batch(goodVisitor, 1) + " \n ",
	} {
		if _, err := ParsePayload([]byte(ok)); err != nil {
			t.Errorf("ParsePayload(%.80q…): %v", ok, err)
		}
	}
}

func TestParsePayloadErrors(t *testing.T) {
	t.Parallel()
	good := batch(goodVisitor, 1)
	tests := []struct {
		name, body string
		msg        string // a part of the message that says what is wrong
	}{
		{"empty", "", "malformed JSON"},
		{"truncated", good[:len(good)-3], "malformed JSON"},
		{"syntax", `{"site":"demo",}`, "malformed JSON at byte"},
		{"not JSON", "site=demo&visitor=x", "malformed JSON"},
		{"array", "[]", "want a JSON object"},
		{"string", `"demo"`, "want a JSON object"},
		{"two objects", good + good, "data after the batch object"},
		{"stray bracket after", good + "]", "data after the batch object"},
		{"stray brace after", good + "}", "data after the batch object"},
		{"garbage after", good + " x", "data after the batch object"},
		{"invalid UTF-8", strings.Replace(good, "demo", "de\xffmo", 1), "not valid UTF-8"},
		{"overlong UTF-8", strings.Replace(good, "demo", "de\xc0\xafmo", 1), "not valid UTF-8"},
		{"null", "null", `"site" is required`},
		{"no site", `{"visitor":"k3J9xQ2mW8rT5vYb","events":[{}]}`, `"site" is required`},
		{"site not a string", `{"site":1,"visitor":"k3J9xQ2mW8rT5vYb","events":[{}]}`, `field "site": want a string, got number`},
		{"no visitor", `{"site":"demo","events":[{}]}`, `"visitor"`},
		{"short visitor", batch(strings.Repeat("a", 15), 1), `"visitor": want 16 to 64`},
		{"long visitor", batch(strings.Repeat("a", 65), 1), `"visitor": want 16 to 64`},
		{"visitor with bad characters", batch("k3J9xQ2m W8rT5vYb", 1), `"visitor"`},
		{"visitor with non-ASCII", batch("k3J9xQ2mW8rT5vYé", 1), `"visitor"`},
		{"no events", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb"}`, "at least one event"},
		{"empty events", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[]}`, "at least one event"},
		{"events not an array", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":{}}`, `field "events": want an array, got object`},
		{"too many events", batch(goodVisitor, MaxEvents+1), "51 events, at most 50"},
		{"engaged_ms a string", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"engagement","engaged_ms":"5"}]}`,
			`field "events.engaged_ms": want an integer, got string`},
		{"engaged_ms a fraction", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"engagement","engaged_ms":1.5}]}`,
			`"events.engaged_ms": want an integer`},
		{"engaged_ms too big for int64", `{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"engagement","engaged_ms":1e30}]}`,
			`"events.engaged_ms": want an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePayload([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParsePayload(%q) = %+v, want an error", tt.body, p)
			}
			if foyer.ErrorCode(err) != foyer.EINVALID {
				t.Errorf("code %q, want %q", foyer.ErrorCode(err), foyer.EINVALID)
			}
			if msg := foyer.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q, want it to say %q", msg, tt.msg)
			}
		})
	}
}
