package foyer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Conditions: what a segment's definition, or a scoring rule, tests.

// ConditionKind is what a condition tests.
type ConditionKind string

// Condition kinds. The first two test attributes; the rest are behaviour,
// which never matches a contact MayTrack refuses.
const (
	CondContact ConditionKind = "contact" // a field of the contact
	CondCompany ConditionKind = "company" // a field of the contact's company
	CondVisited ConditionKind = "visited" // an identified visit to a page matching Path in the last Days
	CondEngaged ConditionKind = "engaged" // over Minutes of engaged time in identified visits in the last Days
	CondOpened  ConditionKind = "opened"  // opened Campaign (0: any) in the last Days
	CondClicked ConditionKind = "clicked" // clicked a link of Campaign (0: any) in the last Days
	CondForm    ConditionKind = "form"    // identified by a tracked form in the last Days
	CondScore   ConditionKind = "score"   // the contact's rules score is above Points
)

// Behavioural reports whether the kind tests what a contact did.
func (k ConditionKind) Behavioural() bool {
	switch k {
	case CondVisited, CondEngaged, CondOpened, CondClicked, CondForm, CondScore:
		return true
	}
	return false
}

// ConditionKinds lists the kinds in the order the editor offers them.
var ConditionKinds = []ConditionKind{CondContact, CondCompany, CondVisited, CondEngaged, CondOpened, CondClicked, CondForm, CondScore}

// Label names the kind for users.
func (k ConditionKind) Label() string {
	switch k {
	case CondContact:
		return "Contact field"
	case CondCompany:
		return "Company field"
	case CondVisited:
		return "Visited a page"
	case CondEngaged:
		return "Engaged time"
	case CondOpened:
		return "Opened a campaign"
	case CondClicked:
		return "Clicked in a campaign"
	case CondForm:
		return "Submitted a tracked form"
	case CondScore:
		return "Score above"
	}
	return string(k)
}

// ContactFields are the contact fields a condition can test; an
// attribute is "attr:" and its name.
var ContactFields = []string{"email_domain", "email", "first_name", "last_name", "role", "company", "language", "crm_id"}

// CompanyFields are the fields of a contact's company (from IP
// intelligence) a condition can test.
var CompanyFields = []string{"name", "domain", "industry", "size", "country", "type", "city"}

// FieldOps are the operators of field conditions.
var FieldOps = []string{"is", "is_not", "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_empty"}

// FieldLabel names a field for users.
func FieldLabel(f string) string {
	if a, ok := strings.CutPrefix(f, "attr:"); ok {
		return "attribute " + a
	}
	return strings.ReplaceAll(f, "_", " ")
}

// Limits of a definition.
const (
	MaxConditions    = 20
	MaxDefinitionLen = 16 << 10
	MaxConditionDays = 3650
	maxConditionText = 256
)

// Condition is one test of a segment's definition, or a scoring rule's.
// Which fields count depends on Kind.
type Condition struct {
	Kind     ConditionKind `json:"kind"`
	Field    string        `json:"field,omitempty"`    // contact, company
	Op       string        `json:"op,omitempty"`       // contact, company
	Value    string        `json:"value,omitempty"`    // contact, company
	Path     string        `json:"path,omitempty"`     // visited: a page pattern (see MatchPath)
	Days     int           `json:"days,omitempty"`     // behaviour but score: the window
	Minutes  int           `json:"minutes,omitempty"`  // engaged: the threshold
	Campaign int64         `json:"campaign,omitempty"` // opened, clicked: 0 for any
	Points   int64         `json:"points,omitempty"`   // score: the threshold, in points
}

// Behavioural reports whether c tests what a contact did.
func (c Condition) Behavioural() bool { return c.Kind.Behavioural() }

// ValidateCondition checks one condition and returns it normalised (its
// text trimmed, the fields its kind does not use cleared). EINVALID.
func ValidateCondition(c Condition) (Condition, error) {
	out := Condition{Kind: c.Kind}
	days := func() error {
		if c.Days < 1 || c.Days > MaxConditionDays {
			return Errorf(EINVALID, "the number of days must be 1 to %d", MaxConditionDays)
		}
		out.Days = c.Days
		return nil
	}
	switch c.Kind {
	case CondContact, CondCompany:
		field := strings.TrimSpace(c.Field)
		fields := ContactFields
		if c.Kind == CondCompany {
			fields = CompanyFields
		}
		known := false
		for _, f := range fields {
			known = known || f == field
		}
		if name, ok := strings.CutPrefix(field, "attr:"); ok && c.Kind == CondContact {
			if name == "" || len(name) > 64 || !utf8.ValidString(name) {
				return out, Errorf(EINVALID, "an attribute's name has 1 to 64 bytes")
			}
			known = true
		}
		if !known {
			return out, Errorf(EINVALID, "unknown %s field %q", c.Kind, cut(field))
		}
		opOK := false
		for _, op := range FieldOps {
			opOK = opOK || op == c.Op
		}
		if !opOK {
			return out, Errorf(EINVALID, "unknown operator %q", cut(c.Op))
		}
		out.Field, out.Op = field, c.Op
		if c.Op != "is_set" && c.Op != "is_empty" {
			v := strings.TrimSpace(c.Value)
			if v == "" && c.Op != "is" && c.Op != "is_not" {
				return out, Errorf(EINVALID, "a value is required")
			}
			if len(v) > maxConditionText || !utf8.ValidString(v) {
				return out, Errorf(EINVALID, "the value must be valid text of at most %d bytes", maxConditionText)
			}
			out.Value = v
		}
	case CondVisited:
		p, err := ValidatePagePattern(c.Path)
		if err != nil {
			return out, err
		}
		out.Path = p
		return out, days()
	case CondEngaged:
		if c.Minutes < 1 || c.Minutes > 100000 {
			return out, Errorf(EINVALID, "the minutes must be 1 to 100000")
		}
		out.Minutes = c.Minutes
		return out, days()
	case CondOpened, CondClicked:
		if c.Campaign < 0 {
			return out, Errorf(EINVALID, "campaign %d: no such campaign", c.Campaign)
		}
		out.Campaign = c.Campaign
		return out, days()
	case CondForm:
		return out, days()
	case CondScore:
		if c.Points < 0 || c.Points > 1_000_000 {
			return out, Errorf(EINVALID, "the points must be 0 to 1000000")
		}
		out.Points = c.Points
	default:
		return out, Errorf(EINVALID, "unknown kind of condition %q", cut(string(c.Kind)))
	}
	return out, nil
}

