package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/hubspot/hubspottest"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestHubSpotRecognition: a served Foyer, pointed at a HubSpot that knows
// a user token, links the visitor who sends it to the Foyer contact with
// that HubSpot ID; after the token is revoked, a new user token links
// nobody and the workspace's settings show HubSpot's refusal.
func TestHubSpotRecognition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hs := hubspottest.New(t, "pat-app-test")
	janeID := hs.AddContact(hubspottest.Contact{Email: "jane@client.example", FirstName: "Jane"})
	hs.SetUTK("utkjane", janeID)
	bobID := hs.AddContact(hubspottest.Contact{Email: "bob@client.example"})
	hs.SetUTK("utkbob", bobID)

	dir := t.TempDir()
	a, err := New(ctx, Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(dir, "foyer.db"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), HubSpotAPI: hs.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st := a.Store
	ws, site := testutil.NewSite(t, st, "Acme", "acme", "www.example.com")
	site.Identify.HubSpot = true
	if err := st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetHubSpotToken(ctx, ws.ID, "pat-app-test", "test"); err != nil {
		t.Fatal(err)
	}
	// Jane is a contact by her HubSpot ID (another email); Bob is none.
	jane := &foyer.Contact{WorkspaceID: ws.ID, Email: "jane.other@client.example", CRMID: janeID}
	if err := st.CreateContact(ctx, jane, "test"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	send := func(visitor, utk string) {
		t.Helper()
		body := `{"site":"acme","visitor":"` + visitor + `","events":[{"type":"pageview","url":"https://www.example.com/"},` +
			`{"type":"identify","via":"hubspot","url":"https://www.example.com/","hubspotutk":"` + utk + `"}]}`
		req, _ := http.NewRequest("POST", srv.URL+"/collect", strings.NewReader(body))
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("collect: %d", resp.StatusCode)
		}
	}
	linkedTo := func(visitor string, want int64) int64 {
		t.Helper()
		var got int64
		wait := 5 * time.Second
		if want == 0 {
			wait = time.Second // long enough for HubSpot's fake to answer
		}
		for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
			if _, err := st.RollupAll(ctx); err != nil {
				t.Fatal(err)
			}
			vs, err := st.Activity(ctx, foyer.ActivityQuery{WorkspaceID: ws.ID, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			got = 0
			for _, v := range vs {
				if v.VisitorUID == visitor && v.Person != nil {
					got = v.Person.ContactID
				}
			}
			if got == want && want != 0 {
				break
			}
		}
		return got
	}
	send("visitor-hubspot-jane-1", "utkjane")
	if got := linkedTo("visitor-hubspot-jane-1", jane.ID); got != jane.ID {
		t.Errorf("Jane's visitor linked to %d, want %d", got, jane.ID)
	}
	send("visitor-hubspot-bob-01", "utkbob")
	if got := linkedTo("visitor-hubspot-bob-01", 0); got != 0 {
		t.Errorf("Bob, no contact, linked to %d", got)
	}
	hs.Revoke()
	hs.SetUTK("utkjane2", janeID)
	send("visitor-hubspot-jane-2", "utkjane2")
	var p foyer.PersonaSettings
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && p.HubSpotError == ""; time.Sleep(25 * time.Millisecond) {
		if p, err = st.PersonaSettings(ctx, ws.ID); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(p.HubSpotError, "401") && !strings.Contains(strings.ToLower(p.HubSpotError), "unauthorized") &&
		!strings.Contains(strings.ToLower(p.HubSpotError), "token") {
		t.Errorf("after revoking, the settings say %q", p.HubSpotError)
	}
	if strings.Contains(p.HubSpotError, "pat-app-test") {
		t.Error("the recorded error holds the token")
	}
	if got := linkedTo("visitor-hubspot-jane-2", 0); got != 0 {
		t.Errorf("with a revoked token, linked to %d", got)
	}
}
