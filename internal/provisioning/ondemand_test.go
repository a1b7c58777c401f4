package provisioning_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim/client"
)

// provisionOf provisions one object on demand and fails the test on an error.
func (e *env) provisionOf(t provisioning.ObjectType, id string) *provisioning.OnDemand {
	e.t.Helper()
	od, err := e.engine.Provision(context.Background(), t, id)
	if err != nil {
		e.t.Fatalf("Provision(%s, %s) error: %v", t, id, err)
	}
	return od
}

// stepLine is an entry's steps as "name:status" joined by spaces.
func stepLine(le provisioning.LogEntry) string {
	var parts []string
	for _, s := range le.Steps {
		parts = append(parts, s.Name+":"+string(s.Status))
	}
	return strings.Join(parts, " ")
}

// exchangeLine is the requests sent as "METHOD path status" joined by "; ",
// queries cut from paths.
func exchangeLine(p provisioning.Provisioned) string {
	var parts []string
	for _, x := range p.Exchanges {
		path, _, _ := strings.Cut(x.Path, "?")
		parts = append(parts, fmt.Sprintf("%s %s %d", x.Method, path, x.Status))
	}
	return strings.Join(parts, "; ")
}

func stepDetail(le provisioning.LogEntry, name string) string {
	for _, s := range le.Steps {
		if s.Name == name {
			return s.Detail
		}
	}
	return ""
}

func TestProvisionOnDemand(t *testing.T) {
	e := newEnv(t, userFilters(t, []string{"department NOT_EQUALS Legal"}))
	e.addUsers(2)
	e.dir.PutUser(user(3)) // not assigned
	e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Finance" })
	e.dir.UpdateUser("u2", func(u *directory.User) { u.Department = "Legal" })

	tests := []struct {
		name, id  string
		change    func()
		action    provisioning.ActionKind
		status    provisioning.Status
		steps     string
		exchanges string
		scope     string // a fragment of the scope step
	}{
		{name: "new user", id: "u1", action: provisioning.ActionCreate, status: provisioning.StatusSuccess,
			steps:     "import:success scope:success match:success action:success",
			exchanges: "GET /Users 200; POST /Users 201",
			scope:     "in scope; assigned directly; filter 1: department NOT EQUALS Legal: true; active in the directory: true"},
		{name: "unchanged", id: "u1", action: provisioning.ActionSkip, status: provisioning.StatusSkipped,
			steps: "import:success scope:success match:success action:skipped", scope: "in scope"},
		{name: "changed", id: "u1", change: func() {
			e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Sales" })
		}, action: provisioning.ActionUpdate, status: provisioning.StatusSuccess,
			steps: "import:success scope:success match:success action:success", exchanges: "PATCH /Users/* 200"},
		{name: "filtered out", id: "u2", action: provisioning.ActionSkip, status: provisioning.StatusSkipped,
			steps: "import:success scope:skipped action:skipped",
			scope: "out of scope: scoping filter: department NOT EQUALS Legal is false; assigned directly; filter 1: department NOT EQUALS Legal: false"},
		{name: "not assigned", id: "u3", action: provisioning.ActionSkip, status: provisioning.StatusSkipped,
			steps: "import:success scope:skipped action:skipped", scope: "not assigned to the application;"},
		{name: "unassigned after provisioning", id: "u1", change: func() { e.dir.Unassign(appID, "u1") },
			action: provisioning.ActionDisable, status: provisioning.StatusSuccess,
			steps: "import:success scope:skipped match:success action:success", exchanges: "PATCH /Users/* 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				tt.change()
			}
			logs := len(e.logs.Entries())
			od := e.provisionOf(provisioning.TypeUser, tt.id)
			if len(od.Objects) != 1 {
				t.Fatalf("Provision(%s) objects = %d, want 1", tt.id, len(od.Objects))
			}
			p := od.Objects[0]
			if p.Entry.Action != tt.action || p.Entry.Status != tt.status {
				t.Errorf("Provision(%s) = %s %s (%s), want %s %s", tt.id, p.Entry.Action, p.Entry.Status, p.Entry.Reason, tt.action, tt.status)
			}
			if got := stepLine(p.Entry); got != tt.steps {
				t.Errorf("Provision(%s) steps = %q, want %q", tt.id, got, tt.steps)
			}
			got := exchangeLine(p)
			if p.Entry.TargetID != "" {
				got = strings.ReplaceAll(got, p.Entry.TargetID, "*")
			}
			if got != tt.exchanges {
				t.Errorf("Provision(%s) sent %q, want %q", tt.id, got, tt.exchanges)
			}
			if d := stepDetail(p.Entry, provisioning.StepScope); !strings.HasPrefix(d, tt.scope) {
				t.Errorf("Provision(%s) scope step = %q, want it to start with %q", tt.id, d, tt.scope)
			}
			if st := od.Stats; st.Created+st.Updated+st.Disabled+st.Skipped+st.Unchanged != 1 {
				t.Errorf("Provision(%s) stats = %+v, want the one object counted once", tt.id, st)
			}
			entries := e.logs.Entries()
			if len(entries) != logs+1 || entries[len(entries)-1].CycleID != od.CycleID || entries[len(entries)-1].ChangeID != p.Entry.ChangeID {
				t.Errorf("Provision(%s) wrote %d log entries, want 1 with cycle %s", tt.id, len(entries)-logs, od.CycleID)
			}
		})
	}
	if u := e.targetUser("user1@example.com"); u == nil || u["active"] != false {
		t.Errorf("target user1 = %v, want provisioned and disabled", u)
	}
	if _, ok, _ := e.links.Watermark(context.Background()); ok {
		t.Errorf("Provision moved the watermark; want none before the first cycle")
	}
}

