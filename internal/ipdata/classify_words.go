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
	// ends are the last parts of compounds, matched at a token's end:
	// "Skatteverket", "Troms fylkeskommune", "Digitaliseringsstyrelsen".
	ends []string
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
	for _, e := range r.ends {
		for _, t := range nm.tokens {
			if len(t) > len(e)+1 && strings.HasSuffix(t, e) && !notEnd[t] {
				return t
			}
		}
	}
	return ""
}

// notEnd are words that end in one of the rules' ends and mean something
// else: a Swedish network ("nätverket") is not an agency ("-verket").
var notEnd = map[string]bool{"naetverket": true, "natverket": true, "gesamt": true, "insgesamt": true,
	"realnetworks": true, "ticketnetwork": true, "getwellnetwork": true, "jobnetworks": true, "socialnetwork": true,
	"kirchengemeinde": true, "fiberverket": true, "kraftverket": true}

// nameRules are tried in order: ministries first (a ministry of education is
// a public body), then hosting (a cloud company is also a company),
// education and research networks, public bodies, non-profits, and
// carriers last, strong words before weak ones.
var nameRules = []nameRule{
	{typ: foyer.OrgGovernment,
		words: []string{"ministry", "ministries", "department of education", "ministerstvo", "ministarstvo",
			"ministerstwo", "ministerie", "minsterie",
			// Turkish, Indonesian and Malay, Persian, Hungarian, Finnish
			"bakanligi", "bakanlik", "kementerian", "kementrian", "vezarat", "vezarate", "miniszterium",
			"ministerio", "ministerio de", "secretaria de estado"},
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
			"orange cameroun", "orange sa", "orange slovensko", "orange egypt", "orange jordan", "orange mali",
			"orange guinee", "orange cote d ivoire", "orange senegal", "orange botswana", "orange liberia",
			"orange sierra leone", "orange burkina", "orange rdc", "orange madagascar", "orange tunisie", "orange maroc",
			"orange france", "orange bissau", "orange centrafrique", "orange niger"},
		// a carrier's cloud or data-centre arm is a host: "CHINANET … Cloud Base", "… IDC"
		unless: []string{"exxon mobil", "exxonmobil", "idc", "cloud", "data center", "datacenter", "data centre"}},
	{typ: foyer.OrgHosting,
		words: []string{"hoster", "colo", "vps", "vds", "cdn", "servers", "vpn", "proxy", "akamai", "cloudflare", "fastly",
			"digitalocean", "linode", "ovh", "hetzner", "vultr", "leaseweb", "contabo", "scaleway", "choopa", "m247",
			"amazon", "aws", "google", "microsoft", "oracle", "alibaba", "tencent", "ionos", "hostinger", "godaddy",
			"rackspace", "equinix", "zscaler", "incapsula", "imperva", "limelight", "edgecast", "stackpath", "netlify",
			"vercel", "heroku", "internap", "linux", "dc", "data center", "data centre", "data centers", "data centres", "web services", "content delivery",
			"as a service", "compute", "anycast", "ddos", "gpu", "nuvem", "centro de datos", "centro de dados", "virtual servers", "dedicated servers", "webhosting", "host", "hosted",
			"bulletproof", "seedbox", "idc", "grid computing", "cloud computing", "edge computing", "gpu cloud",
			"ai cloud", "colocation", "bare metal", "baremetal", "web hosting", "hosting provider",
			// hosts and data-centre operators known by their brand alone
			"coreweave", "lambda labs", "crusoe", "databank", "unitedlayer", "luxconnect", "webglobe", "wedos",
			"hostpapa", "hostgator", "bluehost", "dreamhost", "siteground", "namecheap", "hostwinds", "kamatera",
			"upcloud", "gcore", "g core labs", "psychz", "quadranet", "colocrossing", "datacamp", "cdn77",
			"ovhcloud", "netcup", "strato", "host europe", "plusserver", "myloc", "webtropia", "time4vps",
			"hostkey", "selectel", "timeweb", "beget", "serverius", "worldstream", "nforce", "sharktech",
			"hivelocity", "phoenixnap", "cloudsigma", "exoscale", "infomaniak", "hostpoint", "digital realty",
			"cyrusone", "coresite", "flexential", "vantage data centers", "stack infrastructure", "interxion",
			"telehouse", "global switch", "nextdc", "aruba s p a", "aruba spa", "register it", "one com",
			"netactuate", "zenlayer", "packet host", "equinix metal", "fly io", "backblaze", "wasabi", "domain registrar", "domain names", "internet registrar", "centre de donnees", "centro dati", "veri merkezi", "pusat data", "hospedagem", "hospedaje", "hebergeur", "internet data center", "vserver", "iaas", "paas"},
		stems: []string{"hosting", "cloud", "server", "datacenter", "datacentre", "colocation", "colocat", "hebergement",
			"alojamiento", "rechenzentr", "onhost", "host", "vps", "datacentrum", "datacenters", "serwer", "hospedagem", "rack"},
		parts: []string{"hosting", "rechenzentrum", "yorkhost", "cloud", "webhost", "sunucu"},
		ends:  []string{"host", "hosting", "server", "servers", "cloud", "datacenter", "vps", "dns", "idc", "colo", "gpu"}},
	{typ: foyer.OrgEducation,
		words: []string{"college", "school", "schule", "ecole", "academy", "akademie", "polytechnic", "politecnico",
			"politeknik", "edu", "research", "ensino", "enseignement", "educacion", "educacao", "school district",
			"institute of technology", "research and education", "education and research", "education network",
			"institut teknologi", "higher education", "hogskola", "hogskolan", "hoegskola", "hoegskolan", "instytut", "educational institution",
			"academic", "academia", "akademia", "akademi", "egyetem", "yliopisto", "korkeakoulu", "daigaku", "daehakgyo", "daxue",
			"gakuen", "kosen", "gymnasium", "lyceum", "liceo", "lycee", "colegio", "escola", "escuela", "skola", "skolan",
			"szkola", "okulu", "sekolah", "madrasah", "pesantren", "schools", "public schools", "onderwijs",
			"cegep", "tafe", "tertiary", "recherche", "cercetare", "ricerca", "ricerche", "forskning", "tutkimus", "investigacion", "investigaciones", "pesquisa", "onderzoek",
			"health sciences center", "health science center", "health sciences centre",
			"school of medicine", "medical school", "research network", "academic network", "science network",
			"national knowledge network", "obrazovatelnoe", "obrazovatelnoye", "fgbou", "fgaou", "gbou", "mbou",
			"conservatory", "conservatoire", "conservatorio", "seminary", "intermediate unit", "school board", "institute of", "institutet",
			"instituto tecnologico", "instituto federal", "institut teknologi", "institute for advanced",
			// state and national research and education networks
			// school districts, Indonesian institutes, campuses and supercomputing centres
			"isd", "cisd", "boces", "unified school district", "institut", "iain", "uin", "stikes", "stmik",
			"accademia", "supercomputing", "faculdade", "facultad", "faculty", "fakultet", "fakultas", "supercomputer", "koulutuskuntayhtyma",
			"merit network", "cenic", "oarnet", "nysernet", "morenet", "wiscnet", "kanren", "oshean",
			"njedge", "esnet", "ulakbim", "roedunet", "kifu", "niif", "amres", "marnet", "myren", "twaren", "tanet",
			"harnet", "reannz", "cstnet", "cudi", "cedia", "raap", "innova red", "sanren", "kenet", "zamren",
			"ubuntunet", "wacren", "asren", "grena", "azrena", "renam", "deic", "forskningsnettet", "iucc",
			"basnet", "kazren", "marwan", "jgn", "lonestar education",
			// national research and education networks
			"dfn", "renater", "garr", "surf", "surfnet", "janet", "jisc", "rediris", "aconet", "belnet", "nordunet",
			"internet2", "canarie", "aarnet", "fccn", "grnet", "pionier", "cesnet", "sunet", "funet", "uninett",
			"sikt", "heanet", "rnp", "reuna", "cernet", "sinet", "kreonet", "tein", "geant", "arnes", "carnet",
			"lanet", "litnet", "eenet", "rhnet", "restena", "redclara", "ernet", "nren"},
		stems: []string{"universi", "hochschul", "forschungsnetz", "educat", "uniwersyt", "univerz", "univerza",
			"politechn", "politecn", "polytechn", "politehn", "akadem", "forschung", "obrazovan"},
		parts: []string{"hochschule", "forschungsnetz", "wissenschaftsnetz", "forschungszentrum", "fachhochschul"},
		ends: []string{"yliopisto", "korkeakoulu", "hochschule", "universitet", "universitaet", "skolan", "daigaku",
			"gymnasium", "schule"}},
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
			"landesverwaltung", "staatskanzlei", "usaisc", "shared services canada", "national institutes of health", "senatsverwaltung", "statistics", "statistik", "census",
			"govt", "government of", "gouv", "gob", "national laboratory",
			// parliaments
			"parlament", "landtag", "abgeordnetenhaus", "riksdag", "riksdagen", "folketing", "folketinget",
			"storting", "stortinget", "eduskunta", "althingi", "knesset", "duma", "verkhovna rada", "national assembly",
			"asamblea nacional", "assembleia", "assemblea", "camara de diputados", "camera dei deputati",
			"chambre des deputes", "tweede kamer", "eerste kamer", "house of representatives", "house of commons",
			"house of lords", "congreso", "congresso", "national congress",
			// governments and public administrations
			"regering", "regeringen", "regeringskansliet", "regjeringen", "valtioneuvosto", "kormany", "vlada",
			"vlady", "pravitelstvo", "hukumat", "devlet", "amministrazione", "administracao publica",
			"administracion publica", "urzad", "hivatal", "polisen", "polismyndigheten", "statsforvaltningen", "myndighet",
			"myndigheten", "virasto", "state budgetary institution", "budgetary institution", "budget institution",
			"gosudarstvennoe", "gosudarstvennoye", "uchrezhdenie", "fgbu", "gbu", "gku", "fku", "mku", "mbu", "gbuz",
			"administratsiya", "administraciya", "administratsii", "secretaria de", "secretaria da", "secretaria do",
			"secretaria municipal", "secretaria estadual", "poder judicial", "poder legislativo",
			"poder executivo", "fiscalia", "procuraduria", "contraloria", "defensoria", "superintendencia",
			"receita federal", "tribunal de contas", "public prosecutor", "prokuratura",
			"central bank", "banco central", "banque centrale", "bundesbank", "riksbank", "nationalbank",
			"reserve bank of", "federal reserve", "wetterdienst", "meteorological", "meteorology", "meteorologia",
			"meteorologique", "meteorologisk", "social security", "seguridad social",
			"seguranca social", "sozialversicherung", "national health service", "nhs",
			"tax administration", "revenue service", "inland revenue", "fire department",
			"sheriff", "state police", "carabinieri", "guardia civil", "policie", "politie", "politi", "poliisi",
			"militar", "militaire", "ejercito", "exercito", "esercito", "armee", "marine nationale",
			"embassy", "embajada", "ambassade", "botschaft", "consulate", "united nations", "european union",
			"european parliament", "european central bank", "nato", "oecd", "unesco", "unicef",
			// municipalities and regions
			"municipio", "municipalidad", "municipalite", "munizip", "magistrat", "miasto", "obec", "obcina",
			"opcina", "opstina", "kaupunki", "kunta", "concello", "ajuntament", "udaletxea", "camara municipal",
			"intendencia", "alcaldia", "belediyesi", "belediye", "valiligi", "pemda", "pemprov", "pemerintahan",
			"city council", "borough council", "district council", "county council", "town council", "city hall",
			"town of", "village of", "township of", "borough of", "city government", "metropolitan government",
			"conseil regional", "conseil departemental", "conseil general", "region de", "comunidad autonoma",
			"comunidad de madrid", "xunta", "wojewodztwo", "wojewodzki", "marszalkowski", "kraj", "zupanija",
			"megye", "judet", "judetul", "consiliul judetean", "primaria", "oblast", "okrug", "krai", "landsting",
			"fylkeskommune", "stadsdeel", "gmina", "powiat", "starostwo", "diskominfo", "kominfo", "oblasti", "provinciale", "prefectural", "gemeindeverwaltung", "behoerde",
			"landesregierung", "bundeskanzleramt", "cabinet office", "zivilluftfahrt", "flugsicherung", "civil aviation",
			"air navigation services", "kantonsverwaltung", "staatsverwaltung", "rathaus",
			// more public bodies: Indonesian, Malay, Baltic, Nordic, Romanian and Spanish words; US state offices
			"badan", "sekretariat daerah", "departemen", "dewan bandaraya", "kase", "statens", "landstinget",
			"regionen", "zweckverband", "kommunale", "kommunal", "autoritatea", "directoratul", "estado mayor",
			"armada", "prefectura", "naval", "secretary of state", "state tax", "tax service", "tax agency",
			"public library", "library district", "park district", "water district", "irrigation district",
			"fire rescue", "fire district", "observatory", "nnsa", "national guard", "armed force",
			"coast guard", "intergovernmental", "commonwealth of", "civil service",
			"public utility district", "utility district", "national park service", "ukrainian state", "state service", "kanceliarija", "kancelaria", "disdukcapil"},
		parts: []string{"verwaltung", "bundesamt", "landesamt", "stadtwerke-", "regierung", "polizei",
			"staatsministerium", "rijksoverheid", "gericht ", "behoerde", "ministerium"},
		// a town's own telephone company is a carrier
		unless: []string{"municipal telephone", "municipal de telecomunicaciones", "municipal communications"},
		ends: []string{"verket", "styrelsen", "direktoratet", "tilsynet", "etaten", "kommune", "kommun",
			"gemeinde", "ministerium", "behoerde", "hallinto", "virasto", "hivatal", "amt",
			"kanzleramt", "polizei", "belediyesi", "valiligi"}},
	{typ: foyer.OrgGovernment, yieldToForm: true,
		words: []string{"agentur", "agence", "agencia", "agenzia", "agency", "commission", "commissione",
			"comision", "comissao", "kommission", "authority", "board", "bureau", "office of", "county", "administration",
			"agentuur", "agencja", "agentura", "ajansi", "kurumu", "baskanligi", "komisja", "komise",
			"commissie", "kommissionen", "comisia", "autoridad", "autoridade", "autorita", "autoriteit", "instituto nacional",
			"institut national", "istituto nazionale", "national institute", "directorate", "direccion general",
			"direcao geral", "direzione generale", "inspectorate", "regulator", "regulatory authority", "ente",
			"organismo", "departamento", "department", "departement", "dienst", "services publics", "service public",
			"customs", "douane", "aduana", "zoll", "public works", "secretariat", "ombudsman", "public sector",
			"administracao", "uprava", "amt"},
		unless: []string{"department store", "department stores"}},
	{typ: foyer.OrgNonprofit,
		words: []string{"foundation", "stiftung", "fondation", "fundacion", "fondazione", "stichting",
			"fundacao", "charity", "nonprofit", "non profit", "ngo", "ev", "church", "hospital", "verein",
			"association", "associacao", "asociacion", "associazione", "vereniging", "not for profit",
			"red cross", "medical center", "health network", "health system", "internet exchange",
			"conservancy", "medical institute", "centre hospitalier", "hospitalier", "hopital", "hopitaux", "klinikum",
			"krankenhaus", "ziekenhuis", "ospedale", "ospedaliera", "hospitales", "hospitalar", "sjukhus",
			"exchange point", "ix", "medicine",
			// associations' forms and words: Finnish ry, Indonesian yayasan and perhimpunan, German Vereinigung
			"ry", "yayasan", "perhimpunan", "vereinigung", "asso", "asbl", "vzw", "ideell forening",
			"red crescent", "diocese", "archdiocese", "salvation army", "ymca", "ywca", "habitat for humanity",
			// registries and chambers of commerce
			"network information center", "network information centre", "coordination centre",
			"coordination center", "internet registry", "chamber of commerce", "chambers of commerce",
			"camara de comercio", "chambre de commerce", "camera di commercio", "handelskammer",
			"industrie und handelskammer", "kamer van koophandel", "servico social", "servicio social"},
		parts:  []string{"stiftung"},
		unless: []string{"stiftung co kg", "stiftung co"}}, // "Stiftung & Co. KG" is a company's form
	{typ: foyer.OrgNonprofit, yieldToForm: true,
		words: []string{"health", "healthcare", "clinic"}},
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
			"multimidia", "ipv4", "wifi", "wisp", "akses", "seti", "telematika", "tel", "comunicacion", "uplink", "telekabel", "comunicacions", "telecomunicacions", "connect", "connections", "ip pathways", "isp",
			"komunikasi", "komunikacije", "komunikacii", "haberlesme", "ftth", "fttx", "fttb", "fttp", "gpon", "voip",
			"lte", "adsl", "xdsl", "vdsl", "catv", "kablo", "teleport", "satcom", "wlan", "wimax",
			"internet access", "internet provider", "access provider",
			"telecoms", "telcom", "telekomunikacije", "telecomunicatii", "telekomunikacja", "viestinta", "bredband",
			"bredbaand", "stadsnaet", "stadsnat", "telecomunicaciones", "tsushin", "denwa", "itissalat", "ittisalat", "vien thong", "vienthong", "conectividad", "conectividade"},
		stems: []string{"glasfaser", "telecom", "telekom", "telecomunica", "telecommunica", "telefon", "telephon", "glasvezel",
			"fibra", "fiber", "fibre", "broadband", "wireless", "kabel", "svyaz", "provedor", "tele", "bredband",
			"telco", "cablevision", "cablecom", "kablo"},
		ends: []string{"wlan", "wimax"},
		parts: []string{"telecom", "telekom", "svyaz", "fiber", "fibre", "netspeed", "datapath", "infracom", "infocom", "netsol",
			"radiotelephone", "radiotelefon"},
		unless: []string{"exxon mobil", "exxonmobil"}},
	// carriers known by their brand alone
	{typ: foyer.OrgISP,
		words: []string{"vimpelcom", "kyivstar", "lifecell", "ucell", "kcell", "azercell", "bakcell", "geocell", "magti",
			"zain", "mobily", "batelco", "zong", "ufone", "grameenphone", "axiata", "celcom", "maxis", "smartfren",
			"telkomsel", "dtac", "true move", "mobifone", "vinaphone", "vnpt", "pccw", "hkbn", "chunghwa", "far eastone",
			"lg uplus", "docomo", "ntt docomo", "biglobe", "jcom", "j com", "vodacom", "inwi", "djezzy", "mobilis",
			"orascom", "cell c", "seacom", "liquid telecom", "wiocc", "digicel", "claro", "tigo", "millicom", "telmex",
			"entel", "cantv", "antel", "izzi", "totalplay", "megacable", "axtel", "maxcom", "movil", "moviles", "movel",
			"versatel", "unitymedia", "upc", "congstar", "jazztel", "masmovil", "euskaltel", "rcs rds", "netia",
			"polkomtel", "vectra", "o2", "cetin", "yettel", "cosmote", "cyta", "primetel", "elisa", "comhem", "com hem",
			"altibox", "nextgentel", "stofa", "yousee", "tdc", "eircom", "virgin media", "sky uk", "sky broadband",
			"talktalk", "hyperoptic", "hutchison 3g", "h3g", "windstream", "centurylink", "level 3", "qwest", "cogent",
			"zayo", "hurricane electric", "mediacom", "wideopenwest", "rcn", "altice", "sparklight", "cincinnati bell",
			"bell aliant", "bell mobility", "videotron", "cogeco", "telus", "sasktel", "viasat", "spacex",
			"starlink", "globalstar", "iridium", "inmarsat", "intelsat", "ses astra", "eutelsat", "ertebatat",
			"mokhaberat", "arelion", "lumen technologies", "gtt communications", "tata communications"}},
	// the words of cultural, learned and charitable bodies, after the
	// carriers' ("Alliance Broadband" is a carrier) and giving way to a
	// company's form ("Opera Software ASA")
	{typ: foyer.OrgNonprofit, yieldToForm: true,
		words: []string{"clinics", "society", "institute", "instituto", "istituto", "institutul", "instituut",
			"alliance", "federation", "museum", "museo", "musee", "museu", "opera", "orchestra", "symphony",
			"philharmonic", "zoo", "botanic", "botanical", "arts center", "arts centre", "library", "biblioteca",
			"bibliotheque", "biblioteka", "bibliothek", "mandir", "temple", "mosque", "synagogue", "scouts",
			"united way", "charitable", "benevolent", "humane society", "food bank"}},
	{typ: foyer.OrgISP, weak: true,
		words: []string{"internet", "network", "networks", "netzwerk", "netzwerke", "online", "communications",
			"communication", "kommunikation", "redes", "rede", "shabakeh", "siec", "sieci", "reseau", "reseaux", "rangkaian", "networking", "lintas", "multimedia"},
		// compounds: "CompuNetwork", "MigumCableNetwork"
		ends: []string{"network", "networks"},
		// power and gas grids are networks too
		unless: []string{"energies", "energie", "energy", "energia", "elektroenergetyczne", "gaz", "gas", "electricite", "elektrizitaet", "strom"}},
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
	"societe a responsabilite limitee", "societe par actions simplifiee", "sociedad de responsabilidad limitada",
	"sociedad por acciones simplificada", "sociedade empresaria limitada", "societa cooperativa",
	"spolka jawna", "spolka komandytowa", "spolecnost s rucenim omezenym", "akciova spolecnost", "spolecnost",
	"allmennaksjeselskap", "aktieselskab", "julkinen osakeyhtio", "kommandiittiyhtio", "handelsbolag",
	"kommanditbolag", "aktsiaselts", "osauhing", "akcine bendrove", "uzdaroji akcine bendrove",
	"sabiedriba ar ierobezotu atbildibu", "akciju sabiedriba", "korlatolt felelossegu tarsasag",
	"reszvenytarsasag", "druzba z omejeno odgovornostjo", "drustvo s ogranicenom odgovornoscu",
	"societate cu raspundere limitata", "societate pe actiuni", "anonymi etaireia", "etaireia",
	"public limited company", "private limited company", "limited liability partnership", "limited partnership",
	"general partnership", "professional corporation", "limitada", "limitee", "kabushiki gaisha", "godo kaisha",
	"godo gaisha", "yugen gaisha", "chusik hoesa", "jusikhoesa", "youxian gongsi", "gongsi", "perseroan terbatas",
	"sendirian berhad", "berhad", "obshchestvo s ogranichennoy otvetstvennostyu", "aktsionernoe obshchestvo",
	"tovarystvo z obmezhenoyu vidpovidalnistyu", "tovarystvo", "obshchestvo", "aktsionernoe", "osauehing",
	"cong ty", "tnhh", "ctcp", "co phan",
	// abbreviated
	"inc", "llc", "ltd", "ltda", "lda", "gmbh", "mbh", "gesmbh", "ug", "kg", "kgaa", "ohg", "ag", "se", "sa",
	"sas", "sasu", "sarl", "eurl", "snc", "bv", "bvba", "nv", "vof", "cv", "sprl", "srl", "srls", "spa", "sapa",
	"ab", "asa", "as", "oy", "oyj", "aps", "hf", "ehf", "sia", "uab", "ou", "oue", "kk", "co", "corp", "plc", "pty",
	"pte", "sdn bhd", "bhd", "sdn", "pvt", "pt", "tbk", "jsc", "jsco", "cjsc", "pjsc", "ojsc", "ooo", "oao",
	"zao", "pao", "ao", "tov", "llp", "lp", "kft", "zrt", "nyrt", "sro", "spol", "sp zoo", "zoo", "doo", "dd",
	"ad", "ood", "eood", "sl", "slu", "cia", "sae", "sapi", "eireli", "epp", "me", "wll", "fzco", "fze", "pp",
	"sti", "ca", "cc", "is", "sc", "sal", "pbc", "s de rl", "sa de cv", "de cv", "bank", "banco", "banca", "holding", "holdings", "group",
	"ulc", "gp", "ltee", "sca", "scs", "scrl", "scarl", "sccl", "gie", "pllc", "lllp", "pcl", "gk", "yk", "dooel", "doel",
	"ks", "vos", "ky", "eg", "gbr", "partg", "publ", "sac", "saa", "saic", "saci", "sacif", "bsc", "qsc", "qpsc",
	"saog", "saoc", "psc", "kscp", "ksc", "fzc", "fzllc", "fz llc", "dmcc", "opc", "unipessoal", "sgps", "sp j",
	"sp k", "ska", "eirl", "zat", "tzov", "tdv", "mchj", "anstalt", "ste", "mutua", "mutual",
	"grup", "gruppe", "groupe", "grupo", "gruppo",
}

