package importjob

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"testing"
)

// TestSpool: files of every size around the chunk's read back whole; the
// copy on disk holds none of the plain text; a file over the limit leaves
// nothing; a copy cut, with a chunk dropped or a byte changed, does not
// read.
func TestSpool(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize, 3*chunkSize + 17} {
		plain := bytes.Repeat([]byte("ann@example.com,Ann\n"), n/20+1)[:n]
		sp, err := createSpool(dir, bytes.NewReader(plain), 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if sp.size != int64(n) {
			t.Errorf("%d bytes: size %d", n, sp.size)
		}
		raw, _ := os.ReadFile(sp.path)
		if n > 0 && bytes.Contains(raw, []byte("ann@example.com")) {
			t.Errorf("%d bytes: the copy on disk holds the plain text", n)
		}
		f, err := sp.open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: read %d, %v", n, len(got), err)
		}
		if err := sp.remove(); err != nil {
			t.Error(err)
		}
	}
	if _, err := createSpool(dir, bytes.NewReader(make([]byte, 100)), 99); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}

	plain := make([]byte, 3*chunkSize+5)
	rand.Read(plain)
	sp, err := createSpool(dir, bytes.NewReader(plain), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(sp.path)
	sealed := chunkSize + sp.aead.Overhead() + 4
	for name, bad := range map[string][]byte{
		"cut after a chunk":  good[:sealed],
		"cut in a chunk":     good[:sealed+100],
		"a chunk dropped":    append(append([]byte{}, good[:sealed]...), good[2*sealed:]...),
		"two chunks swapped": append(append(append([]byte{}, good[sealed:2*sealed]...), good[:sealed]...), good[2*sealed:]...),
		"a byte changed":     append(append(append([]byte{}, good[:50]...), good[50]^1), good[51:]...),
	} {
		if err := os.WriteFile(sp.path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		f, _ := sp.open()
		if _, err := io.ReadAll(f); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
		f.Close()
	}
}
