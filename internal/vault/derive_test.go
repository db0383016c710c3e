package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"testing"
)

// TestDerive checks that a derived key is stable for one master key and
// purpose, differs across purposes and master keys, and is none of the
// keyring's own keys.
func TestDerive(t *testing.T) {
	master := bytes.Repeat([]byte{7}, KeySize)
	k1, err := New(master)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := New(master)
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	a := k1.Derive("form links")
	if len(a) != KeySize {
		t.Fatalf("a derived key of %d bytes", len(a))
	}
	if !bytes.Equal(a, k2.Derive("form links")) {
		t.Error("one master key and purpose gave two keys")
	}
	if bytes.Equal(a, k1.Derive("form links ")) || bytes.Equal(a, other.Derive("form links")) {
		t.Error("another purpose or master key gave the same key")
	}
	if bytes.Equal(a, k1.lookup) {
		t.Error("the derived key is the lookup key")
	}
	// The keyring's own keys are as they were before Derive existed.
	for _, info := range []string{"wrap", "lookup", "check"} {
		old, err := hkdf.Key(sha256.New, master, nil, "foyer vault "+info, KeySize)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(old, k1.Derive(info)) {
			t.Errorf("Derive(%q) is the keyring's own %s key", info, info)
		}
		if info == "lookup" && !bytes.Equal(old, k1.lookup) {
			t.Error("the lookup key changed")
		}
	}
}