// legalStems are written-out forms that registries cut short
// ("…Gesellschaft fuer Zivilluftfahrt mit beschraenk").
var legalStems = []string{"gesellschaft", "mit beschr", "haftungsbeschr", "aktiebolag", "vennootschap",
	"osakeyhti", "yhtio"}

// businessWords mark a company when the name has no legal form.
var businessWords = []string{"bank", "banco", "banca", "banque", "bankasi", "banka", "bankas", "pankki", "sparkasse",
	"credit union", "savings", "warehouse", "mortgage", "travel", "supply", "dental", "apparel", "fashion",
	"jewelry", "bakery", "brewing", "brewery", "winery", "farms", "dairy", "cinema", "cinemas", "theatres",
	"restaurant", "furnishings", "cosmetics", "clothing", "shoes", "toys", "outdoor", "publishing", "supermarket", "supermarkets", "pharmacy",
	"hospitality", "restaurants", "automotive", "chemicals", "steel", "mining", "oil", "gas", "petroleum", "airport",
	"insurance", "versicherung", "hotel", "resort", "casino",
	"airlines", "airline", "airways", "investments", "investment", "capital", "furniture", "physiotherapy",
	"drug", "mart", "pharma", "pharmaceuticals", "systems", "consulting", "consultoria", "consultants",
	"construction", "construcciones", "computers", "motors", "energy", "hydro", "exchange", "payments", "pay", "retail",
	"stores", "foods", "brands", "industries", "manufacturing", "logistics", "media", "software", "games",
	"gamezone", "assoc", "partners", "law", "legal", "trading", "studio", "labs", "office", "certification",
	"financial", "finance", "credit", "securities", "realty", "properties", "solutions", "technologies",
	"technology", "tech", "services", "enterprises", "entertainment", "marketing",
}

