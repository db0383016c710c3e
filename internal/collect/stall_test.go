package collect

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
)

// TestHandlerStalledWriter: with a commit that does not end, a request
// waits no longer than the commit deadline and gets 503 with Retry-After,
// saying its batch may or may not be stored; once QueueLimit batches wait,
// the next is refused at once; Ready fails while the commit runs past the
// deadline and while the queue is full, and recovers when they clear; the
// batches that timed out are stored after all, the refused one never.
// (The same against real database locks: internal/e2e TestStalledDatabase.)
func TestHandlerStalledWriter(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	const deadline = 50 * time.Millisecond
	w := startWriter(t, f, WriterConfig{CommitTimeout: deadline, QueueLimit: 2, Now: clock.Now})
	reg := prometheus.NewRegistry()
	c := newCollector(t, Config{Writer: w, Metrics: NewMetrics(reg)})
	h := c.handler()
	post := func(i int) answer {
		t.Helper()
		return c.post(t, acmeBatch("", fmt.Sprintf(`{"type":"pageview","url":"https://example.com/stall/%d"}`, i)))
	}
	if err := h.Ready(); err != nil {
		t.Fatalf("Ready before any batch: %v", err)
	}

	a := post(0)
	wantError(t, a, http.StatusServiceUnavailable, foyer.EUNAVAILABLE, "may or may not be stored")
	if got := a.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After %q, want %q", got, retryAfter)
	}
	select {
	case <-f.entered:
	default:
		t.Fatal("the first batch timed out before its commit began")
	}
	if err := h.Ready(); err != nil {
		t.Errorf("Ready with a commit running for less than the deadline: %v", err)
	}
	clock.Add(deadline + time.Millisecond)
	if err := h.Ready(); foyer.ErrorCode(err) != foyer.EUNAVAILABLE || !strings.Contains(foyer.ErrorMessage(err), "busy") {
		t.Errorf("Ready with a commit running past the deadline = %v, want EUNAVAILABLE saying the database is busy", err)
	}

	// Two batches wait behind the commit, each answered at its deadline.
	for i := 1; i <= 2; i++ {
		wantError(t, post(i), http.StatusServiceUnavailable, foyer.EUNAVAILABLE, "may or may not be stored")
	}
	waitQueued(t, w, 2)
	// The queue is full: the next is refused without waiting.
	a = post(3)
	wantError(t, a, http.StatusServiceUnavailable, foyer.EUNAVAILABLE, "too many batches wait")
	if a.header.Get("Retry-After") == "" {
		t.Error("503 for a full queue without Retry-After")
	}
	if got := rejected(t, reg, "commit_timeout")(); got != 3 {
		t.Errorf("rejected{reason=commit_timeout} = %v, want 3", got)
	}
	if got := rejected(t, reg, "queue_full")(); got != 1 {
		t.Errorf("rejected{reason=queue_full} = %v, want 1", got)
	}

	close(f.gate)
	waitReady(t, h)
	clock.Add(time.Second)
	if a := post(4); a.status != http.StatusAccepted {
		t.Fatalf("after the stall: %d %s, want 202", a.status, a.body)
	}
	if got, want := f.storedPaths(), []string{"/stall/0", "/stall/1", "/stall/2", "/stall/4"}; !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v: what timed out is stored after all, what was refused never", got, want)
	}
}

// startWriter starts a writer with cfg (its Log discarded) over f and stops
// it when the test ends, unsticking f first.
func startWriter(t *testing.T, f *fakeEvents, cfg WriterConfig) *Writer {
	t.Helper()
	cfg.Log = slog.New(slog.DiscardHandler)
	w := NewWriter(f, cfg)
	w.Start()
	t.Cleanup(func() { stopTestWriter(t, w, f) })
	return w
}

// waitReady polls until h is ready.
func waitReady(t *testing.T, h *Handler) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := h.Ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready 10 s after the stall cleared: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}
