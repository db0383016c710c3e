package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeployEnvFilesNameRealFlags: every FOYER_… variable the deployment
// examples under deploy/ set (or show commented out) is the environment
// twin of a flag of the command the example runs, so that the guides do
// not drift from the binary.
func TestDeployEnvFilesNameRealFlags(t *testing.T) {
	files, err := filepath.Glob("../../deploy/*/*.env")
	if err != nil || len(files) == 0 {
		t.Fatalf("no deploy/*/*.env files (%v)", err)
	}
	known := map[string]bool{}
	for _, cmd := range []string{"serve"} {
		var out bytes.Buffer
		run(context.Background(), []string{cmd, "-help"}, &out, &out)
		for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(out.String(), -1) {
			known[envName(m[1])] = true
			known[envName(m[1])+"_FILE"] = true
		}
	}
	if !known["FOYER_DB"] {
		t.Fatalf("could not read serve's flags from its help")
	}
	variable := regexp.MustCompile(`^#?\s*(FOYER_[A-Z0-9_]+)=`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, line := range strings.Split(string(b), "\n") {
			m := variable.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n++
			if !known[m[1]] {
				t.Errorf("%s:%d: %s is no flag's variable", f, i+1, m[1])
			}
		}
		if n == 0 {
			t.Errorf("%s sets no FOYER_ variable", f)
		}
	}
}
