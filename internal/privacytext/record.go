package privacytext

import (
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/tracker"
)

// cookies is the cookie declaration: what tracker.Storage lists, less what
// the workspace's settings never make the tracker set.
func (w writer) cookies() Section {
	f := w.f
	s := Section{ID: "cookies", Title: w.tr("Cookie declaration", "Déclaration des cookies")}
	add := func(b ...Block) { s.Blocks = append(s.Blocks, b...) }
	intro := w.t("The visit measurement script on our websites sets the following cookies and browser storage entries. All of them are our site's own (first-party): no other site can read them, and none serves advertising.",
		"Le script de mesure d’audience de nos sites web dépose les cookies et entrées de stockage du navigateur suivants. Tous sont propres à notre site (cookies internes) : aucun autre site ne peut les lire, et aucun ne sert à la publicité.")
	if hs := f.hosts(); len(hs) > 0 {
		intro = append(intro, plain(w.tr(" Sites: ", " Sites : ")+strings.Join(hs, ", ")+"."))
	}
	add(Block{Para: intro})
	required, none := f.consentSites()
	switch {
	case len(f.Sites) > 0 && len(none) == 0:
		add(Block{Para: w.t("None of them is set before you agree to the measurement, except the marker of your choice once you have made it.",
			"Aucun n’est déposé avant que vous acceptiez la mesure, sauf le marqueur de votre choix une fois celui-ci exprimé.")})
	case len(required) > 0:
		l := w.t("On ", "Sur ")
		for i, site := range required {
			if i > 0 {
				l = append(l, plain(", "))
			}
			l = append(l, siteLine(site)...)
		}
		add(Block{Para: append(l, plain(w.tr(", none of them is set before you agree to the measurement, except the marker of your choice once you have made it.",
			", aucun n’est déposé avant que vous acceptiez la mesure, sauf le marqueur de votre choix une fois celui-ci exprimé.")))})
	}
	if honour, _ := f.gpcSites(); len(honour) > 0 {
		add(Block{Para: w.t("While your browser sends the Global Privacy Control or Do Not Track signal, the script sets none of them"+w.siteScope(len(honour))+".",
			"Tant que votre navigateur envoie le signal Global Privacy Control ou Do Not Track, le script n’en dépose aucun"+w.siteScope(len(honour))+".")})
	}
	t := &Table{Head: []string{w.tr("Name", "Nom"), w.tr("Type", "Type"), w.tr("Purpose", "Finalité"), w.tr("Lifetime", "Durée de vie"), w.tr("Set", "Déposé")}}
	hubspot := f.Sources().HubSpot
	for _, e := range tracker.Storage() {
		if e.HubSpotOnly && !hubspot || e.IDOnly && !f.Identifying() {
			continue
		}
		t.Rows = append(t.Rows, []Line{{code(e.Name)}, {plain(w.kind(e.Kind))}, {plain(w.tr(e.Purpose.EN, e.Purpose.FR))},
			{plain(w.tr(e.Life.EN, e.Life.FR))}, {plain(w.tr(e.When.EN, e.When.FR))}})
	}
	add(Block{Table: t})
	if hubspot {
		add(Block{Para: Line{plain(w.tr("The script also reads the cookie ", "Le script lit aussi le cookie ")), code("hubspotutk"),
			plain(w.tr(", which HubSpot's own script sets (see HubSpot's cookie declaration), to recognise the contacts HubSpot already knows; it does not set it.",
				", que dépose le script de HubSpot lui-même (voir la déclaration des cookies de HubSpot), pour reconnaître les contacts que HubSpot connaît déjà ; il ne le dépose pas."))}})
	}
	return s
}

// siteScope is "" when every site does as the sentence says, else "on n
// of our sites".
func (w writer) siteScope(n int) string {
	if n == len(w.f.Sites) {
		return ""
	}
	return fmt.Sprintf(w.tr(" (on %d of our %d sites)", " (sur %d de nos %d sites)"), n, len(w.f.Sites))
}

// kind names where an entry is kept.
func (w writer) kind(k tracker.StorageKind) string {
	switch k {
	case tracker.LocalStorage:
		return w.tr("Local storage (localStorage)", "Stockage local (localStorage)")
	case tracker.SessionStorage:
		return w.tr("Session storage (sessionStorage)", "Stockage de session (sessionStorage)")
	}
	return w.tr("Cookie (first-party)", "Cookie interne")
}

