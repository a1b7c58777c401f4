// Package storetest is the conformance suite every [store.Store]
// implementation runs (DESIGN.md convention 1): tenants and tokens, the
// change feed, and the SCIM resource rules of RFC 7643 §3 (id, meta),
// RFC 7644 §3.4.2 (filter, sort, paging), §3.5.2 (PATCH as
// read-modify-write), §3.14 (versions), group membership (RFC 7643 §4.2)
// and tenant isolation.
//
// Call [Run] from a backend's tests with a function that opens a fresh,
// empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// Opener returns a fresh, empty store; it registers its cleanup with t.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite, each test on its own fresh store.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Tenants", testTenants},
		{"DeleteTenantRemovesData", testDeleteTenantRemovesData},
		{"Tokens", testTokens},
		{"AdminTokens", testAdminTokens},
		{"NoTenantInContext", testNoTenant},
		{"CreateGet", testCreateGet},
		{"Uniqueness", testUniqueness},
		{"Update", testUpdate},
		{"UpdateFailureWritesNothing", testUpdateFailureWritesNothing},
		{"Delete", testDelete},
		{"Members", testMembers},
		{"ConcurrentMembershipPatches", testConcurrentMembers},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentCreatesWithConflicts", testConcurrentCreatesWithConflicts},
		{"PanickingApply", testPanickingApply},
		{"ApplyOutsideLocks", testApplyOutsideLocks},
		{"UnchangedUpdate", testUnchangedUpdate},
		{"ListFilter", testListFilter},
		{"ListPagingAndSort", testListPagingAndSort},
		{"ListMembers", testListMembers},
		{"TenantIsolation", testTenantIsolation},
		{"Events", testEvents},
		{"EventsConsumerMissesNothing", testEventsConsumerMissesNothing},
		{"PruneEvents", testPruneEvents},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// env is a store plus a tenant bound context and the standard types.
type env struct {
	s      store.Store
	b      backend.Backend
	ctx    context.Context
	tenant store.Tenant
	users  *scim.ResourceType
	groups *scim.ResourceType
}

func newEnv(t *testing.T, s store.Store, name string) env {
	t.Helper()
	ten, err := s.CreateTenant(context.Background(), name, nil)
	if err != nil {
		t.Fatalf("CreateTenant(%q) = %v", name, err)
	}
	reg := scim.NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	groups, _ := reg.ResourceType("Group")
	return env{s: s, b: s.Backend(), ctx: store.WithTenant(context.Background(), ten.ID), tenant: ten, users: users, groups: groups}
}

func user(userName string, kv ...any) scim.Resource {
	doc := scim.Resource{"schemas": []any{scim.UserSchema}, "userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		doc[kv[i].(string)] = kv[i+1]
	}
	return doc
}

func group(displayName string, memberIDs ...string) scim.Resource {
	doc := scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": displayName}
	if len(memberIDs) > 0 {
		var ms []any
		for _, id := range memberIDs {
			ms = append(ms, map[string]any{"value": id})
		}
		doc["members"] = ms
	}
	return doc
}

func (e env) mustCreate(t *testing.T, rt *scim.ResourceType, doc scim.Resource) scim.Resource {
	t.Helper()
	res, err := e.b.Create(e.ctx, rt, doc)
	if err != nil {
		t.Fatalf("Create(%v) = %v", doc, err)
	}
	return res
}

func id(res scim.Resource) string { s, _ := res["id"].(string); return s }

func meta(res scim.Resource) map[string]any { m, _ := res["meta"].(map[string]any); return m }

func version(res scim.Resource) string { v, _ := meta(res)["version"].(string); return v }

// scimStatus returns the status of a *scim.Error, or 0.
func scimStatus(err error) (int, string) {
	var se *scim.Error
	if errors.As(err, &se) {
		return se.Status, se.ScimType
	}
	return 0, ""
}

func wantStatus(t *testing.T, what string, err error, status int, scimType string) {
	t.Helper()
	got, gotType := scimStatus(err)
	if got != status || gotType != scimType {
		t.Errorf("%s = %v, want *scim.Error %d %q", what, err, status, scimType)
	}
}

func mustParse(t *testing.T, s string) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s, filter.Options{})
	if err != nil {
		t.Fatalf("filter.Parse(%q) = %v", s, err)
	}
	return e
}

// memberIDs returns the member values of a group resource.
func memberIDs(res scim.Resource) map[string]string {
	out := map[string]string{}
	list, _ := res["members"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		v, _ := m["value"].(string)
		typ, _ := m["type"].(string)
		out[v] = typ
	}
	return out
}

func sameSet(got map[string]string, want ...string) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d members %v, want %d %v", len(got), got, len(want), want)
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			return fmt.Errorf("member %s missing from %v", w, got)
		}
	}
	return nil
}
