package foyer

import "testing"

// TestDisplayName: open data's name first; else an all-capital name in
// ordinary case, acronyms and legal forms kept; other names untouched.
func TestDisplayName(t *testing.T) {
	for name, want := range map[string]string{
		"SIEMENS AG":                       "Siemens AG",
		"SAP AMERICA INC.":                 "SAP America Inc.",
		"DEUTSCHE BAHN AKTIENGESELLSCHAFT": "Deutsche Bahn Aktiengesellschaft",
		"ROBERT BOSCH GMBH":                "Robert Bosch GmbH",
		"Bayerische Motoren Werke AG":      "Bayerische Motoren Werke AG",
		"IBM":                              "IBM",
		"ERICSSON-TELEPHONE-AB":            "Ericsson-Telephone-AB",
		"123":                              "123",
		"NESTLE S.A.":                      "Nestle S.A.",
	} {
		c := Company{Name: name}
		if got := c.DisplayName(); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", name, got, want)
		}
	}
	c := Company{Name: "SIEMENS AG", Profile: &OrgProfile{Name: "Siemens", Employees: 311000, Industry: "machinery"}}
	if c.DisplayName() != "Siemens" || c.DisplaySize() != "311,000" || c.DisplayIndustry() != "machinery" {
		t.Errorf("with a profile: %q %q %q", c.DisplayName(), c.DisplaySize(), c.DisplayIndustry())
	}
	c.Industry, c.Size = "Manufacturing", "1000+"
	if c.DisplaySize() != "1000+" || c.DisplayIndustry() != "Manufacturing" {
		t.Errorf("the operator's data loses to open data: %q %q", c.DisplaySize(), c.DisplayIndustry())
	}
}
