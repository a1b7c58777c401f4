package memory

import (
	"fmt"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// uniqueIndex maps the key of a unique attribute's value (see scim.ValueKey) to
// the id of the resource holding it, so that a uniqueness check and a
// `userName eq "x"` filter cost one map lookup instead of a table scan.
type uniqueIndex struct {
	caseExact bool              // how the keys were made
	ids       map[string]string // value key -> resource id
	partial   bool              // built over stored duplicates: not usable for List
}

// uniqueAttrs returns the attributes checkUnique enforces: the core
// schema's simple singular attributes with uniqueness "server" or "global"
// (RFC 7643 §2.4), and the displayName of groups (resource types with
// members), which Entra ID requires to be unique.
func uniqueAttrs(rt *scim.ResourceType) []*scim.Attribute {
	core := rt.CoreSchema()
	if core == nil {
		return nil
	}
	var out []*scim.Attribute
	for _, a := range core.Attributes {
		unique := a.Uniqueness == scim.UniquenessServer || a.Uniqueness == scim.UniquenessGlobal ||
			(a.Name == "displayName" && rt.HasMembers())
		if unique && !a.MultiValued && a.Type != scim.TypeComplex {
			out = append(out, a)
		}
	}
	return out
}

// index returns the table's index of attribute a, building it from the
// stored resources if it is missing or was made with another caseExact
// (the resource type changed). Call with the write lock held.
func (t *table) index(a *scim.Attribute) *uniqueIndex {
	if idx := t.unique[a.Name]; idx != nil && idx.caseExact == a.CaseExact {
		return idx
	}
	idx := &uniqueIndex{caseExact: a.CaseExact, ids: make(map[string]string, len(t.byID))}
	for id, e := range t.byID {
		if k, ok := scim.ValueKey(a.CaseExact, e.doc[a.Name]); ok {
			_, dup := idx.ids[k]
			idx.partial = idx.partial || dup
			idx.ids[k] = id
		}
	}
	t.unique[a.Name] = idx
	return idx
}

// checkUnique enforces uniqueness (uniqueAttrs) for doc, about to be stored
// under id self ("" on create), with a 409 uniqueness error (RFC 7644
// §3.3). Call with the write lock held.
func (t *table) checkUnique(rt *scim.ResourceType, self string, doc scim.Resource) error {
	for _, a := range uniqueAttrs(rt) {
		v := doc[a.Name]
		k, ok := scim.ValueKey(a.CaseExact, v)
		if !ok {
			continue
		}
		if id, taken := t.index(a).ids[k]; taken && id != self {
			return scim.Errorf(409, scim.ScimTypeUniqueness, "%s %q is already taken", a.Name, fmt.Sprint(v))
		}
	}
	return nil
}

// reindex moves id's index entries from the values in old to those in
// next; either may be nil (create, delete).
func (t *table) reindex(id string, old, next scim.Resource) {
	for name, idx := range t.unique {
		if k, ok := scim.ValueKey(idx.caseExact, old[name]); ok && idx.ids[k] == id {
			delete(idx.ids, k)
		}
		if k, ok := scim.ValueKey(idx.caseExact, next[name]); ok {
			if have, dup := idx.ids[k]; dup && have != id {
				idx.partial = true // the attribute is no longer unique for rt
			}
			idx.ids[k] = id
		}
	}
}

// candidates returns the only entries that can match the compiled filter
// e when one of its top-level conjuncts is `attr eq value` on an indexed
// unique attribute of the core schema; ok is false when the filter gives
// no such shortcut and every entry must be tested. It only reads, so it
// may run under the read lock.
func (t *table) candidates(rt *scim.ResourceType, e filter.Expr) (hits []*entry, ok bool) {
	core := rt.CoreSchema()
	if core == nil {
		return nil, false
	}
	for _, c := range filter.Conjuncts(e) {
		cmp, isCmp := c.(*filter.Compare)
		if !isCmp || cmp.Op != filter.Eq || cmp.Filter != nil || cmp.Path.Sub != "" || cmp.Path.URI != core.ID {
			continue
		}
		idx := t.unique[cmp.Path.Name]
		a := core.Attribute(cmp.Path.Name)
		if idx == nil || idx.partial || a == nil || idx.caseExact != a.CaseExact {
			continue
		}
		k, keyed := scim.ValueKey(idx.caseExact, cmp.Value)
		if !keyed {
			continue
		}
		if e := t.byID[idx.ids[k]]; e != nil {
			return []*entry{e}, true
		}
		return nil, true
	}
	return nil, false
}
