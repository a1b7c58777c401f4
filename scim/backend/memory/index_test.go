package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// Reads before the first write of a resource type used to create its table
// under the read lock: a data race with concurrent writes (go test -race).
func TestReadsRaceFirstWrite(t *testing.T) {
	users, groups := types(t)
	for i := range 20 {
		b := New()
		ctx := context.Background()
		var wg sync.WaitGroup
		for _, rt := range []*scim.ResourceType{users, groups} {
			wg.Go(func() {
				if _, err := b.List(ctx, rt, backend.Query{StartIndex: 1, Count: 10}); err != nil {
					t.Errorf("List(%s) = %v", rt.Name, err)
				}
			})
			wg.Go(func() {
				if _, err := b.Get(ctx, rt, "nope", backend.GetOptions{}); statusOf(err) != 404 {
					t.Errorf("Get(%s, nope) = %v, want 404", rt.Name, err)
				}
			})
		}
		wg.Go(func() { mustCreate(t, b, users, scim.Resource{"userName": fmt.Sprint("u", i)}) })
		wg.Go(func() { mustCreate(t, b, groups, scim.Resource{"displayName": fmt.Sprint("g", i)}) })
		wg.Wait()
	}
}

// The indexes follow updates and deletes: a freed userName can be taken,
// and an indexed filter finds exactly what a full scan would.
func TestIndexFollowsWrites(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx := context.Background()
	alice := mustCreate(t, b, users, scim.Resource{"userName": "alice"})["id"].(string)
	bob := mustCreate(t, b, users, scim.Resource{"userName": "bob"})["id"].(string)
	rename := func(id, name string) error {
		_, err := b.Update(ctx, users, id, "", backend.Change{Apply: func(c scim.Resource) (scim.Resource, error) {
			c["userName"] = name
			return c, nil
		}}, backend.GetOptions{})
		return err
	}
	create := func(name string) error {
		_, err := b.Create(ctx, users, scim.Resource{"userName": name})
		return err
	}
	steps := []struct {
		name string
		op   func() error
		want int
	}{
		{"rename alice to ALICIA", func() error { return rename(alice, "ALICIA") }, 0},
		{"old name is free", func() error { return create("Alice") }, 0},
		{"new name is taken", func() error { return create("alicia") }, 409},
		{"bob cannot take alicia", func() error { return rename(bob, "Alicia") }, 409},
		{"delete bob", func() error { return b.Delete(ctx, users, bob, "") }, 0},
		{"bob is free", func() error { return create("BOB") }, 0},
	}
	for _, st := range steps {
		if err := st.op(); statusOf(err) != st.want || (st.want == 0 && err != nil) {
			t.Fatalf("%s: error = %v, want status %d", st.name, err, st.want)
		}
	}
	for _, q := range []string{`userName eq "alicia"`, `userName eq "bob"`, `userName eq "nobody"`,
		`userName eq "ALICE" and active pr`, `userName eq "alice" or userName eq "bob"`} {
		e, err := filter.Parse(q, filter.Options{})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := b.List(ctx, users, backend.Query{StartIndex: 1, Count: 10, Filter: e})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		m, _ := filter.Compile(e, users)
		for _, id := range b.tables["user"].order {
			if en := b.tables["user"].byID[id]; en != nil && m.Match(en.doc) {
				want++
			}
		}
		if pg.Total != want || len(pg.Resources) != want {
			t.Errorf("List(%s) found %d (total %d), want %d as a full scan", q, len(pg.Resources), pg.Total, want)
		}
	}
}

// Deleting most resources compacts the creation order and keeps it.
func TestDeleteKeepsOrder(t *testing.T) {
	users, _ := types(t)
	b := New()
	ctx := context.Background()
	var ids []string
	for i := range 10 {
		ids = append(ids, mustCreate(t, b, users, scim.Resource{"userName": fmt.Sprint("u", i)})["id"].(string))
	}
	for _, i := range []int{0, 2, 3, 5, 6, 8, 9} {
		if err := b.Delete(ctx, users, ids[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	pg, err := b.List(ctx, users, backend.Query{StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range pg.Resources {
		got = append(got, r["userName"].(string))
	}
	if s := strings.Join(got, " "); s != "u1 u4 u7" || pg.Total != 3 {
		t.Errorf("List after deletes = %q (total %d), want %q", s, pg.Total, "u1 u4 u7")
	}
	if n := len(b.tables["user"].order); n > 2*3 {
		t.Errorf("creation order holds %d ids for 3 resources, want it compacted", n)
	}
}

// BenchmarkCreate creates n users into an empty store per iteration; the
// ns/create metric stays flat as n grows because uniqueness is checked
// through an index (10,000 creates take well under a second).
func BenchmarkCreate(b *testing.B) {
	reg := scim.NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	ctx := context.Background()
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				s := New()
				for i := range n {
					if _, err := s.Create(ctx, users, scim.Resource{"userName": fmt.Sprintf("user%d@example.com", i)}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/create")
		})
	}
}
