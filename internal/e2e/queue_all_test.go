package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQueueRoleAll: one `foyer serve --queue` runs the web app, a
// collector and a worker: events go through the stream into the database,
// and /readyz says the lag, the database and the write lock.
func TestQueueRoleAll(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	b := startBroker(t, filepath.Join(dir, "jetstream"), freePort(t))
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0", "--queue", b.URL, "--no-enrich")
	client := newClient(t)
	for i := range 20 {
		path := fmt.Sprintf("/all/%d", i)
		r, err := send(context.Background(), client, "POST", srv.URL+"/collect", batchJSON("demo", "role-all-visitor-01", pageviews(path)...), nil)
		if err != nil || r.status != http.StatusAccepted {
			t.Fatalf("%s: %v %d %s", path, err, r.status, r.body)
		}
	}
	waitUntil(t, 20*time.Second, "the events stored", func() bool { return len(pathCounts(parseExport(t, export(t, dsn, "demo")))) == 20 })
	waitUntil(t, 10*time.Second, "/readyz with lag 0", func() bool {
		status, body := readyz(client, srv)
		return status == http.StatusOK && strings.Contains(body, "queue lag: 0 batches") &&
			strings.Contains(body, "database: answers") && strings.Contains(body, "write lock: held")
	})
	if r, err := send(context.Background(), client, "GET", srv.URL+"/login", nil, nil); err != nil || r.status != http.StatusOK {
		t.Errorf("the web app in role all: GET /login %v %d", err, r.status)
	}
	srv.stop()
}
