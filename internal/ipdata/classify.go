package ipdata

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/foyerhq/foyer"
)

// Classify gives a network's organisation a type from its name and the
// shape of its address space, and says which rule decided.
//
// No open data set says which networks are residential, so this reads the
// name as a person would: words that mark hosting, carriers, universities
// and research networks, public bodies and non-profits, in several
// languages, matched as whole words; then legal forms that mark a company.
// Names alone cannot tell a carrier with a legal form from any other
// company, so the shape of the network decides there: a carrier's or a
// host's address space is many ranges, often in several countries; a
// company's own network is one or a few ranges in one country, unless the
// name is a well-known company's (knownCompanies) or a bank's or an
// insurer's, whose networks span sites. Some forms and names are nearly
// always small carriers' in the AS table (smallISPForm), and so do names
// ending in "tel", "kom" or "com" (carrierEnding). A domain under a suffix
// only public bodies and schools may register (.gov, .edu, gov.uk, ac.uk…)
// decides first (publicDomain). A name with no telling word at all on a few
// IPv4 ranges in one country without IPv6 is an organisation's own network
// (ownNetwork). A name that is only a person's name is never a company.
func Classify(n Network) (foyer.OrgType, string) {
	if c, ok := curated[n.ASN]; ok {
		return c.typ, "curated list: AS" + strconv.FormatUint(uint64(n.ASN), 10) + " is " + c.name
	}
	return classifyByRules(n)
}

// classifyByRules is Classify without the curated list.
func classifyByRules(n Network) (foyer.OrgType, string) {
	nm := parseName(n.Org)
	if len(nm.tokens) == 0 {
		return foyer.OrgUnknown, "the network has no organisation name"
	}
	// only public bodies and schools may register under these suffixes
	if typ, sfx := publicDomain(n.Domain); sfx != "" {
		return typ, "its domain " + n.Domain + " is under “" + sfx + "” (" + string(typ) + ")"
	}
	if nm.has("trading as") || nm.has("t a") {
		return foyer.OrgUnknown, "a sole trader (\"trading as\")"
	}
	if f := nationalBank(nm); f != "" {
		return foyer.OrgBusiness, "a bank with the form “" + f + "” (a US national bank)"
	}
	for _, r := range nameRules {
		if w := r.match(nm); w != "" {
			if r.weak && nm.itServices() != "" {
				continue // a company's own IT arm: "Example Informatik GmbH"
			}
			if k := nm.match(knownCompanies, nil); r.weak && strings.Contains(k, w) {
				continue // the weak word is part of a well-known company's name: "Juniper Networks"
			}
			if r.weak && nm.match(notCarrierTrades, nil) != "" {
				continue // a bank's or a hospital's network: "Bank of Communications", "Matrix Medical Network"
			}
			if r.yieldToForm && nm.legalForm() != "" {
				continue
			}
			return r.typ, "name contains “" + w + "” (" + string(r.typ) + ")"
		}
	}
	if personName(n.Org, nm) {
		return foyer.OrgUnknown, "the name looks like a person's name"
	}
	if w := netWord(nm.tokens); w != "" && nm.itServices() == "" {
		return foyer.OrgISP, "name ends in “net”, “link” or “online” (" + w + "), as small carriers' do"
	}
	form := nm.legalForm()
	if form == "" {
		if w := publicByPosition(nm); w != "" {
			return foyer.OrgGovernment, "name " + w + " (government)"
		}
	}
	if form != "" && nm.match(strongBusinessWords, nil) == "" {
		if why := smallISPForm(nm); why != "" {
			return foyer.OrgISP, why
		}
	}
	need := 2
	if form != "" && nm.match(strongBusinessWords, nil) != "" {
		need = 3 // a bank's or an insurer's network spans sites
	}
	carrier, shape := carrierShape(n, need)
	if w := nm.match(knownCompanies, nil); w != "" {
		return foyer.OrgBusiness, "a well-known company (“" + w + "”), whatever its network's shape" + shapeNote(shape)
	}
	switch {
	case form != "" && carrier:
		return foyer.OrgISP, "legal form “" + form + "”, but " + shape
	case form != "" && n.Domain != "":
		if typ, w := domainWord(n.Domain); w != "" {
			return typ, "legal form “" + form + "”, but its domain " + n.Domain + " says “" + w + "” (" + string(typ) + ")"
		}
		fallthrough
	case form != "":
		return foyer.OrgBusiness, "legal form “" + form + "”" + shapeNote(shape)
	}
	if n.Domain != "" {
		if typ, w := domainWord(n.Domain); w != "" {
			return typ, "no legal form, and its domain " + n.Domain + " says “" + w + "” (" + string(typ) + ")"
		}
	}
	if w := nm.match(businessWords, nil); w != "" {
		if carrier {
			return foyer.OrgISP, "a business word (“" + w + "”), but " + shape
		}
		return foyer.OrgBusiness, "no legal form, but the business word “" + w + "”" + shapeNote(shape)
	}
	if carrier {
		return foyer.OrgISP, "no business word, and " + shape
	}
	if n.Addresses4 >= 1<<20 || n.Networks64 >= 1<<36 {
		return foyer.OrgISP, "no business word and a very large address space"
	}
	if w := carrierEnding(nm); w != "" {
		return foyer.OrgISP, "name ends in “tel”, “kom” or “com” (" + w + "), as carriers' do"
	}
	if typ, why := ownNetwork(n, nm); why != "" {
		return typ, why
	}
	return foyer.OrgUnknown, "no rule matched the name"
}

