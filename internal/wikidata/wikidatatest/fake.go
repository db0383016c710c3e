// Package wikidatatest is a fake of Wikidata's action API (wbsearchentities
// and wbgetentities, answered in the shapes Wikidata's documentation gives)
// for tests, which records every request.
package wikidatatest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Item is an item the fake knows: an organisation, an industry or a country.
type Item struct {
	ID, Label string
	Website   string
	Industry  string // an item ID
	Country   string // an item ID
	ISO       string // a country's ISO code (P297)
	Employees string // an amount, such as "+311000"
	LinkedIn  string
	Logo      string
	Aliases   []string // more texts that find it
}

// Server is the fake.
type Server struct {
	srv   *httptest.Server
	mu    sync.Mutex
	items map[string]Item
	order []string
	reqs  []url.Values
	delay time.Duration
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{items: map[string]Item{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the fake's base URL (the API is at /w/api.php).
func (s *Server) URL() string { return s.srv.URL }

// Add adds an item.
func (s *Server) Add(it Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[it.ID]; !ok {
		s.order = append(s.order, it.ID)
	}
	s.items[it.ID] = it
}

// Delay makes every answer wait d.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Requests returns the query of every request so far.
func (s *Server) Requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.reqs = append(s.reqs, q)
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if r.URL.Path != "/w/api.php" || q.Get("format") != "json" {
		http.NotFound(w, r)
		return
	}
	switch q.Get("action") {
	case "wbsearchentities":
		s.search(w, q.Get("search"))
	case "wbgetentities":
		s.entities(w, strings.Split(q.Get("ids"), "|"))
	default:
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": "badvalue", "info": "Unrecognized value for parameter \"action\""}})
	}
}

func (s *Server) search(w http.ResponseWriter, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text = strings.ToLower(text)
	hits := []map[string]any{}
	for _, id := range s.order {
		it := s.items[id]
		match := strings.Contains(strings.ToLower(it.Label), text)
		for _, a := range it.Aliases {
			match = match || strings.Contains(strings.ToLower(a), text)
		}
		if match && text != "" {
			hits = append(hits, map[string]any{"id": it.ID, "title": it.ID, "label": it.Label,
				"match": map[string]any{"type": "label", "language": "en", "text": it.Label}})
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"searchinfo": map[string]any{"search": text}, "search": hits, "success": 1})
}

func (s *Server) entities(w http.ResponseWriter, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for _, id := range ids {
		it, ok := s.items[id]
		if !ok {
			out[id] = map[string]any{"id": id, "missing": ""}
			continue
		}
		claims := map[string]any{}
		str := func(p, v string) {
			if v != "" {
				claims[p] = []any{statement(p, map[string]any{"value": v, "type": "string"})}
			}
		}
		ref := func(p, v string) {
			if v != "" {
				claims[p] = []any{statement(p, map[string]any{"value": map[string]any{"entity-type": "item", "id": v}, "type": "wikibase-entityid"})}
			}
		}
		str("P856", it.Website)
		str("P4264", it.LinkedIn)
		str("P154", it.Logo)
		str("P297", it.ISO)
		ref("P452", it.Industry)
		ref("P17", it.Country)
		if it.Employees != "" {
			claims["P1128"] = []any{statement("P1128", map[string]any{"value": map[string]any{"amount": it.Employees, "unit": "1"}, "type": "quantity"})}
		}
		out[id] = map[string]any{"type": "item", "id": id,
			"labels": map[string]any{"en": map[string]any{"language": "en", "value": it.Label}}, "claims": claims}
	}
	json.NewEncoder(w).Encode(map[string]any{"entities": out, "success": 1})
}

func statement(p string, dv map[string]any) map[string]any {
	return map[string]any{"type": "statement", "rank": "normal",
		"mainsnak": map[string]any{"snaktype": "value", "property": p, "datavalue": dv}}
}
