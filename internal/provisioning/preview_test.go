package provisioning_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

// previewOf previews one object and fails the test on an error.
func (e *env) previewOf(t provisioning.ObjectType, id string) *provisioning.Preview {
	e.t.Helper()
	p, err := e.engine.Preview(context.Background(), t, id)
	if err != nil {
		e.t.Fatalf("Preview(%s, %s) error: %v", t, id, err)
	}
	return p
}

// summary is a preview as "ACTION METHOD PATH…" for comparing.
func summary(p *provisioning.Preview) string {
	parts := []string{string(p.Action.Kind)}
	for _, r := range p.Requests {
		parts = append(parts, r.Method+" "+r.Path)
	}
	return strings.Join(parts, " ")
}

func TestPreviewIsThePlanOfOneObject(t *testing.T) {
	e := newEnv(t)
	e.addUsers(2)
	e.dir.PutUser(user(3)) // not assigned

	tests := []struct {
		name, id string
		change   func()
		want     string // summary
		body     string // a fragment of the first request's JSON body
	}{
		{name: "new user", id: "u1", want: "create POST /Users", body: `"userName":"user1@example.com"`},
		{name: "not assigned", id: "u3", want: "skip"},
		{name: "not in the directory", id: "u9", want: "skip"},
		{name: "unchanged after a cycle", id: "u1", change: func() {
			e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Finance" })
			e.run()
		}, want: "skip"},
		{name: "department changed", id: "u1", change: func() {
			e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Sales" })
		}, want: "update PATCH /Users/", body: `{"op":"replace","path":"` + scim.EnterpriseUserSchema + `:department","value":"Sales"}`},
		{name: "unassigned", id: "u2", change: func() { e.dir.Unassign(appID, "u2") },
			want: "disable PATCH /Users/", body: `{"op":"replace","path":"active","value":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				tt.change()
			}
			e.count.reset()
			links, _ := e.links.Links(context.Background(), provisioning.TypeUser)
			logs, users := len(e.logs.Entries()), e.targetCount("Users")
			p := e.previewOf(provisioning.TypeUser, tt.id)
			if got := summary(p); !strings.HasPrefix(got, tt.want) || (tt.want == "skip") != (got == "skip") {
				t.Errorf("Preview(%s) = %q (%s), want %q", tt.id, got, p.Action.Reason, tt.want)
			}
			if p.Action.Kind == provisioning.ActionSkip && p.Action.Reason == "" {
				t.Errorf("Preview(%s) skip has no reason", tt.id)
			}
			if tt.body != "" {
				b, _ := json.Marshal(p.Requests[0].Body)
				if !strings.Contains(string(b), tt.body) {
					t.Errorf("Preview(%s) body = %s, want it to contain %s", tt.id, b, tt.body)
				}
			}
			for _, r := range e.count.reset() {
				if !strings.HasPrefix(r, "GET ") {
					t.Errorf("Preview(%s) sent %s, want reads only", tt.id, r)
				}
			}
			after, _ := e.links.Links(context.Background(), provisioning.TypeUser)
			if len(after) != len(links) || len(e.logs.Entries()) != logs || e.targetCount("Users") != users {
				t.Errorf("Preview(%s) wrote links, logs or target users", tt.id)
			}
		})
	}
}

func TestPreviewGroupWithLinkedMembers(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	e.run()
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops",
		Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	p := e.previewOf(provisioning.TypeGroup, "g1")
	if got := summary(p); got != "create POST /Groups" {
		t.Fatalf("Preview(g1) = %q, want create POST /Groups", got)
	}
	uid := e.targetUser("user1@example.com")["id"].(string)
	if b, _ := json.Marshal(p.Requests[0].Body); !strings.Contains(string(b), `"value":"`+uid+`"`) {
		t.Errorf("Preview(g1) body = %s, want member %s", b, uid)
	}
}

func TestObjectAsTheJobSeesIt(t *testing.T) {
	e := newEnv(t)
	e.addUsers(1)
	e.dir.PutUser(user(2))
	tests := []struct {
		id          string
		ok, deleted bool
	}{
		{"u1", true, false},
		{"u2", true, true}, // not assigned: IsSoftDeleted
		{"u9", false, false},
	}
	for _, tt := range tests {
		o, scope, ok, err := e.engine.Object(context.Background(), provisioning.TypeUser, tt.id)
		if err != nil || ok != tt.ok {
			t.Fatalf("Object(%s) = ok %v, %v, want ok %v", tt.id, ok, err, tt.ok)
		}
		if !ok {
			continue
		}
		if v, _ := o.Attr("IsSoftDeleted"); v != tt.deleted || scope == "" {
			t.Errorf("Object(%s) IsSoftDeleted = %v (%q), want %v", tt.id, v, scope, tt.deleted)
		}
	}
}

// failing is a ValueSource that fails.
type failing struct{}

func (failing) Value(*provisioning.Object) (any, bool, error) {
	return nil, false, errors.New(`CDate: "abc" is not a date`)
}

func TestPreviewOfAFailingMappingIsASkipWithTheError(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) {
		c.Users.Attributes = append(c.Users.Attributes, provisioning.AttributeMapping{Target: "nickName", Source: failing{}})
	})
	e.addUsers(1)
	p := e.previewOf(provisioning.TypeUser, "u1")
	if p.Action.Kind != provisioning.ActionSkip || len(p.Requests) != 0 || !strings.Contains(p.Action.Reason, `mapping failed: mapping "nickName": CDate`) {
		t.Errorf("Preview(u1) = %s %q, want a skip naming the failing mapping", p.Action.Kind, p.Action.Reason)
	}
}