// ownNetwork tells a name that says nothing by its words but is an
// organisation's all the same ("TreviPay", "Krispy Kreme", "Lyric Opera of
// Chicago"), from the shape of its network, or returns "". In the AS table,
// networks of up to eight IPv4 ranges (and not a carrier's shape by
// carrierShape's points) without IPv6 in one country are nearly all
// organisations' own:
// carriers, hosts and the individuals who run an AS of their own take IPv6
// space with their IPv4. The name must not look like a person's
// (personLike, stricter than personName: such a name stays unknown), a
// placeholder ("AS64500") or an address ("4F, No.114, Sec.1 …").
func ownNetwork(n Network, nm name) (foyer.OrgType, string) {
	if n.Ranges4 == 0 || n.Ranges6 > 0 || n.Countries > 1 || n.Ranges4 > 8 {
		return "", ""
	}
	if len(nm.tokens) > 1 && isASNumber(nm.tokens[0]) && strings.HasPrefix(nm.raw, nm.tokens[0]) {
		nm = parseName(strings.TrimLeft(nm.raw[len(nm.tokens[0]):], " -:,")) // "AS23051 - FHI 360"
	}
	digits := 0
	for _, t := range nm.tokens {
		if strings.ContainsAny(t, "0123456789") {
			digits++
		}
	}
	if digits == len(nm.tokens) || digits >= 2 || isASNumber(nm.tokens[0]) {
		return "", ""
	}
	if personLike(nm) {
		return foyer.OrgUnknown, "no telling word, and the name could be a person's"
	}
	return foyer.OrgBusiness, "no telling word, but " + plural(n.Ranges4, "IPv4 range") + " in one country and no IPv6: an organisation's own network"
}

