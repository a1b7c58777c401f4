package patch

import (
	"slices"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// This file keeps PATCH application linear in the size of the resource: an
// operation on one value of a multi-valued attribute (an add that skips
// values already held, a value path `emails[value eq "x"]`) finds its
// elements through an index instead of scanning every value, so a request
// of k operations on an attribute of n values costs O(k + n), not O(k·n).

// scanOnly turns the index off, for tests that compare both ways.
var scanOnly = false

// attrIndex indexes the elements of one multi-valued attribute by the value
// of a string sub-attribute ("" for the elements of a simple multi-valued
// attribute): sub-attribute name → key → positions. It may list a position
// whose element no longer holds the key, because callers check every
// candidate again, but never misses one that does: every change to the list
// is either noted here or drops the index.
type attrIndex map[string]map[string][]int

// indexKey returns the key under which v is indexed for attr, equal for
// values that the filter operator eq and [equalValue] find equal
// ([scim.ValueKey]); ok is false for values that are not indexed: only
// strings of string and reference attributes are (eq compares dateTime
// strings as instants, and numbers only occur in non-string attributes).
func indexKey(attr *scim.Attribute, v any) (key string, ok bool) {
	if _, isString := v.(string); !isString || attr == nil || (attr.Type != scim.TypeString && attr.Type != scim.TypeReference) {
		return "", false
	}
	return scim.ValueKey(attr.CaseExact, v)
}

// indexName returns the key of t's attribute in the index map.
func indexName(t *target) string { return t.uri + ":" + t.attr.Name }

// indexedAttr returns the attribute whose values the index of sub-attribute name
// holds: the sub-attribute, or for "" the simple attribute itself.
func indexedAttr(attr *scim.Attribute, name string) *scim.Attribute {
	if name == "" {
		return attr
	}
	return attr.SubAttribute(name)
}

// elementValue returns what the index of sub-attribute name holds for an
// element: the sub-attribute's value, or for "" the element itself.
func elementValue(elem any, name string) any {
	if name == "" {
		return elem
	}
	m, _ := elem.(map[string]any)
	return m[name]
}

// lookup returns the positions in list of the elements whose sub-attribute
// name has key (a superset, ascending), building that part of the index on
// first use.
func (a *applier) lookup(t *target, list []any, name, key string) []int {
	if a.index == nil {
		a.index = map[string]attrIndex{}
	}
	ix := a.index[indexName(t)]
	if ix == nil {
		ix = attrIndex{}
		a.index[indexName(t)] = ix
	}
	byKey := ix[name]
	if byKey == nil {
		byKey = map[string][]int{}
		attr := indexedAttr(t.attr, name)
		for i, e := range list {
			if k, ok := indexKey(attr, elementValue(e, name)); ok {
				byKey[k] = append(byKey[k], i)
			}
		}
		ix[name] = byKey
	}
	pos := byKey[key]
	if !slices.IsSorted(pos) {
		slices.Sort(pos)
		pos = slices.Compact(pos)
		byKey[key] = pos
	}
	return pos
}

// noteSet records that the element at position i of t's attribute now
// holds elem; names are the sub-attributes that changed ("" for a new
// element: all of them).
func (a *applier) noteSet(t *target, i int, elem any, names ...string) {
	ix := a.index[indexName(t)]
	for name, byKey := range ix {
		if len(names) > 0 && !slices.Contains(names, name) {
			continue
		}
		if k, ok := indexKey(indexedAttr(t.attr, name), elementValue(elem, name)); ok {
			if pos := byKey[k]; len(pos) == 0 || pos[len(pos)-1] != i {
				byKey[k] = append(pos, i)
			}
		}
	}
}

// dropIndex forgets the index of t's attribute after its list was replaced
// or shortened.
func (a *applier) dropIndex(t *target) { delete(a.index, indexName(t)) }

// eqOperand returns the sub-attribute and key of an indexable `sub eq
// "string"` comparison that e requires (e itself, or one side of an and).
func eqOperand(attr *scim.Attribute, e filter.Expr) (name, key string, ok bool) {
	switch x := e.(type) {
	case *filter.And:
		if name, key, ok = eqOperand(attr, x.L); ok {
			return name, key, ok
		}
		return eqOperand(attr, x.R)
	case *filter.Compare:
		if x.Op != filter.Eq || x.Filter != nil || x.Path.URI != "" || x.Path.Sub != "" {
			return "", "", false
		}
		sub := attr.SubAttribute(x.Path.Name)
		if sub == nil {
			return "", "", false
		}
		key, ok = indexKey(sub, x.Value)
		return sub.Name, key, ok
	}
	return "", "", false
}

// selected returns the positions of the elements of list that t selects,
// ascending: through the index when the value filter requires a `sub eq
// "string"`, else by testing every element.
func (a *applier) selected(t *target, list []any) []int {
	var out []int
	test := func(i int) {
		if m, ok := list[i].(map[string]any); ok && (t.match == nil || t.match(m)) {
			out = append(out, i)
		}
	}
	if t.expr != nil && t.attr.MultiValued && !scanOnly {
		if name, key, ok := eqOperand(t.attr, t.expr); ok {
			for _, i := range a.lookup(t, list, name, key) {
				if i < len(list) {
					test(i)
				}
			}
			return out
		}
	}
	for i := range list {
		test(i)
	}
	return out
}

// holds reports whether list already holds e in the sense of an add
// (RFC 7644 §3.5.2.1, see [sameElement]), through the index of the "value"
// sub-attribute (or of the simple values) where e has an indexable one.
func (a *applier) holds(t *target, list []any, e any) bool {
	name, v := "", e
	if m, ok := e.(map[string]any); ok {
		name, v = "value", m["value"]
	}
	key, ok := indexKey(indexedAttr(t.attr, name), v)
	if !ok || scanOnly {
		return containsElement(t.attr, list, e)
	}
	for _, i := range a.lookup(t, list, name, key) {
		if i < len(list) && sameElement(t.attr, e, list[i]) {
			return true
		}
	}
	return false
}

// identified returns the positions of the elements of list that the value
// of a remove names (see [identifies]), through the index where the value
// has an indexable "value" (or is an indexable simple value).
func (a *applier) identified(t *target, list []any, want any) []int {
	name, v := "", want
	if m, ok := want.(map[string]any); ok {
		name, v = "value", m["value"]
	}
	var out []int
	key, ok := indexKey(indexedAttr(t.attr, name), v)
	if !ok || !t.attr.MultiValued || scanOnly {
		for i, x := range list {
			if identifies(t.attr, want, x) {
				out = append(out, i)
			}
		}
		return out
	}
	for _, i := range a.lookup(t, list, name, key) {
		if i < len(list) && identifies(t.attr, want, list[i]) {
			out = append(out, i)
		}
	}
	return out
}
