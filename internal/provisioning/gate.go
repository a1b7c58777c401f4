package provisioning

import (
	"context"
	"errors"
	"fmt"
)

// Gate stands between planning and applying (DESIGN.md: "safety gates on
// the plan"): a cycle hands it every planned batch — one chunk of one
// stage, see [Engine.Run] — before applying it, and the gate lets the
// batch through, holds it or refuses it. Checks on a plan sit here, such
// as Entra's accidental-deletions threshold. [Engine.Plan] applies
// nothing and asks no gate. Implementations must be safe for concurrent
// use by the cycles of different jobs.
type Gate interface {
	Check(ctx context.Context, batch *Plan) (Verdict, error)
}

// Verdict is a gate's decision on one batch.
type Verdict struct {
	Decision Decision
	Reason   string // why a batch is held or refused, for the cycle's error
}

// Decision is what happens to a batch.
type Decision int

// Decisions.
const (
	// Pass applies the batch.
	Pass Decision = iota
	// Hold applies nothing more: the cycle stops with ErrHeld and the
	// watermark stays, so the next cycle plans the held objects again
	// (say, once an administrator has allowed them).
	Hold
	// Refuse applies nothing more: the cycle stops with ErrRefused and
	// the watermark stays.
	Refuse
)

// Errors a cycle ends with when its gate stopped a batch; the wrapping
// message carries the gate's reason.
var (
	ErrHeld    = errors.New("provisioning gate held a batch")
	ErrRefused = errors.New("provisioning gate refused a batch")
)

// Open is the gate that lets every batch through.
type Open struct{}

// Check implements Gate.
func (Open) Check(context.Context, *Plan) (Verdict, error) { return Verdict{Decision: Pass}, nil }

// check asks the gate about batch: nil when it may be applied.
func (e *Engine) check(ctx context.Context, batch *Plan) error {
	v, err := e.gate.Check(ctx, batch)
	if err != nil {
		return fmt.Errorf("gate: %w", err)
	}
	switch v.Decision {
	case Pass:
		return nil
	case Hold:
		return fmt.Errorf("%w of %d actions: %s", ErrHeld, len(batch.Actions), v.Reason)
	}
	return fmt.Errorf("%w of %d actions: %s", ErrRefused, len(batch.Actions), v.Reason)
}
