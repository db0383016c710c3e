package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestAutomationsAcrossRestart: serve's automation worker acts on an
// event, serve stops while the webhook answers 500 and starts again on the
// same database, and the call is made again, once, after its back-off: the
// receiver sees two calls with one delivery ID, and the database one
// delivery of two attempts, the last delivered.
func TestAutomationsAcrossRestart(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var ids []string
	got := make(chan struct{}, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		ids = append(ids, r.Header.Get("Foyer-Delivery"))
		first := len(ids) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusInternalServerError)
		}
		got <- struct{}{}
	}))
	defer rcv.Close()
	var log lockedBuffer
	cfg := Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: slog.New(slog.NewTextHandler(&log, nil)),
		AutomationsAllowPrivate: true, AutomationsPoll: 20 * time.Millisecond}
	a, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ada@client.example", FirstName: "Ada"}
	if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	var seg int64
	if err := a.Store.DB().QueryRowContext(ctx, `INSERT INTO segments (workspace_id, name, created_by, created_at, updated_at)
		VALUES (?, 'Hot', 'test', 0, 0) RETURNING id`, ws.ID).Scan(&seg); err != nil {
		t.Fatal(err)
	}
	r := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: "To the CRM", Trigger: foyer.TriggerSegmentEntered, SegmentID: seg,
		Actions: []foyer.AutomationAction{{Kind: foyer.ActionWebhook, URL: rcv.URL}}, Enabled: true, OnlyTracked: true}
	if _, err := a.Store.CreateAutomationRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.DB().ExecContext(ctx, `INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, behavioural, at)
		VALUES (?, 'segment-entered', ?, ?, 1, 0)`, ws.ID, seg, c.ID); err != nil {
		t.Fatal(err)
	}
	wait := func(what string) {
		t.Helper()
		select {
		case <-got:
		case <-time.After(30 * time.Second):
			t.Fatalf("no call %s", what)
		}
	}
	wait("before the restart")
	// The attempt is recorded after the answer: wait for it, then stop.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := a.Store.AutomationDeliveries(ctx, ws.ID, r.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && len(ds[0].Attempts) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first attempt is not recorded: %+v", ds)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The retry is due 30 s after the first attempt: the database says so
	// now, rather than the test waiting.
	b, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Store.DB().ExecContext(ctx, `UPDATE automation_deliveries SET next_at = 0 WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	wait("after the restart")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := b.Store.AutomationDeliveries(ctx, ws.ID, r.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Status == foyer.DeliveryDelivered && len(ds[0].Attempts) == 2 {
			break
		}
		if time.Now().After(deadline) || len(ds) != 1 {
			t.Fatalf("after the restart: %+v", ds)
		}
	}
	time.Sleep(100 * time.Millisecond) // five more passes of the worker: none calls again
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Fatalf("the receiver got delivery IDs %v, want the same one twice", ids)
	}
}
