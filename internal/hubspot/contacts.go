package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// pageSize is how many contacts the client asks for per page; HubSpot
// returns at most 100 per page of the list and 200 of the search.
const pageSize = 100

// SearchLimit is the most results HubSpot's search API returns for one
// search, however it is paged.
const SearchLimit = 10000

// ContactByUTK returns the HubSpot contact whose browser carries the user
// token utk (the hubspotutk cookie's value). It returns an error wrapping
// ErrNotFound when HubSpot knows no contact for the token, or when utk
// cannot be a user token (no request is made then); ErrUnauthorized,
// ErrRateLimited, ErrMalformed, or a network or ctx error otherwise.
func (c *Client) ContactByUTK(ctx context.Context, utk string) (*Contact, error) {
	const op = "look up the contact of a user token"
	if !validUTK(utk) {
		return nil, fmt.Errorf("hubspot: %s: %w", op, &Error{kind: ErrNotFound, Message: "not a HubSpot user token"})
	}
	q := url.Values{
		"propertyMode":        {"value_only"},
		"formSubmissionMode":  {"none"},
		"showListMemberships": {"false"},
		"property":            properties,
	}
	body, err := c.do(ctx, request{
		op:     op,
		method: http.MethodGet,
		path:   "/contacts/v1/contact/utk/" + url.PathEscape(utk) + "/profile",
		query:  q,
	})
	if err != nil {
		return nil, err
	}
	contact, err := parseUTKProfile(body)
	if err != nil {
		return nil, fmt.Errorf("hubspot: %s: %w", op, err)
	}
	return contact, nil
}

// validUTK reports whether s looks like a HubSpot user token: 1 to 64
// ASCII letters and digits (HubSpot's are 32 hex digits).
func validUTK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z') {
			return false
		}
	}
	return true
}

// Contacts calls each with every contact not archived, in HubSpot's order,
// page by page. It stops at the first error each returns and returns it
// (wrapped; errors.Is finds it). Other errors wrap ErrUnauthorized,
// ErrRateLimited, ErrMalformed (also when HubSpot repeats a page cursor),
// or are the network's or ctx's; the contacts of the pages before were
// delivered.
func (c *Client) Contacts(ctx context.Context, each func(Contact) error) error {
	const op = "list contacts"
	after := ""
	for {
		q := url.Values{
			"limit":      {strconv.Itoa(pageSize)},
			"archived":   {"false"},
			"properties": {strings.Join(properties, ",")},
		}
		if after != "" {
			q.Set("after", after)
		}
		body, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v3/objects/contacts", query: q})
		if err != nil {
			return err
		}
		next, err := deliver(body, after, each)
		if err != nil {
			return fmt.Errorf("hubspot: %s: %w", op, err)
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// ContactsByDomain calls each with every contact whose email address is
// at domain (as "acme.com" or "@acme.com", any case; subdomains are other
// domains), through HubSpot's search API, page by page. HubSpot's search
// returns at most SearchLimit (10,000) results: past them, ContactsByDomain
// returns an error wrapping ErrSearchLimit, having delivered the first
// 10,000; Contacts has no such limit. Errors are otherwise those of
// Contacts.
func (c *Client) ContactsByDomain(ctx context.Context, domain string, each func(Contact) error) error {
	const op = "search contacts by email domain"
	domain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	if !validDomain(domain) {
		return fmt.Errorf("hubspot: %s: %q is not an email domain", op, domain)
	}
	suffix := "@" + domain
	atDomain := func(ct Contact) error {
		if !strings.HasSuffix(strings.ToLower(ct.Email), suffix) {
			return nil // CONTAINS_TOKEN is looser than a domain match
		}
		return each(ct)
	}
	after, seen := "", 0
	for {
		if seen >= c.searchLimit() {
			return fmt.Errorf("hubspot: %s: %w", op, &Error{kind: ErrSearchLimit})
		}
		body, err := json.Marshal(searchRequest(domain, after))
		if err != nil {
			return fmt.Errorf("hubspot: %s: %w", op, err)
		}
		answer, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "/crm/v3/objects/contacts/search", body: body})
		if err != nil {
			return err
		}
		next, err := deliver(answer, after, atDomain)
		if err != nil {
			return fmt.Errorf("hubspot: %s: %w", op, err)
		}
		if next == "" {
			return nil
		}
		after = next
		if n, err := strconv.Atoi(next); err == nil {
			seen = n // the search's cursor is the offset of the next page
		} else {
			seen += pageSize
		}
	}
}

// searchLimit is SearchLimit; a test may lower it through searchMax.
func (c *Client) searchLimit() int {
	if c.searchMax > 0 {
		return c.searchMax
	}
	return SearchLimit
}

// search is the body of a CRM v3 search.
type search struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortBy      `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type sortBy struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// searchRequest asks for the contacts whose email has the token
// "@domain", in ID order so that paging is stable.
func searchRequest(domain, after string) search {
	return search{
		FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: propEmail, Operator: "CONTAINS_TOKEN", Value: "*@" + domain}}}},
		Sorts:        []sortBy{{PropertyName: propObjectID, Direction: "ASCENDING"}},
		Properties:   properties,
		Limit:        pageSize,
		After:        after,
	}
}

// validDomain reports whether s (lower case) looks like a DNS name with a
// dot: letters, digits, hyphens and dots, at most 253 bytes.
func validDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('0' <= b && b <= '9' || 'a' <= b && b <= 'z' || b == '-' || b == '.') {
			return false
		}
	}
	return true
}

// deliver parses a page, calls each with its contacts, and returns the
// next cursor; a cursor equal to the current one is malformed (it would
// loop forever).
func deliver(body []byte, after string, each func(Contact) error) (string, error) {
	contacts, next, err := parseContactPage(body)
	if err != nil {
		return "", err
	}
	if next != "" && next == after {
		return "", malformed("the next page's cursor is the current one")
	}
	for _, ct := range contacts {
		if err := each(ct); err != nil {
			return "", err
		}
	}
	return next, nil
}

// Check makes the cheapest call that proves the token reads contacts: a
// list of one contact. Its errors are those of Contacts.
func (c *Client) Check(ctx context.Context) error {
	const op = "check the token"
	q := url.Values{"limit": {"1"}, "archived": {"false"}}
	body, err := c.do(ctx, request{op: op, method: http.MethodGet, path: "/crm/v3/objects/contacts", query: q})
	if err != nil {
		return err
	}
	if _, _, err := parseContactPage(body); err != nil {
		return fmt.Errorf("hubspot: %s: %w", op, err)
	}
	return nil
}
