package collect

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestSiteLookupUnavailable: when the database cannot be reached and the
// site is not cached, /collect answers 503 unavailable with Retry-After,
// as it does for a failed commit, not 500.
func TestSiteLookupUnavailable(t *testing.T) {
	t.Parallel()
	closed := testutil.NewStore(t, store.SQLite, store.Options{})
	testutil.NewSite(t, closed, "Acme", "acme", "example.com")
	closed.Close()
	// Nothing listens on port 1: every connection is refused.
	unreachable, err := store.OpenNoMigrate("postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unreachable.Close() })
	for name, st := range map[string]*store.Store{"sqlite closed": closed, "postgres unreachable": unreachable} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := NewWriter(st, WriterConfig{Log: slog.New(slog.DiscardHandler)})
			w.Start()
			t.Cleanup(func() { w.Stop(context.Background()) })
			srv := httptest.NewServer(NewHandler(Config{Sites: st, Writer: w, Log: slog.New(slog.DiscardHandler)}))
			t.Cleanup(srv.Close)
			c := &collector{srv: srv}
			a := c.post(t, strings.Replace(batch(goodVisitor, 1), `"demo"`, `"acme"`, 1))
			wantError(t, a, http.StatusServiceUnavailable, foyer.EUNAVAILABLE, "try again")
			if a.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		})
	}
}
