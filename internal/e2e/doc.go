// Package e2e holds Foyer's end-to-end tests: they build the real foyer
// binary once, run it as a child process on real SQLite files and a real
// PostgreSQL server, and drive it over HTTP the way browsers do. The package
// has no code of its own; everything is in its _test.go files.
package e2e
