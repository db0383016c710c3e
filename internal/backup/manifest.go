package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FormatVersion is the version of the backup file's format and manifest.
const FormatVersion = 1

// Ext ends every backup file's name.
const Ext = ".fbk"

// Manifest describes the dump a backup holds. It is encrypted and
// authenticated with the dump, as the file's last record.
type Manifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Dialect string    `json:"dialect"` // "sqlite" or "postgres"
	// SchemaVersion is the goose version of the database: its last
	// applied migration.
	SchemaVersion int64 `json:"schema_version"`
	// Schema is the PostgreSQL schema dumped ("public" unless the DSN
	// named another in search_path); "" on SQLite.
	Schema string `json:"schema,omitempty"`
	// Tables holds each table's row count, read in the dump's snapshot.
	Tables map[string]int64 `json:"tables"`
	// Compression is how the dump is compressed inside the encryption:
	// "deflate" (SQLite), or "" (PostgreSQL's custom format is already).
	Compression string `json:"compression,omitempty"`
	// SHA256 (hex), Size and Chunks are the dump's, as encrypted (after
	// compression).
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Chunks uint64 `json:"chunks"`
	// Foyer is the version of Foyer that made the backup.
	Foyer string `json:"foyer"`
}

func parseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: the manifest: %v", ErrCorrupt, err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("backup: format %d, this Foyer reads %d", m.Format, FormatVersion)
	}
	return &m, nil
}

// checkCounts compares a restored database's row counts with the
// manifest's; the error names the first difference.
func (m *Manifest) checkCounts(got map[string]int64) error {
	for _, t := range slices.Sorted(maps.Keys(m.Tables)) {
		g, ok := got[t]
		if !ok {
			return fmt.Errorf("table %s is missing", t)
		}
		if g != m.Tables[t] {
			return fmt.Errorf("table %s has %d rows, the manifest %d", t, g, m.Tables[t])
		}
	}
	for _, t := range slices.Sorted(maps.Keys(got)) {
		if _, ok := m.Tables[t]; !ok {
			return fmt.Errorf("table %s is not in the manifest", t)
		}
	}
	return nil
}

// Info is one backup file, as List finds it.
type Info struct {
	Path string
	Size int64
	// Manifest is nil when it could not be read (Err says why).
	Manifest *Manifest
	Err      error
	// Verified is when verify last passed on this file, unchanged since;
	// zero when never.
	Verified time.Time
}

// verifiedExt ends the note verify leaves beside a backup it passed.
const verifiedExt = ".verified"

// verifiedNote is the content of a .verified note.
type verifiedNote struct {
	At   time.Time `json:"at"`
	Size int64     `json:"size"`
	SHA  string    `json:"sha256"` // of the manifest's dump
}

// markVerified leaves the note that path passed verify at now.
func markVerified(path string, m *Manifest, now time.Time) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(verifiedNote{At: now.UTC(), Size: st.Size(), SHA: m.SHA256})
	return os.WriteFile(path+verifiedExt, b, 0o600)
}

// verifiedAt returns when path passed verify, if the note is there and the
// file has not changed in size since.
func verifiedAt(path string, size int64, m *Manifest) time.Time {
	b, err := os.ReadFile(path + verifiedExt)
	if err != nil {
		return time.Time{}
	}
	var n verifiedNote
	if json.Unmarshal(b, &n) != nil || n.Size != size || m == nil || n.SHA != m.SHA256 {
		return time.Time{}
	}
	return n.At
}

// List returns the backups in dir, oldest first, with their manifests
// read under key (the backup key: Key of the keyring).
func List(dir string, key []byte) ([]Info, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: list %s: %w", dir, err)
	}
	var out []Info
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), Ext) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		in := Info{Path: path}
		in.Manifest, in.Size, in.Err = ReadManifest(path, key)
		if in.Manifest != nil {
			in.Verified = verifiedAt(path, in.Size, in.Manifest)
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(filepath.Base(a.Path), filepath.Base(b.Path)) })
	return out, nil
}

// ReadManifest reads the manifest of the backup at path without reading
// the dump, and returns it with the file's size. It answers ErrWrongKey,
// ErrNotBackup, ErrTruncated or ErrCorrupt (wrapped) for a file it cannot
// read.
func ReadManifest(path string, key []byte) (*Manifest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("backup: %w", err)
	}
	m, err := readManifest(f, st.Size(), key)
	if err != nil {
		return nil, st.Size(), fmt.Errorf("backup %s: %w", filepath.Base(path), err)
	}
	return m, st.Size(), nil
}

// FileName is the name of a backup taken at t, of kind ("manual",
// "hourly", "daily", "weekly"): names sort by time.
func FileName(t time.Time, kind string) string {
	return "foyer-" + t.UTC().Format("20060102T150405Z") + "-" + kind + Ext
}
