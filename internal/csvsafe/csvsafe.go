// Package csvsafe keeps values written to CSV files from being read as
// formulas by a spreadsheet (CSV injection). The feed export and the
// contact exports use it, so that every CSV Foyer writes is neutralised
// the same way.
package csvsafe

import "strings"

// Cell keeps a spreadsheet from reading v as a formula: a value that
// starts with =, +, -, @, a tab or a carriage return gets a leading quote.
// Other values are returned as they are.
func Cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Row returns the cells of a CSV record, each through Cell.
func Row(values ...string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = Cell(v)
	}
	return out
}
