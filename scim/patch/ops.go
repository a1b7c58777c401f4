package patch

import (
	"slices"

	"github.com/provisio-dev/provisio/scim"
)

// set applies an add or replace of v at t (RFC 7644 §3.5.2.1, §3.5.2.3).
// null and "" clear the target, except that adding them to a multi-valued
// attribute adds nothing.
func (a *applier) set(kind opKind, t *target, v any) error {
	if err := writable(t); err != nil {
		return err
	}
	if isClear(v) {
		if kind == opAdd && t.attr.MultiValued && t.expr == nil && t.sub == nil {
			return nil
		}
		return a.removeTarget(t)
	}
	switch {
	case t.expr != nil:
		return a.setSelected(t, v)
	case t.sub != nil && t.attr.MultiValued:
		return a.setSelected(t, v)
	case t.sub != nil:
		return a.setSub(t, v)
	case t.attr.MultiValued:
		return a.setMulti(kind, t, v)
	case t.attr.Type == scim.TypeComplex:
		return a.setComplex(t, v)
	}
	return a.setSimple(t, v)
}

func (a *applier) setSimple(t *target, v any) error {
	val, err := canonValue(t.attr, v)
	if err != nil {
		return err
	}
	holder := a.container(t, true)
	if err := checkImmutable(t.attr, holder[t.attr.Name], val); err != nil {
		return err
	}
	holder[t.attr.Name] = val
	return nil
}

// setComplex sets a single-valued complex attribute. The given
// sub-attributes replace or add to the current ones and the others are left
// unchanged (RFC 7644 §3.5.2.3), except when the value names a different
// referent by its "value" sub-attribute (a new manager): then the whole
// value is replaced, so that a stale $ref or displayName does not survive.
func (a *applier) setComplex(t *target, v any) error {
	val, err := canonValue(t.attr, v)
	if err != nil {
		return err
	}
	obj := val.(map[string]any)
	holder := a.container(t, true)
	old, ok := holder[t.attr.Name].(map[string]any)
	if !ok || newReferent(t.attr, old, obj) {
		if err := checkImmutable(t.attr, holder[t.attr.Name], obj); err != nil {
			return err
		}
		old = map[string]any{}
	}
	if err := merge(t.attr, old, obj, cleared(t.attr, v)); err != nil {
		return err
	}
	storeValues(holder, t.attr, []any{old})
	return nil
}

// newReferent reports whether obj's "value" differs from old's.
func newReferent(attr *scim.Attribute, old, obj map[string]any) bool {
	nv, ok := obj["value"]
	return ok && old["value"] != nil && !equalValue(attr.SubAttribute("value"), old["value"], nv)
}

// setSub sets a sub-attribute of a single-valued complex attribute
// (`name.givenName`, `urn:...:User:manager.value`), creating the attribute.
func (a *applier) setSub(t *target, v any) error {
	val, err := canonValue(t.sub, v)
	if err != nil {
		return err
	}
	holder := a.container(t, true)
	obj, ok := holder[t.attr.Name].(map[string]any)
	if !ok {
		obj = map[string]any{}
		holder[t.attr.Name] = obj
	}
	if err := checkImmutable(t.sub, obj[t.sub.Name], val); err != nil {
		return err
	}
	obj[t.sub.Name] = val
	return nil
}

// setMulti adds values to a multi-valued attribute, skipping values it
// already holds, or replaces all its values.
func (a *applier) setMulti(kind opKind, t *target, v any) error {
	list, err := canonList(t.attr, v)
	if err != nil {
		return badRequest(scim.ScimTypeInvalidValue, "%v", err)
	}
	holder := a.container(t, true)
	old := values(holder, t.attr)
	next := list
	var touched []int
	if kind == opReplace {
		touched = indices(len(list))
		if err := checkImmutable(t.attr, nilIfEmpty(old), list); err != nil {
			return err
		}
		a.dropIndex(t)
	} else {
		next = old
		for _, e := range list {
			if !a.holds(t, next, e) {
				next = append(next, e)
				touched = append(touched, len(next)-1)
				a.noteSet(t, len(next)-1, e)
			}
		}
		if len(touched) > 0 {
			if err := checkImmutable(t.attr, nilIfEmpty(old), next); err != nil {
				return err
			}
		}
	}
	storeValues(holder, t.attr, next)
	a.prune(t)
	return enforcePrimary(t.attr, next, touched)
}

