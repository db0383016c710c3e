package app

import (
	"log"
	"log/slog"
	"regexp"
	"strings"
)

// addrPattern matches IPv4 addresses and IPv6-looking runs (with optional
// brackets and port), which net/http puts into some of its error messages
// ("http: panic serving 203.0.113.9:4711").
var addrPattern = regexp.MustCompile(`\[?\b(?:\d{1,3}\.){3}\d{1,3}\b\]?(?::\d+)?|\[?(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?\]?(?::\d+)?`)

// redactAddrs replaces every address in s with "[address]".
func redactAddrs(s string) string {
	if !strings.ContainsAny(s, ".:") {
		return s
	}
	return addrPattern.ReplaceAllString(s, "[address]")
}

// serverErrorLog returns the *log.Logger net/http writes its own errors
// to: each line goes to l at warning level with addresses removed.
func serverErrorLog(l *slog.Logger) *log.Logger {
	return log.New(redactingWriter{l}, "", 0)
}

type redactingWriter struct{ l *slog.Logger }

func (w redactingWriter) Write(p []byte) (int, error) {
	w.l.Warn("http server", "msg", redactAddrs(strings.TrimSpace(string(p))))
	return len(p), nil
}
