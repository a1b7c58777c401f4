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
	pr := progressOf(ctx)
	if pr != nil {
		pr.StagePlanned(t, len(ids))
	}
	for chunk := range slices.Chunk(ids, planChunk) {
		cands, err := c.load(ctx, e.src, t, chunk)
		if err != nil {
			return err
		}
		// The planner reads the links, which the previous chunk's apply
		// has updated: a chunk sees its predecessors' creates.
		p := &planner{m: m, links: c.links, match: mt, resolve: resolve, now: e.now(), skipOutOfScope: e.skipOutOfScope,
			retryNow: c.onDemand}
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
			for i := range decided {
				c.settle(t, cands[i], &decided[i])
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
		if pr != nil {
			pr.ChunkDone(t, len(chunk))
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

// settle records in the job's Settled whether the decision of an object
// settled it (see Settled): a settling skip; or, for an object out of
// scope by the filters or for its own state, its disable or delete, or
// nothing to do (its account is disabled already). A failed action needs
// attention, and a cycle that stops early reads its changes again, so
// neither is lost. A settling skip of an object settled already that the
// feed does not name (a sweep evaluated it again) is dropped: it was
// logged when it settled.
func (c *cycle) settle(t ObjectType, cand candidate, a **Action) {
	assigned := c.scope.assigned(t, cand.id)
	v := cand.scope.verdict
	var settles bool
	switch {
	case *a != nil && (*a).settles:
		settles = true
		if c.settled.has(t, cand.id, assigned) && !c.changed[t][cand.id] {
			*a = nil
		}
	case v == filteredOut || v == ownState:
		settles = *a == nil || (*a).Kind == ActionDisable || (*a).Kind == ActionDelete
	}
	c.settled.set(t, cand.id, settles, assigned)
}
