package provisioning

import (
	"context"

	"github.com/provisio-dev/provisio/internal/directory"
)

// Source is the directory as the engine reads it. Implementations must be
// safe for concurrent use.
type Source interface {
	// Head returns the sequence of the latest change in the change feed
	// (0 when empty).
	Head(ctx context.Context) (int64, error)
	// Changes returns up to limit changes with Seq > after, in Seq order.
	Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error)
	// PrunedThrough returns the highest Seq the feed no longer holds (0:
	// it holds all): a watermark below it has missed changes.
	PrunedThrough(ctx context.Context) (int64, error)
	// Users and Groups return the objects with the given ids that exist,
	// soft-deleted ones included; hard-deleted ids are absent.
	Users(ctx context.Context, ids []string) ([]*directory.User, error)
	Groups(ctx context.Context, ids []string) ([]*directory.Group, error)
	// GroupsNamed returns the existing groups, soft-deleted ones
	// included, whose displayName equals one of names, case-insensitively
	// (for the scoping filters' MEMBER_OF clauses, which may name a group).
	GroupsNamed(ctx context.Context, names []string) ([]*directory.Group, error)
	// AllUsers and AllGroups call fn for every existing object (for the
	// "sync all users and groups" scope).
	AllUsers(ctx context.Context, fn func(*directory.User) error) error
	AllGroups(ctx context.Context, fn func(*directory.Group) error) error
	// Assignments returns the assignments of the app.
	Assignments(ctx context.Context, appID string) ([]directory.Assignment, error)
}

// LinkStore keeps one job's links and its watermark. Implementations must
// be safe for concurrent use: apply writes links from several goroutines.
type LinkStore interface {
	// Links returns every link of the object type. Written may be left
	// out (nil): a cycle keeps every link in memory (LinkTable), and reads
	// Written with LinksOf only for the objects it evaluates.
	Links(ctx context.Context, t ObjectType) ([]Link, error)
	// LinksOf returns the links, Written included, of those sourceIDs that
	// have one, in no particular order.
	LinksOf(ctx context.Context, t ObjectType, sourceIDs []string) ([]Link, error)
	// WriteLinks inserts or replaces the links put (by Type and SourceID)
	// and removes del (removing a missing link is not an error), in one
	// write, durably by the time it returns. A cycle writes a chunk's
	// pending creates before sending any, a single pending create at once,
	// and every other change in batches (see LinkTable).
	WriteLinks(ctx context.Context, put []Link, del []LinkKey) error
	// Watermark returns the change-feed sequence the last completed cycle
	// read up to; ok is false before the first cycle and after a restart.
	Watermark(ctx context.Context) (seq int64, ok bool, err error)
	// SetWatermark records a completed cycle's sequence.
	SetWatermark(ctx context.Context, seq int64) error
	// ClearWatermark makes the next cycle an initial cycle (Entra's
	// "restart provisioning"); links are kept.
	ClearWatermark(ctx context.Context) error
}

// LogSink receives provisioning log entries. Implementations must be safe
// for concurrent use.
type LogSink interface {
	Append(ctx context.Context, entries ...LogEntry) error
}
