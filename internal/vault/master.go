package vault

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A MasterKey is the key of one master key file: it wraps the contacts'
// data keys (its key-encryption key, KEK) and the database's root secret,
// from which the keys that must outlive a rotation of the master key come
// (the lookup key, Derive's keys). Its check value names it.
type MasterKey struct {
	kek   []byte      // the key-encryption key
	wrap  cipher.AEAD // over kek
	id    [4]byte     // the first bytes of the check: in each data key it wraps
	check string
	prk   []byte // HKDF PRK of the master key: the root of a database first bound to it; nil when known by its KEK only
}

// NewMaster derives the keys of a master key.
func NewMaster(master []byte) (*MasterKey, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("vault: a master key has %d bytes, not %d", KeySize, len(master))
	}
	prk, err := hkdf.Extract(sha256.New, master, nil)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	check := hex.EncodeToString(expand(prk, "foyer vault check")[:16])
	m, err := masterOfKEK(expand(prk, "foyer vault wrap"), check)
	if err != nil {
		return nil, err
	}
	m.prk = prk
	return m, nil
}

// masterOfKEK is the master key known by its KEK and check only.
func masterOfKEK(kek []byte, check string) (*MasterKey, error) {
	raw, err := hex.DecodeString(check)
	if err != nil || len(raw) < 4 {
		return nil, fmt.Errorf("vault: %q is not a master key's check", check)
	}
	wrap, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	m := &MasterKey{kek: kek, wrap: wrap, check: check}
	copy(m.id[:], raw)
	return m, nil
}

// Check is a value that tells this master key from another; it reveals
// nothing of the key.
func (m *MasterKey) Check() string { return m.check }

// Prefix is how every data key this master key wraps begins.
func (m *MasterKey) Prefix() []byte { return append([]byte{wrapVersion}, m.id[:]...) }

// OwnRoot is the root secret of a database first bound to this master key:
// its HKDF pseudo-random key, so that the keys derived from the root are
// those derived from the master key before roots existed.
func (m *MasterKey) OwnRoot() []byte { return m.prk }

// Derive returns a key of KeySize bytes for purpose derived from the master
// key itself, not from a database's root: what must open with the key file
// alone, without the database (a backup), uses it. For a database never
// rotated it equals Keyring.Derive's key for the same purpose. It is nil for
// a master key known by its KEK only (one a rotation row holds).
func (m *MasterKey) Derive(purpose string) []byte {
	if m.prk == nil {
		return nil
	}
	return expand(m.prk, "foyer derived key: "+purpose)
}

// SealRoot wraps a database's root secret under this master key.
func (m *MasterKey) SealRoot(root []byte) []byte { return seal(m.wrap, root, []byte("root key")) }

// OpenRoot opens what SealRoot sealed; ErrSealed under another master key.
func (m *MasterKey) OpenRoot(sealed []byte) ([]byte, error) {
	root, err := open(m.wrap, sealed, []byte("root key"))
	if err != nil {
		return nil, fmt.Errorf("vault: open the root key: %w", err)
	}
	return root, nil
}

// CreateMaster writes a new random master key to path, readable by its
// owner only, and refuses to overwrite any file that is there.
func CreateMaster(path string) (*MasterKey, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: create the master key file: %w", err)
	}
	_, err = f.WriteString(keyHeader + base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("vault: write the master key file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil { // the file's name durable too
		d.Sync()
		d.Close()
	}
	return NewMaster(key)
}

// LoadMaster reads the master key file at path. It refuses a file that
// others than its owner can read or write, and one that holds no key of
// ours; ErrNoKeyFile when there is none.
func LoadMaster(path string) (*MasterKey, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoKeyFile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("vault: the master key file %s can be read or written by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	text := strings.TrimSpace(string(b))
	enc, ok := strings.CutPrefix(text, keyHeader)
	if !ok {
		return nil, fmt.Errorf("vault: %s is not a Foyer master key file (it does not start with %q)", path, keyHeader)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("vault: %s holds no %d-byte key", path, KeySize)
	}
	return NewMaster(key)
}
