package provisioning

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// CycleKind says whether a cycle evaluates everything or only changes.
type CycleKind string

// Cycle kinds (Entra: initial and incremental cycles).
const (
	CycleInitial     CycleKind = "initial"
	CycleIncremental CycleKind = "incremental"
)

// Plan is what a cycle will do: one action per object that needs one.
// Objects whose mapped values equal what was last written are counted in
// Unchanged and cost nothing.
type Plan struct {
	CycleID   string
	Kind      CycleKind
	From, To  int64 // change-feed sequences: after From, up to To
	Actions   []*Action
	Unchanged int
}

// Action is the planned action for one object.
type Action struct {
	Kind       ActionKind
	Type       ObjectType
	SourceID   string
	SourceName string
	TargetID   string                // empty for a create
	Resource   scim.Resource         // create: the resource to POST
	Ops        []scim.PatchOperation // update, disable: the PATCH operations
	Modified   []ModifiedProperty
	Reason     string // why a skip, or a note on the action
	Steps      []Step

	err      error // a failure while planning (a match query failed)
	link     *Link // the link before the action, nil if none
	next     Link  // the link to store after success
	warn     bool  // a skip logged as a warning
	keepLink bool  // a skip that stores next (a match, a cleared failure)
	dropLink bool  // a skip that deletes the link
	quiet    bool  // no log entry (bookkeeping only)
	settles  bool  // a skip of a never-provisioned object for its own state (see Settled)
	// matched: linked to a target object found by its matching
	// attributes (see Stats.Matched)
	matched bool
	// failing is the action a failure while planning (a.err) stood for:
	// what the escrow records instead of skip
	failing ActionKind
	// match is a create's matching values, to look the object up when
	// the create's answer is lost (applier.send)
	match  []matchValue
	staged bool // a disable or delete the gate staged: logged, not sent
	// rest is what a create leaves out of long reference lists
	// (members), added by PATCH requests after it (restOps); sent is then
	// the values the create alone writes.
	rest []listRest
	sent map[string]any
}

// deprovisions reports a disable or a delete: what a deletion threshold
// counts.
func (a *Action) deprovisions() bool {
	return a.err == nil && (a.Kind == ActionDisable || a.Kind == ActionDelete)
}

// candidate is an object a cycle evaluates.
type candidate struct {
	id    string
	obj   *Object // nil: hard-deleted
	scope scoped  // scope decision
	link  *Link
}

// steps are the first steps of the candidate's log entry: import, and
// the scope decision of an object the directory still holds.
func (c candidate) steps() []Step {
	if c.obj == nil {
		return []Step{{Name: StepImport, Status: StatusSuccess, Detail: "deleted from the directory"}}
	}
	return []Step{{Name: StepImport, Status: StatusSuccess}, {Name: StepScope, Status: StatusSuccess, Detail: c.scope.reason}}
}

// planner decides the action for each candidate of one object type.
type planner struct {
	m       *compiledMapping
	links   *LinkTable
	match   *matcher
	resolve resolver
	now     time.Time
	// skipOutOfScope is Config.SkipOutOfScopeDeletions.
	skipOutOfScope bool
	// retryNow retries a failed object before its retry is due (provision
	// on demand).
	retryNow bool
	// deprovisionsOnly decides only the objects that may be disabled or
	// deleted (gone, or out of scope), without mapping or matching the
	// others (nil for them): the count a CycleGate is given.
	deprovisionsOnly bool
}

func (p *planner) decide(ctx context.Context, c candidate) *Action {
	if p.deprovisionsOnly && c.obj != nil && !c.obj.SoftDeleted {
		return nil // in scope: neither disabled nor deleted
	}
	a := &Action{Type: p.m.Type, SourceID: c.id, link: c.link, Steps: c.steps()}
	if c.obj != nil {
		a.SourceName = c.obj.Display()
	}
	linked := c.link != nil && c.link.TargetID != "" && c.link.State != LinkPendingCreate
	if linked {
		a.TargetID = c.link.TargetID
	}
	if c.link != nil && c.link.Failed() && c.link.NextRetry.After(p.now) && !p.retryNow {
		a.quiet = true // logged when it failed; logged again when retried
		return p.skip(a, fmt.Sprintf("retry scheduled at %s after %d failures", c.link.NextRetry.Format(time.RFC3339), c.link.Attempts))
	}
	switch {
	case c.obj == nil:
		return p.gone(a, linked)
	case c.obj.SoftDeleted:
		return p.outOfScope(a, c, linked)
	case linked:
		return p.update(a, c)
	}
	return p.createOrMatch(ctx, a, c)
}

