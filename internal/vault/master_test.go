package vault

import (
	"bytes"
	"testing"
)

// TestMasterDerive: a master key's own derivation is the keyring's for a
// database never rotated (so backups taken before keep opening), and none
// for a master key known by its KEK only.
func TestMasterDerive(t *testing.T) {
	secret := bytes.Repeat([]byte{3}, KeySize)
	m, err := NewMaster(secret)
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(secret)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Derive("backups"), k.Derive("backups")) || len(m.Derive("backups")) != KeySize {
		t.Error("the master key's derivation differs from the keyring's of a database never rotated")
	}
	if bytes.Equal(m.Derive("backups"), m.Derive("form links")) {
		t.Error("two purposes give one key")
	}
	other, _ := NewMaster(bytes.Repeat([]byte{4}, KeySize))
	if bytes.Equal(m.Derive("backups"), other.Derive("backups")) {
		t.Error("two master keys give one key")
	}
	if (&MasterKey{}).Derive("backups") != nil {
		t.Error("a master key without its secret derives a key")
	}
}