// setSelected sets the elements of a complex attribute that t selects: by
// value filter (`emails[type eq "work"]`, `addresses[type eq
// "work"].postalCode`) or, for a sub-attribute path on a multi-valued
// attribute without filter (`emails.type`), all of them. With a
// sub-attribute the sub-attribute of each selected element is replaced,
// otherwise the value's sub-attributes are merged into each (RFC 7644
// §3.5.2.3). If nothing is selected the operation fails with noTarget,
// or, with Options.ValuePathUpsert, creates the element.
func (a *applier) setSelected(t *target, v any) error {
	leaf := t.attr
	if t.sub != nil {
		leaf = t.sub
	}
	val, err := canonValue(leaf, v)
	if err != nil {
		return err
	}
	holder := a.container(t, true)
	list := values(holder, t.attr)
	touched := a.selected(t, list)
	if len(touched) == 0 {
		elem, err := a.upsert(t)
		if err != nil {
			return err
		}
		list = append(list, elem)
		touched = []int{len(list) - 1}
	}
	for _, i := range touched {
		elem := list[i].(map[string]any)
		if t.sub != nil {
			err = setElementSub(t.sub, elem, val)
		} else {
			err = merge(t.attr, elem, val.(map[string]any), cleared(t.attr, v))
		}
		if err != nil {
			return err
		}
		if t.attr.MultiValued {
			a.noteSet(t, i, elem)
		}
	}
	storeValues(holder, t.attr, list)
	return enforcePrimary(t.attr, list, touched)
}

// upsert returns the element to create for a value path that selects
// nothing, or noTarget.
func (a *applier) upsert(t *target) (map[string]any, error) {
	if t.expr == nil {
		if a.opts.ValuePathUpsert {
			return map[string]any{}, nil
		}
		return nil, badRequest(scim.ScimTypeNoTarget, "%q has no value to set %q on", t.attr.Name, t.sub.Name)
	}
	if !a.opts.ValuePathUpsert {
		return nil, badRequest(scim.ScimTypeNoTarget, "no value of %q matches the filter", t.attr.Name)
	}
	elem, ok := seed(t.attr, t.expr)
	if !ok {
		return nil, badRequest(scim.ScimTypeNoTarget, "no value of %q matches the filter, and the filter does not describe a value to create (only eq joined by and does)", t.attr.Name)
	}
	return elem, nil
}

func setElementSub(sub *scim.Attribute, elem map[string]any, val any) error {
	if err := checkImmutable(sub, elem[sub.Name], val); err != nil {
		return err
	}
	elem[sub.Name] = val
	return nil
}

// merge puts src's sub-attributes into dst and deletes those in clear.
func merge(attr *scim.Attribute, dst, src map[string]any, clear []string) error {
	for k, v := range src {
		if sub := attr.SubAttribute(k); sub != nil {
			if err := checkImmutable(sub, dst[k], v); err != nil {
				return err
			}
		}
		dst[k] = v
	}
	for _, k := range clear {
		if sub := attr.SubAttribute(k); sub != nil {
			if err := checkImmutable(sub, dst[k], nil); err != nil {
				return err
			}
		}
		delete(dst, k)
	}
	return nil
}

// cleared returns the canonical names of the sub-attributes that the
// object raw sets to null or "".
func cleared(attr *scim.Attribute, raw any) []string {
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for k, v := range obj {
		if !isClear(v) {
			continue
		}
		if sub := attr.SubAttribute(k); sub != nil {
			k = sub.Name
		}
		out = append(out, k)
	}
	return out
}

