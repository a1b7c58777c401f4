package provisioning_test

import (
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

// A manager outside the scope is left out; once the manager is assigned,
// the next cycle creates the manager and then sets the reference.
func TestManagerSetOnceProvisioned(t *testing.T) {
	e := newEnv(t)
	e.dir.PutUser(user(1))
	worker := user(2)
	worker.Manager = "u1"
	e.dir.PutUser(worker)
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u2", PrincipalKind: directory.KindUser})
	e.run()
	if ext, _ := e.targetUser("user2@example.com")[scim.EnterpriseUserSchema].(map[string]any); ext["manager"] != nil {
		t.Errorf("manager = %v while the manager is out of scope, want none", ext["manager"])
	}
	if l, _ := e.links.Get(provisioning.TypeUser, "u2"); !l.Unresolved {
		t.Errorf("link of u2 = %+v, want Unresolved", l)
	}
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1, Updated: 1})
	bossID := e.targetUser("user1@example.com")["id"]
	ext, _ := e.targetUser("user2@example.com")[scim.EnterpriseUserSchema].(map[string]any)
	if m, _ := ext["manager"].(map[string]any); m["value"] != bossID {
		t.Errorf("manager = %v, want %v", ext["manager"], bossID)
	}
}

func TestTargetObjectActionsSwitchedOff(t *testing.T) {
	tests := []struct {
		name    string
		actions provisioning.Actions
		change  func(e *env)
		want    provisioning.Stats
	}{
		{"create off", provisioning.Actions{Update: true, Delete: true},
			func(e *env) { e.addUsers(3) }, provisioning.Stats{Skipped: 2}}, // u2 and u3; u1 is unchanged
		{"delete off", provisioning.Actions{Create: true, Update: true},
			func(e *env) { e.dir.HardDeleteUser("u1") }, provisioning.Stats{Skipped: 1}},
		{"update off", provisioning.Actions{Create: true, Delete: true},
			func(e *env) { e.dir.UpdateUser("u1", func(u *directory.User) { u.DisplayName = "New" }) }, provisioning.Stats{Skipped: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users := provisioning.DefaultUserMapping()
			users.Actions = tt.actions
			e := newEnv(t, func(c *provisioning.Config) { c.Users = users })
			if tt.actions.Create {
				e.addUsers(1)
				e.run()
			} else {
				e.dir.PutUser(user(1)) // the user exists on the target already
				e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u1", PrincipalKind: directory.KindUser})
				e.engine = mustEngine(t, e, provisioning.DefaultUserMapping())
				e.run()
				e.engine = mustEngine(t, e, users)
			}
			tt.change(e)
			res := e.run()
			wantStats(t, res.Stats, tt.want)
			for _, r := range e.count.reset() {
				if r[:3] != "GET" {
					t.Errorf("with %s the cycle sent %s", tt.name, r)
				}
			}
		})
	}
}

func mustEngine(t *testing.T, e *env, users provisioning.ObjectMapping) *provisioning.Engine {
	t.Helper()
	eng, err := provisioning.New(provisioning.Config{JobID: "job-1", AppID: appID, Users: users,
		Groups: provisioning.DefaultGroupMapping(), Source: e.dir, Links: e.links, Logs: e.logs, Target: e.client})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