// record is the entry of the record of processing activities.
func (w writer) record() Section {
	f := w.f
	id := f.Identifying()
	src := f.Sources()
	s := Section{ID: "record", Title: w.tr("Record of processing activities: measuring visits to our websites", "Registre des activités de traitement : mesure des visites de nos sites web")}
	row := func(label string, l Line) []Line { return []Line{{strong(label)}, l} }
	t := &Table{Head: []string{w.tr("Item", "Rubrique"), w.tr("Entry", "Contenu")}}

	name := w.t("Measuring the visits to our websites", "Mesure des visites de nos sites web")
	if hs := f.hosts(); len(hs) > 0 {
		name = append(name, plain(" ("+strings.Join(hs, ", ")+")"))
	}
	if id {
		name = append(name, plain(w.tr(", and recognising our existing contacts among the visitors (Persona Insights)", ", et reconnaissance de nos contacts existants parmi les visiteurs (Persona Insights)")))
	}
	t.Rows = append(t.Rows, row(w.tr("Processing", "Traitement"), append(name, plain("."))))
	t.Rows = append(t.Rows, row(w.tr("Controller", "Responsable du traitement"), Line{strong(f.Controller),
		plain(w.tr(", [address; contact of the data protection officer, if any]", ", [adresse ; coordonnées du délégué à la protection des données, le cas échéant]"))}))
	purposes := w.tr("Knowing which organisations visit our websites and what interests them; measuring the use of the sites and the effect of our campaigns",
		"Savoir quelles organisations consultent nos sites et ce qui les intéresse ; mesurer l’utilisation des sites et l’effet de nos campagnes")
	if id {
		purposes += w.tr("; letting the people who deal with our existing contacts know which of our pages they viewed",
			" ; permettre aux personnes en relation avec nos contacts existants de savoir quelles pages ceux-ci ont consultées")
	}
	t.Rows = append(t.Rows, row(w.tr("Purposes", "Finalités"), Line{plain(purposes + ".")}))
	t.Rows = append(t.Rows, row(w.tr("Legal basis", "Base juridique"), Line{plain(w.basisSummary())}))
	subjects := w.tr("Visitors of our websites", "Visiteurs de nos sites web")
	if id {
		subjects += w.tr("; our existing contacts (customers, prospects, partners) whom the tool recognises", " ; nos contacts existants (clients, prospects, partenaires) que l’outil reconnaît")
	}
	t.Rows = append(t.Rows, row(w.tr("Data subjects", "Personnes concernées"), Line{plain(subjects + ".")}))
	data := w.tr("A random, pseudonymous visitor ID; the pages viewed (address without identifying parameters, title), their time and engaged time, the links to other sites followed, the referring site and campaign parameters; the organisation, country and sometimes city derived from the IP address, which is not stored",
		"Un identifiant de visiteur aléatoire et pseudonyme ; les pages consultées (adresse sans paramètres identifiants, titre), leur date et heure et le temps de consultation active, les liens vers d’autres sites suivis, le site d’origine et les paramètres de campagne ; l’organisation, le pays et parfois la ville déduits de l’adresse IP, qui n’est pas conservée")
	if id {
		data += w.tr("; for a recognised contact, the link between their visits and their contact record (name, email address, role, company, tracking consent) and how they were recognised",
			" ; pour un contact reconnu, le lien entre ses visites et sa fiche de contact (nom, adresse e-mail, fonction, entreprise, consentement au suivi) et la manière dont il a été reconnu")
	}
	t.Rows = append(t.Rows, row(w.tr("Categories of data", "Catégories de données"), Line{plain(data + ".")}))
	sources := w.tr("The visitor's browser, through our measurement script", "Le navigateur du visiteur, par notre script de mesure")
	if id {
		sources += w.tr("; our contact list", " ; notre fichier de contacts")
		if src.HubSpot {
			sources += w.tr("; HubSpot, which tells us which contact its cookie belongs to", " ; HubSpot, qui nous indique à quel contact correspond son cookie")
		}
	}
	t.Rows = append(t.Rows, row(w.tr("Sources", "Sources"), Line{plain(sources + ".")}))
	recipients := w.tr("The members of our team who use Foyer, each with the access of their role (owner, administrator, analyst, viewer); [the host of our server, if any, as processor]",
		"Les membres de notre équipe qui utilisent Foyer, chacun avec l’accès de son rôle (propriétaire, administrateur, analyste, lecteur) ; [l’hébergeur de notre serveur, le cas échéant, en tant que sous-traitant]")
	transfers := w.tr("None: Foyer runs on servers under our control and sends the data to no one", "Aucun : Foyer fonctionne sur des serveurs sous notre contrôle et ne transmet les données à personne")
	if src.HubSpot {
		recipients += w.tr("; HubSpot, Inc., which receives the visitor's HubSpot token to tell us which contact it belongs to", " ; HubSpot, Inc., qui reçoit le jeton HubSpot du visiteur pour nous indiquer à quel contact il correspond")
		transfers = w.tr("None by Foyer itself. HubSpot receives the visitor's HubSpot token, under the terms of our agreement with HubSpot, which govern any transfer outside the European Union",
			"Aucun du fait de Foyer. HubSpot reçoit le jeton HubSpot du visiteur, selon les termes de notre contrat avec HubSpot, qui encadrent tout transfert hors de l’Union européenne")
	}
	t.Rows = append(t.Rows, row(w.tr("Recipients", "Destinataires"), Line{plain(recipients + ".")}))
	t.Rows = append(t.Rows, row(w.tr("Transfers outside the EU", "Transferts hors de l’UE"), Line{plain(transfers + ".")}))
	keep := w.tr("Visitor ID cookie: 2 years, renewed on each visit", "Cookie d’identifiant de visiteur : 2 ans, renouvelé à chaque visite")
	if f.VisitDays > 0 {
		keep += fmt.Sprintf(w.tr("; page-by-page records of visits: %d days, then the visit's time, source and totals only", " ; détail page par page des visites : %d jours, puis seulement l’heure, la provenance et les totaux de la visite"), f.VisitDays)
	} else {
		keep += w.tr("; records of visits: until we delete them (no automatic period set)", " ; enregistrements des visites : jusqu’à leur suppression par nos soins (aucune durée automatique fixée)")
	}
	if id {
		if f.LinkDays > 0 {
			keep += fmt.Sprintf(w.tr("; link to a contact: %d days at most, less if the contact objects or is erased", " ; lien avec un contact : %d jours au plus, moins si le contact s’y oppose ou est effacé"), f.LinkDays)
		} else {
			keep += w.tr("; link to a contact: as long as the contact record, or until the contact objects", " ; lien avec un contact : aussi longtemps que la fiche de contact, ou jusqu’à l’opposition du contact")
		}
	}
	t.Rows = append(t.Rows, row(w.tr("Retention", "Durée de conservation"), Line{plain(keep + ".")}))
	twoFA := w.tr("two-factor authentication (TOTP) available to every member", "authentification à deux facteurs (TOTP) proposée à chaque membre")
	if f.Require2FA {
		twoFA = w.tr("two-factor authentication (TOTP) required of every member", "authentification à deux facteurs (TOTP) exigée de chaque membre")
	}
	security := []string{
		w.tr("IP addresses are never stored nor logged; identifiers are removed from page addresses and titles before they are stored",
			"les adresses IP ne sont jamais enregistrées ni journalisées ; les identifiants sont retirés des adresses et titres des pages avant leur enregistrement"),
		w.tr("contacts' personal data encrypted at rest (AES-256-GCM, one key per contact)", "données personnelles des contacts chiffrées au repos (AES-256-GCM, une clé par contact)"),
		w.tr("passwords hashed with Argon2id; ", "mots de passe hachés avec Argon2id ; ") + twoFA,
		w.tr("access by role; protection against password guessing", "accès selon le rôle ; protection contre les tentatives de deviner les mots de passe"),
		w.tr("each workspace's data kept apart from every other's", "données de chaque espace de travail séparées de celles des autres"),
	}
	if id {
		security = append(security, w.tr("a tamper-evident history (hash chain) of every contact's tracking consent", "historique infalsifiable (chaîne de hachage) du consentement au suivi de chaque contact"))
	}
	sec := strings.Join(security, "; ")
	if w.lang == French {
		sec = frSpaces.Replace(strings.Join(security, " ; "))
	}
	t.Rows = append(t.Rows, row(w.tr("Security measures", "Mesures de sécurité"), Line{plain(strings.ToUpper(sec[:1]) + sec[1:] + ".")}))
	s.Blocks = []Block{{Table: t}}
	return s
}

