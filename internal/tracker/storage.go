package tracker

import "time"

// StorageKind is where in the browser the tracker keeps an entry.
type StorageKind string

// The kinds of browser storage the tracker uses.
const (
	Cookie         StorageKind = "cookie"
	LocalStorage   StorageKind = "localStorage"
	SessionStorage StorageKind = "sessionStorage"
)

// Words is a text in each language of the privacy texts.
type Words struct{ EN, FR string }

// StorageEntry is one cookie or storage key that the tracker may set in a
// visitor's browser, as the cookie declaration of the privacy texts lists
// it.
type StorageEntry struct {
	Name string
	Kind StorageKind
	// IDOnly is true for an entry only /ti.js (identification) sets, and
	// HubSpotOnly for one it sets only with HubSpot recognition on.
	IDOnly, HubSpotOnly bool
	// MaxAge is the life the tracker asks for; 0 for the browser session
	// or, with Life saying so, an entry deleted at once.
	MaxAge time.Duration
	// Purpose says what it is for, Life how long it stays, When when it is
	// set.
	Purpose, Life, When Words
}

// storageAge is the tracker's AGE: the life of the visitor ID and the consent.
const storageAge = 63072000 * time.Second

// storage is every cookie and storage key src/foyer.js sets. A test checks
// that each one is in the source, and the browser tests that the browser
// holds no other.
var storage = []StorageEntry{
	{
		Name: "_foyer_id", Kind: Cookie, MaxAge: storageAge,
		Purpose: Words{
			EN: "A random, pseudonymous visitor ID, so that the pages one browser views are counted as the visits of one visitor. It holds no name, email or IP address.",
			FR: "Un identifiant de visiteur aléatoire et pseudonyme, qui permet de compter les pages vues par un même navigateur comme les visites d’un même visiteur. Il ne contient ni nom, ni adresse e-mail, ni adresse IP.",
		},
		Life: Words{EN: "2 years, renewed on each visit (some browsers keep it for less, such as 400 days)", FR: "2 ans, renouvelé à chaque visite (certains navigateurs le gardent moins longtemps, par exemple 400 jours)"},
		When: Words{EN: "when tracking is allowed", FR: "lorsque la mesure d’audience est permise"},
	},
	{
		Name: "_foyer_consent", Kind: Cookie, MaxAge: storageAge,
		Purpose: Words{
			EN: "Remembers the visitor's choice about tracking: 1 when they agreed, 0 when they refused. It holds no identifier.",
			FR: "Mémorise le choix du visiteur au sujet de la mesure d’audience : 1 s’il a accepté, 0 s’il a refusé. Il ne contient aucun identifiant.",
		},
		Life: Words{EN: "2 years, renewed on each visit", FR: "2 ans, renouvelé à chaque visite"},
		When: Words{EN: "when the visitor accepts or refuses tracking, or opts out through our opt-out form", FR: "lorsque le visiteur accepte ou refuse la mesure d’audience, ou s’y oppose par notre formulaire d’opposition"},
	},
	{
		Name: "_foyer_t", Kind: Cookie, MaxAge: time.Minute,
		Purpose: Words{
			EN: "Tests whether the browser accepts cookies before the visitor ID is stored. It holds the value 1 only.",
			FR: "Vérifie que le navigateur accepte les cookies avant d’y enregistrer l’identifiant de visiteur. Il ne contient que la valeur 1.",
		},
		Life: Words{EN: "deleted at once (set to last 1 minute at most)", FR: "supprimé aussitôt (posé pour 1 minute au plus)"},
		When: Words{EN: "when a new visitor ID is made", FR: "lorsqu’un nouvel identifiant de visiteur est créé"},
	},
	{
		Name: "_foyer_id", Kind: LocalStorage, MaxAge: storageAge,
		Purpose: Words{
			EN: "The same pseudonymous visitor ID, with its expiry date, only in a browser that refuses cookies.",
			FR: "Le même identifiant de visiteur pseudonyme, avec sa date d’expiration, uniquement dans un navigateur qui refuse les cookies.",
		},
		Life: Words{EN: "2 years: after that date the tracker replaces it with a new ID", FR: "2 ans : passé cette date, le script le remplace par un nouvel identifiant"},
		When: Words{EN: "when tracking is allowed and cookies do not work", FR: "lorsque la mesure d’audience est permise et que les cookies ne fonctionnent pas"},
	},
	{
		Name: "_foyer_hs", Kind: SessionStorage, IDOnly: true, HubSpotOnly: true, MaxAge: 0,
		Purpose: Words{
			EN: "Notes that the HubSpot recognition was sent once in this browser session, so that it is not sent again. It holds the value 1 only.",
			FR: "Indique que la reconnaissance par HubSpot a déjà été envoyée pendant cette session du navigateur, pour ne pas la renvoyer. Il ne contient que la valeur 1.",
		},
		Life: Words{EN: "until the browser tab is closed", FR: "jusqu’à la fermeture de l’onglet"},
		When: Words{EN: "only with HubSpot recognition, when the visitor has a HubSpot cookie", FR: "uniquement avec la reconnaissance par HubSpot, lorsque le visiteur a un cookie HubSpot"},
	},
}

// Storage returns every cookie and storage key the tracker may set in a
// visitor's browser: the one list the cookie declaration shows and the
// tests hold the tracker to.
func Storage() []StorageEntry {
	out := make([]StorageEntry, len(storage))
	copy(out, storage)
	return out
}

// Declared reports whether the tracker's list has an entry of that kind
// and name.
func Declared(kind StorageKind, name string) bool {
	for _, e := range storage {
		if e.Kind == kind && e.Name == name {
			return true
		}
	}
	return false
}
