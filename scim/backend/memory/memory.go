// Package memory is a small in-memory implementation of backend.Backend:
// one store holds the resources of one tenant, for library users who embed
// scim/server without a database, and for tests.
//
// It owns identifiers (random UUIDs), timestamps (RFC 3339, UTC,
// milliseconds), versions (weak ETags W/"n", RFC 7644 §3.14), uniqueness
// (attributes whose schema says uniqueness "server" or "global", and group
// displayName as Entra ID requires; compared case-insensitively unless the
// attribute is caseExact; RFC 7643 §2.4, answered with 409 uniqueness),
// group membership kept apart from the documents (a member must be a
// stored resource and has its type, else 400 invalidValue, as in the SQL
// store), filtering (RFC 7644 §3.4.2.2, via scim/filter), sorting
// (§3.4.2.3) and paging (§3.4.2.4). The conformance suite of
// internal/store/storetest holds it to the same rules as the SQL store.
//
// All methods are safe for concurrent use: one mutex serialises writes and
// reads share it. Every Update is an atomic read-modify-write whose
// Change.Apply, the client's work, runs outside the mutex (compare-and-swap
// on the entry, retried on a conflict). Unique
// attributes are indexed per resource type, so a create or an update costs
// the same however many resources are stored, and so does a List filtered
// by `userName eq "x"` (or any `attr eq` on a unique attribute). Documents
// are deep-copied on the way in and out, so callers may modify what they
// get back.
package memory

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

// Backend is an in-memory store. The zero value is not usable; call New.
type Backend struct {
	mu     sync.RWMutex
	now    func() time.Time
	tables map[string]*table // by lower-cased resource type name
}

type table struct {
	byID    map[string]*entry
	order   []string                // ids in creation order, with deleted ones until compacted
	deleted int                     // how many ids in order are deleted
	unique  map[string]*uniqueIndex // by attribute name; see index
}

type entry struct {
	doc     scim.Resource // canonical document without members, meta included
	version int
	members []scim.Member // in insertion order; only for types with "members"
}

// Option configures a Backend.
type Option func(*Backend)

// WithClock makes the backend take timestamps from now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(b *Backend) { b.now = now }
}

// New returns an empty store.
func New(opts ...Option) *Backend {
	b := &Backend{now: time.Now, tables: map[string]*table{}}
	for _, o := range opts {
		o(b)
	}
	return b
}

var _ backend.Backend = (*Backend)(nil)

func tableKey(rt *scim.ResourceType) string { return strings.ToLower(rt.Name) }

// createTable returns rt's table, creating it on first use; it must be
// called with the write lock held. Readers use b.tables directly and treat
// a missing table as empty.
func (b *Backend) createTable(rt *scim.ResourceType) *table {
	key := tableKey(rt)
	t := b.tables[key]
	if t == nil {
		t = &table{byID: map[string]*entry{}, unique: map[string]*uniqueIndex{}}
		b.tables[key] = t
	}
	return t
}

// find returns the entry of rt stored under id, or nil; any lock held.
func (b *Backend) find(rt *scim.ResourceType, id string) (*table, *entry) {
	t := b.tables[tableKey(rt)]
	if t == nil {
		return nil, nil
	}
	return t, t.byID[id]
}

func notFound(rt *scim.ResourceType, id string) error {
	return scim.Errorf(404, "", "%s %q not found", rt.Name, id)
}

// Create stores a new resource (see backend.Backend).
func (b *Backend) Create(ctx context.Context, rt *scim.ResourceType, doc scim.Resource) (scim.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc = deepCopy(doc)
	members, err := takeMembers(doc)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.createTable(rt)
	if err := t.checkUnique(rt, "", doc); err != nil {
		return nil, err
	}
	if rt.HasMembers() {
		if members, err = b.resolveMembers(members); err != nil {
			return nil, err
		}
	}
	id := uuid.NewString()
	now := b.stamp()
	doc["id"] = id
	e := &entry{doc: doc, version: 1}
	e.setMeta(rt, now, now)
	if rt.HasMembers() {
		e.members = applyMembers([]scim.Member{}, false, members, nil)
	}
	t.byID[id] = e
	t.order = append(t.order, id)
	t.reindex(id, nil, e.doc)
	return e.view(true), nil
}

// Get returns one resource (see backend.Backend).
func (b *Backend) Get(ctx context.Context, rt *scim.ResourceType, id string, opts backend.GetOptions) (scim.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, e := b.find(rt, id)
	if e == nil {
		return nil, notFound(rt, id)
	}
	return e.view(opts.Members), nil
}

