package privacytext

import (
	"fmt"

	"github.com/foyerhq/foyer"
)

// Build writes the workspace's privacy texts in lang from its settings.
func Build(f Facts, lang Lang) Doc {
	w := writer{lang: lang, f: f}
	return Doc{
		Lang:     lang,
		Title:    w.tr("Privacy texts: ", "Textes de confidentialité : ") + f.Controller,
		Sections: []Section{w.statement(), w.cookies(), w.record()},
	}
}

// statement is the section of the privacy statement on the visits.
func (w writer) statement() Section {
	f := w.f
	s := Section{ID: "statement", Title: w.tr("Privacy statement: visits to our websites", "Déclaration de confidentialité : visites de nos sites web")}
	add := func(b ...Block) { s.Blocks = append(s.Blocks, b...) }
	add(Block{Para: Line{plain(w.tr("When you visit our websites, ", "Lorsque vous consultez nos sites web, ")), strong(f.Controller),
		plain(w.tr(
			" measures the visits with Foyer, a visit analytics tool that runs on servers under our control: what it records is not passed to its maker nor to any advertising network.",
			" en mesure les visites avec Foyer, un outil de mesure d’audience qui fonctionne sur des serveurs sous notre contrôle : ce qu’il enregistre n’est transmis ni à son éditeur ni à aucune régie publicitaire."))}})

	add(Block{Heading: w.tr("What we collect", "Ce que nous collectons")})
	add(Block{Items: []Line{
		w.t("The pages you view: their address (without the parameters that could identify you) and title, when you view them, how long you actively look at them, the links to other sites you follow, the site you came from and the campaign parameters of the link (utm_source and the like).",
			"Les pages que vous consultez : leur adresse (sans les paramètres qui pourraient vous identifier) et leur titre, le moment de la consultation, le temps pendant lequel vous les regardez réellement, les liens vers d’autres sites que vous suivez, le site d’où vous venez et les paramètres de campagne du lien (utm_source et semblables)."),
		w.t("The organisation whose network you use (a company, a university, an administration) and your country, sometimes your city. Foyer finds them from your IP address at the moment of the visit, in memory, then forgets the address: your IP address is never stored nor written to a log.",
			"L’organisation dont vous utilisez le réseau (une entreprise, une université, une administration) et votre pays, parfois votre ville. Foyer les déduit de votre adresse IP au moment de la visite, en mémoire, puis oublie l’adresse : votre adresse IP n’est jamais enregistrée ni inscrite dans un journal."),
		w.orgsNotPeople(),
		w.t("A pseudonymous visitor ID, drawn at random and kept in a cookie of our site (see the cookie declaration), so that your visits can be counted as those of one visitor. It says nothing about who you are.",
			"Un identifiant de visiteur pseudonyme, tiré au hasard et conservé dans un cookie de notre site (voir la déclaration des cookies), afin que vos visites soient comptées comme celles d’un même visiteur. Il ne dit rien de votre identité."),
		w.t("Names, email addresses and other identifiers that page addresses or titles may carry are removed before anything is stored.",
			"Les noms, adresses e-mail et autres identifiants que les adresses ou les titres des pages peuvent contenir sont retirés avant tout enregistrement."),
	}})
	for _, site := range f.Sites {
		if len(site.ExcludedPaths) == 0 {
			continue
		}
		l := append(Line{plain(w.tr("On ", "Sur "))}, siteLine(site)...)
		l = append(l, plain(w.tr(", these pages are not measured at all: ", ", ces pages ne sont pas mesurées du tout : ")))
		for i, p := range site.ExcludedPaths {
			if i > 0 {
				l = append(l, plain(", "))
			}
			l = append(l, code(p))
		}
		add(Block{Para: append(l, plain("."))})
	}

	add(Block{Heading: w.tr("Legal basis", "Base juridique")})
	required, none := f.consentSites()
	consentText := w.t("We measure your visits only once you have agreed to it, through our cookie banner: the legal basis is your consent (article 6(1)(a) of the GDPR). Until then, the script sends and stores nothing. You can withdraw your consent at any time in the same place: the visitor ID is then deleted from your browser, and only a marker of your refusal is kept, which holds no identifier.",
		"Nous ne mesurons vos visites qu’après votre accord, donné dans notre bandeau de consentement aux cookies : la base juridique est votre consentement (article 6, paragraphe 1, point a) du RGPD). Jusque-là, le script n’envoie et n’enregistre rien. Vous pouvez retirer votre consentement à tout moment au même endroit : l’identifiant de visiteur est alors supprimé de votre navigateur, et seul est conservé un marqueur de votre refus, qui ne contient aucun identifiant.")
	interestText := w.t("We measure visits on the basis of our legitimate interest (article 6(1)(f) of the GDPR) in knowing which organisations take an interest in our offer and how our website is used. The measurement is about organisations, not about you as a person, and you can object to it at any time (see your rights below).",
		"Nous mesurons les visites sur la base de notre intérêt légitime (article 6, paragraphe 1, point f) du RGPD) à savoir quelles organisations s’intéressent à notre offre et comment notre site est utilisé. La mesure porte sur des organisations, non sur vous en tant que personne, et vous pouvez vous y opposer à tout moment (voir vos droits ci-dessous).")
	switch {
	case len(none) == 0:
		add(Block{Para: consentText})
	case len(required) == 0:
		add(Block{Para: interestText})
	default:
		add(Block{Para: w.t("The basis depends on the site:", "La base dépend du site :")})
		var items []Line
		for _, site := range required {
			items = append(items, append(append(Line{}, siteLine(site)...), plain(w.tr(": your consent, asked for before anything is measured (article 6(1)(a) of the GDPR).", " : votre consentement, demandé avant toute mesure (article 6, paragraphe 1, point a) du RGPD)."))))
		}
		for _, site := range none {
			items = append(items, append(append(Line{}, siteLine(site)...), plain(w.tr(": our legitimate interest in knowing which organisations take an interest in our offer (article 6(1)(f) of the GDPR).", " : notre intérêt légitime à savoir quelles organisations s’intéressent à notre offre (article 6, paragraphe 1, point f) du RGPD)."))))
		}
		add(Block{Items: items})
		add(Block{Para: consentText}, Block{Para: interestText})
	}
	honour, ignore := f.gpcSites()
	switch {
	case len(f.Sites) == 0:
	case len(ignore) == 0:
		add(Block{Para: w.t("If your browser sends the Global Privacy Control or Do Not Track signal, we do not measure your visits at all.",
			"Si votre navigateur envoie le signal Global Privacy Control ou Do Not Track, nous ne mesurons pas du tout vos visites.")})
	default:
		l := w.t("The Global Privacy Control and Do Not Track signals of your browser are not acted upon on ", "Les signaux Global Privacy Control et Do Not Track de votre navigateur ne sont pas pris en compte sur ")
		for i, site := range ignore {
			if i > 0 {
				l = append(l, plain(", "))
			}
			l = append(l, siteLine(site)...)
		}
		l = append(l, plain(w.tr(": object through the means described below.", " : opposez-vous par les moyens décrits ci-dessous.")))
		if len(honour) > 0 {
			l = append(l, plain(w.tr(" On our other sites, these signals stop all measurement.", " Sur nos autres sites, ces signaux arrêtent toute mesure.")))
		}
		add(Block{Para: l})
	}

	if f.Identifying() {
		add(w.persona()...)
	}

	add(Block{Heading: w.tr("How long we keep it", "Durée de conservation")})
	keep := []Line{w.t("The visitor ID cookie lasts 2 years and is renewed on each visit; you can delete it from your browser at any time.",
		"Le cookie d’identifiant de visiteur dure 2 ans et est renouvelé à chaque visite ; vous pouvez le supprimer de votre navigateur à tout moment.")}
	if f.VisitDays > 0 {
		keep = append(keep, w.t(fmt.Sprintf("The page-by-page records of visits are deleted after %d days; what remains of a visit is its time, its source, its organisation and its totals.", f.VisitDays),
			fmt.Sprintf("Le détail page par page des visites est supprimé au bout de %d jours ; il ne reste d’une visite que son heure, sa provenance, son organisation et ses totaux.", f.VisitDays)))
	} else {
		keep = append(keep, w.t("The records of visits are kept until we delete them: no automatic deletion period is set at present.",
			"Les enregistrements des visites sont conservés jusqu’à ce que nous les supprimions : aucune durée de suppression automatique n’est fixée à ce jour."))
	}
	if f.Identifying() {
		if f.LinkDays > 0 {
			keep = append(keep, w.t(fmt.Sprintf("The link between a visit and your contact record is removed after %d days, or earlier if you object or your record is erased: the visit then stays anonymous.", f.LinkDays),
				fmt.Sprintf("Le lien entre une visite et votre fiche de contact est supprimé au bout de %d jours, ou plus tôt si vous vous y opposez ou si votre fiche est effacée : la visite reste alors anonyme.", f.LinkDays)))
		} else {
			keep = append(keep, w.t("The link between a visit and your contact record is kept as long as your record is, unless you object: your later visits are then anonymous.",
				"Le lien entre une visite et votre fiche de contact est conservé aussi longtemps que votre fiche, sauf si vous vous y opposez : vos visites suivantes sont alors anonymes."))
		}
		if f.Sources().EmailLinks {
			keep = append(keep, w.t(fmt.Sprintf("The personal links in our emails recognise you for %d days at most.", int(foyer.DefaultTokenLife.Hours()/24)),
				fmt.Sprintf("Les liens personnels de nos e-mails vous reconnaissent pendant %d jours au plus.", int(foyer.DefaultTokenLife.Hours()/24))))
		}
	}
	add(Block{Items: keep})

	add(Block{Heading: w.tr("Your rights", "Vos droits")})
	add(Block{Para: w.t("You may ask us for access to the data about you, its correction or its erasure, restrict its use, object to it, and, where it rests on your consent, withdraw that consent and receive the data in a portable form. Write to us at [your privacy contact]; we answer within one month. You may also complain to your data protection authority.",
		"Vous pouvez nous demander l’accès aux données qui vous concernent, leur rectification ou leur effacement, en limiter l’utilisation, vous y opposer et, lorsqu’elles reposent sur votre consentement, retirer ce consentement et les recevoir dans un format portable. Écrivez-nous à [votre contact pour la protection des données] ; nous répondons dans un délai d’un mois. Vous pouvez aussi introduire une réclamation auprès de votre autorité de protection des données.")})
	return s
}

