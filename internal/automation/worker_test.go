package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/prometheus/client_golang/prometheus"
)

// env is a store with a workspace, two contacts (Ada, tracked; Rex, who
// refused), a segment and a company, and a fake clock.
type env struct {
	t         *testing.T
	dsn       string
	st        *store.Store
	keys      *vault.Keyring
	rows      *testutil.Rows
	clock     *testutil.Clock
	ws        int64
	ada, rex  int64
	seg, acme int64
	log       bytes.Buffer
}

func newEnv(t *testing.T, d store.Dialect) *env {
	t.Helper()
	e := &env{t: t, dsn: testutil.NewDSN(t, d), clock: testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	var err error
	if e.keys, err = vault.New(bytes.Repeat([]byte{9}, vault.KeySize)); err != nil {
		t.Fatal(err)
	}
	e.open()
	e.rows = testutil.NewRows(t, e.dsn)
	ctx := context.Background()
	w := &foyer.Workspace{Name: "Acme Marketing"}
	if err := e.st.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	e.ws = w.ID
	ada := &foyer.Contact{WorkspaceID: e.ws, Email: "ada@client.example", FirstName: "Ada", LastName: "Lovelace", Company: "Client Ltd",
		Consent: foyer.ConsentState{Status: foyer.ConsentAccepted, At: e.clock.Now().Add(-time.Hour)}}
	rex := &foyer.Contact{WorkspaceID: e.ws, Email: "rex@client.example", FirstName: "Rex",
		Consent: foyer.ConsentState{Status: foyer.ConsentRefused, At: e.clock.Now().Add(-time.Hour)}}
	for _, c := range []*foyer.Contact{ada, rex} {
		if err := e.st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	e.ada, e.rex = ada.ID, rex.ID
	e.seg = e.rows.Segment(t, e.ws, "Pricing readers", `{"match":"all","conditions":[{"kind":"visited","path":"/pricing","days":30}]}`)
	e.acme = e.rows.Company(t, e.ws, "Acme Corp", "acme.example")
	return e
}

// open opens (or reopens) the store, as a start of serve does.
func (e *env) open() {
	s, err := store.Open(context.Background(), e.dsn, store.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	s.UseKeys(e.keys)
	e.st = s
	e.t.Cleanup(func() { s.Close() })
}

func (e *env) worker() *Worker {
	return &Worker{Store: e.st, Now: e.clock.Now, AllowPrivate: true, Timeout: 2 * time.Second, PublicURL: "https://foyer.example",
		Log: slog.New(slog.NewTextHandler(&e.log, nil))}
}

// rule creates a rule entered by Ada's segment with the actions.
func (e *env) rule(name string, actions ...foyer.AutomationAction) (*foyer.AutomationRule, string) {
	e.t.Helper()
	r := &foyer.AutomationRule{WorkspaceID: e.ws, Name: name, Trigger: foyer.TriggerSegmentEntered, SegmentID: e.seg,
		Actions: actions, Enabled: true, OnlyTracked: true}
	secret, err := e.st.CreateAutomationRule(context.Background(), r)
	if err != nil {
		e.t.Fatal(err)
	}
	return r, secret
}

func (e *env) enter(contact int64) {
	e.rows.Event(e.t, testutil.AutomationEvent{WorkspaceID: e.ws, Kind: "segment-entered", SegmentID: e.seg, ContactID: contact, Behavioural: true})
}

func (e *env) run(w *Worker) Pass {
	e.t.Helper()
	p, err := w.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) deliveries(rule int64) []foyer.DeliveryLog {
	e.t.Helper()
	ds, err := e.st.AutomationDeliveries(context.Background(), e.ws, rule, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// receiver is a webhook receiver that answers with the statuses given in
// turn (the last one after), checks each call's signature, and keeps the
// bodies of the calls it took.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	codes  []int
	bodies [][]byte
	ids    []string
	srv    *httptest.Server
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{t: t, codes: codes}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secret != "" && !verify(r.secret, req.Header.Get(SignatureHeader), body) {
		r.t.Errorf("bad signature %q", req.Header.Get(SignatureHeader))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("content type %q", req.Header.Get("Content-Type"))
	}
	code := r.codes[min(len(r.bodies), len(r.codes)-1)]
	r.bodies = append(r.bodies, body)
	r.ids = append(r.ids, req.Header.Get(DeliveryHeader))
	w.WriteHeader(code)
}

func (r *receiver) calls() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// verify checks a signature header as a receiver does (see
// docs/automations.md): HMAC-SHA256 of "t.body" under the secret, compared
// in constant time.
func verify(secret, header string, body []byte) bool {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// TestWebhookRetriedAcrossRestart: a receiver answering 500 then 200 gets
// the signed call again after the back-off; the worker and the store stop
// and start again between the two, and the delivery completes once, each
// attempt logged.
func TestWebhookRetriedAcrossRestart(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			rcv := newReceiver(t, 500, 200)
			r, secret := e.rule("Hot lead to CRM", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: rcv.srv.URL + "/hook"})
			rcv.secret = secret
			e.enter(e.ada)
			e.enter(e.rex) // refused: skipped, never called
			w := e.worker()
			if p := e.run(w); p.Events != 2 || p.Queued != 1 || p.Attempts != 1 {
				t.Fatalf("first pass %+v", p)
			}
			ds := e.deliveries(r.ID)
			if len(ds) != 1 || ds[0].Status != foyer.DeliveryPending || len(ds[0].Attempts) != 1 || ds[0].Attempts[0].HTTPStatus != 500 ||
				ds[0].Attempts[0].Error == "" || !ds[0].NextAt.Equal(e.clock.Now().Add(FirstRetry)) {
				t.Fatalf("after the 500: %+v", ds)
			}
			// Not due yet: nothing is sent.
			e.clock.Add(FirstRetry - time.Second)
			if p := e.run(w); p.Attempts != 0 {
				t.Fatalf("a pass before the retry is due: %+v", p)
			}
			// serve stops and starts again.
			e.st.Close()
			e.open()
			w = e.worker()
			e.clock.Add(time.Second)
			if p := e.run(w); p.Events != 0 || p.Queued != 0 || p.Attempts != 1 {
				t.Fatalf("the pass after the restart: %+v", p)
			}
			e.clock.Add(24 * time.Hour)
			if p := e.run(w); p.Attempts != 0 {
				t.Fatalf("a delivered call is made again: %+v", p)
			}
			ds = e.deliveries(r.ID)
			if len(ds) != 1 || ds[0].Status != foyer.DeliveryDelivered || len(ds[0].Attempts) != 2 || ds[0].Attempts[1].HTTPStatus != 200 ||
				ds[0].Attempts[1].Error != "" {
				t.Fatalf("after the 200: %+v", ds)
			}
			calls := rcv.calls()
			if len(calls) != 2 || rcv.ids[0] != rcv.ids[1] || rcv.ids[0] != strconv.FormatInt(ds[0].ID, 10) {
				t.Fatalf("the receiver took %d calls, delivery IDs %v", len(calls), rcv.ids)
			}
			var ev Event
			if err := json.Unmarshal(calls[1], &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Type != "segment.entered" || ev.Contact == nil || ev.Contact.Email != "ada@client.example" || ev.Contact.ID != e.ada ||
				ev.Segment == nil || ev.Segment.Name != "Pricing readers" || ev.Rule.Name != "Hot lead to CRM" ||
				ev.Contact.URL != "https://foyer.example/app/w/"+strconv.FormatInt(e.ws, 10)+"/contacts/"+strconv.FormatInt(e.ada, 10) {
				t.Errorf("payload %s", calls[1])
			}
			if bytes.Contains(calls[1], []byte("rex@")) || strings.Contains(e.log.String(), strconv.FormatInt(e.rex, 10)+" ") {
				t.Errorf("the refused contact shows: %s\n%s", calls[1], e.log.String())
			}
			if !strings.Contains(e.log.String(), "skipped contacts who may not be tracked") {
				t.Errorf("the skip is not logged:\n%s", e.log.String())
			}
		})
	}
}

// TestWebhookDownUntilFailed: a receiver whose port is closed is tried
// again with doubling waits (30 s, 1 min, 2 min … at most an hour) for 24
// hours from the first attempt, each attempt logged, then the delivery
// fails.
func TestWebhookDownUntilFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r, _ := e.rule("To a dead end", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: "http://" + addr + "/hook"})
	e.enter(e.ada)
	w := e.worker()
	first := e.clock.Now()
	var waits []time.Duration
	for i := 0; i < 100; i++ {
		e.run(w)
		ds := e.deliveries(r.ID)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries", len(ds))
		}
		if ds[0].Status != foyer.DeliveryPending {
			break
		}
		waits = append(waits, ds[0].NextAt.Sub(e.clock.Now()))
		e.clock.Add(ds[0].NextAt.Sub(e.clock.Now()))
	}
	ds := e.deliveries(r.ID)
	if ds[0].Status != foyer.DeliveryFailed {
		t.Fatalf("after the retries: %+v", ds[0].AutomationDelivery)
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, d := range want {
		if waits[i] != d {
			t.Fatalf("waits %v, want them to begin %v", waits, want)
		}
	}
	for _, d := range waits {
		if d > MaxRetryWait {
			t.Fatalf("a wait of %s", d)
		}
	}
	last := ds[0].Attempts[len(ds[0].Attempts)-1]
	if len(ds[0].Attempts) != len(waits)+1 || last.At.Sub(first) > RetryFor || last.At.Sub(first) < RetryFor-MaxRetryWait {
		t.Fatalf("%d attempts, the last %s after the first", len(ds[0].Attempts), last.At.Sub(first))
	}
	for _, a := range ds[0].Attempts {
		if a.HTTPStatus != 0 || a.Error == "" || strings.Contains(a.Error, addr) {
			t.Fatalf("attempt %+v", a)
		}
	}
}