func (p *planner) skip(a *Action, reason string) *Action {
	a.Kind, a.Reason = ActionSkip, reason
	return a
}

// gone handles a hard-deleted object: DELETE (Entra: "hard-deleted ⇒
// DELETE"), if the mapping's Delete action is on.
func (p *planner) gone(a *Action, linked bool) *Action {
	if !linked {
		a.dropLink, a.quiet = true, true
		return p.skip(a, "deleted before it was provisioned")
	}
	if !p.m.Actions.Delete {
		return p.skip(a, "deleted in the directory; the Delete action is off")
	}
	a.Kind = ActionDelete
	return a
}

// outOfScope handles an unassigned, filtered-out, disabled or
// soft-deleted object: a user is disabled with active=false (Entra: "a
// disable is a request to set the active property to false"), a group is
// deleted. With SkipOutOfScopeDeletions, an account out of scope (not
// assigned, failing the scoping filters) is left as it is, unless the
// object is disabled or soft-deleted in the directory.
func (p *planner) outOfScope(a *Action, c candidate, linked bool) *Action {
	why := c.scope.reason
	switch {
	case !linked && c.link != nil:
		a.dropLink, a.quiet = true, true
		return p.skip(a, why)
	case !linked:
		// Changes to objects the job never managed and that are not
		// assigned are no concern of this job: counted nowhere, not logged.
		// Assigned ones (filtered out, disabled, soft-deleted) are logged
		// once and then left alone until they change.
		a.quiet = c.scope.verdict == notAssigned
		a.settles = !a.quiet
		return p.skip(a, "not provisioned: "+why)
	case p.skipOutOfScope && (c.scope.verdict == notAssigned || c.scope.verdict == filteredOut) && !c.scope.own:
		a.settles = true
		return p.skip(a, why+"; SkipOutOfScopeDeletions is set, so the account is left as it is")
	case p.m.Type == TypeGroup && p.m.Actions.Delete:
		a.Kind, a.Reason = ActionDelete, why
		return a
	case p.m.active < 0 || !p.m.Actions.Update:
		return p.skip(a, why+"; no active mapping or the Update action is off, so the account is left as it is")
	case c.link.State == LinkDisabled:
		return nil
	}
	a.Kind, a.Reason = ActionDisable, why
	old := c.link.Written["active"]
	a.Ops = []scim.PatchOperation{op("replace", "active", false)}
	a.Modified = []ModifiedProperty{{Name: "active", Old: display(old, old != nil), New: "false"}}
	a.next = *c.link
	a.next.ClearFailure()
	a.next.Written = maps.Clone(c.link.Written)
	if a.next.Written == nil {
		a.next.Written = map[string]any{}
	}
	a.next.Written["active"] = false
	a.next.Hash, a.next.State = hashValues(a.next.Written), LinkDisabled
	return a
}

// update compares the mapped values with those last written.
func (p *planner) update(a *Action, c candidate) *Action {
	a.failing = ActionUpdate
	mp, err := p.m.evaluate(c.obj, p.resolve)
	if err != nil {
		a.err = err
		return p.skip(a, "mapping failed")
	}
	a.next = p.linkAfter(c.id, c.link.TargetID, mp)
	if c.link.Hash == mp.hash && c.link.State == LinkActive {
		if c.link.Failed() || c.link.Unresolved != mp.unresolved {
			a.keepLink, a.quiet = true, true
			return p.skip(a, "already in sync")
		}
		return nil
	}
	if !p.m.Actions.Update {
		return p.skip(a, "changed; the Update action is off")
	}
	a.Ops, a.Modified = p.m.diff(c.link.Written, mp.values)
	a.next.Written = p.m.kept(c.link.Written, mp.values)
	if len(a.Ops) == 0 {
		a.keepLink, a.quiet = true, true
		return p.skip(a, "already in sync")
	}
	a.Kind = ActionUpdate
	return a
}

