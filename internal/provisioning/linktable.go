package provisioning

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// LinkTable is a job's links in memory: the one view of them a cycle
// works with. A cycle reads it from the LinkStore at its start, resolves
// references (manager, members) with it, and writes every link change
// into it first; the table then writes them to the LinkStore: a pending
// create at once (it must be durable before the create is sent), the rest
// in batches of flushAt, before the watermark moves and when the cycle
// ends. It holds links without Written (a map per object would make a
// 100,000-object cycle's memory grow with the directory), except those
// not written yet: the candidates a cycle evaluates read theirs with
// LinkStore.LinksOf.
//
// A service that builds an Engine per cycle keeps the job's table between
// its cycles ([Config].Table), so an incremental cycle does not read every
// link again; after a failed write the next cycle reads the store afresh.
// The zero value is an empty table, read at its first cycle; it is safe
// for concurrent use.
type LinkTable struct {
	loadMu sync.Mutex  // one load at a time
	valid  atomic.Bool // read from the store and kept current since

	// writeMu orders the writes to the store: a flush (Lock) writes the
	// unsaved links alone, so no later write of a link lands before it;
	// changes and immediate writes share it (RLock).
	writeMu sync.RWMutex

	mu       sync.RWMutex
	m        map[ObjectType]map[string]linkEntry // without Written (see linkEntry)
	byTarget map[ObjectType]map[string]string    // target id → source id
	// unsaved holds the changes not yet written to the store, the latest
	// per link with its Written; nil: the link was removed.
	unsaved map[LinkKey]*Link
	// touched holds the links put or removed since takeTouched, and gen
	// counts the reads from the store: an incremental cycle re-examines
	// only those links (see CycleMemory).
	touched    map[LinkKey]struct{}
	touchedAll bool // more than touchedMax: every link may have changed
	gen        uint64
}

// flushAt is the number of unsaved link changes that triggers a write to
// the store.
const flushAt = 1000

// Invalidate makes the next cycle read the links from the store again
// (the table may hold links the store does not). The cycle in progress
// keeps using it.
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
	read := &LinkTable{m: map[ObjectType]map[string]linkEntry{}, byTarget: map[ObjectType]map[string]string{}}
	for _, t := range []ObjectType{TypeUser, TypeGroup} {
		ls, err := store.Links(ctx, t)
		if err != nil {
			return fmt.Errorf("read %s links: %w", t, err)
		}
		read.m[t] = make(map[string]linkEntry, len(ls))
		read.byTarget[t] = make(map[string]string, len(ls))
		for i := range ls {
			read.putLocked(ls[i])
			ls[i] = Link{} // the store's copy goes as the table fills
		}
	}
	lt.mu.Lock()
	lt.m, lt.byTarget, lt.unsaved = read.m, read.byTarget, nil // changes a failed cycle did not write are redone
	lt.touched, lt.touchedAll = nil, false
	lt.gen++
	lt.mu.Unlock()
	lt.valid.Store(true)
	return nil
}

// save puts l into the table, to be written to store with the next flush;
// a pending create is written at once.
func (lt *LinkTable) save(ctx context.Context, store LinkStore, l Link) error {
	if l.State == LinkPendingCreate {
		return lt.write(ctx, store, []Link{l})
	}
	lt.writeMu.RLock()
	lt.mu.Lock()
	lt.putLocked(l)
	n := lt.markLocked(l.Key(), &l)
	lt.mu.Unlock()
	lt.writeMu.RUnlock()
	if n >= flushAt {
		return lt.flush(ctx, store)
	}
	return nil
}

// drop removes a link from the table, to be removed from store with the
// next flush.
func (lt *LinkTable) drop(ctx context.Context, store LinkStore, t ObjectType, id string) error {
	lt.writeMu.RLock()
	lt.mu.Lock()
	lt.removeLocked(t, id)
	n := lt.markLocked(LinkKey{Type: t, SourceID: id}, nil)
	lt.mu.Unlock()
	lt.writeMu.RUnlock()
	if n >= flushAt {
		return lt.flush(ctx, store)
	}
	return nil
}

// markLocked records an unsaved change (nil: a removal) and returns how
// many there are.
func (lt *LinkTable) markLocked(k LinkKey, l *Link) int {
	if lt.unsaved == nil {
		lt.unsaved = map[LinkKey]*Link{}
	}
	lt.unsaved[k] = l
	return len(lt.unsaved)
}

