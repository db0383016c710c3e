package minify

import (
	"bytes"
	"fmt"
)

// Strip returns src without its blocks marked /*+tag*/ … /*-tag*/, markers
// included, so that one source can hold code that only some builds carry.
// Blocks do not nest. It returns an error naming the line of a marker that
// opens a block inside another, or that opens or closes nothing.
func Strip(src []byte, tag string) ([]byte, error) {
	open, end := []byte("/*+"+tag+"*/"), []byte("/*-"+tag+"*/")
	line := func(i int) int { return bytes.Count(src[:i], []byte("\n")) + 1 }
	var out []byte
	rest := 0
	for {
		i := bytes.Index(src[rest:], open)
		j := bytes.Index(src[rest:], end)
		if i < 0 {
			if j >= 0 {
				return nil, fmt.Errorf("strip %s: line %d: %s without %s", tag, line(rest+j), end, open)
			}
			return append(out, src[rest:]...), nil
		}
		if j >= 0 && j < i {
			return nil, fmt.Errorf("strip %s: line %d: %s without %s", tag, line(rest+j), end, open)
		}
		if j < 0 {
			return nil, fmt.Errorf("strip %s: line %d: %s never closed", tag, line(rest+i), open)
		}
		if k := bytes.Index(src[rest+i+len(open):rest+j], open); k >= 0 {
			return nil, fmt.Errorf("strip %s: line %d: %s inside another block", tag, line(rest+i+len(open)+k), open)
		}
		out = append(out, src[rest:rest+i]...)
		rest += j + len(end)
	}
}

// Build returns the two scripts made from the tracker source src, minified:
// core, without the identification blocks (/*+id*/ … /*-id*/), served as
// /t.js, and id, with them, served as /ti.js. It returns the error of Strip
// or JS.
func Build(src []byte) (core, id []byte, err error) {
	stripped, err := Strip(src, "id")
	if err != nil {
		return nil, nil, err
	}
	if core, err = JS(stripped); err != nil {
		return nil, nil, err
	}
	if id, err = JS(src); err != nil {
		return nil, nil, err
	}
	return core, id, nil
}
