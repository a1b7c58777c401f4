package provisioning_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

// An account that already exists on the target is matched on userName
// (case-insensitively), linked and updated, never created twice; by
// per-object queries and by one listing alike.
func TestMatchesExistingTargetAccounts(t *testing.T) {
	tests := []struct {
		name      string
		threshold int
	}{
		{"query per object", -1},
		{"one listing", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = tt.threshold })
			e.addUsers(3)
			_, err := e.target.Create(context.Background(), "Users", scim.Resource{
				"schemas": []any{scim.UserSchema}, "userName": "USER2@example.com", "displayName": "Old Name", "active": true})
			if err != nil {
				t.Fatal(err)
			}
			res := e.run()
			wantStats(t, res.Stats, provisioning.Stats{Created: 2, Updated: 1, Matched: 1})
			if n := e.targetCount("Users"); n != 3 {
				t.Errorf("target users = %d, want 3", n)
			}
			if u := e.targetUser("user2@example.com"); u["displayName"] != "User 2" {
				t.Errorf("matched user displayName = %v, want User 2", u["displayName"])
			}
			var match string
			for _, le := range e.logs.Entries() {
				if le.SourceID == "u2" {
					for _, s := range le.Steps {
						if s.Name == provisioning.StepMatch {
							match = s.Detail
						}
					}
				}
			}
			if !strings.Contains(match, "matched on userName") {
				t.Errorf("match step of u2 = %q, want a match on userName", match)
			}
		})
	}
}

func TestGroupDeprovisioning(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *env)
	}{
		{"unassigned", func(e *env) { e.dir.Unassign(appID, "g1") }},
		{"hard-deleted", func(e *env) { e.dir.HardDeleteGroup("g1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.addUsers(1)
			e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
			e.run()
			tt.change(e)
			res := e.run()
			wantStats(t, res.Stats, provisioning.Stats{Deleted: 1})
			if n := e.targetCount("Groups"); n != 0 {
				t.Errorf("target groups after the group was %s = %d, want 0", tt.name, n)
			}
			if n := e.targetCount("Users"); n != 1 {
				t.Errorf("target users = %d, want the directly assigned user kept", n)
			}
		})
	}
}

func TestScopeAllProvisionsEveryone(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.Scope = provisioning.ScopeAll })
	for i := 1; i <= 3; i++ {
		e.dir.PutUser(user(i))
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone"})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 4})
}

func TestCreateLogEntry(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	res := e.run()
	entries := e.logs.Entries()
	if len(entries) != 1 {
		t.Fatalf("log entries = %d, want 1", len(entries))
	}
	le := entries[0]
	if le.CycleID != res.CycleID || le.JobID != "job-1" || le.ChangeID == "" || le.Action != provisioning.ActionCreate ||
		le.Status != provisioning.StatusSuccess || le.SourceID != "u1" || le.SourceName != "user1@example.com" || le.TargetID == "" {
		t.Errorf("create log entry = %+v, want a successful create of u1 with ids", le)
	}
	var steps []string
	for _, s := range le.Steps {
		steps = append(steps, s.Name)
	}
	if got := strings.Join(steps, ","); got != "import,scope,match,action" {
		t.Errorf("steps = %s, want import,scope,match,action", got)
	}
	if len(le.Modified) == 0 || le.Modified[0] != (provisioning.ModifiedProperty{Name: "userName", New: "user1@example.com"}) {
		t.Errorf("modified = %+v, want userName first", le.Modified)
	}
}

// Two source users whose matching values differ only in case end up on one
// target account at most: the second is skipped with a warning, never
// linked to the first one's account.
func TestOneTargetObjectIsNeverLinkedTwice(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	a, b := user(1), user(2)
	a.UserPrincipalName, b.UserPrincipalName = "dup@example.com", "DUP@example.com"
	for _, u := range []directory.User{a, b} {
		e.dir.PutUser(u)
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser})
	}
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1, Failed: 1})
	e.advance(time.Hour)
	e.run()
	var warned []string
	for _, le := range e.logs.Entries() {
		if le.Status == provisioning.StatusWarning {
			warned = append(warned, le.SourceID)
		}
	}
	if len(warned) != 1 {
		t.Errorf("warnings for %v, want one for the second user", warned)
	}
	if n := e.targetCount("Users"); n != 1 {
		t.Errorf("target users = %d, want 1", n)
	}
}
