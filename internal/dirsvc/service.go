// Package dirsvc is the directory service: the operations the admin API
// and the CLI perform on the identity-side directory (internal/directory),
// over a [store.Directory]. It owns validation, naming objects by
// userPrincipalName, objectId or group/app name, attribute updates by
// Entra source attribute name, soft delete with a retention (default 30
// days, as Entra's recycle bin), users' sign-in passwords and one-time
// invite links (passwords.go, issue 13), and Sync, the one entry point through
// which sources (internal/source: CSV import now) write users.
//
// It sits above the store, apart from the domain (internal/directory,
// below the store): it speaks the store's contract (store.Directory), and
// internal/store imports internal/directory for the domain types; one
// interface, no mirror copies.
//
// Errors are the service's own (svcerr): they wrap ErrNotFound, ErrExists
// or ErrInvalid, never the store's sentinels (the admin API answers them
// 404, 409 and 400); messages are fit for users.
package dirsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/source"
	"github.com/provisio-dev/provisio/internal/store"
)

// DefaultRetention is how long a soft-deleted user or group stays
// restorable.
const DefaultRetention = 30 * 24 * time.Hour

// DefaultFeedRetention is how long the directory's change feed keeps a
// change. A provisioning job that has not run for longer misses changes
// and runs an initial cycle instead of an incremental one.
const DefaultFeedRetention = 30 * 24 * time.Hour

// Options configure a Service; the zero value is usable.
type Options struct {
	// Retention of soft-deleted users before PurgeExpired hard-deletes
	// them; 0 means DefaultRetention.
	Retention time.Duration
	// FeedRetention of the change feed's records; 0 means
	// DefaultFeedRetention.
	FeedRetention time.Duration
	Now           func() time.Time // default time.Now
	Logger        *slog.Logger     // default: discard
	// Sources are the sources ImportUsers opens by name ("csv"); nil
	// means source.Builtin().
	Sources source.Registry
	// SSO keeps the applications' OIDC clients; nil disables SetSSOClient.
	SSO store.OIDCStore
}

// Service performs directory operations. It is safe for concurrent use.
type Service struct {
	st            store.Directory
	retention     time.Duration
	feedRetention time.Duration
	now           func() time.Time
	log           *slog.Logger
	sources       source.Registry
	sso           store.OIDCStore
}

// New returns a Service over st.
func New(st store.Directory, opts Options) *Service {
	s := &Service{st: st, retention: opts.Retention, feedRetention: opts.FeedRetention, now: opts.Now, log: opts.Logger, sources: opts.Sources, sso: opts.SSO}
	if s.retention <= 0 {
		s.retention = DefaultRetention
	}
	if s.feedRetention <= 0 {
		s.feedRetention = DefaultFeedRetention
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.sources == nil {
		s.sources = source.Builtin()
	}
	return s
}

// Store returns the underlying directory store (it is also the
// provisioning engine's Source).
func (s *Service) Store() store.Directory { return s.st }

// ---- users ----

// CreateUser creates a user. An empty ObjectID gets a new UUID; a given
// one must be a UUID. The userPrincipalName must be local@domain and
// unique (ErrExists); manager may be the manager's ObjectID or UPN.
// AccountEnabled is taken as given (see NewUser for the usual default).
func (s *Service) CreateUser(ctx context.Context, u directory.User) (directory.User, error) {
	if err := s.prepareNew(ctx, &u, nil); err != nil {
		return directory.User{}, fmt.Errorf("create user: %w", err)
	}
	out, err := s.st.CreateUser(ctx, u)
	if err != nil {
		return directory.User{}, fmt.Errorf("create user %q: %w", u.UserPrincipalName, own(err))
	}
	return out, nil
}

// NewUser builds an enabled user from attribute values by name (see
// SetAttr), applied in name order: the one way a new user is built, for
// the admin API and for every source (Sync). "objectId" is accepted here.
func NewUser(attrs map[string]any) (directory.User, error) {
	in := make([]source.Attr, 0, len(attrs))
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		in = append(in, source.Attr{Name: name, Value: attrs[name]})
	}
	return newUser(in)
}

