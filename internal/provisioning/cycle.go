package provisioning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/directory"
)

// changesPage is how many change records one read of the feed returns.
const changesPage = 5000

// loadBatch is how many objects one read of the source asks for.
const loadBatch = 500

// cycle is the state of one cycle.
type cycle struct {
	id       string
	kind     CycleKind
	from     int64 // watermark at the start (0 for an initial cycle)
	head     int64 // change-feed head read before anything else
	scope    *scope
	links    *LinkTable
	store    LinkStore
	changed  map[ObjectType]map[string]bool // incremental: objects in the feed since from
	settled  *Settled                       // skips an incremental cycle need not repeat
	settling bool                           // record the decisions in settled (Run, not Plan)
	onDemand bool                           // a provision on demand (see Engine.Provision)
	// incremental: objects whose membership of a MEMBER_OF group changed
	// since the last cycle, by type
	moved map[ObjectType][]string
	// incremental: types whose every object of the job's scope is
	// evaluated, because their scoping filters' result may have changed
	// without a change to the object (see sweeps)
	sweep     map[ObjectType]bool
	counts    counters
	unchanged atomic.Int64
	// stage is why the gate staged every disable and delete of the cycle
	// (see CycleGate); "" when it did not.
	stage string
	// flagged: the objects evaluated whatever the feed says (see
	// CycleMemory), by type; nil until Engine.flag (Plan and the other
	// uses of a cycle compute them in candidateIDs).
	flagged              map[ObjectType]map[string]bool
	tableGen, settledGen uint64
	// from CycleMemory, for Engine.flag: the kept flagged objects, and the
	// kept scope when this cycle read it again (nil when it reuses it)
	kept      map[ObjectType]map[string]bool
	keptScope *scope
}

// begin reads the watermark, the feed head, the scope and the links. The
// head is read first, so changes made while the cycle runs are read again
// by the next one. The scope, the links and the changes are read at once:
// each is a scan of up to a directory's size.
func (e *Engine) begin(ctx context.Context) (*cycle, error) {
	return e.beginCycle(ctx, false)
}

