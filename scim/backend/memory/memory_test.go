package memory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
	"github.com/provisio-dev/provisio/scim/patch"
)

var reg = scim.NewStandardRegistry()

func types(t *testing.T) (users, groups *scim.ResourceType) {
	t.Helper()
	u, ok1 := reg.ResourceType("User")
	g, ok2 := reg.ResourceType("Group")
	if !ok1 || !ok2 {
		t.Fatal("standard registry lacks User or Group")
	}
	return u, g
}

func statusOf(err error) int {
	var se *scim.Error
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

func mustCreate(t *testing.T, b *Backend, rt *scim.ResourceType, doc scim.Resource) scim.Resource {
	t.Helper()
	res, err := b.Create(context.Background(), rt, doc)
	if err != nil {
		t.Fatalf("Create(%v) = %v", doc, err)
	}
	return res
}

func TestCreateGet(t *testing.T) {
	users, groups := types(t)
	b := New()
	ctx := context.Background()
	in := scim.Resource{"userName": "alice"}
	u := mustCreate(t, b, users, in)
	id, _ := u["id"].(string)
	meta, _ := u["meta"].(map[string]any)
	if id == "" || meta["version"] != `W/"1"` || meta["resourceType"] != "User" || meta["created"] == nil || meta["created"] != meta["lastModified"] {
		t.Errorf("Create = %v, want id and meta", u)
	}
	if _, ok := in["id"]; ok {
		t.Errorf("Create modified its input")
	}
	u["userName"] = "mallory"
	got, err := b.Get(ctx, users, id, backend.GetOptions{})
	if err != nil || got["userName"] != "alice" {
		t.Errorf("Get = %v, %v; stored state aliased the returned map", got, err)
	}
	if _, err := b.Get(ctx, users, "nope", backend.GetOptions{}); statusOf(err) != 404 {
		t.Errorf("Get(nope) error = %v, want 404", err)
	}
	if _, err := b.Get(ctx, groups, id, backend.GetOptions{}); statusOf(err) != 404 {
		t.Errorf("Get of a user id as group = %v, want 404", err)
	}
	g := mustCreate(t, b, groups, scim.Resource{"displayName": "g", "members": []any{map[string]any{"value": id, "display": "Alice"}}})
	gid := g["id"].(string)
	for _, tc := range []struct {
		opts backend.GetOptions
		want bool
	}{{backend.GetOptions{Members: true}, true}, {backend.GetOptions{}, false}} {
		got, _ := b.Get(ctx, groups, gid, tc.opts)
		if _, has := got["members"]; has != tc.want {
			t.Errorf("Get(group, %+v) has members = %v, want %v", tc.opts, has, tc.want)
		}
	}
	empty := mustCreate(t, b, groups, scim.Resource{"displayName": "empty"})
	if m, ok := empty["members"].([]any); !ok || len(m) != 0 {
		t.Errorf("new empty group members = %#v, want []", empty["members"])
	}
}

func TestUniqueness(t *testing.T) {
	users, groups := types(t)
	b := New()
	ctx := context.Background()
	mustCreate(t, b, users, scim.Resource{"userName": "Alice", "externalId": "same"})
	bob := mustCreate(t, b, users, scim.Resource{"userName": "bob", "externalId": "same"})
	mustCreate(t, b, groups, scim.Resource{"displayName": "Admins"})
	tests := []struct {
		name string
		op   func() error
		want int
	}{
		{"userName other case", func() error {
			_, err := b.Create(ctx, users, scim.Resource{"userName": "ALICE"})
			return err
		}, 409},
		{"group displayName other case", func() error {
			_, err := b.Create(ctx, groups, scim.Resource{"displayName": "admins"})
			return err
		}, 409},
		{"update into a taken userName", func() error {
			_, err := b.Update(ctx, users, bob["id"].(string), "", backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
				c["userName"] = "alice"
				return c, nil
			}}, backend.GetOptions{})
			return err
		}, 409},
		{"update keeping own userName", func() error {
			_, err := b.Update(ctx, users, bob["id"].(string), "", backend.Change{}, backend.GetOptions{})
			return err
		}, 0},
		{"userName free in another type", func() error {
			_, err := b.Create(ctx, groups, scim.Resource{"displayName": "Alice"})
			return err
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			if got := statusOf(err); got != tc.want || (tc.want == 0 && err != nil) {
				t.Fatalf("error = %v (status %d), want status %d", err, got, tc.want)
			}
			if tc.want == 409 {
				var se *scim.Error
				errors.As(err, &se)
				if se.ScimType != scim.ScimTypeUniqueness {
					t.Errorf("scimType = %q, want uniqueness", se.ScimType)
				}
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx := context.Background()
	u := mustCreate(t, b, users, scim.Resource{"userName": "u"})
	id := u["id"].(string)
	created := u["meta"].(map[string]any)["created"]
	res, err := b.Update(ctx, users, id, `W/"1"`, backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
		c["displayName"] = "U"
		c["id"] = "hijack"
		return c, nil
	}}, backend.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	meta := res["meta"].(map[string]any)
	if res["id"] != id || res["displayName"] != "U" || meta["version"] != `W/"2"` || meta["created"] != created {
		t.Errorf("Update = %v, want same id and created, version 2", res)
	}
	boom := errors.New("boom")
	_, err = b.Update(ctx, users, id, "", backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
		c["displayName"] = "half"
		return nil, boom
	}}, backend.GetOptions{})
	if !errors.Is(err, boom) {
		t.Errorf("Update with failing Apply = %v, want boom", err)
	}
	if got, _ := b.Get(ctx, users, id, backend.GetOptions{}); got["displayName"] != "U" {
		t.Errorf("failed Apply changed the stored resource: %v", got)
	}
	if _, err := b.Update(ctx, users, id, `W/"1"`, backend.Change{}, backend.GetOptions{}); statusOf(err) != 412 {
		t.Errorf("Update with stale If-Match = %v, want 412", err)
	}
	if _, err := b.Update(ctx, users, "nope", "", backend.Change{}, backend.GetOptions{}); statusOf(err) != 404 {
		t.Errorf("Update(nope) = %v, want 404", err)
	}
}

