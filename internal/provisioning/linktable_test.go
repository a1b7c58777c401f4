package provisioning_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
)

// readCounter counts how often the engine reads every link of a type.
type readCounter struct {
	provisioning.LinkStore
	reads, writes atomic.Int64
}

func (r *readCounter) WriteLinks(ctx context.Context, put []provisioning.Link, del []provisioning.LinkKey) error {
	r.writes.Add(1)
	return r.LinkStore.WriteLinks(ctx, put, del)
}

func (r *readCounter) Links(ctx context.Context, t provisioning.ObjectType) ([]provisioning.Link, error) {
	r.reads.Add(1)
	return r.LinkStore.Links(ctx, t)
}

// TestLinkTableKept: a table kept between cycles is read from the store
// once, and again after Invalidate; without one every cycle reads it.
func TestLinkTableKept(t *testing.T) {
	tests := []struct {
		name  string
		table *provisioning.LinkTable
		want  []int64 // reads after each of three cycles, Invalidate before the third
	}{
		{"kept", &provisioning.LinkTable{}, []int64{2, 2, 4}},
		{"none", nil, []int64{2, 4, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := provisioningtest.NewLinks()
			store := &readCounter{LinkStore: links}
			e := newEnv(t, func(c *provisioning.Config) { c.Links, c.Table = store, tt.table })
			e.links = links
			e.addUsers(3)
			for i, want := range tt.want {
				if i == 2 && tt.table != nil {
					tt.table.Invalidate()
				}
				e.rebuild()
				res := e.run()
				if got := store.reads.Load(); got != want {
					t.Errorf("cycle %d: Links read %d times, want %d", i+1, got, want)
				}
				if i > 0 && res.Stats != (provisioning.Stats{}) {
					t.Errorf("cycle %d: stats = %+v, want nothing to do (every link known)", i+1, res.Stats)
				}
			}
		})
	}
}

// TestLinkTableWrites: a cycle writes its creates' pending links in one
// write before sending them, and every other link change in one batch
// before the watermark moves.
func TestLinkTableWrites(t *testing.T) {
	links := provisioningtest.NewLinks()
	store := &readCounter{LinkStore: links}
	e := newEnv(t, func(c *provisioning.Config) { c.Links = store })
	e.links = links
	e.addUsers(3)
	e.run()
	if got := store.writes.Load(); got != 2 {
		t.Errorf("initial cycle of 3 creates: %d link writes, want 2 (pending, then the rest)", got)
	}
	for i := range 3 {
		if l, ok := links.Get(provisioning.TypeUser, fmt.Sprintf("u%d", i+1)); !ok || l.State != provisioning.LinkActive || l.Written == nil {
			t.Errorf("link of u%d = %+v, %v; want active with what was written", i+1, l, ok)
		}
	}
}
