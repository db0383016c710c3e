package ipdata

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// own is the shape of a company's own network: one small range in one
// country, which leaves the name to decide.
func own(org string) Network {
	return Network{Org: org, Addresses4: 256, Ranges4: 1, Countries: 1}
}

func testNames(t *testing.T, cases map[string]foyer.OrgType) {
	t.Helper()
	for org, want := range cases {
		if got, reason := classifyByRules(own(org)); got != want {
			t.Errorf("%q: %s (%s), want %s", org, got, reason, want)
		}
	}
}

func TestClassifyLegalForms(t *testing.T) {
	t.Parallel()
	b := foyer.OrgBusiness
	testNames(t, map[string]foyer.OrgType{
		// written out
		"Beispiel Aktiengesellschaft":                              b,
		"Muster Gesellschaft mit beschränkter Haftung":             b,
		"Austro Muster Gesellschaft fuer Luftfahrt mit beschraenk": b,
		"Exemple Société anonyme":                                  b,
		"Example Widgets Limited":                                  b,
		"Example Widgets Incorporated":                             b,
		"Example Widgets Corporation":                              b,
		"Ejemplo Sociedad Anónima":                                 b,
		"Voorbeeld Besloten Vennootschap":                          b,
		"Rei Kabushiki Kaisha":                                     b,
		"Örnek Danismanlik Anonim Sirketi":                         b,
		"Mustermann Bau UG (haftungsbeschraenkt)":                  b,
		// abbreviated with dots and slashes
		"Ejemplo S.A.":           b,
		"Priklad s.r.o.":         b,
		"Przyklad Sp. z o.o.":    b,
		"Eksempel A/S":           b,
		"Muster GmbH & Co. KG":   b,
		"Esempio S.p.A.":         b,
		"Voorbeeld N.V.":         b,
		"Example Pty. Ltd.":      b,
		"Rei K.K.":               b,
		"Ejemplo S.A. de C.V.":   b,
		"Exemple S. a r.l.":      b,
		"Exemplo Comercio Ltda.": b,
		// Nordic, Baltic, Asian and others
		"Exempel AB":                b,
		"Eksempel ASA":              b,
		"Esimerkki Oy":              b,
		"Esimerkki Oyj":             b,
		"Eksempel ApS":              b,
		"Daemi hf":                  b,
		"Piemers SIA":               b,
		"Pavyzdys UAB":              b,
		"Näide OÜ":                  b,
		"Naide AS":                  b,
		"Example Trading Co., Ltd.": b,
		"Example Holdings Pte Ltd":  b,
		"Contoh Sdn Bhd":            b,
		"PT Contoh Makmur Tbk":      b,
		"JSC Primer":                b,
		"Example Advisers LLP":      b,
		"Credissimo JSCo":           b,
		// written out in more languages
		"Exemple Société à responsabilité limitée":            b,
		"Przykład Spółka Jawna":                               b,
		"Příklad společnost s ručením omezeným":               b,
		"Exemplu Societate cu Răspundere Limitată":            b,
		"Pavyzdys Uždaroji akcinė bendrovė":                   b,
		"Piemērs Sabiedrība ar ierobežotu atbildību":          b,
		"Näide Osaühing":                                      b,
		"Esimerkki Kommandiittiyhtiö":                         b,
		"Példa Korlátolt Felelősségű Társaság":                b,
		"Paradeigma Anonymi Etaireia":                         b,
		"Rei Godo Kaisha":                                     b,
		"Lizi Youxian Gongsi":                                 b,
		"Contoh Sendirian Berhad":                             b,
		"Vi Du Công ty TNHH":                                  b,
		"Primer Obshchestvo s Ogranichennoy Otvetstvennostyu": b,
		// abbreviated with dots and slashes, in more countries
		"Example G.P.":             b,
		"Exemple S.C.R.L.":         b,
		"Exemple G.I.E.":           b,
		"Beispiel e.G.":            b,
		"Příklad k.s.":             b,
		"Esimerkki Ky":             b,
		"Primer D.O.O.E.L. Skopje": b,
		"Exemplo Unipessoal Lda":   b,
		"Example ULC":              b,
		"Exemple Ltée":             b,
		"Example P.L.L.C.":         b,
		"Eksempel K/S":             b,
		"Beispiel GbR":             b,
		"Przykład sp. j.":          b,
		"Ejemplo S.A.C.":           b,
		"Example FZ-LLC":           b,
		"Example (Thailand) PCL":   b,
		"Esempio S.c.a.r.l.":       b,
		// a US national bank's form is not a non-profit's association
		"Bank of America, National Association": b,
		"Example Bank, N.A.":                    b,
	})
}

