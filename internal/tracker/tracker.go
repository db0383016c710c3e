// Package tracker holds Foyer's browser tracker: the JavaScript source in
// src/foyer.js, its minified build t.min.js (committed, embedded here) and the
// HTTP handler that serves it as /t.js.
//
// After changing src/foyer.js, run `go generate ./internal/tracker`; a test
// fails while t.min.js is out of date or larger than 2 KB gzipped.
package tracker

import (
	"bytes"
	_ "embed"
)

//go:generate go run ./build

//go:embed t.min.js
var script []byte

// Script returns a copy of the minified tracker script, as served by Handler.
func Script() []byte {
	return bytes.Clone(script)
}