// TestWebhookSlow: a receiver slower than the timeout is an attempt that
// failed with "no answer", retried later.
func TestWebhookSlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	r, _ := e.rule("Slow", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: srv.URL})
	e.enter(e.ada)
	w := e.worker()
	w.Timeout = 100 * time.Millisecond
	e.run(w)
	ds := e.deliveries(r.ID)
	if len(ds) != 1 || ds[0].Status != foyer.DeliveryPending || len(ds[0].Attempts) != 1 ||
		!strings.Contains(ds[0].Attempts[0].Error, "no answer within") || ds[0].Attempts[0].HTTPStatus != 0 {
		t.Fatalf("after a slow receiver: %+v", ds)
	}
}

// TestWebhookPrivateRefused: without the operator's leave, a webhook to a
// loopback address is not called.
func TestWebhookPrivateRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	rcv := newReceiver(t, 200)
	r, _ := e.rule("Inside", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: rcv.srv.URL})
	e.enter(e.ada)
	w := e.worker()
	w.AllowPrivate = false
	e.run(w)
	ds := e.deliveries(r.ID)
	if len(ds) != 1 || len(ds[0].Attempts) != 1 || !strings.Contains(ds[0].Attempts[0].Error, "private or loopback") {
		t.Fatalf("%+v", ds)
	}
	if n := len(rcv.calls()); n != 0 {
		t.Fatalf("the loopback receiver took %d calls", n)
	}
}

