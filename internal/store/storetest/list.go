package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// listFixture creates users u0..u5 with varied attributes and returns
// userName -> id.
func listFixture(t *testing.T, e env) map[string]string {
	t.Helper()
	docs := []scim.Resource{
		user("Alice", "externalId", "x1", "active", true, "displayName", "Alice Smith",
			"name", map[string]any{"familyName": "Smith"},
			"emails", []any{map[string]any{"type": "work", "value": "alice@work.example"}}),
		user("bob", "externalId", "x1", "active", false, "displayName", "Bob Jones",
			"name", map[string]any{"familyName": "Jones"},
			"emails", []any{map[string]any{"type": "home", "value": "bob@home.example"}}),
		user("carol", "externalId", "x2", "active", true,
			"name", map[string]any{"familyName": "Adams"}),
		user("dave", "active", true, "displayName", "dave"),
		user("Eve", "externalId", "X1", "active", false,
			"emails", []any{
				map[string]any{"type": "home", "value": "eve@home.example"},
				map[string]any{"type": "work", "value": "eve@work.example", "primary": true},
			}),
	}
	ids := map[string]string{}
	for _, d := range docs {
		res := e.mustCreate(t, e.users, d)
		ids[res["userName"].(string)] = id(res)
	}
	return ids
}

func userNames(page backend.Page) []string {
	var out []string
	for _, r := range page.Resources {
		out = append(out, r["userName"].(string))
	}
	return out
}

// decodeRaw turns raw resources into what List returns without Raw.
func decodeRaw(t *testing.T, rt *scim.ResourceType, raw []backend.RawResource) []scim.Resource {
	t.Helper()
	out := make([]scim.Resource, 0, len(raw))
	for _, r := range raw {
		var res scim.Resource
		if err := json.Unmarshal(r.Attributes, &res); err != nil {
			t.Fatalf("raw resource %s: %v in %s", r.ID, err, r.Attributes)
		}
		for _, k := range []string{"id", "meta", "members"} {
			if _, ok := res[k]; ok {
				t.Errorf("raw resource %s holds %q: %s", r.ID, k, r.Attributes)
			}
		}
		res["id"] = r.ID
		res["meta"] = map[string]any{"resourceType": rt.Name, "created": r.Created, "lastModified": r.LastModified, "version": r.Version}
		out = append(out, res)
	}
	return out
}

