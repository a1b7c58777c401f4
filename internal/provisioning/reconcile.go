package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/scim"
)

// CycleReconcile is the kind of a reconciliation ([Engine.Reconcile]):
// its log entries carry a cycle id of their own, and it never moves the
// watermark.
const CycleReconcile CycleKind = "reconcile"

// FindingKind is what a reconciliation found wrong with one account.
type FindingKind string

// Finding kinds.
const (
	// FindingDrift: managed attributes differ from what was last written.
	FindingDrift FindingKind = "drift"
	// FindingMembers: members were added to or removed from a group in
	// the application.
	FindingMembers FindingKind = "members"
	// FindingOrphan: an account of the application that no link knows.
	FindingOrphan FindingKind = "orphan"
	// FindingGone: a link whose account the application no longer holds.
	FindingGone FindingKind = "gone"
)

// Finding is one account that differs from what the job believes it wrote.
type Finding struct {
	Kind       FindingKind
	Type       ObjectType
	SourceID   string // empty for an orphan
	TargetID   string
	TargetName string // the account's userName or displayName, if read
	// Modified (drift, members): Old is the application's value now, New
	// what the job last wrote.
	Modified []ModifiedProperty
	// Added and Removed (members): target ids of members the application
	// has and the job did not write, and the reverse.
	Added, Removed []string
	// Repaired: put back (drift, members) or the link dropped (gone).
	// Orphans are never repaired.
	Repaired bool
	Error    string // the repair failed
}

// Reconciliation is what [Engine.Reconcile] found (and repaired).
type Reconciliation struct {
	CycleID  string
	Repair   bool
	Accounts int // accounts read from the application
	Linked   int // links compared
	// Unchecked counts links that remember no written values (only
	// their hash): their attributes are not compared.
	Unchecked int
	Findings  []Finding
	Stats     Stats
}

// Reconcile compares the application's accounts, read by one paged
// listing per endpoint (RFC 7644 §3.4.2.4), with the job's links:
// managed attributes that drifted from the values the link remembers as
// last written (Link.Written, not a mapping of the source object now, so
// a change in the directory is not mistaken for drift), group members
// added or removed in the application, accounts no link knows (orphans)
// and links whose account is gone. Entra never looks.
//
// Every finding is logged as one provisioning log entry under the
// reconciliation's cycle id, reason "reconcile: …": a finding left as it
// is as a skip with status warning; with repair, drift and members are
// put back by an update (PATCH, the engine's diff and applier, logged as
// an update), and a gone account's link is dropped (a skip, warning) so
// that the next cycle creates it again. Orphans are never deleted. Like
// a cycle, it must not overlap another cycle of the job.
func (e *Engine) Reconcile(ctx context.Context, repair bool) (*Reconciliation, error) {
	lt, err := e.linkTable(ctx)
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	cyc := &cycle{id: uuid.NewString(), kind: CycleReconcile, links: lt, store: e.links, settled: e.settled}
	out := &Reconciliation{CycleID: cyc.id, Repair: repair}
	sent := e.target.requests.Load()
	ap := &applier{e: e, cycle: cyc}
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		m := e.mapping(t)
		if m == nil {
			continue
		}
		if err := e.reconcileType(ctx, ap, m, repair, out); err != nil {
			return nil, fmt.Errorf("reconcile %s: %w", t, err)
		}
	}
	if err := lt.flush(context.WithoutCancel(ctx), e.links); err != nil {
		return nil, fmt.Errorf("reconcile: store links: %w", err)
	}
	out.Stats = cyc.stats(e.target.requests.Load() - sent)
	return out, nil
}

