package provisioning

import (
	"context"
	"log/slog"
	"slices"
)

// planChunk is how many objects a cycle plans, then applies, at a time:
// a cycle's memory is bounded by it, not by the directory's size.
const planChunk = 2000

// planStage plans the objects ids of type t.
func (e *Engine) planStage(ctx context.Context, c *cycle, t ObjectType, ids []string, resolve resolver) (*Plan, error) {
	plan := &Plan{CycleID: c.id, Kind: c.kind, From: c.from, To: c.head}
	err := e.stage(ctx, c, t, ids, resolve, func(p *Plan) error { plan.add(p); return nil })
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// stage plans the objects ids of type t chunk by chunk, handing each
// chunk's plan to fn before planning the next (an error of fn stops it);
// the target is listed for matching (or not) once for all of them.
func (e *Engine) stage(ctx context.Context, c *cycle, t ObjectType, ids []string, resolve resolver, fn func(*Plan) error) error {
	m := e.mapping(t)
	mt := &matcher{t: e.target, m: m}
	if e.shouldList(c.countUnlinked(t, ids), c.links.count(t)) {
		if err := mt.load(ctx); err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: listing the target failed; matching per object",
				slog.String("endpoint", m.Endpoint), slog.String("error", err.Error()))
			mt.ix = nil
		}
	}
	for chunk := range slices.Chunk(ids, planChunk) {
		cands, err := c.load(ctx, e.src, t, chunk)
		if err != nil {
			return err
		}
		// The planner reads the links, which the previous chunk's apply
		// has updated: a chunk sees its predecessors' creates.
		p := &planner{m: m, links: c.links, match: mt, resolve: resolve, now: e.now()}
		decided := make([]*Action, len(cands))
		idx := make([]int, len(cands))
		for i := range idx {
			idx[i] = i
		}
		parallel(ctx, e.concurrency, idx, func(i int) { decided[i] = p.decide(ctx, cands[i]) })
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.settling {
			for i, a := range decided {
				c.settled.set(t, cands[i].id, a != nil && a.settles)
			}
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
		if err := fn(plan); err != nil {
			return err
		}
	}
	return nil
}

// shouldList decides between one listing of the target and a query per
// unlinked object: listing wins when there are at least listThreshold
// objects to match and the listing (its size estimated from the links)
// takes fewer pages than there are objects.
func (e *Engine) shouldList(unlinked, linked int) bool {
	pages := (linked+unlinked)/listPageSize + 1
	return e.listThreshold > 0 && unlinked >= e.listThreshold && pages < unlinked
}

// countUnlinked counts the objects among ids that are in scope and need
// matching (no link, or a create that was never confirmed), without
// reading them.
func (c *cycle) countUnlinked(t ObjectType, ids []string) int {
	inScope := c.scope.users
	if t == TypeGroup {
		inScope = c.scope.groups
	}
	n := 0
	for _, id := range ids {
		if !inScope[id] {
			continue
		}
		if l, ok := c.links.get(t, id); !ok || l.State == LinkPendingCreate {
			n++
		}
	}
	return n
}