func testListFilter(t *testing.T, open openTenant) {
	e := open(t, "t")
	ids := listFixture(t, e)
	other := open(t, "other")
	listFixture(t, other)

	tests := []struct {
		name   string
		filter string
		want   []string // userNames in creation order
	}{
		{"userName eq, case-insensitive", `userName eq "ALICE"`, []string{"Alice"}},
		{"userName eq with schema URI", `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob"`, []string{"bob"}},
		{"userName eq random GUID (Test Connection)", `userName eq "5d8b7a43-5d3c-4a36-9b1a-0f4cbe5c0a11"`, nil},
		{"externalId eq, case-exact, not unique", `externalId eq "x1"`, []string{"Alice", "bob"}},
		{"displayName eq, case-insensitive", `displayName eq "alice smith"`, []string{"Alice"}},
		{"id eq", `id eq "` + ids["carol"] + `"`, []string{"carol"}},
		{"active eq false", `active eq false`, []string{"bob", "Eve"}},
		{"and-chain pushed down", `externalId eq "x1" and active eq true`, []string{"Alice"}},
		{"or of pushable", `userName eq "bob" or userName eq "dave"`, []string{"bob", "dave"}},
		{"pushable and residual", `active eq true and name.familyName eq "adams"`, []string{"carol"}},
		{"residual only: sw", `userName sw "A"`, []string{"Alice"}},
		{"residual: co on displayName", `displayName co "o"`, []string{"bob"}},
		{"Entra email matching", `emails[type eq "work"].value eq "alice@work.example"`, []string{"Alice"}},
		{"value path", `emails[type eq "home"]`, []string{"bob", "Eve"}},
		{"not", `not (active eq true)`, []string{"bob", "Eve"}},
		{"pr", `externalId pr`, []string{"Alice", "bob", "carol", "Eve"}},
		{"meta.created gt", `meta.created gt "2000-01-01T00:00:00Z"`, []string{"Alice", "bob", "carol", "dave", "Eve"}},
		{"or mixing residual", `userName eq "dave" or name.familyName eq "Jones"`, []string{"bob", "dave"}},
		// Issue 8: 1,000 OR'ed equalities (filter.MaxClauses) are one
		// expression per column, not 1,000 nested ones.
		{"1,000 OR'ed equalities", orOf(998, `userName eq "nobody%d"`) + ` or userName eq "BOB" or externalId eq "x2"`, []string{"bob", "carol"}},
		{"1,000 OR'ed equalities on every column", orOf(150, `userName eq "u%d"`) + " or " + orOf(150, `externalId eq "e%d"`) + " or " +
			orOf(150, `displayName eq "d%d"`) + " or " + orOf(150, `id eq "i%d"`) + " or " + orOf(199, `active eq false and userName eq "u%d"`) +
			` or displayName eq "DAVE"`, []string{"dave"}},
		{"1,000 AND'ed equalities", strings.Repeat(`active eq true and `, 999) + `externalId eq "x1"`, []string{"Alice"}},
		{"values SQL cannot carry", "userName eq \"a\u0000\" or externalId eq \"\xff\" or id eq \"\x00\" or displayName eq \"\xc3\"", nil},
		{"LIKE wildcards are literal", `userName co "%" or userName sw "_" or displayName ew "\\"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.b.List(e.ctx, e.users, backend.Query{Filter: mustParse(t, tc.filter), StartIndex: 1, Count: 100})
			if err != nil {
				t.Fatalf("List(%s) = %v", tc.filter, err)
			}
			if got := userNames(page); !slices.Equal(got, tc.want) || page.Total != len(tc.want) {
				t.Errorf("List(%s) = %v (total %d), want %v", tc.filter, got, page.Total, tc.want)
			}
			// The same list with documents left as JSON, where the backend
			// does that, holds the same resources.
			raw, err := e.b.List(e.ctx, e.users, backend.Query{Filter: mustParse(t, tc.filter), StartIndex: 1, Count: 100, Raw: true})
			if err != nil {
				t.Fatalf("List(%s, raw) = %v", tc.filter, err)
			}
			if raw.Raw != nil {
				raw.Resources = decodeRaw(t, e.users, raw.Raw)
			}
			if !reflect.DeepEqual(raw.Resources, page.Resources) || raw.Total != page.Total {
				t.Errorf("List(%s, raw) = %v (total %d), want %v (total %d)", tc.filter, raw.Resources, raw.Total, page.Resources, page.Total)
			}
		})
	}

	_, err := e.b.List(e.ctx, e.users, backend.Query{Filter: mustParse(t, `nosuch eq "x"`), StartIndex: 1, Count: 10})
	wantStatus(t, "List(unknown attribute)", err, 400, scim.ScimTypeInvalidFilter)
	// Groups are a separate type: a user's displayName is no group.
	page, err := e.b.List(e.ctx, e.groups, backend.Query{Filter: mustParse(t, `displayName eq "dave"`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 0 || len(page.Resources) != 0 {
		t.Errorf("List(Groups, displayName eq dave) = %v, %v, want empty", page, err)
	}
}

// orOf joins n clauses format(k), k = 0..n-1, with "or".
func orOf(n int, format string) string {
	parts := make([]string, n)
	for k := range parts {
		parts[k] = fmt.Sprintf(format, k)
	}
	return strings.Join(parts, " or ")
}

func testListPagingAndSort(t *testing.T, open openTenant) {
	e := open(t, "t")
	listFixture(t, e)
	all := []string{"Alice", "bob", "carol", "dave", "Eve"}
	tests := []struct {
		name      string
		q         backend.Query
		want      []string
		wantTotal int
	}{
		{"creation order", backend.Query{StartIndex: 1, Count: 10}, all, 5},
		{"first page", backend.Query{StartIndex: 1, Count: 2}, all[:2], 5},
		{"middle page", backend.Query{StartIndex: 3, Count: 2}, all[2:4], 5},
		{"last partial page", backend.Query{StartIndex: 5, Count: 2}, all[4:], 5},
		{"past the end", backend.Query{StartIndex: 9, Count: 2}, nil, 5},
		{"count 0 gives total only", backend.Query{StartIndex: 1, Count: 0}, nil, 5},
		{"startIndex below 1 is 1", backend.Query{StartIndex: 0, Count: 1}, all[:1], 5},
		{"filtered paging in Go", backend.Query{Filter: mustParse(t, `userName co "e"`), StartIndex: 2, Count: 1}, []string{"dave"}, 3},
		{"filtered paging in SQL", backend.Query{Filter: mustParse(t, `active eq true`), StartIndex: 2, Count: 1}, []string{"carol"}, 3},
		{"filtered SQL page past end", backend.Query{Filter: mustParse(t, `active eq true`), StartIndex: 4, Count: 1}, nil, 3},
		{"sortBy userName", backend.Query{SortBy: scim.AttrPath{Name: "userName"}, StartIndex: 1, Count: 10}, all, 5},
		{"sortBy userName descending", backend.Query{SortBy: scim.AttrPath{Name: "userName"}, Descending: true, StartIndex: 1, Count: 2}, []string{"Eve", "dave"}, 5},
		{"sortBy name.familyName, missing last", backend.Query{SortBy: scim.AttrPath{Name: "name", Sub: "familyName"}, StartIndex: 1, Count: 10},
			[]string{"carol", "bob", "Alice", "dave", "Eve"}, 5},
		{"sortBy displayName page 2", backend.Query{SortBy: scim.AttrPath{Name: "displayName"}, StartIndex: 2, Count: 2}, []string{"bob", "dave"}, 5},
		{"sortBy emails: primary value", backend.Query{Filter: mustParse(t, `emails pr`), SortBy: scim.AttrPath{Name: "emails"}, StartIndex: 1, Count: 10},
			[]string{"Alice", "bob", "Eve"}, 3},
		{"sortBy emails descending", backend.Query{Filter: mustParse(t, `emails pr`), SortBy: scim.AttrPath{Name: "emails"}, Descending: true, StartIndex: 1, Count: 10},
			[]string{"Eve", "bob", "Alice"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := e.b.List(e.ctx, e.users, tc.q)
			if err != nil {
				t.Fatalf("List(%+v) = %v", tc.q, err)
			}
			if got := userNames(page); !slices.Equal(got, tc.want) || page.Total != tc.wantTotal {
				t.Errorf("List(%+v) = %v (total %d), want %v (total %d)", tc.q, got, page.Total, tc.want, tc.wantTotal)
			}
		})
	}

	// Paging through everything neither skips nor repeats, even with
	// identical creation times.
	for i := range 7 {
		e.mustCreate(t, e.users, user(fmt.Sprintf("bulk%d", i)))
	}
	var seen []string
	for start := 1; start <= 12; start += 5 {
		page, err := e.b.List(e.ctx, e.users, backend.Query{StartIndex: start, Count: 5})
		if err != nil || page.Total != 12 {
			t.Fatalf("List(start %d) = total %d, %v, want 12", start, page.Total, err)
		}
		seen = append(seen, userNames(page)...)
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(seen) != 12 || len(slices.Compact(sorted)) != 12 {
		t.Errorf("paging by 5 saw %v, want 12 distinct users", seen)
	}

	_, err := e.b.List(e.ctx, e.users, backend.Query{SortBy: scim.AttrPath{Name: "nosuch"}, StartIndex: 1, Count: 1})
	wantStatus(t, "List(sortBy unknown)", err, 400, scim.ScimTypeInvalidValue)
	// Sorting on the password would disclose it (returned "never").
	_, err = e.b.List(e.ctx, e.users, backend.Query{SortBy: scim.AttrPath{Name: "password"}, StartIndex: 1, Count: 1})
	wantStatus(t, "List(sortBy password)", err, 400, scim.ScimTypeInvalidValue)
}

func testListMembers(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice"))
	v := e.mustCreate(t, e.users, user("victor"))
	g1 := e.mustCreate(t, e.groups, group("one", id(u)))
	e.mustCreate(t, e.groups, group("two"))
	e.mustCreate(t, e.groups, group("three", id(u), id(v)))

	page, err := e.b.List(e.ctx, e.groups, backend.Query{StartIndex: 1, Count: 10})
	if err != nil || page.Total != 3 {
		t.Fatalf("List(Groups) = %v, %v", page, err)
	}
	for _, r := range page.Resources {
		if r["members"] != nil {
			t.Errorf("List without Members returned members for %v", r["displayName"])
		}
	}
	page, err = e.b.List(e.ctx, e.groups, backend.Query{StartIndex: 1, Count: 10, Members: true})
	if err != nil {
		t.Fatalf("List(Groups, Members) = %v", err)
	}
	want := map[string][]string{"one": {id(u)}, "two": nil, "three": {id(u), id(v)}}
	for _, r := range page.Resources {
		name := r["displayName"].(string)
		if err := sameSet(memberIDs(r), want[name]...); err != nil {
			t.Errorf("List(Members) group %s: %v", name, err)
		}
	}

	// Entra's group lookup, and a filter on members.
	page, err = e.b.List(e.ctx, e.groups, backend.Query{Filter: mustParse(t, `displayName eq "ONE"`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 || id(page.Resources[0]) != id(g1) || page.Resources[0]["members"] != nil {
		t.Errorf("List(displayName eq ONE) = %v, %v, want group one without members", page, err)
	}
	page, err = e.b.List(e.ctx, e.groups, backend.Query{Filter: mustParse(t, `members[value eq "`+id(v)+`"]`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 || page.Resources[0]["displayName"] != "three" || page.Resources[0]["members"] != nil {
		t.Errorf("List(members[value eq victor]) = %v, %v, want group three, members not returned", page, err)
	}
}
