package ipdata

import (
	"strings"

	"github.com/foyerhq/foyer"
)

// nameRule matches whole words and phrases, or tokens that start with a
// stem (for languages that build compounds and inflect: "Bundesministerium"
// is not a token that starts with "ministerium", so the German compounds
// are listed as substrings of the name in parts).
type nameRule struct {
	typ   foyer.OrgType
	words []string
	stems []string
	parts []string // substrings of the lower-cased name: compounds only
	// weak words ("internet", "network") give way to a company's own IT
	// arm ("IT Services", "Informatik").
	weak bool
	// yieldToForm words ("agency", "commission", "authority") mark a
	// public body only when the name carries no company's legal form:
	// "News Agency Interfax Ltd" is a company.
	yieldToForm bool
	// unless are phrases that cancel the rule.
	unless []string
}

func (r nameRule) match(nm name) string {
	for _, u := range r.unless {
		if nm.has(u) {
			return ""
		}
	}
	if w := nm.match(r.words, r.stems); w != "" {
		return w
	}
	for _, p := range r.parts {
		if strings.Contains(nm.raw, p) {
			return p
		}
	}
	return ""
}

// nameRules are tried in order: ministries first (a ministry of education is
// a public body), then hosting (a cloud company is also a company),
// education and research networks, public bodies, non-profits, and
// carriers last, strong words before weak ones.
var nameRules = []nameRule{
	{typ: foyer.OrgGovernment,
		words: []string{"ministry", "ministries", "department of education", "ministerstvo", "ministarstvo",
			"ministerstwo", "ministerie", "minsterie"},
		stems: []string{"ministr", "ministe", "minist"},
		parts: []string{"ministerium"}},
	{typ: foyer.OrgISP,
		words: []string{"comcast", "verizon", "vodafone", "swisscom", "telia", "telenor", "tele2", "telstra", "optus",
			"airtel", "kddi", "softbank", "movistar", "proximus", "kpn", "ziggo", "iliad", "rostelecom", "megafon",
			"beeline", "unicom", "chinanet", "turkcell", "etisalat", "ooredoo", "safaricom", "bsnl", "pldt", "viettel",
			"indosat", "singtel", "starhub", "netvigator", "hinet", "dacom", "china mobile", "china telecom",
			"deutsche telekom", "t mobile", "at t", "mts", "chinatelecom", "chinaunicom", "chinamobile",
			// Orange's networks; "orange" alone is a false friend (Orange County)
			"orange business", "orange belgium", "orange moldova", "orange espagne", "orange polska", "orange romania",
			"orange cameroun", "orange sa", "orange slovensko", "orange egypt", "orange jordan", "orange mali"}},
	{typ: foyer.OrgHosting,
		words: []string{"hoster", "colo", "vps", "vds", "cdn", "servers", "vpn", "proxy", "akamai", "cloudflare", "fastly",
			"digitalocean", "linode", "ovh", "hetzner", "vultr", "leaseweb", "contabo", "scaleway", "choopa", "m247",
			"amazon", "aws", "google", "microsoft", "oracle", "alibaba", "tencent", "ionos", "hostinger", "godaddy",
			"rackspace", "equinix", "zscaler", "incapsula", "imperva", "limelight", "edgecast", "stackpath", "netlify",
			"vercel", "heroku", "internap", "linux", "dc", "data center", "data centre", "data centers", "data centres", "web services", "content delivery",
			"as a service", "compute", "anycast", "ddos", "gpu", "nuvem", "centro de datos", "centro de dados", "virtual servers", "dedicated servers", "webhosting", "host", "hosted"},
		stems: []string{"hosting", "cloud", "server", "datacenter", "datacentre", "colocation", "colocat", "hebergement",
			"alojamiento", "rechenzentr", "onhost", "host"},
		parts: []string{"hosting", "rechenzentrum", "yorkhost", "cloud"}},
	{typ: foyer.OrgEducation,
		words: []string{"college", "school", "schule", "ecole", "academy", "akademie", "polytechnic", "politecnico",
			"politeknik", "edu", "research", "ensino", "enseignement", "educacion", "educacao", "school district",
			"institute of technology", "research and education", "education and research", "education network",
			"institut teknologi", "higher education", "hogskola", "hogskolan", "hoegskola", "hoegskolan", "instytut", "educational institution",
			// national research and education networks
			"dfn", "renater", "garr", "surf", "surfnet", "janet", "jisc", "rediris", "aconet", "belnet", "nordunet",
			"internet2", "canarie", "aarnet", "fccn", "grnet", "pionier", "cesnet", "sunet", "funet", "uninett",
			"sikt", "heanet", "rnp", "reuna", "cernet", "sinet", "kreonet", "tein", "geant", "arnes", "carnet",
			"lanet", "litnet", "eenet", "rhnet", "restena", "redclara", "ernet", "nren"},
		stems: []string{"universi", "hochschul", "forschungsnetz", "educat"},
		parts: []string{"hochschule", "forschungsnetz", "wissenschaftsnetz"}},
	{typ: foyer.OrgGovernment,
		words: []string{"government", "municipality", "municipal", "gemeente", "kommune", "kommun", "parliament",
			"gov", "police", "policia", "polizia", "army", "military", "senate", "council", "dod", "defense",
			"defence", "regione", "landkreis", "911", "autorite", "regulatory", "prefecture",
			"gouvernement", "gobierno", "governo", "regierung", "rijksoverheid", "overheid", "bundestag",
			"bundesrat", "assemblee nationale", "parlamento", "parlement", "sejm", "senat",
			"bundesamt", "landesamt", "direction generale",
			"verwaltung", "administracion", "administration publique", "public administration", "stadt",
			"gemeinde", "comune", "ayuntamiento", "prefeitura", "mairie", "ville de", "city of", "county of",
			"state of", "department of", "ministry of", "national agency", "federal agency", "court", "tribunal",
			"gericht", "justice", "bundeswehr", "armed forces", "air force", "navy", "gendarmerie", "polizei",
			"state institution", "presidenza", "presidency", "presidencia", "repubblica", "republic of",
			"provinsi", "kabupaten", "pemerintah", "dinas", "pemkab", "pemkot", "provincia",
			"province", "provincie", "kanton", "canton", "tribes", "tribe", "tribal", "indian nation",
			"national library", "usda", "nasa", "vsia", "consiglio", "generalitat", "diputacion", "junta de",
			"landesverwaltung", "staatskanzlei", "senatsverwaltung", "statistics", "statistik", "census"},
		parts: []string{"verwaltung", "bundesamt", "landesamt", "stadtwerke-", "regierung", "polizei",
			"staatsministerium", "rijksoverheid", "gericht "}},
	{typ: foyer.OrgGovernment, yieldToForm: true,
		words: []string{"agentur", "agence", "agencia", "agenzia", "agency", "commission", "commissione",
			"comision", "comissao", "kommission", "authority", "board", "bureau", "office of", "county", "administration"}},
	{typ: foyer.OrgNonprofit,
		words: []string{"foundation", "stiftung", "fondation", "fundacion", "fondazione", "stichting",
			"fundacao", "charity", "nonprofit", "non profit", "ngo", "ev", "church", "hospital", "verein",
			"association", "associacao", "asociacion", "associazione", "vereniging", "not for profit",
			"red cross", "medical center", "health network", "health system", "internet exchange",
			"exchange point", "ix", "medicine"},
		parts:  []string{"stiftung"},
		unless: []string{"stiftung co kg", "stiftung co"}}, // "Stiftung & Co. KG" is a company's form
	{typ: foyer.OrgNonprofit, yieldToForm: true,
		words: []string{"health", "healthcare"}},
	{typ: foyer.OrgISP,
		words: []string{"telecommunications", "telecommunication", "telekomunikasi", "telekomunikasyon",
			"telefonica", "telephone", "telco", "broadband", "cable", "cablevision", "kabel", "mobile", "mobil",
			"wireless", "cellular", "isp", "dsl", "fiber", "fibre", "fibra", "provedor", "proveedor", "comunicacao",
			"comunicacoes", "comunicaciones", "iletisim", "assinatura", "comcast", "verizon", "vodafone", "swisscom",
			"telia", "telenor", "tele2", "telstra", "optus", "airtel", "jio", "kddi", "softbank", "movistar",
			"proximus", "kpn", "ziggo", "iliad", "rostelecom", "megafon", "beeline", "unicom", "chinanet",
			"turkcell", "etisalat", "ooredoo", "mtn", "safaricom", "bsnl", "pldt", "viettel", "indosat", "singtel",
			"starhub", "netvigator", "hinet", "dacom", "t mobile", "internet service", "internet services",
			"internet provider", "at t", "bell canada", "china mobile", "deutsche telekom", "british telecommunications",
			"cox communications", "svyaz", "sviaz", "infocom", "jaringan", "glasvezel", "satellite", "satelital",
			"multimidia", "ipv4", "wifi", "wisp", "akses", "seti", "telematika", "tel", "comunicacion", "uplink", "telekabel", "comunicacions", "telecomunicacions", "connect", "connections", "ip pathways", "isp"},
		stems: []string{"glasfaser", "telecom", "telekom", "telecomunica", "telecommunica", "telefon", "telephon", "glasvezel",
			"fibra", "fiber", "fibre", "broadband", "wireless", "kabel", "svyaz", "provedor"},
		parts: []string{"telecom", "telekom", "svyaz", "fiber", "fibre", "netspeed", "datapath", "infracom", "infocom", "netsol",
			"radiotelephone", "radiotelefon"}},
	{typ: foyer.OrgISP, weak: true,
		words: []string{"internet", "network", "networks", "netzwerk", "netzwerke", "online", "communications",
			"communication", "kommunikation", "redes", "networking", "lintas", "multimedia"}},
}

