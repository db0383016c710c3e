package ipdata

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/foyerhq/foyer"
)

// Classify gives a network's organisation a type from its name and the
// size of its address space, and says which rule decided.
//
// No open data set says which networks are residential, so this reads the
// name as a person would: words that mark hosting, carriers, universities,
// public bodies and non-profits, in several languages, then legal forms
// that mark a company. A very large address space with no such word is a
// carrier's. A name that is only a person's name is never a company.
func Classify(n Network) (foyer.OrgType, string) {
	if c, ok := curated[n.ASN]; ok {
		return c.typ, "curated list: AS" + strconv.FormatUint(uint64(n.ASN), 10) + " is " + c.name
	}
	return classifyByRules(n)
}

// classifyByRules is Classify without the curated list.
func classifyByRules(n Network) (foyer.OrgType, string) {
	name := strings.ToLower(n.Org)
	words := splitWords(name)
	if name == "" {
		return foyer.OrgUnknown, "the network has no organisation name"
	}
	if strings.Contains(name, "trading as") || strings.Contains(name, "t/a ") {
		return foyer.OrgUnknown, "a sole trader (\"trading as\")"
	}
	for _, r := range nameRules {
		if w := r.match(name, words); w != "" {
			return r.typ, "name contains “" + w + "” (" + string(r.typ) + ")"
		}
	}
	if w := netWord(words); w != "" {
		return foyer.OrgISP, "name ends in “net”, “link” or “online” (" + w + "), as small carriers' do"
	}
	form := legalForm(words)
	if personName(n.Org, words) {
		return foyer.OrgUnknown, "the name looks like a person's name"
	}
	if form != "" {
		return foyer.OrgBusiness, "legal form “" + form + "”"
	}
	if n.Addresses4 >= 1<<20 || n.Networks64 >= 1<<36 {
		return foyer.OrgISP, "no business word and a very large address space"
	}
	return foyer.OrgUnknown, "no rule matched the name"
}

// netWord finds a word that ends in "net", "link" or "online", or is one:
// how many small carriers name themselves.
func netWord(words map[string]bool) string {
	for w := range words {
		if strings.Contains(w, ".") {
			continue
		}
		for _, suf := range []string{"net", "link", "online"} {
			if w == suf || (strings.HasSuffix(w, suf) && len(w) > len(suf)+2 && !notNet[w]) {
				return w
			}
		}
	}
	return ""
}

// notNet are words ending in "net" that say nothing about a network.
var notNet = map[string]bool{"cabinet": true, "planet": true, "magnet": true, "bonnet": true, "garnet": true,
	"clarinet": true, "hairnet": true, "sonnet": true, "internet": true}

// nameRule matches whole words, or substrings of the lower-cased name.
type nameRule struct {
	typ   foyer.OrgType
	words []string
	parts []string
}

func (r nameRule) match(name string, words map[string]bool) string {
	for _, w := range r.words {
		if words[w] {
			return w
		}
	}
	for _, p := range r.parts {
		if strings.Contains(name, p) {
			return p
		}
	}
	return ""
}

