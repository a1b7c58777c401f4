package provisioning_test

import (
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim/server"
)

// The engine's requests are RFC 7644-valid: a strict target (no value-path
// upserts, unknown attributes rejected) accepts every create and PATCH.
func TestStrictRFCTargetAcceptsEveryRequest(t *testing.T) {
	e := newEnvWithPolicy(t, server.PolicyRFC)
	e.addUsers(3)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	steps := []struct {
		name   string
		change func()
		want   provisioning.Stats
	}{
		{"initial", func() {}, provisioning.Stats{Created: 4}},
		{"new multi-valued elements and a sub-attribute", func() {
			e.dir.UpdateUser("u1", func(u *directory.User) {
				u.Mobile, u.PostalCode, u.StreetAddress, u.Surname = "+45 1234", "8000", "Main St 1", "Lee"
			})
		}, provisioning.Stats{Updated: 1}},
		{"change inside an existing element", func() {
			e.dir.UpdateUser("u1", func(u *directory.User) { u.PostalCode, u.Mail = "9000", "new@example.com" })
		}, provisioning.Stats{Updated: 1}},
		{"remove a value", func() {
			e.dir.UpdateUser("u1", func(u *directory.User) { u.Mobile = "" })
		}, provisioning.Stats{Updated: 1}},
		{"members added and removed", func() {
			e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u2", Kind: directory.KindUser}}})
		}, provisioning.Stats{Updated: 1}},
		{"a role given", func() {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u2", PrincipalKind: directory.KindUser, AppRoleID: "Admin"})
		}, provisioning.Stats{Updated: 1}},
		{"a role changed", func() {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u2", PrincipalKind: directory.KindUser, AppRoleID: "User"})
		}, provisioning.Stats{Updated: 1}},
		{"a role given to user1", func() {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser, AppRoleID: "Admin"})
		}, provisioning.Stats{Updated: 1}},
		{"the role taken away", func() {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser})
		}, provisioning.Stats{Updated: 1}},
		{"disable", func() { e.dir.Unassign(appID, "u3") }, provisioning.Stats{Disabled: 1}},
	}
	for _, s := range steps {
		s.change()
		res := e.run()
		if got := res.Stats; got.Failed != 0 {
			for _, le := range e.logs.Entries() {
				if le.Status == provisioning.StatusFailure {
					t.Logf("failure: %s %s: %s", le.Action, le.SourceID, le.Reason)
				}
			}
		}
		if res.Stats.Failed != 0 || res.Stats.Created != s.want.Created || res.Stats.Updated != s.want.Updated || res.Stats.Disabled != s.want.Disabled {
			t.Errorf("%s: stats = %+v, want %+v", s.name, res.Stats, s.want)
		}
	}
	u := e.targetUser("user1@example.com")
	addrs, _ := u["addresses"].([]any)
	if len(addrs) != 1 || addrs[0].(map[string]any)["postalCode"] != "9000" || addrs[0].(map[string]any)["streetAddress"] != "Main St 1" {
		t.Errorf("addresses = %v, want one work address with 9000 and Main St 1", u["addresses"])
	}
	roles, _ := e.targetUser("user2@example.com")["roles"].([]any)
	if len(roles) != 1 || roles[0].(map[string]any)["value"] != "User" || roles[0].(map[string]any)["primary"] != true {
		t.Errorf("user2 roles = %v, want one primary role User", roles)
	}
	for _, r := range asList(u["roles"]) {
		if v := r.(map[string]any)["value"]; v != nil {
			t.Errorf("user1 role %v left after it was taken away", v)
		}
	}
	phones, _ := u["phoneNumbers"].([]any)
	for _, p := range phones {
		if v := p.(map[string]any)["value"]; v != nil {
			t.Errorf("phone number %v left after the mobile was removed", v)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
