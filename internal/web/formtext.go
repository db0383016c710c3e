package web

import (
	"net/http"
	"strconv"
	"strings"
)

// formText is every sentence of the hosted contact forms, in one
// language. A sentence with %s takes the workspace's name (BrowserOne: a
// site's host). TestFormTextComplete checks that no language lacks one.
type formText struct {
	Skip, PoweredBy                                            string
	ProfileTitle, ProfileIntro, ProfileSaved                   string
	Email, FirstName, LastName, Role, Phone, Company, Language string
	LanguageBrowser, English, French                           string
	ConsentLegend, ConsentBox, ConsentHint, Save               string
	OptOutTitle, OptOutIntro, OptOutButton, OptOutAlready      string
	OptOutDoneTitle, OptOutDone                                string
	BrowserTitle, BrowserIntro, BrowserAll, BrowserOne         string
	BrowserNone, BrowserDoneTitle, BrowserDone, BrowserLimits  string
	UnsubTitle, UnsubIntro, UnsubButton, UnsubAlready          string
	UnsubDoneTitle, UnsubDone, UnsubOffer, UnsubOfferLink      string
	ExpiredTitle, ExpiredText, InvalidTitle, InvalidText       string
}

// formTexts are the languages of the hosted forms, by their tag.
var formTexts = map[string]*formText{
	"en": {
		Skip:            "Skip to the main content",
		PoweredBy:       "This page is served for %s by Foyer.",
		ProfileTitle:    "Your details",
		ProfileIntro:    "Keep the details %s holds about you up to date. Leave a field empty to remove it.",
		ProfileSaved:    "Your details and your choice are saved.",
		Email:           "Email address",
		FirstName:       "First name",
		LastName:        "Last name",
		Role:            "Job title",
		Phone:           "Phone",
		Company:         "Company",
		Language:        "Language of these pages",
		LanguageBrowser: "My browser's language",
		English:         "English",
		French:          "Français",
		ConsentLegend:   "Behavioural tracking",
		ConsentBox:      "I agree that %s notes which pages of its websites I visit and which of its emails I open, to better understand what interests me.",
		ConsentHint:     "Leave the box unticked to refuse. You can change your mind at any time on this page.",
		Save:            "Save",

		OptOutTitle:     "Stop behavioural tracking",
		OptOutIntro:     "%s will stop noting which pages of its websites you visit and which of its emails you open. You will still receive its emails.",
		OptOutButton:    "Stop tracking me",
		OptOutAlready:   "You have already refused behavioural tracking. You can confirm it again.",
		OptOutDoneTitle: "Behavioural tracking stopped",
		OptOutDone:      "Done: %s no longer tracks what you do on its websites and in its emails, wherever it recognises you.",

		BrowserTitle:     "This browser",
		BrowserIntro:     "To also stop this browser from being followed on %s's websites, open each of them once from here. It takes a moment, and ends on a page that lists them.",
		BrowserAll:       "Stop tracking in this browser on every site",
		BrowserOne:       "Stop tracking on %s",
		BrowserNone:      "%s lists no website on which to stop tracking this browser.",
		BrowserDoneTitle: "This browser is no longer tracked",
		BrowserDone:      "The websites below now know this browser refuses tracking:",
		BrowserLimits:    "This holds for this browser only: other browsers and devices are not affected, and clearing this browser's cookies undoes it. Your refusal itself stays recorded with %s.",

		UnsubTitle:     "Unsubscribe",
		UnsubIntro:     "Stop receiving emails from %s.",
		UnsubButton:    "Unsubscribe",
		UnsubAlready:   "You are already unsubscribed. You can confirm it again.",
		UnsubDoneTitle: "You are unsubscribed",
		UnsubDone:      "%s will send you no more emails.",
		UnsubOffer:     "%s can also stop noting which pages of its websites you visit.",
		UnsubOfferLink: "Stop behavioural tracking too",

		ExpiredTitle: "This link has expired",
		ExpiredText:  "Nothing was changed. Use the link in a more recent email from %s, or ask them for a new one.",
		InvalidTitle: "This link does not work",
		InvalidText:  "Nothing was changed. The link may have been cut or altered: open it again from the email, copying it whole, or ask the sender for a new one.",
	},
	"fr": {
		Skip:            "Aller au contenu principal",
		PoweredBy:       "Cette page est servie pour %s par Foyer.",
		ProfileTitle:    "Vos coordonnées",
		ProfileIntro:    "Tenez à jour les coordonnées que %s conserve à votre sujet. Videz un champ pour l’effacer.",
		ProfileSaved:    "Vos coordonnées et votre choix sont enregistrés.",
		Email:           "Adresse courriel",
		FirstName:       "Prénom",
		LastName:        "Nom",
		Role:            "Fonction",
		Phone:           "Téléphone",
		Company:         "Entreprise",
		Language:        "Langue de ces pages",
		LanguageBrowser: "La langue de mon navigateur",
		English:         "English",
		French:          "Français",
		ConsentLegend:   "Suivi comportemental",
		ConsentBox:      "J’accepte que %s note les pages de ses sites que je visite et les courriels que j’ouvre, pour mieux comprendre ce qui m’intéresse.",
		ConsentHint:     "Laissez la case vide pour refuser. Vous pouvez changer d’avis à tout moment sur cette page.",
		Save:            "Enregistrer",

		OptOutTitle:     "Refuser le suivi comportemental",
		OptOutIntro:     "%s cessera de noter les pages de ses sites que vous visitez et les courriels que vous ouvrez. Vous recevrez toujours ses courriels.",
		OptOutButton:    "Ne plus me suivre",
		OptOutAlready:   "Vous avez déjà refusé le suivi comportemental. Vous pouvez le confirmer à nouveau.",
		OptOutDoneTitle: "Suivi comportemental arrêté",
		OptOutDone:      "C’est fait : %s ne suit plus ce que vous faites sur ses sites et dans ses courriels, partout où il vous reconnaît.",

		BrowserTitle:     "Ce navigateur",
		BrowserIntro:     "Pour que ce navigateur ne soit plus suivi non plus sur les sites de %s, ouvrez chacun d’eux une fois à partir d’ici. Cela prend un instant et se termine sur une page qui les énumère.",
		BrowserAll:       "Arrêter le suivi de ce navigateur sur tous les sites",
		BrowserOne:       "Arrêter le suivi sur %s",
		BrowserNone:      "%s n’indique aucun site sur lequel arrêter le suivi de ce navigateur.",
		BrowserDoneTitle: "Ce navigateur n’est plus suivi",
		BrowserDone:      "Les sites ci-dessous savent maintenant que ce navigateur refuse le suivi :",
		BrowserLimits:    "Cela ne vaut que pour ce navigateur : les autres navigateurs et appareils ne sont pas touchés, et effacer les témoins (cookies) de ce navigateur l’annule. Votre refus lui-même reste enregistré chez %s.",

		UnsubTitle:     "Se désabonner",
		UnsubIntro:     "Ne plus recevoir de courriels de %s.",
		UnsubButton:    "Me désabonner",
		UnsubAlready:   "Votre désabonnement est déjà enregistré. Vous pouvez le confirmer à nouveau.",
		UnsubDoneTitle: "Votre désabonnement est enregistré",
		UnsubDone:      "%s ne vous enverra plus de courriels.",
		UnsubOffer:     "%s peut aussi cesser de noter les pages de ses sites que vous visitez.",
		UnsubOfferLink: "Refuser aussi le suivi comportemental",

		ExpiredTitle: "Ce lien a expiré",
		ExpiredText:  "Rien n’a été modifié. Utilisez le lien d’un courriel plus récent de %s, ou demandez-lui-en un nouveau.",
		InvalidTitle: "Ce lien ne fonctionne pas",
		InvalidText:  "Rien n’a été modifié. Le lien a peut-être été coupé ou altéré : ouvrez-le à nouveau depuis le courriel, en entier, ou demandez-en un nouveau à l’expéditeur.",
	},
}

// formLanguage is the language of a contact's form: its own choice when
// it made one, else the first of the browser's languages that the forms
// speak, by preference, else English.
func formLanguage(own string, r *http.Request) string {
	if _, ok := formTexts[own]; ok {
		return own
	}
	return acceptedLanguage(r.Header.Get("Accept-Language"))
}

// acceptedLanguage is the language of formTexts that an Accept-Language
// header prefers (the highest q, the first of equals), "en" when none.
func acceptedLanguage(header string) string {
	best, bestQ := "en", 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if _, ok := formTexts[base]; ok && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}