// isASNumber reports whether a token is an AS number written as a name
// ("as64500").
func isASNumber(t string) bool {
	if len(t) < 3 || t[:2] != "as" {
		return false
	}
	for i := 2; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// personLike reports whether a name of two to four words, none of them a
// word of an organisation, could be a person's in any order: a given name
// anywhere ("Gutkin Vladyslav"), a surname's ending ("Shevchenko",
// "Gonzalez", "Bielski", "Sahidov"), a common Asian surname ("Qiyuan
// Chen"), or initials and a surname ("I. L. de Sousa"). Only for names no
// other rule has read: it keeps them unknown.
func personLike(nm name) bool {
	if nm.has("individual entrepreneur") || nm.has("physical person") || nm.has("sole proprietor") ||
		nm.has("sole proprietorship") || nm.has("private entrepreneur") || nm.has("empresario individual") {
		return true
	}
	if len(nm.tokens) <= 7 {
		for _, t := range nm.tokens {
			for _, suf := range []string{"ovich", "evich", "ovna", "evna", "ivna", "vych"} {
				if len(t) > len(suf)+2 && strings.HasSuffix(t, suf) {
					return true // a patronymic: "Private Enterprise Matsak Ivan Anatolievich"
				}
			}
		}
	}
	if i := strings.IndexByte(nm.raw, '('); i > 0 {
		// "AZCARATE JUAN ANTONIO (INTER AGRO)": a person trading under a name
		if before := parseName(nm.raw[:i]); len(before.tokens) > 0 && personLike(before) {
			return true
		}
	}
	var words []string
	for _, t := range nm.tokens {
		if t == "de" || t == "da" || t == "do" || t == "dos" || t == "das" || t == "del" || t == "van" || t == "von" ||
			t == "der" || t == "la" || t == "le" || t == "di" || t == "y" || t == "e" {
			continue // particles of surnames
		}
		words = append(words, t)
	}
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	for _, w := range words {
		for _, c := range w {
			if c < 'a' || c > 'z' {
				return false // digits or letters fold leaves: not a plain name
			}
		}
	}
	for i, w := range words {
		if givenNames[w] || asianSurnames[w] {
			return true
		}
		if i == 0 && len(w) <= 3 && len(words) >= 2 && !givenNames[w] && initialsRun(w) {
			return true // "I. L. de Sousa": joined initials, then a surname
		}
		for _, suf := range surnameEndings {
			if len(w) >= len(suf)+3 && strings.HasSuffix(w, suf) {
				return true
			}
		}
	}
	return false
}

// initialsRun reports whether a token looks like joined initials ("il",
// "mal"): no vowel, or two letters.
func initialsRun(w string) bool {
	if len(w) == 2 {
		return true
	}
	return !strings.ContainsAny(w, "aeiouy")
}

// surnameEndings are endings of surnames common in the AS table's
// individuals' networks: Slavic, Spanish, Armenian, Persian and Tajik.
var surnameEndings = []string{"enko", "chuk", "czuk", "ovich", "evich", "vich", "ovic", "evic", "ovski",
	"evski", "owski", "ewski", "inski", "ynski", "ski", "sky", "skyi", "skiy", "ska", "ov", "ova", "ev", "eva",
	"yan", "zoda", "zadeh", "zade", "ez", "yuk", "iuk", "ivna", "vych"}

// asianSurnames are common Chinese, Korean and Vietnamese surnames, which
// end or begin an individual's name.
var asianSurnames = map[string]bool{"chen": true, "wang": true, "zhang": true, "liu": true, "yang": true,
	"huang": true, "zhao": true, "zhou": true, "xu": true, "zhu": true, "guo": true, "lin": true, "luo": true,
	"lee": true, "kim": true, "park": true, "choi": true, "jung": true, "kang": true, "cho": true, "yoon": true,
	"nguyen": true, "tran": true, "pham": true, "hoang": true, "vu": true, "dang": true, "bui": true,
	"wu": true, "li": true, "sun": true, "yu": true, "hu": true, "zheng": true, "xie": true, "tang": true,
	"lu": true, "yuan": true, "jiang": true, "gao": true, "deng": true, "feng": true, "cao": true, "peng": true,
	"zeng": true, "xiao": true, "tian": true, "cai": true, "shen": true, "yao": true, "cui": true, "zhong": true,
	"ren": true, "ding": true, "cheng": true, "qian": true, "qin": true, "fang": true, "hou": true, "meng": true,
	"xue": true, "shi": true, "zou": true, "xiong": true, "mao": true, "qiu": true, "duan": true, "gui": true}

// smallISPForm tells the forms and names that, in the AS table, nearly
// always belong to small carriers, or "": Brazil's micro and small
// enterprises (ME, EPP, EIRELI) and its "informática" firms, which are how
// thousands of small Brazilian ISPs are registered, and Indonesian
// companies (PT) named for data, media or technology, how Indonesia's many
// small ISPs name themselves. Listed companies (Tbk), state companies
// (Persero) and banks are left to the other rules.
func smallISPForm(nm name) string {
	if w := carrierEnding(nm); w != "" {
		return "legal form, but the name ends in “tel”, “kom” or “com” (" + w + "), as carriers' do"
	}
	if nordicEnergy(nm) {
		return "a Nordic town's energy company (AB, AS): its AS carries the town's fibre network (stadsnät)"
	}
	if nm.has("me") || nm.has("epp") || nm.has("eireli") || nm.has("ltda me") {
		return "a Brazilian micro or small enterprise (ME, EPP, EIRELI): nearly all of them in the AS table are small ISPs"
	}
	if (nm.has("ltda") || nm.has("ltd")) && nm.has("informatica") {
		return "a Brazilian “informática” firm (Ltda): nearly all of them in the AS table are small ISPs"
	}
	if strings.HasPrefix(nm.padded, " pt ") && !nm.has("tbk") && !nm.has("persero") && nm.match(nil, []string{"bank"}) == "" {
		if w := nm.match([]string{"data", "media", "nusantara", "sarana", "solusi", "solusindo", "teknologi",
			"tekno", "techno", "cyber", "infra", "komunika", "digital"}, nil); w != "" {
			return "an Indonesian company (PT) named for “" + w + "”: how Indonesia's many small ISPs name themselves"
		}
	}
	return ""
}

// nordicEnergy reports whether the name is a Swedish, Norwegian or Danish
// energy company's ("Gävle Energi AB", "Piteenergi", "Helgeland Kraft AS"):
// in the AS table, their networks are the towns' fibre networks. The
// large generators (Vattenfall, Statkraft) and wind farms are not.
func nordicEnergy(nm name) bool {
	if !nm.has("ab") && !nm.has("as") && !nm.has("aktiebolag") {
		return false
	}
	if nm.match([]string{"vattenfall", "statkraft", "vindkraft", "markets", "trading", "ticaret", "sanayi"}, nil) != "" {
		return false
	}
	for _, t := range nm.tokens {
		if strings.HasSuffix(t, "energi") || strings.HasSuffix(t, "kraft") {
			return true
		}
	}
	return false
}

// nationalBank returns the form of a US national bank ("Bank of America,
// National Association", "Citibank, N.A."), which ends its name; the
// word "association" there does not mark a non-profit.
func nationalBank(nm name) string {
	if nm.match(nil, []string{"bank"}) == "" {
		return ""
	}
	for _, f := range []string{"national association", "na"} {
		if strings.HasSuffix(nm.padded, " "+f+" ") {
			return f
		}
	}
	return ""
}

// publicByPosition finds the words that mark a public body only where they
// stand: "Region Halland", "Comune di Roma", "Shiojiri City", "Osage
// Nation". Only for names without a legal form.
func publicByPosition(nm name) string {
	for _, w := range []string{"region", "regione", "comune di", "stadt", "kanton", "provincia", "city of",
		"state of", "county of", "gemeinde", "landkreis", "kreis"} {
		if strings.HasPrefix(nm.padded, " "+w+" ") {
			return "starts with “" + w + "”"
		}
	}
	for _, w := range []string{"city", "nation", "county", "township", "borough", "kommune", "kommun", "stad"} {
		if strings.HasSuffix(nm.padded, " "+w+" ") {
			return "ends in “" + w + "”"
		}
	}
	return ""
}

// publicDomain reads the network's domain (from sources that know it) for
// the suffixes only public bodies and schools may register: .gov, .mil,
// .edu, and the national second levels (gov.uk, gouv.fr, gob.mx, go.jp,
// gc.ca, ac.uk, edu.au, k12.…us, sch.uk). It returns the type and the
// suffix, or "".
func publicDomain(domain string) (foyer.OrgType, string) {
	if domain == "" {
		return "", ""
	}
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(domain, ".")), ".")
	if len(labels) < 2 {
		return "", ""
	}
	last := labels[len(labels)-1]
	switch last {
	case "gov", "mil":
		return foyer.OrgGovernment, "." + last
	case "edu":
		return foyer.OrgEducation, ".edu"
	}
	for i := len(labels) - 2; i >= 0 && i >= len(labels)-4; i-- {
		l := labels[i]
		if i == len(labels)-2 && len(last) == 2 || i < len(labels)-2 && last == "us" {
			suffix := "." + strings.Join(labels[i:], ".")
			switch l {
			case "gov", "gob", "gouv", "govt", "go", "gv", "gc", "mil", "admin":
				if l == "admin" && last != "ch" || l == "gc" && last != "ca" {
					continue
				}
				return foyer.OrgGovernment, suffix
			case "edu", "ac", "k12", "sch":
				return foyer.OrgEducation, suffix
			}
		}
	}
	return "", ""
}

