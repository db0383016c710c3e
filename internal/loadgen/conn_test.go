package loadgen

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// connServer is a test server that counts the connections it accepts.
type connServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newConnServer(t *testing.T, h http.HandlerFunc) *connServer {
	t.Helper()
	s := &connServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func testConn(t *testing.T, url string) *conn {
	t.Helper()
	ep, err := newEndpoint(url + "/collect")
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(ep)
	t.Cleanup(c.close)
	return c
}

func TestConnKeepsAlive(t *testing.T) {
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/collect" {
			http.Error(w, "wrong request "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(strings.ToUpper(string(body))))
	})
	c := testConn(t, srv.URL)
	hdrs := []header{{"User-Agent", "test-agent"}}
	for i, body := range []string{"one", "two", `{"site":"x"}`, "", "five"} {
		status, resp, err := c.post(context.Background(), hdrs, []byte(body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if status != http.StatusAccepted || string(resp) != strings.ToUpper(body) {
			t.Errorf("request %d: got %d %q, want 202 %q", i, status, resp, strings.ToUpper(body))
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 requests, want 1 kept alive", n)
	}
}

func TestConnSendsHeaders(t *testing.T) {
	var got atomic.Value
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent") + "|" + r.Header.Get("X-Forwarded-For") + "|" + r.Host)
		w.WriteHeader(http.StatusNoContent)
	})
	c := testConn(t, srv.URL)
	status, _, err := c.post(context.Background(), []header{{"User-Agent", "ua/1"}, {"X-Forwarded-For", "198.51.100.9"}}, []byte("x"))
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("got %d, %v", status, err)
	}
	want := "ua/1|198.51.100.9|" + strings.TrimPrefix(srv.URL, "http://")
	if got.Load() != want {
		t.Errorf("server saw %q, want %q", got.Load(), want)
	}
}

func TestConnRedialsWhenClosed(t *testing.T) {
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusAccepted)
	})
	c := testConn(t, srv.URL)
	for i := range 3 {
		if status, _, err := c.post(context.Background(), nil, []byte("b")); err != nil || status != http.StatusAccepted {
			t.Fatalf("request %d: %d, %v", i, status, err)
		}
	}
	if n := srv.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3: the server closes each", n)
	}
}

func TestConnRetriesKeptConnectionClosedByServer(t *testing.T) {
	var requests atomic.Int64
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	c := testConn(t, srv.URL)
	if _, _, err := c.post(context.Background(), nil, []byte("a")); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections() // the kept connection is idle: the server drops it
	status, _, err := c.post(context.Background(), nil, []byte("b"))
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("after the server closed the idle connection: %d, %v", status, err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("server handled %d requests, want 2 (no request twice)", n)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestConnLongAnswerKeepsStep(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, long)
	})
	c := testConn(t, srv.URL)
	for i := range 2 {
		status, resp, err := c.post(context.Background(), nil, nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("request %d: %d, %v", i, status, err)
		}
		if len(resp) != 64<<10 {
			t.Errorf("request %d: %d bytes of the answer, want the first 64 KiB", i, len(resp))
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: the rest of a long answer is read, not left on the connection", n)
	}
}

func TestConnCancelled(t *testing.T) {
	release := make(chan struct{})
	srv := newConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	c := testConn(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := c.post(ctx, nil, []byte("a"))
	if err == nil {
		t.Fatal("a request whose context ended succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled request took %v", d)
	}
}