// knownCompanies are large enterprises known by name alone, whose own
// networks are large and spread enough to have a carrier's shape, or that
// carry no legal form in the table. They decide only after the words of
// carriers, hosts and public bodies: "Sony Network Communications" is a
// carrier, "Siemens" a company. Clouds and carriers (Amazon, Google,
// Microsoft, Oracle, Alibaba, Comcast…) are not here.
var knownCompanies = []string{
	// technology
	"apple", "facebook", "meta platforms", "linkedin", "salesforce", "salesforce com", "twitter", "yahoo", "yandex", "intel", "nvidia",
	"qualcomm", "broadcom", "texas instruments", "cisco", "cisco systems", "hewlett packard", "ibm", "dell",
	"lenovo", "samsung", "sony", "panasonic", "hitachi", "toshiba", "fujitsu", "canon", "nikon", "siemens",
	"bosch", "philips", "nokia", "ericsson", "sap se", "sap ag", "sap america", "sap labs", "adobe", "paypal", "ebay", "intuit", "workday", "servicenow",
	"accenture", "capgemini", "infosys", "wipro", "tata consultancy", "kyndryl", "ntt data",
	// industry, energy and transport
	"exxon", "exxonmobil", "exxon mobil", "chevron", "conocophillips", "shell oil", "royal dutch shell", "equinor",
	"petrobras", "pemex", "saudi aramco", "aramco", "gazprom neft", "lukoil", "rosneft", "boeing", "airbus",
	"lockheed martin", "raytheon", "northrop grumman", "general dynamics", "caterpillar", "honeywell", "3m",
	"general electric", "general motors", "ford motor", "toyota", "volkswagen", "bmw", "daimler", "mercedes benz",
	"hyundai", "honda", "nissan", "arcelormittal", "thyssenkrupp", "rio tinto", "bhp", "glencore", "basf",
	"bayer", "dupont", "dow chemical", "schneider electric", "abb", "stellantis", "psa automobiles", "peugeot",
	"renault", "saab", "xerox", "rockwell collins", "rockwell automation", "bae systems", "signify", "zoom video communications", "fedex", "dhl", "maersk", "united parcel service",
	// health and consumer goods
	"pfizer", "novartis", "roche", "eli lilly", "merck", "astrazeneca", "glaxosmithkline", "sanofi", "abbott",
	"medtronic", "johnson johnson", "unitedhealth", "cardinal health", "mckesson", "cigna", "aetna", "humana",
	"nestle", "unilever", "procter gamble", "coca cola", "pepsico", "danone", "heineken", "loreal", "lvmh",
	"nike", "adidas", "walmart", "costco", "home depot", "kroger", "ikea", "carrefour", "tesco", "walgreens",
	"mcdonalds", "starbucks", "disney", "walt disney",
	// finance
	"jpmorgan", "jp morgan", "goldman sachs", "morgan stanley", "citigroup", "citibank", "wells fargo",
	"bank of america", "hsbc", "barclays", "credit suisse", "ubs", "deutsche bank", "bnp paribas",
	"societe generale", "santander", "bbva", "allianz", "axa", "generali", "prudential", "metlife", "mastercard",
	"american express", "visa inc", "blackrock", "kkr", "charles schwab", "state farm", "berkshire hathaway", "nasdaq",
	// professional services
	"deloitte", "kpmg", "pricewaterhousecoopers", "pwc", "ernst young", "mckinsey", "boston consulting",
	"bain company", "gartner", "marsh", "marsh mclennan", "aon", "willis towers watson",
	// more banks, exchanges and payments
	"intesa sanpaolo", "unicredit", "commerzbank", "ing bank", "ing groep", "rabobank", "abn amro", "nordea",
	"danske bank", "handelsbanken", "swedbank", "kbc", "belfius", "natixis", "credit agricole", "lloyds",
	"natwest", "standard chartered", "caixabank", "sabadell", "bankinter", "bpce", "mizuho", "mufg",
	"mitsubishi ufj", "sumitomo mitsui", "nomura", "daiwa", "icbc", "bank of china", "china construction bank",
	"hdfc", "icici", "state bank of india", "kotak", "ocbc", "maybank", "westpac", "commonwealth bank",
	"royal bank of canada", "toronto dominion", "scotiabank", "desjardins", "itau", "bradesco",
	"banco do brasil", "caixa economica", "banorte", "pnc", "truist", "capital one", "fifth third",
	"northern trust", "state street", "bny mellon", "raymond james", "edward jones", "ameriprise",
	"fidelity investments", "t rowe price", "franklin templeton", "invesco", "nyse", "intercontinental exchange",
	"cme group", "deutsche boerse", "euronext", "london stock exchange", "fiserv", "worldpay", "adyen",
	// more insurers and health
	"zurich insurance", "munich re", "swiss re", "hannover re", "aviva", "aegon", "ageas", "mapfre",
	"tokio marine", "sompo", "nippon life", "ping an", "china life", "manulife", "sun life", "aflac", "chubb",
	"allstate", "nationwide mutual", "liberty mutual", "usaa", "geico", "anthem", "elevance", "centene",
	"blue cross", "blue shield", "novo nordisk", "boehringer", "bristol myers", "amgen", "gilead", "biogen",
	"regeneron", "moderna", "takeda", "daiichi sankyo", "astellas", "teva", "baxter", "becton dickinson",
	"stryker", "boston scientific", "siemens healthineers", "fresenius", "thermo fisher", "danaher", "agilent",
	"illumina", "labcorp", "quest diagnostics", "cvs health",
	// more technology
	"hewlett packard enterprise", "hp inc", "asus", "acer", "foxconn", "hon hai", "tsmc", "taiwan semiconductor",
	"mediatek", "micron", "western digital", "seagate", "advanced micro devices", "asml", "infineon",
	"stmicroelectronics", "nxp", "renesas", "sk hynix", "lg electronics", "lg chem", "lg display", "kyocera",
	"murata", "omron", "ricoh", "konica minolta", "epson", "fujifilm", "keyence", "vmware", "citrix", "autodesk",
	"ansys", "synopsys", "cadence design", "dassault systemes", "atlassian", "docusign", "crowdstrike",
	"palo alto networks", "fortinet", "check point", "juniper networks", "arista networks", "f5 networks",
	"splunk", "snowflake", "datadog", "netapp", "hubspot", "shopify", "booking holdings", "expedia", "airbnb",
	"uber technologies", "spotify", "pinterest", "kakao", "coupang", "mercadolibre", "mercado libre", "flipkart",
	"hcl technologies", "tech mahindra", "cognizant", "nec corporation", "atos", "sopra steria", "unisys",
	"leidos", "booz allen", "thales", "rheinmetall", "safran", "rolls royce", "bombardier", "embraer", "textron",
	"xiaomi", "haier", "midea", "geely", "hanwha", "lotte", "doosan", "posco", "espn",
	// more industry, energy, consumer goods, retail, media and transport
	"totalenergies", "repsol", "galp", "orlen", "petronas", "petrochina", "sinopec", "cnooc",
	"reliance industries", "adnoc", "engie", "enel", "iberdrola", "vattenfall", "fortum", "duke energy",
	"nextera", "dominion energy", "exelon", "national grid", "john deere", "cnh industrial", "komatsu", "scania",
	"paccar", "cummins", "michelin", "bridgestone", "goodyear", "denso", "aisin", "magna international",
	"zf friedrichshafen", "valeo", "forvia", "aptiv", "tesla", "mazda", "subaru", "mitsubishi heavy",
	"mitsubishi electric", "mitsubishi corporation", "itochu", "marubeni", "nippon steel", "tata steel",
	"tata motors", "mahindra", "larsen toubro", "adani", "alcoa", "nucor", "linde", "air liquide",
	"air products", "evonik", "covestro", "henkel", "akzonobel", "solvay", "syngenta", "corteva", "nutrien",
	"yara", "bunge", "cargill", "archer daniels midland", "tyson foods", "kraft heinz", "mondelez",
	"general mills", "kellogg", "ferrero", "reckitt", "colgate", "kimberly clark", "estee lauder",
	"beiersdorf", "anheuser busch", "ab inbev", "diageo", "pernod ricard", "carlsberg", "philip morris",
	"british american tobacco", "japan tobacco", "target corporation", "best buy", "nordstrom", "tjx",
	"dollar general", "dollar tree", "aldi", "lidl", "rewe", "edeka", "ahold delhaize", "sainsbury",
	"marks and spencer", "inditex", "fast retailing", "puma", "lululemon", "warner bros", "warnermedia",
	"paramount", "nbcuniversal", "bertelsmann", "vivendi", "axel springer", "thomson reuters", "pearson",
	"relx", "wolters kluwer", "nielsen", "wpp", "publicis", "omnicom", "interpublic", "dentsu", "havas",
	"deutsche post", "cma cgm", "hapag lloyd", "delta air lines", "american airlines", "united airlines",
	"southwest airlines", "lufthansa", "air france", "british airways", "qatar airways", "singapore airlines",
	"cathay pacific", "union pacific", "bnsf", "norfolk southern", "deutsche bahn",
	// more, added in the third round: software and security firms whose
	// own networks serve their customers, and large enterprises whose
	// names carry no telling word
	"proofpoint", "mimecast", "okta", "zendesk", "twilio", "sendgrid", "mailchimp", "intuit", "cloudera",
	"servicenow", "paychex", "adp", "automatic data processing", "ceridian", "oracle netsuite", "sage group",
	"opentext", "open text", "broadridge", "jack henry", "fis global", "fidelity national",
	"global payments", "first data", "verisign", "neustar", "equifax", "experian", "transunion",
	"dun bradstreet", "moody s", "moodys", "bloomberg", "refinitiv", "factset", "morningstar",
	"ncr", "ncr corporation", "ncr voyix", "diebold", "avaya", "mitel", "wal mart", "walmart inc", "sam s club", "kohl s", "macy s", "sears",
	"lowe s", "walgreen", "rite aid", "albertsons", "safeway", "publix", "meijer", "electricite de france", "edf", "eon se", "uniper", "enbw", "vattenfall", "statkraft",
	"pg e", "pacific gas", "southern california edison", "con edison", "consolidated edison", "xcel energy",
	"entergy", "ameren", "firstenergy", "american electric power", "sempra", "edison international",
	"wellington management", "pimco", "state street", "empower retirement",
	"principal financial", "lincoln financial", "voya", "transamerica", "john hancock", "massmutual",
	"new york life", "northwestern mutual", "guardian life", "pacific life", "jackson national",
	"loomis sayles", "nuveen", "tiaa", "alliancebernstein", "legg mason", "janus henderson", "schroders",
	"amundi", "allianz global investors", "legal general", "standard life",
	"lockheed", "l3harris", "huntington ingalls", "kongsberg", "elbit", "alticor", "amway", "mars incorporated", "koch industries", "cargill", "bechtel", "fluor", "jacobs engineering",
	"aecom", "kiewit", "skanska", "vinci", "bouygues", "hochtief", "ferrovial", "united parcel", "dhl", "fedex", "kuehne nagel", "db schenker", "dsv", "ch robinson",
	"jb hunt", "expeditors",
	"corel", "autodesk", "pegasystems", "bentley systems", "esri", "sas institute", "tibco",
	"teradata", "micro focus", "software ag", "temenos", "finastra", "amadeus", "travelport", "cerner", "oracle health", "athenahealth", "allscripts", "veradigm",
	"meditech", "mckesson", "change healthcare", "kaiser permanente", "hca healthcare",
	"tenet healthcare", "community health systems", "davita", "fresenius medical",
	"kpmg", "mazars", "baker mckenzie", "dla piper", "clifford chance",
	"linklaters", "allen overy", "freshfields", "latham watkins", "kirkland ellis", "skadden", "sony interactive", "nintendo", "electronic arts", "activision", "blizzard", "ubisoft", "take two",
	"epic games", "riot games", "roblox", "unity technologies", "netflix", "hulu", "viacom",
	"fox corporation", "rtl group", "prosiebensat",
	"mediaset", "televisa", "naspers", "prosus", "tencent music", "baidu", "jd com", "meituan",
	"pinduoduo", "bytedance", "tiktok", "naver", "rakuten", "softbank group", "toyota tsusho", "sumitomo corporation", "hitachi vantara", "panasonic avionics",
	"informatica inc", "informatica llc", "valve corporation", "avid technology", "recruit holdings", "vanguard group", "leonardo spa", "ppl corporation", "xpo logistics", "ryder system", "cbs corporation", "cbs interactive", "mitsui co", "sp global", "epic systems corporation", "rwe ag",
}

