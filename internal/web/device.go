package web

import "strings"

// deviceLabel names a browser coarsely from its User-Agent, such as
// "Firefox on Linux", for the account page's list of sessions: the
// browser's family and the system, no version, nothing that tells one
// person from another. "" when it recognises neither.
func deviceLabel(ua string) string {
	browser, system := browserOf(ua), systemOf(ua)
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "A browser on " + system
	}
	return ""
}

// browserOf returns the browser family of a User-Agent, or "". Most
// browsers name others for compatibility, so the order matters: Edge and
// Opera say Chrome, Chrome says Safari.
func browserOf(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
		{"OPR/", "Opera"}, {"Opera", "Opera"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"SamsungBrowser/", "Samsung Internet"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	return ""
}

// systemOf returns the operating system of a User-Agent, or "". Android
// and ChromeOS say Linux, iOS says Mac OS X.
func systemOf(ua string) string {
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"iPod", "iOS"},
		{"CrOS", "ChromeOS"}, {"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
		{"Linux", "Linux"}, {"FreeBSD", "FreeBSD"}, {"OpenBSD", "OpenBSD"},
	} {
		if strings.Contains(ua, s.token) {
			return s.name
		}
	}
	return ""
}
