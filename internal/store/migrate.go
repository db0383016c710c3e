package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationsFor returns the migrations of one dialect as a flat file system:
// NNNN_name.sql files common to both dialects, and NNNN_name.DIALECT.sql
// files renamed to NNNN_name.sql.
func migrationsFor(d Dialect) (fs.FS, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		if i := strings.IndexByte(base, '.'); i >= 0 {
			if base[i+1:] != string(d) {
				continue
			}
			base = base[:i]
		}
		data, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		if _, dup := out[base+".sql"]; dup {
			return nil, fmt.Errorf("store: migration %s given twice for %s", base, d)
		}
		out[base+".sql"] = &fstest.MapFile{Data: data}
	}
	return out, nil
}

// migrations returns the goose provider of the store's migrations.
func (s *Store) migrations() (*goose.Provider, error) {
	fsys, err := migrationsFor(s.dialect)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, s.db, fsys)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}
