package provisioning_test

import (
	"context"
	"errors"
	"testing"

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
