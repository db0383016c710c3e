// Package crmimport imports contacts from a CRM into a workspace: today
// from HubSpot, through its API (internal/hubspot), with the HubSpot
// contact's ID as the contact's CRM ID and its tracking consent, when
// HubSpot keeps one, as an import's consent change.
package crmimport

import (
	"context"
	"fmt"
	"strconv"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/hubspot"
	"github.com/foyerhq/foyer/internal/store"
)

// Report is what an import did: rows as the contact import counts them.
type Report struct {
	store.ImportTally
	Errors []Reject `json:"errors"`
	DryRun bool     `json:"dry_run"`
}

// Reject is a HubSpot contact that was not imported, and why.
type Reject struct {
	HubSpotID string `json:"hubspot_id"`
	Reason    string `json:"reason"`
}

// maxRejects bounds the rejections a report lists.
const maxRejects = 1000

// Importer writes batches of imported rows: *store.Store.
type Importer interface {
	ImportContacts(ctx context.Context, workspaceID int64, rows []store.ImportRow, b store.ImportBatch) ([]store.ImportResult, error)
	ImportBatchSize() int
}

// Options says what to import.
type Options struct {
	// Domain, when not "", imports only the contacts whose email is at
	// that domain (a company's); otherwise every contact.
	Domain string
	Actor  string // recorded as the author of the changes
	DryRun bool
}

// HubSpot imports the contacts HubSpot's client c lists into the
// workspace: a new email makes a contact, a known one is updated with the
// fields HubSpot has, and HubSpot's consent property is applied by its
// date as any import's (an older date never overwrites a newer status).
// The contacts are written in the store's import batches; an error stops
// the import after the batches written.
func HubSpot(ctx context.Context, st Importer, workspaceID int64, c *hubspot.Client, o Options) (Report, error) {
	rep := Report{Errors: []Reject{}, DryRun: o.DryRun}
	var rows []store.ImportRow
	var ids []string
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		res, err := st.ImportContacts(ctx, workspaceID, rows, store.ImportBatch{Actor: o.Actor, DryRun: o.DryRun})
		if err != nil {
			return err
		}
		for i, r := range res {
			if rep.Add(r) && len(rep.Errors) < maxRejects {
				rep.Errors = append(rep.Errors, Reject{HubSpotID: ids[i], Reason: r.Reason})
			}
		}
		rows, ids = rows[:0], ids[:0]
		return nil
	}
	each := func(hc hubspot.Contact) error {
		rows = append(rows, rowOf(len(ids)+1, hc, o.Actor))
		ids = append(ids, hc.ID)
		if len(rows) >= st.ImportBatchSize() {
			return flush()
		}
		return nil
	}
	var err error
	if o.Domain != "" {
		err = c.ContactsByDomain(ctx, o.Domain, each)
	} else {
		err = c.Contacts(ctx, each)
	}
	if err != nil {
		return rep, fmt.Errorf("HubSpot: %w", err)
	}
	return rep, flush()
}

// rowOf turns a HubSpot contact into an import row.
func rowOf(line int, hc hubspot.Contact, actor string) store.ImportRow {
	r := store.ImportRow{Line: line, Contact: foyer.Contact{
		Email: hc.Email, FirstName: hc.FirstName, LastName: hc.LastName, Role: hc.JobTitle,
		Phone: hc.Phone, Company: hc.Company, CRMID: hc.ID,
	}}
	if hc.Email == "" {
		r.Rejected = "no email in HubSpot: Foyer knows contacts by their email"
		return r
	}
	if hc.ID == "" {
		r.Rejected = "no HubSpot ID"
		return r
	}
	if _, err := strconv.ParseUint(hc.ID, 10, 64); err != nil {
		r.Rejected = "the HubSpot ID is not a number"
		return r
	}
	switch hc.Consent {
	case hubspot.ConsentAccepted, hubspot.ConsentRefused:
		r.Consent = &foyer.ConsentChange{Status: foyer.ConsentStatus(hc.Consent), At: hc.ConsentAt,
			Source: foyer.SourceImport, Actor: actor}
	}
	return r
}
