package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
)

// seal encrypts dump as a backup file with a manifest of it.
func seal(t testing.TB, key, dump []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := newWriter(&out, key)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(dump)
	sum, size, chunks, err := w.finish()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := json.Marshal(&Manifest{Format: FormatVersion, Dialect: "sqlite", SHA256: fmt.Sprintf("%x", sum), Size: size, Chunks: chunks})
	if err := w.writeManifest(m); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestChunks: dumps of every size around the chunk boundaries come back
// whole; dropping, repeating or swapping whole chunks is refused.
func TestChunks(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2*ChunkSize + 5} {
		dump := bytes.Repeat([]byte("foyer"), n/5+1)[:n]
		file := seal(t, key, dump)
		var got bytes.Buffer
		if _, err := decrypt(bytes.NewReader(file), key, &got); err != nil || !bytes.Equal(got.Bytes(), dump) {
			t.Errorf("%d bytes: %v", n, err)
		}
		if m, err := readManifest(bytes.NewReader(file), int64(len(file)), key); err != nil || m.Size != int64(n) {
			t.Errorf("%d bytes: manifest %v, %v", n, m, err)
		}
	}
	// Three chunks: rearrange them.
	dump := bytes.Repeat([]byte{1}, 2*ChunkSize+5)
	file := seal(t, key, dump)
	rec := ChunkSize + 4 + 16
	h := file[:headerSize]
	c0, c1, c2 := file[headerSize:headerSize+rec], file[headerSize+rec:headerSize+2*rec], file[headerSize+2*rec:]
	for name, f := range map[string][]byte{
		"swapped":        concat(h, c1, c0, c2),
		"middle dropped": concat(h, c0, c2),
		"first repeated": concat(h, c0, c0, c1, c2),
		"ends after one": concat(h, c0),
		"ends after two": concat(h, c0, c1),
		"other's chunk":  concat(h, seal(t, key, dump)[headerSize:headerSize+rec], c1, c2),
	} {
		_, err := decrypt(bytes.NewReader(f), key, io.Discard)
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func concat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// FuzzDecrypt: whatever the file, decrypt and readManifest end with an
// error or with the dump the manifest describes; they never panic.
func FuzzDecrypt(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	f.Add(seal(f, key, []byte("a small dump")))
	f.Add(seal(f, key, nil))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, file []byte) {
		var got bytes.Buffer
		m, err := decrypt(bytes.NewReader(file), key, &got)
		if err == nil && fmt.Sprintf("%x", sha256.Sum256(got.Bytes())) != m.SHA256 {
			t.Fatal("a dump that is not the manifest's")
		}
		readManifest(bytes.NewReader(file), int64(len(file)), key)
	})
}
