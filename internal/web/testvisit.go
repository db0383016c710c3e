package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/httperr"
)

// testVisitTimeout bounds the test visit's request to the collector.
const testVisitTimeout = 10 * time.Second

// testVisitUA is the test visit's user agent: a browser's, which the
// collector's bot filter lets through, named for what it is.
const testVisitUA = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 FoyerTestVisit/1"

// testVisit sends one page view of the site to this Foyer's collector,
// over HTTP as the tracker does, and goes back to the page the form was on
// (the site's page, or with from=feed the feed) saying whether the
// collector accepted it: admins and owners only.
func (s *Server) testVisit(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, site, ok := s.settingsSite(w, r, u)
	if !ok {
		return
	}
	back := fmt.Sprintf("/app/w/%d/sites/%d", m.WorkspaceID, site.ID)
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if r.PostFormValue("from") == "feed" {
		back = fmt.Sprintf("/app/w/%d", m.WorkspaceID)
	}
	if problem := s.sendTestVisit(r, site); problem != "" {
		failed(w, r, back, problem)
		return
	}
	done(w, r, back, "test-visit")
}

// collectorURL is where the test visit goes: the configured public URL's
// /collect, or else the address and port the request reached this server
// at (its socket, not its Host header, which the client chooses), or ""
// when neither is known.
func (s *Server) collectorURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.baseURL(r) + "/collect"
	}
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + addr.String() + "/collect"
}

// testPageURL is a page address on the site: on its first hostname, or a
// subdomain of a wildcard one.
func testPageURL(site *foyer.Site) string {
	host := "localhost"
	if len(site.Hostnames) > 0 {
		host = site.Hostnames[0]
	}
	if suffix, ok := strings.CutPrefix(host, "*."); ok {
		host = "www." + suffix
	}
	if strings.Contains(host, ":") { // an IPv6 address
		host = "[" + host + "]"
	}
	return "https://" + host + "/"
}

// sendTestVisit posts the test visit and returns "" when the collector
// accepted it, else the key of the problem to show.
func (s *Server) sendTestVisit(r *http.Request, site *foyer.Site) string {
	target := s.collectorURL(r)
	if target == "" {
		return "test-unreachable"
	}
	page := testPageURL(site)
	body, err := json.Marshal(map[string]any{
		"site": site.Key, "visitor": "foyer-test-" + foyer.RandomText(16), "consent": true,
		"events": []map[string]string{{"type": "pageview", "url": page, "title": "Foyer test visit"}},
	})
	if err != nil {
		return "test-failed"
	}
	ctx, cancel := context.WithTimeout(r.Context(), testVisitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return "test-unreachable"
	}
	// As a browser's sendBeacon sends it, from a page of the site.
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("Origin", strings.TrimSuffix(page, "/"))
	req.Header.Set("Referer", page)
	req.Header.Set("User-Agent", testVisitUA)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.cfg.Log.Warn("test visit: collector unreachable", "site", site.ID, "err", err)
		return "test-unreachable"
	}
	defer resp.Body.Close()
	var answer httperr.Body
	json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&answer)
	switch code := answer.Error.Code; {
	case resp.StatusCode == http.StatusAccepted:
		return ""
	case resp.StatusCode == http.StatusNoContent:
		return "test-ignored"
	case code == foyer.ENOTFOUND:
		return "test-unknown-site"
	case code == foyer.EFORBIDDEN:
		return "test-host"
	case code == foyer.ERATELIMIT || code == foyer.EUNAVAILABLE:
		return "test-busy"
	case code == "":
		s.cfg.Log.Warn("test visit: not the collector's answer", "site", site.ID, "status", resp.StatusCode)
		return "test-not-collector"
	}
	s.cfg.Log.Warn("test visit: collector refused", "site", site.ID, "status", resp.StatusCode, "err", answer.Error.Message)
	return "test-failed"
}
