package csvsafe

import (
	"slices"
	"testing"
)

func TestCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"=1+2": "'=1+2", "+cmd": "'+cmd", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Acme": "Acme", "": "", "a=b": "a=b", "'=x": "'=x"} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRow(t *testing.T) {
	t.Parallel()
	if got := Row("=A1", "ok", "-1"); !slices.Equal(got, []string{"'=A1", "ok", "'-1"}) {
		t.Errorf("Row: %q", got)
	}
}