// strongBusinessWords mark a company whose network may span several sites
// and countries without being a carrier's: with a legal form, they raise
// the points a carrier's shape needs by one.
var strongBusinessWords = []string{"bank", "banco", "banca", "banque", "bankasi", "insurance", "versicherung",
	"assurance", "seguros", "investment", "investments", "investimento", "investimentos", "inversiones",
	"participacoes", "participaciones", "beteiligungs", "capital", "pharma", "pharmaceuticals", "motors",
	"airlines", "airways", "hotel", "hotels", "resort", "casino", "foods", "retail", "stores", "financial",
	"finance", "credit", "securities", "law", "legal", "manufacturing", "industries", "chemicals", "steel",
	"mining", "oil", "petroleum", "logistics", "advertising", "reklamy", "reklama", "werbung", "publicidad", "accounting"}

// givenNames are common first names across Europe, the Americas, the
// former Soviet Union, Iran, the Arab world and South Asia.
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
		emre fatih hakan hasan huseyin ibrahim kemal murat omer osman serkan yusuf
		oleksandr oleksii oleksiy olexandr vladyslav vladislav mykola mykhailo andrii andriy andrey dmytro
		serhii serhiy sergii yurii yuriy volodymyr taras bohdan yevhen yevgen evgeny evgeniy evgenii maksym
		maxim artem artur denys ruslan vitaliy vitalii viktor anatoliy anatolii oleh oleksandra yuliia
		svitlana tetiana nataliia petar petr milan marko nikola dragan zoran goran dejan nenad vladimir
		milos branko darko ivana jelena snezana vasyl vasiliy vasily konstantin kostiantyn aleksei alexey
		alexei nikita kirill pavlo stanislav yaroslav valentin valeriy valerii gennadiy gennadii grigoriy
		hamed hamid mohammad mohammed muhammad mohamed ahmad ahmed hossein hussein husain reza mehdi saeed
		majid mahmoud hassan karim omar yousef youssef khalid tariq tahir farid jamal nasser sami rami
		ehsan morteza mostafa mojtaba payam pouya saman sina babak behnam farhad navid milad arash kaveh
		alireza amirhossein mohsen masoud hadi javad vahid ramin shahram abbas abdullah abdul rashid
		rahul amit ankit rajesh suresh ramesh sanjay vijay anil sunil manoj deepak ashok arun ravi
		terry nathan sascha rory charlie jenson adrian amy andy anthony arthur barry brandon brett brian
		bryan colin craig darren derek douglas duncan dustin dylan edward ethan evan gary gavin gordon
		graham gregory harry jake jamie jared jason jeff jeffrey jeremy jerry jesse jimmy joel jonathan
		joseph joshua justin keith kenneth kyle larry liam logan luke marcus matthew mitchell neil
		nicholas noah phillip raymond rick roger ronald russell ryan scott sean shane shawn stuart todd
		tony travis trevor tyler vincent wayne ashley brenda catherine cheryl cindy deborah donna dorothy
		elizabeth emily heather jennifer jessica judy julie karen kathy kelly kimberly linda lori megan
		melissa michelle nancy nicole pamela rachel rebecca sharon stephanie teresa tracy wendy
		joerg juergen kai marcel nico rene timo dieter guenter horst manfred norbert rainer reinhard bernd
		detlef holger ingo jochen lothar sebastien guillaume thibault benoit mathieu jerome loic yann
		isidro ricardo alejandro agustin javier andres emilio freddy hernan cleber welton cicero dardo
		jianghao qiyuan weiqi jihun raphael rogier frantisek lukasz pawel grzegorz zbigniew
		fredrik emircan laurens bengt arne miroslav bartosz rafal edmund sabri barmak gezim mykyta saeid
		vitalijs cynthia oksana jaiyeon anwar arshia fereidoon sam lior avraham antoine tamas kaan jakub ales
		erich bujar halyna illia mingxiang yiwei hamza bilal imran irfan faisal nadeem naveed shahid asif
		kamran arif sajid zahid wasim tanvir rakib rashed shafiqul aminul mahmud hasnat sadia nasrin
		yasin yunus yakup ercan erdem burak cem volkan tolga ugur onur sinan selim levent orhan gokhan
		ozan baris taner bulent cihan erkan ilker kerem mert oguz serdar tuncay umut yavuz zafer`) {
		m[n] = true
	}
	return m
}()
