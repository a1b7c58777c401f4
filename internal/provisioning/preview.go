package provisioning

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// Request is one SCIM request an action sends, as a preview shows it.
type Request struct {
	Method string // POST, PATCH or DELETE
	// Path is relative to the Tenant URL: "/Users", "/Users/2819c223". A
	// PATCH that follows a create names the created resource "{id}".
	Path string
	// Body is the JSON body: a POST's scim.Resource (RFC 7644 §3.3), a
	// PATCH's scim.PatchRequest (§3.5.2); nil for a DELETE.
	Body any
}

// Preview is what the next cycle would do for one object.
type Preview struct {
	// Action is the planned action; a skip, with its Reason, when the
	// cycle sends nothing for the object (unchanged, out of scope, a
	// mapping or match that fails, …).
	Action   *Action
	Requests []Request // in the order the cycle sends them; none for a skip
}

// reasonUnchanged is a preview's reason for an object a cycle does not
// act on because its mapped values equal what its link last wrote.
const reasonUnchanged = "unchanged: the mapped values equal what was last written"

// Preview plans the object sourceID of type t alone, with the planner
// of [Engine.Plan], and returns the requests the next cycle would send
// for it, writing nothing: no target writes, no links, no logs, no
// watermark. Like Plan it reads the target to match an unlinked object.
// The object is evaluated whether or not an incremental cycle would pick
// it (it does once it changes); a group's members that have no target id
// yet are left out, as a cycle leaves them out until they are provisioned.
func (e *Engine) Preview(ctx context.Context, t ObjectType, sourceID string) (*Preview, error) {
	cyc, err := e.begin(ctx)
	if err != nil {
		return nil, err
	}
	a, err := e.planOne(ctx, cyc, t, sourceID)
	if err != nil {
		return nil, fmt.Errorf("preview %s %s: %w", t, sourceID, err)
	}
	if a.err != nil {
		// A planning failure (the mapping, a match query) is the answer:
		// the cycle would log it and send nothing for the object.
		a.Reason += ": " + errorText(a.err)
	}
	reqs, err := e.requests(a)
	if err != nil {
		return nil, fmt.Errorf("preview %s %s: %w", t, sourceID, err)
	}
	return &Preview{Action: a, Requests: reqs}, nil
}

// planOne plans the object sourceID of type t alone, with the planner of
// a cycle, and returns its action: a skip, with its reason, when the
// cycle would do nothing for it (the group mapping is off; its mapped
// values equal what its link last wrote).
func (e *Engine) planOne(ctx context.Context, cyc *cycle, t ObjectType, sourceID string) (*Action, error) {
	if e.mapping(t) == nil {
		return &Action{Kind: ActionSkip, Type: t, SourceID: sourceID,
			Reason: "the job does not provision groups (the group mapping is disabled)"}, nil
	}
	ids := []string{sourceID}
	var a *Action
	err := e.stage(ctx, cyc, t, ids, cyc.links.resolve, func(p *Plan) error {
		if len(p.Actions) > 0 {
			a = p.Actions[0]
		}
		return nil
	})
	if err != nil || a != nil {
		return a, err
	}
	a = &Action{Kind: ActionSkip, Type: t, SourceID: sourceID, Reason: reasonUnchanged}
	cands, err := cyc.load(ctx, e.src, t, ids)
	if err != nil {
		return nil, err
	}
	if c := cands[0]; c.obj != nil && c.link != nil {
		a.SourceName, a.TargetID, a.Steps = c.obj.Display(), c.link.TargetID, c.steps()
		if c.link.State == LinkDisabled {
			a.Reason = scopeReason(c.scope) + "; the account is disabled already"
		}
	}
	return a, nil
}

// requests lists the requests a's action sends; none for a skip.
func (e *Engine) requests(a *Action) ([]Request, error) {
	if m := e.mapping(a.Type); m != nil {
		return m.previewRequests(a)
	}
	return nil, nil
}

// previewRequests lists the requests the applier sends for a (see
// applier.create, applier.patch, applier.delete).
func (c *compiledMapping) previewRequests(a *Action) ([]Request, error) {
	collection, err := client.ResourcePath(c.Endpoint)
	if err != nil {
		return nil, err
	}
	patches := func(path string, ops []scim.PatchOperation) []Request {
		var out []Request
		for _, req := range c.requests(ops) {
			out = append(out, Request{Method: http.MethodPatch, Path: path,
				Body: scim.PatchRequest{Schemas: []string{scim.PatchOpMessage}, Operations: req}})
		}
		return out
	}
	switch a.Kind {
	case ActionCreate:
		out := []Request{{Method: http.MethodPost, Path: "/" + collection, Body: a.Resource}}
		if len(a.rest) > 0 {
			out = append(out, patches("/"+collection+"/{id}", slices.Collect(restOps(a.rest)))...)
		}
		return out, nil
	case ActionUpdate, ActionDisable, ActionDelete:
		p, err := client.ResourcePath(c.Endpoint, a.TargetID)
		if err != nil {
			return nil, err
		}
		if a.Kind == ActionDelete {
			return []Request{{Method: http.MethodDelete, Path: "/" + p}}, nil
		}
		return patches("/"+p, a.Ops), nil
	}
	return nil, nil
}

// Object returns the object sourceID of type t as this job's next cycle
// sees it: its attributes, IsSoftDeleted and the scope decision (why it
// is in scope or not). Like Plan it reads what a cycle starts with (the
// scope, the links, the change feed), and writes nothing. ok is false
// when no such object exists.
func (e *Engine) Object(ctx context.Context, t ObjectType, sourceID string) (o *Object, scope string, ok bool, err error) {
	cyc, err := e.begin(ctx)
	if err != nil {
		return nil, "", false, err
	}
	return cyc.object(ctx, e.src, t, sourceID)
}

// ScopedObject is [Engine.Object] for an application without a job: the
// object as a job of scope mode for appID, with no mapping, would see it.
func ScopedObject(ctx context.Context, src Source, mode ScopeMode, appID string, t ObjectType, sourceID string) (o *Object, scope string, ok bool, err error) {
	s, err := loadScope(ctx, src, mode, appID)
	if err != nil {
		return nil, "", false, err
	}
	return (&cycle{scope: s, links: &LinkTable{}}).object(ctx, src, t, sourceID)
}

// object reads one object as the cycle's load does.
func (c *cycle) object(ctx context.Context, src Source, t ObjectType, sourceID string) (*Object, string, bool, error) {
	cands, err := c.load(ctx, src, t, []string{sourceID})
	if err != nil {
		return nil, "", false, err
	}
	if cands[0].obj == nil {
		return nil, "", false, nil
	}
	return cands[0].obj, scopeReason(cands[0].scope), true, nil
}

// scopeReason is a candidate's scope decision as the log shows it.
func scopeReason(s scoped) string { return s.reason }
