package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

var (
	noMembers   = backend.GetOptions{}
	withMembers = backend.GetOptions{Members: true}
	// RFC 3339, UTC, milliseconds.
	timePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func listAll() backend.Query { return backend.Query{StartIndex: 1, Count: 1000} }

// replace is a Change setting one top-level attribute.
func replace(attr string, v any) backend.Change {
	return backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
		cur[attr] = v
		return cur, nil
	}}
}

func membersChange(c patch.MembersChange) backend.Change { return backend.Change{Members: &c} }

func testNoTenant(t *testing.T, s store.Store) {
	e := newEnv(t, s, "t")
	ctx := context.Background()
	b := s.Backend()
	calls := map[string]func() error{
		"Create": func() error { _, err := b.Create(ctx, e.users, user("x")); return err },
		"Get":    func() error { _, err := b.Get(ctx, e.users, "x", noMembers); return err },
		"Update": func() error { _, err := b.Update(ctx, e.users, "x", "", replace("a", 1), noMembers); return err },
		"Delete": func() error { return b.Delete(ctx, e.users, "x", "") },
		"List":   func() error { _, err := b.List(ctx, e.users, listAll()); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrNoTenant) {
			t.Errorf("%s without tenant = %v, want ErrNoTenant", name, err)
		}
	}
}

func testCreateGet(t *testing.T, open openTenant) {
	e := open(t, "t")
	in := user("Alice@Example.com", "externalId", "ext-1", "active", true,
		"name", map[string]any{"givenName": "Alice", "familyName": "Smith"},
		"id", "client-chosen", "meta", map[string]any{"resourceType": "Nonsense"})
	before := time.Now().Add(-time.Second)
	res := e.mustCreate(t, e.users, in)
	if _, err := uuid.Parse(id(res)); err != nil || id(res) == "client-chosen" {
		t.Errorf("Create id = %q, want a server-assigned UUID", id(res))
	}
	m := meta(res)
	if m["resourceType"] != "User" || m["version"] != `W/"1"` {
		t.Errorf("Create meta = %v, want resourceType User, version W/\"1\"", m)
	}
	for _, k := range []string{"created", "lastModified"} {
		v, _ := m[k].(string)
		ts, err := time.Parse(time.RFC3339, v)
		if !timePattern.MatchString(v) || err != nil || ts.Before(before) {
			t.Errorf("meta.%s = %q, want RFC 3339 UTC with milliseconds, now", k, v)
		}
	}
	if res["userName"] != "Alice@Example.com" || res["externalId"] != "ext-1" {
		t.Errorf("Create = %v, want userName and externalId as given", res)
	}

	got, err := e.b.Get(e.ctx, e.users, id(res), noMembers)
	if err != nil {
		t.Fatalf("Get = %v", err)
	}
	if !reflect.DeepEqual(got, res) {
		t.Errorf("Get = %v, want %v", got, res)
	}
	_, err = e.b.Get(e.ctx, e.users, uuid.NewString(), noMembers)
	wantStatus(t, "Get(unknown id)", err, 404, "")
	_, err = e.b.Get(e.ctx, e.groups, id(res), noMembers)
	wantStatus(t, "Get(user id as Group)", err, 404, "")
}

