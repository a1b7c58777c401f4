package adminapi

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// Directory is what the API needs of the directory service
// (*dirsvc.Service implements it). Users are named by userPrincipalName
// or object id, groups by object id or displayName, apps by id or name.
type Directory interface {
	CreateUser(ctx context.Context, u directory.User) (directory.User, error)
	GetUser(ctx context.Context, ref string) (directory.User, error)
	ListUsers(ctx context.Context, q dirsvc.UserQuery) ([]directory.User, error)
	UpdateUser(ctx context.Context, ref string, set map[string]any) (directory.User, error)
	DisableUser(ctx context.Context, ref string) (directory.User, error)
	EnableUser(ctx context.Context, ref string) (directory.User, error)
	DeleteUser(ctx context.Context, ref string) (directory.User, error)
	RestoreUser(ctx context.Context, ref string) (directory.User, error)
	PurgeUser(ctx context.Context, ref string) error
	ImportUsers(ctx context.Context, r io.Reader, opts dirsvc.ImportOptions) (dirsvc.ImportResult, error)

	CreateGroup(ctx context.Context, g directory.Group) (directory.Group, error)
	GetGroup(ctx context.Context, ref string) (directory.Group, error)
	ListGroups(ctx context.Context, q dirsvc.GroupQuery) ([]directory.Group, error)
	DeleteGroup(ctx context.Context, ref string) (directory.Group, error)
	RestoreGroup(ctx context.Context, ref string) (directory.Group, error)
	PurgeGroup(ctx context.Context, ref string) error
	AddMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error)
	RemoveMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error)

	CreateApp(ctx context.Context, name string) (directory.App, error)
	GetApp(ctx context.Context, ref string) (directory.App, error)
	ListApps(ctx context.Context) ([]directory.App, error)
	DeleteApp(ctx context.Context, ref string) error
	SetSSOClient(ctx context.Context, appRef string, redirectURIs []string, public bool, postLogoutRedirectURIs ...string) (dirsvc.SSOClient, string, error)
	AssignUser(ctx context.Context, appRef, userRef, role string) (directory.Assignment, error)
	AssignGroup(ctx context.Context, appRef, groupRef, role string) (directory.Assignment, error)
	UnassignUser(ctx context.Context, appRef, userRef string) error
	UnassignGroup(ctx context.Context, appRef, groupRef string) error
	Assignments(ctx context.Context, appRef string) ([]directory.Assignment, error)
	PrincipalNames(ctx context.Context, as []directory.Assignment) (map[string]string, error)
}

// DefaultMaxImport bounds a CSV import body when Config.MaxImport is zero:
// about a million users with a dozen attributes.
const DefaultMaxImport = 256 << 20

func (a *API) directoryRoutes() []route {
	return []route{
		{"POST", "/api/v1/users", a.createUser},
		{"GET", "/api/v1/users", a.listUsers},
		{"POST", "/api/v1/imports/users", a.importUsers},
		{"GET", "/api/v1/users/{user}", a.getUser},
		{"PATCH", "/api/v1/users/{user}", a.updateUser},
		{"DELETE", "/api/v1/users/{user}", a.deleteUser},
		{"POST", "/api/v1/users/{user}/disable", a.userAction(Directory.DisableUser)},
		{"POST", "/api/v1/users/{user}/enable", a.userAction(Directory.EnableUser)},
		{"POST", "/api/v1/users/{user}/restore", a.userAction(Directory.RestoreUser)},
		{"POST", "/api/v1/groups", a.createGroup},
		{"GET", "/api/v1/groups", a.listGroups},
		{"GET", "/api/v1/groups/{group}", a.getGroup},
		{"DELETE", "/api/v1/groups/{group}", a.deleteGroup},
		{"POST", "/api/v1/groups/{group}/restore", a.restoreGroup},
		{"PATCH", "/api/v1/groups/{group}/members", a.changeMembers},
		{"POST", "/api/v1/apps", a.createApp},
		{"GET", "/api/v1/apps", a.listApps},
		{"GET", "/api/v1/apps/{app}", a.getApp},
		{"DELETE", "/api/v1/apps/{app}", a.deleteApp},
		{"POST", "/api/v1/apps/{app}/sso", a.setSSOClient},
		{"GET", "/api/v1/apps/{app}/assignments", a.listAssignments},
		{"POST", "/api/v1/apps/{app}/assignments", a.assign},
		{"DELETE", "/api/v1/apps/{app}/assignments/users/{user}", a.unassign("user", Directory.UnassignUser)},
		{"DELETE", "/api/v1/apps/{app}/assignments/groups/{group}", a.unassign("group", Directory.UnassignGroup)},
	}
}

// dir returns the directory service, or a 503 when this server has none.
func (a *API) dir() (Directory, error) {
	if a.cfg.Directory == nil {
		return nil, errUnavailable("the directory")
	}
	return a.cfg.Directory, nil
}

// pageParams reads the paging parameters of a directory list (users or
// groups): after, limit and deleted (see deletedParam).
func pageParams(q url.Values) (dirsvc.UserQuery, error) {
	l, err := intParam(q.Get("limit"), "limit", dirsvc.DefaultPageSize, 1, dirsvc.MaxPageSize)
	if err != nil {
		return dirsvc.UserQuery{}, err
	}
	deleted, err := deletedParam(q)
	return dirsvc.UserQuery{After: q.Get("after"), Limit: int(l), Deleted: deleted, Search: q.Get("search")}, err
}

// answer writes the wire form of v, a directory service's answer, with
// status; or returns the service's error.
func answer[T, W any](w http.ResponseWriter, status int, wire func(T) W, v T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, wire(v))
	return nil
}

// listPage serves one page of users or groups: list reads it by the
// paging parameters (see pageParams), page is its wire form.
func listPage[T, P any](a *API, w http.ResponseWriter, r *http.Request,
	list func(Directory, context.Context, dirsvc.UserQuery) ([]T, error), page func([]T, dirsvc.UserQuery) P) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	q, err := pageParams(r.URL.Query())
	if err != nil {
		return err
	}
	items, err := list(d, r.Context(), q)
	return answer(w, http.StatusOK, func(items []T) P { return page(items, q) }, items, err)
}

// nextKey is the "next" of one page of a directory list: the key of its
// last item to pass as after when the page is full, else "".
func nextKey[T any](items []T, limit int, key func(T) string) string {
	if len(items) == limit && limit > 0 {
		return key(items[len(items)-1])
	}
	return ""
}

// deletedParam reads the "deleted" query parameter of a list: false (the
// default) lists the objects not soft-deleted, true the recycle bin, any
// both.
func deletedParam(q url.Values) (dirsvc.Deleted, error) {
	switch q.Get("deleted") {
	case "", "false":
		return dirsvc.ActiveOnly, nil
	case "true":
		return dirsvc.DeletedOnly, nil
	case "any":
		return dirsvc.AnyDeleted, nil
	}
	return 0, badRequest("query parameter \"deleted\" must be true, false or any")
}

// softOrPermanent serves the DELETE of a user or group: soft, or with
// ?permanent=true purge answered 204.
func softOrPermanent(w http.ResponseWriter, r *http.Request, purge, soft func() error) error {
	switch r.URL.Query().Get("permanent") {
	case "true":
		if err := purge(); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "", "false":
		return soft()
	}
	return badRequest("query parameter \"permanent\" must be true or false")
}
