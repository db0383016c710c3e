package web

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// Times of day are shown in the zone the signed-in user chose (see
// foyer.User.TimeZone), and in UTC until they chose one, which the pages
// then say: "15:04 UTC". Days of roll-ups stay UTC days.

// locations caches the zones users chose, by name: loading one reads and
// parses its rules.
var locations sync.Map // string → *time.Location

// location returns the zone named by a user's setting: UTC for "" or a
// name that is no zone (not stored, but the data could be older than the
// zone database).
func location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, l)
	return l
}

// zone is the zone the page's user reads times in: UTC when signed out
// or not yet chosen.
func (l layout) zone() *time.Location {
	if l.User == nil {
		return time.UTC
	}
	return location(l.User.TimeZone)
}

// Local is t in the zone of the page's user, for a template to format:
// {{($.Local .At).Format "2 Jan 2006, 15:04 MST"}}, whose MST names the
// zone ("JST", "UTC", "+03").
func (l layout) Local(t time.Time) time.Time { return t.In(l.zone()) }

// Ago writes how long ago t was, as the ago function does, but a date
// long ago as it was in the zone of the page's user.
func (l layout) Ago(t time.Time) string {
	if now().Sub(t) < 24*time.Hour {
		return ago(t)
	}
	return t.In(l.zone()).Format("2 Jan 2006")
}

// zoneAsk is the form that asks a signed-in user who has chosen no time
// zone yet to confirm one, preselected with a guess from the browser's
// languages: without a script the browser tells no zone.
type zoneAsk struct {
	Guess string   // the zone preselected
	Zones []string // the zones offered
	Back  string   // the page the form returns to
}

// askZone is the form asking u for a time zone on the page of r, or nil
// once u chose one.
func askZone(r *http.Request, u *foyer.User) *zoneAsk {
	if u == nil || u.TimeZone != "" {
		return nil
	}
	guess := guessZone(r.Header.Get("Accept-Language"))
	return &zoneAsk{Guess: guess, Zones: zoneChoices(guess), Back: r.URL.Path}
}

// zoneChoices are the zones a form offers: commonZones, with current
// (the user's zone or a guess) among them.
func zoneChoices(current string) []string {
	if current == "" || slices.Contains(commonZones, current) {
		return commonZones
	}
	out := append([]string{current}, commonZones...)
	slices.Sort(out[1:])
	return out
}

// setTimeZone stores the zone the user chose, from the account page's
// form or the one that asks for it, and returns to the page the form names
// (only a page of this server's app; the account page otherwise).
func (s *Server) setTimeZone(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm()
	back := r.PostFormValue("back")
	if back != "/app" && !strings.HasPrefix(back, "/app/") || path.Clean(back) != back || strings.ContainsAny(back, "?#\\") {
		back = "/account"
	}
	err := s.cfg.Store.SetTimeZone(r.Context(), u.ID, r.PostFormValue("zone"))
	switch {
	case foyer.ErrorCode(err) == foyer.EINVALID && back == "/account":
		s.renderAccount(w, r, u, http.StatusBadRequest, foyer.ErrorMessage(err), "")
		return
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.render(w, http.StatusBadRequest, "formerror", formErrorView{
			layout: layout{Title: "Not saved", User: u, Error: foyer.ErrorMessage(err)}, Back: back})
		return
	case err != nil:
		s.serverErrorOf(w, "set time zone", u, err)
		return
	}
	done(w, r, back, "zone")
}

// guessZone guesses a time zone from an Accept-Language header: the zone
// of the first region it names that regionZones knows (de-DE: Berlin),
// else of the first language whose speakers mostly live in one zone
// (ja: Tokyo); UTC when none.
func guessZone(acceptLanguage string) string {
	type tag struct {
		lang, region string
		q            float64
	}
	var tags []tag
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		subtags := strings.Split(strings.ReplaceAll(strings.TrimSpace(name), "_", "-"), "-")
		t := tag{lang: strings.ToLower(subtags[0]), q: q}
		for _, st := range subtags[1:] {
			if len(st) == 2 { // a region, after a script such as zh-Hant-TW
				t.region = strings.ToUpper(st)
				break
			}
		}
		if q > 0 && len(tags) < 20 {
			tags = append(tags, t)
		}
	}
	slices.SortStableFunc(tags, func(a, b tag) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	for _, t := range tags {
		if z, ok := regionZones[t.region]; ok {
			return z
		}
	}
	for _, t := range tags {
		if z, ok := languageZones[t.lang]; ok {
			return z
		}
	}
	return "UTC"
}