// beginCycle is begin; with remember (Run), an incremental cycle that
// continues from the last one (see CycleMemory) reads the feed first and
// reads the scope again only when the feed may have changed it.
func (e *Engine) beginCycle(ctx context.Context, remember bool) (*cycle, error) {
	wm, ok, err := e.links.Watermark(ctx)
	if err != nil {
		return nil, fmt.Errorf("read watermark: %w", err)
	}
	c := &cycle{id: uuid.NewString(), kind: CycleInitial, store: e.links, settled: e.settled}
	if c.head, err = e.src.Head(ctx); err != nil {
		return nil, fmt.Errorf("read change feed head: %w", err)
	}
	if ok {
		pruned, err := e.src.PrunedThrough(ctx)
		if err != nil {
			return nil, fmt.Errorf("read change feed retention: %w", err)
		}
		if pruned > wm {
			// The changes after the watermark are partly gone: only an
			// initial cycle sees everything again.
			e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: the change feed no longer holds the changes since the last cycle; running an initial cycle",
				slog.String("job", e.jobID), slog.Int64("watermark", wm), slog.Int64("pruned_through", pruned))
			ok = false
		}
	}
	if ok {
		c.kind, c.from = CycleIncremental, wm
	}
	var prevScope *scope
	if ok && remember {
		prevScope, c.kept, remember = e.memory.kept(e, wm)
	} else {
		remember = false
	}
	var scopeErr, linksErr, changesErr, membersErr error
	var members *membership
	var wg sync.WaitGroup
	if !remember {
		wg.Go(func() { c.scope, scopeErr = loadScope(ctx, e.src, e.mode, e.appID) })
	}
	wg.Go(func() { c.links, linksErr = e.linkTable(ctx) })
	wg.Go(func() { members, membersErr = loadMembership(ctx, e.src, e.memberOfGroups()) })
	var roleGroups []string
	var assignsMoved bool
	if ok {
		wg.Go(func() { c.changed, roleGroups, assignsMoved, changesErr = readChanges(ctx, e.src, e.appID, wm, c.head) })
	}
	wg.Wait()
	if err := errors.Join(scopeErr, linksErr, changesErr, membersErr); err != nil {
		return nil, err
	}
	if remember {
		if c.scopeMoved(e.mode, assignsMoved) {
			if c.scope, err = loadScopeFrom(ctx, e.src, e.mode, e.appID, prevScope, c.changed[TypeGroup], assignsMoved); err != nil {
				return nil, err
			}
			c.keptScope = prevScope
		} else {
			c.scope = prevScope.reuse()
		}
	}
	c.scope.filter = scopeFilter{users: e.users.scoping, members: members, now: e.now()}
	if e.groups != nil {
		c.scope.filter.groups = e.groups.scoping
	}
	for _, g := range e.settled.newlyMissing(members) {
		e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: no directory group has the object id or name a scoping filter's MEMBER_OF clause names; nobody is its member",
			slog.String("job", e.jobID), slog.String("group", g))
	}
	if ok {
		c.moved, c.sweep = e.sweeps(c, members)
	}
	if ok && e.users.roles {
		if err := c.addRoleChanges(ctx, e.src, roleGroups); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// memberOfGroups lists the groups the scoping filters' MEMBER_OF clauses
// name, users' and groups', each once.
func (e *Engine) memberOfGroups() []string {
	out := e.users.scoping.Groups()
	if e.groups != nil {
		for _, g := range e.groups.scoping.Groups() {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// sweeps finds what an incremental cycle must evaluate beyond the feed and
// the links because of the scoping filters: the objects that joined or
// left a MEMBER_OF group since the last cycle (the feed names the group,
// not them); and every object of the job's scope of a type whose filters
// read the clock (a relative date turns true or false by itself) or
// whose MEMBER_OF membership of the last cycle is unknown (after a server
// restart) while groups changed.
func (e *Engine) sweeps(c *cycle, members *membership) (map[ObjectType][]string, map[ObjectType]bool) {
	sweep := map[ObjectType]bool{}
	var moved map[ObjectType][]string
	if prev, known := e.settled.membership(); known {
		moved = changedMembers(prev, members.of)
	} else if len(c.changed[TypeGroup]) > 0 {
		sweep[TypeUser] = len(e.users.scoping.Groups()) > 0
		sweep[TypeGroup] = e.groups != nil && len(e.groups.scoping.Groups()) > 0
	}
	sweep[TypeUser] = sweep[TypeUser] || readsClock(e.users.Scoping)
	sweep[TypeGroup] = sweep[TypeGroup] || e.groups != nil && readsClock(e.groups.Scoping)
	return moved, sweep
}

// addRoleChanges marks as changed the users whose appRoleAssignments a
// change of groups may have changed: the members, direct and nested, of
// the groups whose assignment to the app changed (roleGroups: a role given
// or taken, or the group assigned or unassigned) and of the changed groups
// that give a role (members added, nested or soft-deleted). Only users are
// read and evaluated, and only those whose values changed cost a request.
// A user removed from a group while staying in scope another way is not
// named by the feed; the next initial cycle (or a change of the user)
// corrects its roles.
func (c *cycle) addRoleChanges(ctx context.Context, src Source, roleGroups []string) error {
	for id := range c.changed[TypeGroup] {
		if c.scope.roleGroups[id] {
			roleGroups = append(roleGroups, id)
		}
	}
	if len(roleGroups) == 0 {
		return nil
	}
	groups := map[string]*directory.Group{}
	seen := map[string]bool{}
	for next := roleGroups; len(next) > 0; {
		var missing []string
		for _, id := range next {
			if c.scope.groupObjs[id] == nil && groups[id] == nil && !seen[id] {
				missing = append(missing, id)
			}
		}
		for batch := range slices.Chunk(missing, loadBatch) {
			gs, err := src.Groups(ctx, batch)
			if err != nil {
				return fmt.Errorf("read groups whose assignment changed: %w", err)
			}
			for _, g := range gs {
				groups[g.ObjectID] = g
			}
		}
		var nested []string
		for _, id := range next {
			g := c.scope.groupObjs[id]
			if g == nil {
				g = groups[id]
			}
			if g == nil || seen[id] {
				continue
			}
			seen[id] = true
			for _, m := range g.Members {
				switch m.Kind {
				case directory.KindUser:
					c.changed[TypeUser][m.ID] = true
				case directory.KindGroup:
					nested = append(nested, m.ID)
				}
			}
		}
		next = nested
	}
	return nil
}

// readChanges collects the objects changed in (after, head], the groups
// whose assignment to the app appID changed (assigned, unassigned, or
// given another role: the store records a role change as an assign), and
// whether any assignment to the app changed.
func readChanges(ctx context.Context, src Source, appID string, after, head int64) (map[ObjectType]map[string]bool, []string, bool, error) {
	out := map[ObjectType]map[string]bool{TypeUser: {}, TypeGroup: {}}
	var assigned []string
	moved := false
	for after < head {
		page, err := src.Changes(ctx, after, changesPage)
		if err != nil {
			return nil, nil, false, fmt.Errorf("read change feed after %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, ch := range page {
			if ch.Seq > head {
				return out, assigned, moved, nil
			}
			if (ch.Op == directory.OpAssign || ch.Op == directory.OpUnassign) && ch.AppID == appID {
				moved = true
			}
			switch ch.Kind {
			case directory.KindUser:
				out[TypeUser][ch.ObjectID] = true
			case directory.KindGroup:
				out[TypeGroup][ch.ObjectID] = true
				if (ch.Op == directory.OpAssign || ch.Op == directory.OpUnassign) && ch.AppID == appID {
					assigned = append(assigned, ch.ObjectID)
				}
			}
			after = ch.Seq
		}
	}
	return out, assigned, moved, nil
}

// candidateIDs lists the objects of type t the cycle evaluates. Initial:
// everything in scope and everything linked. Incremental: what the feed
// changed, and the flagged objects (see CycleMemory): links that need
// attention (pending create, failed, unresolved references), and every
// object whose scope disagrees with its link: in scope without a link,
// linked and active but out of scope, disabled but back in scope (each
// unless an earlier cycle settled it, see Settled); plus what the scoping
// filters need (see Engine.sweeps).
// Comparing the scope with the links catches every assignment, group
// membership and nested-group change; with a CycleMemory only the objects
// whose scope, link or settled state changed are compared again.
func (c *cycle) candidateIDs(t ObjectType, extra []string) []string {
	inScope := c.scope.in(t)
	ids := map[string]bool{}
	for _, id := range extra {
		ids[id] = true
	}
	if c.kind == CycleInitial {
		c.links.each(t, func(id string, _ *Link) { ids[id] = true })
	}
	flagged := c.flagged[t]
	if flagged == nil {
		flagged = c.fullFlags(t)
	}
	for id := range flagged {
		ids[id] = true
	}
	if c.kind == CycleInitial || c.sweep[t] {
		for id := range inScope {
			ids[id] = true
		}
	}
	for id := range c.changed[t] {
		ids[id] = true
	}
	for _, id := range c.moved[t] {
		ids[id] = true
	}
	for _, id := range c.settled.flipped(t, inScope) {
		ids[id] = true
	}
	out := make([]string, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// load reads the candidates' objects, from the scope's cache or the source,
// and their full links.
func (c *cycle) load(ctx context.Context, src Source, t ObjectType, ids []string) ([]candidate, error) {
	return c.loadWith(ctx, src, t, ids, c.fullLinks)
}

// loadWith is load with the candidates' links read by links.
func (c *cycle) loadWith(ctx context.Context, src Source, t ObjectType, ids []string,
	links func(context.Context, ObjectType, []string) (map[string]Link, error)) ([]candidate, error) {
	objs := map[string]*Object{}
	reasons := map[string]scoped{}
	var missing []string
	for _, id := range ids {
		if o, why, ok := c.cached(t, id); ok {
			objs[id], reasons[id] = o, why
		} else {
			missing = append(missing, id)
		}
	}
	for batch := range slices.Chunk(missing, loadBatch) {
		if err := c.fetch(ctx, src, t, batch, objs, reasons); err != nil {
			return nil, err
		}
	}
	ls, err := links(ctx, t, ids)
	if err != nil {
		return nil, err
	}
	out := make([]candidate, len(ids))
	for i, id := range ids {
		out[i] = candidate{id: id, obj: objs[id], scope: reasons[id]}
		if l, ok := ls[id]; ok {
			out[i].link = &l
		}
	}
	return out, nil
}

// tableLinks returns the links of ids as the cycle's table holds them,
// without what was written.
func (c *cycle) tableLinks(_ context.Context, t ObjectType, ids []string) (map[string]Link, error) {
	out := map[string]Link{}
	for _, id := range ids {
		if l, ok := c.links.get(t, id); ok {
			out[id] = l
		}
	}
	return out, nil
}

// fullLinks returns the links of ids, with what was written to the target
// (read from the store for linked objects; the table holds no Written).
func (c *cycle) fullLinks(ctx context.Context, t ObjectType, ids []string) (map[string]Link, error) {
	out := map[string]Link{}
	var linked []string
	for _, id := range ids {
		if l, ok := c.links.get(t, id); ok {
			out[id] = l
			if l.TargetID != "" {
				linked = append(linked, id)
			}
		}
	}
	if len(linked) == 0 {
		return out, nil
	}
	if err := c.links.flush(ctx, c.store); err != nil {
		return nil, fmt.Errorf("read %s links: %w", t, err)
	}
	full, err := c.store.LinksOf(ctx, t, linked)
	if err != nil {
		return nil, fmt.Errorf("read %s links: %w", t, err)
	}
	for _, l := range full {
		if _, ok := out[l.SourceID]; ok {
			out[l.SourceID] = l
		}
	}
	return out, nil
}

func (c *cycle) cached(t ObjectType, id string) (*Object, scoped, bool) {
	if t == TypeUser {
		if u, ok := c.scope.userObjs[id]; ok {
			o, why := c.scope.userObject(u)
			return o, why, true
		}
		return nil, scoped{}, false
	}
	if g, ok := c.scope.groupObjs[id]; ok {
		o, why := c.scope.groupObject(g)
		return o, why, true
	}
	return nil, scoped{}, false
}

func (c *cycle) fetch(ctx context.Context, src Source, t ObjectType, ids []string, objs map[string]*Object, reasons map[string]scoped) error {
	if t == TypeUser {
		us, err := src.Users(ctx, ids)
		if err != nil {
			return fmt.Errorf("read users: %w", err)
		}
		for _, u := range us {
			objs[u.ObjectID], reasons[u.ObjectID] = c.scope.userObject(u)
		}
		return nil
	}
	gs, err := src.Groups(ctx, ids)
	if err != nil {
		return fmt.Errorf("read groups: %w", err)
	}
	for _, g := range gs {
		objs[g.ObjectID], reasons[g.ObjectID] = c.scope.groupObject(g)
	}
	return nil
}

// groupsTouchedBy lists the groups in scope with a member whose link a
// user action created or removed (touched; all: more than touchedMax,
// any user): their target members change.
func (c *cycle) groupsTouchedBy(touched map[string]bool, all bool) []string {
	if len(touched) == 0 && !all {
		return nil
	}
	var out []string
	for id := range c.scope.groups {
		g := c.scope.groupObjs[id]
		if g != nil && slices.ContainsFunc(g.Members, func(m directory.Member) bool { return all && m.Kind == directory.KindUser || touched[m.ID] }) {
			out = append(out, id)
		}
	}
	return out
}

// unresolvedAfter lists the users left with unresolved references when
// this cycle created users (a manager may now have a target id), among
// the user stage's candidates ids (sorted): they hold every link with
// unresolved references, which needs attention and is a candidate, and
// every link the stage wrote; so an incremental cycle that creates one
// user reads its candidates, not every link of a million.
func (c *cycle) unresolvedAfter(created bool, ids []string) []string {
	if !created {
		return nil
	}
	var out []string
	for _, id := range ids {
		if l, ok := c.links.get(TypeUser, id); ok && l.Unresolved && l.TargetID != "" {
			out = append(out, id)
		}
	}
	return out
}

func (c *cycle) stats(requests int64) Stats {
	return Stats{
		Created: c.counts.created.Load(), Updated: c.counts.updated.Load(), Disabled: c.counts.disabled.Load(),
		Deleted: c.counts.deleted.Load(), Skipped: c.counts.skipped.Load(), Matched: c.counts.matched.Load(), Failed: c.counts.failed.Load(),
		Staged: c.counts.staged.Load(), Unchanged: c.unchanged.Load(), Requests: requests,
	}
}
