package foyer

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of what a team keeps about a company.
const (
	MaxNoteLength   = 4000 // characters of a note
	MaxTagLength    = 40   // characters of a tag
	MaxCompanyTags  = 20   // tags of one company
	maxNoteNewlines = 200
)

// Note is what a member of a workspace wrote about a company; every member
// of the workspace reads it.
type Note struct {
	ID          int64
	WorkspaceID int64
	CompanyID   int64
	AuthorID    int64  // 0 once the author's account is gone
	Author      string // the author's name, else email; "" once the account is gone
	Body        string
	CreatedAt   time.Time
}

// ValidateNote trims a note's body and checks it; EINVALID says what is
// wrong.
func ValidateNote(n *Note) error {
	n.Body = strings.TrimSpace(strings.ReplaceAll(n.Body, "\r\n", "\n"))
	switch {
	case n.Body == "":
		return Errorf(EINVALID, "write something in the note")
	case utf8.RuneCountInString(n.Body) > MaxNoteLength:
		return Errorf(EINVALID, "a note has at most %d characters", MaxNoteLength)
	case strings.Count(n.Body, "\n") > maxNoteNewlines:
		return Errorf(EINVALID, "a note has at most %d lines", maxNoteNewlines)
	case strings.ContainsFunc(n.Body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return Errorf(EINVALID, "a note cannot hold control characters")
	}
	return nil
}

// NormalizeTag returns a tag trimmed, with its runs of spaces made one,
// and its key (lower case), by which a company's tags are unique and the
// feed filters; EINVALID for an empty, too long or unprintable tag.
func NormalizeTag(s string) (tag, key string, err error) {
	tag = strings.Join(strings.Fields(s), " ")
	switch {
	case tag == "":
		return "", "", Errorf(EINVALID, "a tag cannot be empty")
	case utf8.RuneCountInString(tag) > MaxTagLength:
		return "", "", Errorf(EINVALID, "a tag has at most %d characters", MaxTagLength)
	case strings.ContainsFunc(tag, func(r rune) bool { return !unicode.IsPrint(r) }):
		return "", "", Errorf(EINVALID, "a tag cannot hold control characters")
	}
	return tag, strings.ToLower(tag), nil
}

// FollowUpService keeps what a workspace's team does with a company: notes,
// tags and the member it is assigned to. Every method is scoped by the
// workspace: a company of another workspace is ENOTFOUND, and nothing is
// stored.
type FollowUpService interface {
	// AddNote stores n, validated as by ValidateNote, and sets its ID,
	// CreatedAt and Author. ENOTFOUND when the company is not the
	// workspace's, EINVALID for a bad body.
	AddNote(ctx context.Context, n *Note) error
	// Note returns one of the workspace's notes, or ENOTFOUND.
	Note(ctx context.Context, workspaceID, noteID int64) (*Note, error)
	// DeleteNote deletes one of the workspace's notes, or answers
	// ENOTFOUND. Who may is the caller's to check.
	DeleteNote(ctx context.Context, workspaceID, noteID int64) error
	// Notes returns the notes on a company of the workspace, newest first.
	Notes(ctx context.Context, workspaceID, companyID int64) ([]Note, error)
	// AddTag tags a company of the workspace, normalised as by
	// NormalizeTag; a tag it has in any case is kept as it was. ENOTFOUND
	// for another workspace's company, EINVALID for a bad tag, ECONFLICT
	// when the company has MaxCompanyTags tags.
	AddTag(ctx context.Context, workspaceID, companyID int64, tag string) error
	// RemoveTag removes a tag of a company of the workspace, in any case;
	// ENOTFOUND when it has no such tag.
	RemoveTag(ctx context.Context, workspaceID, companyID int64, tag string) error
	// Tags returns a company's tags, by key.
	Tags(ctx context.Context, workspaceID, companyID int64) ([]string, error)
	// Assign assigns a company of the workspace to one of its members
	// (userID 0: to nobody). ENOTFOUND for another workspace's company,
	// EINVALID when the user is not a member of the workspace. Removing
	// the member from the workspace clears the assignment.
	Assign(ctx context.Context, workspaceID, companyID, userID int64) error
	// Assignee returns the ID of the member a company of the workspace is
	// assigned to, 0 for nobody; ENOTFOUND for another workspace's company.
	Assignee(ctx context.Context, workspaceID, companyID int64) (int64, error)
}