// nameRules are tried in order: hosting first (a cloud company is also a
// company), then carriers, then the public and non-profit sector.
var nameRules = []nameRule{
	{typ: foyer.OrgHosting,
		words: []string{"hoster", "colo", "vps", "cdn", "servers", "vpn", "proxy", "akamai", "cloudflare", "fastly",
			"digitalocean", "linode", "ovh", "hetzner", "vultr", "leaseweb", "contabo", "scaleway", "choopa", "m247",
			"amazon", "aws", "google", "microsoft", "oracle", "alibaba", "tencent", "ionos", "hostinger", "godaddy",
			"rackspace", "equinix", "zscaler", "incapsula", "imperva", "limelight", "edgecast", "stackpath", "netlify",
			"vercel", "heroku", "internap", "linux"},
		parts: []string{"hosting", "cloud", "server", "datacenter", "datacentre", "data center", "data centre",
			"rechenzentrum", "colocation", "colocat", "web services", "content delivery", "hébergement", "alojamiento",
			"as a service"}},
	{typ: foyer.OrgEducation,
		words: []string{"university", "universität", "universitat", "université", "universite", "universidad",
			"universidade", "università", "universiteit", "uniwersytet", "universitas", "college", "school", "schule",
			"école", "academy", "akademie", "hochschule", "polytechnic", "politecnico", "edu", "research", "ensino",
			"enseignement", "educacion", "educação"},
		parts: []string{"institute of technology", "research and education", "education and research",
			"education network", "forschungsnetz", "universit"}},
	{typ: foyer.OrgGovernment,
		words: []string{"government", "ministry", "ministerio", "ministère", "ministerium", "bundesamt", "municipality",
			"municipal", "gemeente", "kommune", "kommun", "parliament", "gov", "police", "army", "military", "senate",
			"council", "dod", "defense", "defence", "region", "regione", "county", "landkreis", "911", "autorite",
			"regulatory", "prefecture", "gouvernement", "gobierno", "governo"},
		parts: []string{"department of", "city of", "county of", "state of", "federal ", "national agency",
			"administration publique", "ministry of"}},
	{typ: foyer.OrgNonprofit,
		words: []string{"foundation", "stiftung", "fondation", "fundación", "fundacion", "fondazione", "stichting",
			"charity", "nonprofit", "non-profit", "ngo", "e.v", "church", "hospital", "verein"},
		parts: []string{"not for profit", "not-for-profit", "red cross", "medical center", "health network",
			"health system"}},
	{typ: foyer.OrgISP,
		words: []string{"telecom", "telekom", "telecommunications", "telecommunication", "telecomunicacoes",
			"telecomunicações", "telecomunicaciones", "telecomunicazioni", "telecommunicatie", "telekomunikasi",
			"telekomunikasyon", "telekomunikacije", "telefonica", "telefónica", "telephone", "telco", "broadband",
			"cable", "cablevision", "kabel", "mobile", "mobil", "wireless", "cellular", "isp", "dsl", "fiber", "fibre",
			"fibra", "internet", "provedor", "proveedor", "comunicacao", "comunicacoes", "comunicaciones", "iletisim",
			"tv", "assinatura", "comcast", "verizon", "vodafone", "orange", "swisscom", "telia", "telenor", "tele2",
			"telstra", "optus", "airtel", "jio", "kddi", "softbank", "movistar", "claro", "proximus", "kpn", "ziggo",
			"iliad", "charter", "spectrum", "rostelecom", "megafon", "beeline", "vivo", "unicom", "chinanet",
			"turkcell", "etisalat", "ooredoo", "mtn", "safaricom", "bsnl", "pldt", "globe", "viettel", "indosat",
			"singtel", "starhub", "netvigator", "hinet", "sky", "virgin", "network", "networks",
			"netzwerke", "online", "dacom", "t-mobile"},
		parts: []string{"internet service", "communications", "kommunikation", "telephon", "at&t", "bell canada", "china mobile",
			"deutsche telekom", "british telecommunications", "cox communications", "rogers", "shaw "}},
}

// legalForms mark a company in many jurisdictions.
var legalForms = []string{"inc", "llc", "ltd", "limited", "gmbh", "mbh", "ag", "sa", "sas", "sarl", "bv", "nv",
	"ab", "as", "oy", "oyj", "spa", "srl", "kk", "co", "corp", "corporation", "plc", "pty", "pte", "kft", "sro",
	"aps", "llp", "lp", "company", "group", "kg", "ohg", "sl", "sp", "zoo", "doo", "ood", "eood", "ltda", "sae",
	"jsc", "pjsc", "ojsc", "ooo", "oao", "zao", "pao", "ao", "tov", "bhd", "sdn", "pvt", "holding", "holdings",
	"gesmbh", "se", "ehf", "cc", "bank", "srls", "sapi", "cv", "ltda-me", "me", "eireli", "pt", "tbk", "sti",
	"sirketi", "proprietary"}

func legalForm(words map[string]bool) string {
	for _, f := range legalForms {
		if words[f] {
			return f
		}
	}
	return ""
}