func TestClassifyWholeWords(t *testing.T) {
	t.Parallel()
	testNames(t, map[string]foyer.OrgType{
		// carrier words inside other words, or in another sense
		"Virgin Australia Airlines Pty Ltd": foyer.OrgBusiness, // not Virgin Media
		"tv factory AG":                     foyer.OrgBusiness,
		"Orange County Furniture Inc.":      foyer.OrgBusiness,
		"Globex Mobility Consulting GmbH":   foyer.OrgBusiness, // "mobil" is a word, not a stem
		"Cabinet Dupont SARL":               foyer.OrgBusiness,
		"Planet Organic Ltd":                foyer.OrgBusiness,
		"LinkedIn Corporation":              foyer.OrgBusiness,
		"Region Halland":                    foyer.OrgGovernment,
		"Verkehrsverbund Ost Region GesmbH": foyer.OrgBusiness, // "region" decides only first
		"News Agency Interfax Ltd":          foyer.OrgBusiness, // an agency with a legal form
		"Sudanese Internet Association":     foyer.OrgNonprofit,
		"Amsterdam Internet Exchange B.V.":  foyer.OrgNonprofit,
		// a company's own IT arm is the company
		"Beispiel Informatik GmbH":                   foyer.OrgBusiness,
		"Example IT Services Internet GmbH":          foyer.OrgBusiness,
		"Example Information Technology Network LLC": foyer.OrgBusiness,
		// while the same words alone mark carriers
		"Example Internet GmbH":              foyer.OrgISP,
		"Petersburg Internet Network ltd.":   foyer.OrgISP,
		"Glasvezelnetwerk Texel B.V.":        foyer.OrgISP,
		"Fibranode UG (haftungsbeschraenkt)": foyer.OrgISP,
		"Glasfaser Direkt GmbH":              foyer.OrgISP,
		"Satis Svyaz CJSC":                   foyer.OrgISP,
		"PT Jaringan Merah Putih":            foyer.OrgISP,
		"Example Cloud Hosting Ltd":          foyer.OrgHosting,
		"NubaCloud B.V.":                     foyer.OrgHosting,
		"LLC 3data DC":                       foyer.OrgHosting,
		// "tele" starts a carrier's name, but not a broadcaster's, a florist's or a call centre's
		"Telefun SAS":                              foyer.OrgISP,
		"Teletek 5060 AB":                          foyer.OrgISP,
		"Television Norte S.A.":                    foyer.OrgBusiness,
		"Teleflora LLC":                            foyer.OrgBusiness,
		"TeleTech Holdings, Inc":                   foyer.OrgBusiness,
		"Fiberverket AS":                           foyer.OrgISP, // not an agency ("-verket")
		"Carrier Corporation":                      foyer.OrgBusiness,
		"Taco Bell Corp":                           foyer.OrgBusiness,
		"Infinite Campus, Inc.":                    foyer.OrgBusiness,
		"Exxon Mobil Corporation":                  foyer.OrgBusiness, // "mobil" is a carrier's word, but not here
		"Example Department Store Ltd":             foyer.OrgBusiness,
		"Muster Rechtsanwaltskanzlei GmbH":         foyer.OrgBusiness,
		"Telecommunications AMT LLC":               foyer.OrgISP,
		"Yapi ve Kredi Bankasi Genel Mudurluk":     foyer.OrgBusiness,
		"O2 Czech Republic, a.s.":                  foyer.OrgISP,
		"PJSC Vimpelcom":                           foyer.OrgISP,
		"PT Komunikasi Contoh":                     foyer.OrgISP,
		"Pishgaman Toseeh Ertebatat Company":       foyer.OrgISP,
		"Exemplo Kabo FTTH Ltda":                   foyer.OrgISP,
		"Beresford Municipal Telephone Company":    foyer.OrgISP, // a town's carrier, not its administration
		"Geneva On-Line, Inc.":                     foyer.OrgISP,
		"EarthLinks S.A.R.L":                       foyer.OrgISP,
		"UPHOST Solutions Limited":                 foyer.OrgHosting,
		"Example Domain Names Registrar Ltd":       foyer.OrgHosting,
		"Juniper Networks, Inc.":                   foyer.OrgBusiness, // "networks" is part of its name
		"Sony Network Communications Inc.":         foyer.OrgISP,      // So-net, a carrier
		"Centre Hospitalier Régional de Marseille": foyer.OrgNonprofit,
		"Städtisches Klinikum Braunschweig":        foyer.OrgNonprofit,
		"Lincoln Intermediate Unit 12":             foyer.OrgEducation,
		"Dr. Risch Anstalt":                        foyer.OrgBusiness,
		"Gmina Olsztyn":                            foyer.OrgGovernment,
		// forms and names that in the AS table are small carriers'
		"Exemplo Comercio e Servicos de Informatica Ltda ME": foyer.OrgISP,
		"Exemplo Informatica Ltda":                           foyer.OrgISP,
		"Exemplo Solucoes EIRELI":                            foyer.OrgISP,
		"PT Contoh Data Nusantara":                           foyer.OrgISP,
		"PT Bank Contoh Data":                                foyer.OrgBusiness,
		"PT Contoh Media Tbk":                                foyer.OrgBusiness,
		// people
		"SPD Polyudov Aleksandr Igorevich":          foyer.OrgUnknown,
		"BRUNO LEONARDO BASSANI BLB INFORMATICA ME": foyer.OrgUnknown,
		"M/S Md Rahman": foyer.OrgUnknown,
	})
}

