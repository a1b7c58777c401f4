package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Gate stands between planning and applying (DESIGN.md: "safety gates on
// the plan"): a cycle hands it every planned batch — one chunk of one
// stage, see [Engine.Run] — before applying it, and the gate lets the
// batch through, stages its disables and deletes, holds it or refuses
// it. Checks on a plan sit here, such as Entra's accidental-deletions
// threshold (see [CycleGate] for checks on the whole cycle).
// [Engine.Plan] applies nothing and asks no gate. Implementations must be
// safe for concurrent use by the cycles of different jobs.
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
	// Stage applies the batch without its disables and deletes, which are
	// logged with status "staged" and not sent (Entra's StagedDelete);
	// the cycle runs to its end, then stops with ErrStaged and the
	// watermark stays, so the next cycle plans them again.
	Stage
)

// CycleGate is a Gate that also decides on a whole cycle before its first
// batch, from its totals: a threshold on the disables and deletes of one
// cycle (Entra's accidental-deletions prevention, entra-provisioning.md
// §3.9) needs them all, while the batches come one stage and one chunk at
// a time. Counting them costs no request: the cycle's candidates are read
// and classified, but not mapped or matched. A Stage verdict stages every
// disable and delete of the cycle.
type CycleGate interface {
	Gate
	CheckCycle(ctx context.Context, t CycleTotals) (Verdict, error)
}

// CycleTotals is what a cycle plans, counted before anything is applied.
type CycleTotals struct {
	// Deprovisions counts the disables and deletes of users and groups.
	Deprovisions int
	// Managed counts the objects the job manages (its links) before the
	// cycle; InScope the objects of its scope now.
	Managed, InScope int
}

// Errors a cycle ends with when its gate stopped a batch; the wrapping
// message carries the gate's reason.
var (
	ErrHeld    = errors.New("provisioning gate held a batch")
	ErrRefused = errors.New("provisioning gate refused a batch")
	ErrStaged  = errors.New("provisioning gate staged disables and deletes")
)

// Open is the gate that lets every batch through.
type Open struct{}

// Check implements Gate.
func (Open) Check(context.Context, *Plan) (Verdict, error) { return Verdict{Decision: Pass}, nil }

// check asks the gate about batch: nil when it may be applied, with the
// reason to stage its disables and deletes ("" for none).
func (e *Engine) check(ctx context.Context, batch *Plan) (stage string, err error) {
	v, err := e.gate.Check(ctx, batch)
	if err != nil {
		return "", fmt.Errorf("gate: %w", err)
	}
	return v.outcome(len(batch.Actions))
}

// checkCycle asks a CycleGate about the cycle's totals before its first
// batch; it returns the reason to stage every disable and delete of the
// cycle ("" for none).
func (e *Engine) checkCycle(ctx context.Context, c *cycle) (stage string, err error) {
	cg, ok := e.gate.(CycleGate)
	if !ok {
		return "", nil
	}
	t, err := e.totals(ctx, c)
	if err != nil {
		return "", err
	}
	v, err := cg.CheckCycle(ctx, t)
	if err != nil {
		return "", fmt.Errorf("gate: %w", err)
	}
	return v.outcome(t.Deprovisions)
}

// outcome turns a verdict on n actions into the reason to stage ("" for
// none) or the error that stops the cycle.
func (v Verdict) outcome(n int) (stage string, err error) {
	switch v.Decision {
	case Pass:
		return "", nil
	case Stage:
		if v.Reason == "" {
			return "staged by the provisioning gate", nil
		}
		return v.Reason, nil
	case Hold:
		return "", fmt.Errorf("%w of %d actions: %s", ErrHeld, n, v.Reason)
	}
	return "", fmt.Errorf("%w of %d actions: %s", ErrRefused, n, v.Reason)
}

// totals counts what the cycle c plans, for a CycleGate: the candidates of
// every stage are read and classified as Plan would, but not mapped or
// matched, and the links come from the cycle's table (without what was
// written), so no request is sent.
func (e *Engine) totals(ctx context.Context, c *cycle) (CycleTotals, error) {
	t := CycleTotals{Managed: c.links.count(TypeUser), InScope: len(c.scope.users)}
	types := []ObjectType{TypeUser}
	if e.groups != nil {
		types = append(types, TypeGroup)
		t.Managed += c.links.count(TypeGroup)
		t.InScope += len(c.scope.groups)
	}
	for _, typ := range types {
		p := &planner{m: e.mapping(typ), links: c.links, now: e.now(), skipOutOfScope: e.skipOutOfScope, deprovisionsOnly: true}
		for chunk := range slices.Chunk(c.candidateIDs(typ, nil), planChunk) {
			cands, err := c.loadWith(ctx, e.src, typ, chunk, c.tableLinks)
			if err != nil {
				return t, err
			}
			for _, cand := range cands {
				if a := p.decide(ctx, cand); a != nil && a.deprovisions() {
					t.Deprovisions++
				}
			}
		}
	}
	return t, nil
}
