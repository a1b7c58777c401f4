package provisioning

import "sync"

// CycleMemory keeps, between the cycles of one job, what makes an
// incremental cycle's work follow the change feed rather than the size of
// the directory: the scope of the last completed cycle and the objects
// its start flagged for evaluation whatever the feed says (in scope
// without a link, linked and active but out of scope, disabled but back
// in scope, each unless settled; links that need attention).
//
// The flagged set is a function of each object's scope, link and settled
// state alone, so a cycle re-examines only the objects whose scope changed
// (the scope is read again only when the feed holds a group change or an
// assignment of the app), whose link was put or removed (LinkTable), or
// whose settled state was set (Settled) since the last cycle's start. The
// memory holds for the next cycle only when that cycle continues from the
// watermark the last one set, with the same kept LinkTable and Settled not
// read or reset meanwhile; otherwise the cycle compares the whole scope
// with every link, as initial cycles always do.
//
// A service that builds an Engine per cycle keeps one per job
// ([Config].Memory), next to its LinkTable and Settled. The zero value is
// empty; it is safe for concurrent use.
type CycleMemory struct {
	mu         sync.Mutex
	valid      bool
	head       int64 // the watermark the last completed cycle set
	appID      string
	mode       ScopeMode
	scope      *scope
	flagged    map[ObjectType]map[string]bool
	table      *LinkTable
	tableGen   uint64
	settled    *Settled
	settledGen uint64
}

// Forget makes the next cycle compare the whole scope with every link.
func (m *CycleMemory) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.valid, m.scope, m.flagged = false, nil, nil
}

// kept returns the last completed cycle's scope and flagged objects when
// they hold for a cycle from watermark wm of engine e.
func (m *CycleMemory) kept(e *Engine, wm int64) (*scope, map[ObjectType]map[string]bool, bool) {
	if m == nil {
		return nil, nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.valid || m.head != wm || m.appID != e.appID || m.mode != e.mode || m.table != e.table || m.settled != e.settled {
		return nil, nil, false
	}
	return m.scope, m.flagged, true
}

// keep records a completed cycle.
func (m *CycleMemory) keep(e *Engine, c *cycle) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.valid = c.flagged != nil && c.tableGen != 0 && e.table != nil
	m.head, m.appID, m.mode, m.scope, m.flagged = c.head, e.appID, e.mode, c.scope, c.flagged
	m.table, m.tableGen, m.settled, m.settledGen = e.table, c.tableGen, e.settled, c.settledGen
}

// scopeMoved reports whether the feed since the last cycle may have
// changed the job's scope: a group changed (members, nesting,
// soft-deletion: assigned groups expand to their members), an assignment
// of the app was added or removed, or, in ScopeAll mode, a user changed
// (the scope holds every user object).
func (c *cycle) scopeMoved(mode ScopeMode, assignsMoved bool) bool {
	return assignsMoved || len(c.changed[TypeGroup]) > 0 || mode == ScopeAll && len(c.changed[TypeUser]) > 0
}

// flag computes the objects the cycle evaluates whatever the feed says
// (see CycleMemory): from the kept set, re-examining the objects whose
// scope (prev: the kept scope when the cycle read it again), link or
// settled state changed since, or else from every link and everything in
// scope. It takes the table's and Settled's touched
// objects, so the next cycle sees those changed from now on.
func (e *Engine) flag(c *cycle, prev *scope, kept map[ObjectType]map[string]bool) {
	touchedLinks, allLinks, gen := c.links.takeTouched()
	touchedSettled, allSettled, sgen := e.settled.takeTouched()
	c.tableGen, c.settledGen = gen, sgen
	if allLinks || allSettled {
		kept = nil
	}
	if kept != nil && e.memory != nil {
		e.memory.mu.Lock()
		same := e.memory.tableGen == gen && e.memory.settledGen == sgen
		e.memory.mu.Unlock()
		if !same {
			kept = nil
		}
	}
	if kept == nil {
		c.flagged = map[ObjectType]map[string]bool{TypeUser: c.fullFlags(TypeUser), TypeGroup: c.fullFlags(TypeGroup)}
		return
	}
	c.flagged = kept
	c.recheck(touchedLinks, touchedSettled)
	if prev != nil {
		for _, t := range []ObjectType{TypeUser, TypeGroup} {
			now, was := c.scope.in(t), prev.in(t)
			for id := range now {
				if !was[id] {
					c.recheckOne(t, id)
				}
			}
			for id := range was {
				if !now[id] {
					c.recheckOne(t, id)
				}
			}
		}
	}
}

// settle re-examines, at the end of a completed cycle, the objects whose
// link or settled state the cycle changed, so that the next cycle starts
// from them (an initial cycle changes every link: its cost, not the next
// cycle's).
func (e *Engine) settle(c *cycle) {
	if c.flagged == nil {
		return
	}
	touchedLinks, allLinks, gen := c.links.takeTouched()
	touchedSettled, allSettled, sgen := e.settled.takeTouched()
	if gen != c.tableGen || sgen != c.settledGen {
		c.flagged = nil // read or reset meanwhile: the next cycle compares everything
		return
	}
	if allLinks || allSettled {
		// More changed than a touched set names (an initial cycle): the
		// flagged objects afresh, from the whole scope and every link.
		c.flagged = map[ObjectType]map[string]bool{TypeUser: c.fullFlags(TypeUser), TypeGroup: c.fullFlags(TypeGroup)}
		return
	}
	c.recheck(touchedLinks, touchedSettled)
}

func (c *cycle) recheck(sets ...map[LinkKey]struct{}) {
	for _, set := range sets {
		for k := range set {
			c.recheckOne(k.Type, k.SourceID)
		}
	}
}

func (c *cycle) recheckOne(t ObjectType, id string) {
	if c.flaggedNow(t, id) {
		c.flagged[t][id] = true
	} else {
		delete(c.flagged[t], id)
	}
}

// fullFlags compares the whole scope with every link of type t.
func (c *cycle) fullFlags(t ObjectType) map[string]bool {
	inScope := c.scope.in(t)
	out := map[string]bool{}
	c.links.each(t, func(id string, l *Link) {
		if c.flaggedLink(t, id, l, inScope[id]) {
			out[id] = true
		}
	})
	for id := range inScope {
		if !c.links.has(t, id) && !c.settled.has(t, id, true) {
			out[id] = true
		}
	}
	return out
}

// flaggedNow reports whether the object is flagged with its scope, link
// and settled state now.
func (c *cycle) flaggedNow(t ObjectType, id string) bool {
	in := c.scope.in(t)[id]
	if l, ok := c.links.get(t, id); ok {
		return c.flaggedLink(t, id, &l, in)
	}
	return in && !c.settled.has(t, id, true)
}

// flaggedLink: a link needs attention, or its state disagrees with the
// scope (active but out of scope, disabled but in scope) unless an
// earlier cycle settled it.
func (c *cycle) flaggedLink(t ObjectType, id string, l *Link, in bool) bool {
	switch {
	case l.NeedsAttention():
		return true
	case l.State == LinkActive && !in, l.State == LinkDisabled && in:
		return !c.settled.has(t, id, in)
	}
	return false
}

// in returns the ids of type t in the job's scope.
func (s *scope) in(t ObjectType) map[string]bool {
	if t == TypeGroup {
		return s.groups
	}
	return s.users
}

// reuse returns a copy of s for another cycle (its filter is the
// cycle's): the maps are shared, and no cycle changes them.
func (s *scope) reuse() *scope {
	out := *s
	out.filter = scopeFilter{}
	return &out
}
