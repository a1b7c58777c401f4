package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store"
)

// Directory is what the API needs of the directory service
// (*dirsvc.Service implements it). Users are named by userPrincipalName
// or object id, groups by object id or displayName, apps by id or name.
type Directory interface {
	CreateUser(ctx context.Context, u directory.User) (directory.User, error)
	GetUser(ctx context.Context, ref string) (directory.User, error)
	ListUsers(ctx context.Context, q store.UserQuery) ([]directory.User, error)
	UpdateUser(ctx context.Context, ref string, set map[string]any) (directory.User, error)
	DisableUser(ctx context.Context, ref string) (directory.User, error)
	EnableUser(ctx context.Context, ref string) (directory.User, error)
	DeleteUser(ctx context.Context, ref string) (directory.User, error)
	RestoreUser(ctx context.Context, ref string) (directory.User, error)
	PurgeUser(ctx context.Context, ref string) error
	ImportUsers(ctx context.Context, r io.Reader, opts dirsvc.ImportOptions) (dirsvc.ImportResult, error)

	CreateGroup(ctx context.Context, g directory.Group) (directory.Group, error)
	GetGroup(ctx context.Context, ref string) (directory.Group, error)
	ListGroups(ctx context.Context, q store.GroupQuery) ([]directory.Group, error)
	DeleteGroup(ctx context.Context, ref string) (directory.Group, error)
	RestoreGroup(ctx context.Context, ref string) (directory.Group, error)
	PurgeGroup(ctx context.Context, ref string) error
	AddMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error)
	RemoveMembers(ctx context.Context, groupRef string, memberRefs []string) (int, error)

	CreateApp(ctx context.Context, name string) (directory.App, error)
	GetApp(ctx context.Context, ref string) (directory.App, error)
	ListApps(ctx context.Context) ([]directory.App, error)
	DeleteApp(ctx context.Context, ref string) error
	AssignUser(ctx context.Context, appRef, userRef, role string) (directory.Assignment, error)
	AssignGroup(ctx context.Context, appRef, groupRef, role string) (directory.Assignment, error)
	UnassignUser(ctx context.Context, appRef, userRef string) error
	UnassignGroup(ctx context.Context, appRef, groupRef string) error
	Assignments(ctx context.Context, appRef string) ([]directory.Assignment, error)

	// Store gives batch reads (Users, Groups by id) for naming the
	// principals of assignments.
	Store() store.Directory
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

// ---- users ----

// decodeAttrs reads a user attribute object: attribute names (Entra's,
// case-insensitive, or extension_<name>) to strings, accountEnabled also
// to a boolean, null or "" to clear; "extensions" may hold extension
// attributes as an object, as GET answers show them.
func decodeAttrs(w http.ResponseWriter, r *http.Request, max int64) (map[string]any, error) {
	var raw map[string]json.RawMessage
	if err := decodeBody(w, r, max, &raw, false); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, badRequest("request body must be a JSON object of user attributes")
	}
	attrs := make(map[string]any, len(raw))
	for name, v := range raw {
		if name == "extensions" {
			var ext map[string]*string
			if err := json.Unmarshal(v, &ext); err != nil {
				return nil, badRequest("field \"extensions\": want an object of strings")
			}
			for k, s := range ext {
				if !strings.HasPrefix(strings.ToLower(k), dirsvc.ExtensionPrefix) {
					k = dirsvc.ExtensionPrefix + k
				}
				attrs[k] = deref(s)
			}
			continue
		}
		s, err := attrValue(v)
		if err != nil {
			return nil, badRequest("field %q: %s", name, err)
		}
		attrs[name] = s
	}
	return attrs, nil
}

