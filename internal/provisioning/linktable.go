package provisioning

import (
	"context"
	"fmt"
	"maps"
	"sync"
)

// linkTable is a cycle's view of the job's links: read once at the start,
// kept current as apply writes through to the LinkStore, and used to
// resolve references (manager, members) to target ids. It holds links
// without Written (a map per object would make a 100,000-object cycle's
// memory grow with the directory): the candidates a cycle evaluates read
// theirs with LinkStore.LinksOf.
type linkTable struct {
	mu       sync.RWMutex
	m        map[ObjectType]map[string]Link
	byTarget map[ObjectType]map[string]string // target id → source id
}

func loadLinks(ctx context.Context, store LinkStore) (*linkTable, error) {
	lt := &linkTable{m: map[ObjectType]map[string]Link{}, byTarget: map[ObjectType]map[string]string{}}
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		ls, err := store.Links(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("read %s links: %w", t, err)
		}
		lt.m[t] = make(map[string]Link, len(ls))
		lt.byTarget[t] = make(map[string]string, len(ls))
		for _, l := range ls {
			lt.putLocked(l)
		}
	}
	return lt, nil
}

func (lt *linkTable) get(t ObjectType, id string) (Link, bool) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	l, ok := lt.m[t][id]
	return l, ok
}

func (lt *linkTable) put(l Link) {
	lt.mu.Lock()
	lt.putLocked(l)
	lt.mu.Unlock()
}

func (lt *linkTable) putLocked(l Link) {
	l.Written = nil
	lt.removeLocked(l.Type, l.SourceID)
	lt.m[l.Type][l.SourceID] = l
	if l.TargetID != "" {
		lt.byTarget[l.Type][l.TargetID] = l.SourceID
	}
}

func (lt *linkTable) remove(t ObjectType, id string) {
	lt.mu.Lock()
	lt.removeLocked(t, id)
	lt.mu.Unlock()
}

func (lt *linkTable) removeLocked(t ObjectType, id string) {
	if old, ok := lt.m[t][id]; ok && lt.byTarget[t][old.TargetID] == id {
		delete(lt.byTarget[t], old.TargetID)
	}
	delete(lt.m[t], id)
}

// owner returns the source object linked to a target object.
func (lt *linkTable) owner(t ObjectType, targetID string) (string, bool) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	id, ok := lt.byTarget[t][targetID]
	return id, ok
}

func (lt *linkTable) count(t ObjectType) int {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	return len(lt.m[t])
}

// has reports whether the object has a link.
func (lt *linkTable) has(t ObjectType, id string) bool {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	_, ok := lt.m[t][id]
	return ok
}

// each calls fn for every link of one type, under the read lock: fn must
// not change the table.
func (lt *linkTable) each(t ObjectType, fn func(id string, l *Link)) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	for id, l := range lt.m[t] {
		fn(id, &l)
	}
}

// all returns a snapshot of the links of one type.
func (lt *linkTable) all(t ObjectType) map[string]Link {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	return maps.Clone(lt.m[t])
}

// resolve maps a source id (a user or a group) to its target id.
func (lt *linkTable) resolve(id string) (string, bool) {
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		if l, ok := lt.get(t, id); ok && l.TargetID != "" && l.State != LinkPendingCreate {
			return l.TargetID, true
		}
	}
	return "", false
}
