package provisioning_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
)

// readCounter counts how often the engine reads every link of a type.
type readCounter struct {
	provisioning.LinkStore
	reads atomic.Int64
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
