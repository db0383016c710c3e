package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestRollupSurvivesKill: on SQLite a roll-up step writes its visits in
// several transactions beside the appends, and records a pending mark
// while it does. The server is killed with -9 the moment a step is
// under way, again and again under load; after a last, clean run every
// visit's counters and the site's daily sums add up to the stored events,
// each counted once.
func TestRollupSurvivesKill(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.SQLite)
	path := strings.TrimPrefix(dsn, "sqlite:")
	client := newClient(t)
	const visitors, kills = 1500, 3

	midStep := 0
	for round := range kills {
		srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
		watch, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		if err != nil {
			t.Fatal(err)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				for seq := 0; !stop.Load(); seq++ {
					paths := make([]string, 1+rng.IntN(3))
					for i := range paths {
						paths[i] = fmt.Sprintf("/k/%d/%d/%d/%d", round, w, seq, i)
					}
					visitor := fmt.Sprintf("kill-visitor-%04d", rng.IntN(visitors))
					r, err := send(context.Background(), client, "POST", srv.URL+"/collect",
						batchJSON("demo", visitor, pageviews(paths...)...), nil)
					if err == nil && r.status != http.StatusAccepted && !stop.Load() {
						t.Errorf("status %d before the kill: %s", r.status, r.body)
						return
					}
				}
			})
		}
		// Kill the moment a step has written some of its visits, or after
		// 20 s of load if none is seen.
		seen := false
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			var n int
			if err := watch.QueryRow(`SELECT COUNT(*) FROM rollup_marks WHERE name = 'sessions.pending'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				seen = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		stop.Store(true)
		srv.kill()
		wg.Wait()
		var left int
		if err := watch.QueryRow(`SELECT COUNT(*) FROM rollup_marks WHERE name = 'sessions.pending'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		watch.Close()
		if seen && left > 0 {
			midStep++
		}
	}
	if midStep == 0 {
		t.Fatalf("none of the %d kills left a step half written: the test proves nothing", kills)
	}

	// A clean run finishes what the kills left and rolls up everything at
	// its stop.
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
	r, err := send(context.Background(), client, "POST", srv.URL+"/collect",
		batchJSON("demo", "kill-visitor-after", pageviews("/after")...), nil)
	if err != nil || r.status != http.StatusAccepted {
		t.Fatalf("after the kills: %v %d %s", err, r.status, r.body)
	}
	srv.stop()

	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.DB()
	var wrong int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sessions s LEFT JOIN (
			SELECT session_id, COUNT(*) AS n, SUM(kind = 1) AS views, MIN(id) AS lo, MAX(id) AS hi FROM events GROUP BY session_id
		) e ON e.session_id = s.id
		WHERE s.events != COALESCE(e.n, 0) OR s.pageviews != COALESCE(e.views, 0)
			OR COALESCE(s.first_event_id, 0) != COALESCE(e.lo, 0) OR COALESCE(s.last_event_id, 0) != COALESCE(e.hi, 0)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong > 0 {
		t.Errorf("%d visits whose counters do not add up to their events", wrong)
	}
	var events, views, visits, sumViews, sumVisits, pageDays, mark, maxID, pending int64
	if err := db.QueryRow(`SELECT COUNT(*), SUM(kind = 1), COUNT(DISTINCT session_id), MAX(id) FROM events`).Scan(&events, &views, &visits, &maxID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT SUM(pageviews), SUM(visits) FROM site_days`).Scan(&sumViews, &sumVisits); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT SUM(pageviews) FROM page_days`).Scan(&pageDays); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT (SELECT last_event_id FROM rollup_marks WHERE name = 'sessions'),
		(SELECT COUNT(*) FROM rollup_marks WHERE name = 'sessions.pending')`).Scan(&mark, &pending); err != nil {
		t.Fatal(err)
	}
	if sumViews != views || pageDays != views {
		t.Errorf("site_days counts %d pageviews and page_days %d; %d are stored", sumViews, pageDays, views)
	}
	if sumVisits != visits {
		t.Errorf("site_days counts %d visits; %d have events", sumVisits, visits)
	}
	if mark != maxID || pending != 0 {
		t.Errorf("roll-up mark %d (pending marks: %d) after a clean stop; the last event is %d", mark, pending, maxID)
	}
	t.Logf("%d events in %d visits; %d of %d kills landed in a step half written", events, visits, midStep, kills)
}
