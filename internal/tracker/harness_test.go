package tracker

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Go side of the node harness: run plays a scenario of node_test.go by
// running a build of the tracker under node in the fake browser of
// testdata/harness.js, and skips the test when node is not installed.

// browser is the fake browser a scenario starts with (see testdata/harness.js).
type browser struct {
	// Script is the build to run: t.min.js or ti.min.js. Left empty, the
	// scenario runs on both, which must then behave alike.
	Script    string            `json:"-"`
	URL       string            `json:"url,omitempty"`
	Title     string            `json:"title,omitempty"`
	Referrer  string            `json:"referrer,omitempty"`
	Src       string            `json:"src,omitempty"`
	Attrs     map[string]string `json:"attrs"`
	Cookies   map[string]string `json:"cookies,omitempty"`
	NoCookies bool              `json:"noCookies,omitempty"`
	Storage   map[string]string `json:"storage,omitempty"`
	NoStorage bool              `json:"noStorage,omitempty"`
	Session   map[string]string `json:"session,omitempty"`
	NoSession bool              `json:"noSession,omitempty"`
	NoBeacon  bool              `json:"noBeacon,omitempty"`
	GPC       bool              `json:"gpc,omitempty"`
	DNT       string            `json:"dnt,omitempty"`
	WindowDNT string            `json:"windowDnt,omitempty"`
	Now       int64             `json:"now,omitempty"`
}

// step is one thing that happens in the page: {"do": "push", "url": "/b"}, ….
type step map[string]any

type report struct {
	Requests []struct {
		Via, Phase, URL, Type string
		Body                  string
		Opts                  map[string]any
	}
	CookieWrites []struct{ Phase, Cookie string }
	StorageOps   []struct{ Phase, Op string }
	SessionOps   []struct{ Phase, Op string }    // sessionStorage accesses
	ValueReads   []struct{ Phase, Field string } // form field values read
	Session      map[string]string
	Errors       []string
	Cookies      map[string]struct{ Value, Attrs string }
	Storage      map[string]string
	Foyer        string
	Replaced     []struct{ Phase, URL string } // history.replaceState calls
	Navigations  []struct{ Phase, URL string } // location.replace calls
	Href         string                        // the page's address at the end
}

// payload is a /collect body as docs/collect.md defines it.
type payload struct {
	Site    string  `json:"site"`
	Visitor string  `json:"visitor"`
	Consent *bool   `json:"consent"` // nil: left out
	Events  []event `json:"events"`
}