// newUser is NewUser with the attributes applied in the order given.
func newUser(attrs []source.Attr) (directory.User, error) {
	u := directory.User{AccountEnabled: true}
	for _, a := range attrs {
		if err := setAttr(&u, a.Name, a.Value, true); err != nil {
			return directory.User{}, err
		}
	}
	return u, nil
}

// prepareNew validates a new user and fills in its ObjectID and manager.
// pending, if not nil, are the users of an import batch not yet written:
// u may not take their UPN or ObjectID, and may name one as its manager.
func (s *Service) prepareNew(ctx context.Context, u *directory.User, pending *pendingUsers) error {
	u.DeletedAt = nil
	if err := checkUser(u); err != nil {
		return err
	}
	if err := validUPN(u.UserPrincipalName); err != nil {
		return err
	}
	if pending.hasUPN(u.UserPrincipalName) {
		return fmt.Errorf("userPrincipalName %q appears earlier in the file: %w", u.UserPrincipalName, ErrExists)
	}
	switch {
	case u.ObjectID == "":
		u.ObjectID = newID()
	case uuid.Validate(u.ObjectID) != nil:
		return fmt.Errorf("objectId %q is not a UUID: %w", u.ObjectID, ErrInvalid)
	case pending.has(u.ObjectID):
		return fmt.Errorf("objectId %q appears earlier in the file: %w", u.ObjectID, ErrExists)
	}
	if id, ok := pending.lookup(u.Manager); ok {
		u.Manager = id
		return nil
	}
	return s.resolveManager(ctx, u)
}

// pendingUsers are the users of an import batch not yet written.
type pendingUsers struct {
	byUPN map[string]string // lower-case UPN -> ObjectID
	ids   map[string]bool
}

func (p *pendingUsers) add(u *directory.User) {
	p.byUPN[strings.ToLower(u.UserPrincipalName)] = u.ObjectID
	p.ids[u.ObjectID] = true
}

func (p *pendingUsers) has(id string) bool { return p != nil && p.ids[id] }

func (p *pendingUsers) hasUPN(upn string) bool {
	if p == nil {
		return false
	}
	_, ok := p.byUPN[strings.ToLower(upn)]
	return ok
}

// lookup finds a pending user by UPN or ObjectID and returns its ObjectID.
func (p *pendingUsers) lookup(ref string) (string, bool) {
	if p == nil || ref == "" {
		return "", false
	}
	if id, ok := p.byUPN[strings.ToLower(ref)]; ok {
		return id, true
	}
	return ref, p.ids[ref]
}

func (p *pendingUsers) clear() {
	clear(p.byUPN)
	clear(p.ids)
}

// resolveManager turns a manager given by UPN into its ObjectID and checks
// a manager given by ObjectID exists.
func (s *Service) resolveManager(ctx context.Context, u *directory.User) error {
	if u.Manager == "" {
		return nil
	}
	m, err := s.user(ctx, u.Manager)
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	if m.ObjectID == u.ObjectID {
		return fmt.Errorf("a user cannot be their own manager: %w", ErrInvalid)
	}
	u.Manager = m.ObjectID
	return nil
}

// user finds a user by UPN (a ref containing "@") or ObjectID.
func (s *Service) user(ctx context.Context, ref string) (directory.User, error) {
	if ref == "" {
		return directory.User{}, fmt.Errorf("empty user reference: %w", ErrInvalid)
	}
	if err := checkRef("user", ref); err != nil {
		return directory.User{}, err
	}
	get := s.st.GetUser
	if strings.Contains(ref, "@") {
		get = s.st.GetUserByUPN
	}
	u, err := get(ctx, ref)
	return u, own(err)
}

