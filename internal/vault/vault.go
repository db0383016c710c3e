// Package vault encrypts personal fields at rest. A master key, read from a
// file the operator keeps (--key-file), never leaves the process and is
// never stored: it wraps each contact's own data key, and the database's
// root secret. From the root come a key for the keyed hashes that find a
// contact by email without storing the address, and the keys of Derive;
// the root outlives a rotation of the master key, so that those hashes and
// keys do not change with it. A check value tells a wrong master key at
// start. A database first bound to a master key before roots existed has
// that key's own HKDF pseudo-random key as its root, so that every value
// derived before is derived again, byte for byte.
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
	"errors"
	"fmt"
	"slices"
	"sync"
)

// keyHeader starts a master key file; the key follows in base64.
const keyHeader = "foyer-master-key-v1:"

// KeySize is the size of the master key and of each data key: AES-256.
const KeySize = 32

// Keyring holds a database's keys: those derived from its root secret,
// which a rotation of the master key does not change (the lookup key,
// Derive's keys), and the master keys that wrap its data keys: the one
// that wraps new data keys and, during a rotation, the other.
type Keyring struct {
	lookup []byte // HMAC-SHA-256 key of the email lookups
	root   []byte // the root secret, HKDF pseudo-random key of Derive

	mu      sync.RWMutex
	masters map[[4]byte]*MasterKey // by id
	current *MasterKey             // wraps new data keys
}

// ErrNoKeyFile is what Load answers when the file does not exist.
var ErrNoKeyFile = errors.New("vault: no master key file")

// ErrUnknownMaster is what unwrapping a data key answers when it is wrapped
// under a master key that the keyring does not hold.
var ErrUnknownMaster = errors.New("vault: the data key is wrapped under a master key this process does not hold")

// Create writes a new random master key to path, as CreateMaster, and
// returns the keyring of a database first bound to it.
func Create(path string) (*Keyring, error) {
	m, err := CreateMaster(path)
	if err != nil {
		return nil, err
	}
	return NewKeyring(m, m.OwnRoot())
}

// Load reads the master key file at path, as LoadMaster, and returns the
// keyring of a database first bound to it. A database's own keyring, whose
// root may be another (after a rotation), comes from store.OpenKeyring.
func Load(path string) (*Keyring, error) {
	m, err := LoadMaster(path)
	if err != nil {
		return nil, err
	}
	return NewKeyring(m, m.OwnRoot())
}

// New derives the keyring of a database first bound to master: its root
// is the master key's own.
func New(master []byte) (*Keyring, error) {
	m, err := NewMaster(master)
	if err != nil {
		return nil, err
	}
	return NewKeyring(m, m.OwnRoot())
}

// NewKeyring is the keyring of root whose data keys m wraps.
func NewKeyring(m *MasterKey, root []byte) (*Keyring, error) {
	if m == nil || len(root) != KeySize {
		return nil, fmt.Errorf("vault: a keyring needs a master key and a %d-byte root", KeySize)
	}
	root = slices.Clone(root)
	k := &Keyring{lookup: expand(root, "foyer vault lookup"), root: root, masters: map[[4]byte]*MasterKey{m.id: m}, current: m}
	return k, nil
}

// expand is HKDF-Expand of prk with info, to a key of KeySize bytes.
func expand(prk []byte, info string) []byte {
	k, err := hkdf.Expand(sha256.New, prk, info, KeySize)
	if err != nil {
		panic(err) // only for lengths HKDF cannot give
	}
	return k
}

// Add makes the keyring open data keys that m wraps too.
func (k *Keyring) Add(m *MasterKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.masters[m.id] = m
}

// UseForNew makes m, added, the master key that wraps new data keys.
func (k *Keyring) UseForNew(m *MasterKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.masters[m.id] = m
	k.current = m
}

// Master returns the master key of check that the keyring holds, or nil.
func (k *Keyring) Master(check string) *MasterKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, m := range k.masters {
		if m.check == check {
			return m
		}
	}
	return nil
}

// SealRoot wraps the keyring's root under m, for a database bound to m.
func (k *Keyring) SealRoot(m *MasterKey) []byte { return m.SealRoot(k.root) }

// SealMaster wraps m's key-encryption key under the master key that wraps
// new data keys, so that a process holding that key can open data keys
// that m wraps, during a rotation to m.
func (k *Keyring) SealMaster(m *MasterKey) []byte {
	k.mu.RLock()
	cur := k.current
	k.mu.RUnlock()
	return seal(cur.wrap, m.kek, []byte("master key "+m.check))
}

