package web

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryCodes maps each country's English name, in lower case, to its
// ISO 3166-1 alpha-2 code, for a country filter typed as a name.
var countryCodes = func() map[string]string {
	m := map[string]string{}
	namer := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.Canonicalize().String() != code { // not DD for Germany, UK for GB
				continue
			}
			name := strings.ToLower(namer.Name(r))
			if _, dup := m[name]; name != "" && !dup { // GB before its alias UK
				m[name] = code
			}
		}
	}
	return m
}()

// countryName is the English name of an ISO 3166-1 alpha-2 code, or the
// code itself when it names no country.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return code
	}
	if name := display.English.Regions().Name(r); name != "" {
		return name
	}
	return code
}

// countryOf reads a country filter: a two-letter code in any case, or a
// country's English name in any case. ok is false when it is neither.
func countryOf(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		if r, err := language.ParseRegion(strings.ToUpper(s)); err == nil && r.IsCountry() {
			return r.Canonicalize().String(), true // UK is GB
		}
	}
	code, ok = countryCodes[strings.ToLower(s)]
	return code, ok
}
