package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// The Directory pages: users, groups and members, and the assignments of
// an application with roles. Every read and write is the admin API's
// (users, groups, apps/{app}/assignments, users/{user}/password, /invite,
// /admin); the pages only arrange them.
func init() {
	handle("GET", "directory", (*UI).users)
	handle("POST", "directory/users", (*UI).createUser)
	handle("GET", "directory/users/{user}", (*UI).user)
	handle("POST", "directory/users/{user}", (*UI).updateUser)
	handle("POST", "directory/users/{user}/{action}", (*UI).userAction)
	handle("GET", "directory/groups", (*UI).groups)
	handle("POST", "directory/groups", (*UI).createGroup)
	handle("GET", "directory/groups/{group}", (*UI).group)
	handle("POST", "directory/groups/{group}/members", (*UI).members)
	handle("POST", "directory/groups/{group}/{action}", (*UI).groupAction)
	handle("GET", "directory/apps/{app}/assignments", (*UI).assignments)
	handle("POST", "directory/apps/{app}/assignments", (*UI).assign)
	handle("POST", "directory/apps/{app}/unassign", (*UI).unassign)
	for k, v := range map[string]string{
		"user-created":  "User created.",
		"user-saved":    "Attributes saved.",
		"user-disable":  "User disabled: sign-in refused, provisioning disables it in the applications.",
		"user-enable":   "User enabled.",
		"user-delete":   "User deleted (soft): restore it from the recycle bin.",
		"user-restore":  "User restored.",
		"user-password": "Password set.",
		"user-admin":    "Administrator role granted.",
		"user-unadmin":  "Administrator role revoked.",
		"group-created": "Group created.",
		"group-delete":  "Group deleted (soft): restore it from the recycle bin.",
		"group-restore": "Group restored.",
		"members":       "Members changed.",
		"assigned":      "Assigned.",
		"unassigned":    "Assignment removed.",
	} {
		notices[k] = v
	}
}

// pageSize is the directory lists' page size.
const pageSize = 50

// listQuery reads the list pages' paging: after (the previous page's
// next) and deleted ("true": the recycle bin).
func listQuery(r *http.Request) apiclient.ListQuery {
	q := apiclient.ListQuery{After: r.URL.Query().Get("after"), Limit: pageSize}
	if r.URL.Query().Get("deleted") == "true" {
		q.Deleted = "true"
	}
	return q
}

// usersView is the users list: a page, the recycle bin or not, the next
// page's link, and the applications (for their assignments).
type usersView struct {
	Users   []apitypes.User
	Next    string
	Deleted bool
	Find    string
	Apps    []apitypes.App
}

// users lists one page of users; find opens the user it names exactly (a
// userPrincipalName or object id), else lists the users whose
// userPrincipalName starts with it (GET /api/v1/users?search=).
func (u *UI) users(req *request) error {
	q := listQuery(req.R)
	find := strings.TrimSpace(req.R.URL.Query().Get("find"))
	if find != "" && q.After == "" {
		usr, err := req.API.User(req.Ctx, find)
		if err == nil {
			return req.redirect("directory/users/" + url.PathEscape(usr.ObjectID))
		}
		if ae, ok := refused(err); !ok || ae.Status != http.StatusNotFound {
			if !ok {
				return err
			}
			return u.renderUsers(req, q, find, http.StatusOK, ae.Message)
		}
	}
	q.Search = find
	err := u.renderUsers(req, q, find, http.StatusOK, "")
	if ae, ok := refused(err); ok {
		q.Search = ""
		return u.renderUsers(req, q, find, ae.Status, ae.Message)
	}
	return err
}

