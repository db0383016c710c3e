package contactexport

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// AccessData is everything a workspace holds on one person, for the
// answer to an access request: the contact's profile, its consent history,
// the record of changes to it, its identified visits with their pages, and
// the requests it made.
type AccessData struct {
	Workspace string
	Generated time.Time
	Mode      foyer.TrackingMode
	Contact   *foyer.Contact
	Consent   []foyer.ConsentEntry
	Changes   []foyer.ContactChange
	Visits    []foyer.IdentifiedVisit
	Requests  []foyer.SubjectRequest
	// Audit are the audit log's entries about the contact: who viewed,
	// exported or changed its data, and when.
	Audit []foyer.AuditEntry
	// PriorErasure is an erasure of a contact with the same email before
	// this one was created; nil when none.
	PriorErasure *foyer.Erasure
	// Campaigns are the email campaigns sent to the contact while it was
	// tracked, with its first open and click; none for a contact that may
	// not be tracked, whose opens and clicks are linked to nobody.
	Campaigns []foyer.ContactCampaign
}

// accessReadme explains the package to the person who receives it.
const accessReadme = `This package holds every piece of data that the workspace %q keeps
about you in Foyer, its visitor analytics, as of %s (UTC).

data.json             all of it in one document
profile.csv           your profile: the fields the workspace stores about you
consent_history.csv   every change of your tracking consent, as recorded
                      (each entry is chained to the one before it by a hash,
                      so that none can be changed or removed unnoticed)
changes.csv           who changed which fields of your profile, and when
visits.csv            the visits to the workspace's websites that were linked
                      to you, one row per page viewed, from the moment the
                      link was made
campaigns.csv         the workspace's emails sent to you while you were
                      tracked, and when you first opened and clicked them
requests.csv          the requests you made about your data
audit.csv             who in the workspace viewed, exported or changed your
                      data, and when

Foyer never stores the IP address of a visit. Visits that were not linked to
you are anonymous and are not part of this package; so are the opens and
clicks of emails sent while you were not tracked, which are counted without
being linked to you.
`

