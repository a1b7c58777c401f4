package jobs

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/record"
)

func TestLinkCache(t *testing.T) {
	user := provisioning.TypeUser
	row := func(id string, state record.LinkState) record.Link {
		return record.Link{Type: user, SourceID: id, TargetID: "t-" + id, State: state, Written: map[string]any{"a": 1}}
	}
	tests := []struct {
		name   string
		fill   bool
		put    []record.Link
		del    []record.Key
		err    error
		want   string // "id=state,..." sorted; "-" when nothing is cached
		wantOK bool
	}{
		{"not read yet: nothing cached", false, []record.Link{row("u3", "active")}, nil, nil, "-", false},
		{"write kept in step", true, []record.Link{row("u1", "disabled"), row("u3", "active")},
			[]record.Key{{Type: user, SourceID: "u2"}}, nil, "u1=disabled,u3=active", true},
		{"failed write empties it", true, []record.Link{row("u3", "active")}, nil, errors.New("disk full"), "-", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &linkCache{}
			if tt.fill {
				c.fill(user, []provisioning.Link{{Type: user, SourceID: "u1", State: provisioning.LinkActive},
					{Type: user, SourceID: "u2", State: provisioning.LinkActive, Written: map[string]any{"a": 1}}})
			}
			c.apply(tt.put, tt.del, tt.err)
			ls, ok := c.links(user)
			got := "-"
			if ok {
				var parts []string
				for _, l := range ls {
					if l.Written != nil {
						t.Errorf("cached link %s has Written %v, want none", l.SourceID, l.Written)
					}
					parts = append(parts, l.SourceID+"="+string(l.State))
				}
				slices.Sort(parts)
				got = strings.Join(parts, ",")
			}
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("links() = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	var none *linkCache
	none.fill(user, nil)
	none.apply(nil, nil, nil)
	if _, ok := none.links(user); ok {
		t.Error("nil cache: links() ok = true, want false")
	}
}
