package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/scim/client"
)

// CycleOnDemand is the kind of a provision on demand ([Engine.Provision]):
// its log entries carry a cycle id of their own, and it never moves the
// watermark.
const CycleOnDemand CycleKind = "on-demand"

// MaxOnDemandMembers is how many user members of a group a provision on
// demand of the group provisions with it (Entra: "a group with up to 5
// members"); the rest are left to the next cycle.
const MaxOnDemandMembers = 5

// maxShownValues bounds the values of a list attribute that an import
// step shows (a group's members).
const maxShownValues = 10

// OnDemand is what a provision on demand did.
type OnDemand struct {
	CycleID string
	// Objects are in the order applied: a group's members first (so that
	// the group is written with their target ids), then the object asked
	// for.
	Objects []Provisioned
	// MembersLeft counts a group's members not provisioned with it (users
	// beyond MaxOnDemandMembers, and nested groups, which Entra's
	// provision on demand leaves out too): the next cycle handles them.
	MembersLeft int
	Stats       Stats // what was done, as a cycle counts it
}

// Provisioned is one object provisioned on demand, step by step.
type Provisioned struct {
	// Entry is the provisioning log entry written for the object: its
	// steps (import, scope, match, action), action, status, modified
	// properties (old → new), target id, and error code and reason.
	Entry LogEntry
	// Attributes are the source attributes its mappings and scoping
	// filters read, with their values (the import step; "[Redact]" for
	// those only a Redact expression reads).
	Attributes []SourceValue
	// Requests are the SCIM requests of the action, with their bodies,
	// as [Engine.Preview] lists them.
	Requests []Request
	// Exchanges are the requests sent for the object, matching queries
	// included, with the status the target answered (0: none came).
	Exchanges []client.Exchange
}

// SourceValue is a source attribute and its value as logs show it.
type SourceValue struct {
	Name  string
	Value string // empty: null
}

// Provision provisions the object sourceID of type t now, with the
// planner and the applier of a cycle (Entra's "provision on demand"):
// whether or not the job is due or would pick the object, and even when a
// retry of it is not due yet. It writes what a cycle writes for the
// object (its link and a log entry, under a cycle id of kind
// CycleOnDemand) and moves no watermark. A group is provisioned after up
// to MaxOnDemandMembers of its user members. Actions pass no Gate: one
// object is no batch for a threshold to weigh. Like a cycle, it must not
// overlap another cycle of the job.
func (e *Engine) Provision(ctx context.Context, t ObjectType, sourceID string) (*OnDemand, error) {
	cyc, err := e.begin(ctx)
	if err != nil {
		return nil, err
	}
	cyc.kind, cyc.onDemand = CycleOnDemand, true
	out := &OnDemand{CycleID: cyc.id}
	sent := e.target.requests.Load()
	var members []string
	if t == TypeGroup && e.groups != nil {
		if members, out.MembersLeft, err = cyc.userMembers(ctx, e.src, sourceID); err != nil {
			return nil, fmt.Errorf("provision %s %s: %w", t, sourceID, err)
		}
	}
	err = nil
	for _, o := range append(pairs(TypeUser, members), typedID{t, sourceID}) {
		p, perr := e.provisionOne(ctx, cyc, o.t, o.id)
		if perr != nil {
			err = fmt.Errorf("provision %s %s: %w", o.t, o.id, perr)
			break
		}
		out.Objects = append(out.Objects, p)
	}
	if ferr := cyc.links.flush(context.WithoutCancel(ctx), e.links); ferr != nil && err == nil {
		err = fmt.Errorf("provision %s %s: store links: %w", t, sourceID, ferr)
	}
	if err != nil {
		return nil, err
	}
	out.Stats = cyc.stats(e.target.requests.Load() - sent)
	// Every object provisioned on demand is logged: an unchanged one is a
	// logged skip, counted there.
	out.Stats.Unchanged = 0
	return out, nil
}

type typedID struct {
	t  ObjectType
	id string
}

func pairs(t ObjectType, ids []string) []typedID {
	out := make([]typedID, len(ids))
	for i, id := range ids {
		out[i] = typedID{t, id}
	}
	return out
}

// userMembers lists up to MaxOnDemandMembers direct user members of the
// group id, in the directory's order, and counts the members left out.
func (c *cycle) userMembers(ctx context.Context, src Source, id string) (users []string, left int, err error) {
	cands, err := c.load(ctx, src, TypeGroup, []string{id})
	if err != nil {
		return nil, 0, err
	}
	o := cands[0].obj
	if o == nil {
		return nil, 0, nil
	}
	for _, m := range o.Group.Members {
		if m.Kind == directory.KindUser && len(users) < MaxOnDemandMembers {
			users = append(users, m.ID)
		} else {
			left++
		}
	}
	return users, left, nil
}

