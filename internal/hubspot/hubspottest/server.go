// Package hubspottest is a fake HubSpot for tests: it answers the contact
// endpoints the hubspot package calls, in HubSpot's shapes, from contacts
// the test adds, and can be told to rate-limit, revoke the token, break its
// answers or slow down.
package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Contact is a contact the fake HubSpot holds.
type Contact struct {
	ID        string // decimal; AddContact assigns one when empty
	Email     string
	FirstName string
	LastName  string
	JobTitle  string
	Phone     string
	Company   string
	// Consent is the value of foyer_tracking_consent ("" leaves it unset);
	// ConsentAt that of foyer_tracking_consent_date (zero leaves it unset).
	Consent   string
	ConsentAt time.Time
	// UTK, when set, is a user token that belongs to the contact.
	UTK string
}

// Server is a fake HubSpot API. Its methods are safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string

	mu         sync.Mutex
	contacts   []Contact // in ID order
	utks       map[string]string
	nextID     int
	pageSize   int
	searchMax  int
	revoked    bool
	limited    int
	retryAfter string
	malformed  int
	broken     int // answers broken so far, to take brokenBodies in turn
	failing    int
	failStatus int
	delay      time.Duration
	requests   int
}

// New starts a fake HubSpot that accepts the access token, closed when the
// test ends. Pages hold at most 100 contacts until PageSize says otherwise.
func New(t testing.TB, token string) *Server {
	t.Helper()
	s := &Server{token: token, utks: map[string]string{}, nextID: 101, pageSize: 100, searchMax: 10000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /contacts/v1/contact/utk/{utk}/profile", s.profile)
	mux.HandleFunc("GET /crm/v3/objects/contacts", s.list)
	mux.HandleFunc("POST /crm/v3/objects/contacts/search", s.search)
	s.srv = httptest.NewServer(s.hooks(mux))
	t.Cleanup(s.srv.Close)
	return s
}

// URL returns the API root to give the client as its BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// AddContact adds c, giving it the next free ID when it has none, and
// returns its ID. Contacts are listed in the order of their IDs.
func (s *Server) AddContact(c Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = strconv.Itoa(s.nextID)
		s.nextID++
	} else if n, err := strconv.Atoi(c.ID); err == nil && n >= s.nextID {
		s.nextID = n + 1
	}
	at := len(s.contacts)
	for i, o := range s.contacts {
		if idLess(c.ID, o.ID) {
			at = i
			break
		}
	}
	s.contacts = append(s.contacts[:at], append([]Contact{c}, s.contacts[at:]...)...)
	if c.UTK != "" {
		s.utks[c.UTK] = c.ID
	}
	return c.ID
}

// SetUTK makes utk a user token of the contact with the ID.
func (s *Server) SetUTK(utk, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.utks[utk] = id
}

// PageSize caps the contacts in one page of the list and of the search.
func (s *Server) PageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// SearchLimit sets how many results a search returns at most (HubSpot:
// 10,000); a search paged past it is answered 400.
func (s *Server) SearchLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchMax = max(n, 1)
}

// RateLimit answers the next n requests 429, with the Retry-After header
// set to retryAfter unless it is "".
func (s *Server) RateLimit(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited, s.retryAfter = n, retryAfter
}

// Revoke revokes the token: every request from now on is answered 401.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// Malformed breaks the next n answers: status 200 with, in turn, an HTML
// page, truncated JSON, and JSON of the wrong shape.
func (s *Server) Malformed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.malformed = n
}

// Fail answers the next n requests with the status (a 5xx, say) and
// HubSpot's error body.
func (s *Server) Fail(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing, s.failStatus = n, status
}

// Delay makes every answer wait d first (or until the client gives up).
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns how many requests the server has received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// brokenBodies are the answers Malformed sends, in turn.
var brokenBodies = []string{
	"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
	`{"results": [{"id": "101", "properties": {"email": "a@`,
	`{"vid": "not a number", "results": {"id": 7}, "properties": []}`,
}

// hooks counts requests and applies, in order: the delay, the token check,
// the rate limit, the failures and the broken answers.
func (s *Server) hooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		delay := s.delay
		s.mu.Unlock()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case s.revoked || r.Header.Get("Authorization") != "Bearer "+s.token:
			writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"The access token is missing, expired or revoked. Check that it is a valid private app token.")
		case s.limited > 0:
			s.limited--
			if s.retryAfter != "" {
				w.Header().Set("Retry-After", s.retryAfter)
			}
			writeError(w, http.StatusTooManyRequests, "RATE_LIMITS", "You have reached your secondly limit.")
		case s.failing > 0:
			s.failing--
			writeError(w, s.failStatus, "INTERNAL_ERROR", "Something went wrong on our side.")
		case s.malformed > 0:
			s.malformed--
			body := brokenBodies[s.broken%len(brokenBodies)]
			s.broken++
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// writeError writes HubSpot's error body.
func writeError(w http.ResponseWriter, status int, category, message string) {
	writeJSON(w, status, map[string]any{
		"status":        "error",
		"message":       message,
		"correlationId": "00000000-0000-4000-8000-000000000000",
		"category":      category,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// idLess orders decimal IDs by value.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
