package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestBindMasterKey: the first key binds the database; the same key again
// is fine; another is refused and changes nothing; of two binding at once
// one wins, on both dialects.
func TestBindMasterKey(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		if c, err := s.MasterKeyCheck(ctx); err != nil || c != "" {
			t.Fatalf("a new database's check: %q, %v", c, err)
		}
		var wg sync.WaitGroup
		firsts := make([]bool, 2)
		errs := make([]error, 2)
		for i, check := range []string{"aaaa1111", "bbbb2222"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				firsts[i], errs[i] = s.BindMasterKey(ctx, check)
			}()
		}
		wg.Wait()
		won := -1
		for i := range 2 {
			if errs[i] == nil {
				if won >= 0 || !firsts[i] {
					t.Fatalf("binds %v, errors %v: want one first bind and one refusal", firsts, errs)
				}
				won = i
			} else if foyer.ErrorCode(errs[i]) != foyer.EINVALID || !strings.Contains(errs[i].Error(), "another master key") {
				t.Errorf("the losing bind: %v", errs[i])
			}
		}
		if won < 0 {
			t.Fatalf("no bind won: %v", errs)
		}
		check := []string{"aaaa1111", "bbbb2222"}[won]
		if first, err := s.BindMasterKey(ctx, check); err != nil || first {
			t.Errorf("the same key again: first %v, %v", first, err)
		}
		if _, err := s.BindMasterKey(ctx, "cccc3333"); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("another key: %v", err)
		}
		if c, _ := s.MasterKeyCheck(ctx); c != check {
			t.Errorf("the check after a refused key: %q, want %q", c, check)
		}
	})
}
