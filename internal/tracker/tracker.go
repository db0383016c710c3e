// Package tracker holds Foyer's browser tracker: the JavaScript source in
// src/foyer.js, its two minified builds, committed and embedded here, and the
// HTTP handlers that serve them: t.min.js, the core, as /t.js (Handler), and
// ti.min.js, the core with identification (Persona Insights), as /ti.js
// (IDHandler). The code only ti.min.js carries sits in src/foyer.js between
// the comments /*+id*/ and /*-id*/.
//
// After changing src/foyer.js, run `go generate ./internal/tracker`; a test
// fails while either build is out of date, or while t.min.js is 2048 bytes
// or more gzipped, or ti.min.js 2600 or more.
package tracker

import (
	"bytes"
	_ "embed"
)

//go:generate go run ./build

//go:embed t.min.js
var script []byte

//go:embed ti.min.js
var idScript []byte

// Script returns a copy of the minified core tracker script, as served by
// Handler.
func Script() []byte {
	return bytes.Clone(script)
}

// IDScript returns a copy of the minified tracker script with identification,
// as served by IDHandler.
func IDScript() []byte {
	return bytes.Clone(idScript)
}