// write writes ls to store at once, in one write, then puts them into the
// table: a chunk's pending creates are durable before any is sent.
func (lt *LinkTable) write(ctx context.Context, store LinkStore, ls []Link) error {
	lt.writeMu.RLock()
	defer lt.writeMu.RUnlock()
	lt.mu.Lock()
	for _, l := range ls {
		delete(lt.unsaved, l.Key()) // superseded
	}
	lt.mu.Unlock()
	if err := store.WriteLinks(ctx, ls, nil); err != nil {
		lt.Invalidate()
		return err
	}
	lt.mu.Lock()
	for _, l := range ls {
		lt.putLocked(l)
	}
	lt.mu.Unlock()
	return nil
}

// flush writes the unsaved changes to store in one write. A failed write
// keeps them for the next flush.
func (lt *LinkTable) flush(ctx context.Context, store LinkStore) error {
	lt.writeMu.Lock()
	defer lt.writeMu.Unlock()
	lt.mu.RLock()
	put := make([]Link, 0, len(lt.unsaved))
	var del []LinkKey
	for k, l := range lt.unsaved {
		if l == nil {
			del = append(del, k)
		} else {
			put = append(put, *l)
		}
	}
	lt.mu.RUnlock()
	if len(put) == 0 && len(del) == 0 {
		return nil
	}
	if err := store.WriteLinks(ctx, put, del); err != nil {
		lt.Invalidate()
		return fmt.Errorf("write %d links: %w", len(put)+len(del), err)
	}
	lt.mu.Lock()
	lt.unsaved = nil
	lt.mu.Unlock()
	return nil
}

func (lt *LinkTable) get(t ObjectType, id string) (Link, bool) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	e, ok := lt.m[t][id]
	if !ok {
		return Link{}, false
	}
	return e.link(t, id), true
}

func (lt *LinkTable) putLocked(l Link) {
	lt.removeLocked(l.Type, l.SourceID)
	lt.touchLocked(l.Key())
	lt.m[l.Type][l.SourceID] = packLink(&l)
	if l.TargetID != "" {
		lt.byTarget[l.Type][l.TargetID] = l.SourceID
	}
}

func (lt *LinkTable) removeLocked(t ObjectType, id string) {
	lt.touchLocked(LinkKey{Type: t, SourceID: id})
	if old, ok := lt.m[t][id]; ok && lt.byTarget[t][old.target] == id {
		delete(lt.byTarget[t], old.target)
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
// not change the table, nor keep l (it is reused).
func (lt *LinkTable) each(t ObjectType, fn func(id string, l *Link)) {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	var l Link // one for every call: a walk of the table allocates no Link per entry
	for id, e := range lt.m[t] {
		l = e.link(t, id)
		fn(id, &l)
	}
}

// all returns a snapshot of the links of one type.
func (lt *LinkTable) all(t ObjectType) map[string]Link {
	lt.mu.RLock()
	defer lt.mu.RUnlock()
	out := make(map[string]Link, len(lt.m[t]))
	for id, e := range lt.m[t] {
		out[id] = e.link(t, id)
	}
	return out
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

func (lt *LinkTable) touchLocked(k LinkKey) {
	lt.touched, lt.touchedAll = touch(lt.touched, lt.touchedAll, k)
}

// touchedMax bounds the objects a touched set names: past it, the set
// says "every object" (an initial cycle touches every link), and the
// flagged objects are computed afresh from the whole scope and every link
// (see CycleMemory); the memory stays bounded by the batch.
var touchedMax = 20000 // a variable for the tests

// touch adds k to the touched set m, or makes it "every object" (all).
func touch(m map[LinkKey]struct{}, all bool, k LinkKey) (map[LinkKey]struct{}, bool) {
	switch {
	case all:
		return nil, true
	case len(m) >= touchedMax:
		if _, ok := m[k]; ok {
			return m, false
		}
		return nil, true
	case m == nil:
		m = map[LinkKey]struct{}{}
	}
	m[k] = struct{}{}
	return m, false
}

// takeTouched returns the links put or removed since the last call (all:
// more than touchedMax, any link) and the table's generation (a read from
// the store makes a new one: then every link may have changed).
func (lt *LinkTable) takeTouched() (touched map[LinkKey]struct{}, all bool, gen uint64) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	t, a := lt.touched, lt.touchedAll
	lt.touched, lt.touchedAll = nil, false
	return t, a, lt.gen
}
