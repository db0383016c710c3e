package web

import "testing"

func TestCountryOf(t *testing.T) {
	for in, want := range map[string]string{
		"DE": "DE", "de": "DE", " Germany ": "DE", "GERMANY": "DE", "germany": "DE",
		"gb": "GB", "UK": "GB", "United Kingdom": "GB", "united states": "US", "Czechia": "CZ",
		"Côte d’Ivoire": "CI", "Switzerland": "CH", "Japan": "JP",
	} {
		if got, ok := countryOf(in); !ok || got != want {
			t.Errorf("countryOf(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "XX", "EU", "ZZ", "Atlantis", "D", "DEU", "Germanyy", "001"} {
		if got, ok := countryOf(in); ok {
			t.Errorf("countryOf(%q) = %q, want no country", in, got)
		}
	}
	for code, want := range map[string]string{"DE": "Germany", "GB": "United Kingdom", "US": "United States", "": "", "XX": "XX"} {
		if got := countryName(code); got != want {
			t.Errorf("countryName(%q) = %q, want %q", code, got, want)
		}
	}
	// Every name the page offers reads back as its code.
	for name, code := range countryCodes {
		if got, ok := countryOf(name); !ok || got != code || countryName(code) == code {
			t.Errorf("%q: %q, %v (named %q)", name, got, ok, countryName(code))
		}
	}
}