// splitWords returns the set of words of a lower-cased name; dots inside a
// word are dropped, so "s.a." is "sa" and "e.v." is "ev" — and "e.v" is
// kept for the non-profit rule.
func splitWords(name string) map[string]bool {
	words := map[string]bool{}
	for _, f := range strings.FieldsFunc(name, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '&' || r == '-')
	}) {
		f = strings.Trim(f, ".-")
		if f == "" {
			continue
		}
		if strings.ContainsAny(f, ".-") {
			words[f] = true
			for _, p := range strings.FieldsFunc(f, func(r rune) bool { return r == '.' || r == '-' }) {
				if p != "" {
					words[p] = true
				}
			}
			f = strings.ReplaceAll(f, ".", "")
		}
		words[f] = true
	}
	return words
}

// personName reports whether a name is a person's: two or three
// capitalised words, legal forms aside, the first of them a common given
// name. A sole trader's network named after its owner must not be shown.
func personName(orig string, words map[string]bool) bool {
	var name []string
	for _, f := range strings.Fields(orig) {
		if lf := strings.ToLower(strings.Trim(f, ".,")); lf != "" && !isLegalForm(lf) {
			name = append(name, strings.Trim(f, ".,"))
		}
	}
	if len(name) < 2 || !givenNames[strings.ToLower(name[0])] {
		return false
	}
	if soleTrader(words) {
		return true // a one-person firm's form after its owner's name
	}
	if len(name) > 3 {
		return false
	}
	for _, f := range name {
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

// givenNames are common first names across Europe and the Americas.
var givenNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
		adam alan albert alex alexander alexandre ali amir ana andrea andreas andrew angela anna anne antonio
		barbara ben benjamin bernard bruno carl carlos caroline charles chris christian christine christoph
		claire claudia daniel david dennis diana dirk dominik elena elisabeth emma eric erik eva fabian felix
		florian francesco francisco frank franz fred george georg gerhard giovanni giuseppe hans harald heinz
		helen helmut henrik henry ian isabel jacob jakob james jan jane javier jean jens jeroen johan johannes
		john jonas jorge jose josef juan julia julian jurgen karin karl katharina kevin klaus lars laura lisa
		lucas luis lukas manuel marc marco maria mario mark markus martin mary matthias max michael michel
		miguel nicolas niels nina oliver olivier pablo patrick paul pedro peter petra philipp pierre rafael
		ralf richard robert roberto rolf sabine sandra sara sarah sebastian simon sophie stefan stephan
		stephen steven susanne thomas tim tobias tom torsten ulrich uwe victor walter werner william wolfgang
		aaron abel adriana adriano agnieszka ahmet aleksandr aleksandra alessandro alice aline alvaro amanda
		andre andrei andrej andres angel anton antonia arnaud augusto aurelio beatriz bernardo bogdan bruna
		camila camille carla carlo carolina catarina cesar cristian cristina dariusz denis diego dmitri
		dmitry domenico eduardo elias emilio enrique ernesto esteban fabio fatima federico felipe fernanda
		fernando filipe francesca gabriel gabriela gianluca gilberto giorgio giulia gonzalo guilherme gustavo
		hector hugo igor ilya irina ivan jacek jaime janusz jesus joao joaquim josefa julio
		kamil karol katarzyna krzysztof leonardo lorenzo lucia luciana luiz marcelo marcin marcos mariana
		mariusz marta mateus matteo mauricio mehmet michal mikhail monica mustafa natalia nikolai oleg olga
		pascal patricia paulo pavel piotr rafal raul renato ricardo rodrigo rosa salvatore samuel sergei
		sergey sergio silvia simone stefano tatiana tomasz valentina vicente vitor vladimir wojciech yuri
		bart bram gert hendrik joost koen lieke maarten pieter ruud sanne sven wim
		anders bjorn magnus mats nils ole per rasmus soren
		emre fatih hakan hasan huseyin ibrahim kemal murat omer osman serkan yusuf`) {
		m[n] = true
	}
	return m
}()

// soleTrader reports whether a name carries the form of a one-person firm:
// Brazil's ME, MEI and EIRELI, Germany's e.K.
func soleTrader(words map[string]bool) bool {
	return words["me"] || words["mei"] || words["eireli"] || words["ek"]
}

func isLegalForm(w string) bool {
	w = strings.ReplaceAll(w, ".", "")
	for _, f := range legalForms {
		if w == f {
			return true
		}
	}
	return false
}
