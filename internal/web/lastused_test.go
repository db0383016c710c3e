package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestReadsDoNotWaitOnWrites: with the database's write lock held by
// another connection, signed-in pages and API calls that only read still
// answer: recording when a session or a token was last used is no part of
// the request. The use is recorded once the lock is gone.
func TestReadsDoNotWaitOnWrites(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testReadsDoNotWaitOnWrites(t, d)
		})
	}
}

func testReadsDoNotWaitOnWrites(t *testing.T, d store.Dialect) {
	w := newWebTestOn(t, d)
	const pw = "correct horse battery"
	w.user("ana@example.com", pw, "Acme", foyer.RoleOwner)
	session := w.signInAs("ana@example.com", pw, firefoxLinux)
	token := w.token("Acme", foyer.ScopeRead)
	// Both were last used long ago: these requests have a use to record.
	long := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	for _, q := range []string{`UPDATE auth_sessions SET last_seen_at = ` + long, `UPDATE api_tokens SET last_used_at = ` + long} {
		if _, err := w.st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	release := testutil.HoldWriteLock(t, w.st.DB(), d, "EXCLUSIVE", "auth_sessions", "api_tokens")
	// A deadline well above a read's time, well below the 10 s a writer
	// waits for SQLite's lock: waiting on the lock shows as an error.
	for _, path := range []string{"/app", "/account", "/api/v1/sites"} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		r := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		if path == "/api/v1/sites" {
			r.Header.Set("Authorization", "Bearer "+token)
		} else {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		}
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || ctx.Err() != nil {
			t.Errorf("GET %s with the write lock held: %d (request context: %v), want 200\n%.300s", path, rec.Code, ctx.Err(), rec.Body)
		}
		cancel()
	}
	release()
	// The uses are recorded once the lock is gone, each once.
	w.srv.Close()
	var seen, used int64
	if err := w.st.DB().QueryRow(`SELECT last_seen_at FROM auth_sessions`).Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if err := w.st.DB().QueryRow(`SELECT last_used_at FROM api_tokens`).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if recent := time.Now().Add(-time.Minute).UnixMilli(); seen < recent || used < recent {
		t.Errorf("after the lock: last seen %v, last used %v; want both within the last minute",
			time.UnixMilli(seen), time.UnixMilli(used))
	}
}

// TestLastUsedAtMostOnceAMinute: a session or token is recorded at most
// once a minute, not at all when storage says it was used less than a
// minute ago, and a failure to record passes.
func TestLastUsedAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newLastUsed(slog.New(slog.DiscardHandler), clock.Now)
	var mu sync.Mutex
	var got []string
	touch := func(fail bool) touchFunc {
		return func(_ context.Context, h []byte, at time.Time) error {
			mu.Lock()
			got = append(got, fmt.Sprintf("%s %s", h, at.Format("15:04:05")))
			mu.Unlock()
			if fail {
				return errors.New("database is locked")
			}
			return nil
		}
	}
	long := clock.Now().Add(-time.Hour)
	l.record("session", touch(false), []byte("a"), long)
	l.record("session", touch(false), []byte("a"), long)                          // recorded a moment ago
	l.record("session", touch(false), []byte("b"), clock.Now().Add(-time.Second)) // stored a second ago
	l.record("token", touch(true), []byte("a"), long)                             // another kind, failing
	clock.Add(30 * time.Second)
	l.record("session", touch(false), []byte("a"), long)
	l.record("token", touch(false), []byte("a"), long) // the failure is retried a minute later, not sooner
	clock.Add(31 * time.Second)
	l.record("session", touch(false), []byte("a"), long)
	l.record("token", touch(false), []byte("a"), long)
	l.close()
	l.record("session", touch(false), []byte("c"), long) // closed: nothing
	l.close()
	slices.Sort(got)
	want := []string{"a 09:00:00", "a 09:00:00", "a 09:01:01", "a 09:01:01"}
	if !slices.Equal(got, want) {
		t.Errorf("recorded %q, want %q", got, want)
	}
}