func testUniqueness(t *testing.T, open openTenant) {
	e := open(t, "t")
	other := open(t, "other")
	e.mustCreate(t, e.users, user("alice", "externalId", "shared"))
	e.mustCreate(t, e.groups, group("Admins"))
	other.mustCreate(t, other.users, user("bob"))

	tests := []struct {
		name     string
		rt       *scim.ResourceType
		doc      scim.Resource
		wantErr  bool
		inDetail string
	}{
		{"userName differs in case", e.users, user("ALICE"), true, `userName "ALICE"`},
		{"externalId is not unique", e.users, user("carol", "externalId", "shared"), false, ""},
		{"group displayName differs in case", e.groups, group("admins"), true, `displayName "admins"`},
		{"user displayName is not unique", e.users, user("dave", "displayName", "Admins"), false, ""},
		{"userName taken in another tenant only", e.users, user("bob"), false, ""},
	}
	for _, tc := range tests {
		_, err := e.b.Create(e.ctx, tc.rt, tc.doc)
		if !tc.wantErr {
			if err != nil {
				t.Errorf("%s: Create = %v, want success", tc.name, err)
			}
			continue
		}
		wantStatus(t, tc.name+": Create", err, 409, scim.ScimTypeUniqueness)
		if err != nil && !strings.Contains(err.Error(), tc.inDetail) {
			t.Errorf("%s: Create = %v, want detail naming %s", tc.name, err, tc.inDetail)
		}
	}
	// Update into a taken userName.
	carol, _ := e.b.List(e.ctx, e.users, backend.Query{Filter: mustParse(t, `userName eq "carol"`), StartIndex: 1, Count: 1})
	if len(carol.Resources) != 1 {
		t.Fatalf("carol not found")
	}
	_, err := e.b.Update(e.ctx, e.users, id(carol.Resources[0]), "", replace("userName", "Alice"), noMembers)
	wantStatus(t, "Update(userName to taken)", err, 409, scim.ScimTypeUniqueness)
}

func testUpdate(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice", "active", true))
	time.Sleep(2 * time.Millisecond)
	got, err := e.b.Update(e.ctx, e.users, id(u), version(u), backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
		if cur["id"] != id(u) || meta(cur)["version"] != `W/"1"` {
			return nil, fmt.Errorf("apply got %v, want the current resource with id and meta", cur)
		}
		cur["active"] = false
		cur["id"] = "hijack"
		return cur, nil
	}}, noMembers)
	if err != nil {
		t.Fatalf("Update = %v", err)
	}
	if got["active"] != false || id(got) != id(u) || version(got) != `W/"2"` {
		t.Errorf("Update = %v, want active false, same id, version W/\"2\"", got)
	}
	if meta(got)["created"] != meta(u)["created"] || meta(got)["lastModified"] == meta(u)["lastModified"] {
		t.Errorf("Update meta = %v, want created kept and lastModified advanced from %v", meta(got), meta(u))
	}
	if again, _ := e.b.Get(e.ctx, e.users, id(u), noMembers); !reflect.DeepEqual(again, got) {
		t.Errorf("Get after Update = %v, want %v", again, got)
	}

	ifMatch := []struct {
		name    string
		ifMatch string
		ok      bool
	}{
		{"stale version", `W/"1"`, false},
		{"current version", `W/"2"`, true},
		{"strong form", `"3"`, true},
		{"list with current", `W/"1", W/"4"`, true},
		{"any", "*", true},
		{"garbage", "nonsense", false},
	}
	for _, tc := range ifMatch {
		_, err := e.b.Update(e.ctx, e.users, id(u), tc.ifMatch, replace("title", tc.name), noMembers)
		if tc.ok && err != nil {
			t.Errorf("%s: Update(If-Match %s) = %v, want success", tc.name, tc.ifMatch, err)
		}
		if !tc.ok {
			wantStatus(t, tc.name+": Update(If-Match "+tc.ifMatch+")", err, 412, "")
		}
	}
	_, err = e.b.Update(e.ctx, e.users, uuid.NewString(), "", replace("title", "x"), noMembers)
	wantStatus(t, "Update(unknown id)", err, 404, "")
}

