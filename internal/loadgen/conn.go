package loadgen

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// endpoint is where a worker's connection goes: the /collect URL taken apart.
type endpoint struct {
	addr string      // host:port to dial
	host string      // the Host header
	path string      // the request target
	tls  *tls.Config // nil for http
}

func newEndpoint(collectURL string) (*endpoint, error) {
	u, err := url.Parse(collectURL)
	if err != nil {
		return nil, err
	}
	e := &endpoint{host: u.Host, path: u.EscapedPath()}
	port := u.Port()
	switch u.Scheme {
	case "https":
		e.tls = &tls.Config{ServerName: u.Hostname()}
		if port == "" {
			port = "443"
		}
	default:
		if port == "" {
			port = "80"
		}
	}
	e.addr = net.JoinHostPort(u.Hostname(), port)
	return e, nil
}

// conn posts batches over one keep-alive connection, one request at a time.
// It writes each request with one call and reads the answer with
// http.ReadResponse: net/http's client would add two goroutines and their
// hand-offs to every request, and the load tool shares the machine's CPUs
// with the server it measures.
type conn struct {
	ep   *endpoint
	dial net.Dialer
	c    net.Conn
	br   *bufio.Reader
	head []byte
	stop func() bool // undoes the context.AfterFunc of the connection
}

func newConn(ep *endpoint) *conn {
	return &conn{
		ep:   ep,
		dial: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly},
	}
}

// header is one request header.
type header struct{ name, value string }

// post sends body with the headers and returns the answer's status and up
// to 64 KiB of its body. A request on a kept connection that the server had
// closed before reading it is sent once more on a new connection.
func (c *conn) post(ctx context.Context, hdrs []header, body []byte) (int, []byte, error) {
	reused := c.c != nil
	status, resp, err := c.roundTrip(ctx, hdrs, body)
	if err != nil && reused && closedBeforeAnswer(err) && ctx.Err() == nil {
		status, resp, err = c.roundTrip(ctx, hdrs, body)
	}
	return status, resp, err
}

func (c *conn) roundTrip(ctx context.Context, hdrs []header, body []byte) (int, []byte, error) {
	if c.c == nil {
		if err := c.open(ctx); err != nil {
			return 0, nil, err
		}
	}
	c.head = append(c.head[:0], "POST "...)
	c.head = append(c.head, c.ep.path...)
	c.head = append(c.head, " HTTP/1.1\r\nHost: "...)
	c.head = append(c.head, c.ep.host...)
	for _, h := range hdrs {
		c.head = append(c.head, "\r\n"...)
		c.head = append(c.head, h.name...)
		c.head = append(c.head, ": "...)
		c.head = append(c.head, h.value...)
	}
	c.head = append(c.head, "\r\nContent-Length: "...)
	c.head = strconv.AppendInt(c.head, int64(len(body)), 10)
	c.head = append(c.head, "\r\n\r\n"...)
	c.head = append(c.head, body...)

	c.c.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := c.c.Write(c.head); err != nil {
		c.close()
		return 0, nil, err
	}
	// Peek first: an error with nothing received (io.EOF) tells a
	// connection the server had closed, which post may retry.
	if _, err := c.br.Peek(1); err != nil {
		c.close()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, nil, err
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close() // reads what is left, which keeps the connection in step
	if err != nil || resp.Close {
		c.close()
	}
	return resp.StatusCode, out, err
}

func (c *conn) open(ctx context.Context) error {
	nc, err := c.dial.DialContext(ctx, "tcp", c.ep.addr)
	if err != nil {
		return err
	}
	if c.ep.tls != nil {
		tc := tls.Client(nc, c.ep.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return err
		}
		nc = tc
	}
	c.c = nc
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 4<<10)
	} else {
		c.br.Reset(nc)
	}
	// A run that is cancelled abandons the request in flight at once.
	c.stop = context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// close drops the connection; the next request dials a new one.
func (c *conn) close() {
	if c.c == nil {
		return
	}
	c.stop()
	c.c.Close()
	c.c = nil
}

// closedBeforeAnswer reports whether err shows a kept connection that the
// server closed without answering: it read nothing of the request.
func closedBeforeAnswer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