// WriteAccess writes a ZIP of a's data to w: a README, the whole of it as
// JSON, and each part as CSV (cells a spreadsheet would evaluate are
// neutralised).
func WriteAccess(w io.Writer, a *AccessData) error {
	z := zip.NewWriter(w)
	add := func(name string, write func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: a.Generated})
		if err != nil {
			return err
		}
		return write(f)
	}
	err := add("README.txt", func(w io.Writer) error {
		_, err := fmt.Fprintf(w, accessReadme, a.Workspace, a.Generated.UTC().Format("2 January 2006, 15:04"))
		return err
	})
	if err == nil {
		err = add("data.json", func(w io.Writer) error { return writeAccessJSON(w, a) })
	}
	if err == nil {
		err = add("profile.csv", func(w io.Writer) error {
			cw, err := NewContactWriter(w, CSV, a.Mode)
			if err == nil {
				err = cw.Write(a.Contact)
			}
			if err == nil {
				err = cw.Flush()
			}
			return err
		})
	}
	if err == nil {
		err = add("consent_history.csv", func(w io.Writer) error {
			hw, err := NewHistoryWriter(w, CSV)
			for _, e := range a.Consent {
				if err == nil {
					err = hw.Write(e)
				}
			}
			if err == nil {
				err = hw.Flush()
			}
			return err
		})
	}
	if err == nil {
		err = add("changes.csv", func(w io.Writer) error {
			return writeRows(w, []string{"at", "actor", "action", "fields"}, len(a.Changes), func(i int) []string {
				c := a.Changes[i]
				return []string{formatTime(c.At), c.Actor, c.Action, joinFields(c.Fields)}
			})
		})
	}
	if err == nil {
		err = add("visits.csv", func(w io.Writer) error {
			var rows [][]string
			for _, v := range a.Visits {
				for _, p := range v.Pages {
					rows = append(rows, []string{strconv.FormatInt(v.ID, 10), v.SiteName, formatTime(v.StartedAt), v.Via.String(),
						formatTime(v.IdentifiedAt), v.CompanyName, v.Country, v.City, v.Referrer, v.UTMSource, v.UTMMedium, v.UTMCampaign,
						formatTime(p.Time), p.Host, p.Path, p.Title, strconv.FormatInt(p.EngagedMS, 10)})
				}
			}
			return writeRows(w, []string{"visit_id", "site", "visit_started_at", "linked_by", "linked_at", "company", "country", "city",
				"referrer", "utm_source", "utm_medium", "utm_campaign", "page_viewed_at", "host", "path", "title", "engaged_ms"},
				len(rows), func(i int) []string { return rows[i] })
		})
	}
	if err == nil {
		err = add("campaigns.csv", func(w io.Writer) error {
			return writeRows(w, []string{"campaign_id", "campaign", "sent_at", "first_opened_at", "first_clicked_at"}, len(a.Campaigns),
				func(i int) []string {
					c := a.Campaigns[i]
					return []string{strconv.FormatInt(c.CampaignID, 10), c.Name, formatTime(c.SentAt), formatTime(c.FirstOpen), formatTime(c.FirstClick)}
				})
		})
	}
	if err == nil {
		err = add("requests.csv", func(w io.Writer) error {
			return writeRows(w, []string{"id", "kind", "status", "reference", "received_at", "due_at", "closed_at", "outcome"},
				len(a.Requests), func(i int) []string {
					r := a.Requests[i]
					return []string{strconv.FormatInt(r.ID, 10), string(r.Kind), string(r.Status), r.Reference, formatTime(r.ReceivedAt),
						formatTime(r.DueAt), formatTime(r.ClosedAt), r.Outcome}
				})
		})
	}
	if err == nil {
		err = add("audit.csv", func(w io.Writer) error {
			return writeRows(w, []string{"at", "who", "action", "detail"}, len(a.Audit), func(i int) []string {
				e := a.Audit[i]
				return []string{formatTime(e.At), e.Actor, string(e.Action), e.Detail}
			})
		})
	}
	if err != nil {
		return fmt.Errorf("access package: %w", err)
	}
	return z.Close()
}

// writeRows writes a CSV with header and n rows.
func writeRows(w io.Writer, header []string, n int, row func(int) []string) error {
	rec, err := newRecord(w, CSV, header)
	for i := 0; i < n && err == nil; i++ {
		err = rec.write(row(i), nil)
	}
	if err == nil {
		err = rec.flush()
	}
	return err
}

