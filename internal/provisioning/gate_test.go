package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// gateFunc is a Gate from a function.
type gateFunc func(*provisioning.Plan) provisioning.Verdict

func (f gateFunc) Check(_ context.Context, p *provisioning.Plan) (provisioning.Verdict, error) {
	return f(p), nil
}

// TestGate: a batch the gate lets through is applied; one it holds or
// refuses is not, the cycle ends with ErrHeld or ErrRefused and the
// watermark stays, so the next cycle plans the same actions again.
func TestGate(t *testing.T) {
	tests := []struct {
		name     string
		decision provisioning.Decision
		wantErr  error
		want     int // target users after the cycle
	}{
		{"pass", provisioning.Pass, nil, 3},
		{"hold", provisioning.Hold, provisioning.ErrHeld, 0},
		{"refuse", provisioning.Refuse, provisioning.ErrRefused, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []int
			gate := gateFunc(func(p *provisioning.Plan) provisioning.Verdict {
				seen = append(seen, len(p.Actions))
				return provisioning.Verdict{Decision: tt.decision, Reason: "too many creates"}
			})
			e := newEnv(t, func(c *provisioning.Config) { c.Gate = gate })
			e.addUsers(3)
			res, err := e.engine.Run(context.Background())
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Run() = %v, want %v", err, tt.wantErr)
			}
			if got := e.targetCount("Users"); got != tt.want {
				t.Errorf("target users = %d, want %d", got, tt.want)
			}
			if len(seen) == 0 || seen[0] != 3 {
				t.Errorf("gate saw batches of %v actions, want 3 first", seen)
			}
			if _, ok, _ := e.links.Watermark(context.Background()); ok != (tt.wantErr == nil) || res.Watermark != 0 && tt.wantErr != nil {
				t.Errorf("watermark set = %v after %v, want set only when the cycle passed", ok, err)
			}
		})
	}
}

// cycleGate stages every disable and delete of a cycle with more than max
// of them, and remembers the totals it was shown.
type cycleGate struct {
	max  int
	seen []provisioning.CycleTotals
}

func (g *cycleGate) Check(context.Context, *provisioning.Plan) (provisioning.Verdict, error) {
	return provisioning.Verdict{Decision: provisioning.Pass}, nil
}

func (g *cycleGate) CheckCycle(_ context.Context, t provisioning.CycleTotals) (provisioning.Verdict, error) {
	g.seen = append(g.seen, t)
	if t.Deprovisions > g.max {
		return provisioning.Verdict{Decision: provisioning.Stage, Reason: "too many deletions"}, nil
	}
	return provisioning.Verdict{Decision: provisioning.Pass}, nil
}

// TestCycleGateStages: one group unassignment that would disable its 8
// members and delete the group is shown to a CycleGate as 9
// deprovisions before anything is sent; staged, none is sent, each is
// logged "staged", the cycle ends with ErrStaged and the watermark stays.
// Then either the gate lets them through (all 9 are sent) or the
// directory is fixed (nothing is left to send).
func TestCycleGateStages(t *testing.T) {
	tests := []struct {
		name  string
		after func(e *env, g *cycleGate)
		want  provisioning.Stats
	}{
		{"allowed", func(_ *env, g *cycleGate) { g.max = 100 }, provisioning.Stats{Disabled: 8, Deleted: 1}},
		{"directory fixed", func(e *env, _ *cycleGate) {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
		}, provisioning.Stats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate := &cycleGate{max: 5}
			e := newEnv(t, func(c *provisioning.Config) { c.Gate = gate })
			g := directory.Group{ObjectID: "g1", DisplayName: "Sales"}
			for i := 1; i <= 8; i++ {
				e.dir.PutUser(user(i))
				g.Members = append(g.Members, directory.Member{ID: fmt.Sprintf("u%d", i), Kind: directory.KindUser})
			}
			e.dir.PutGroup(g)
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
			wantStats(t, e.run().Stats, provisioning.Stats{Created: 9})

			e.dir.Unassign(appID, "g1")
			e.count.reset()
			res, err := e.engine.Run(context.Background())
			if !errors.Is(err, provisioning.ErrStaged) {
				t.Fatalf("Run() after the unassignment = %v, want ErrStaged", err)
			}
			wantStats(t, res.Stats, provisioning.Stats{Staged: 9})
			if want := (provisioning.CycleTotals{Deprovisions: 9, Managed: 9}); gate.seen[len(gate.seen)-1] != want {
				t.Errorf("CheckCycle() got totals %+v, want %+v", gate.seen[len(gate.seen)-1], want)
			}
			for _, r := range e.count.reset() {
				if !strings.HasPrefix(r, "GET ") {
					t.Errorf("staged cycle sent %s, want nothing but reads", r)
				}
			}
			if got := e.targetCount("Groups"); got != 1 {
				t.Errorf("target groups = %d, want 1", got)
			}
			if u := e.targetUser("user1@example.com"); u["active"] != true {
				t.Errorf("user1 active = %v, want true", u["active"])
			}
			staged := 0
			for _, l := range e.logs.Entries() {
				if l.Status == provisioning.StatusStaged {
					staged++
					if !strings.HasPrefix(l.Reason, "too many deletions") || (l.Action != provisioning.ActionDisable && l.Action != provisioning.ActionDelete) {
						t.Errorf("staged entry %s %s: reason %q, want a disable or delete for too many deletions", l.Action, l.SourceID, l.Reason)
					}
				}
			}
			if staged != 9 {
				t.Errorf("staged log entries = %d, want 9", staged)
			}

			tt.after(e, gate)
			wantStats(t, e.run().Stats, tt.want)
		})
	}
}
