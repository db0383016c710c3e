package app

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/foyerhq/foyer/internal/ipdata"
)

// syncBuffer is a log a server and a test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStartLogsSettings: a server says at start which proxies it trusts,
// the public URL its links use, and the IP data in service, with or
// without each; and the line names no address but the configured CIDRs.
func TestStartLogsSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := ipdata.NewBuilder()
	if err := b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64500,Example GmbH\n"), ipdata.Source{Name: "asn.csv"}); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ipdata.FileName)
	if err := tab.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	loaded := ipdata.NewResolver(path)
	if _, err := loaded.Load(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"all set", Config{TrustedProxy: "127.0.0.1/32, 10.0.0.0/8", PublicURL: "https://foyer.example.com/", Resolver: loaded},
			[]string{`trusted_proxies=127.0.0.1/32,10.0.0.0/8`, `public_url=https://foyer.example.com `,
				`ip_data="loaded from ` + path + `, built `, `1 IPv4 and 0 IPv6 ranges"`}},
		{"nothing set", Config{Resolver: ipdata.NewResolver(filepath.Join(dir, "missing.bin"))},
			[]string{`trusted_proxies="none (X-Forwarded-For and Forwarded are ignored`, `public_url="none (links follow`,
				`ip_data="none loaded (` + filepath.Join(dir, "missing.bin") + `): every visit's company is unknown"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			cfg := c.cfg
			cfg.DB = "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
			cfg.Listen = "127.0.0.1:0"
			cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
			a, err := New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if err := a.Run(ctx, func(net.Addr) { cancel() }); err != nil {
				t.Fatal(err)
			}
			var line string
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "msg=settings") {
					line = l
				}
			}
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("the settings line lacks %q:\n%s", w, logs.String())
				}
			}
			if strings.Count(logs.String(), "msg=settings") != 1 || strings.Index(logs.String(), "msg=settings") > strings.Index(logs.String(), "msg=listening") {
				t.Errorf("want one settings line before listening:\n%s", logs.String())
			}
		})
	}
}
