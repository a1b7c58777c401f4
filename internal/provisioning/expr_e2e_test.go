package provisioning_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

// mapUser replaces the default user mapping of target (or adds one) by a.
func mapUser(a provisioning.AttributeMapping) func(*provisioning.Config) {
	return func(c *provisioning.Config) {
		attrs := slices.DeleteFunc(slices.Clone(c.Users.Attributes), func(b provisioning.AttributeMapping) bool {
			return strings.EqualFold(b.Target, a.Target) || strings.HasPrefix(b.Target, "roles") && strings.HasPrefix(a.Target, "roles")
		})
		c.Users.Attributes = append(attrs, a)
	}
}

func expression(t testing.TB, src string) provisioning.Expression {
	t.Helper()
	x, err := provisioning.ParseExpression(src)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// roleValues lists the value of each role of a target user, and whether
// each is complete as Entra sends it (primary a boolean, type set).
func roleValues(t *testing.T, u scim.Resource) []string {
	t.Helper()
	var out []string
	list, _ := u["roles"].([]any)
	for _, r := range list {
		el := r.(map[string]any)
		if _, isBool := el["primary"].(bool); !isBool || el["type"] != "WindowsAzureActiveDirectoryRole" {
			t.Errorf("role %v: want a boolean primary and type WindowsAzureActiveDirectoryRole", el)
		}
		out = append(out, el["value"].(string))
	}
	return out
}

// The default mapping sends the role given at assignment
// (SingleAppRoleAssignment → roles[primary eq "True"].value); a new role
// reaches the application in the next incremental cycle, for a user
// assigned directly and for the members (nested ones too) of an assigned
// group.
func TestAppRolesReachTheApplication(t *testing.T) {
	e := newEnv(t)
	e.dir.PutUser(user(1))
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser, AppRoleID: "Admin"})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1})
	if got := roleValues(t, e.targetUser("user1@example.com")); !slices.Equal(got, []string{"Admin"}) {
		t.Errorf("after create: roles = %v, want [Admin]", got)
	}

	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser, AppRoleID: "User"})
	res = e.run()
	if res.Kind != provisioning.CycleIncremental {
		t.Errorf("second cycle kind = %s, want incremental", res.Kind)
	}
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
	if reqs := e.count.reset(); len(reqs) != 1 || !strings.HasPrefix(reqs[0], "PATCH /Users/") {
		t.Errorf("reassignment cycle sent %v, want one PATCH", reqs)
	}
	if got := roleValues(t, e.targetUser("user1@example.com")); !slices.Equal(got, []string{"User"}) {
		t.Errorf("after reassignment: roles = %v, want [User]", got)
	}

	// A group with a role, one member directly and one through a nested group.
	e.dir.PutUser(user(2))
	e.dir.PutUser(user(3))
	e.dir.PutGroup(directory.Group{ObjectID: "g2", DisplayName: "Night shift", Members: []directory.Member{{ID: "u3", Kind: directory.KindUser}}})
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Support", Members: []directory.Member{
		{ID: "u2", Kind: directory.KindUser}, {ID: "g2", Kind: directory.KindGroup}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup, AppRoleID: "Reader"})
	e.run()
	for _, n := range []string{"user2@example.com", "user3@example.com"} {
		if got := roleValues(t, e.targetUser(n)); !slices.Equal(got, []string{"Reader"}) {
			t.Errorf("group member %s: roles = %v, want [Reader]", n, got)
		}
	}

	// The group's role changes: only the feed's assignment change names it.
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup, AppRoleID: "Writer"})
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 2})
	for _, n := range []string{"user2@example.com", "user3@example.com"} {
		if got := roleValues(t, e.targetUser(n)); !slices.Equal(got, []string{"Writer"}) {
			t.Errorf("after the group's new role, %s: roles = %v, want [Writer]", n, got)
		}
	}

	// A user in scope already (assigned without a role) joins the group:
	// only the group's change names it.
	e.dir.PutUser(user(4))
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u4", PrincipalKind: directory.KindUser})
	e.run()
	if got := roleValues(t, e.targetUser("user4@example.com")); got != nil {
		t.Errorf("assigned without a role: roles = %v, want none", got)
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g2", DisplayName: "Night shift", Members: []directory.Member{
		{ID: "u3", Kind: directory.KindUser}, {ID: "u4", Kind: directory.KindUser}}})
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1}) // user4 (the nested group itself is not assigned)
	if got := roleValues(t, e.targetUser("user4@example.com")); !slices.Equal(got, []string{"Writer"}) {
		t.Errorf("after joining the nested group: roles = %v, want [Writer]", got)
	}
}

// AppRoleAssignmentsComplex sends every role as Entra's POST does; a role
// taken away leaves the account (PATCH replace of roles, where Entra's
// AppRoleAssignmentsComplex only adds).
func TestComplexRolesReplaceTheAccountsRoles(t *testing.T) {
	e := newEnv(t, mapUser(provisioning.AttributeMapping{Target: "roles",
		Source: expression(t, "AppRoleAssignmentsComplex([appRoleAssignments])"), ClearWhenEmpty: true}))
	e.dir.PutUser(user(1))
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Support", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser, AppRoleID: "Admin"})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup, AppRoleID: "Reader"})
	e.run()
	if got := roleValues(t, e.targetUser("user1@example.com")); !slices.Equal(got, []string{"Admin", "Reader"}) {
		t.Errorf("after create: roles = %v, want [Admin Reader]", got)
	}
	e.dir.Unassign(appID, "g1")
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1, Deleted: 1})
	if got := roleValues(t, e.targetUser("user1@example.com")); !slices.Equal(got, []string{"Admin"}) {
		t.Errorf("after the group's unassignment: roles = %v, want [Admin]", got)
	}
}

