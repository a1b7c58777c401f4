package store

import (
	"context"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
)

// Directory is the storage of the identity-side directory (internal/directory):
// users, groups with (nested) members, apps, assignments and the directory
// change feed. Implementations are safe for concurrent use.
//
// Every write appends its [directory.Change] records to the change feed in
// the same transaction as the write itself, so the feed never misses or
// invents a change:
//
//   - user and group create, update, soft delete, restore, hard delete:
//     one change of the object (OpCreate, OpUpdate, OpSoftDelete,
//     OpRestore, OpHardDelete);
//   - a membership change: OpUpdate of the group;
//   - assign / unassign: OpAssign / OpUnassign of the principal with AppID;
//   - a user's hard delete also removes its memberships (OpUpdate of each
//     group), its assignments (OpUnassign) and clears it as manager
//     (OpUpdate of each report).
//
// Seq is strictly increasing in commit order: a reader never sees seq N+1
// while N is still uncommitted, so "Changes after my watermark" never skips.
//
// Errors wrap [ErrNotFound] (no such object), [ErrExists] (objectId,
// userPrincipalName, group displayName or app name taken, case-insensitively)
// and [ErrInvalid] (an empty UPN, name or id, or a bad member kind).
//
// The read methods Head, Changes, Users, Groups, GroupsNamed, AllUsers,
// AllGroups and Assignments have exactly the signatures of the provisioning engine's
// Source interface, so a Directory is a provisioning source as it is.
type Directory interface {
	// CreateUser stores a new user. An empty ObjectID gets a random UUID;
	// DeletedAt must be nil. It returns the user as stored.
	CreateUser(ctx context.Context, u directory.User) (directory.User, error)
	// ImportUsers creates users in bulk, in one transaction with prepared
	// statements; it fills in empty ObjectIDs in users. A user that cannot be stored (ErrExists, ErrInvalid) is
	// skipped and its error returned at its index in errs (nil for stored
	// ones); err is set only when the whole batch failed, and then nothing
	// was written.
	ImportUsers(ctx context.Context, users []directory.User) (errs []error, err error)
	// GetUser returns a user by ObjectID, soft-deleted ones included.
	GetUser(ctx context.Context, objectID string) (directory.User, error)
	// GetUserByUPN returns a user by userPrincipalName (case-insensitive),
	// soft-deleted ones included.
	GetUserByUPN(ctx context.Context, upn string) (directory.User, error)
	// ListUsers returns a page of users in userPrincipalName order.
	ListUsers(ctx context.Context, q UserQuery) ([]directory.User, error)
	// UpdateUser reads the user, calls fn on it and stores the result, all in
	// one transaction; fn may change anything but ObjectID and DeletedAt. An
	// error from fn is returned unwrapped and nothing is written. Nothing is
	// written (and no change appended) if fn leaves the user as it was.
	UpdateUser(ctx context.Context, objectID string, fn func(*directory.User) error) (directory.User, error)
	// SoftDeleteUser moves a user to the recycle bin (DeletedAt = at);
	// RestoreUser takes it out. Each is a no-op without a change when the
	// user already is in that state.
	SoftDeleteUser(ctx context.Context, objectID string, at time.Time) (directory.User, error)
	RestoreUser(ctx context.Context, objectID string) (directory.User, error)
	// PurgeUser hard-deletes a user (soft-deleted or not), see above.
	PurgeUser(ctx context.Context, objectID string) error
	// PurgeDeletedUsers hard-deletes every user soft-deleted before cutoff
	// and returns their ObjectIDs.
	PurgeDeletedUsers(ctx context.Context, cutoff time.Time) ([]string, error)

	// CreateGroup stores a new group with its members (each must exist,
	// else ErrNotFound). An empty ObjectID gets a random UUID.
	CreateGroup(ctx context.Context, g directory.Group) (directory.Group, error)
	// GetGroup returns a group by ObjectID, with its direct members.
	GetGroup(ctx context.Context, objectID string) (directory.Group, error)
	// GetGroupByName returns a group by displayName (case-insensitive).
	GetGroupByName(ctx context.Context, displayName string) (directory.Group, error)
	// GroupID returns the ObjectID of the group named by ref, its ObjectID
	// or else its displayName (case-insensitive), without reading its
	// members (ErrNotFound: none).
	GroupID(ctx context.Context, ref string) (string, error)
	// ListGroups returns a page of groups, with members, in displayName order.
	ListGroups(ctx context.Context, q GroupQuery) ([]directory.Group, error)
	// UpdateGroup is UpdateUser for a group's own attributes; members are
	// changed with AddMembers and RemoveMembers only.
	UpdateGroup(ctx context.Context, objectID string, fn func(*directory.Group) error) (directory.Group, error)
	// AddMembers adds direct members (users or groups; each must exist, else
	// ErrNotFound; a group cannot contain itself, ErrInvalid) and returns how
	// many were not members yet. RemoveMembers removes them and returns how
	// many were. Either appends one OpUpdate of the group when it changed.
	AddMembers(ctx context.Context, groupID string, members []directory.Member) (int, error)
	RemoveMembers(ctx context.Context, groupID string, memberIDs []string) (int, error)
	// SoftDeleteGroup moves a group to the recycle bin (DeletedAt = at),
	// keeping its members and assignments; RestoreGroup takes it out. Each
	// is a no-op without a change when the group already is in that state.
	SoftDeleteGroup(ctx context.Context, objectID string, at time.Time) (directory.Group, error)
	RestoreGroup(ctx context.Context, objectID string) (directory.Group, error)
	// PurgeDeletedGroups hard-deletes every group soft-deleted before
	// cutoff and returns their ObjectIDs.
	PurgeDeletedGroups(ctx context.Context, cutoff time.Time) ([]string, error)
	// DeleteGroup hard-deletes a group: its memberships (in both directions)
	// and assignments go with it, each with its change.
	DeleteGroup(ctx context.Context, objectID string) error

	// CreateApp stores a new app (empty ID: a random UUID; the name must be
	// unique, case-insensitively). GetApp finds one by ID or else by name.
	CreateApp(ctx context.Context, a directory.App) (directory.App, error)
	GetApp(ctx context.Context, idOrName string) (directory.App, error)
	// ListApps returns every app in name order.
	ListApps(ctx context.Context) ([]directory.App, error)
	// DeleteApp removes an app and its assignments (OpUnassign each).
	DeleteApp(ctx context.Context, id string) error

	// Assign adds an assignment, or changes the app role of an existing
	// one: a principal has at most one assignment per app. The app and the
	// principal must exist (ErrNotFound). It reports whether anything
	// changed; an unchanged assignment appends no change.
	Assign(ctx context.Context, a directory.Assignment) (bool, error)
	// Unassign removes the assignment of a principal to an app; it reports
	// whether there was one.
	Unassign(ctx context.Context, appID, principalID string) (bool, error)
	// Assignments returns the app's assignments, in principal order.
	Assignments(ctx context.Context, appID string) ([]directory.Assignment, error)
	// PrincipalAssignments returns the assignments of a user or group.
	PrincipalAssignments(ctx context.Context, principalID string) ([]directory.Assignment, error)

	// Head returns the sequence of the latest change (0 when empty).
	Head(ctx context.Context) (int64, error)
	// Changes returns up to limit changes with Seq > after, in Seq order.
	Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error)
	// PruneChanges deletes the changes recorded before the given time,
	// except the latest change (so Head stays), and returns how many it
	// deleted.
	PruneChanges(ctx context.Context, before time.Time) (int64, error)
	// PrunedThrough returns the highest Seq PruneChanges ever deleted (0:
	// none): a reader whose position is below it has missed changes.
	PrunedThrough(ctx context.Context) (int64, error)
	// Users and Groups return the objects with the given ids that exist,
	// soft-deleted ones included, in no particular order.
	Users(ctx context.Context, ids []string) ([]*directory.User, error)
	Groups(ctx context.Context, ids []string) ([]*directory.Group, error)
	// GroupsNamed returns the groups whose displayName equals one of
	// names, case-insensitively, soft-deleted ones included, in no
	// particular order.
	GroupsNamed(ctx context.Context, names []string) ([]*directory.Group, error)
	// AllUsers and AllGroups call fn for every object, soft-deleted ones
	// included, streaming; an error from fn stops and is returned.
	AllUsers(ctx context.Context, fn func(*directory.User) error) error
	AllGroups(ctx context.Context, fn func(*directory.Group) error) error
}

// DirectoryStore is implemented by stores that also hold the directory
// (sqlstore.Store does): an optional capability, by type assertion.
type DirectoryStore interface {
	Directory() Directory
}

// Deleted selects users by soft-deletion state.
type Deleted int

// Deleted states for [UserQuery].
const (
	ActiveOnly  Deleted = iota // not soft-deleted (the default)
	DeletedOnly                // soft-deleted only (the recycle bin)
	AnyDeleted                 // both
)

// Page limits of ListUsers and ListGroups.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// UserQuery selects a page of users.
type UserQuery struct {
	// After is the userPrincipalName of the last user of the previous
	// page (case-insensitive); "" starts at the beginning.
	After string
	// Limit is the page size; <= 0 means DefaultPageSize, capped at
	// MaxPageSize.
	Limit   int
	Deleted Deleted
	// Search keeps only the users whose userPrincipalName starts with it,
	// case-insensitively ("" keeps all): a range of the upn_lower index.
	Search string
}

// GroupQuery selects a page of groups.
type GroupQuery struct {
	// After is the displayName of the last group of the previous page.
	After   string
	Limit   int
	Deleted Deleted
}
