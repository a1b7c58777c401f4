package provisioning

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
)

// LinkTable is a job's links in memory: the one view of them a cycle
// works with. A cycle reads it from the LinkStore at its start, keeps it
// current as apply writes through to the LinkStore, and resolves
// references (manager, members) with it. It holds links without Written
// (a map per object would make a 100,000-object cycle's memory grow with
// the directory): the candidates a cycle evaluates read theirs with
// LinkStore.LinksOf.
//
// A service that builds an Engine per cycle keeps the job's table between
// its cycles ([Config].Links), so an incremental cycle does not read every
// link again; it calls Invalidate when a link write failed, and the next
// cycle reads the store afresh. The zero value is an empty table, read at
// its first cycle; it is safe for concurrent use.
type LinkTable struct {
	loadMu sync.Mutex  // one load at a time
	valid  atomic.Bool // read from the store and kept current since

	mu       sync.RWMutex
	m        map[ObjectType]map[string]Link
	byTarget map[ObjectType]map[string]string // target id → source id
}

// Invalidate makes the next cycle read the links from the store again: a
// write of them failed, so the table may hold links the store does not.
// The cycle in progress keeps using it.
func (lt *LinkTable) Invalidate() { lt.valid.Store(false) }

// loadLinks returns a table read from store.
func loadLinks(ctx context.Context, store LinkStore) (*LinkTable, error) {
	lt := &LinkTable{}
	return lt, lt.load(ctx, store)
}

// load reads the table from store unless it holds the links already.
func (lt *LinkTable) load(ctx context.Context, store LinkStore) error {
	lt.loadMu.Lock()
	defer lt.loadMu.Unlock()
	if lt.valid.Load() {
		return nil
	}
	read := &LinkTable{m: map[ObjectType]map[string]Link{}, byTarget: map[ObjectType]map[string]string{}}
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		ls, err := store.Links(ctx, t)
		if err != nil {
			return fmt.Errorf("read %s links: %w", t, err)
		}
		read.m[t] = make(map[string]Link, len(ls))
		read.byTarget[t] = make(map[string]string, len(ls))
		for _, l := range ls {
			read.putLocked(l)
		}
	}
	lt.mu.Lock()
	lt.m, lt.byTarget = read.m, read.byTarget
	lt.mu.Unlock()
	lt.valid.Store(true)
	return nil
}

func (lt *LinkTable) get(t ObjectType, id string) (Link, bool) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	l, ok := lt.m[t][id]
	return l, ok
}

func (lt *LinkTable) put(l Link) {
	lt.mu.Lock()
	lt.putLocked(l)
	lt.mu.Unlock()
}

func (lt *LinkTable) putLocked(l Link) {
	l.Written = nil
	lt.removeLocked(l.Type, l.SourceID)
	lt.m[l.Type][l.SourceID] = l
	if l.TargetID != "" {
		lt.byTarget[l.Type][l.TargetID] = l.SourceID
	}
}

func (lt *LinkTable) remove(t ObjectType, id string) {
	lt.mu.Lock()
	lt.removeLocked(t, id)
	lt.mu.Unlock()
}

func (lt *LinkTable) removeLocked(t ObjectType, id string) {
	if old, ok := lt.m[t][id]; ok && lt.byTarget[t][old.TargetID] == id {
		delete(lt.byTarget[t], old.TargetID)
	}
	delete(lt.m[t], id)
}

// owner returns the source object linked to a target object.
func (lt *LinkTable) owner(t ObjectType, targetID string) (string, bool) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	id, ok := lt.byTarget[t][targetID]
	return id, ok
}

func (lt *LinkTable) count(t ObjectType) int {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	return len(lt.m[t])
}

// has reports whether the object has a link.
func (lt *LinkTable) has(t ObjectType, id string) bool {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	_, ok := lt.m[t][id]
	return ok
}

// each calls fn for every link of one type, under the read lock: fn must
// not change the table.
func (lt *LinkTable) each(t ObjectType, fn func(id string, l *Link)) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	for id, l := range lt.m[t] {
		fn(id, &l)
	}
}

// all returns a snapshot of the links of one type.
func (lt *LinkTable) all(t ObjectType) map[string]Link {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	return maps.Clone(lt.m[t])
}

// resolve maps a source id (a user or a group) to its target id.
func (lt *LinkTable) resolve(id string) (string, bool) {
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		if l, ok := lt.get(t, id); ok && l.TargetID != "" && l.State != LinkPendingCreate {
			return l.TargetID, true
		}
	}
	return "", false
}