// A null never nulls the target unless the mapping is clearWhenEmpty:
// Entra's Switch caution (another attribute changes, the Switch's source
// is absent, the Switch gives null) does not apply.
func TestNullClearsOnlyWithClearWhenEmpty(t *testing.T) {
	for _, clear := range []bool{false, true} {
		t.Run(map[bool]string{false: "kept", true: "cleared"}[clear], func(t *testing.T) {
			e := newEnv(t, mapUser(provisioning.AttributeMapping{Target: "title",
				Source: expression(t, `Switch([extension_app_unit], "", "S", "Sales", "M", "Marketing")`), ClearWhenEmpty: clear}))
			u := user(1)
			u.Extensions = map[string]string{"extension_app_unit": "S"}
			e.dir.PutUser(u)
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser})
			e.run()
			if got := e.targetUser("user1@example.com")["title"]; got != "Sales" {
				t.Fatalf("after create: title = %v, want Sales", got)
			}
			e.dir.UpdateUser("u1", func(u *directory.User) {
				u.Extensions, u.DisplayName = nil, "Renamed"
			})
			res := e.run()
			wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
			got := e.targetUser("user1@example.com")
			if got["displayName"] != "Renamed" {
				t.Errorf("displayName = %v, want Renamed", got["displayName"])
			}
			want := any("Sales")
			if clear {
				want = nil
			}
			if got["title"] != want {
				t.Errorf("title = %v, want %v", got["title"], want)
			}
			// The source comes back as it was: nothing to send when kept.
			e.dir.UpdateUser("u1", func(u *directory.User) { u.Extensions = map[string]string{"extension_app_unit": "S"} })
			res = e.run()
			if want := map[bool]int64{false: 0, true: 1}[clear]; res.Stats.Updated != want || res.Stats.Failed != 0 {
				t.Errorf("source back: stats = %+v, want %d updated", res.Stats, want)
			}
		})
	}
}

// SelectUniqueValue checks each candidate on the target with a filter
// query and takes the first free one; two users of one cycle never get the
// same value.
func TestSelectUniqueValueChecksTheTarget(t *testing.T) {
	unique := expression(t, `SelectUniqueValue(Join("@", ToLower([givenName]), "x"), Join("@", ToLower(Join(".", [givenName], [surname])), "x"), Join("@", [mailNickname], "x"))`)
	e := newEnv(t, func(c *provisioning.Config) {
		attrs := slices.DeleteFunc(slices.Clone(c.Users.Attributes), func(a provisioning.AttributeMapping) bool {
			return a.Target == "userName" || a.Target == "externalId"
		})
		c.Users.Attributes = append(attrs,
			provisioning.AttributeMapping{Target: "externalId", Source: provisioning.Direct{Attr: "objectId"}, Match: 1},
			provisioning.AttributeMapping{Target: "userName", Source: unique, Apply: provisioning.ApplyOnCreate})
	})
	if _, err := e.target.Create(context.Background(), "Users", scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "john@x"}); err != nil {
		t.Fatal(err)
	}
	for i, surname := range []string{"Smith", "Doe", "Smith"} {
		u := user(i + 1)
		u.GivenName, u.Surname = "John", surname
		e.dir.PutUser(u)
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser})
	}
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 3})
	for _, n := range []string{"john.smith@x", "john.doe@x"} {
		if e.targetUser(n) == nil {
			t.Errorf("no target user %s: the first free candidate was not used", n)
		}
	}
	// The two John Smiths: one gets john.smith@x, the other its third candidate.
	if (e.targetUser("user1@x") == nil) == (e.targetUser("user3@x") == nil) {
		t.Errorf("want exactly one of user1@x and user3@x for the second John Smith")
	}
}

// A Redact mapping shows "[Redact]" in the provisioning log, never its value.
func TestRedactKeepsTheValueOutOfTheLog(t *testing.T) {
	e := newEnv(t, mapUser(provisioning.AttributeMapping{Target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
		Source: expression(t, "Redact([employeeId])")}))
	u := user(1)
	u.EmployeeID = "S3CRET-1"
	e.dir.PutUser(u)
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser})
	e.run()
	e.dir.UpdateUser("u1", func(u *directory.User) { u.EmployeeID = "S3CRET-2" })
	e.run()
	got := e.targetUser("user1@example.com")[scim.EnterpriseUserSchema].(map[string]any)["employeeNumber"]
	if got != "S3CRET-2" {
		t.Errorf("target employeeNumber = %v, want S3CRET-2 (the value flows)", got)
	}
	redactedSeen := 0
	for _, le := range e.logs.Entries() {
		b, _ := json.Marshal(le)
		if strings.Contains(string(b), "S3CRET") {
			t.Errorf("log entry %s shows the redacted value", b)
		}
		for _, m := range le.Modified {
			if strings.HasSuffix(m.Name, "employeeNumber") && m.New == "[Redact]" {
				redactedSeen++
			}
		}
	}
	if redactedSeen != 2 {
		t.Errorf("%d log entries show employeeNumber as [Redact], want 2 (create and update)", redactedSeen)
	}
}
