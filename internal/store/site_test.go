package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

func TestCreateWorkspace(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		// A clock with sub-millisecond digits: CreatedAt keeps milliseconds.
		clock := testutil.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 678_901_234, time.FixedZone("CET", 3600)))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()

		w := &foyer.Workspace{Name: "  Acme  "}
		if err := s.CreateWorkspace(ctx, w); err != nil {
			t.Fatalf("create: %v", err)
		}
		wantCreated := time.Date(2025, 1, 2, 2, 4, 5, 678_000_000, time.UTC)
		if w.ID == 0 || w.Name != "Acme" || !w.CreatedAt.Equal(wantCreated) {
			t.Fatalf("created %+v, want an ID, name Acme, CreatedAt %v", w, wantCreated)
		}

		got, err := s.WorkspaceByName(ctx, "Acme")
		if err != nil {
			t.Fatalf("by name: %v", err)
		}
		if got.ID != w.ID || got.Name != w.Name || !got.CreatedAt.Equal(w.CreatedAt) {
			t.Errorf("by name = %+v, want %+v", got, w)
		}

		other := &foyer.Workspace{Name: "Globex"}
		if err := s.CreateWorkspace(ctx, other); err != nil {
			t.Fatalf("create second: %v", err)
		}
		if other.ID == w.ID {
			t.Errorf("two workspaces share ID %d", w.ID)
		}
	})
}