type event struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	Referrer  string `json:"referrer,omitempty"`
	EngagedMS int64  `json:"engaged_ms,omitempty"`
	Target    string `json:"target,omitempty"`
	// identify events
	Via        string `json:"via,omitempty"`
	Email      string `json:"email,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Token      string `json:"token,omitempty"`
	HubSpotUTK string `json:"hubspotutk,omitempty"`
}

// sent is a request the script made, decoded.
type sent struct {
	via, phase, url string
	opts            map[string]any
	body            string
	payload
}

const (
	now      = 1700000000000
	twoYears = 63072000
)

var visitorID = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// run plays a scenario and returns the report, failing the test on anything
// that escaped the script or a request body that breaks the protocol. Without
// b.Script it plays it on t.min.js and on ti.min.js, fails unless both do the
// same (visitor IDs aside), and returns what t.min.js did.
func run(t *testing.T, b browser, steps ...step) (report, []sent) {
	t.Helper()
	if b.Script != "" {
		return decode(t, play(t, b, steps))
	}
	b.Script = "t.min.js"
	core := play(t, b, steps)
	b.Script = "ti.min.js"
	id := play(t, b, steps)
	if c, i := anyID.ReplaceAllString(core, "ID"), anyID.ReplaceAllString(id, "ID"); c != i {
		t.Errorf("ti.min.js, without identification, behaves otherwise than t.min.js:\n t:  %s\n ti: %s", c, i)
	}
	decode(t, id)
	return decode(t, core)
}

// anyID matches what could be a visitor ID, the only thing that differs
// between two runs of the same scenario.
var anyID = regexp.MustCompile(`[A-Za-z0-9_-]{22}`)

// play runs b.Script under node with the scenario and returns the report.
func play(t *testing.T, b browser, steps []step) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	script, err := filepath.Abs(b.Script)
	if err != nil {
		t.Fatal(err)
	}
	if b.Now == 0 {
		b.Now = now
	}
	in, err := json.Marshal(map[string]any{"script": script, "env": b, "steps": steps})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "testdata/harness.js")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node harness: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// decode reads a report, failing the test on anything that escaped the
// script or a request body that breaks the protocol.
func decode(t *testing.T, out string) (report, []sent) {
	t.Helper()
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("node harness output: %v\n%s", err, out)
	}
	for _, e := range r.Errors {
		t.Errorf("error escaped into the page: %s", e)
	}
	if r.Foyer != "function" {
		t.Errorf("window.foyer.consent is %s, want a function", r.Foyer)
	}
	var reqs []sent
	for _, q := range r.Requests {
		s := sent{via: q.Via, phase: q.Phase, url: q.URL, opts: q.Opts, body: q.Body}
		if q.Type != "string" {
			t.Errorf("request body is a %s, want a string (sent as text/plain)", q.Type)
		}
		dec := json.NewDecoder(strings.NewReader(q.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s.payload); err != nil {
			t.Errorf("request body %s: %v", q.Body, err)
		}
		checkPayload(t, s.payload)
		reqs = append(reqs, s)
	}
	return r, reqs
}

// checkPayload checks what the protocol requires of every body.
func checkPayload(t *testing.T, p payload) {
	t.Helper()
	if p.Site == "" || !visitorID.MatchString(p.Visitor) || len(p.Events) == 0 || len(p.Events) > 50 {
		t.Errorf("payload: site %q, visitor %q, %d events", p.Site, p.Visitor, len(p.Events))
	}
	if p.Consent != nil && !*p.Consent {
		t.Error(`payload: "consent": false; the tracker sends true or nothing`)
	}
	for _, e := range p.Events {
		ok := e.URL != ""
		if e.Type != "identify" {
			ok = ok && e.Via == "" && e.Email == "" && e.FirstName == "" && e.LastName == "" && e.Token == "" && e.HubSpotUTK == ""
		}
		switch e.Type {
		case "pageview":
			ok = ok && e.EngagedMS == 0 && e.Target == ""
		case "engagement":
			ok = ok && e.EngagedMS > 0 && e.EngagedMS <= 86400000 && e.Title == "" && e.Referrer == "" && e.Target == ""
		case "outbound":
			ok = ok && e.Target != "" && e.EngagedMS == 0 && e.Title == "" && e.Referrer == ""
		case "identify":
			ok = ok && e.EngagedMS == 0 && e.Title == "" && e.Referrer == "" && e.Target == ""
			names := e.FirstName != "" || e.LastName != ""
			switch e.Via {
			case "form":
				ok = ok && e.Email != "" && !names && e.Token == ""
			case "email_link":
				ok = ok && e.Email != "" && e.Token == ""
			case "token":
				ok = ok && e.Token != "" && e.Email == "" && !names
			case "hubspot":
				ok = ok && e.HubSpotUTK != "" && e.Email == "" && !names && e.Token == ""
			default:
				ok = false
			}
		default:
			ok = false
		}
		if !ok {
			t.Errorf("invalid event %+v", e)
		}
	}
}

// events returns the events of every request in order.
func events(reqs []sent) []event {
	var es []event
	for _, r := range reqs {
		es = append(es, r.Events...)
	}
	return es
}

func wantEvents(t *testing.T, reqs []sent, want ...event) {
	t.Helper()
	if got := events(reqs); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got  %+v\n want %+v", got, want)
	}
}

// nothingStored fails if the script wrote a cookie or touched localStorage.
func nothingStored(t *testing.T, r report) {
	t.Helper()
	for _, c := range r.CookieWrites {
		t.Errorf("%s: cookie written: %s", c.Phase, c.Cookie)
	}
	for _, o := range r.StorageOps {
		t.Errorf("%s: localStorage used: %s", o.Phase, o.Op)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