// domainWord reads the network's domain (from sources that know it) for
// the words of hosts and carriers: "example-hosting.de", "cloudco.io",
// "fastfibre.net.uk". Only the labels before the public suffix count, so
// that ".net" says nothing.
func domainWord(domain string) (foyer.OrgType, string) {
	labels := strings.Split(strings.ToLower(domain), ".")
	if len(labels) < 2 {
		return "", ""
	}
	nm := parseName(strings.Join(labels[:len(labels)-1], " "))
	for _, r := range nameRules {
		if r.typ != foyer.OrgHosting && r.typ != foyer.OrgISP || r.weak {
			continue
		}
		if w := r.match(nm); w != "" {
			return r.typ, w
		}
	}
	return "", ""
}

func shapeNote(shape string) string {
	if shape == "" {
		return ""
	}
	return "; " + shape
}

// carrierShape reports whether a network's address space has a carrier's
// or host's shape, and describes the shape either way ("" when the import
// told nothing of it). It counts points, each for a sign seen in the
// labelled samples far more often among carriers and hosts than among
// companies' own networks, and calls need points (two; three for a name
// whose words say it is a company: a bank, an insurer, a manufacturer) a
// carrier's shape:
//
//   - 5 or more IPv4 ranges (one point), 9 or more (two);
//   - ranges in 3 or more countries;
//   - 4,096 or more IPv4 addresses (a /20), 262,144 or more (a /14: two points);
//   - 2 or more IPv6 ranges.
//
// A few large blocks in one country are an old company's own space (Ford's,
// Mercedes-Benz's), not a carrier's.
func carrierShape(n Network, need int) (bool, string) {
	if n.Ranges4 == 0 && n.Ranges6 == 0 {
		return false, ""
	}
	desc := plural(n.Ranges4, "IPv4 range") + " in " + plural(n.Countries, "country")
	if n.Ranges6 > 0 {
		desc += ", " + plural(n.Ranges6, "IPv6 range")
	}
	per := uint64(0)
	if n.Ranges4 > 0 {
		per = n.Addresses4 / uint64(n.Ranges4)
	}
	if n.Countries <= 1 && n.Ranges4 <= 20 && per >= 1<<19 {
		return false, desc + ", large old blocks: a company's own legacy space"
	}
	score := 0
	switch {
	case n.Ranges4 >= 9:
		score += 2
	case n.Ranges4 >= 5:
		score++
	}
	if n.Countries >= 3 {
		score++
	}
	switch {
	case n.Addresses4 >= 1<<18:
		score += 2
	case n.Addresses4 >= 1<<12:
		score++
	}
	if n.Ranges6 >= 2 {
		score++
	}
	if score >= need {
		return true, desc + ", " + strconv.FormatUint(n.Addresses4, 10) + " IPv4 addresses: a carrier's or host's address space"
	}
	return false, desc + ": a company's own network"
}