func TestProvisionOnDemandImportAndRequests(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	p := e.provisionOf(provisioning.TypeUser, "u1").Objects[0]
	attrs := map[string]string{}
	for _, a := range p.Attributes {
		attrs[a.Name] = a.Value
	}
	if attrs["userPrincipalName"] != "user1@example.com" || attrs["displayName"] != "User 1" {
		t.Errorf("Provision(u1) import = %v, want userPrincipalName and displayName with their values", attrs)
	}
	if len(p.Requests) != 1 || p.Requests[0].Method != "POST" || p.Requests[0].Path != "/Users" {
		t.Errorf("Provision(u1) requests = %+v, want POST /Users", p.Requests)
	}
	if len(p.Entry.Modified) == 0 || p.Entry.TargetID == "" {
		t.Errorf("Provision(u1) entry = %+v, want modified properties and a target id", p.Entry)
	}
	// The next cycle finds the object linked and in sync.
	if res := e.run(); res.Stats.Created != 0 || res.Stats.Updated != 0 {
		t.Errorf("cycle after Provision(u1) = %+v, want nothing created or updated", res.Stats)
	}
}

func TestProvisionOnDemandRetriesAFailedObjectNow(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	e.fault.set(func(r *http.Request, _ string) bool { return r.Method == http.MethodPost })
	if res := e.run(); res.Stats.Failed != 1 {
		t.Fatalf("cycle with failing creates = %+v, want 1 failed", res.Stats)
	}
	e.fault.set(nil)
	p := e.provisionOf(provisioning.TypeUser, "u1").Objects[0]
	if p.Entry.Action != provisioning.ActionCreate || p.Entry.Status != provisioning.StatusSuccess {
		t.Errorf("Provision(u1) before its retry is due = %s %s (%s), want create success", p.Entry.Action, p.Entry.Status, p.Entry.Reason)
	}
}

func TestProvisionOnDemandGroupWithMembers(t *testing.T) {
	e := newEnv(t)
	const n = provisioning.MaxOnDemandMembers + 2
	var members []directory.Member
	for i := 1; i <= n; i++ {
		e.dir.PutUser(user(i))
		members = append(members, directory.Member{ID: fmt.Sprintf("u%d", i), Kind: directory.KindUser})
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: members})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})

	od := e.provisionOf(provisioning.TypeGroup, "g1")
	if len(od.Objects) != provisioning.MaxOnDemandMembers+1 || od.MembersLeft != 2 {
		t.Fatalf("Provision(g1) = %d objects, %d members left, want %d and 2", len(od.Objects), od.MembersLeft, provisioning.MaxOnDemandMembers+1)
	}
	for _, p := range od.Objects[:provisioning.MaxOnDemandMembers] {
		if p.Entry.ObjectType != provisioning.TypeUser || p.Entry.Action != provisioning.ActionCreate {
			t.Errorf("Provision(g1) member %s = %s %s, want a user created", p.Entry.SourceID, p.Entry.ObjectType, p.Entry.Action)
		}
		if d := stepDetail(p.Entry, provisioning.StepScope); !strings.Contains(d, `assigned through group "Ops"`) {
			t.Errorf("Provision(g1) member %s scope = %q, want assigned through group \"Ops\"", p.Entry.SourceID, d)
		}
	}
	g := od.Objects[provisioning.MaxOnDemandMembers]
	if g.Entry.ObjectType != provisioning.TypeGroup || g.Entry.Action != provisioning.ActionCreate {
		t.Fatalf("Provision(g1) last = %s %s, want the group created", g.Entry.ObjectType, g.Entry.Action)
	}
	lr, err := e.target.List(context.Background(), "Groups", client.Query{Filter: client.Eq("displayName", "Ops")})
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target group Ops: %v, %v", lr, err)
	}
	if got := memberIDs(lr.Resources[0]); len(got) != provisioning.MaxOnDemandMembers {
		t.Errorf("target group Ops members = %v, want %d", got, provisioning.MaxOnDemandMembers)
	}
	if got := e.targetCount("Users"); got != provisioning.MaxOnDemandMembers {
		t.Errorf("target users = %d, want %d", got, provisioning.MaxOnDemandMembers)
	}
}

func TestProvisionOnDemandMatchesAnExistingAccount(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	res, err := e.target.Create(context.Background(), "Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "user1@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.provisionOf(provisioning.TypeUser, "u1").Objects[0]
	want := `matched on userName = "user1@example.com": target object ` + res["id"].(string)
	if got := stepDetail(p.Entry, provisioning.StepMatch); got != want {
		t.Errorf("Provision(u1) match step = %q, want %q", got, want)
	}
	if p.Entry.Action != provisioning.ActionUpdate || p.Entry.TargetID != res["id"] || e.targetCount("Users") != 1 {
		t.Errorf("Provision(u1) = %s of %s, %d target users; want an update of the existing account", p.Entry.Action, p.Entry.TargetID, e.targetCount("Users"))
	}
}