// GetUser returns a user named by userPrincipalName or ObjectID,
// soft-deleted ones included.
func (s *Service) GetUser(ctx context.Context, ref string) (directory.User, error) {
	return on(ctx, "user", ref, s.user, nil)
}

// ListUsers returns a page of users in userPrincipalName order; pass the
// last UPN of a page as q.After for the next one.
func (s *Service) ListUsers(ctx context.Context, q UserQuery) ([]directory.User, error) {
	if err := checkIdentifier("after", q.After); err != nil {
		return nil, err
	}
	if err := checkIdentifier("search", q.Search); err != nil {
		return nil, err
	}
	users, err := s.st.ListUsers(ctx, q)
	return users, own(err)
}

// UpdateUser sets attributes by name (see SetAttr; nil or "" clears one),
// e.g. {"surname": "Lee", "accountEnabled": false, "extension_costCenter": "42"}.
// A manager may be given by UPN or ObjectID. Setting values a user already
// has writes nothing and appends no change.
func (s *Service) UpdateUser(ctx context.Context, ref string, set map[string]any) (directory.User, error) {
	cur, err := s.user(ctx, ref)
	if err != nil {
		return directory.User{}, fmt.Errorf("update user %q: %w", ref, err)
	}
	// Validate and resolve outside the transaction.
	probe := cur
	probe.Extensions = maps.Clone(cur.Extensions)
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if err := SetAttr(&probe, name, set[name]); err != nil {
			return directory.User{}, fmt.Errorf("update user %q: %w", ref, err)
		}
	}
	if err := checkUser(&probe); err != nil {
		return directory.User{}, fmt.Errorf("update user %q: %w", ref, err)
	}
	if err := validUPN(probe.UserPrincipalName); err != nil {
		return directory.User{}, fmt.Errorf("update user %q: %w", ref, err)
	}
	if probe.Manager != cur.Manager {
		if err := s.resolveManager(ctx, &probe); err != nil {
			return directory.User{}, fmt.Errorf("update user %q: %w", ref, err)
		}
	}
	out, err := s.st.UpdateUser(ctx, cur.ObjectID, func(u *directory.User) error {
		for _, name := range slices.Sorted(maps.Keys(set)) {
			if strings.EqualFold(name, "manager") {
				u.Manager = probe.Manager
				continue
			}
			if err := SetAttr(u, name, set[name]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return directory.User{}, fmt.Errorf("update user %q: %w", ref, own(err))
	}
	return out, nil
}

// DisableUser sets accountEnabled=false; EnableUser sets it true.
func (s *Service) DisableUser(ctx context.Context, ref string) (directory.User, error) {
	return s.setEnabled(ctx, ref, false)
}

// EnableUser sets accountEnabled=true.
func (s *Service) EnableUser(ctx context.Context, ref string) (directory.User, error) {
	return s.setEnabled(ctx, ref, true)
}

func (s *Service) setEnabled(ctx context.Context, ref string, enabled bool) (directory.User, error) {
	return on(ctx, fmt.Sprintf("set accountEnabled=%t of user", enabled), ref, s.user, func(u directory.User) (directory.User, error) {
		return s.st.UpdateUser(ctx, u.ObjectID, func(u *directory.User) error {
			u.AccountEnabled = enabled
			return nil
		})
	})
}

// DeleteUser soft-deletes a user: restorable with RestoreUser until purged
// (by PurgeUser, or by PurgeExpired after the retention).
func (s *Service) DeleteUser(ctx context.Context, ref string) (directory.User, error) {
	return on(ctx, "delete user", ref, s.user, func(u directory.User) (directory.User, error) {
		return s.st.SoftDeleteUser(ctx, u.ObjectID, s.now())
	})
}

// RestoreUser takes a soft-deleted user out of the recycle bin.
func (s *Service) RestoreUser(ctx context.Context, ref string) (directory.User, error) {
	return on(ctx, "restore user", ref, s.user, func(u directory.User) (directory.User, error) {
		return s.st.RestoreUser(ctx, u.ObjectID)
	})
}

// PurgeUser hard-deletes a user, soft-deleted or not: it leaves its groups
// and assignments and is no longer anyone's manager.
func (s *Service) PurgeUser(ctx context.Context, ref string) error {
	_, err := on(ctx, "purge user", ref, s.user, func(u directory.User) (directory.User, error) {
		return u, s.st.PurgeUser(ctx, u.ObjectID)
	})
	return err
}

// PurgeExpired hard-deletes the users and groups soft-deleted longer than
// the retention ago and returns their ObjectIDs (users first).
func (s *Service) PurgeExpired(ctx context.Context) ([]string, error) {
	cutoff := s.now().Add(-s.retention)
	users, err := s.st.PurgeDeletedUsers(ctx, cutoff)
	if err != nil {
		return nil, fmt.Errorf("purge expired users: %w", own(err))
	}
	groups, err := s.st.PurgeDeletedGroups(ctx, cutoff)
	if err != nil {
		return users, fmt.Errorf("purge expired groups: %w", own(err))
	}
	if len(users)+len(groups) > 0 {
		s.log.Info("purged soft-deleted users and groups past retention", "users", len(users), "groups", len(groups), "retention", s.retention)
	}
	return append(users, groups...), nil
}

// PruneFeed deletes the change feed's records older than the feed
// retention (always keeping the latest) and returns how many it deleted.
func (s *Service) PruneFeed(ctx context.Context) (int64, error) {
	n, err := s.st.PruneChanges(ctx, s.now().Add(-s.feedRetention))
	if err != nil {
		return 0, own(err)
	}
	if n > 0 {
		s.log.Info("pruned directory changes past retention", "count", n, "retention", s.feedRetention)
	}
	return n, nil
}

// RunRetention calls PurgeExpired and PruneFeed every interval until ctx
// ends; failures are logged and retried at the next tick. It returns
// ctx's error.
func (s *Service) RunRetention(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("retention purge", "err", err)
		}
		if _, err := s.PruneFeed(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("retention: prune the change feed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ---- groups ----

// CreateGroup creates a group. The displayName must be unique
// (case-insensitively; ErrExists). An empty ObjectID gets a new UUID.
// Initial members may be given in g.Members by ObjectID and Kind.
func (s *Service) CreateGroup(ctx context.Context, g directory.Group) (directory.Group, error) {
	g.DisplayName = strings.TrimSpace(g.DisplayName)
	if g.DisplayName == "" {
		return directory.Group{}, fmt.Errorf("create group: empty displayName: %w", ErrInvalid)
	}
	g.DeletedAt = nil
	if err := checkGroup(&g); err != nil {
		return directory.Group{}, fmt.Errorf("create group: %w", err)
	}
	for _, m := range g.Members {
		if err := checkRef(string(m.Kind), m.ID); err != nil {
			return directory.Group{}, fmt.Errorf("create group: %w", err)
		}
	}
	if g.ObjectID == "" {
		g.ObjectID = newID()
	} else if _, err := uuid.Parse(g.ObjectID); err != nil {
		return directory.Group{}, fmt.Errorf("create group: objectId %q is not a UUID: %w", g.ObjectID, ErrInvalid)
	}
	out, err := s.st.CreateGroup(ctx, g)
	if err != nil {
		return directory.Group{}, fmt.Errorf("create group %q: %w", g.DisplayName, own(err))
	}
	return out, nil
}

// group finds a group by ObjectID, else by displayName.
func (s *Service) group(ctx context.Context, ref string) (directory.Group, error) {
	if ref == "" {
		return directory.Group{}, fmt.Errorf("empty group reference: %w", ErrInvalid)
	}
	if err := checkRef("group", ref); err != nil {
		return directory.Group{}, err
	}
	g, err := s.st.GetGroup(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		g, err = s.st.GetGroupByName(ctx, ref)
	}
	return g, own(err)
}

// groupID finds a group as group does, without reading its members: a
// membership change of a group of a million costs what its own members
// cost.
func (s *Service) groupID(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("empty group reference: %w", ErrInvalid)
	}
	if err := checkRef("group", ref); err != nil {
		return "", err
	}
	id, err := s.st.GroupID(ctx, ref)
	return id, own(err)
}

// GetGroup returns a group, with its direct members, named by ObjectID or
// displayName.
func (s *Service) GetGroup(ctx context.Context, ref string) (directory.Group, error) {
	return on(ctx, "group", ref, s.group, nil)
}

// ListGroups returns a page of groups with their members, in displayName
// order; pass the last displayName of a page as q.After for the next.
func (s *Service) ListGroups(ctx context.Context, q GroupQuery) ([]directory.Group, error) {
	if err := checkIdentifier("after", q.After); err != nil {
		return nil, err
	}
	groups, err := s.st.ListGroups(ctx, q)
	return groups, own(err)
}

// DeleteGroup soft-deletes a group named by ObjectID or displayName: it
// keeps its members and assignments and is out of every provisioning
// scope until RestoreGroup, or until PurgeExpired deletes it for good
// after the retention (its displayName stays taken meanwhile).
func (s *Service) DeleteGroup(ctx context.Context, ref string) (directory.Group, error) {
	return on(ctx, "delete group", ref, s.group, func(g directory.Group) (directory.Group, error) {
		return s.st.SoftDeleteGroup(ctx, g.ObjectID, s.now())
	})
}

// RestoreGroup takes a soft-deleted group out of the recycle bin.
func (s *Service) RestoreGroup(ctx context.Context, ref string) (directory.Group, error) {
	return on(ctx, "restore group", ref, s.group, func(g directory.Group) (directory.Group, error) {
		return s.st.RestoreGroup(ctx, g.ObjectID)
	})
}

// PurgeGroup deletes a group for good (soft-deleted or not): its
// memberships in both directions and its assignments go with it.
func (s *Service) PurgeGroup(ctx context.Context, ref string) error {
	_, err := on(ctx, "purge group", ref, s.group, func(g directory.Group) (directory.Group, error) {
		return g, s.st.DeleteGroup(ctx, g.ObjectID)
	})
	return err
}

// Member resolves a member reference: a user by userPrincipalName or
// ObjectID, else a group by ObjectID or displayName.
func (s *Service) Member(ctx context.Context, ref string) (directory.Member, error) {
	u, err := s.user(ctx, ref)
	if err == nil {
		return directory.Member{ID: u.ObjectID, Kind: directory.KindUser}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return directory.Member{}, err
	}
	id, err := s.groupID(ctx, ref)
	if err == nil {
		return directory.Member{ID: id, Kind: directory.KindGroup}, nil
	}
	if errors.Is(err, ErrNotFound) {
		return directory.Member{}, fmt.Errorf("no user or group %q: %w", ref, ErrNotFound)
	}
	return directory.Member{}, err
}

// AddMembers adds members (see Member for the references) to the group
// named by ObjectID or displayName and returns how many were new. Nothing
// is added if any reference does not resolve.
func (s *Service) AddMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error) {
	id, ms, err := s.resolveMembers(ctx, groupRef, memberRefs)
	if err != nil {
		return 0, fmt.Errorf("add members to group %q: %w", groupRef, err)
	}
	n, err := s.st.AddMembers(ctx, id, ms)
	if err != nil {
		return 0, fmt.Errorf("add members to group %q: %w", groupRef, own(err))
	}
	return n, nil
}

// RemoveMembers removes members from a group and returns how many were
// members.
func (s *Service) RemoveMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error) {
	id, ms, err := s.resolveMembers(ctx, groupRef, memberRefs)
	if err != nil {
		return 0, fmt.Errorf("remove members from group %q: %w", groupRef, err)
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	n, err := s.st.RemoveMembers(ctx, id, ids)
	if err != nil {
		return 0, fmt.Errorf("remove members from group %q: %w", groupRef, own(err))
	}
	return n, nil
}

func (s *Service) resolveMembers(ctx context.Context, groupRef string, refs []string) (string, []directory.Member, error) {
	id, err := s.groupID(ctx, groupRef)
	if err != nil {
		return "", nil, err
	}
	var ms []directory.Member
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		m, err := s.Member(ctx, ref)
		if err != nil {
			return "", nil, err
		}
		ms = append(ms, m)
	}
	return id, ms, nil
}

// ---- apps and assignments ----

// CreateApp creates an application with a unique name (ErrExists).
func (s *Service) CreateApp(ctx context.Context, name string) (directory.App, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return directory.App{}, fmt.Errorf("create app: empty name: %w", ErrInvalid)
	}
	if err := checkIdentifier("name", name); err != nil {
		return directory.App{}, fmt.Errorf("create app: %w", err)
	}
	a, err := s.st.CreateApp(ctx, directory.App{ID: newID(), Name: name})
	if err != nil {
		return directory.App{}, fmt.Errorf("create app %q: %w", name, own(err))
	}
	return a, nil
}