// OpenMaster opens what SealMaster sealed, the master key of check, with
// any master key the keyring holds.
func (k *Keyring) OpenMaster(sealed []byte, check string) (*MasterKey, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, m := range k.masters {
		if kek, err := open(m.wrap, sealed, []byte("master key "+check)); err == nil {
			return masterOfKEK(kek, check)
		}
	}
	return nil, fmt.Errorf("vault: open the master key %.8s…: %w", check, ErrSealed)
}

// Derive returns a key of KeySize bytes for purpose (such as "form
// links"), derived from the root with HKDF under an info string of
// its own: it is none of the keyring's other keys, and another purpose
// gives another key. The same root always gives the same key, whatever
// master key wraps it now.
func (k *Keyring) Derive(purpose string) []byte {
	return expand(k.root, "foyer derived key: "+purpose)
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

// Check is the check value of the master key that wraps new data keys:
// the database keeps it, and another master key gives another. It
// reveals nothing of the key.
func (k *Keyring) Check() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current.check
}

// Lookup is the keyed hash of a normalised email: equal addresses give
// equal hashes, and without the root (so the master key) the hash tells
// nothing.
func (k *Keyring) Lookup(email string) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(email))
	return m.Sum(nil)
}

// sealVersion starts every sealed value: the format, for a later change.
const sealVersion = 1

// wrapVersion starts a data key wrapped under a named master key: the id
// of the master key (4 bytes) follows, then the sealed key. A data key
// that starts with sealVersion was wrapped before master keys were named,
// under the master key the database was first bound to.
const wrapVersion = 2

// NewDataKey makes a random data key, and the same wrapped under the
// master key that wraps new data keys, for storage. aad binds the wrapped
// key to its owner (such as "contact 42 of workspace 7").
func (k *Keyring) NewDataKey(aad string) (*DataKey, []byte, error) {
	k.mu.RLock()
	cur := k.current
	k.mu.RUnlock()
	return k.NewDataKeyUnder(cur, aad)
}

// NewDataKeyUnder is NewDataKey with the data key wrapped under m.
func (k *Keyring) NewDataKeyUnder(m *MasterKey, aad string) (*DataKey, []byte, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	d, err := newDataKey(key)
	if err != nil {
		return nil, nil, err
	}
	return d, wrapUnder(m, key, aad), nil
}

func wrapUnder(m *MasterKey, key []byte, aad string) []byte {
	return append(m.Prefix(), seal(m.wrap, key, []byte("data key "+aad))...)
}

// unwrap opens a wrapped data key with the master key it names.
func (k *Keyring) unwrap(wrapped []byte, aad string) ([]byte, error) {
	if len(wrapped) > 5 && wrapped[0] == wrapVersion {
		k.mu.RLock()
		m := k.masters[[4]byte(wrapped[1:5])]
		k.mu.RUnlock()
		if m == nil {
			return nil, fmt.Errorf("%w (check %x…): %w", ErrUnknownMaster, wrapped[1:5], ErrSealed)
		}
		return open(m.wrap, wrapped[5:], []byte("data key "+aad))
	}
	// Wrapped before master keys were named: under any we hold.
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, err := open(k.current.wrap, wrapped, []byte("data key "+aad)); err == nil {
		return key, nil
	}
	for _, m := range k.masters {
		if key, err := open(m.wrap, wrapped, []byte("data key "+aad)); err == nil {
			return key, nil
		}
	}
	return nil, ErrSealed
}

// DataKey unwraps a stored data key; it fails for a key wrapped under
// another master key (ErrUnknownMaster when it names one the keyring does
// not hold), for another owner, or altered.
func (k *Keyring) DataKey(wrapped []byte, aad string) (*DataKey, error) {
	key, err := k.unwrap(wrapped, aad)
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap the data key of %s: %w", aad, err)
	}
	return newDataKey(key)
}

// Rewrap unwraps a stored data key and wraps it again under m.
func (k *Keyring) Rewrap(wrapped []byte, aad string, m *MasterKey) ([]byte, error) {
	key, err := k.unwrap(wrapped, aad)
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap the data key of %s: %w", aad, err)
	}
	return wrapUnder(m, key, aad), nil
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
