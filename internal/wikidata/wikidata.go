// Package wikidata finds an organisation in Wikidata (CC0), by its web
// domain or its name, through Wikidata's public action API, and reads what
// a sales team wants to know of it: its name, website, industry, employee
// count, country, LinkedIn company page and logo. It sends Wikidata an
// organisation's name or domain and nothing else; it knows nothing of
// visitors.
package wikidata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"
)

// DefaultBaseURL is Wikidata's address; the action API is at /w/api.php.
const DefaultBaseURL = "https://www.wikidata.org"

// Profile is what Wikidata says of an organisation.
type Profile struct {
	QID       string // the item, such as Q81230
	Name      string // its label
	Website   string
	Industry  string // the label of its first industry
	Employees int64  // 0 when unknown
	Country   string // ISO 3166-1 alpha-2 of its country, "" when unknown
	LinkedIn  string // the LinkedIn company ID (linkedin.com/company/ID)
	Logo      string // the logo's file name on Wikimedia Commons
}

// ErrNotFound means Wikidata has no item that is surely the organisation.
var ErrNotFound = errors.New("wikidata: no item matches")

// Client asks Wikidata, at most one request at a time and at most Rate
// requests a second.
type Client struct {
	BaseURL   string
	HTTP      *http.Client
	UserAgent string
	// Interval is the least time between two requests (1 s when 0):
	// Wikidata asks clients to be gentle.
	Interval time.Duration

	mu   sync.Mutex
	last time.Time
}

// New returns a client of Wikidata at base (DefaultBaseURL when "").
func New(base string) *Client {
	if base == "" {
		base = DefaultBaseURL
	}
	return &Client{BaseURL: strings.TrimSuffix(base, "/"), HTTP: &http.Client{Timeout: 10 * time.Second},
		UserAgent: "Foyer (self-hosted B2B visitor intelligence; company enrichment)"}
}

// ByDomain finds the organisation whose official website is at domain
// (its registrable part): it searches the domain's name and keeps the
// item whose website is on that domain.
func (c *Client) ByDomain(ctx context.Context, domain string) (*Profile, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	reg, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return nil, ErrNotFound
	}
	label, _, _ := strings.Cut(reg, ".")
	return c.find(ctx, label, func(p *Profile) bool { return websiteDomain(p.Website) == reg })
}

// ByName finds the organisation whose label is name, legal forms and
// punctuation aside, and that Wikidata gives a website or an industry.
func (c *Client) ByName(ctx context.Context, name string) (*Profile, error) {
	want := NormalName(name)
	if want == "" {
		return nil, ErrNotFound
	}
	return c.find(ctx, name, func(p *Profile) bool {
		return NormalName(p.Name) == want && (p.Website != "" || p.Industry != "")
	})
}

// find searches Wikidata for text and returns the first of its items that
// ok accepts.
func (c *Client) find(ctx context.Context, text string, ok func(*Profile) bool) (*Profile, error) {
	var found struct {
		Search []struct {
			ID string `json:"id"`
		} `json:"search"`
	}
	if err := c.get(ctx, url.Values{"action": {"wbsearchentities"}, "search": {text}, "language": {"en"},
		"uselang": {"en"}, "type": {"item"}, "limit": {"7"}}, &found); err != nil {
		return nil, err
	}
	var ids []string
	for _, s := range found.Search {
		if validQID(s.ID) {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return nil, ErrNotFound
	}
	items, err := c.entities(ctx, ids, "labels|claims")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		it, present := items[id]
		if !present {
			continue
		}
		p := it.profile()
		if !ok(p) {
			continue
		}
		if err := c.labelRefs(ctx, it, p); err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, ErrNotFound
}

// labelRefs fills the industry's label and the country's ISO code, which
// are items of their own.
func (c *Client) labelRefs(ctx context.Context, it entity, p *Profile) error {
	var ids []string
	industry, country := it.itemRef("P452"), it.itemRef("P17")
	for _, id := range []string{industry, country} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	refs, err := c.entities(ctx, ids, "labels|claims")
	if err != nil {
		return err
	}
	if r, ok := refs[industry]; ok {
		p.Industry = r.label()
	}
	if r, ok := refs[country]; ok {
		if code := r.stringClaim("P297"); len(code) == 2 {
			p.Country = strings.ToUpper(code)
		}
	}
	return nil
}

func (c *Client) entities(ctx context.Context, ids []string, props string) (map[string]entity, error) {
	var out struct {
		Entities map[string]entity `json:"entities"`
	}
	if err := c.get(ctx, url.Values{"action": {"wbgetentities"}, "ids": {strings.Join(ids, "|")}, "props": {props},
		"languages": {"en"}}, &out); err != nil {
		return nil, err
	}
	for id, e := range out.Entities {
		if e.Missing != nil || e.ID != id {
			delete(out.Entities, id)
		}
	}
	return out.Entities, nil
}

// maxBody bounds an answer.
const maxBody = 4 << 20

// get calls the action API with q and decodes its JSON answer into v.
func (c *Client) get(ctx context.Context, q url.Values, v any) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	q.Set("format", "json")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/w/api.php?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("wikidata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wikidata: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("wikidata: %w", err)
	}
	var apiErr struct {
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &apiErr) == nil && apiErr.Error != nil {
		return fmt.Errorf("wikidata: API error %q", apiErr.Error.Code)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("wikidata: a malformed answer: %w", err)
	}
	return nil
}