func (u *UI) renderUsers(req *request, q apiclient.ListQuery, find string, status int, problem string) error {
	page, err := req.API.Users(req.Ctx, q)
	if err != nil {
		return err
	}
	apps, err := req.API.Apps(req.Ctx)
	if err != nil {
		return err
	}
	v := usersView{Users: page.Users, Next: page.Next, Deleted: q.Deleted == "true", Find: find, Apps: apps}
	u.render(req.W, req.S, status, "directory", view{Title: "Directory · Users", Nav: "directory", Data: v,
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

// userFields are the attributes the create and edit forms show.
var userFields = []struct{ Name, Label string }{
	{"displayName", "Display name"}, {"givenName", "Given name"}, {"surname", "Surname"}, {"mail", "Mail"},
	{"jobTitle", "Job title"}, {"department", "Department"}, {"employeeId", "Employee id"}, {"mobile", "Mobile"},
}

// createUser creates a user from the form (userPrincipalName and the
// non-empty attributes).
func (u *UI) createUser(req *request) error {
	attrs := apitypes.UserAttributes{"userPrincipalName": strings.TrimSpace(req.R.PostFormValue("userPrincipalName"))}
	for _, f := range userFields {
		if s := strings.TrimSpace(req.R.PostFormValue(f.Name)); s != "" {
			attrs[f.Name] = s
		}
	}
	usr, err := req.API.CreateUser(req.Ctx, attrs)
	if ae, ok := refused(err); ok {
		return u.renderUsers(req, listQuery(req.R), "", ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/users/" + url.PathEscape(usr.ObjectID) + "?done=user-created")
}

// userView is a user's page. Invite is the one-time link just created,
// shown on this answer only.
type userView struct {
	User   apitypes.User
	Fields []userField
	Invite *apitypes.Invite
	// IsAdmin is whether the user holds the administrator role.
	IsAdmin bool
}

type userField struct{ Name, Label, Value string }

func (u *UI) renderUser(req *request, status int, problem string, inv *apitypes.Invite) error {
	usr, err := req.API.User(req.Ctx, req.R.PathValue("user"))
	if err != nil {
		return err
	}
	v := userView{User: usr, Invite: inv, IsAdmin: usr.Admin != nil && *usr.Admin}
	vals := map[string]string{"displayName": usr.DisplayName, "givenName": usr.GivenName, "surname": usr.Surname,
		"mail": usr.Mail, "jobTitle": usr.JobTitle, "department": usr.Department, "employeeId": usr.EmployeeID, "mobile": usr.Mobile}
	for _, f := range userFields {
		v.Fields = append(v.Fields, userField{f.Name, f.Label, vals[f.Name]})
	}
	name := usr.DisplayName
	if name == "" {
		name = usr.UserPrincipalName
	}
	u.render(req.W, req.S, status, "user", view{Title: name + " · Directory", Nav: "directory", Data: v,
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) user(req *request) error { return u.renderUser(req, http.StatusOK, "", nil) }

// updateUser saves the edit form: every field shown is sent, "" clears.
func (u *UI) updateUser(req *request) error {
	attrs := apitypes.UserAttributes{}
	for _, f := range userFields {
		attrs[f.Name] = strings.TrimSpace(req.R.PostFormValue(f.Name))
	}
	return u.afterUser(req, "user-saved", func() error {
		_, err := req.API.UpdateUser(req.Ctx, req.R.PathValue("user"), attrs)
		return err
	})
}

// afterUser runs a change of the user: a refusal re-renders the page with
// the API's message, success redirects with the notice done.
func (u *UI) afterUser(req *request, done string, change func() error) error {
	err := change()
	if ae, ok := refused(err); ok {
		return u.renderUser(req, ae.Status, ae.Message, nil)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/users/" + url.PathEscape(req.R.PathValue("user")) + "?done=" + done)
}

// userAction: disable, enable, delete, restore, password (write-only:
// never rendered back), invite (the link shown once), admin (grant or
// revoke the administrator role).
func (u *UI) userAction(req *request) error {
	ref, action := req.R.PathValue("user"), req.R.PathValue("action")
	switch action {
	case "disable", "enable", "delete", "restore":
		return u.afterUser(req, "user-"+action, func() error {
			_, err := req.API.ChangeUser(req.Ctx, ref, apiclient.UserAction(action))
			return err
		})
	case "password":
		return u.afterUser(req, "user-password", func() error {
			return req.API.SetPassword(req.Ctx, ref, req.R.PostFormValue("password"))
		})
	case "admin":
		grant := req.R.PostFormValue("admin") == "true"
		done := "user-unadmin"
		if grant {
			done = "user-admin"
		}
		return u.afterUser(req, done, func() error {
			_, err := req.API.SetAdmin(req.Ctx, ref, grant)
			return err
		})
	case "invite":
		inv, err := req.API.Invite(req.Ctx, ref, strings.TrimSpace(req.R.PostFormValue("valid")))
		if ae, ok := refused(err); ok {
			return u.renderUser(req, ae.Status, ae.Message, nil)
		}
		if err != nil {
			return err
		}
		return u.renderUser(req, http.StatusOK, "", &inv)
	}
	http.NotFound(req.W, req.R)
	return nil
}

// groupsView is the groups list.
type groupsView struct {
	Groups  []apitypes.Group
	Next    string
	Deleted bool
}

func (u *UI) groups(req *request) error {
	return u.renderGroups(req, http.StatusOK, "")
}

func (u *UI) renderGroups(req *request, status int, problem string) error {
	q := listQuery(req.R)
	page, err := req.API.Groups(req.Ctx, q)
	if err != nil {
		return err
	}
	v := groupsView{Groups: page.Groups, Next: page.Next, Deleted: q.Deleted == "true"}
	u.render(req.W, req.S, status, "groups", view{Title: "Directory · Groups", Nav: "directory", Data: v,
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) createGroup(req *request) error {
	g, err := req.API.CreateGroup(req.Ctx, apitypes.CreateGroup{DisplayName: strings.TrimSpace(req.R.PostFormValue("displayName")),
		Description: strings.TrimSpace(req.R.PostFormValue("description"))})
	if ae, ok := refused(err); ok {
		return u.renderGroups(req, ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/groups/" + url.PathEscape(g.ObjectID) + "?done=group-created")
}

func (u *UI) renderGroup(req *request, status int, problem string) error {
	g, err := req.API.Group(req.Ctx, req.R.PathValue("group"))
	if err != nil {
		return err
	}
	u.render(req.W, req.S, status, "group", view{Title: g.DisplayName + " · Directory", Nav: "directory", Data: g,
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) group(req *request) error { return u.renderGroup(req, http.StatusOK, "") }

// members adds (add: a userPrincipalName, object id or group name) or
// removes (remove: a member's id) one member.
func (u *UI) members(req *request) error {
	var ch apitypes.MembersChange
	if s := strings.TrimSpace(req.R.PostFormValue("add")); s != "" {
		ch.Add = []string{s}
	}
	if s := strings.TrimSpace(req.R.PostFormValue("remove")); s != "" {
		ch.Remove = []string{s}
	}
	_, err := req.API.ChangeMembers(req.Ctx, req.R.PathValue("group"), ch)
	if ae, ok := refused(err); ok {
		return u.renderGroup(req, ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/groups/" + url.PathEscape(req.R.PathValue("group")) + "?done=members")
}

// groupAction deletes (soft) or restores a group.
func (u *UI) groupAction(req *request) error {
	ref := req.R.PathValue("group")
	var err error
	switch action := req.R.PathValue("action"); action {
	case "delete":
		_, err = req.API.DeleteGroup(req.Ctx, ref)
	case "restore":
		_, err = req.API.RestoreGroup(req.Ctx, ref)
	default:
		http.NotFound(req.W, req.R)
		return nil
	}
	if ae, ok := refused(err); ok {
		return u.renderGroup(req, ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/groups/" + url.PathEscape(ref) + "?done=group-" + req.R.PathValue("action"))
}

// assignmentsView is an application's assignments.
type assignmentsView struct {
	App         apitypes.App
	Assignments []apitypes.Assignment
}

func (u *UI) renderAssignments(req *request, status int, problem string) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	as, err := req.API.Assignments(req.Ctx, a.ID)
	if err != nil {
		return err
	}
	u.render(req.W, req.S, status, "assignments", view{Title: a.Name + " · Assignments", Nav: "directory",
		Data: assignmentsView{App: a, Assignments: as}, Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) assignments(req *request) error { return u.renderAssignments(req, http.StatusOK, "") }

// assign assigns a user or a group (kind) with an optional role.
func (u *UI) assign(req *request) error {
	f := func(k string) string { return strings.TrimSpace(req.R.PostFormValue(k)) }
	in := apitypes.Assign{Role: f("role")}
	if f("kind") == "group" {
		in.Group = f("principal")
	} else {
		in.User = f("principal")
	}
	_, err := req.API.Assign(req.Ctx, req.R.PathValue("app"), in)
	if ae, ok := refused(err); ok {
		return u.renderAssignments(req, ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/apps/" + url.PathEscape(req.R.PathValue("app")) + "/assignments?done=assigned")
}

// unassign removes the assignment of a principal (kind users or groups).
func (u *UI) unassign(req *request) error {
	kind := "users"
	if req.R.PostFormValue("kind") == "group" {
		kind = "groups"
	}
	err := req.API.Unassign(req.Ctx, req.R.PathValue("app"), kind, req.R.PostFormValue("principal"))
	if ae, ok := refused(err); ok {
		return u.renderAssignments(req, ae.Status, ae.Message)
	}
	if err != nil {
		return err
	}
	return req.redirect("directory/apps/" + url.PathEscape(req.R.PathValue("app")) + "/assignments?done=unassigned")
}
