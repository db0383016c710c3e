package foyer

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// OrgProfile is what open data (Wikidata) says of an organisation: found
// by its domain or its name, never by anything of a visitor.
type OrgProfile struct {
	QID       string // the Wikidata item
	Name      string // the organisation's common name
	Website   string
	Industry  string
	Employees int64  // 0: unknown
	Country   string // ISO 3166-1 alpha-2 of its headquarters' country
	LinkedIn  string // the LinkedIn company ID
	Logo      string // the logo's file name on Wikimedia Commons
	LookedUp  time.Time
}

// LinkedInURL is the address of the organisation's LinkedIn page, "" when
// none is known.
func (p *OrgProfile) LinkedInURL() string {
	if p == nil || p.LinkedIn == "" {
		return ""
	}
	return "https://www.linkedin.com/company/" + p.LinkedIn
}

// WikidataURL is the address of the organisation's Wikidata item.
func (p *OrgProfile) WikidataURL() string {
	if p == nil || p.QID == "" {
		return ""
	}
	return "https://www.wikidata.org/wiki/" + p.QID
}

// DisplayName is how the company is named to users: the common name open
// data gives, else the registry's name with a name written all in capital
// letters put in ordinary case ("SIEMENS AG" reads "Siemens AG"; short
// all-capital words such as "SAP" or "AG" stay).
func (c *Company) DisplayName() string {
	if c.Profile != nil && c.Profile.Name != "" {
		return c.Profile.Name
	}
	return readableName(c.Name)
}

// DisplayIndustry is the company's industry: the operator's data first,
// then open data's.
func (c *Company) DisplayIndustry() string {
	if c.Industry == "" && c.Profile != nil {
		return c.Profile.Industry
	}
	return c.Industry
}

// DisplaySize is the company's size: the operator's data first, then the
// employee count open data gives.
func (c *Company) DisplaySize() string {
	if c.Size != "" || c.Profile == nil || c.Profile.Employees <= 0 {
		return c.Size
	}
	return thousands(c.Profile.Employees)
}

// thousands writes n with commas between thousands.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// legalFormCase is how legal forms that readableName would get wrong are
// written.
var legalFormCase = map[string]string{
	"GMBH": "GmbH", "MBH": "mbH", "LTD": "Ltd", "INC": "Inc", "CORP": "Corp", "APS": "ApS", "OYJ": "Oyj",
	"SPA": "SpA", "SARL": "SARL", "GBR": "GbR", "KGAA": "KGaA", "BHD": "Bhd", "PTE": "Pte", "PTY": "Pty",
}

// readableName puts a name written all in capitals in ordinary case, word
// by word; words of up to three letters stay as they are (acronyms and
// legal forms: SAP, IBM, AG, LLC).
func readableName(name string) string {
	if strings.ToUpper(name) != name || strings.ToLower(name) == name {
		return name // already in mixed case, or has no letters
	}
	words := strings.Fields(name)
	for i, w := range words {
		parts := strings.Split(w, "-")
		for j, p := range parts {
			parts[j] = readableWord(p)
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " ")
}

// readableWord is one word of readableName.
func readableWord(w string) string {
	bare := strings.TrimRight(w, ".,")
	if form, ok := legalFormCase[bare]; ok {
		return form + w[len(bare):]
	}
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters <= 3 {
		return w
	}
	rs := []rune(strings.ToLower(w))
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}
