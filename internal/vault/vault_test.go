package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "master.key")
	k1, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	if _, err := Create(path); err == nil {
		t.Fatal("Create overwrote an existing key file")
	}
	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1.Check() != k2.Check() || len(k1.Check()) != 32 {
		t.Errorf("checks %q and %q of one key", k1.Check(), k2.Check())
	}
	other, err := Create(filepath.Join(t.TempDir(), "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if other.Check() == k1.Check() {
		t.Error("two keys, one check")
	}
	// What sealed under the file's key opens after loading it again.
	d, wrapped, err := k1.NewDataKey("contact 1")
	if err != nil {
		t.Fatal(err)
	}
	sealed := d.Seal("email", []byte("ana@example.com"))
	d2, err := k2.DataKey(wrapped, "contact 1")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d2.Open("email", sealed); err != nil || string(v) != "ana@example.com" {
		t.Errorf("open after reload: %q, %v", v, err)
	}
	if _, err := other.DataKey(wrapped, "contact 1"); !errors.Is(err, ErrSealed) {
		t.Errorf("another master key unwrapped the data key: %v", err)
	}
}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	good := keyHeader + strings.Repeat("QUFB", 10) + "QUE=\n" // 32 bytes of 'A'
	for name, c := range map[string]struct {
		content string
		mode    os.FileMode
		want    string
	}{
		"loose":   {good, 0o644, "can be read or written by others"},
		"other":   {"-----BEGIN PRIVATE KEY-----\n", 0o600, "not a Foyer master key file"},
		"short":   {keyHeader + "QUFB\n", 0o600, "holds no 32-byte key"},
		"garbage": {keyHeader + "!!!\n", 0o600, "holds no 32-byte key"},
		"empty":   {"", 0o600, "not a Foyer master key file"},
	} {
		_, err := Load(write(name, c.content, c.mode))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := Load(write("good", good, 0o600)); err != nil {
		t.Errorf("a good key file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, ErrNoKeyFile) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestSealBindings: a sealed value opens only as its field, under its own
// data key, unaltered; equal values seal differently each time.
func TestSealBindings(t *testing.T) {
	k, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	d1, w1, _ := k.NewDataKey("contact 1 of workspace 1")
	d2, _, _ := k.NewDataKey("contact 2 of workspace 1")
	a := d1.Seal("email", []byte("ana@example.com"))
	b := d1.Seal("email", []byte("ana@example.com"))
	if bytes.Equal(a, b) || bytes.Contains(a, []byte("ana")) {
		t.Error("sealing is deterministic or shows the value")
	}
	for what, open := range map[string]func() ([]byte, error){
		"another field":    func() ([]byte, error) { return d1.Open("phone", a) },
		"another data key": func() ([]byte, error) { return d2.Open("email", a) },
		"altered":          func() ([]byte, error) { c := bytes.Clone(a); c[len(c)-1] ^= 1; return d1.Open("email", c) },
		"truncated":        func() ([]byte, error) { return d1.Open("email", a[:10]) },
		"another version":  func() ([]byte, error) { c := bytes.Clone(a); c[0] = 9; return d1.Open("email", c) },
		"empty":            func() ([]byte, error) { return d1.Open("email", nil) },
	} {
		if v, err := open(); !errors.Is(err, ErrSealed) {
			t.Errorf("%s: opened %q, %v", what, v, err)
		}
	}
	if v, err := d1.Open("email", a); err != nil || string(v) != "ana@example.com" {
		t.Errorf("open: %q, %v", v, err)
	}
	if _, err := k.DataKey(w1, "contact 2 of workspace 1"); !errors.Is(err, ErrSealed) {
		t.Errorf("a data key unwrapped for another owner: %v", err)
	}
	if v, err := d1.Open("empty", d1.Seal("empty", nil)); err != nil || len(v) != 0 {
		t.Errorf("an empty value: %q, %v", v, err)
	}
}

func TestLookup(t *testing.T) {
	k1, _ := New(bytes.Repeat([]byte{1}, KeySize))
	k2, _ := New(bytes.Repeat([]byte{2}, KeySize))
	a, b := k1.Lookup("ana@example.com"), k1.Lookup("ana@example.com")
	if !bytes.Equal(a, b) || len(a) != 32 {
		t.Errorf("one address, lookups %x and %x", a, b)
	}
	if bytes.Equal(a, k1.Lookup("bob@example.com")) || bytes.Equal(a, k2.Lookup("ana@example.com")) {
		t.Error("lookups collide across addresses or keys")
	}
	if _, err := New(make([]byte, 16)); err == nil {
		t.Error("a 16-byte master key was taken")
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k, _ := New(bytes.Repeat([]byte{7}, KeySize))
	d, _, _ := k.NewDataKey("contact 1")
	v := []byte("ana.lopez@example-industries.com")
	for b.Loop() {
		if _, err := d.Open("email", d.Seal("email", v)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRootKeepsDerivations: a keyring over a master key's own root derives
// what New always derived; over the same root under another master key it
// derives the same lookup and Derive keys, while the data keys it wraps
// name their master key and open only with it; a data key wrapped before
// keys were named still opens, and rewraps under another key.
func TestRootKeepsDerivations(t *testing.T) {
	a, err := NewMaster(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewMaster(bytes.Repeat([]byte{2}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := New(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	sealedRoot := b.SealRoot(a.OwnRoot())
	if _, err := a.OpenRoot(sealedRoot); !errors.Is(err, ErrSealed) {
		t.Errorf("the root opened under another master key: %v", err)
	}
	root, err := b.OpenRoot(sealedRoot)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := NewKeyring(b, root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kb.Lookup("x"), legacy.Lookup("x")) || !bytes.Equal(kb.Derive("p"), legacy.Derive("p")) {
		t.Error("the root under another master key derives other keys")
	}
	if kb.Check() != b.Check() || legacy.Check() != a.Check() || a.Check() == b.Check() {
		t.Error("checks")
	}
	// A data key wrapped in the format of before: version 1, no key named.
	key := bytes.Repeat([]byte{7}, KeySize)
	old := seal(a.wrap, key, []byte("data key c"))
	if _, err := legacy.DataKey(old, "c"); err != nil {
		t.Fatalf("a data key of before: %v", err)
	}
	if _, err := kb.DataKey(old, "c"); !errors.Is(err, ErrSealed) {
		t.Errorf("a data key of before opened without its master key: %v", err)
	}
	rewrapped, err := legacy.Rewrap(old, "c", b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(rewrapped, b.Prefix()) {
		t.Errorf("a rewrapped key does not name its master key")
	}
	if _, err := legacy.DataKey(rewrapped, "c"); !errors.Is(err, ErrUnknownMaster) {
		t.Errorf("a key under an unknown master key: %v", err)
	}
	if _, err := kb.DataKey(rewrapped, "c"); err != nil {
		t.Errorf("the rewrapped key under its master key: %v", err)
	}
	// A server holding a gets b from the database, sealed under a.
	nb, err := legacy.OpenMaster(legacy.SealMaster(b), b.Check())
	if err != nil {
		t.Fatal(err)
	}
	legacy.Add(nb)
	if _, err := legacy.DataKey(rewrapped, "c"); err != nil {
		t.Errorf("the rewrapped key after the new master key was added: %v", err)
	}
	if _, err := kb.OpenMaster(legacy.SealMaster(b), b.Check()); !errors.Is(err, ErrSealed) {
		t.Errorf("a sealed master key opened without the key it is sealed under: %v", err)
	}
}