// wait spaces requests Interval apart.
func (c *Client) wait(ctx context.Context) error {
	interval := c.Interval
	if interval <= 0 {
		interval = time.Second
	}
	c.mu.Lock()
	next := c.last.Add(interval)
	now := time.Now()
	if next.Before(now) {
		next = now
	}
	c.last = next
	c.mu.Unlock()
	if d := time.Until(next); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// entity is a Wikidata item as wbgetentities gives it.
type entity struct {
	ID      string  `json:"id"`
	Missing *string `json:"missing"`
	Labels  map[string]struct {
		Value string `json:"value"`
	} `json:"labels"`
	Claims map[string][]claim `json:"claims"`
}

type claim struct {
	Rank     string `json:"rank"`
	Mainsnak struct {
		Snaktype  string `json:"snaktype"`
		Datavalue struct {
			Value json.RawMessage `json:"value"`
			Type  string          `json:"type"`
		} `json:"datavalue"`
	} `json:"mainsnak"`
}

func (e entity) label() string {
	if l, ok := e.Labels["en"]; ok {
		return l.Value
	}
	return ""
}

// best returns the property's claims with a value, the preferred ones
// first, deprecated ones left out.
func (e entity) best(prop string) []claim {
	var preferred, normal []claim
	for _, c := range e.Claims[prop] {
		if c.Mainsnak.Snaktype != "value" || c.Rank == "deprecated" {
			continue
		}
		if c.Rank == "preferred" {
			preferred = append(preferred, c)
		} else {
			normal = append(normal, c)
		}
	}
	return append(preferred, normal...)
}

func (e entity) stringClaim(prop string) string {
	for _, c := range e.best(prop) {
		var s string
		if json.Unmarshal(c.Mainsnak.Datavalue.Value, &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

func (e entity) itemRef(prop string) string {
	for _, c := range e.best(prop) {
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(c.Mainsnak.Datavalue.Value, &v) == nil && validQID(v.ID) {
			return v.ID
		}
	}
	return ""
}

func (e entity) quantity(prop string) int64 {
	for _, c := range e.best(prop) {
		var v struct {
			Amount string `json:"amount"`
		}
		if json.Unmarshal(c.Mainsnak.Datavalue.Value, &v) != nil {
			continue
		}
		if n, err := strconv.ParseFloat(strings.TrimPrefix(v.Amount, "+"), 64); err == nil && n > 0 && n < 1e8 {
			return int64(n)
		}
	}
	return 0
}

func (e entity) profile() *Profile {
	p := &Profile{QID: e.ID, Name: e.label(), Website: e.stringClaim("P856"), Employees: e.quantity("P1128"),
		LinkedIn: e.stringClaim("P4264"), Logo: e.stringClaim("P154")}
	if u, err := url.Parse(p.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.Website = ""
	}
	if !validSlug(p.LinkedIn) {
		p.LinkedIn = ""
	}
	return p
}

func validQID(id string) bool {
	if len(id) < 2 || len(id) > 12 || id[0] != 'Q' {
		return false
	}
	_, err := strconv.ParseUint(id[1:], 10, 64)
	return err == nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// websiteDomain is the registrable domain of a website's address.
func websiteDomain(site string) string {
	u, err := url.Parse(site)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(u.Hostname()))
	if err != nil {
		return ""
	}
	return d
}

// legalForms are the words of company names that say what kind of company
// it is, not which: NormalName leaves them out.
var legalForms = map[string]bool{
	"ag": true, "gmbh": true, "mbh": true, "kg": true, "co": true, "inc": true, "incorporated": true, "ltd": true,
	"limited": true, "llc": true, "llp": true, "plc": true, "corp": true, "corporation": true, "company": true,
	"sa": true, "sas": true, "sarl": true, "spa": true, "srl": true, "bv": true, "nv": true, "ab": true, "oy": true,
	"oyj": true, "as": true, "asa": true, "aps": true, "se": true, "kk": true, "pte": true, "pty": true, "bhd": true,
	"sdn": true, "group": true, "holding": true, "holdings": true, "the": true,
}

// NormalName is a name as compared: lower case, letters and digits in
// words, legal forms left out.
func NormalName(name string) string {
	var words []string
	// Dots go first, so that abbreviated forms ("S.A.", "Co.") read as words.
	for _, w := range strings.FieldsFunc(strings.ReplaceAll(strings.ToLower(name), ".", ""), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if !legalForms[w] {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}