func TestCreateWorkspaceErrors(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		if err := s.CreateWorkspace(ctx, &foyer.Workspace{Name: "Acme"}); err != nil {
			t.Fatalf("create: %v", err)
		}
		tests := []struct {
			name string
			want string
		}{
			{"Acme", foyer.ECONFLICT},
			{" Acme\t", foyer.ECONFLICT}, // the same name once trimmed
			{"", foyer.EINVALID},
			{"   ", foyer.EINVALID},
		}
		for _, tt := range tests {
			w := &foyer.Workspace{Name: tt.name}
			err := s.CreateWorkspace(ctx, w)
			if got := foyer.ErrorCode(err); got != tt.want {
				t.Errorf("create %q: code %q (err %v), want %q", tt.name, got, err, tt.want)
			}
		}
		// The conflict left the first workspace alone and added none.
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM workspaces`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d workspaces stored, want 1", n)
		}
	})
}

func TestWorkspaceByName(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		w := &foyer.Workspace{Name: "Acme"}
		if err := s.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Globex", "acme", "Acme ", ""} {
			got, err := s.WorkspaceByName(ctx, name)
			if foyer.ErrorCode(err) != foyer.ENOTFOUND || got != nil {
				t.Errorf("by name %q = %+v, %v; want nil, ENOTFOUND", name, got, err)
			}
		}
		got, err := s.WorkspaceByName(ctx, "Acme")
		if err != nil || got.ID != w.ID {
			t.Errorf("by name Acme = %+v, %v; want ID %d", got, err, w.ID)
		}
	})
}

func TestCreateSite(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(time.Date(2025, 5, 6, 7, 8, 9, 123_456_789, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		w := &foyer.Workspace{Name: "Acme"}
		if err := s.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		site := &foyer.Site{
			WorkspaceID: w.ID, Key: "acme_Web-1", Name: "  Acme web  ",
			Hostnames: []string{" WWW.Acme.COM ", "*.Acme-Cdn.io", "[::1]"},
		}
		if err := s.CreateSite(ctx, site); err != nil {
			t.Fatalf("create: %v", err)
		}
		if site.ID == 0 || !site.CreatedAt.Equal(time.Date(2025, 5, 6, 7, 8, 9, 123_000_000, time.UTC)) {
			t.Errorf("created %+v: want an ID and CreatedAt at the clock's millisecond", site)
		}
		want := []string{"www.acme.com", "*.acme-cdn.io", "[::1]"}
		if !reflect.DeepEqual(site.Hostnames, want) || site.Name != "Acme web" {
			t.Errorf("created hostnames %q name %q, want %q, %q", site.Hostnames, site.Name, want, "Acme web")
		}
		got, err := s.SiteByKey(ctx, "acme_Web-1")
		if err != nil {
			t.Fatalf("by key: %v", err)
		}
		if !reflect.DeepEqual(got.Hostnames, want) || got.Name != "Acme web" {
			t.Errorf("stored hostnames %q name %q, want %q, %q", got.Hostnames, got.Name, want, "Acme web")
		}

		// An empty name defaults to the key.
		unnamed := &foyer.Site{WorkspaceID: w.ID, Key: "unnamed", Hostnames: []string{"a.example"}}
		if err := s.CreateSite(ctx, unnamed); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SiteByKey(ctx, "unnamed"); err != nil || got.Name != "unnamed" {
			t.Errorf("unnamed site = %+v, %v; want name unnamed", got, err)
		}
	})
}

func TestCreateSiteErrors(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		w, _ := testutil.NewSite(t, s, "Acme", "taken", "acme.com")
		other := &foyer.Workspace{Name: "Globex"}
		if err := s.CreateWorkspace(ctx, other); err != nil {
			t.Fatal(err)
		}
		hosts := []string{"example.com"}
		tests := []struct {
			name string
			site foyer.Site
			want string
		}{
			{"empty key", foyer.Site{WorkspaceID: w.ID, Key: "", Hostnames: hosts}, foyer.EINVALID},
			{"key with space", foyer.Site{WorkspaceID: w.ID, Key: "a b", Hostnames: hosts}, foyer.EINVALID},
			{"key with dot", foyer.Site{WorkspaceID: w.ID, Key: "a.b", Hostnames: hosts}, foyer.EINVALID},
			{"non-ASCII key", foyer.Site{WorkspaceID: w.ID, Key: "café", Hostnames: hosts}, foyer.EINVALID},
			{"65-character key", foyer.Site{WorkspaceID: w.ID, Key: strings.Repeat("k", 65), Hostnames: hosts}, foyer.EINVALID},
			{"no hostname", foyer.Site{WorkspaceID: w.ID, Key: "nohost"}, foyer.EINVALID},
			{"hostname with port", foyer.Site{WorkspaceID: w.ID, Key: "port", Hostnames: []string{"example.com:8080"}}, foyer.EINVALID},
			{"URL as hostname", foyer.Site{WorkspaceID: w.ID, Key: "url", Hostnames: []string{"https://example.com"}}, foyer.EINVALID},
			{"underscore in hostname", foyer.Site{WorkspaceID: w.ID, Key: "under", Hostnames: []string{"ex_ample.com"}}, foyer.EINVALID},
			{"empty label", foyer.Site{WorkspaceID: w.ID, Key: "label", Hostnames: []string{"example..com"}}, foyer.EINVALID},
			{"one good, one bad hostname", foyer.Site{WorkspaceID: w.ID, Key: "mixed", Hostnames: []string{"ok.com", "bad host"}}, foyer.EINVALID},
			{"bare wildcard", foyer.Site{WorkspaceID: w.ID, Key: "star", Hostnames: []string{"*."}}, foyer.EINVALID},
			{"duplicate key", foyer.Site{WorkspaceID: w.ID, Key: "taken", Hostnames: hosts}, foyer.ECONFLICT},
			{"duplicate key in another workspace", foyer.Site{WorkspaceID: other.ID, Key: "taken", Hostnames: hosts}, foyer.ECONFLICT},
			{"unknown workspace", foyer.Site{WorkspaceID: other.ID + 1000, Key: "orphan", Hostnames: hosts}, foyer.ENOTFOUND},
			{"zero workspace", foyer.Site{Key: "orphan0", Hostnames: hosts}, foyer.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				site := tt.site
				wantCode(t, s.CreateSite(ctx, &site), tt.want)
			})
		}
		// No failed create stored a site: each workspace has what it had.
		if sites, err := s.Sites(ctx, w.ID); err != nil || len(sites) != 1 || sites[0].Key != "taken" {
			t.Errorf("sites of %s = %v, %v; want only taken", w.Name, sites, err)
		}
		if sites, err := s.Sites(ctx, other.ID); err != nil || len(sites) != 0 {
			t.Errorf("sites of %s = %v, %v; want none", other.Name, sites, err)
		}
	})
}

func TestSiteByKey(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0)
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		w := &foyer.Workspace{Name: "Acme"}
		if err := s.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		tests := []foyer.Site{
			{Key: "gpc-on", Name: "GPC on", Hostnames: []string{"acme.com", "*.acme.com"}, HonorGPC: true},
			{Key: "gpc-off", Name: "GPC off", Hostnames: []string{"shop.acme.com"}, HonorGPC: false},
			{Key: "settings", Name: "Every setting", Hostnames: []string{"www.acme.com"}, HonorGPC: true,
				Consent: foyer.ConsentRequired, ExcludedPaths: []string{"/admin/", "/account/*/billing"},
				Identify: foyer.Identification{Forms: true, EmailLinks: true}},
			{Key: "forms-only", Name: "Forms only", Hostnames: []string{"forms.acme.com"},
				Consent: foyer.ConsentNone, Identify: foyer.Identification{Forms: true}},
		}
		for _, tt := range tests {
			t.Run(tt.Key, func(t *testing.T) {
				clock.Add(time.Hour + time.Millisecond)
				want := tt
				want.WorkspaceID = w.ID
				if err := s.CreateSite(ctx, &want); err != nil {
					t.Fatal(err)
				}
				got, err := s.SiteByKey(ctx, tt.Key)
				if err != nil {
					t.Fatal(err)
				}
				if !got.CreatedAt.Equal(want.CreatedAt) {
					t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
				}
				got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
				if !reflect.DeepEqual(*got, want) {
					t.Errorf("by key = %+v\nwant       %+v", *got, want)
				}
			})
		}
		for _, key := range []string{"unknown", "GPC-ON", ""} {
			got, err := s.SiteByKey(ctx, key)
			if foyer.ErrorCode(err) != foyer.ENOTFOUND || got != nil {
				t.Errorf("by key %q = %+v, %v; want nil, ENOTFOUND", key, got, err)
			}
		}
	})
}

func TestSitesIsolation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws := map[string]*foyer.Workspace{}
		for _, name := range []string{"Acme", "Globex", "Empty"} {
			w := &foyer.Workspace{Name: name}
			if err := s.CreateWorkspace(ctx, w); err != nil {
				t.Fatal(err)
			}
			ws[name] = w
		}
		// Created out of key order, interleaved between workspaces.
		for _, c := range []struct{ ws, key string }{
			{"Acme", "acme-shop"}, {"Globex", "globex-web"}, {"Acme", "acme-blog"},
			{"Globex", "globex-api"}, {"Acme", "acme-docs"},
		} {
			site := &foyer.Site{WorkspaceID: ws[c.ws].ID, Key: c.key, Hostnames: []string{c.key + ".example"}}
			if err := s.CreateSite(ctx, site); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			ws   string
			want []string
		}{
			{"Acme", []string{"acme-blog", "acme-docs", "acme-shop"}},
			{"Globex", []string{"globex-api", "globex-web"}},
			{"Empty", nil},
		}
		for _, tt := range tests {
			sites, err := s.Sites(ctx, ws[tt.ws].ID)
			if err != nil {
				t.Fatalf("sites of %s: %v", tt.ws, err)
			}
			var keys []string
			for _, site := range sites {
				keys = append(keys, site.Key)
				if site.WorkspaceID != ws[tt.ws].ID {
					t.Errorf("site %s of %s has workspace %d", site.Key, tt.ws, site.WorkspaceID)
				}
				if want := []string{site.Key + ".example"}; !reflect.DeepEqual(site.Hostnames, want) {
					t.Errorf("site %s hostnames %q, want %q", site.Key, site.Hostnames, want)
				}
			}
			if !reflect.DeepEqual(keys, tt.want) {
				t.Errorf("sites of %s = %q, want %q", tt.ws, keys, tt.want)
			}
		}
		if sites, err := s.Sites(ctx, 1_000_000); err != nil || len(sites) != 0 {
			t.Errorf("sites of an unknown workspace = %v, %v; want none", sites, err)
		}
	})
}