// TestSlackAndEmail: a Slack-compatible webhook gets {"text": …} naming
// the rule, the contact and its page; the workspace's members get a plain
// message through the SMTP relay.
func TestSlackAndEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	ctx := context.Background()
	for _, u := range []*foyer.User{{Email: "owner@acme.example", Name: "Olga"}, {Email: "sales@acme.example", Name: "Sam"}} {
		if err := e.st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetMembership(ctx, foyer.Membership{WorkspaceID: e.ws, UserID: u.ID, Role: foyer.RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	smtp := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	m, err := mailer.New(mailer.Config{Addr: smtp.Addr, From: "Foyer <foyer@acme.example>", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	slack := newReceiver(t, 200)
	r, _ := e.rule("Tell sales", foyer.AutomationAction{Kind: foyer.ActionSlack, URL: slack.srv.URL},
		foyer.AutomationAction{Kind: foyer.ActionEmail})
	e.enter(e.ada)
	w := e.worker()
	w.Mail = m
	reg := prometheus.NewRegistry()
	w.Metrics = NewMetrics(reg)
	if p := e.run(w); p.Attempts != 2 {
		t.Fatalf("pass %+v", p)
	}
	if n := counter(t, reg, "foyer_automation_attempts_total", "delivered"); n != 2 {
		t.Errorf("foyer_automation_attempts_total{outcome=delivered} = %v, want 2", n)
	}
	if n := counter(t, reg, "foyer_automation_events_total", ""); n != 1 {
		t.Errorf("foyer_automation_events_total = %v, want 1", n)
	}
	calls := slack.calls()
	if len(calls) != 1 {
		t.Fatalf("%d Slack calls", len(calls))
	}
	var msg map[string]any
	if err := json.Unmarshal(calls[0], &msg); err != nil || len(msg) != 1 {
		t.Fatalf("Slack payload %s: %v", calls[0], err)
	}
	text, _ := msg["text"].(string)
	page := "https://foyer.example/app/w/" + strconv.FormatInt(e.ws, 10) + "/contacts/" + strconv.FormatInt(e.ada, 10)
	for _, want := range []string{`"Tell sales"`, "Ada Lovelace (Client Ltd)", `"Pricing readers"`, page} {
		if !strings.Contains(text, want) {
			t.Errorf("Slack text %q lacks %q", text, want)
		}
	}
	mails := smtp.Messages()
	if len(mails) != 2 {
		t.Fatalf("%d messages", len(mails))
	}
	var to []string
	for _, mm := range mails {
		to = append(to, mm.To...)
		for _, want := range []string{"Subject: Foyer: Tell sales", "Ada Lovelace", page} {
			if !strings.Contains(mm.Data, want) {
				t.Errorf("message lacks %q:\n%s", want, mm.Data)
			}
		}
	}
	if strings.Join(to, " ") != "owner@acme.example sales@acme.example" && strings.Join(to, " ") != "sales@acme.example owner@acme.example" {
		t.Errorf("mailed to %v", to)
	}
	for _, d := range e.deliveries(r.ID) {
		if d.Status != foyer.DeliveryDelivered {
			t.Errorf("delivery %+v", d.AutomationDelivery)
		}
	}
}

// TestAddToSegment: the action adds the contact to a static segment as
// 'automation' and writes the segment-entered event, once.
func TestAddToSegment(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			static := e.rows.Segment(t, e.ws, "Sales follow-up", "")
			r, _ := e.rule("Follow up", foyer.AutomationAction{Kind: foyer.ActionSegment, SegmentID: static})
			e.enter(e.ada)
			e.enter(e.ada)
			w := e.worker()
			e.run(w)
			e.run(w)
			if n := e.rows.Int(t, `SELECT COUNT(*) FROM segment_members WHERE segment_id = ? AND contact_id = ? AND added = 'automation'`, static, e.ada); n != 1 {
				t.Fatalf("%d memberships", n)
			}
			if n := e.rows.Int(t, `SELECT COUNT(*) FROM automation_events WHERE segment_id = ? AND kind = 'segment-entered'`, static); n != 1 {
				t.Fatalf("%d events of the static segment", n)
			}
			ds := e.deliveries(r.ID)
			if len(ds) != 2 || ds[0].Status != foyer.DeliveryDelivered || ds[1].Status != foyer.DeliveryDelivered {
				t.Fatalf("%+v", ds)
			}
		})
	}
}

// TestCompanyScoreWebhook: a company's score crossing sends the company,
// no contact.
func TestCompanyScoreWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	rcv := newReceiver(t, 204)
	r := &foyer.AutomationRule{WorkspaceID: e.ws, Name: "Hot company", Trigger: foyer.TriggerCompanyScore, ThresholdMilli: 40_000,
		Actions: []foyer.AutomationAction{{Kind: foyer.ActionWebhook, URL: rcv.srv.URL}}, Enabled: true, OnlyTracked: true}
	secret, err := e.st.CreateAutomationRule(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	e.rows.Event(t, testutil.AutomationEvent{WorkspaceID: e.ws, Kind: "score-changed", CompanyID: e.acme, OldMilli: 39_500, NewMilli: 41_250, Behavioural: true})
	e.run(e.worker())
	calls := rcv.calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	var ev Event
	if err := json.Unmarshal(calls[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "company.score_crossed" || ev.Company == nil || ev.Company.Name != "Acme Corp" || ev.Contact != nil ||
		ev.Score == nil || ev.Score.Old != 39.5 || ev.Score.New != 41.25 || ev.Score.Threshold != 40 {
		t.Fatalf("payload %s", calls[0])
	}
}

// TestStartStop: the background loop delivers, and Stop ends it.
func TestStartStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	e.rule("Loop", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: srv.URL})
	e.enter(e.ada)
	w := e.worker()
	w.Poll = 10 * time.Millisecond
	w.Start()
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker made no call")
	}
	w.Stop()
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 50: time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestStopMidCall: a worker stopped while a call is in flight records no
// attempt; the delivery waits for its lease to end, and the next worker
// makes the call, once.
func TestStopMidCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	started := make(chan struct{}, 1)
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // read: the server then sees the client hang up
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			started <- struct{}{}
			<-r.Context().Done() // hangs until the worker gives up
			return
		}
	}))
	t.Cleanup(srv.Close)
	r, _ := e.rule("Interrupted", foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: srv.URL})
	e.enter(e.ada)
	w := e.worker()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := w.RunOnce(ctx); done <- err }()
	<-started
	cancel() // serve stops
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	ds := e.deliveries(r.ID)
	if len(ds) != 1 || ds[0].Status != foyer.DeliveryPending || len(ds[0].Attempts) != 0 {
		t.Fatalf("after the stop: %+v", ds)
	}
	w = e.worker()
	if p := e.run(w); p.Attempts != 0 {
		t.Fatalf("the delivery is taken again within its lease: %+v", p)
	}
	e.clock.Add(w.Timeout + time.Minute)
	if p := e.run(w); p.Attempts != 1 {
		t.Fatalf("after the lease: %+v", p)
	}
	e.clock.Add(time.Hour)
	e.run(w)
	ds = e.deliveries(r.ID)
	mu.Lock()
	defer mu.Unlock()
	if len(ds) != 1 || ds[0].Status != foyer.DeliveryDelivered || len(ds[0].Attempts) != 1 || calls != 2 {
		t.Fatalf("after the retry: %+v, %d calls", ds, calls)
	}
}

// counter reads a counter of reg, of the label value when not "".
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label) {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%s}", name, label)
	return 0
}