// provisionOne plans and applies one object as a cycle does, tracing the
// requests it sends.
func (e *Engine) provisionOne(ctx context.Context, cyc *cycle, t ObjectType, id string) (Provisioned, error) {
	var p Provisioned
	var mu sync.Mutex
	ctx = client.ContextWithTrace(ctx, func(x client.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		p.Exchanges = append(p.Exchanges, x)
	})
	a, err := e.planOne(ctx, cyc, t, id)
	if err != nil {
		return p, err
	}
	cands, err := cyc.load(ctx, e.src, t, []string{id})
	if err != nil {
		return p, err
	}
	if m := e.mapping(t); m != nil && cands[0].obj != nil {
		p.Attributes = m.sourceValues(cands[0].obj)
		a.Steps = e.explain(cyc, m, cands[0], a)
	}
	if p.Requests, err = e.requests(a); err != nil {
		return p, err
	}
	a.quiet = false // an object provisioned on demand is always logged
	logged := false
	ap := &applier{e: e, cycle: cyc, logged: func(le LogEntry) { p.Entry, logged = le, true }}
	ap.exec(ctx, a)
	if !logged {
		return p, fmt.Errorf("not applied: %w", context.Cause(ctx))
	}
	return p, nil
}

// explain returns a's steps with the scope decision in detail (how the
// object is in the job's scope, each scoping clause's result) and, for a
// linked object, the link as its match.
func (e *Engine) explain(cyc *cycle, m *compiledMapping, c candidate, a *Action) []Step {
	steps := slices.Clone(a.Steps)
	if len(steps) == 0 { // an unchanged object without a link: no steps planned
		steps = c.steps()
	}
	for i := range steps {
		if steps[i].Name == StepScope {
			steps[i].Detail = cyc.scope.explain(e.mode, c, m.scoping, cyc.scope.filter.now)
			if c.scope.verdict != inScope {
				steps[i].Status = StatusSkipped
			}
		}
	}
	if a.TargetID != "" && !slices.ContainsFunc(steps, func(s Step) bool { return s.Name == StepMatch }) {
		steps = append(steps, Step{Name: StepMatch, Status: StatusSuccess,
			Detail: "linked to target object " + a.TargetID + " by an earlier cycle"})
	}
	return steps
}

// explain details a scope decision: the decision, how the object is in
// the job's scope (Entra: "Assigned to application", "Scope sync all"),
// each scoping clause's result, and its own state.
func (s *scope) explain(mode ScopeMode, c candidate, f *scoping.Set, now time.Time) string {
	parts := []string{c.scope.reason}
	switch {
	case mode == ScopeAll:
		parts = append(parts, "scope: all users and groups")
	case s.assigned(c.obj.Type, c.id):
		parts = append(parts, "assigned "+s.assignedBy(c.obj.Type, c.id))
	}
	for _, r := range f.Explain(c.obj, now) {
		parts = append(parts, fmt.Sprintf("filter %d: %s: %t", r.Filter, r.Clause, r.Result))
	}
	if c.obj.Type == TypeUser {
		parts = append(parts, fmt.Sprintf("active in the directory: %t", !c.obj.User.SoftDeleted() && c.obj.User.AccountEnabled))
	}
	return strings.Join(parts, "; ")
}

// assignedBy says how an object of the job's scope (assigned mode) is
// assigned: through a group that has it as a member (by name), else
// directly.
func (s *scope) assignedBy(t ObjectType, id string) string {
	if t == TypeUser {
		for _, g := range s.groupObjs {
			if !g.SoftDeleted() && slices.ContainsFunc(g.Members, func(m directory.Member) bool { return m.ID == id }) {
				return fmt.Sprintf("through group %q", g.DisplayName)
			}
		}
	}
	return "directly"
}

// sourceValues lists the source attributes the mapping and its scoping
// filters read, in mapping order, each once, with o's values.
func (c *compiledMapping) sourceValues(o *Object) []SourceValue {
	redacted := map[string]bool{} // lower-cased name → read only by Redact
	var names []string
	add := func(name string, redact bool) {
		key := strings.ToLower(name)
		if r, seen := redacted[key]; seen {
			redacted[key] = r && redact
			return
		}
		redacted[key] = redact
		names = append(names, name)
	}
	for i, a := range c.Attributes {
		switch src := a.Source.(type) {
		case Direct:
			add(src.Attr, false)
		case Expression:
			for _, n := range src.Attributes() {
				add(n, c.redacted[i])
			}
		}
	}
	for _, n := range c.scoping.Attributes() {
		add(n, false)
	}
	out := make([]SourceValue, len(names))
	for i, n := range names {
		out[i] = SourceValue{Name: n, Value: "[Redact]"}
		if !redacted[strings.ToLower(n)] {
			out[i].Value = shown(o.Attr(n))
		}
	}
	return out
}

// shown is a value as logs show it, a long list cut to its first
// maxShownValues values.
func shown(v any, ok bool) string {
	if l, isList := v.([]string); isList && len(l) > maxShownValues {
		return joinCut(l, maxShownValues)
	}
	return display(v, ok)
}
