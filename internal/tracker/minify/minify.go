// Package minify turns the tracker's JavaScript source into the minified
// script that package tracker embeds and serves.
//
// It is a package of its own so that the esbuild dependency is linked only
// into the build tool and the tests, never into the server binary.
package minify

import (
	"errors"
	"fmt"

	"github.com/evanw/esbuild/pkg/api"
)

// JS minifies the tracker source src with esbuild (whitespace, identifiers and
// syntax, target ES2017) and returns the result. The output depends only on src
// and the esbuild version, so a test can check that the committed t.min.js is
// up to date. It returns an error naming the first problem esbuild reports when
// src does not parse.
func JS(src []byte) ([]byte, error) {
	res := api.Transform(string(src), api.TransformOptions{
		Loader:            api.LoaderJS,
		Target:            api.ES2017,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Sourcefile:        "foyer.js",
	})
	if len(res.Errors) > 0 {
		errs := make([]error, 0, len(res.Errors))
		for _, m := range res.Errors {
			if m.Location != nil {
				errs = append(errs, fmt.Errorf("%s:%d:%d: %s", m.Location.File, m.Location.Line, m.Location.Column, m.Text))
			} else {
				errs = append(errs, errors.New(m.Text))
			}
		}
		return nil, fmt.Errorf("minify: %w", errors.Join(errs...))
	}
	return res.Code, nil
}
