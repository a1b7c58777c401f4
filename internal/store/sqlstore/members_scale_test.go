package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

// Issue 3: adding or removing one member of a group with 100,000 members is
// O(1) in members. These check it by comparing a 100-member group with a
// 100,000-member group in the same run (a ratio, not an absolute time, so a
// busy machine does not make them flaky).

// bigGroup is a tenant with one user and two groups: "small" with 100
// members and "big" with 100,000. The bulk of the member rows are inserted
// directly: membership rows are what an add or remove touches.
type bigGroup struct {
	b          backend.Backend
	ctx        context.Context
	groups     *scim.ResourceType
	user       string
	small, big string
}

func seedBigGroup(t testing.TB, s *Store) bigGroup {
	t.Helper()
	ctx := context.Background()
	ten, err := s.CreateTenant(ctx, "scale", nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := scim.NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	groups, _ := reg.ResourceType("Group")
	g := bigGroup{b: s.Backend(), ctx: store.WithTenant(ctx, ten.ID), groups: groups}
	u, err := g.b.Create(g.ctx, users, scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "member@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	g.user = u["id"].(string)
	for _, size := range []int{100, 100_000} {
		grp, err := g.b.Create(g.ctx, groups, scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": fmt.Sprintf("group-%d", size)})
		if err != nil {
			t.Fatal(err)
		}
		id := grp["id"].(string)
		q := `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n < ?)
			INSERT INTO members (tenant_id, group_id, member_id, member_type) SELECT ?, ?, 'seed-' || n, 'User' FROM c`
		if s.d.name == "postgres" {
			q = `INSERT INTO members (tenant_id, group_id, member_id, member_type)
				SELECT $2, $3, 'seed-' || n, 'User' FROM generate_series(1, $1) AS n`
		}
		if _, err := s.w.ExecContext(ctx, q, size, ten.ID, id); err != nil {
			t.Fatalf("seed %d members: %v", size, err)
		}
		if size == 100 {
			g.small = id
		} else {
			g.big = id
		}
	}
	return g
}

// addRemove adds the user to group and removes it again through the same
// Backend.Update path a SCIM PATCH takes.
func (g bigGroup) addRemove(t testing.TB, group string) {
	for _, change := range []*patch.MembersChange{
		{Add: []scim.Member{{Value: g.user}}},
		{Remove: []string{g.user}},
	} {
		if _, err := g.b.Update(g.ctx, g.groups, group, "", backend.Change{Members: change}, backend.GetOptions{}); err != nil {
			t.Fatalf("Update(%s members) = %v", group, err)
		}
	}
}

// medianAddRemove is the median time of n add+remove pairs.
func (g bigGroup) medianAddRemove(t testing.TB, group string, n int) time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		g.addRemove(t, group)
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2]
}

func TestMembershipChangeIsConstantInGroupSize(t *testing.T) {
	stores := map[string]func(t *testing.T) *Store{
		"sqlite":   func(t *testing.T) *Store { return openSQLite(t, filepath.Join(t.TempDir(), "scale.db")) },
		"postgres": func(t *testing.T) *Store { return openPostgres(t, freshSchema(t, postgresURL(t))) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			g := seedBigGroup(t, stores[name](t))
			g.addRemove(t, g.small) // warm caches and statements
			g.addRemove(t, g.big)
			small := g.medianAddRemove(t, g.small, 31)
			big := g.medianAddRemove(t, g.big, 31)
			// A rewrite of the member list would make the big group ~1000x
			// slower; an O(1) change keeps them within noise of each other.
			if big > 5*small+2*time.Millisecond {
				t.Errorf("median add+remove: 100,000 members %v, 100 members %v; want about equal (O(1) in members)", big, small)
			}
			full, err := g.b.Get(g.ctx, g.groups, g.big, backend.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := full["members"]; ok {
				t.Errorf("Get without Members returned members")
			}
		})
	}
}

// BenchmarkMembershipChange: one add + one remove on a group of 100 and of
// 100,000 members.
//
//	go test -run '^$' -bench MembershipChange ./internal/store/sqlstore
func BenchmarkMembershipChange(b *testing.B) {
	g := seedBigGroup(b, openSQLite(b, filepath.Join(b.TempDir(), "scale.db")))
	for _, c := range []struct {
		name, group string
	}{{"members=100", g.small}, {"members=100000", g.big}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				g.addRemove(b, c.group)
			}
		})
	}
}
