// Package vault encrypts personal fields at rest. A master key, read from a
// file the operator keeps (--key-file), never leaves the process: from it
// come a key that wraps each contact's own data key, a key for the keyed
// hashes that find a contact by email without storing the address, and a
// check value that tells a wrong master key at start.
//
// Each contact's fields are sealed with AES-256-GCM under its data key,
// with the field's name and the contact's row as associated data, so that
// a sealed value copied to another field or another contact does not open.
// Destroying a contact's wrapped data key makes its fields unreadable for
// good, backups included, which is how erasure works.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
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

// keyHeader starts a master key file; the key follows in base64.
const keyHeader = "foyer-master-key-v1:"

// KeySize is the size of the master key and of each data key: AES-256.
const KeySize = 32

// Keyring holds the keys derived from one master key.
type Keyring struct {
	wrap   cipher.AEAD // wraps data keys
	lookup []byte      // HMAC-SHA-256 key of the email lookups
	check  string      // tells this master key from another
	prk    []byte      // HKDF pseudo-random key of the master key, for Derive
}

// ErrNoKeyFile is what Load answers when the file does not exist.
var ErrNoKeyFile = errors.New("vault: no master key file")

// Create writes a new random master key to path, readable by its owner
// only, and refuses to overwrite any file that is there.
func Create(path string) (*Keyring, error) {
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
	return New(key)
}

// Load reads the master key file at path. It refuses a file that others
// than its owner can read or write, and one that holds no key of ours.
func Load(path string) (*Keyring, error) {
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
	return New(key)
}

// New derives the keyring of a master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("vault: a master key has %d bytes, not %d", KeySize, len(master))
	}
	prk, err := hkdf.Extract(sha256.New, master, nil)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	derive := func(info string) []byte { return expand(prk, "foyer vault "+info) }
	wrap, err := newGCM(derive("wrap"))
	if err != nil {
		return nil, err
	}
	return &Keyring{wrap: wrap, lookup: derive("lookup"), check: hex.EncodeToString(derive("check")[:16]), prk: prk}, nil
}

// expand is HKDF-Expand of prk with info, to a key of KeySize bytes.
func expand(prk []byte, info string) []byte {
	k, err := hkdf.Expand(sha256.New, prk, info, KeySize)
	if err != nil {
		panic(err) // only for lengths HKDF cannot give
	}
	return k
}

// Derive returns a key of KeySize bytes for purpose (such as "form
// links"), derived from the master key with HKDF under an info string of
// its own: it is none of the keyring's other keys, and another purpose
// gives another key. The same master key always gives the same key.
func (k *Keyring) Derive(purpose string) []byte {
	return expand(k.prk, "foyer derived key: "+purpose)
}

// Sealer returns a DataKey over the key Derive gives for purpose, for
// values that belong to no contact (a workspace's connector token).
func (k *Keyring) Sealer(purpose string) (*DataKey, error) {
	return newDataKey(k.Derive(purpose))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return cipher.NewGCM(block)
}

// Check is a value that the database keeps beside what this keyring
// sealed: another master key gives another. It reveals nothing of the key.
func (k *Keyring) Check() string { return k.check }

// Lookup is the keyed hash of a normalised email: equal addresses give
// equal hashes, and without the master key the hash tells nothing.
func (k *Keyring) Lookup(email string) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(email))
	return m.Sum(nil)
}

// sealVersion starts every sealed value: the format, for a later change.
const sealVersion = 1

// NewDataKey makes a random data key, and the same wrapped under the
// master key for storage. aad binds the wrapped key to its owner (such as
// "contact 42 of workspace 7").
func (k *Keyring) NewDataKey(aad string) (*DataKey, []byte, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	d, err := newDataKey(key)
	if err != nil {
		return nil, nil, err
	}
	return d, seal(k.wrap, key, []byte("data key "+aad)), nil
}

// DataKey unwraps a stored data key; it fails for a key wrapped under
// another master key, for another owner, or altered.
func (k *Keyring) DataKey(wrapped []byte, aad string) (*DataKey, error) {
	key, err := open(k.wrap, wrapped, []byte("data key "+aad))
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap the data key of %s: %w", aad, err)
	}
	return newDataKey(key)
}

// DataKey seals and opens the fields of one owner.
type DataKey struct{ aead cipher.AEAD }

func newDataKey(key []byte) (*DataKey, error) {
	a, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &DataKey{aead: a}, nil
}

// Seal encrypts a field's value; field names it, so that a sealed value
// opens only as that field.
func (d *DataKey) Seal(field string, value []byte) []byte {
	return seal(d.aead, value, []byte(field))
}

// Open decrypts what Seal sealed as field.
func (d *DataKey) Open(field string, sealed []byte) ([]byte, error) {
	v, err := open(d.aead, sealed, []byte(field))
	if err != nil {
		return nil, fmt.Errorf("vault: open %s: %w", field, err)
	}
	return v, nil
}

// seal writes the version byte, a random nonce and the ciphertext.
func seal(a cipher.AEAD, plain, aad []byte) []byte {
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plain)+a.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return a.Seal(out, out[1:], plain, aad)
}

// ErrSealed is what opening a value that is not ours, or was altered,
// or was sealed under another key or for another field, answers.
var ErrSealed = errors.New("the value is altered, or sealed under another key or for another field")

func open(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := 1 + a.NonceSize()
	if len(sealed) < n+a.Overhead() || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	plain, err := a.Open(nil, sealed[1:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}
