// Package storetest is the conformance suite every storage runs (DESIGN.md
// convention 1), split by what a backend implements: [Run] for a
// [store.Store] (tenants and tokens, the change feed, tenant isolation and
// the SCIM resource part), [RunBackend] for the SCIM resource part alone on
// any [backend.Backend] (RFC 7643 §3 id and meta, RFC 7644 §3.4.2 filter,
// sort and paging, §3.5.2 PATCH as read-modify-write, §3.14 versions,
// group membership of RFC 7643 §4.2); the reference backend
// scim/backend/memory runs it here. [RunDirectory] and [RunJobs] check the
// directory and job stores.
//
// Call them from a backend's tests with a function that opens a fresh,
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

// BackendOpener returns a fresh, empty SCIM backend as the function that
// opens its tenants; it registers its cleanup with t.
type BackendOpener func(t *testing.T) TenantOpener

// TenantOpener opens one more tenant of a backend under test: the backend
// and the context that binds the tenant. Tenants' resources are isolated
// from each other (a single-tenant backend returns a new instance for each).
type TenantOpener func(t *testing.T, name string) (backend.Backend, context.Context)

// Run runs the whole suite, each test on its own fresh store: the tests of
// the store itself (tenants, tokens, the change feed, tenant isolation)
// and those of [RunBackend] on the store's backend, which also check that
// every write records its change event.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Tenants", testTenants},
		{"TenantSSO", testTenantSSO},
		{"DeleteTenantRemovesData", testDeleteTenantRemovesData},
		{"Tokens", testTokens},
		{"AdminTokens", testAdminTokens},
		{"NoTenantInContext", testNoTenant},
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
	runBackend(t, func(t *testing.T) openTenant {
		s := open(t)
		return func(t *testing.T, name string) env { return newEnv(t, s, name) }
	})
}

// RunBackend runs the suite's SCIM resource part on a backend.Backend, each
// test on its own fresh backend: RFC 7643 §3 (id, meta), RFC 7644 §3.4.2
// (filter, sort, paging), §3.5.2 (PATCH as read-modify-write), §3.14
// (versions), group membership (RFC 7643 §4.2), concurrent writers.
func RunBackend(t *testing.T, open BackendOpener) {
	runBackend(t, func(t *testing.T) openTenant {
		tenant := open(t)
		return func(t *testing.T, name string) env {
			b, ctx := tenant(t, name)
			return standardTypes(env{b: b, ctx: ctx})
		}
	})
}

// openTenant opens one more tenant of the backend under test.
type openTenant func(t *testing.T, name string) env

func runBackend(t *testing.T, open func(t *testing.T) openTenant) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open openTenant)
	}{
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// env is one tenant of the backend under test, with its context and the
// standard resource types; s and tenant are set when it is a store's.
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
	return standardTypes(env{s: s, b: s.Backend(), ctx: store.WithTenant(context.Background(), ten.ID), tenant: ten})
}

// standardTypes sets e's resource types from a new standard registry.
func standardTypes(e env) env {
	reg := scim.NewStandardRegistry()
	e.users, _ = reg.ResourceType("User")
	e.groups, _ = reg.ResourceType("Group")
	return e
}

// eventsOf returns the tenant's change events; ok is false if the backend
// keeps no change feed (or reading it failed, which fails the test).
func (e env) eventsOf(t *testing.T) (evs []store.Event, ok bool) {
	t.Helper()
	if e.s == nil {
		return nil, false
	}
	evs, err := e.s.Events(context.Background(), e.tenant.ID, 0, 0)
	if err != nil {
		t.Errorf("Events = %v", err)
		return nil, false
	}
	return evs, true
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