func joinFields(fields []string) string {
	var b bytes.Buffer
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// writeAccessJSON writes the whole of a as one indented JSON document.
func writeAccessJSON(w io.Writer, a *AccessData) error {
	c := a.Contact
	attrs := c.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	type page struct {
		At        string `json:"viewed_at"`
		Host      string `json:"host"`
		Path      string `json:"path"`
		Title     string `json:"title"`
		EngagedMS int64  `json:"engaged_ms"`
	}
	type visit struct {
		ID          int64  `json:"id"`
		Site        string `json:"site"`
		StartedAt   string `json:"started_at"`
		LinkedBy    string `json:"linked_by"`
		LinkedAt    string `json:"linked_at"`
		Company     string `json:"company,omitempty"`
		Country     string `json:"country,omitempty"`
		City        string `json:"city,omitempty"`
		Referrer    string `json:"referrer,omitempty"`
		UTMSource   string `json:"utm_source,omitempty"`
		UTMMedium   string `json:"utm_medium,omitempty"`
		UTMCampaign string `json:"utm_campaign,omitempty"`
		Pages       []page `json:"pages"`
	}
	type change struct {
		At     string   `json:"at"`
		Actor  string   `json:"actor"`
		Action string   `json:"action"`
		Fields []string `json:"fields"`
	}
	type auditEntry struct {
		At     string `json:"at"`
		Who    string `json:"who"`
		Action string `json:"action"`
		Detail string `json:"detail,omitempty"`
	}
	type campaign struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		SentAt     string `json:"sent_at"`
		FirstOpen  string `json:"first_opened_at,omitempty"`
		FirstClick string `json:"first_clicked_at,omitempty"`
	}
	type request struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		Status     string `json:"status"`
		Reference  string `json:"reference,omitempty"`
		ReceivedAt string `json:"received_at"`
		DueAt      string `json:"due_at"`
		ClosedAt   string `json:"closed_at,omitempty"`
		Outcome    string `json:"outcome,omitempty"`
	}
	out := struct {
		Workspace string       `json:"workspace"`
		Generated string       `json:"generated_at"`
		Profile   contactJSON  `json:"profile"`
		Consent   []entryJSON  `json:"consent_history"`
		Changes   []change     `json:"changes"`
		Visits    []visit      `json:"visits"`
		Campaigns []campaign   `json:"campaigns"`
		Requests  []request    `json:"requests"`
		Audit     []auditEntry `json:"audit"`
		Erasure   *string      `json:"erased_before_creation,omitempty"`
	}{Workspace: a.Workspace, Generated: formatTime(a.Generated),
		Profile: contactJSON{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Role: c.Role, Phone: c.Phone,
			Company: c.Company, Language: c.Language, CRMID: c.CRMID, Attrs: attrs, Consent: StatusName(c.Consent.Status),
			ConsentAt: optTime(c.Consent.At), MayTrack: foyer.MayTrack(a.Mode, c.Consent), CreatedAt: formatTime(c.CreatedAt),
			UpdatedAt: formatTime(c.UpdatedAt)},
		Consent: []entryJSON{}, Changes: []change{}, Visits: []visit{}, Campaigns: []campaign{}, Requests: []request{}, Audit: []auditEntry{}}
	for _, m := range a.Campaigns {
		out.Campaigns = append(out.Campaigns, campaign{ID: m.CampaignID, Name: m.Name, SentAt: formatTime(m.SentAt),
			FirstOpen: formatTime(m.FirstOpen), FirstClick: formatTime(m.FirstClick)})
	}
	if c.CompanyID != 0 {
		out.Profile.CompanyID = &c.CompanyID
	}
	for _, e := range a.Consent {
		out.Consent = append(out.Consent, entryOf(e))
	}
	for _, ch := range a.Changes {
		out.Changes = append(out.Changes, change{At: formatTime(ch.At), Actor: ch.Actor, Action: ch.Action, Fields: ch.Fields})
	}
	for _, v := range a.Visits {
		jv := visit{ID: v.ID, Site: v.SiteName, StartedAt: formatTime(v.StartedAt), LinkedBy: v.Via.String(), LinkedAt: formatTime(v.IdentifiedAt),
			Company: v.CompanyName, Country: v.Country, City: v.City, Referrer: v.Referrer, UTMSource: v.UTMSource, UTMMedium: v.UTMMedium,
			UTMCampaign: v.UTMCampaign, Pages: []page{}}
		for _, p := range v.Pages {
			jv.Pages = append(jv.Pages, page{At: formatTime(p.Time), Host: p.Host, Path: p.Path, Title: p.Title, EngagedMS: p.EngagedMS})
		}
		out.Visits = append(out.Visits, jv)
	}
	for _, r := range a.Requests {
		out.Requests = append(out.Requests, request{ID: r.ID, Kind: string(r.Kind), Status: string(r.Status), Reference: r.Reference,
			ReceivedAt: formatTime(r.ReceivedAt), DueAt: formatTime(r.DueAt), ClosedAt: formatTime(r.ClosedAt), Outcome: r.Outcome})
	}
	for _, e := range a.Audit {
		out.Audit = append(out.Audit, auditEntry{At: formatTime(e.At), Who: e.Actor, Action: string(e.Action), Detail: e.Detail})
	}
	if a.PriorErasure != nil {
		at := formatTime(a.PriorErasure.At)
		out.Erasure = &at
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
