package provisioning

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
)

// groupSource is a Source of groups only (provisioningtest imports this
// package); two groups may share a name.
type groupSource struct {
	Source
	groups []*directory.Group
}

func (s *groupSource) PutGroup(g directory.Group) { s.groups = append(s.groups, &g) }

func (s *groupSource) Groups(_ context.Context, ids []string) ([]*directory.Group, error) {
	var out []*directory.Group
	for _, g := range s.groups {
		if slices.Contains(ids, g.ObjectID) {
			out = append(out, g)
		}
	}
	return out, nil
}

func (s *groupSource) GroupsNamed(_ context.Context, names []string) ([]*directory.Group, error) {
	var out []*directory.Group
	for _, g := range s.groups {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, g.DisplayName) }) {
			out = append(out, g)
		}
	}
	return out, nil
}

func member(kind directory.Kind, ids ...string) []directory.Member {
	out := make([]directory.Member, len(ids))
	for i, id := range ids {
		out[i] = directory.Member{ID: id, Kind: kind}
	}
	return out
}

func TestLoadMembership(t *testing.T) {
	dir := &groupSource{}
	deleted := time.Now()
	for _, g := range []directory.Group{
		{ObjectID: "g-staff", DisplayName: "Staff", Members: append(member(directory.KindUser, "u1"), member(directory.KindGroup, "g-eng", "g-gone")...)},
		{ObjectID: "g-eng", DisplayName: "Engineers", Members: append(member(directory.KindUser, "u2"), member(directory.KindGroup, "g-loop", "g-staff")...)},
		{ObjectID: "g-loop", DisplayName: "Loop", Members: append(member(directory.KindUser, "u3"), member(directory.KindGroup, "g-eng")...)},
		{ObjectID: "g-gone", DisplayName: "Gone", Members: member(directory.KindUser, "u4"), DeletedAt: &deleted},
		{ObjectID: "g-upper", DisplayName: "Upper", Members: member(directory.KindUser, "u5")},
	} {
		dir.PutGroup(g)
	}
	tests := []struct {
		written string
		want    []string // members, sorted
	}{
		{"Staff", []string{"g-eng", "g-gone", "g-loop", "g-staff", "u1", "u2", "u3"}}, // a loop back to itself is walked once
		{"staff", []string{"g-eng", "g-gone", "g-loop", "g-staff", "u1", "u2", "u3"}},
		{"g-eng", []string{"g-eng", "g-loop", "g-staff", "u1", "u2", "u3", "g-gone"}},
		{"Gone", nil},               // soft-deleted: no members
		{"G-UPPER", []string{"u5"}}, // ids are lower-case UUIDs; an upper-case copy finds them
		{"Nobody", nil},
	}
	var written []string
	for _, tt := range tests {
		written = append(written, tt.written)
	}
	m, err := loadMembership(context.Background(), dir, written)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		got := slices.Sorted(maps.Keys(m.of[tt.written]))
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("loadMembership(%q) members = %v, want %v", tt.written, got, want)
		}
	}
	if !slices.Equal(m.missing, []string{"Nobody"}) {
		t.Errorf("loadMembership() missing = %v, want [Nobody]", m.missing)
	}
	if m.of["Staff"]["g-eng"] != directory.KindGroup || m.of["Staff"]["u2"] != directory.KindUser {
		t.Errorf("loadMembership(Staff) kinds = %v, want groups and users told apart", m.of["Staff"])
	}
}

func TestLoadMembershipAmbiguousName(t *testing.T) {
	dir := &groupSource{}
	dir.PutGroup(directory.Group{ObjectID: "g2", DisplayName: "sales"})
	dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Sales"})
	_, err := loadMembership(context.Background(), dir, []string{"SALES"})
	if err == nil || !strings.Contains(err.Error(), `MEMBER_OF "SALES": 2 groups have that name (object ids g1, g2)`) {
		t.Errorf("loadMembership(two groups named so) = %v, want the ambiguity with both ids", err)
	}
	// An object id wins over a name.
	dir.PutGroup(directory.Group{ObjectID: "Sales", DisplayName: "Other", Members: member(directory.KindUser, "u1")})
	m, err := loadMembership(context.Background(), dir, []string{"Sales"})
	if err != nil || !m.isMember("Sales", "u1") {
		t.Errorf("loadMembership(an id that is also a name) = %v, %v; want the group of that id", m, err)
	}
}

func TestChangedMembers(t *testing.T) {
	u, g := directory.KindUser, directory.KindGroup
	prev := map[string]map[string]directory.Kind{"A": {"u1": u, "u2": u, "g1": g}, "B": {"u3": u}}
	cur := map[string]map[string]directory.Kind{"A": {"u1": u, "u4": u}, "B": {"u3": u, "u2": u}, "C": {"u5": u, "g2": g}}
	got := changedMembers(prev, cur)
	want := map[ObjectType][]string{TypeUser: {"u2", "u4", "u5"}, TypeGroup: {"g1", "g2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changedMembers() = %v, want %v", got, want)
	}
}

// BenchmarkScopeDecide100k is the scope decision of 100,000 assigned users
// without scoping filters and with one filter of three clauses (every
// user passes every clause, the most work a filter does): what a filter
// adds to a cycle, the rest of the cycle being the same.
func BenchmarkScopeDecide100k(b *testing.B) {
	const n = 100_000
	users := make([]*directory.User, n)
	s := &scope{users: make(map[string]bool, n)}
	for i := range users {
		users[i] = &directory.User{ObjectID: fmt.Sprintf("u%d", i), UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
			Department: "Sales", AccountEnabled: true}
		s.users[users[i].ObjectID] = true
	}
	for _, bc := range []struct {
		name    string
		clauses []string
	}{
		{"none", nil},
		{"three-clauses", []string{"department EQUALS Sales", `userPrincipalName REGEX MATCH @example\.com$`, "accountEnabled IS TRUE"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var f scoping.Filter
			for _, c := range bc.clauses {
				cl, err := scoping.ParseClause(c)
				if err != nil {
					b.Fatal(err)
				}
				f.Clauses = append(f.Clauses, cl)
			}
			var fs scoping.Filters
			if len(f.Clauses) > 0 {
				fs = scoping.Filters{f}
			}
			for b.Loop() {
				set, err := fs.Compile() // once per cycle
				if err != nil {
					b.Fatal(err)
				}
				s.filter = scopeFilter{users: set, now: time.Now()}
				for _, u := range users {
					if _, d := s.userObject(u); d.verdict != inScope {
						b.Fatalf("userObject(%s) = %+v, want in scope", u.ObjectID, d)
					}
				}
			}
		})
	}
}
