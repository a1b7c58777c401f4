package provisioning

import (
	"context"
	"log/slog"
)

// planStage plans the objects ids of type t.
func (e *Engine) planStage(ctx context.Context, c *cycle, t ObjectType, ids []string, resolve resolver) (*Plan, error) {
	m := e.mapping(t)
	cands, err := c.load(ctx, e.src, t, ids)
	if err != nil {
		return nil, err
	}
	mt := &matcher{t: e.target, m: m}
	if e.shouldList(countUnlinked(cands), c.links.count(t)) {
		if err := mt.load(ctx); err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: listing the target failed; matching per object",
				slog.String("endpoint", m.Endpoint), slog.String("error", err.Error()))
			mt.ix = nil
		}
	}
	p := &planner{m: m, links: c.links, match: mt, resolve: resolve, now: e.now()}
	decided := make([]*Action, len(cands))
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	parallel(ctx, e.concurrency, idx, func(i int) { decided[i] = p.decide(ctx, cands[i]) })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan := &Plan{CycleID: c.id, Kind: c.kind, From: c.from, To: c.head}
	for _, a := range decided {
		if a == nil {
			plan.Unchanged++
			continue
		}
		plan.Actions = append(plan.Actions, a)
	}
	c.unchanged.Add(int64(plan.Unchanged))
	return plan, nil
}

// shouldList decides between one listing of the target and a query per
// unlinked object: listing wins when there are at least listThreshold
// objects to match and the listing (its size estimated from the links)
// takes fewer pages than there are objects.
func (e *Engine) shouldList(unlinked, linked int) bool {
	pages := (linked+unlinked)/listPageSize + 1
	return e.listThreshold > 0 && unlinked >= e.listThreshold && pages < unlinked
}

// countUnlinked counts in-scope candidates that need matching.
func countUnlinked(cands []candidate) int {
	n := 0
	for _, c := range cands {
		if c.obj != nil && !c.obj.SoftDeleted && (c.link == nil || c.link.State == LinkPendingCreate) {
			n++
		}
	}
	return n
}