// reconcileType reconciles the accounts of one mapping's endpoint.
func (e *Engine) reconcileType(ctx context.Context, ap *applier, m *compiledMapping, repair bool, out *Reconciliation) error {
	accounts := map[string]scim.Resource{}
	var order []string
	attrs := []string{"id", "userName", "displayName"}
	for _, t := range m.targets {
		attrs = append(attrs, t.top())
	}
	err := e.target.listAll(ctx, m.Endpoint, attrs, func(r scim.Resource) {
		if id, _ := r["id"].(string); id != "" {
			accounts[id] = r
			order = append(order, id)
		}
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", m.Endpoint, err)
	}
	out.Accounts += len(order)
	lt := ap.cycle.links
	known := map[string]bool{}
	var ids []string
	for id, l := range lt.all(m.Type) {
		if l.TargetID != "" {
			known[l.TargetID] = true
		}
		if l.TargetID != "" && l.State != LinkPendingCreate {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	links, err := e.links.LinksOf(ctx, m.Type, ids)
	if err != nil {
		return fmt.Errorf("read links: %w", err)
	}
	slices.SortFunc(links, func(a, b Link) int { return strings.Compare(a.SourceID, b.SourceID) })
	out.Linked += len(links)
	for _, l := range links {
		res, found := accounts[l.TargetID]
		if !found {
			out.Findings = append(out.Findings, e.reconcileGone(ctx, ap, l, repair))
			continue
		}
		if l.Written == nil {
			out.Unchecked++
			continue
		}
		out.Findings = append(out.Findings, e.reconcileDrift(ctx, ap, m, l, res, repair)...)
	}
	for _, id := range order {
		if known[id] {
			continue
		}
		f := Finding{Kind: FindingOrphan, Type: m.Type, TargetID: id, TargetName: accountName(accounts[id])}
		ap.exec(ctx, &Action{Kind: ActionSkip, Type: m.Type, TargetID: id, warn: true,
			Reason: fmt.Sprintf("reconcile: account %q of the application is known to no link; left as it is", f.TargetName)})
		out.Findings = append(out.Findings, f)
	}
	return nil
}

// reconcileGone reports a link whose account the application no longer
// holds and, with repair, drops the link: the next cycle creates the
// account again (or, for an object out of scope, leaves it gone).
func (e *Engine) reconcileGone(ctx context.Context, ap *applier, l Link, repair bool) Finding {
	f := Finding{Kind: FindingGone, Type: l.Type, SourceID: l.SourceID, TargetID: l.TargetID}
	a := &Action{Kind: ActionSkip, Type: l.Type, SourceID: l.SourceID, SourceName: l.SourceName, TargetID: l.TargetID, warn: true,
		Reason: "reconcile: the application no longer holds the account; left linked"}
	if repair {
		a.dropLink = true
		a.Reason = "reconcile: the application no longer holds the account; link dropped, the next cycle creates it again"
	}
	f.Repaired, f.Error = ap.execResult(ctx, a, repair)
	return f
}

// reconcileDrift compares an account with what its link last wrote: one
// finding for its attributes, one for its members; with repair, one
// update (the engine's diff: PATCH back to the written values) puts both
// back.
func (e *Engine) reconcileDrift(ctx context.Context, ap *applier, m *compiledMapping, l Link, res scim.Resource, repair bool) []Finding {
	now := m.targetValues(res)
	ops, mods := m.diff(now, l.Written)
	if len(ops) == 0 {
		return nil
	}
	name := accountName(res)
	drift := Finding{Kind: FindingDrift, Type: l.Type, SourceID: l.SourceID, TargetID: l.TargetID, TargetName: name}
	members := drift
	members.Kind = FindingMembers
	lists := map[string]bool{}
	for _, a := range m.Attributes {
		if !a.Reference || !isList(l.Written[a.Target]) && !isList(now[a.Target]) {
			continue
		}
		lists[a.Target] = true
		had, wrote := toStrings(now[a.Target]), toStrings(l.Written[a.Target])
		members.Added = append(members.Added, minus(had, wrote)...)
		members.Removed = append(members.Removed, minus(wrote, had)...)
	}
	for _, mp := range mods {
		if lists[mp.Name] {
			members.Modified = append(members.Modified, mp)
		} else {
			drift.Modified = append(drift.Modified, mp)
		}
	}
	var found []Finding
	for _, f := range []Finding{drift, members} {
		if len(f.Modified) > 0 {
			found = append(found, f)
		}
	}
	a := &Action{Kind: ActionSkip, Type: l.Type, SourceID: l.SourceID, SourceName: l.SourceName, TargetID: l.TargetID,
		Modified: mods, warn: true, Reason: "reconcile: " + describe(found) + " in the application; left as it is"}
	if repair {
		a.Kind, a.Ops, a.next, a.link, a.warn = ActionUpdate, ops, l, &l, false
		a.Reason = "reconcile: " + describe(found) + " in the application; put back"
	}
	repaired, failure := ap.execResult(ctx, a, repair)
	for i := range found {
		found[i].Repaired, found[i].Error = repaired, failure
	}
	return found
}

// execResult applies a as a cycle does (its log entry included) and
// reports whether a repair succeeded, or why it failed.
func (ap *applier) execResult(ctx context.Context, a *Action, repair bool) (bool, string) {
	var failure string
	ap.logged = func(le LogEntry) {
		if le.Status == StatusFailure {
			failure = le.Reason
		}
	}
	defer func() { ap.logged = nil }()
	ap.exec(ctx, a)
	return repair && failure == "", failure
}

// describe names what findings found: "drift of title, members changed".
func describe(found []Finding) string {
	var parts []string
	for _, f := range found {
		names := make([]string, len(f.Modified))
		for i, mp := range f.Modified {
			names[i] = mp.Name
		}
		if f.Kind == FindingMembers {
			parts = append(parts, fmt.Sprintf("members changed (%d added, %d removed)", len(f.Added), len(f.Removed)))
		} else {
			parts = append(parts, "drift of "+strings.Join(names, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// accountName is an account's userName, else its displayName.
func accountName(r scim.Resource) string {
	for _, k := range []string{"userName", "displayName"} {
		if s, ok := r[findKey(r, k)].(string); ok && s != "" {
			return untrusted(s, maxScimTypeText)
		}
	}
	return ""
}