// basisSummary says on which legal basis the visits are measured, and
// contacts recognised, in one sentence.
func (w writer) basisSummary() string {
	f := w.f
	required, none := f.consentSites()
	var b string
	switch {
	case len(none) == 0:
		b = w.tr("Measurement: consent (article 6(1)(a) of the GDPR), asked for before anything is measured", "Mesure : consentement (article 6, paragraphe 1, point a) du RGPD), demandé avant toute mesure")
	case len(required) == 0:
		b = w.tr("Measurement: legitimate interest (article 6(1)(f) of the GDPR)", "Mesure : intérêt légitime (article 6, paragraphe 1, point f) du RGPD)")
	default:
		b = fmt.Sprintf(w.tr("Measurement: consent on %d of our %d sites, legitimate interest on the others (article 6(1)(a) and (f) of the GDPR)",
			"Mesure : consentement sur %d de nos %d sites, intérêt légitime sur les autres (article 6, paragraphe 1, points a) et f) du RGPD)"), len(required), len(f.Sites))
	}
	if f.Identifying() {
		if f.Persona.Basis == foyer.PersonaConsent {
			b += w.tr("; recognising contacts: consent", " ; reconnaissance des contacts : consentement")
		} else {
			b += w.tr("; recognising contacts: legitimate interest", " ; reconnaissance des contacts : intérêt légitime")
		}
		if f.Mode == foyer.TrackingOptIn {
			b += w.tr(", only of contacts who agreed", ", uniquement des contacts qui l’ont accepté")
		} else {
			b += w.tr(", except contacts who objected", ", sauf des contacts qui s’y sont opposés")
		}
	}
	return b + "."
}
