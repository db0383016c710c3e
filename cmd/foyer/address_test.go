package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOneAddress checks that `make run`, foyer serve and the README name the
// same address: the Makefile's LISTEN is serve's default, an IP address
// (what the server prints in its links), and the README tells a new user to
// open exactly that, never localhost:8080, where a session made on the
// printed address is not valid.
func TestOneAddress(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LISTEN\s*\?=\s*(\S+)\s*$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("Makefile: no LISTEN ?= line")
	}
	if got := string(m[1]); got != defaultListen {
		t.Errorf("Makefile LISTEN = %q, serve --listen defaults to %q", got, defaultListen)
	}
	if !strings.HasPrefix(defaultListen, "127.0.0.1:") {
		t.Errorf("default listen %q: want an IP address, the one the server prints", defaultListen)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + defaultListen
	if !regexp.MustCompile(`(?m)^make run .*` + regexp.QuoteMeta(url) + `\s*$`).Match(readme) {
		t.Errorf("README: the `make run` line does not say it serves at %s", url)
	}
	if !strings.Contains(string(readme), "Open **"+url+"**") {
		t.Errorf("README: does not say to open %s", url)
	}
	if strings.Contains(string(readme), "http://localhost:8080") {
		t.Error("README: names http://localhost:8080, which is not the address the server prints")
	}
}

// TestMakeRunArgs: `make run` passes ARGS on to foyer serve, and the README
// shows how.
func TestMakeRunArgs(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^run:.*\n\t\./\$\(BIN\) serve .*\$\(ARGS\)$`).Match(mk) {
		t.Error("Makefile: the run recipe does not pass $(ARGS) to foyer serve")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), `make run ARGS="--trusted-proxy 127.0.0.1/32"`) {
		t.Error(`README: does not show make run ARGS="--trusted-proxy 127.0.0.1/32"`)
	}
}