// regionZones is the zone where most of a region's people live, for the
// regions of Accept-Language headers.
var regionZones = map[string]string{
	"AT": "Europe/Vienna", "AU": "Australia/Sydney", "BE": "Europe/Brussels", "BG": "Europe/Sofia",
	"BR": "America/Sao_Paulo", "CA": "America/Toronto", "CH": "Europe/Zurich", "CL": "America/Santiago",
	"CN": "Asia/Shanghai", "CO": "America/Bogota", "CZ": "Europe/Prague", "DE": "Europe/Berlin",
	"DK": "Europe/Copenhagen", "EE": "Europe/Tallinn", "EG": "Africa/Cairo", "ES": "Europe/Madrid",
	"FI": "Europe/Helsinki", "FR": "Europe/Paris", "GB": "Europe/London", "GR": "Europe/Athens",
	"HK": "Asia/Hong_Kong", "HR": "Europe/Zagreb", "HU": "Europe/Budapest", "ID": "Asia/Jakarta",
	"IE": "Europe/Dublin", "IL": "Asia/Jerusalem", "IN": "Asia/Kolkata", "IS": "Atlantic/Reykjavik",
	"IT": "Europe/Rome", "JP": "Asia/Tokyo", "KE": "Africa/Nairobi", "KR": "Asia/Seoul",
	"LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MA": "Africa/Casablanca",
	"MX": "America/Mexico_City", "MY": "Asia/Kuala_Lumpur", "NG": "Africa/Lagos", "NL": "Europe/Amsterdam",
	"NO": "Europe/Oslo", "NZ": "Pacific/Auckland", "AR": "America/Argentina/Buenos_Aires", "PE": "America/Lima",
	"PH": "Asia/Manila", "PK": "Asia/Karachi", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
	"RO": "Europe/Bucharest", "RS": "Europe/Belgrade", "SA": "Asia/Riyadh", "SE": "Europe/Stockholm",
	"SG": "Asia/Singapore", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "TH": "Asia/Bangkok",
	"TR": "Europe/Istanbul", "TW": "Asia/Taipei", "UA": "Europe/Kyiv", "AE": "Asia/Dubai",
	"US": "America/New_York", "VN": "Asia/Ho_Chi_Minh", "ZA": "Africa/Johannesburg",
}

// languageZones is the zone of a language without a region, where its
// speakers mostly live in one zone.
var languageZones = map[string]string{
	"bg": "Europe/Sofia", "cs": "Europe/Prague", "da": "Europe/Copenhagen", "de": "Europe/Berlin",
	"el": "Europe/Athens", "et": "Europe/Tallinn", "fi": "Europe/Helsinki", "fr": "Europe/Paris",
	"he": "Asia/Jerusalem", "hu": "Europe/Budapest", "it": "Europe/Rome", "ja": "Asia/Tokyo",
	"ko": "Asia/Seoul", "lt": "Europe/Vilnius", "lv": "Europe/Riga", "nb": "Europe/Oslo",
	"nl": "Europe/Amsterdam", "nn": "Europe/Oslo", "no": "Europe/Oslo", "pl": "Europe/Warsaw",
	"ro": "Europe/Bucharest", "sk": "Europe/Bratislava", "sl": "Europe/Ljubljana", "sv": "Europe/Stockholm",
	"th": "Asia/Bangkok", "tr": "Europe/Istanbul", "uk": "Europe/Kyiv", "vi": "Asia/Ho_Chi_Minh",
}

// commonZones are the zones the forms offer, by name: the zone of every
// region of regionZones and a few more where many people live. Any other
// zone of the IANA database is accepted too, but not listed.
var commonZones = func() []string {
	seen := map[string]bool{"UTC": true}
	for _, z := range regionZones {
		seen[z] = true
	}
	for _, z := range []string{
		"America/Anchorage", "America/Chicago", "America/Denver", "America/Halifax", "America/Los_Angeles",
		"America/Phoenix", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/St_Johns",
		"Asia/Dhaka", "Asia/Kathmandu", "Asia/Tehran", "Asia/Yangon", "Atlantic/Azores", "Australia/Adelaide",
		"Australia/Brisbane", "Australia/Darwin", "Australia/Perth", "Europe/Moscow", "Pacific/Honolulu",
	} {
		seen[z] = true
	}
	out := make([]string, 0, len(seen))
	for z := range seen {
		out = append(out, z)
	}
	slices.Sort(out)
	return out
}()