func TestClassifyPublicBodies(t *testing.T) {
	t.Parallel()
	g := foyer.OrgGovernment
	testNames(t, map[string]foyer.OrgType{
		"Bundesministerium f. Gesundheit":                      g,
		"Ministère de l'Europe et des Affaires étrangères":     g,
		"Ministerio de Hacienda":                               g,
		"Ministero dell'Interno":                               g,
		"Ministerie van Financiën":                             g,
		"Ministerstvo vnitra":                                  g,
		"Ministério da Saúde":                                  g,
		"Ministry of Education":                                g, // a ministry, not a school
		"Deutscher Bundestag":                                  g,
		"Assemblée nationale":                                  g,
		"Parlamento Europeo":                                   g,
		"Kancelaria Sejmu Sejm":                                g,
		"Bundesagentur für Arbeit Agentur":                     g,
		"Agence nationale de la sécurité":                      g,
		"Agencia Tributaria":                                   g,
		"Bundesamt fuer Sicherheit in der Informationstechnik": g,
		"Bayerisches Landesamt für Statistik":                  g,
		"Direction générale des douanes":                       g,
		"European Commission":                                  g,
		"Stadtverwaltung Beispielstadt":                        g,
		"Administración de Justicia":                           g,
		"Stadt Musterstadt":                                    g,
		"Gemeinde Beispielsdorf":                               g,
		"Oslo Kommune":                                         g,
		"Municipality of Athens":                               g,
		"Comune di Sassari":                                    g,
		"Ayuntamiento de Madrid":                               g,
		"Regierung von Oberbayern":                             g,
		"Gouvernement du Québec":                               g,
		"Gobierno de la Ciudad":                                g,
		"Governo do Estado":                                    g,
		"Rijksoverheid":                                        g,
		"Bundesgerichtshof Gericht":                            g,
		"Tribunal Supremo":                                     g,
		"Polizei Berlin":                                       g,
		"Bundeswehr":                                           g,
		"Shiojiri City":                                        g,
		"Osage Nation":                                         g,
		"Round Valley Indian Tribes":                           g,
		"Dinas Komunikasi dan Informatika Provinsi Bali":       g,
		// agencies and compounds (Nordic, German), matched by their ending
		"Skatteverket":                  g,
		"Digitaliseringsdirektoratet":   g,
		"Skattestyrelsen":               g,
		"Verohallinto":                  g,
		"Troms fylkeskommune":           g,
		"Landratsamt Musterkreis":       g,
		"Bundeskanzleramt":              g,
		"Auswärtiges Amt":               g,
		"Bayerisches Staatsministerium": g,
		// parliaments
		"Sveriges Riksdag":                 g,
		"Folketinget":                      g,
		"Stortinget":                       g,
		"Eduskunta":                        g,
		"Landtag Nordrhein-Westfalen":      g,
		"Camera dei Deputati":              g,
		"Tweede Kamer der Staten-Generaal": g,
		"Cámara de Diputados":              g,
		"U.S. House of Representatives":    g,
		// ministries, administrations and agencies in more languages
		"T.C. Sağlık Bakanlığı":                    g,
		"Kementerian Keuangan":                     g,
		"Secretaría de Hacienda y Crédito Público": g,
		"Superintendencia de Bancos":               g,
		"Agencja Restrukturyzacji":                 g,
		"Komisja Nadzoru Finansowego":              g,
		"Autoridade Nacional de Comunicações":      g,
		"Instituto Nacional de Estadística":        g,
		"Vlaamse Dienst voor Arbeidsbemiddeling":   g,
		"GBU Centre of Information Technologies":   g,
		"Her Majesty's Revenue and Customs":        g,
		"US Embassy, Ghana":                        g,
		"Deutscher Wetterdienst":                   g,
		"Lawrence Livermore National Laboratory":   g,
		"Banco Central do Brasil":                  g,
		"Reserve Bank of Australia":                g,
		"DFS Deutsche Flugsicherung GmbH":          g,
		// municipalities and regions
		"Urząd Miasta Krakowa":                    g,
		"Magistrat der Stadt Wien":                g,
		"Helsingin kaupunki":                      g,
		"Sipoon kunta":                            g,
		"Ajuntament de Barcelona":                 g,
		"Izmir Büyükşehir Belediyesi":             g,
		"Consiliul Județean Cluj":                 g,
		"Wojewodztwo Mazowieckie":                 g,
		"Moravskoslezský kraj":                    g,
		"Town of Estes Park":                      g,
		"Royal Borough of Kensington and Chelsea": g,
		"Departement de la Manche":                g,
	})
}

