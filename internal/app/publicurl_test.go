package app

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicURLWarning: a server without a public URL warns at start that
// its links follow the Host header; one with it does not.
func TestPublicURLWarning(t *testing.T) {
	for _, public := range []string{"", "https://foyer.example.com"} {
		var logs bytes.Buffer
		a, err := New(context.Background(), Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), PublicURL: public,
			Log: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if warned := strings.Contains(logs.String(), "no --public-url"); warned != (public == "") {
			t.Errorf("public URL %q: warned %v\n%s", public, warned, logs.String())
		}
	}
}
