package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestServerErrorLogRedactsAddresses(t *testing.T) {
	var buf bytes.Buffer
	l := serverErrorLog(slog.New(slog.NewTextHandler(&buf, nil)))
	lines := []string{
		"http: panic serving 203.0.113.9:4711: boom",
		"http: TLS handshake error from [2001:db8::1]:443: EOF",
		"http: TLS handshake error from 2001:db8:85a3::8a2e:370:7334: EOF",
		"http: Accept error: accept tcp 198.51.100.7:8080: too many open files",
		"from ::ffff:192.0.2.44 too",
	}
	for _, line := range lines {
		l.Print(line)
	}
	out := buf.String()
	for _, ip := range []string{"203.0.113.9", "2001:db8::1", "2001:db8:85a3::8a2e:370:7334", "198.51.100.7", "192.0.2.44", "4711"} {
		if strings.Contains(out, ip) {
			t.Errorf("log still holds %s:\n%s", ip, out)
		}
	}
	if got := strings.Count(out, "[address]"); got < len(lines) {
		t.Errorf("want at least %d redactions, got %d:\n%s", len(lines), got, out)
	}
	if !strings.Contains(out, "boom") || !strings.Contains(out, "too many open files") {
		t.Errorf("the rest of the message is lost:\n%s", out)
	}
}