func TestClassifyResearchNetworks(t *testing.T) {
	t.Parallel()
	e := foyer.OrgEducation
	testNames(t, map[string]foyer.OrgType{
		"Verein zur Foerderung eines Deutschen Forschungsnetzes e.V.": e,
		"RENATER":                      e,
		"Consortium GARR":              e,
		"SURF B.V.":                    e,
		"Jisc Services Limited":        e,
		"JANET":                        e,
		"RedIRIS":                      e,
		"ACONET":                       e,
		"BELNET":                       e,
		"NORDUnet":                     e,
		"Internet2":                    e,
		"CANARIE Inc":                  e,
		"AARNet Pty Ltd":               e,
		"GRNET S.A.":                   e,
		"PIONIER":                      e,
		"CESNET z.s.p.o.":              e,
		"Vetenskapsradet / SUNET":      e,
		"Funet":                        e,
		"UNINETT AS":                   e,
		"HEAnet CLG":                   e,
		"RNP":                          e,
		"REUNA":                        e,
		"CERNET":                       e,
		"SINET":                        e,
		"KREONET":                      e,
		"TEIN":                         e,
		"Politeknik Negeri Banyuwangi": e,
		"ATATURK-UNIVERSITESI":         e,
		// more research networks, and universities and schools in more languages
		"ULAKBIM":                    e,
		"RoEduNet":                   e,
		"KIFU":                       e,
		"AMRES":                      e,
		"MARnet":                     e,
		"MYREN":                      e,
		"TWAREN":                     e,
		"REANNZ":                     e,
		"CSTNET":                     e,
		"CUDI":                       e,
		"CEDIA":                      e,
		"SANReN":                     e,
		"UbuntuNet Alliance":         e,
		"ESnet":                      e,
		"OARnet":                     e,
		"NYSERNet":                   e,
		"Merit Network Inc.":         e,
		"CENIC":                      e,
		"National Knowledge Network": e,
		"Uniwersytet Warszawski":     e,
		"Univerzita Karlova":         e,
		"Politechnika Warszawska":    e,
		"Helsingin yliopisto":        e,
		"Korea Advanced Institute of Science and Technology": e,
		"Academia Sinica":                    e,
		"Forschungszentrum Jülich GmbH":      e,
		"Albuquerque Public Schools":         e,
		"Centro de Investigación Científica": e,
		"LSU Health Sciences Center":         e,
		"Kantonsschule Zug":                  e,
	})
}

