package apiclient

import (
	"context"
	"io"
	"net/url"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func userPath(ref string) string  { return "/api/v1/users/" + seg(ref) }
func groupPath(ref string) string { return "/api/v1/groups/" + seg(ref) }
func appPath(ref string) string   { return "/api/v1/apps/" + seg(ref) }

// ListQuery pages a directory list: After is the previous page's Next;
// Deleted is "" (not soft-deleted), "true" (the recycle bin) or "any".
type ListQuery struct {
	After   string
	Limit   int
	Deleted string
	// Search: users whose userPrincipalName starts with it (users only).
	Search string
}

func (q ListQuery) values() url.Values {
	v := url.Values{}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if q.Limit > 0 {
		v.Set("limit", itoa(q.Limit))
	}
	if q.Deleted != "" {
		v.Set("deleted", q.Deleted)
	}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	return v
}

// CreateUser creates a user from its attributes.
func (c *Client) CreateUser(ctx context.Context, attrs apitypes.UserAttributes) (apitypes.User, error) {
	var u apitypes.User
	return u, c.call(ctx, "POST", "/api/v1/users", nil, attrs, &u)
}

// User reads a user by userPrincipalName or object id.
func (c *Client) User(ctx context.Context, ref string) (apitypes.User, error) {
	var u apitypes.User
	return u, c.call(ctx, "GET", userPath(ref), nil, nil, &u)
}

// Users reads one page of users.
func (c *Client) Users(ctx context.Context, q ListQuery) (apitypes.UserPage, error) {
	var p apitypes.UserPage
	return p, c.call(ctx, "GET", "/api/v1/users", q.values(), nil, &p)
}

// UpdateUser changes the attributes named; "" or nil clears one.
func (c *Client) UpdateUser(ctx context.Context, ref string, attrs apitypes.UserAttributes) (apitypes.User, error) {
	var u apitypes.User
	return u, c.call(ctx, "PATCH", userPath(ref), nil, attrs, &u)
}

// UserAction is a state change of a user: disable, enable, delete (soft),
// restore. Each answers with the user.
type UserAction string

// User actions.
const (
	DisableUser UserAction = "disable"
	EnableUser  UserAction = "enable"
	DeleteUser  UserAction = "delete"
	RestoreUser UserAction = "restore"
)

// ChangeUser applies a state change to a user.
func (c *Client) ChangeUser(ctx context.Context, ref string, a UserAction) (apitypes.User, error) {
	var u apitypes.User
	if a == DeleteUser {
		return u, c.call(ctx, "DELETE", userPath(ref), nil, nil, &u)
	}
	return u, c.call(ctx, "POST", userPath(ref)+"/"+string(a), nil, nil, &u)
}

// PurgeUser deletes a user permanently, soft-deleted or not.
func (c *Client) PurgeUser(ctx context.Context, ref string) error {
	return c.call(ctx, "DELETE", userPath(ref), url.Values{"permanent": {"true"}}, nil, nil)
}

// ImportUsers streams a CSV file of users (RFC 4180) to the server; with
// update, rows naming existing users update them. It has no overall
// timeout: ctx ends it.
func (c *Client) ImportUsers(ctx context.Context, csv io.Reader, update bool) (apitypes.ImportResult, error) {
	var q url.Values
	if update {
		q = url.Values{"update": {"true"}}
	}
	var res apitypes.ImportResult
	return res, c.send(ctx, c.stream, "POST", "/api/v1/imports/users", q, "text/csv; charset=utf-8", csv, &res)
}

// CreateGroup creates a group.
func (c *Client) CreateGroup(ctx context.Context, req apitypes.CreateGroup) (apitypes.Group, error) {
	var g apitypes.Group
	return g, c.call(ctx, "POST", "/api/v1/groups", nil, req, &g)
}

// Group reads a group, by displayName or object id, with its members.
func (c *Client) Group(ctx context.Context, ref string) (apitypes.Group, error) {
	var g apitypes.Group
	return g, c.call(ctx, "GET", groupPath(ref), nil, nil, &g)
}

// Groups reads one page of groups.
func (c *Client) Groups(ctx context.Context, q ListQuery) (apitypes.GroupPage, error) {
	var p apitypes.GroupPage
	return p, c.call(ctx, "GET", "/api/v1/groups", q.values(), nil, &p)
}

// DeleteGroup soft-deletes a group.
func (c *Client) DeleteGroup(ctx context.Context, ref string) (apitypes.Group, error) {
	var g apitypes.Group
	return g, c.call(ctx, "DELETE", groupPath(ref), nil, nil, &g)
}

// RestoreGroup takes a group out of the recycle bin.
func (c *Client) RestoreGroup(ctx context.Context, ref string) (apitypes.Group, error) {
	var g apitypes.Group
	return g, c.call(ctx, "POST", groupPath(ref)+"/restore", nil, nil, &g)
}

// PurgeGroup deletes a group permanently, with its memberships and
// assignments.
func (c *Client) PurgeGroup(ctx context.Context, ref string) error {
	return c.call(ctx, "DELETE", groupPath(ref), url.Values{"permanent": {"true"}}, nil, nil)
}

// ChangeMembers adds and removes members of a group.
func (c *Client) ChangeMembers(ctx context.Context, ref string, req apitypes.MembersChange) (apitypes.MembersChanged, error) {
	var out apitypes.MembersChanged
	return out, c.call(ctx, "PATCH", groupPath(ref)+"/members", nil, req, &out)
}

// CreateApp creates an application.
func (c *Client) CreateApp(ctx context.Context, name string) (apitypes.App, error) {
	var a apitypes.App
	return a, c.call(ctx, "POST", "/api/v1/apps", nil, apitypes.CreateApp{Name: name}, &a)
}

// Apps lists the applications.
func (c *Client) Apps(ctx context.Context) ([]apitypes.App, error) {
	var out apitypes.AppList
	return out.Apps, c.call(ctx, "GET", "/api/v1/apps", nil, nil, &out)
}

// App reads an application by name or id.
func (c *Client) App(ctx context.Context, ref string) (apitypes.App, error) {
	var a apitypes.App
	return a, c.call(ctx, "GET", appPath(ref), nil, nil, &a)
}

// DeleteApp deletes an application with its assignments and job.
func (c *Client) DeleteApp(ctx context.Context, ref string) error {
	return c.call(ctx, "DELETE", appPath(ref), nil, nil, nil)
}

// Assignments lists who is assigned to an application.
func (c *Client) Assignments(ctx context.Context, app string) ([]apitypes.Assignment, error) {
	var out apitypes.AssignmentList
	return out.Assignments, c.call(ctx, "GET", appPath(app)+"/assignments", nil, nil, &out)
}

// Assign assigns a user or a group to an application.
func (c *Client) Assign(ctx context.Context, app string, req apitypes.Assign) (apitypes.Assignment, error) {
	var a apitypes.Assignment
	return a, c.call(ctx, "POST", appPath(app)+"/assignments", nil, req, &a)
}

// Unassign removes the assignment of a user (kind "users") or a group
// (kind "groups").
func (c *Client) Unassign(ctx context.Context, app, kind, ref string) error {
	return c.call(ctx, "DELETE", appPath(app)+"/assignments/"+kind+"/"+seg(ref), nil, nil, nil)
}

// SetSSOClient creates the application's OIDC client or rotates it; the
// secret in the answer is shown this once.
func (c *Client) SetSSOClient(ctx context.Context, app string, req apitypes.SetSSOClient) (apitypes.SSOClient, error) {
	var out apitypes.SSOClient
	return out, c.call(ctx, "POST", appPath(app)+"/sso", nil, req, &out)
}

// GetSSOClient returns the application's OIDC client, without its secret.
func (c *Client) GetSSOClient(ctx context.Context, app string) (apitypes.SSOClientInfo, error) {
	var out apitypes.SSOClientInfo
	return out, c.call(ctx, "GET", appPath(app)+"/sso", nil, nil, &out)
}

// UpdateSSOClient changes the application's OIDC client settings
// ("assignment required"), keeping its client id and secret.
func (c *Client) UpdateSSOClient(ctx context.Context, app string, req apitypes.UpdateSSOClient) (apitypes.SSOClientInfo, error) {
	var out apitypes.SSOClientInfo
	return out, c.call(ctx, "PATCH", appPath(app)+"/sso", nil, req, &out)
}

// DeleteSSOClient deletes the application's OIDC client.
func (c *Client) DeleteSSOClient(ctx context.Context, app string) error {
	return c.call(ctx, "DELETE", appPath(app)+"/sso", nil, nil, nil)
}

// SetAdmin grants (admin true) or revokes a user's administrator role and
// returns the user.
func (c *Client) SetAdmin(ctx context.Context, ref string, admin bool) (apitypes.User, error) {
	var u apitypes.User
	return u, c.call(ctx, "PUT", userPath(ref)+"/admin", nil, apitypes.SetAdmin{Admin: &admin}, &u)
}