// app finds an app by ID or name.
func (s *Service) app(ctx context.Context, ref string) (directory.App, error) {
	if err := checkRef("app", ref); err != nil {
		return directory.App{}, err
	}
	a, err := s.st.GetApp(ctx, ref)
	return a, own(err)
}

// GetApp returns an app named by ID or name.
func (s *Service) GetApp(ctx context.Context, ref string) (directory.App, error) {
	a, err := s.app(ctx, ref)
	if err != nil {
		return directory.App{}, fmt.Errorf("app %q: %w", ref, err)
	}
	return a, nil
}

// ListApps returns every app in name order.
func (s *Service) ListApps(ctx context.Context) ([]directory.App, error) {
	apps, err := s.st.ListApps(ctx)
	return apps, own(err)
}

// DeleteApp deletes an app and its assignments.
func (s *Service) DeleteApp(ctx context.Context, ref string) error {
	a, err := s.app(ctx, ref)
	if err == nil {
		err = s.st.DeleteApp(ctx, a.ID)
	}
	if err != nil {
		return fmt.Errorf("delete app %q: %w", ref, own(err))
	}
	return nil
}

// AssignUser assigns a user (UPN or ObjectID) to an app (ID or name),
// with an optional app role; assigning again changes the role.
func (s *Service) AssignUser(ctx context.Context, appRef, userRef, role string) (directory.Assignment, error) {
	a, err := s.assignment(ctx, appRef, userRef, directory.KindUser, role)
	if err == nil {
		_, err = s.st.Assign(ctx, a)
	}
	if err != nil {
		return directory.Assignment{}, fmt.Errorf("assign user %q to app %q: %w", userRef, appRef, own(err))
	}
	return a, nil
}