// orgsNotPeople says that visits show organisations, except, with Persona
// Insights, those of recognised contacts.
func (w writer) orgsNotPeople() Line {
	if w.f.Identifying() {
		return w.t("Unless we recognise you as one of our existing contacts (see below), we see organisations, not people: a visit from a home connection, a mobile network or a hosting provider is never shown as the visit of a company.",
			"Sauf si nous vous reconnaissons comme l’un de nos contacts existants (voir ci-dessous), nous voyons des organisations, pas des personnes : une visite depuis une connexion domestique, un réseau mobile ou un hébergeur n’est jamais présentée comme la visite d’une entreprise.")
	}
	return w.t("We see organisations, not people: a visit from a home connection, a mobile network or a hosting provider is never shown as the visit of a company.",
		"Nous voyons des organisations, pas des personnes : une visite depuis une connexion domestique, un réseau mobile ou un hébergeur n’est jamais présentée comme la visite d’une entreprise.")
}

// persona is the part of the statement on Persona Insights.
func (w writer) persona() []Block {
	f := w.f
	src := f.Sources()
	var ways []string
	if src.Forms {
		ways = append(ways, w.tr("when you fill in one of our forms with your email address", "lorsque vous saisissez votre adresse e-mail dans l’un de nos formulaires"))
	}
	if src.EmailLinks {
		ways = append(ways, w.tr("when you follow a link in one of our emails", "lorsque vous suivez un lien de l’un de nos e-mails"))
	}
	if src.HubSpot {
		ways = append(ways, w.tr("through the cookie of HubSpot, our customer relationship tool, if it already knows you", "par le cookie de HubSpot, notre outil de gestion de la relation client, s’il vous connaît déjà"))
	}
	why := w.tr("on the basis of our legitimate interest (article 6(1)(f) of the GDPR) in knowing which of our existing contacts take an interest in our offer",
		"sur la base de notre intérêt légitime (article 6, paragraphe 1, point f) du RGPD) à savoir lesquels de nos contacts existants s’intéressent à notre offre")
	if f.Persona.Basis == foyer.PersonaConsent {
		why = w.tr("on the basis of your consent (article 6(1)(a) of the GDPR), which you can withdraw at any time",
			"sur la base de votre consentement (article 6, paragraphe 1, point a) du RGPD), que vous pouvez retirer à tout moment")
	}
	who := w.tr("We recognise only the contacts who have not objected to it.", "Nous ne reconnaissons que les contacts qui ne s’y sont pas opposés.")
	if f.Mode == foyer.TrackingOptIn {
		who = w.tr("We recognise only the contacts who have agreed to it.", "Nous ne reconnaissons que les contacts qui l’ont accepté.")
	}
	return []Block{
		{Heading: w.tr("Recognising our existing contacts", "Reconnaissance de nos contacts existants")},
		{Para: w.t("If you are already one of our contacts (a customer, a prospect or a partner whose details we hold), we may recognise you "+w.join(ways)+", and from then on link the pages you view to your contact record, so that the people who deal with you know what interests you. We do this "+why+". "+who,
			"Si vous faites déjà partie de nos contacts (client, prospect ou partenaire dont nous détenons les coordonnées), nous pouvons vous reconnaître "+w.join(ways)+", puis rattacher à votre fiche de contact les pages que vous consultez, afin que les personnes en relation avec vous sachent ce qui vous intéresse. Nous le faisons "+why+". "+who)},
		{Items: []Line{
			w.t("We never create a contact from a visit: an address that matches none of our contacts is discarded at once and written nowhere.",
				"Nous ne créons jamais de contact à partir d’une visite : une adresse qui ne correspond à aucun de nos contacts est écartée aussitôt et n’est écrite nulle part."),
			w.t("Your visits before we recognise you stay anonymous.", "Vos visites antérieures à la reconnaissance restent anonymes."),
			w.t("You can object at any time, through the link at the end of our emails or by writing to us; from then on your visits are anonymous.",
				"Vous pouvez vous y opposer à tout moment, par le lien en bas de nos e-mails ou en nous écrivant ; vos visites sont alors anonymes."),
		}},
	}
}
