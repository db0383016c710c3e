package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// tcpProxy forwards connections to target until down, which closes its
// listener and every connection, as a database that goes away.
type tcpProxy struct {
	t      testing.TB
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestQueueDatabaseDown: with the database gone, a collector keeps
// answering 202 (the stream buffers, the site is served from memory) and
// says so in /readyz, and the workers' /readyz fail; once the database is
// back, a worker stores every batch once.
func TestQueueDatabaseDown(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(testutil.NewDSN(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	dsn := u.String()
	dir := t.TempDir()
	b := startBroker(t, filepath.Join(dir, "jetstream"), freePort(t))
	common := []string{"--db", dsn, "--rate-limit", "0", "--queue", b.URL, "--key-file", filepath.Join(dir, "master.key"), "--no-enrich"}
	collector := startServer(t, serverFiles{}, append(common, "--role", "collector", "--demo")...)
	workers := []*server{
		startServer(t, serverFiles{}, append(common, "--role", "worker")...),
		startServer(t, serverFiles{}, append(common, "--role", "worker")...),
	}
	client := newClient(t)
	acked := map[string]bool{}
	sendOne := func(path string) {
		t.Helper()
		r, err := send(context.Background(), client, "POST", collector.URL+"/collect", batchJSON("demo", "dbdown-visitor-0001", pageviews(path)...), nil)
		if err != nil || r.status != http.StatusAccepted {
			t.Fatalf("%s: %v, status %d: %.200s", path, err, r.status, r.body)
		}
		acked[path] = true
	}
	sendOne("/before")
	waitUntil(t, 20*time.Second, "the first event stored", func() bool {
		return pathCounts(parseExport(t, export(t, dsn, "demo")))["/before"] == 1
	})

	proxy.down()
	for i := range 50 {
		sendOne(fmt.Sprintf("/down/%d", i))
	}
	status, body := readyz(client, collector)
	if status != http.StatusOK || !strings.Contains(body, "database: does not answer") {
		t.Errorf("collector /readyz with the database down: %d %q, want 200 saying the database does not answer", status, body)
	}
	// A worker answers 503; or, if it was the one writing, it may already
	// have exited on purpose, its lock gone with its session.
	answered := 0
	for i, w := range workers {
		status, body := readyz(client, w)
		if status == 0 {
			select {
			case <-w.exited:
				continue
			case <-time.After(5 * time.Second):
			}
		}
		if status != http.StatusServiceUnavailable {
			t.Errorf("worker %d /readyz with the database down: %d %q, want 503", i, status, body)
		}
		answered++
	}
	if answered == 0 {
		t.Error("no worker answered /readyz with the database down: both exited, the standby should stay")
	}
	time.Sleep(time.Second) // the collector tries the database again meanwhile, and keeps serving the site
	sendOne("/down/last")

	proxy.up()
	for i := range 10 {
		sendOne(fmt.Sprintf("/after/%d", i))
	}
	var counts map[string]int
	waitUntil(t, 60*time.Second, "every event stored", func() bool {
		counts = pathCounts(parseExport(t, export(t, dsn, "demo")))
		for p := range acked {
			if counts[p] == 0 {
				return false
			}
		}
		return true
	})
	for p, n := range counts {
		if n != 1 || !acked[p] {
			t.Errorf("%s stored %d times (acknowledged: %v)", p, n, acked[p])
		}
	}
	if status, body := readyz(client, collector); status != http.StatusOK || !strings.Contains(body, "database: answers") {
		t.Errorf("collector /readyz after: %d %q", status, body)
	}
	// The worker that wrote lost its lock with its session, and exited so
	// that it starts again as a standby; the other took over.
	for i, w := range workers {
		select {
		case <-w.exited:
			t.Logf("worker %d exited: %v", i, w.err)
		default:
			t.Logf("worker %d runs: %s", i, strings.ReplaceAll(func() string { _, b := readyz(client, w); return b }(), "\n", "; "))
		}
	}
}