func TestMatchETag(t *testing.T) {
	tests := []struct {
		header, version string
		want            bool
	}{
		{"", `W/"3"`, true},
		{"*", `W/"3"`, true},
		{`W/"3"`, `W/"3"`, true},
		{`"3"`, `W/"3"`, true},
		{`W/"2", W/"3"`, `W/"3"`, true},
		{`W/"2"`, `W/"3"`, false},
		{`W/"33"`, `W/"3"`, false},
	}
	for _, tc := range tests {
		if got := MatchETag(tc.header, tc.version); got != tc.want {
			t.Errorf("MatchETag(%q, %q) = %v, want %v", tc.header, tc.version, got, tc.want)
		}
	}
}

func TestMembers(t *testing.T) {
	users, groups := types(t)
	b := New()
	ctx := context.Background()
	a := mustCreate(t, b, users, scim.Resource{"userName": "a"})["id"].(string)
	c := mustCreate(t, b, users, scim.Resource{"userName": "c"})["id"].(string)
	g := mustCreate(t, b, groups, scim.Resource{"displayName": "g", "members": []any{map[string]any{"value": a}}})["id"].(string)
	member := func(id string) scim.Member { return scim.Member{Value: id} }
	steps := []struct {
		name   string
		change patch.MembersChange
		want   string
	}{
		{"add existing is a no-op", patch.MembersChange{Add: []scim.Member{member(a), member(c)}}, a + " " + c},
		{"remove one", patch.MembersChange{Remove: []string{a}}, c},
		{"remove absent is a no-op", patch.MembersChange{Remove: []string{"zzz"}}, c},
		{"reset and add", patch.MembersChange{Reset: true, Add: []scim.Member{member(a)}}, a},
		{"reset", patch.MembersChange{Reset: true}, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			mc := st.change
			res, err := b.Update(ctx, groups, g, "", backend.Change{Members: &mc}, backend.GetOptions{Members: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res["members"]); got != st.want {
				t.Errorf("members = %q, want %q", got, st.want)
			}
		})
	}
	b.Update(ctx, groups, g, "", backend.Change{Members: &patch.MembersChange{Add: []scim.Member{member(a), member(c)}}}, backend.GetOptions{})
	if err := b.Delete(ctx, users, a, ""); err != nil {
		t.Fatal(err)
	}
	res, _ := b.Get(ctx, groups, g, backend.GetOptions{Members: true})
	if got := ids(res["members"]); got != c {
		t.Errorf("members after deleting a member = %q, want %q", got, c)
	}
	if err := b.Delete(ctx, users, a, ""); statusOf(err) != 404 {
		t.Errorf("second Delete = %v, want 404", err)
	}
}

func ids(v any) string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any)["value"].(string))
	}
	return strings.Join(out, " ")
}