// AssignGroup assigns a group (ObjectID or displayName) to an app: its
// members, transitively, are in the app's scope.
func (s *Service) AssignGroup(ctx context.Context, appRef, groupRef, role string) (directory.Assignment, error) {
	a, err := s.assignment(ctx, appRef, groupRef, directory.KindGroup, role)
	if err == nil {
		_, err = s.st.Assign(ctx, a)
	}
	if err != nil {
		return directory.Assignment{}, fmt.Errorf("assign group %q to app %q: %w", groupRef, appRef, own(err))
	}
	return a, nil
}

// UnassignUser removes a user's assignment to an app; ErrNotFound if it
// had none.
func (s *Service) UnassignUser(ctx context.Context, appRef, userRef string) error {
	return s.unassign(ctx, appRef, userRef, directory.KindUser)
}

// UnassignGroup removes a group's assignment to an app; ErrNotFound if it
// had none.
func (s *Service) UnassignGroup(ctx context.Context, appRef, groupRef string) error {
	return s.unassign(ctx, appRef, groupRef, directory.KindGroup)
}

func (s *Service) unassign(ctx context.Context, appRef, ref string, kind directory.Kind) error {
	a, err := s.assignment(ctx, appRef, ref, kind, "")
	var had bool
	if err == nil {
		had, err = s.st.Unassign(ctx, a.AppID, a.PrincipalID)
	}
	if err == nil && !had {
		err = fmt.Errorf("no assignment: %w", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("unassign %s %q from app %q: %w", kind, ref, appRef, own(err))
	}
	return nil
}

// assignment resolves an app and a principal of kind.
func (s *Service) assignment(ctx context.Context, appRef, ref string, kind directory.Kind, role string) (directory.Assignment, error) {
	app, err := s.app(ctx, appRef)
	if err != nil {
		return directory.Assignment{}, err
	}
	a := directory.Assignment{AppID: app.ID, PrincipalKind: kind, AppRoleID: strings.TrimSpace(role)}
	if err := checkIdentifier("appRoleId", a.AppRoleID); err != nil {
		return directory.Assignment{}, err
	}
	if kind == directory.KindUser {
		u, err := s.user(ctx, ref)
		if err != nil {
			return directory.Assignment{}, err
		}
		a.PrincipalID = u.ObjectID
		return a, nil
	}
	g, err := s.group(ctx, ref)
	if err != nil {
		return directory.Assignment{}, err
	}
	a.PrincipalID = g.ObjectID
	return a, nil
}

// Assignments returns the assignments of an app (ID or name).
func (s *Service) Assignments(ctx context.Context, appRef string) ([]directory.Assignment, error) {
	app, err := s.app(ctx, appRef)
	if err != nil {
		return nil, fmt.Errorf("assignments of app %q: %w", appRef, err)
	}
	as, err := s.st.Assignments(ctx, app.ID)
	return as, own(err)
}

// PrincipalNames returns the names of the users (userPrincipalName) and
// groups (displayName) by ObjectID that are the principals of as
// (assignments, or group members), read in two batches.
func (s *Service) PrincipalNames(ctx context.Context, as []directory.Assignment) (map[string]string, error) {
	var userIDs, groupIDs []string
	for _, x := range as {
		if x.PrincipalKind == directory.KindGroup {
			groupIDs = append(groupIDs, x.PrincipalID)
		} else {
			userIDs = append(userIDs, x.PrincipalID)
		}
	}
	names := make(map[string]string, len(as))
	if len(userIDs) > 0 {
		users, err := s.st.Users(ctx, userIDs)
		if err != nil {
			return nil, fmt.Errorf("read assigned users: %w", own(err))
		}
		for _, u := range users {
			names[u.ObjectID] = u.UserPrincipalName
		}
	}
	if len(groupIDs) > 0 {
		groups, err := s.st.Groups(ctx, groupIDs)
		if err != nil {
			return nil, fmt.Errorf("read assigned groups: %w", own(err))
		}
		for _, g := range groups {
			names[g.ObjectID] = g.DisplayName
		}
	}
	return names, nil
}

// Changes returns up to limit directory changes after seq (the change feed,
// for diagnostics and the admin API).
func (s *Service) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	changes, err := s.st.Changes(ctx, after, limit)
	return changes, own(err)
}

// on finds the object ref names and applies op to it (nil: returns it);
// users and groups alike. An error reads "<what> <ref>: ...".
func on[T any](ctx context.Context, what, ref string, find func(context.Context, string) (T, error), op func(T) (T, error)) (T, error) {
	v, err := find(ctx, ref)
	if err == nil && op != nil {
		v, err = op(v)
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s %q: %w", what, ref, own(err))
	}
	return v, nil
}

// newID returns a new ObjectID: a UUIDv7, time-ordered, so bulk inserts
// append to the primary-key index instead of splitting pages all over it.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