// remove applies a remove (RFC 7644 §3.5.2.2). A value on a path without
// filter is Entra's way to name the values to remove
// (`{"op":"Remove","path":"members","value":[{"value":"id"}]}`): only those
// are removed, never all.
func (a *applier) remove(t *target, v any, hasValue bool) error {
	if err := writable(t); err != nil {
		return err
	}
	if hasValue && v != nil && t.expr == nil && t.sub == nil {
		return a.removeValues(t, v)
	}
	return a.removeTarget(t)
}

// removeTarget removes what t selects. Removing what is not there is not an
// error: the requested state holds.
func (a *applier) removeTarget(t *target) error {
	holder := a.container(t, false)
	if holder == nil {
		return nil
	}
	defer a.prune(t)
	if t.expr != nil || (t.sub != nil && t.attr.MultiValued) {
		return a.removeSelected(t, holder)
	}
	if t.sub != nil {
		obj, ok := holder[t.attr.Name].(map[string]any)
		if !ok {
			return nil
		}
		if err := checkImmutable(t.sub, obj[t.sub.Name], nil); err != nil {
			return err
		}
		delete(obj, t.sub.Name)
		storeValues(holder, t.attr, []any{obj})
		return nil
	}
	if t.attr.Required {
		return badRequest(scim.ScimTypeInvalidValue, "attribute %q is required and cannot be removed", t.attr.Name)
	}
	if err := checkImmutable(t.attr, holder[t.attr.Name], nil); err != nil {
		return err
	}
	delete(holder, t.attr.Name)
	a.dropIndex(t)
	return nil
}

// removeSelected removes the selected elements, or with a sub-attribute
// that sub-attribute of each selected element. A removed element leaves a
// nil in its place, so that the positions of the others, and the index,
// stay valid; the final validation drops the nils.
func (a *applier) removeSelected(t *target, holder map[string]any) error {
	list := values(holder, t.attr)
	for _, i := range a.selected(t, list) {
		if t.sub == nil {
			if err := checkImmutable(t.attr, list[i], nil); err != nil {
				return err
			}
			list[i] = nil
			continue
		}
		m := list[i].(map[string]any)
		if err := checkImmutable(t.sub, m[t.sub.Name], nil); err != nil {
			return err
		}
		delete(m, t.sub.Name)
		if len(m) == 0 {
			list[i] = nil
		}
	}
	if !t.attr.MultiValued {
		list = slices.DeleteFunc(list, func(x any) bool { return x == nil })
	}
	storeValues(holder, t.attr, list)
	return nil
}

// removeValues removes the values of t's attribute that v identifies
// (see [identifies]).
func (a *applier) removeValues(t *target, v any) error {
	var wants []any
	var err error
	if t.attr.MultiValued {
		wants, err = canonList(t.attr, v)
	} else {
		var w any
		w, err = canon(t.attr, v)
		wants = []any{w}
	}
	if err != nil {
		return badRequest(scim.ScimTypeInvalidValue, "%v", err)
	}
	holder := a.container(t, false)
	if holder == nil {
		return nil
	}
	list := values(holder, t.attr)
	var gone []int
	for _, w := range wants {
		gone = append(gone, a.identified(t, list, w)...)
	}
	if len(gone) == 0 {
		return nil
	}
	if err := checkImmutable(t.attr, list, nil); err != nil {
		return err
	}
	if !t.attr.MultiValued {
		delete(holder, t.attr.Name)
		a.prune(t)
		return nil
	}
	for _, i := range gone {
		list[i] = nil // see removeSelected
	}
	return nil
}

func containsElement(attr *scim.Attribute, list []any, e any) bool {
	for _, x := range list {
		if sameElement(attr, e, x) {
			return true
		}
	}
	return false
}

// values returns the attribute's values as a list: the elements of a
// multi-valued attribute, or the single value.
func values(holder map[string]any, attr *scim.Attribute) []any {
	v, ok := holder[attr.Name]
	if !ok || v == nil {
		return nil
	}
	if list, ok := v.([]any); ok && attr.MultiValued {
		return list
	}
	return []any{v}
}