// Update changes a resource atomically (see backend.Backend). Apply runs
// without the lock, on a copy of the entry read; the write succeeds only if
// the entry is still the one read (compare-and-swap), else the whole
// read-modify-write is tried again. A change that leaves the document and
// the membership as they were writes nothing (RFC 7644 §3.5.2.1).
func (b *Backend) Update(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, change backend.Change, opts backend.GetOptions) (scim.Resource, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.mu.RLock()
		_, e := b.find(rt, id)
		b.mu.RUnlock()
		if e == nil {
			return nil, notFound(rt, id)
		}
		if !MatchETag(ifMatch, versionTag(e.version)) {
			return nil, scim.Errorf(412, "", "%s %q has version %s, not %s", rt.Name, id, versionTag(e.version), ifMatch)
		}
		doc := deepCopy(e.doc)
		if change.Apply != nil {
			next, err := change.Apply(doc)
			if err != nil {
				return nil, err
			}
			doc = deepCopy(next)
		}
		delete(doc, "members")
		doc["id"], doc["meta"] = id, e.doc["meta"]
		if reflect.DeepEqual(doc, e.doc) && !changesMembers(e.members, change.Members) {
			return e.view(opts.Members), nil
		}
		res, ok, err := b.swap(rt, id, e, doc, change.Members, opts)
		if ok || err != nil {
			return res, err
		}
	}
}

// changesMembers reports whether mc changes the membership cur.
func changesMembers(cur []scim.Member, mc *patch.MembersChange) bool {
	return mc != nil && !slices.Equal(cur, applyMembers(cur, mc.Reset, mc.Add, mc.Remove))
}

// swap stores doc as the new version of the entry old if old is still
// stored under id; ok is false if a concurrent update replaced it.
func (b *Backend) swap(rt *scim.ResourceType, id string, old *entry, doc scim.Resource, mc *patch.MembersChange, opts backend.GetOptions) (res scim.Resource, ok bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, e := b.find(rt, id)
	if e == nil {
		return nil, false, notFound(rt, id)
	}
	if e != old {
		return nil, false, nil
	}
	if err := t.checkUnique(rt, id, doc); err != nil {
		return nil, false, err
	}
	created, _ := e.doc["meta"].(map[string]any)["created"].(string)
	next := &entry{doc: doc, version: e.version + 1, members: e.members}
	if mc != nil {
		add, err := b.resolveMembers(mc.Add)
		if err != nil {
			return nil, false, err
		}
		next.members = applyMembers(e.members, mc.Reset, add, mc.Remove)
	}
	next.setMeta(rt, created, b.stamp())
	t.byID[id] = next
	t.reindex(id, e.doc, next.doc)
	return next.view(opts.Members), true, nil
}

// Delete removes a resource and every membership that names it (see backend.Backend).
func (b *Backend) Delete(ctx context.Context, rt *scim.ResourceType, id, ifMatch string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, e := b.find(rt, id)
	if e == nil {
		return notFound(rt, id)
	}
	if !MatchETag(ifMatch, versionTag(e.version)) {
		return scim.Errorf(412, "", "%s %q has version %s, not %s", rt.Name, id, versionTag(e.version), ifMatch)
	}
	t.remove(id, e)
	for _, other := range b.tables {
		for _, g := range other.byID {
			if len(g.members) > 0 {
				g.members = applyMembers(g.members, false, nil, []string{id})
			}
		}
	}
	return nil
}

// remove deletes a stored entry. Its id stays in t.order until more than
// half of that list is deleted ids, when the list is compacted: deleting
// is amortised O(1), not a scan of the creation order.
func (t *table) remove(id string, e *entry) {
	delete(t.byID, id)
	t.reindex(id, e.doc, nil)
	t.deleted++
	if t.deleted <= len(t.byID) {
		return
	}
	kept := make([]string, 0, len(t.byID))
	for _, have := range t.order {
		if t.byID[have] != nil {
			kept = append(kept, have)
		}
	}
	t.order, t.deleted = kept, 0
}

func (e *entry) setMeta(rt *scim.ResourceType, created, modified string) {
	e.doc["meta"] = map[string]any{
		"resourceType": rt.Name,
		"created":      created,
		"lastModified": modified,
		"version":      versionTag(e.version),
	}
}

// view returns a deep copy of the stored document, with "members" if
// withMembers and the resource type has members.
func (e *entry) view(withMembers bool) scim.Resource {
	out := deepCopy(e.doc)
	if withMembers && e.members != nil {
		list := make([]any, len(e.members))
		for i, m := range e.members {
			list[i] = memberJSON(m)
		}
		out["members"] = list
	}
	return out
}

// timeLayout renders meta.created and meta.lastModified: RFC 3339 in UTC
// with milliseconds, as the SQL store does.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// stamp is the time of a write as meta renders it.
func (b *Backend) stamp() string { return b.now().UTC().Format(timeLayout) }

func versionTag(v int) string { return fmt.Sprintf(`W/"%d"`, v) }

// MatchETag reports whether an If-Match header value (RFC 7232 §3.1)
// matches version: "" and "*" match anything; otherwise any entry of the
// comma-separated list must equal version, comparing weak and strong tags
// alike (W/"3" matches "3"), as SCIM clients echo meta.version back in
// either form.
func MatchETag(header, version string) bool {
	header = strings.TrimSpace(header)
	if header == "" || header == "*" {
		return true
	}
	want := strings.TrimPrefix(version, "W/")
	for _, tag := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == want {
			return true
		}
	}
	return false
}