func testUpdateFailureWritesNothing(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice"))
	g := e.mustCreate(t, e.groups, group("g", id(u)))
	boom := errors.New("boom")
	_, err := e.b.Update(e.ctx, e.groups, id(g), "", backend.Change{
		Apply:   func(scim.Resource) (scim.Resource, error) { return nil, boom },
		Members: &patch.MembersChange{Reset: true},
	}, noMembers)
	if !errors.Is(err, boom) {
		t.Errorf("Update with failing Apply = %v, want %v", err, boom)
	}
	// A member that does not exist fails the whole update, doc included.
	_, err = e.b.Update(e.ctx, e.groups, id(g), "", backend.Change{
		Apply:   replace("displayName", "renamed").Apply,
		Members: &patch.MembersChange{Remove: []string{id(u)}, Add: []scim.Member{{Value: uuid.NewString()}}},
	}, noMembers)
	wantStatus(t, "Update adding unknown member", err, 400, scim.ScimTypeInvalidValue)

	got, err := e.b.Get(e.ctx, e.groups, id(g), withMembers)
	if err != nil || version(got) != `W/"1"` || got["displayName"] != "g" {
		t.Errorf("Get after failed updates = %v, %v, want version 1, displayName g", got, err)
	}
	if err := sameSet(memberIDs(got), id(u)); err != nil {
		t.Errorf("members after failed updates: %v", err)
	}
	if evs, ok := e.eventsOf(t); ok && len(evs) != 2 {
		t.Errorf("Events after failed updates = %d, want the 2 creates", len(evs))
	}
}

func testDelete(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice"))
	err := e.b.Delete(e.ctx, e.users, id(u), `W/"7"`)
	wantStatus(t, "Delete(stale If-Match)", err, 412, "")
	if err := e.b.Delete(e.ctx, e.users, id(u), version(u)); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	_, err = e.b.Get(e.ctx, e.users, id(u), noMembers)
	wantStatus(t, "Get after Delete", err, 404, "")
	err = e.b.Delete(e.ctx, e.users, id(u), "")
	wantStatus(t, "Delete twice", err, 404, "")
	// The userName is free again.
	e.mustCreate(t, e.users, user("alice"))
}

func testMembers(t *testing.T, open openTenant) {
	e := open(t, "t")
	a := e.mustCreate(t, e.users, user("a"))
	b := e.mustCreate(t, e.users, user("b"))
	c := e.mustCreate(t, e.users, user("c"))
	sub := e.mustCreate(t, e.groups, group("sub"))
	g := e.mustCreate(t, e.groups, group("g", id(a), id(sub), id(a)))
	if err := sameSet(memberIDs(g), id(a), id(sub)); err != nil {
		t.Errorf("Create group: %v", err)
	}
	if typ := memberIDs(g)[id(sub)]; typ != "Group" {
		t.Errorf("member type of a group = %q, want Group", typ)
	}
	if typ := memberIDs(g)[id(a)]; typ != "User" {
		t.Errorf("member type of a user = %q, want User", typ)
	}
	withDisplay := e.mustCreate(t, e.groups, scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": "shown",
		"members": []any{map[string]any{"value": id(a), "display": "Alice A.", "type": "Bogus"}}})
	got, err := e.b.Get(e.ctx, e.groups, id(withDisplay), withMembers)
	wantMembers := []any{map[string]any{"value": id(a), "display": "Alice A.", "type": "User"}}
	if err != nil || !reflect.DeepEqual(got["members"], wantMembers) || !reflect.DeepEqual(withDisplay["members"], wantMembers) {
		t.Errorf("group with member display: Create = %v, Get = %v, %v, want members %v", withDisplay["members"], got["members"], err, wantMembers)
	}
	if got, _ := e.b.Get(e.ctx, e.groups, id(g), noMembers); got["members"] != nil {
		t.Errorf("Get without Members = %v, want no members", got)
	}

	steps := []struct {
		name   string
		change patch.MembersChange
		want   []string
	}{
		{"add two, one already present", patch.MembersChange{Add: []scim.Member{{Value: id(a)}, {Value: id(b)}}}, []string{id(a), id(b), id(sub)}},
		{"remove one and an absent one", patch.MembersChange{Remove: []string{id(sub), id(c)}}, []string{id(a), id(b)}},
		{"reset and add", patch.MembersChange{Reset: true, Add: []scim.Member{{Value: id(c)}}}, []string{id(c)}},
		{"reset to empty", patch.MembersChange{Reset: true}, nil},
		{"add after empty", patch.MembersChange{Add: []scim.Member{{Value: id(a)}, {Value: id(b)}}}, []string{id(a), id(b)}},
	}
	prev := version(g)
	for _, st := range steps {
		got, err := e.b.Update(e.ctx, e.groups, id(g), "", membersChange(st.change), withMembers)
		if err != nil {
			t.Fatalf("%s: Update = %v", st.name, err)
		}
		if err := sameSet(memberIDs(got), st.want...); err != nil {
			t.Errorf("%s: %v", st.name, err)
		}
		if version(got) == prev {
			t.Errorf("%s: version stayed %s, want bumped by a membership change", st.name, prev)
		}
		prev = version(got)
	}

	_, err = e.b.Create(e.ctx, e.groups, group("bad", uuid.NewString()))
	wantStatus(t, "Create group with unknown member", err, 400, scim.ScimTypeInvalidValue)

	// Deleting a member removes it from its groups.
	if err := e.b.Delete(e.ctx, e.users, id(a), ""); err != nil {
		t.Fatalf("Delete member = %v", err)
	}
	got, _ = e.b.Get(e.ctx, e.groups, id(g), withMembers)
	if err := sameSet(memberIDs(got), id(b)); err != nil {
		t.Errorf("after deleting a member: %v", err)
	}
}