// attrValue turns one JSON attribute value into a string or a bool.
func attrValue(v json.RawMessage) (any, error) {
	v = bytes.TrimSpace(v)
	switch {
	case bytes.Equal(v, []byte("null")):
		return "", nil
	case bytes.Equal(v, []byte("true")), bytes.Equal(v, []byte("false")):
		return bytes.Equal(v, []byte("true")), nil
	case len(v) > 0 && v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", fmt.Errorf("want a string, a boolean or null")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	attrs, err := decodeAttrs(w, r, a.cfg.MaxBody)
	if err != nil {
		return err
	}
	u, err := dirsvc.NewUser(attrs)
	if err != nil {
		return public(err)
	}
	u, err = d.CreateUser(r.Context(), u)
	if err != nil {
		return public(err)
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ObjectID)
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	after, limit, deleted, err := pageParams(r.URL.Query())
	if err != nil {
		return err
	}
	users, err := d.ListUsers(r.Context(), store.UserQuery{After: after, Limit: limit, Deleted: deleted})
	if err != nil {
		return public(err)
	}
	writePage(w, "users", users, limit, func(u directory.User) string { return u.UserPrincipalName })
	return nil
}

// pageParams reads the paging parameters of a directory list: after,
// limit and deleted (see deletedParam).
func pageParams(q url.Values) (after string, limit int, deleted store.Deleted, err error) {
	l, err := intParam(q.Get("limit"), "limit", store.DefaultPageSize, 1, store.MaxPageSize)
	if err != nil {
		return "", 0, 0, err
	}
	deleted, err = deletedParam(q)
	return q.Get("after"), int(l), deleted, err
}

// writePage answers one page of a directory list as {key: items, "next"},
// next being the key to pass as after when the page is full.
func writePage[T any](w http.ResponseWriter, key string, items []T, limit int, next func(T) string) {
	out := map[string]any{key: nonNil(items)}
	if len(items) == limit {
		out["next"] = next(items[len(items)-1])
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	u, err := d.GetUser(r.Context(), r.PathValue("user"))
	if err != nil {
		return public(err)
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	attrs, err := decodeAttrs(w, r, a.cfg.MaxBody)
	if err != nil {
		return err
	}
	if len(attrs) == 0 {
		return badRequest("no attributes to change")
	}
	u, err := d.UpdateUser(r.Context(), r.PathValue("user"), attrs)
	if err != nil {
		return public(err)
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// deleteUser soft-deletes (answering the user with its deletedAt), or
// with ?permanent=true hard-deletes (204).
// deletedParam reads the "deleted" query parameter of a list: false (the
// default) lists the objects not soft-deleted, true the recycle bin, any
// both.
func deletedParam(q url.Values) (store.Deleted, error) {
	switch q.Get("deleted") {
	case "", "false":
		return store.ActiveOnly, nil
	case "true":
		return store.DeletedOnly, nil
	case "any":
		return store.AnyDeleted, nil
	}
	return 0, badRequest("query parameter \"deleted\" must be true, false or any")
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	ref := r.PathValue("user")
	return softOrPermanent(w, r, func() error { return d.PurgeUser(r.Context(), ref) }, func() error {
		u, err := d.DeleteUser(r.Context(), ref)
		if err != nil {
			return public(err)
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	})
}

// softOrPermanent serves the DELETE of a user or group: soft, or with
// ?permanent=true purge answered 204.
func softOrPermanent(w http.ResponseWriter, r *http.Request, purge, soft func() error) error {
	switch r.URL.Query().Get("permanent") {
	case "true":
		if err := purge(); err != nil {
			return public(err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "", "false":
		return soft()
	}
	return badRequest("query parameter \"permanent\" must be true or false")
}

// userAction serves disable, enable and restore: no body, the user back.
func (a *API) userAction(do func(Directory, context.Context, string) (directory.User, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := a.dir()
		if err != nil {
			return err
		}
		u, err := do(d, r.Context(), r.PathValue("user"))
		if err != nil {
			return public(err)
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	}
}

// importError is one rejected CSV row.
type importError struct {
	Line              int    `json:"line"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	Message           string `json:"message"`
}

// importJSON is the answer to a CSV import. Errors lists the first
// dirsvc.DefaultMaxImportErrors rejected rows; Failed counts them all.
type importJSON struct {
	Rows     int           `json:"rows"`
	Imported int           `json:"imported"`
	Updated  int           `json:"updated"`
	Failed   int           `json:"failed"`
	Errors   []importError `json:"errors"`
}

// importUsers creates users from a text/csv body, streamed: rows are
// written in batches as they arrive, so the client's upload progress is
// the import's progress. With ?update=true rows naming existing users
// update them.
func (a *API) importUsers(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "request body must be text/csv"}
	}
	var opts dirsvc.ImportOptions
	switch r.URL.Query().Get("update") {
	case "", "false":
	case "true":
		opts.Update = true
	default:
		return badRequest("query parameter \"update\" must be true or false")
	}
	body := http.MaxBytesReader(w, r.Body, a.cfg.MaxImport)
	res, err := d.ImportUsers(r.Context(), body, opts)
	if err != nil {
		return public(err)
	}
	out := importJSON{Rows: res.Imported + res.Updated + res.Failed, Imported: res.Imported, Updated: res.Updated,
		Failed: res.Failed, Errors: []importError{}}
	for _, re := range res.Errors {
		out.Errors = append(out.Errors, importError{Line: re.Line, UserPrincipalName: re.UPN, Message: re.Err.Error()})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ---- groups ----

type createGroupRequest struct {
	ObjectID     string `json:"objectId"`
	DisplayName  string `json:"displayName"`
	Description  string `json:"description"`
	Mail         string `json:"mail"`
	MailNickname string `json:"mailNickname"`
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req createGroupRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	g, err := d.CreateGroup(r.Context(), directory.Group{ObjectID: req.ObjectID, DisplayName: req.DisplayName,
		Description: req.Description, Mail: req.Mail, MailNickname: req.MailNickname})
	if err != nil {
		return public(err)
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ObjectID)
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	after, limit, deleted, err := pageParams(r.URL.Query())
	if err != nil {
		return err
	}
	groups, err := d.ListGroups(r.Context(), store.GroupQuery{After: after, Limit: limit, Deleted: deleted})
	if err != nil {
		return public(err)
	}
	writePage(w, "groups", groups, limit, func(g directory.Group) string { return g.DisplayName })
	return nil
}

// groupJSON is a group whose members carry their names
// (userPrincipalName or displayName).
type groupJSON struct {
	directory.Group
	Members []memberJSON `json:"members"`
}

type memberJSON struct {
	directory.Member
	Name string `json:"name,omitempty"`
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	g, err := d.GetGroup(r.Context(), r.PathValue("group"))
	if err != nil {
		return public(err)
	}
	return a.writeGroup(w, r, d, g)
}

// writeGroup answers with a group whose members carry their names.
func (a *API) writeGroup(w http.ResponseWriter, r *http.Request, d Directory, g directory.Group) error {
	as := make([]directory.Assignment, len(g.Members))
	for i, m := range g.Members {
		as[i] = directory.Assignment{PrincipalID: m.ID, PrincipalKind: m.Kind}
	}
	names, err := principalNames(r.Context(), d.Store(), as)
	if err != nil {
		return err
	}
	out := groupJSON{Group: g, Members: make([]memberJSON, len(g.Members))}
	for i, m := range g.Members {
		out.Members[i] = memberJSON{m, names[m.ID]}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deleteGroup soft-deletes a group, or with ?permanent=true purges it.
func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	ref := r.PathValue("group")
	return softOrPermanent(w, r, func() error { return d.PurgeGroup(r.Context(), ref) }, func() error {
		g, err := d.DeleteGroup(r.Context(), ref)
		if err != nil {
			return public(err)
		}
		return a.writeGroup(w, r, d, g)
	})
}

// restoreGroup takes a group out of the recycle bin.
func (a *API) restoreGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	g, err := d.RestoreGroup(r.Context(), r.PathValue("group"))
	if err != nil {
		return public(err)
	}
	return a.writeGroup(w, r, d, g)
}

// membersRequest adds and removes members: users by userPrincipalName or
// object id, groups by object id or displayName.
type membersRequest struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}

func (a *API) changeMembers(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req membersRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if len(req.Add) == 0 && len(req.Remove) == 0 {
		return badRequest("nothing to change: give \"add\" or \"remove\"")
	}
	group := r.PathValue("group")
	var out struct {
		Added   int `json:"added"`
		Removed int `json:"removed"`
	}
	if len(req.Add) > 0 {
		if out.Added, err = d.AddMembers(r.Context(), group, req.Add); err != nil {
			return public(err)
		}
	}
	if len(req.Remove) > 0 {
		if out.Removed, err = d.RemoveMembers(r.Context(), group, req.Remove); err != nil {
			return public(err)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ---- apps and assignments ----

type createAppRequest struct {
	Name string `json:"name"`
}

func (a *API) createApp(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req createAppRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	app, err := d.CreateApp(r.Context(), req.Name)
	if err != nil {
		return public(err)
	}
	w.Header().Set("Location", "/api/v1/apps/"+app.ID)
	writeJSON(w, http.StatusCreated, app)
	return nil
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	apps, err := d.ListApps(r.Context())
	if err != nil {
		return public(err)
	}
	writeJSON(w, http.StatusOK, struct {
		Apps []directory.App `json:"apps"`
	}{nonNil(apps)})
	return nil
}

// app resolves the {app} path value (id or name).
func (a *API) app(r *http.Request) (Directory, directory.App, error) {
	d, err := a.dir()
	if err != nil {
		return nil, directory.App{}, err
	}
	app, err := d.GetApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return nil, directory.App{}, public(err)
	}
	return d, app, nil
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request) error {
	_, app, err := a.app(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, app)
	return nil
}

// deleteApp deletes the app's provisioning job (if any), then the app
// with its assignments. Accounts in the application stay as they are.
func (a *API) deleteApp(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	if a.cfg.Jobs != nil {
		if err := a.cfg.Jobs.Delete(r.Context(), app.ID); err != nil && !isJobNotFound(err) {
			return public(err)
		}
	}
	if err := d.DeleteApp(r.Context(), app.ID); err != nil {
		return public(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// assignmentJSON is an assignment with its principal's name
// (userPrincipalName or displayName).
type assignmentJSON struct {
	directory.Assignment
	PrincipalName string `json:"principalName,omitempty"`
}

func (a *API) listAssignments(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	as, err := d.Assignments(r.Context(), app.ID)
	if err != nil {
		return public(err)
	}
	names, err := principalNames(r.Context(), d.Store(), as)
	if err != nil {
		return err
	}
	out := make([]assignmentJSON, 0, len(as))
	for _, x := range as {
		out = append(out, assignmentJSON{x, names[x.PrincipalID]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PrincipalName < out[j].PrincipalName })
	writeJSON(w, http.StatusOK, struct {
		Assignments []assignmentJSON `json:"assignments"`
	}{out})
	return nil
}

// principalNames reads the names of users and groups (the principals of
// assignments, or group members) in two batch reads.
func principalNames(ctx context.Context, st store.Directory, as []directory.Assignment) (map[string]string, error) {
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
		users, err := st.Users(ctx, userIDs)
		if err != nil {
			return nil, fmt.Errorf("read assigned users: %w", err)
		}
		for _, u := range users {
			names[u.ObjectID] = u.UserPrincipalName
		}
	}
	if len(groupIDs) > 0 {
		groups, err := st.Groups(ctx, groupIDs)
		if err != nil {
			return nil, fmt.Errorf("read assigned groups: %w", err)
		}
		for _, g := range groups {
			names[g.ObjectID] = g.DisplayName
		}
	}
	return names, nil
}

// assignRequest names exactly one of a user (userPrincipalName or object
// id) and a group (displayName or object id), with an optional app role.
type assignRequest struct {
	User  string `json:"user"`
	Group string `json:"group"`
	Role  string `json:"role"`
}

func (a *API) assign(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	var req assignRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	var as directory.Assignment
	switch {
	case (req.User == "") == (req.Group == ""):
		return badRequest("give exactly one of \"user\" and \"group\"")
	case req.User != "":
		as, err = d.AssignUser(r.Context(), app.ID, req.User, req.Role)
	default:
		as, err = d.AssignGroup(r.Context(), app.ID, req.Group, req.Role)
	}
	if err != nil {
		return public(err)
	}
	names, err := principalNames(r.Context(), d.Store(), []directory.Assignment{as})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, assignmentJSON{as, names[as.PrincipalID]})
	return nil
}

// unassign serves the removal of a user's or a group's assignment: param
// is the path value naming the principal, do removes it from the app.
func (a *API) unassign(param string, do func(Directory, context.Context, string, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, app, err := a.app(r)
		if err != nil {
			return err
		}
		if err := do(d, r.Context(), app.ID, r.PathValue(param)); err != nil {
			return public(err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
