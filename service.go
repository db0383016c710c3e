package foyer

import (
	"context"
	"errors"
	"time"
)

// WorkspaceService manages workspaces.
type WorkspaceService interface {
	// CreateWorkspace stores w and sets its ID and CreatedAt.
	// ECONFLICT when the name is taken, EINVALID when it is empty.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	// WorkspaceByName returns the named workspace, or ENOTFOUND.
	WorkspaceByName(ctx context.Context, name string) (*Workspace, error)
	// WorkspaceByID returns the workspace, or ENOTFOUND.
	WorkspaceByID(ctx context.Context, id int64) (*Workspace, error)
}

// SiteService manages the sites of a workspace.
type SiteService interface {
	// CreateSite stores s and sets its ID and CreatedAt. ECONFLICT when the
	// key is taken, EINVALID for a bad key or hostname, ENOTFOUND when the
	// workspace does not exist.
	CreateSite(ctx context.Context, s *Site) error
	// SiteByKey returns the site with the public key, or ENOTFOUND.
	SiteByKey(ctx context.Context, key string) (*Site, error)
	// SiteByID returns the workspace's site, or ENOTFOUND, also for a
	// site of another workspace.
	SiteByID(ctx context.Context, workspaceID, siteID int64) (*Site, error)
	// UpdateSite stores the settings of the site s.ID of workspace
	// s.WorkspaceID (name, hostnames, GPC, consent mode, excluded paths,
	// kept query parameters, identification features), validated as by ValidateSite, and sets
	// s.Key and s.CreatedAt from storage. ENOTFOUND when the workspace has
	// no such site, EINVALID for bad settings; nothing is stored on error.
	UpdateSite(ctx context.Context, s *Site) error
	// DeleteSite deletes the workspace's site with everything recorded on
	// it (visits, events and every roll-up), and takes it out of the
	// workspace's numbers: a company's last visit becomes its last on the
	// other sites, and a company seen on no other site is deleted. Events
	// for the site that reach storage afterwards are dropped. ENOTFOUND
	// when the workspace has no such site (another workspace's site is left
	// alone); nothing is deleted on error.
	DeleteSite(ctx context.Context, workspaceID, siteID int64) error
	// Sites returns a workspace's sites, by key.
	Sites(ctx context.Context, workspaceID int64) ([]*Site, error)
	// LastVisit returns when the site's latest visit started, or the zero
	// time when it has had none.
	LastVisit(ctx context.Context, siteID int64) (time.Time, error)
}

// EventService appends and reads events.
type EventService interface {
	// Append durably stores hits in one transaction, all or none, turning
	// them into visitors, visits and events. It returns only after the
	// commit; an error means nothing of hits was stored.
	Append(ctx context.Context, hits []Hit) error
	// AppendBatches stores, in one transaction, the hits of each batch
	// whose ID it has not stored before, and records those IDs, so that a
	// batch handed in again (a queue's redelivery) is stored once. It
	// returns how many of the batches were new; an error means nothing of
	// them was stored. IDs are kept at least BatchIDKeep.
	AppendBatches(ctx context.Context, batches []Batch) (int, error)
	// PruneBatchIDs forgets the batch IDs recorded before the time and
	// returns how many it forgot.
	PruneBatchIDs(ctx context.Context, before time.Time) (int64, error)
	// Rollup folds up to limit stored events that it has not yet read into
	// what is derived from them (a visit's counters, later the roll-ups by
	// company and day), oldest first, and returns how many it folded; fewer
	// than limit means it is current. Derived data trails Append until then.
	Rollup(ctx context.Context, limit int) (int, error)
	// Unrolled estimates how many appended events Rollup has yet to read.
	Unrolled() int64
	// Events calls fn for every event of the site at or after since, in the
	// order they were stored (by ID), with its visit's attributes: the
	// order they arrived, but that the events of one commit can be a few
	// milliseconds out of time order. ENOTFOUND when the site does not
	// belong to the workspace.
	Events(ctx context.Context, workspaceID, siteID int64, since time.Time, fn func(*StoredEvent) error) error
}

// AppendSyncer is implemented by an EventService whose commits can be
// made durable apart from committing them, so that a writer can commit the
// next batches while the disk flushes the last ones (group commit with a
// pipelined flush).
type AppendSyncer interface {
	// AppendUnsynced is Append except that the commit may not yet be on
	// the disk: it is visible and survives a crash of the process, and it
	// is durable once a later SyncAppends returns nil.
	AppendUnsynced(ctx context.Context, hits []Hit) error
	// SyncAppends makes every append committed before the call durable.
	// Once it has failed, it fails for good with ErrFlushFailed in the
	// error's chain.
	SyncAppends(ctx context.Context) error
	// SyncsApart reports whether this store's commits wait for
	// SyncAppends to be durable; where they do not (they are durable when
	// they return, or durability is not asked for), a writer acknowledges
	// after the commit and has nothing to pipeline.
	SyncsApart() bool
}

// ErrFlushFailed is in the chain of a store's error once the disk failed
// to flush what the store had committed apart (AppendSyncer): from then
// on, no append can be made durable by this process. The kernel may have
// dropped the pages it could not write, and a later flush that succeeds
// does not write them again; a log whose earlier part is lost loses the
// commits after it too. What reached the disk is recovered when the
// database opens again, so the process should stop and start again.
var ErrFlushFailed = errors.New("the disk failed to flush committed events; nothing more can be made durable until Foyer restarts")

// RollupAlongside is implemented by an EventService that may say its
// Rollup can run while Append does, from another goroutine, and gains by
// it (the store, on both dialects: on SQLite its steps hold the one write
// lock only for short transactions); where it returns false, roll-ups are
// best run between appends.
type RollupAlongside interface {
	RollupAlongside() bool
}

// Store is all of Foyer's storage.
type Store interface {
	WorkspaceService
	SiteService
	EventService
	UserService
	SessionService
	FeedService
	TokenService
	LinkService
	SetupService
	SavedFeedService
	IdentityService
	FollowUpService
	ContactService
	ContactFormService
	PersonaService
	CorrectionService
	RequestService
	AuditService
	RetentionService
	CampaignService
	DeliveryService
	AutomationService
	AlertService
	SegmentService
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