// createOrMatch looks the object up on the target and creates it if absent.
func (p *planner) createOrMatch(ctx context.Context, a *Action, c candidate) *Action {
	a.failing = ActionCreate
	mp, err := p.m.evaluate(c.obj, p.resolve)
	if err != nil {
		a.err = err
		return p.skip(a, "mapping failed")
	}
	if len(mp.match) == 0 {
		return p.skip(a, "no value for any matching attribute")
	}
	res, detail, err := p.match.find(ctx, mp.match)
	if err != nil {
		a.err = err
		a.Steps = append(a.Steps, Step{Name: StepMatch, Status: StatusFailure, Detail: errorText(err)})
		return p.skip(a, "matching failed")
	}
	a.Steps = append(a.Steps, Step{Name: StepMatch, Status: StatusSuccess, Detail: detail})
	if res == nil {
		if !p.m.Actions.Create {
			return p.skip(a, "not on the target; the Create action is off")
		}
		if err := p.m.evaluateUnique(ctx, c.obj, mp, p.match.taken); err != nil {
			a.err = err
			return p.skip(a, "mapping failed")
		}
		a.Kind, a.Resource, a.match = ActionCreate, mp.create, mp.match
		a.next = p.linkAfter(c.id, "", mp)
		a.Modified = sortedModified(mp.create, p.m)
		a.rest, a.sent = p.m.splitLists(a.Resource, mp.values)
		return a
	}
	id, err := targetID(res)
	if err != nil {
		a.err = err
		a.Steps = append(a.Steps, Step{Name: StepMatch, Status: StatusFailure, Detail: errorText(err)})
		return p.skip(a, "matching failed")
	}
	if owner, taken := p.links.owner(p.m.Type, id); taken && owner != c.id {
		// Two source objects with one matching value: linking both to one
		// target object would let them overwrite each other.
		a.warn = true
		return p.skip(a, fmt.Sprintf("the matching target object %s is already linked to source object %s", id, owner))
	}
	a.TargetID, a.matched = id, true
	a.Steps[len(a.Steps)-1].Detail += ": target object " + id
	a.next = p.linkAfter(c.id, id, mp)
	current := p.m.targetValues(res)
	a.Ops, a.Modified = p.m.diff(current, mp.values)
	a.next.Written = p.m.kept(current, mp.values)
	if len(a.Ops) == 0 || !p.m.Actions.Update {
		a.keepLink = true
		return p.skip(a, "matched an existing target object; already in sync")
	}
	a.Kind = ActionUpdate
	return a
}

// linkAfter is the link as it will be once the action succeeds.
func (p *planner) linkAfter(sourceID, targetID string, mp *mapped) Link {
	return Link{Type: p.m.Type, SourceID: sourceID, TargetID: targetID, State: LinkActive,
		Hash: mp.hash, Written: mp.values, Unresolved: mp.unresolved}
}

// targetValues reads the always-applied mapped attributes from a target resource.
func (c *compiledMapping) targetValues(res scim.Resource) map[string]any {
	out := map[string]any{}
	for i, a := range c.Attributes {
		if v, ok := c.targets[i].get(res, a.Reference); ok && a.Apply == ApplyAlways {
			out[a.Target] = v
		}
	}
	return out
}

// sortedModified lists a create's values in mapping order.
func sortedModified(doc scim.Resource, m *compiledMapping) []ModifiedProperty {
	var out []ModifiedProperty
	for i, a := range m.Attributes {
		if v, ok := m.targets[i].get(doc, a.Reference); ok {
			out = append(out, m.modified(i, nil, false, v, true))
		}
	}
	return out
}

// splitLists keeps at most MaxMembersPerOp ids of each long reference list
// (members) in doc, a resource to create, and returns the ids left out and
// the values the create alone writes; nil when no list is that long.
// Entra creates groups with no members and adds them by PATCH; a
// 100,000-member POST would exceed a target's body limit.
func (c *compiledMapping) splitLists(doc scim.Resource, values map[string]any) ([]listRest, map[string]any) {
	var rest []listRest
	var sent map[string]any
	for i, a := range c.Attributes {
		ids, ok := values[a.Target].([]string)
		if !a.Reference || !ok || len(ids) <= MaxMembersPerOp {
			continue
		}
		if sent == nil {
			sent = maps.Clone(values)
		}
		// ids are sorted and unique (resolveRefs): the rest is the tail.
		first := ids[:MaxMembersPerOp]
		c.targets[i].set(doc, first, true)
		sent[a.Target] = first
		rest = append(rest, listRest{path: a.Target, ids: ids[MaxMembersPerOp:]})
	}
	return rest, sent
}

// listRest is the ids of a reference list that a create leaves out.
type listRest struct {
	path string
	ids  []string
}

// restOps yields the "add" operations of rest, MaxMembersPerOp ids each,
// one at a time as they are sent: the operations of a 100,000-member
// group (5 MB of JSON) are never all built at once.
func restOps(rest []listRest) iter.Seq[scim.PatchOperation] {
	return func(yield func(scim.PatchOperation) bool) {
		for _, r := range rest {
			for ids := range slices.Chunk(r.ids, MaxMembersPerOp) {
				if !yield(op("add", r.path, wire(ids, true))) {
					return
				}
			}
		}
	}
}