func testConcurrentMembers(t *testing.T, open openTenant) {
	e := open(t, "t")
	g := e.mustCreate(t, e.groups, group("g"))
	const n = 16
	ids := make([]string, n)
	for i := range ids {
		ids[i] = id(e.mustCreate(t, e.users, user(fmt.Sprintf("u%d", i))))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, uid := range ids {
		wg.Go(func() {
			_, err := e.b.Update(e.ctx, e.groups, id(g), "", membersChange(patch.MembersChange{Add: []scim.Member{{Value: uid}}}), noMembers)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Update = %v", err)
		}
	}
	got, err := e.b.Get(e.ctx, e.groups, id(g), withMembers)
	if err != nil {
		t.Fatalf("Get = %v", err)
	}
	if err := sameSet(memberIDs(got), ids...); err != nil {
		t.Errorf("after %d concurrent adds: %v", n, err)
	}
	if want := fmt.Sprintf(`W/"%d"`, n+1); version(got) != want {
		t.Errorf("version after %d concurrent adds = %s, want %s", n, version(got), want)
	}
}

func testConcurrentUpdates(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice", "emails", []any{}))
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := e.b.Update(e.ctx, e.users, id(u), "", backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
				list, _ := cur["emails"].([]any)
				cur["emails"] = append(list, map[string]any{"value": fmt.Sprintf("a%d@example.com", i)})
				return cur, nil
			}}, noMembers)
			if err != nil {
				t.Errorf("concurrent Update = %v", err)
			}
		})
	}
	wg.Wait()
	got, _ := e.b.Get(e.ctx, e.users, id(u), noMembers)
	if list, _ := got["emails"].([]any); len(list) != n {
		t.Errorf("emails after %d concurrent read-modify-writes = %d, want %d (no lost update)", n, len(list), n)
	}
}

