package app

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	_ "modernc.org/sqlite"
)

// TestEmailEventsWrittenAtClose: the server hands the campaigns' opens and
// clicks to its batching writer, and Close writes every one handed in
// before the store closes; the operator's scanner agents and gateway
// networks count theirs apart.
func TestEmailEventsWrittenAtClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	agents := filepath.Join(dir, "agents.txt")
	if err := os.WriteFile(agents, []byte("# ours\nAcmeGuard\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "foyer.db")
	a, err := New(ctx, Config{Listen: "127.0.0.1:0", DB: "sqlite:" + db, Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
		PublicURL: "https://foyer.example.org", EmailScannerAgents: agents, EmailGateways: "198.51.100.0/24", RetentionDelay: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
	if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "N", Subject: "S", HTML: "<p>x</p>", CreatedBy: "t",
		Links: []foyer.CampaignLink{{URL: "https://a.example/"}}}
	if err := a.Store.CreateCampaign(ctx, camp); err != nil {
		t.Fatal(err)
	}
	made, err := a.Store.SendCampaign(ctx, ws.ID, camp.ID, []foyer.Recipient{{ContactID: c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := range n {
		r := httptest.NewRequest("GET", "/c/"+made[0].Links[0], nil)
		switch i {
		case 0:
			r.Header.Set("User-Agent", "Mozilla/5.0 acmeguard/3")
		case 1:
			r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
			r.RemoteAddr = "198.51.100.9:4444"
		default:
			r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
		}
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, r)
		if rec.Code != 302 || rec.Header().Get("Location") != "https://a.example/" {
			t.Fatalf("click %d: %d %q", i, rec.Code, rec.Header().Get("Location"))
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var people, agent, gateway int
	raw.QueryRow(`SELECT COUNT(*) FROM email_events WHERE machine = ''`).Scan(&people)
	raw.QueryRow(`SELECT COUNT(*) FROM email_events WHERE machine = 'scanner-agent'`).Scan(&agent)
	raw.QueryRow(`SELECT COUNT(*) FROM email_events WHERE machine = 'gateway'`).Scan(&gateway)
	if people != n-2 || agent != 1 || gateway != 1 {
		t.Errorf("after Close: %d people's clicks, %d scanner's, %d gateway's; want %d, 1, 1", people, agent, gateway, n-2)
	}
	// The gateway's address was compared, not kept.
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "198.51.100.9") {
		t.Error("the client's address is in the database file")
	}
}