// ValidatePagePattern checks a page pattern of a condition, as
// ValidatePathPattern does but allowing "/" (every page), and returns it
// trimmed. A pattern ending in "/" matches the pages below too.
func ValidatePagePattern(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "/" {
		return p, nil
	}
	if _, err := ValidatePathPattern(p); err != nil {
		msg := strings.Replace(ErrorMessage(err), "excluded path", "page pattern", 1)
		return "", Errorf(EINVALID, "%s", msg)
	}
	return p, nil
}

// MatchText applies a field condition's operator to a field's value, case
// insensitively.
func (c Condition) MatchText(v string) bool {
	v = strings.TrimSpace(v)
	switch c.Op {
	case "is_set":
		return v != ""
	case "is_empty":
		return v == ""
	case "is":
		return strings.EqualFold(v, c.Value)
	case "is_not":
		return !strings.EqualFold(v, c.Value)
	}
	lv, lc := strings.ToLower(v), strings.ToLower(c.Value)
	switch c.Op {
	case "contains":
		return strings.Contains(lv, lc)
	case "not_contains":
		return !strings.Contains(lv, lc)
	case "starts_with":
		return strings.HasPrefix(lv, lc)
	case "ends_with":
		return strings.HasSuffix(lv, lc)
	}
	return false
}

// ContactField returns the value of a contact field (ContactFields or
// "attr:" and a name) of c.
func ContactField(c *Contact, field string) string {
	switch field {
	case "email_domain":
		_, d, _ := strings.Cut(c.Email, "@")
		return d
	case "email":
		return c.Email
	case "first_name":
		return c.FirstName
	case "last_name":
		return c.LastName
	case "role":
		return c.Role
	case "company":
		return c.Company
	case "language":
		return c.Language
	case "crm_id":
		return c.CRMID
	}
	if a, ok := strings.CutPrefix(field, "attr:"); ok {
		return c.Attrs[a]
	}
	return ""
}

// CompanyField returns the value of a company field (CompanyFields) of co;
// "" for a nil company.
func CompanyField(co *Company, field string) string {
	if co == nil {
		return ""
	}
	switch field {
	case "name":
		return co.Name
	case "domain":
		return co.Domain
	case "industry":
		return co.Industry
	case "size":
		return co.Size
	case "country":
		return co.Country
	case "type":
		return string(co.Type)
	case "city":
		return co.City
	}
	return ""
}

// Describe says in words what a condition tests, for lists and pages;
// campaign names the campaign of an ID (nil: by number).
func (c Condition) Describe(campaign func(int64) string) string {
	within := func() string {
		if c.Days == 1 {
			return " in the last day"
		}
		return " in the last " + strconv.Itoa(c.Days) + " days"
	}
	camp := "any campaign"
	if c.Campaign != 0 {
		camp = "campaign " + strconv.FormatInt(c.Campaign, 10)
		if campaign != nil {
			camp = "campaign “" + campaign(c.Campaign) + "”"
		}
	}
	switch c.Kind {
	case CondContact, CondCompany:
		what := "contact's " + FieldLabel(c.Field)
		if c.Kind == CondCompany {
			what = "company's " + FieldLabel(c.Field)
		}
		op := strings.ReplaceAll(c.Op, "_", " ")
		if c.Op == "is_set" || c.Op == "is_empty" {
			return fmt.Sprintf("%s %s", what, op)
		}
		return fmt.Sprintf("%s %s “%s”", what, op, c.Value)
	case CondVisited:
		return "visited a page matching " + c.Path + within()
	case CondEngaged:
		return "engaged over " + strconv.Itoa(c.Minutes) + " min" + within()
	case CondOpened:
		return "opened " + camp + within()
	case CondClicked:
		return "clicked in " + camp + within()
	case CondForm:
		return "submitted a tracked form" + within()
	case CondScore:
		return "score above " + strconv.FormatInt(c.Points, 10)
	}
	return string(c.Kind)
}