func testTenantIsolation(t *testing.T, s store.Store) {
	a := newEnv(t, s, "a")
	b := newEnv(t, s, "b")
	ua := a.mustCreate(t, a.users, user("alice", "externalId", "e1"))
	ga := a.mustCreate(t, a.groups, group("admins", id(ua)))
	b.mustCreate(t, b.users, user("bob", "externalId", "e1"))

	_, err := b.b.Get(b.ctx, b.users, id(ua), noMembers)
	wantStatus(t, "Get of other tenant's user", err, 404, "")
	_, err = b.b.Update(b.ctx, b.users, id(ua), "", replace("title", "x"), noMembers)
	wantStatus(t, "Update of other tenant's user", err, 404, "")
	err = b.b.Delete(b.ctx, b.users, id(ua), "")
	wantStatus(t, "Delete of other tenant's user", err, 404, "")
	_, err = b.b.Create(b.ctx, b.groups, group("g", id(ua)))
	wantStatus(t, "Create group with other tenant's member", err, 400, scim.ScimTypeInvalidValue)
	if err != nil && strings.Contains(err.Error(), "alice") {
		t.Errorf("error %v reveals the other tenant's data", err)
	}
	_, err = b.b.Update(b.ctx, b.groups, id(ga), "", membersChange(patch.MembersChange{Reset: true}), noMembers)
	wantStatus(t, "Update of other tenant's group", err, 404, "")

	for _, f := range []string{`externalId eq "e1"`, `userName eq "alice"`, `id eq "` + id(ua) + `"`, `userName sw "a"`} {
		page, err := b.b.List(b.ctx, b.users, backend.Query{Filter: mustParse(t, f), StartIndex: 1, Count: 10})
		if err != nil {
			t.Errorf("List(%s) = %v", f, err)
			continue
		}
		for _, r := range page.Resources {
			if id(r) == id(ua) {
				t.Errorf("List(%s) in tenant b returned tenant a's user", f)
			}
		}
	}
	if got, _ := a.b.Get(a.ctx, a.users, id(ua), noMembers); got["title"] != nil {
		t.Errorf("tenant a's user = %v, want untouched", got)
	}
	got, _ := a.b.Get(a.ctx, a.groups, id(ga), withMembers)
	if err := sameSet(memberIDs(got), id(ua)); err != nil {
		t.Errorf("tenant a's group: %v", err)
	}
}

// testConcurrentCreatesWithConflicts: writers racing for the same userNames
// get exactly one winner per name and a 409 for every other attempt, and a
// failed create never takes a concurrent one down with it.
func testConcurrentCreatesWithConflicts(t *testing.T, open openTenant) {
	e := open(t, "t")
	const names, attempts = 8, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[string]int{}
	for i := range names * attempts {
		wg.Go(func() {
			name := fmt.Sprintf("user%d", i%names)
			_, err := e.b.Create(e.ctx, e.users, user(name))
			if code, _ := scimStatus(err); err != nil && code != 409 {
				t.Errorf("Create(%s) = %v, want success or 409", name, err)
			}
			if err == nil {
				mu.Lock()
				won[name]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := range names {
		if name := fmt.Sprintf("user%d", i); won[name] != 1 {
			t.Errorf("Create(%s) succeeded %d times, want once", name, won[name])
		}
	}
	page, err := e.b.List(e.ctx, e.users, listAll())
	if err != nil || page.Total != names {
		t.Errorf("List = %d users, %v, want %d", page.Total, err, names)
	}
	if evs, ok := e.eventsOf(t); ok && len(evs) != names {
		t.Errorf("Events = %d, want %d (failed creates record nothing)", len(evs), names)
	}
}

// testPanickingApply: a panic inside Change.Apply fails that update only.
func testPanickingApply(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice"))
	func() {
		defer func() { recover() }() // a store may let the panic reach the caller
		_, err := e.b.Update(e.ctx, e.users, id(u), "", backend.Change{Apply: func(scim.Resource) (scim.Resource, error) {
			panic("boom")
		}}, noMembers)
		if err == nil {
			t.Errorf("Update with panicking Apply succeeded")
		}
	}()
	got, err := e.b.Update(e.ctx, e.users, id(u), "", replace("title", "ok"), noMembers)
	if err != nil || got["title"] != "ok" || version(got) != `W/"2"` {
		t.Errorf("Update after a panicking one = %v, %v, want title ok, version 2", got, err)
	}
}
