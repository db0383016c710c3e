package e2e_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestIPDataProgress: the first `make run` is not silent. scripts/fetch-ipdata
// says what it fetches, step by step, and how long the first start takes
// (with an npm that downloads nothing: its tarball fails the pinned digest),
// and `foyer ipdata import` says each file it reads and the compilation on
// stderr, leaving stdout to its result.
func TestIPDataProgress(t *testing.T) {
	t.Parallel()
	root := repoRoot
	bin := t.TempDir()
	fake := "#!/bin/sh\n# npm pack --silent @ip-location-db/NAME@VERSION: a tarball that is not the pinned one\n" +
		"spec=${3#@ip-location-db/}\necho not-the-data > \"ip-location-db-${spec%@*}-${spec#*@}.tgz\"\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ipdata")
	cmd := exec.Command(filepath.Join(root, "scripts", "fetch-ipdata"), dir)
	cmd.Env = append(cleanEnv(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("fetch-ipdata accepted a tarball that is not the pinned one:\n%s", stderr.String())
	}
	for _, want := range []string{"fetching the open IP data (about 55 MB", "the first start takes about two minutes",
		"fetch-ipdata: [1/2] fetching @ip-location-db/asn@", "refusing it"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("fetch-ipdata's stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("fetch-ipdata wrote to stdout: %q", stdout.String())
	}

	src := t.TempDir()
	for name, body := range ipdataSources {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd = exec.Command(foyerBin, "ipdata", "import", "--ipdata", src, "--asn-csv", filepath.Join(src, "asn.csv"),
		"--companies", filepath.Join(src, "companies.csv"))
	cmd.Env = cleanEnv()
	stdout.Reset()
	stderr.Reset()
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("foyer ipdata import: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"foyer ipdata import: compiling the IP data table", "[1/2] reading " + filepath.Join(src, "asn.csv"),
		"[2/2] reading " + filepath.Join(src, "companies.csv"), "compiling the table from 2 files"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("foyer ipdata import's stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.HasPrefix(stdout.String(), "Compiled ") {
		t.Errorf("foyer ipdata import's stdout: %q", stdout.String())
	}
}