func plural(k int, what string) string {
	s := strconv.Itoa(k) + " " + what
	if k == 1 {
		return s
	}
	if strings.HasSuffix(what, "y") {
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// netWord finds a word that ends in "net", "link" or "online", or is one:
// how many small carriers name themselves.
func netWord(tokens []string) string {
	for i, w := range tokens {
		if w == "on" && i+1 < len(tokens) && tokens[i+1] == "line" {
			return "on line" // "Geneva On-Line"
		}
		for _, suf := range []string{"net", "link", "links", "online"} {
			if w == suf || (strings.HasSuffix(w, suf) && len(w) > len(suf)+2 && !notNet[w]) {
				return w
			}
		}
	}
	return ""
}

// carrierEnding finds a word that ends in "tel", "kom" or "com" and is
// longer than the ending by three letters or more ("Echotel", "Infokom",
// "Smartcom"): in the AS table, nine in ten such names with a legal form
// are carriers'. Hotels and a few companies are kept out (notCarrierEnding).
func carrierEnding(nm name) string {
	for _, w := range nm.tokens {
		for _, suf := range []string{"tel", "kom", "com"} {
			if len(w) >= len(suf)+3 && strings.HasSuffix(w, suf) && !notCarrierEnding[w] {
				return w
			}
		}
	}
	return ""
}

// notCarrierEnding are words ending in "tel", "kom" or "com" that are not
// carriers' names: hotels, software and media companies.
var notCarrierEnding = map[string]bool{"hostel": true, "sofitel": true, "pastel": true, "cartel": true,
	"martel": true, "mantel": true, "chantel": true, "intercom": true, "viacom": true, "cancom": true,
	"dotcom": true, "sitecom": true, "novatel": true, "quantel": true, "hatel": true, "rachel": true,
	"daniel": true, "muriel": true, "kestrel": true, "bristel": true, "sartel": true, "laborkom": true,
	"novotel": true, "swissotel": true, "parkhotel": true, "grandhotel": true}

// notCarrierTrades are trades that a weak carrier word ("network",
// "communications", "internet") does not outweigh: "Bank of
// Communications", "Matrix Medical Network", "Lighting-INTERNET Signify".
var notCarrierTrades = []string{"bank", "banco", "banca", "banque", "bankasi", "banking", "insurance",
	"versicherung", "assurance", "seguros", "reinsurance", "medical", "hospital", "hospitals", "pharma",
	"pharmaceutical", "pharmaceuticals", "pharmacy", "lighting", "retirement", "brokerage", "stock exchange",
	"chemicals", "steel", "petroleum", "airlines", "airways", "automotive", "motors", "intergovernmental"}

// notNet are words ending in "net" that say nothing about a network.
var notNet = map[string]bool{"cabinet": true, "planet": true, "magnet": true, "bonnet": true, "garnet": true,
	"clarinet": true, "hairnet": true, "sonnet": true, "internet": true, "linkedin": true}

// name is an organisation name read for the rules: lower-cased tokens of
// letters and digits, with runs of single letters joined ("s.p.a." is
// "spa", "a/s" is "as", "sp. z o.o." is "sp zoo"), and the same tokens as
// one string padded with spaces, so that whole words and phrases match.
type name struct {
	tokens []string
	padded string // " w1 w2 … "
	raw    string // lower-cased, as written
	words  map[string]bool
}

func parseName(org string) name {
	raw := strings.ToLower(strings.TrimSpace(org))
	fields := strings.FieldsFunc(raw, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var toks []string
	run := ""
	for _, f := range fields {
		if len([]rune(f)) == 1 && unicode.IsLetter([]rune(f)[0]) {
			run += f
			continue
		}
		if run != "" {
			toks, run = append(toks, run), ""
		}
		toks = append(toks, fold(f))
	}
	if run != "" {
		toks = append(toks, run)
	}
	words := make(map[string]bool, len(toks))
	for _, t := range toks {
		words[t] = true
	}
	return name{tokens: toks, padded: " " + strings.Join(toks, " ") + " ", raw: raw, words: words}
}

// fold writes common accented letters plainly, so that "Ministère" and
// "Ministere" are one word; German umlauts become the digraphs registries
// use ("ae", "oe", "ue").
func fold(s string) string {
	if isASCII(s) {
		return s
	}
	return accents.Replace(s)
}

var accents = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "ê", "e",
	"ë", "e", "á", "a", "à", "a", "â", "a", "ã", "a", "å", "a", "í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "õ", "o", "ø", "o", "ú", "u", "ù", "u", "û", "u", "ç", "c", "ñ", "n",
	"ł", "l", "ś", "s", "ź", "z", "ż", "z", "ć", "c", "ń", "n", "ę", "e", "ą", "a", "č", "c", "š", "s",
	"ž", "z", "ř", "r", "ě", "e", "ů", "u", "ý", "y", "ş", "s", "ğ", "g", "ı", "i", "ő", "o", "ű", "u",
	// Romanian, Baltic, Icelandic, Croatian and Vietnamese letters, and ligatures
	"ă", "a", "ș", "s", "ț", "t", "ţ", "t", "ā", "a", "ē", "e", "ī", "i", "ō", "o", "ū", "u", "ė", "e", "į", "i",
	"ų", "u", "ģ", "g", "ķ", "k", "ļ", "l", "ņ", "n", "đ", "d", "ð", "d", "þ", "th", "æ", "ae", "œ", "oe")

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// has reports whether the name holds a word or phrase, whole. It looks
// for the phrase between spaces in the padded name without building the
// spaced phrase: the classifier calls it thousands of times a network.
func (nm name) has(phrase string) bool {
	if nm.words != nil && strings.IndexByte(phrase, ' ') < 0 {
		return nm.words[phrase]
	}
	p := nm.padded
	for from := 0; ; {
		i := strings.Index(p[from:], phrase)
		if i < 0 || phrase == "" {
			return false
		}
		i += from
		if end := i + len(phrase); i > 0 && p[i-1] == ' ' && end < len(p) && p[end] == ' ' {
			return true
		}
		from = i + 1
	}
}

// match returns the first of words (whole words or phrases) the name holds,
// or the first token that starts with one of stems.
func (nm name) match(words, stems []string) string {
	for _, w := range words {
		if nm.has(w) {
			return w
		}
	}
	for _, s := range stems {
		for _, t := range nm.tokens {
			if strings.HasPrefix(t, s) && !notStem[t] {
				return t
			}
		}
	}
	return ""
}

// notStem are words that start with a stem of the rules and mean
// something else.
var notStem = map[string]bool{"hostel": true, "hostels": true, "hostess": true, "hostage": true, "hostile": true,
	"rack": true, "racket": true, "rackets": true, "racking": true, "rackham": true,
	"ministrant": true,
	// "tele" marks carriers ("Telefun", "Teletek", "Telenet"), but not these
	"television": true, "televisao": true, "televizija": true, "televisa": true, "televisions": true, "telemundo": true,
	"teleperformance": true, "teleflex": true, "telegraph": true, "telegraaf": true, "teledyne": true,
	"telepizza": true, "telemedicine": true, "telemedicina": true, "telemed": true, "telehealth": true,
	"telerik": true, "telemetry": true, "telemetria": true, "telesales": true, "telemarketing": true,
	"telescope": true, "teleshopping": true, "telework": true, "teletrabajo": true, "telefilm": true,
	"telegram": true, "telekinesis": true, "teleradiology": true, "telecare": true, "teleflora": true,
	"telesign": true, "telesis": true, "teletech": true, "teleatendimento": true, "telemarketers": true,
	"telemanagement": true, "teleconsultants": true, "telemetri": true, "telerent": true, "telestore": true,
	"telesure": true, "teletext": true, "telediscount": true,
	// "akadem" and "forschung" mark schools and research, not these
	"akademiks": true}

// itServices returns the words that mark a company's own IT arm ("IT
// services", "Informatik", "information technology"), which outweigh the
// weak carrier words ("internet", "network").
func (nm name) itServices() string {
	return nm.match([]string{"it services", "it service", "it solutions", "information technology",
		"it", "informationstechnik", "informatik", "ict services"}, []string{"informatik"})
}

// legalForm returns the legal form the name carries, written out or
// abbreviated, or "".
func (nm name) legalForm() string {
	for _, f := range legalForms {
		if nm.has(f) {
			return f
		}
	}
	for _, s := range legalStems {
		if strings.Contains(nm.raw, s) || strings.Contains(nm.padded, s) {
			return s
		}
	}
	return ""
}

// personName reports whether a name is a person's: two or three
// capitalised words, legal forms aside, the first of them a common given
// name; or a sole trader's marker with a name. A sole trader's network
// named after its owner must not be shown.
func personName(orig string, nm name) bool {
	if len(nm.tokens) <= 4 {
		for _, t := range nm.tokens {
			for _, suf := range []string{"ovich", "evich", "ovna", "evna"} {
				if strings.HasSuffix(t, suf) {
					return true // a patronymic: an individual entrepreneur's network
				}
			}
		}
	}
	if strings.HasPrefix(nm.padded, " ms md ") || strings.HasPrefix(nm.padded, " md ") {
		return true // "M/S Md …", a Bangladeshi sole proprietor
	}
	if len(nm.tokens) <= 4 && (nm.has("fop") || nm.has("spd") || nm.has("chp")) {
		return true // a Ukrainian or Russian sole proprietor (FOP, SPD, ChP) and a name
	}
	var words []string
	for _, f := range strings.Fields(orig) {
		f = strings.Trim(f, ".,")
		if lf := parseName(f); f != "" && lf.legalForm() == "" {
			words = append(words, f)
		}
	}
	if len(words) < 2 || !givenNames[strings.ToLower(words[0])] {
		return false
	}
	if soleTrader(nm) {
		return true // a one-person firm's form after its owner's name
	}
	if len(words) > 3 {
		return false
	}
	for _, f := range words {
		r := []rune(f)
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r[1:] {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' {
				return false
			}
		}
	}
	return true
}

// soleTrader reports whether a name carries the form of a one-person firm:
// Brazil's ME, MEI and EIRELI, Germany's e.K.
func soleTrader(nm name) bool {
	return nm.has("me") || nm.has("mei") || nm.has("eireli") || nm.has("ek")
}