func TestList(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx := context.Background()
	for _, n := range []string{"delta", "Alpha", "charlie", "bravo"} {
		mustCreate(t, b, users, scim.Resource{"userName": n, "emails": []any{map[string]any{"value": n + "@x", "primary": n == "Alpha"}}})
	}
	mustCreate(t, b, users, scim.Resource{"userName": "echo"})
	sortBy := func(s string) scim.AttrPath { p, _ := scim.ParseAttrPath(s); return p }
	f := func(s string) filter.Expr {
		e, err := filter.Parse(s, filter.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	tests := []struct {
		name  string
		q     backend.Query
		want  string
		total int
	}{
		{"creation order", backend.Query{StartIndex: 1, Count: 10}, "delta Alpha charlie bravo echo", 5},
		{"page", backend.Query{StartIndex: 2, Count: 2}, "Alpha charlie", 5},
		{"count 0", backend.Query{StartIndex: 1, Count: 0}, "", 5},
		{"past end", backend.Query{StartIndex: 9, Count: 2}, "", 5},
		{"sorted case-insensitively", backend.Query{StartIndex: 1, Count: 10, SortBy: sortBy("userName")}, "Alpha bravo charlie delta echo", 5},
		{"descending", backend.Query{StartIndex: 1, Count: 10, SortBy: sortBy("userName"), Descending: true}, "echo delta charlie bravo Alpha", 5},
		{"multi-valued sort, missing last", backend.Query{StartIndex: 1, Count: 10, SortBy: sortBy("emails.value")}, "Alpha bravo charlie delta echo", 5},
		{"filter", backend.Query{StartIndex: 1, Count: 10, Filter: f(`userName sw "c" or userName eq "ECHO"`)}, "charlie echo", 2},
		{"filter and page", backend.Query{StartIndex: 2, Count: 1, Filter: f(`emails pr`)}, "Alpha", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := b.List(ctx, users, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range pg.Resources {
				names = append(names, r["userName"].(string))
			}
			if got := strings.Join(names, " "); got != tc.want || pg.Total != tc.total {
				t.Errorf("List = %q total %d, want %q total %d", got, pg.Total, tc.want, tc.total)
			}
			if pg.Resources == nil {
				t.Errorf("Resources is nil, want empty slice")
			}
		})
	}
	if _, err := b.List(ctx, users, backend.Query{Count: 1, Filter: f(`shoeSize eq 1`)}); statusOf(err) != 400 {
		t.Errorf("List with unknown filter attribute = %v, want 400", err)
	}
	// The password is returned "never": filtering or sorting on it would
	// disclose it.
	if _, err := b.List(ctx, users, backend.Query{Count: 1, Filter: f(`password sw "$"`)}); statusOf(err) != 400 {
		t.Errorf("List with a password filter = %v, want 400", err)
	}
	if _, err := b.List(ctx, users, backend.Query{Count: 1, SortBy: sortBy("password")}); statusOf(err) != 400 {
		t.Errorf("List sorted by password = %v, want 400", err)
	}
}

// Concurrent updates never lose one another (Update is an atomic
// read-modify-write).
func TestConcurrentUpdates(t *testing.T) {
	users, groups := types(t)
	b := New()
	ctx := context.Background()
	id := mustCreate(t, b, users, scim.Resource{"userName": "counter", "nickName": ""})["id"].(string)
	g := mustCreate(t, b, groups, scim.Resource{"displayName": "big"})["id"].(string)
	const n = 50
	memberIDs := make([]string, n)
	for i := range n {
		memberIDs[i] = mustCreate(t, b, users, scim.Resource{"userName": fmt.Sprint("m", i)})["id"].(string)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := b.Update(ctx, users, id, "", backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
				c["nickName"] = fmt.Sprint(c["nickName"], "x")
				return c, nil
			}}, backend.GetOptions{})
			if err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			mc := &patch.MembersChange{Add: []scim.Member{{Value: memberIDs[i]}}}
			if _, err := b.Update(ctx, groups, g, "", backend.Change{Members: mc}, backend.GetOptions{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	u, _ := b.Get(ctx, users, id, backend.GetOptions{})
	if got := len(u["nickName"].(string)); got != n {
		t.Errorf("nickName length = %d, want %d (lost updates)", got, n)
	}
	if v := u["meta"].(map[string]any)["version"]; v != fmt.Sprintf(`W/"%d"`, n+1) {
		t.Errorf("version = %v, want %d updates", v, n)
	}
	grp, _ := b.Get(ctx, groups, g, backend.GetOptions{Members: true})
	if got := len(grp["members"].([]any)); got != n {
		t.Errorf("members = %d, want %d (lost membership updates)", got, n)
	}
}

func TestCanceledContext(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Create(ctx, users, scim.Resource{"userName": "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with canceled context = %v, want context.Canceled", err)
	}
}

// TestApplyOutsideLock: Change.Apply runs without the backend's mutex, so
// a write from inside Apply (as a concurrent request would make) does not
// deadlock; the update then retries on the new version and loses nothing.
// An Apply that changes nothing keeps version and lastModified.
func TestApplyOutsideLock(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx := context.Background()
	u := mustCreate(t, b, users, scim.Resource{"userName": "alice"})
	id := u["id"].(string)
	calls := 0
	got, err := b.Update(ctx, users, id, "", backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
		calls++
		if calls == 1 {
			mustCreate(t, b, users, scim.Resource{"userName": "bob"})
			if _, err := b.Update(ctx, users, id, "", backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
				c["nickName"] = "concurrent"
				return c, nil
			}}, backend.GetOptions{}); err != nil {
				return nil, err
			}
		}
		cur["title"] = "applied"
		return cur, nil
	}}, backend.GetOptions{})
	if err != nil || got["title"] != "applied" || got["nickName"] != "concurrent" || calls != 2 {
		t.Fatalf("Update with a write inside Apply = %v, %v after %d calls, want both changes after 2 calls", got, err, calls)
	}
	same, err := b.Update(ctx, users, id, "", backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) { return cur, nil }}, backend.GetOptions{})
	if err != nil || fmt.Sprint(same["meta"]) != fmt.Sprint(got["meta"]) {
		t.Errorf("Update(unchanged) = %v, %v, want meta %v kept", same, err, got["meta"])
	}
}