// storeValues writes list back as the attribute's values; an empty list or
// an empty single complex value unsets the attribute. A single-valued
// attribute keeps the last value.
func storeValues(holder map[string]any, attr *scim.Attribute, list []any) {
	switch {
	case len(list) == 0:
		delete(holder, attr.Name)
	case attr.MultiValued:
		holder[attr.Name] = list
	default:
		last := list[len(list)-1]
		if m, ok := last.(map[string]any); ok && len(m) == 0 {
			delete(holder, attr.Name)
			return
		}
		holder[attr.Name] = last
	}
}

func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// nilIfEmpty returns nil for a list without values (empty, or only the
// nils that removals leave), else the list.
func nilIfEmpty(list []any) any {
	if !slices.ContainsFunc(list, func(x any) bool { return x != nil }) {
		return nil
	}
	return list
}

// canonValue is [canon] with its error as 400 invalidValue.
func canonValue(attr *scim.Attribute, v any) (any, error) {
	val, err := canon(attr, v)
	if err != nil {
		return nil, badRequest(scim.ScimTypeInvalidValue, "%v", err)
	}
	return val, nil
}

// writable rejects writes to readOnly attributes (RFC 7643 §7).
func writable(t *target) error {
	if t.attr.Mutability == scim.ReadOnly || (t.sub != nil && t.sub.Mutability == scim.ReadOnly) {
		return badRequest(scim.ScimTypeMutability, "attribute %q is read-only", t.name())
	}
	return nil
}

// checkImmutable allows changing an immutable attribute only while it has
// no value (RFC 7644 §3.5.2: "a client MAY 'add' a value to an 'immutable'
// attribute if the attribute had no previous value"); writing the value it
// already has is allowed.
func checkImmutable(attr *scim.Attribute, old, new any) error {
	if attr.Mutability != scim.Immutable || old == nil || equalValue(attr, old, new) {
		return nil
	}
	return badRequest(scim.ScimTypeMutability, "attribute %q is immutable and already set", attr.Name)
}

// enforcePrimary keeps at most one primary value (RFC 7643 §2.4): when a
// touched element is primary, all others lose primary. Two touched
// primary elements are an invalid value.
func enforcePrimary(attr *scim.Attribute, list []any, touched []int) error {
	if !attr.MultiValued || attr.SubAttribute("primary") == nil {
		return nil
	}
	winner := -1
	for _, i := range touched {
		if isPrimary(list[i]) {
			if winner >= 0 {
				return badRequest(scim.ScimTypeInvalidValue, "more than one value of %q is primary", attr.Name)
			}
			winner = i
		}
	}
	if winner < 0 {
		return nil
	}
	for i, x := range list {
		if i != winner && isPrimary(x) {
			x.(map[string]any)["primary"] = false
		}
	}
	return nil
}

func isPrimary(x any) bool {
	m, ok := x.(map[string]any)
	return ok && m["primary"] == true
}

// singlePrimary leaves at most one primary value in every multi-valued
// attribute, keeping the first: the resource may have arrived with several.
func (a *applier) singlePrimary() {
	for i, s := range append([]*scim.Schema{a.rt.CoreSchema()}, a.rt.Extensions()...) {
		for _, attr := range s.Attributes {
			if !attr.MultiValued || attr.SubAttribute("primary") == nil {
				continue
			}
			t := &target{attr: attr, uri: s.ID, ext: i > 0}
			if a.primaries(t) < 2 {
				continue
			}
			seen := false
			for _, x := range values(a.container(t, false), attr) {
				if isPrimary(x) {
					if seen {
						x.(map[string]any)["primary"] = false
					}
					seen = true
				}
			}
		}
	}
}

// primaries counts the primary values of t's attribute without copying it.
func (a *applier) primaries(t *target) int {
	holder := a.doc
	if t.ext {
		m, ok := a.doc[t.uri].(map[string]any)
		if !ok {
			return 0
		}
		holder = m
	}
	n := 0
	for _, x := range values(holder, t.attr) {
		if isPrimary(x) {
			n++
		}
	}
	return n
}
