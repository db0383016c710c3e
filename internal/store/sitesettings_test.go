package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

func TestSiteSettingsDefaults(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		w, site := testutil.NewSite(t, s, "Acme", "acme", "acme.example")
		// A row as written before migration 0010 gets the columns' defaults.
		if _, err := s.DB().ExecContext(ctx, store.Rebind(s, `INSERT INTO sites (workspace_id, site_key, name, hostnames, created_at)
			VALUES (?, 'old', 'Old', 'old.example', 0)`), w.ID); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{site.Key, "old"} {
			got, err := s.SiteByKey(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if got.Consent != foyer.ConsentNone || got.ExcludedPaths != nil || got.KeepParams != nil || !reflect.DeepEqual(got.Identify, foyer.Identification{}) {
				t.Errorf("%s: consent %q, excluded %q, kept parameters %q, identify %+v; want none, none, none, all off",
					key, got.Consent, got.ExcludedPaths, got.KeepParams, got.Identify)
			}
		}
		// The database refuses an unknown consent mode even past the Go checks.
		if _, err := s.DB().ExecContext(ctx, store.Rebind(s, `UPDATE sites SET consent_mode = 'maybe' WHERE id = ?`), site.ID); err == nil {
			t.Error("the database stored consent mode 'maybe'")
		}
	})
}

func TestUpdateSite(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		acme, site := testutil.NewSite(t, s, "Acme", "acme", "acme.example")
		globex, other := testutil.NewSite(t, s, "Globex", "globex", "globex.example")
		created := site.CreatedAt

		up := &foyer.Site{ID: site.ID, WorkspaceID: acme.ID, Key: "ignored", Name: "  Acme shop ",
			Hostnames: []string{" Shop.Acme.Example", "*.acme.example", "[2001:DB8:0::1]"}, HonorGPC: false,
			Consent:       foyer.ConsentRequired,
			ExcludedPaths: []string{" /admin/ ", "", "/account/*/billing", "/admin/"},
			KeepParams:    []string{" Page", "q", "", "page", "filter[category]"},
			Identify:      foyer.Identification{Forms: true, EmailLinks: true}}
		if err := s.UpdateSite(ctx, up); err != nil {
			t.Fatalf("update: %v", err)
		}
		want := foyer.Site{ID: site.ID, WorkspaceID: acme.ID, Key: "acme", Name: "Acme shop",
			Hostnames: []string{"shop.acme.example", "*.acme.example", "[2001:db8::1]"}, HonorGPC: false,
			Consent: foyer.ConsentRequired, ExcludedPaths: []string{"/admin/", "/account/*/billing"},
			KeepParams: []string{"page", "q", "filter[category]"},
			Identify:   foyer.Identification{Forms: true, EmailLinks: true}, CreatedAt: created}
		if !reflect.DeepEqual(*up, want) {
			t.Errorf("after update the site is\n %+v\nwant\n %+v", *up, want)
		}
		for name, get := range map[string]func() (*foyer.Site, error){
			"by key": func() (*foyer.Site, error) { return s.SiteByKey(ctx, "acme") },
			"by ID":  func() (*foyer.Site, error) { return s.SiteByID(ctx, acme.ID, site.ID) },
		} {
			got, err := get()
			if err != nil || !reflect.DeepEqual(*got, want) {
				t.Errorf("%s = %+v, %v\nwant       %+v", name, got, err, want)
			}
		}

		// Bad settings: EINVALID, and what was stored stays.
		for _, bad := range []struct {
			name string
			edit func(*foyer.Site)
			msg  string
		}{
			{"no hostname", func(s *foyer.Site) { s.Hostnames = nil }, "at least one hostname"},
			{"bad hostname", func(s *foyer.Site) { s.Hostnames = []string{"not a host"} }, "is not a hostname"},
			{"consent mode", func(s *foyer.Site) { s.Consent = "maybe" }, `consent mode "maybe"`},
			{"excluded path", func(s *foyer.Site) { s.ExcludedPaths = []string{"/ok/", "/blog-*"} }, "'*' must be a whole segment"},
			{"long name", func(s *foyer.Site) { s.Name = strings.Repeat("n", 201) }, "at most 200 characters"},
			{"bracketed text", func(s *foyer.Site) { s.Hostnames = []string{"[not-an-address]"} }, "only an IPv6 address may go in brackets"},
			{"kept identifier", func(s *foyer.Site) { s.KeepParams = []string{"page", "fy_fn"} }, `query parameter "fy_fn"`},
		} {
			edit := want
			edit.Name, edit.Hostnames, edit.ExcludedPaths = "Changed", []string{"changed.example"}, nil
			bad.edit(&edit)
			err := s.UpdateSite(ctx, &edit)
			if foyer.ErrorCode(err) != foyer.EINVALID || !strings.Contains(foyer.ErrorMessage(err), bad.msg) {
				t.Errorf("%s: %v, want EINVALID saying %q", bad.name, err, bad.msg)
			}
		}
		if got, err := s.SiteByKey(ctx, "acme"); err != nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("after refused updates the site is %+v, %v\nwant %+v", got, err, want)
		}

		// Another workspace's site, and a site that does not exist: ENOTFOUND.
		before, err := s.SiteByKey(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			ws, id int64
		}{
			{"another workspace's site", acme.ID, other.ID},
			{"the site from another workspace", globex.ID, site.ID},
			{"no such site", acme.ID, other.ID + 1000},
		} {
			hijack := &foyer.Site{ID: c.id, WorkspaceID: c.ws, Name: "Hijacked", Hostnames: []string{"evil.example"},
				Consent: foyer.ConsentNone, HonorGPC: true}
			wantCode(t, s.UpdateSite(ctx, hijack), foyer.ENOTFOUND)
			if got, err := s.SiteByID(ctx, c.ws, c.id); foyer.ErrorCode(err) != foyer.ENOTFOUND || got != nil {
				t.Errorf("%s: by ID = %+v, %v; want ENOTFOUND", c.name, got, err)
			}
		}
		if got, err := s.SiteByKey(ctx, "globex"); err != nil || !reflect.DeepEqual(got, before) {
			t.Errorf("globex after the attempts: %+v, %v; want %+v", got, err, before)
		}
		if got, err := s.SiteByKey(ctx, "acme"); err != nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("acme after the attempts: %+v, %v; want %+v", got, err, want)
		}
	})
}