func TestCarrierShape(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n       Network
		want    foyer.OrgType
		because string
	}{
		{Network{Org: "Example GmbH", Addresses4: 512, Ranges4: 1, Countries: 1}, foyer.OrgBusiness, "a company's own network"},
		{Network{Org: "Example GmbH", Addresses4: 3072, Ranges4: 3, Countries: 1, Ranges6: 1}, foyer.OrgBusiness, "a company's own network"},
		{Network{Org: "Example GmbH", Addresses4: 212 * 1024, Ranges4: 212, Countries: 9, Ranges6: 20}, foyer.OrgISP, "212 IPv4 ranges in 9 countries"},
		{Network{Org: "Example S.A.", Addresses4: 1 << 14, Ranges4: 2, Countries: 1}, foyer.OrgBusiness, "a company's own network"},
		{Network{Org: "Example S.A.", Addresses4: 1 << 17, Ranges4: 6, Countries: 1}, foyer.OrgISP, "a carrier's or host's"},
		{Network{Org: "Example Ltd", Addresses4: 1024, Ranges4: 4, Countries: 5, Ranges6: 3}, foyer.OrgISP, "in 5 countries"},
		{Network{Org: "Example Ltd", Addresses4: 8192, Ranges4: 2, Countries: 1, Ranges6: 2}, foyer.OrgISP, "2 IPv6 ranges"},
		// an old company's few large blocks in one country
		{Network{Org: "Example Motor Company", Addresses4: 1 << 24, Ranges4: 13, Countries: 1}, foyer.OrgBusiness, "legacy space"},
		// no name to go by
		{Network{Org: "Nameless Backbone", Addresses4: 1 << 18, Ranges4: 40, Countries: 3}, foyer.OrgISP, "no business word"},
		{Network{Org: "Nameless Backbone", Addresses4: 512, Ranges4: 1, Countries: 1, Ranges6: 1}, foyer.OrgUnknown, "no rule"},
		// a name of no telling word on a few ranges in one country without
		// IPv6: an organisation's own network
		{Network{Org: "Nameless Backbone", Addresses4: 512, Ranges4: 1, Countries: 1}, foyer.OrgBusiness, "an organisation's own network"},
		{Network{Org: "Krispy Kreme", Addresses4: 768, Ranges4: 3, Countries: 1}, foyer.OrgBusiness, "an organisation's own network"},
		{Network{Org: "Krispy Kreme", Addresses4: 768, Ranges4: 3, Countries: 2}, foyer.OrgUnknown, "no rule"},
		{Network{Org: "Krispy Kreme", Addresses4: 1536, Ranges4: 6, Countries: 1}, foyer.OrgBusiness, "an organisation's own network"},
		{Network{Org: "Krispy Kreme", Addresses4: 2304, Ranges4: 9, Countries: 1}, foyer.OrgISP, "no business word"},
		{Network{Org: "Krispy Kreme", Addresses4: 768, Ranges4: 3, Countries: 1, Ranges6: 1}, foyer.OrgUnknown, "no rule"},
		{Network{Org: "AS23051 - FHI 360", Addresses4: 512, Ranges4: 2, Countries: 1}, foyer.OrgBusiness, "an organisation's own network"},
		{Network{Org: "AS64500", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "no rule"},
		{Network{Org: "4F, No.114, Sec.1, Chung-Shiao W. Road", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "no rule"},
		// … unless the name could be a person's, in any order
		{Network{Org: "Gutkin Vladyslav", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Saranchuk Mykola", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Ivan Petrenko", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's name"},
		{Network{Org: "ISIDRO GONZALEZ VASQUEZ", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Qiyuan Chen", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Mingxiang Lu", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Private Enterprise Matsak Ivan Anatolievich", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "AS271864 - AZCARATE JUAN ANTONIO (INTER AGRO)", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Private enterprise \"InformService\"", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgBusiness, "an organisation's own network"},
		{Network{Org: "Halyna Ivanivna Hradil", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Samoilovych Illia Mykolaiovych", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "I. L. DE SOUSA", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Individual Entrepreneur Antipov Andrey", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgUnknown, "person's"},
		{Network{Org: "Example Bank", Addresses4: 512, Ranges4: 1, Countries: 1}, foyer.OrgBusiness, "“bank”"},
		// a person's network stays unknown, whatever its shape
		{Network{Org: "John Smith", Addresses4: 1 << 16, Ranges4: 30, Countries: 4}, foyer.OrgUnknown, "person's name"},
		// the domain, where a source knows it
		{Network{Org: "Example GmbH", Domain: "example-hosting.de", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgHosting, "domain example-hosting.de"},
		{Network{Org: "Example GmbH", Domain: "fastfiber.net", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgISP, "domain fastfiber.net"},
		{Network{Org: "Example GmbH", Domain: "example.net", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgBusiness, "a company's own network"},
		// a well-known company's own network, whatever its shape
		{Network{Org: "Siemens AG", Addresses4: 1 << 16, Ranges4: 40, Countries: 12, Ranges6: 4}, foyer.OrgBusiness, "well-known company"},
		{Network{Org: "Facebook, Inc.", Addresses4: 449536, Ranges4: 24, Countries: 6, Ranges6: 3}, foyer.OrgBusiness, "well-known company"},
		// a bank's or an insurer's network needs one point more
		{Network{Org: "Example Bank AG", Addresses4: 6144, Ranges4: 5, Countries: 1}, foyer.OrgBusiness, "a company's own network"},
		{Network{Org: "Example GmbH", Addresses4: 6144, Ranges4: 5, Countries: 1}, foyer.OrgISP, "a carrier's or host's"},
		// a name that says hosting is not overruled by a small shape
		{Network{Org: "Example VPN Ltd", Addresses4: 256, Ranges4: 1, Countries: 1}, foyer.OrgHosting, "vpn"},
	} {
		got, reason := classifyByRules(c.n)
		if got != c.want || !strings.Contains(reason, c.because) {
			t.Errorf("%q %+v: %s (%s), want %s because %q", c.n.Org, c.n, got, reason, c.want, c.because)
		}
	}
}

// TestBuildShape checks that the import tells the classifier each
// network's ranges and the countries they sit in.
func TestBuildShape(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	must(t, os.WriteFile(dir+"/asn.csv", []byte(strings.Join([]string{
		"10.0.0.0,10.0.0.255,64500,Carrier GmbH",
		"10.0.2.0,10.0.2.255,64500,Carrier GmbH",
		"10.0.4.0,10.0.4.255,64500,Carrier GmbH",
		"10.0.6.0,10.0.7.255,64500,Carrier GmbH",
		"192.0.2.0,192.0.2.255,64501,Company GmbH",
		"2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,64500,Carrier GmbH",
		"2001:db8:2::,2001:db8:2:ffff:ffff:ffff:ffff:ffff,64500,Carrier GmbH",
	}, "\n")+"\n"), 0o600))
	must(t, os.WriteFile(dir+"/country.csv", []byte(strings.Join([]string{
		"10.0.0.0,10.0.1.255,DE", "10.0.2.0,10.0.3.255,FR", "10.0.4.0,10.0.7.255,NL", "192.0.2.0,192.0.2.255,DE",
		"2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,AT",
	}, "\n")+"\n"), 0o600))
	seen := map[uint32]Network{}
	b := NewBuilder()
	b.Classify = func(n Network) (foyer.OrgType, string) {
		seen[n.ASN] = n
		return Classify(n)
	}
	tab, err := Import{ASN: []string{dir + "/asn.csv"}, Country: []string{dir + "/country.csv"}}.Build(b)
	must(t, err)
	if n := seen[64500]; n.Ranges4 != 4 || n.Ranges6 != 2 || n.Countries != 4 || n.Addresses4 != 1280 {
		t.Errorf("AS64500: %+v, want 4 IPv4 and 2 IPv6 ranges in 4 countries, 1280 addresses", n)
	}
	if n := seen[64501]; n.Ranges4 != 1 || n.Countries != 1 || n.Addresses4 != 256 {
		t.Errorf("AS64501: %+v, want 1 range in 1 country", n)
	}
	r := tab.Lookup(netip.MustParseAddr("10.0.2.1"))
	if r.Type != foyer.OrgISP || !strings.Contains(r.Reason, "4 IPv4 ranges in 4 countries") {
		t.Errorf("10.0.2.1: %s (%s), want a carrier by its shape", r.Type, r.Reason)
	}
	if r := tab.Lookup(netip.MustParseAddr("192.0.2.1")); r.Type != foyer.OrgBusiness {
		t.Errorf("192.0.2.1: %s (%s), want business", r.Type, r.Reason)
	}
}

// FuzzClassify reads any name with any shape: the classifier answers a
// known type with a reason, and never panics.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Example GmbH & Co. KG", "S.A. de C.V.", "Näide OÜ", "a/s", "...", "Ä", "M/S Md X",
		"FOP Ivanov Ivan Ivanovich", "Region", " ", "x\tTelecom"} {
		f.Add(s, uint64(256), 1, 1, 0)
	}
	f.Fuzz(func(t *testing.T, org string, addrs uint64, ranges, countries, ranges6 int) {
		typ, reason := classifyByRules(Network{Org: org, Addresses4: addrs, Ranges4: ranges, Countries: countries, Ranges6: ranges6})
		if (orgTypeNum(typ) == 0 && typ != foyer.OrgUnknown) || reason == "" {
			t.Fatalf("%q: %q (%q)", org, typ, reason)
		}
	})
}

// TestClassifyRound3Words checks the words added in the third round:
// learned, cultural and charitable bodies, associations' forms, school
// districts and institutes, more public bodies, carriers' cloud arms,
// hosts' brands and well-known companies.
func TestClassifyRound3Words(t *testing.T) {
	t.Parallel()
	b, e, g, np, h, isp := foyer.OrgBusiness, foyer.OrgEducation, foyer.OrgGovernment, foyer.OrgNonprofit, foyer.OrgHosting, foyer.OrgISP
	testNames(t, map[string]foyer.OrgType{
		// cultural and learned bodies, giving way to a company's form
		"Lyric Opera of Chicago":           np,
		"Woodruff Arts Center":             np,
		"Boulder Museum of Art":            np,
		"Royal Agricultural Society":       np,
		"Opera Software ASA":               b,
		"Alliance Broadband":               isp,
		"Suomen Kuntaliitto ry":            np,
		"Yayasan Pendidikan Example":       np,
		"Kassenzahnaerztliche Vereinigung": np,
		// schools and institutes
		"Amarillo ISD":                     e,
		"Monroe #1 BOCES":                  e,
		"Institut Agama Islam Negeri":      e,
		"Pittsburgh Supercomputing Center": e,
		// public bodies
		"Prefectura Naval Argentina":                      g,
		"California Secretary of State":                   g,
		"Statens vegvesen":                                g,
		"Badan Pembinaan Ideologi Pancasila":              g,
		"Gemeinsame Kommunale Datenzentrale Zweckverband": g,
		"Boulder Public Library District":                 g,
		// a carrier's cloud or data-centre arm is a host
		"CHINANET Example province Cloud Base network": h,
		"China Telecom Example IDC":                    h,
		"EXAMPLEIDC":                                   h,
		"FastColo":                                     h,
		"Example Grid Computing LLC":                   h,
		"WEDOS Internet, a.s.":                         h,
	})
	// well-known companies keep a carrier-shaped network
	for _, org := range []string{"Proofpoint, Inc.", "Wal-Mart Stores, Inc.", "Electricite de France SA", "Wellington Management Company LLP"} {
		n := Network{Org: org, Addresses4: 1 << 17, Ranges4: 20, Countries: 4, Ranges6: 3}
		if got, reason := classifyByRules(n); got != b || !strings.Contains(reason, "well-known company") {
			t.Errorf("%q: %s (%s), want a well-known company", org, got, reason)
		}
	}
}

// TestClassifyDomains checks the network's domain, where a source knows
// it: suffixes only public bodies and schools may register, and a
// domain that names a carrier or a host.
func TestClassifyDomains(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		org, domain string
		want        foyer.OrgType
		because     string
	}{
		{"Example Agency Services", "example.gov", foyer.OrgGovernment, "“.gov”"},
		{"Example Command", "example.mil", foyer.OrgGovernment, "“.mil”"},
		{"Example Campus Network", "example.edu", foyer.OrgEducation, "“.edu”"},
		{"Example Ltd", "example.gov.uk", foyer.OrgGovernment, "“.gov.uk”"},
		{"Example", "example.gouv.fr", foyer.OrgGovernment, "“.gouv.fr”"},
		{"Example", "example.gob.mx", foyer.OrgGovernment, "“.gob.mx”"},
		{"Example", "example.go.jp", foyer.OrgGovernment, "“.go.jp”"},
		{"Example", "example.gc.ca", foyer.OrgGovernment, "“.gc.ca”"},
		{"Example", "example.admin.ch", foyer.OrgGovernment, "“.admin.ch”"},
		{"Example", "example.ac.uk", foyer.OrgEducation, "“.ac.uk”"},
		{"Example", "example.edu.au", foyer.OrgEducation, "“.edu.au”"},
		{"Example", "example.k12.tx.us", foyer.OrgEducation, "“.k12.tx.us”"},
		// not public suffixes: a company's own
		{"Example GmbH", "admin.example.de", foyer.OrgBusiness, "legal form"},
		{"Example GmbH", "go.example.com", foyer.OrgBusiness, "legal form"},
		{"Example GmbH", "example.gc.de", foyer.OrgBusiness, "legal form"},
		// a domain that names a carrier or a host, with or without a form
		{"Example GmbH", "vodafone.de", foyer.OrgISP, "domain vodafone.de"},
		{"Krispy Example", "example-hosting.de", foyer.OrgHosting, "domain example-hosting.de"},
		{"Krispy Example", "fastfiber.net", foyer.OrgISP, "domain fastfiber.net"},
		{"Krispy Example", "krispy.com", foyer.OrgBusiness, "organisation's own network"},
	} {
		n := Network{Org: c.org, Domain: c.domain, Addresses4: 256, Ranges4: 1, Countries: 1}
		if got, reason := classifyByRules(n); got != c.want || !strings.Contains(reason, c.because) {
			t.Errorf("%q %s: %s (%s), want %s because %q", c.org, c.domain, got, reason, c.want, c.because)
		}
	}
}

// TestClassifyCarrierEndings checks the carriers' name endings (“tel”,
// “kom”, “com”), Nordic towns' energy companies and the wireless and GPU
// words of the third round.
func TestClassifyCarrierEndings(t *testing.T) {
	t.Parallel()
	b, isp, h := foyer.OrgBusiness, foyer.OrgISP, foyer.OrgHosting
	testNames(t, map[string]foyer.OrgType{
		"Echotel International Kenya Limited": isp,
		"OOO Infokom":                         isp,
		"Smartcom Bulgaria AD":                isp,
		"Shentel Sp. z o.o.":                  isp,
		"Exampletel":                          isp, // no form: not an organisation's own network
		"Intel Corporation":                   b,
		"Novotel Example SA":                  b,
		"Example Hostel Ltd":                  b,
		"Intercom, Inc.":                      b,
		"Example Bank Telecom Ltd":            isp,
		"Gavle Energi AB":                     isp,
		"AB Piteenergi":                       isp,
		"Helgeland Kraft AS":                  isp,
		"Vattenfall Vindkraft A/S":            b,
		"Statkraft Markets GmbH":              b,
		"KeviWLAN Informatikai Kft.":          isp,
		"VINAGPU LLC":                         h,
	})
}

// TestClassifyRegistriesAndChambers checks registries, chambers of
// commerce and faculties.
func TestClassifyRegistriesAndChambers(t *testing.T) {
	t.Parallel()
	np, e := foyer.OrgNonprofit, foyer.OrgEducation
	testNames(t, map[string]foyer.OrgType{
		"RIPE Network Coordination Centre":        np,
		"Japan Network Information Center":        np,
		"Asia Pacific Network Information Centre": np,
		"US Chamber of Commerce":                  np,
		"CAMARA DE COMERCIO DE BOGOTA":            np,
		"Industrie und Handelskammer Reutlingen":  np,
		"SERVICO SOCIAL DO COMERCIO SESC":         np,
		"Faculdade de Tecnologia de Americana":    e,
		"Faculty of Electronic Engineering":       e,
	})
}

// TestClassifyCompounds checks carriers' and hosts' compounds ("…Network",
// "Rack…") and the US states that call themselves commonwealths.
func TestClassifyCompounds(t *testing.T) {
	t.Parallel()
	b, isp, h, g := foyer.OrgBusiness, foyer.OrgISP, foyer.OrgHosting, foyer.OrgGovernment
	testNames(t, map[string]foyer.OrgType{
		"COMPUNETWORK S.A.C.":             isp,
		"MigumCableNetwork":               isp,
		"RealNetworks LLC":                b,
		"TicketNetwork Inc.":              b,
		"Rackforest Zrt.":                 h,
		"Rack Room Shoes":                 b,
		"Commonwealth of Massachusetts":   g,
		"Arizona Public Service Company":  b,
		"Public Service Enterprise Group": b,
		"Commonwealth Bank of Australia":  b,
	})
}