// legalForms are the legal forms of companies in many jurisdictions, as
// parseName leaves them: lower-cased, dots and slashes gone, runs of single
// letters joined ("S.A." is "sa", "A/S" is "as", "Sp. z o.o." is "sp zoo").
var legalForms = []string{
	// written out
	"aktiengesellschaft", "gesellschaft mit beschraenkter haftung", "societe anonyme", "limited", "incorporated",
	"corporation", "sociedad anonima", "sociedade anonima", "besloten vennootschap", "naamloze vennootschap",
	"kabushiki kaisha", "yugen kaisha", "joint stock company", "public company limited", "private limited",
	"anonim sirketi", "anonim sirket", "limited liability company", "aktiebolag", "aksjeselskap",
	"osakeyhtio", "anpartsselskab", "societa per azioni", "societa a responsabilita limitata",
	"sociedad limitada", "sociedade limitada", "spolka z ograniczona odpowiedzialnoscia", "spolka akcyjna",
	"sirketi", "ticaret", "company", "compania", "companhia", "societe", "sociedad", "sociedade",
	// abbreviated
	"inc", "llc", "ltd", "ltda", "lda", "gmbh", "mbh", "gesmbh", "ug", "kg", "kgaa", "ohg", "ag", "se", "sa",
	"sas", "sasu", "sarl", "eurl", "snc", "bv", "bvba", "nv", "vof", "cv", "sprl", "srl", "srls", "spa", "sapa",
	"ab", "asa", "as", "oy", "oyj", "aps", "hf", "ehf", "sia", "uab", "ou", "oue", "kk", "co", "corp", "plc", "pty",
	"pte", "sdn bhd", "bhd", "sdn", "pvt", "pt", "tbk", "jsc", "jsco", "cjsc", "pjsc", "ojsc", "ooo", "oao",
	"zao", "pao", "ao", "tov", "llp", "lp", "kft", "zrt", "nyrt", "sro", "spol", "sp zoo", "zoo", "doo", "dd",
	"ad", "ood", "eood", "sl", "slu", "cia", "sae", "sapi", "eireli", "epp", "me", "wll", "fzco", "fze", "pp",
	"sti", "ca", "cc", "is", "sc", "sal", "pbc", "s de rl", "sa de cv", "de cv", "bank", "banco", "banca", "holding", "holdings", "group",
	"grup", "gruppe", "groupe", "grupo", "gruppo",
}

// legalStems are written-out forms that registries cut short
// ("…Gesellschaft fuer Zivilluftfahrt mit beschraenk").
var legalStems = []string{"gesellschaft", "mit beschr", "haftungsbeschr", "aktiebolag", "vennootschap",
	"osakeyhti"}

// businessWords mark a company when the name has no legal form.
var businessWords = []string{"bank", "banco", "insurance", "versicherung", "hotel", "resort", "casino",
	"airlines", "airline", "airways", "investments", "investment", "capital", "furniture", "physiotherapy",
	"drug", "mart", "pharma", "pharmaceuticals", "systems", "consulting", "consultoria", "consultants",
	"construction", "construcciones", "computers", "motors", "energy", "hydro", "exchange", "payments", "pay", "retail",
	"stores", "foods", "brands", "industries", "manufacturing", "logistics", "media", "software", "games",
	"gamezone", "assoc", "partners", "law", "legal", "trading", "studio", "labs", "office", "certification",
	"financial", "finance", "credit", "securities", "realty", "properties", "solutions", "technologies",
	"technology", "tech", "services", "enterprises", "entertainment", "marketing",
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
