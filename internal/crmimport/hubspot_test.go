package crmimport_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/crmimport"
	"github.com/foyerhq/foyer/internal/hubspot"
	"github.com/foyerhq/foyer/internal/hubspot/hubspottest"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// TestHubSpotImport: HubSpot's contacts, read page by page, become
// contacts with their HubSpot ID as CRM ID and HubSpot's consent applied
// by its date; one without an email is rejected; a company's import takes
// only its domain; a second import changes nothing.
func TestHubSpotImport(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := testutil.NewStore(t, d, store.Options{})
			keys, err := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			s.UseKeys(keys)
			ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			hs := hubspottest.New(t, "pat-secret")
			hs.PageSize(2)
			day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			jane := hs.AddContact(hubspottest.Contact{Email: "jane@client.example", FirstName: "Jane", LastName: "Doe", JobTitle: "CTO",
				Consent: "accepted", ConsentAt: day})
			hs.AddContact(hubspottest.Contact{Email: "rob@client.example", FirstName: "Rob", Consent: "refused", ConsentAt: day})
			hs.AddContact(hubspottest.Contact{Email: "ann@other.example", FirstName: "Ann"})
			hs.AddContact(hubspottest.Contact{FirstName: "No", LastName: "Email"})
			hs.AddContact(hubspottest.Contact{Email: "zed@client.example", Consent: "maybe"})
			c := hubspot.New("pat-secret")
			c.BaseURL = hs.URL()

			dry, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Actor: "test", DryRun: true})
			if err != nil || dry.New != 4 || dry.Rejected != 1 {
				t.Fatalf("dry run: %+v, %v", dry, err)
			}
			if got, _ := s.SearchContacts(ctx, ws.ID, foyer.ContactQuery{}); len(got) != 0 {
				t.Fatalf("a dry run wrote %d contacts", len(got))
			}
			rep, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.New != 4 || rep.Rejected != 1 || len(rep.Errors) != 1 {
				t.Fatalf("report %+v", rep)
			}
			got, err := s.ContactByEmail(ctx, ws.ID, "jane@client.example")
			if err != nil {
				t.Fatal(err)
			}
			if got.CRMID != jane || got.Role != "CTO" || got.Consent.Status != foyer.ConsentAccepted || !got.Consent.At.Equal(day) {
				t.Errorf("jane: %+v", got)
			}
			rob, _ := s.ContactByEmail(ctx, ws.ID, "rob@client.example")
			if rob == nil || rob.Consent.Status != foyer.ConsentRefused {
				t.Errorf("rob: %+v", rob)
			}
			zed, _ := s.ContactByEmail(ctx, ws.ID, "zed@client.example")
			if zed == nil || zed.Consent.Status != foyer.ConsentUnanswered {
				t.Errorf("zed, with an unknown consent value: %+v", zed)
			}
			// The CRM ID makes HubSpot recognition find Jane.
			if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "test"); err != nil {
				t.Fatal(err)
			}
			if id, err := s.MatchCRM(ctx, ws.ID, jane, ""); err != nil || id != got.ID {
				t.Errorf("MatchCRM(%s) = %d, %v; want %d", jane, id, err, got.ID)
			}
			again, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Actor: "test"})
			if err != nil || again.New != 0 || again.Updated != 0 || again.Unchanged != 4 {
				t.Errorf("second import: %+v, %v", again, err)
			}
			hs.AddContact(hubspottest.Contact{Email: "new@client.example"})
			hs.AddContact(hubspottest.Contact{Email: "new@other.example"})
			dom, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Actor: "test", Domain: "client.example"})
			if err != nil || dom.New != 1 || dom.Unchanged != 3 {
				t.Errorf("the domain's import: %+v, %v", dom, err)
			}
			hs.Revoke()
			if _, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Actor: "test"}); err == nil {
				t.Error("a revoked token imported")
			}
		})
	}
}
