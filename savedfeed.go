package foyer

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// SavedFeed is a feed that a workspace's members named and saved: its
// filters, order and period, kept as the feed page's query string so that
// a relative period ("7 days") stays relative.
type SavedFeed struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Query       string
	CreatedBy   int64 // the user who saved it; 0 when that account is gone
	CreatedAt   time.Time
}

// ValidateSavedFeed trims the name and checks the feed's name and query;
// EINVALID says what is wrong.
func ValidateSavedFeed(f *SavedFeed) error {
	f.Name = strings.TrimSpace(f.Name)
	switch {
	case f.Name == "":
		return Errorf(EINVALID, "give the feed a name")
	case utf8.RuneCountInString(f.Name) > 80:
		return Errorf(EINVALID, "a feed's name has at most 80 characters")
	case len(f.Query) > 2000:
		return Errorf(EINVALID, "the feed's filters are too long to save")
	}
	return nil
}

// SavedFeedService keeps a workspace's saved feeds.
type SavedFeedService interface {
	// SaveFeed stores f and sets its ID and CreatedAt. EINVALID for a bad
	// name or query, ECONFLICT when the workspace has a feed of that name.
	SaveFeed(ctx context.Context, f *SavedFeed) error
	// SavedFeeds returns the workspace's saved feeds, by name.
	SavedFeeds(ctx context.Context, workspaceID int64) ([]SavedFeed, error)
	// SavedFeed returns one of the workspace's saved feeds, or ENOTFOUND.
	SavedFeed(ctx context.Context, workspaceID, id int64) (*SavedFeed, error)
	// DeleteSavedFeed deletes one of the workspace's saved feeds, or
	// answers ENOTFOUND.
	DeleteSavedFeed(ctx context.Context, workspaceID, id int64) error
}
