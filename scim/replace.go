package scim

import (
	"net/http"
	"strings"
	"time"
)

// Replace computes the result of a PUT (RFC 7644 §3.5.1). replacement, the
// client's body, is normalized as by [ResourceType.Normalize]; current, the
// stored canonical resource, supplies what a client cannot change:
//   - readOnly attributes (id, meta, User.groups, manager.displayName) keep
//     current's values, whatever the client sent (Okta PUTs them back);
//   - immutable attributes that current has must be omitted or sent
//     unchanged, else 400 mutability; omitted, they keep current's value;
//   - writeOnly attributes that the client omits keep current's value
//     (password is never returned, so a client that GETs, changes one field
//     and PUTs the user back cannot send it);
//   - every other attribute is replaced; omitted ones are cleared.
//
// Sub-attributes of a singular complex attribute (manager) follow the same
// rules when the client sends the attribute; elements of multi-valued
// attributes are replaced as a whole. Neither argument is modified, and the
// result shares nothing with them.
func (rt *ResourceType) Replace(current Resource, replacement map[string]any, opts NormalizeOptions) (Resource, error) {
	opts.KeepReadOnly = false
	n, err := rt.normalizer(opts)
	if err != nil {
		return nil, err
	}
	out, err := n.resource(replacement)
	if err != nil {
		return nil, err
	}
	if err := keepFromCurrent(out, current, commonAttributes, "", ""); err != nil {
		return nil, err
	}
	if err := keepFromCurrent(out, current, n.v.core.Attributes, "", ""); err != nil {
		return nil, err
	}
	for _, s := range n.v.exts {
		cur, ok := current[s.ID].(map[string]any)
		if !ok {
			continue
		}
		if err := keepFromCurrent(n.extContainer(out, s), cur, s.Attributes, s.ID, ""); err != nil {
			return nil, err
		}
	}
	n.dropEmptyExtensions(out)
	if err := n.checkRequired(out); err != nil {
		return nil, err
	}
	n.setSchemas(out, replacement)
	return out, nil
}

// keepFromCurrent applies the RFC 7644 §3.5.1 mutability rules to the
// attributes attrs of one container (resource, extension object or singular
// complex value named parent).
func keepFromCurrent(out, cur map[string]any, attrs []*Attribute, uri, parent string) error {
	for _, a := range attrs {
		cv := cur[a.Name]
		if cv == nil {
			continue
		}
		nv, sent := out[a.Name]
		switch a.Mutability {
		case ReadOnly:
			out[a.Name] = copyValue(cv)
		case Immutable:
			if sent && !equalValue(a, nv, cv) {
				path := attrName(uri, a.Name, "")
				if parent != "" {
					path = attrName(uri, parent, a.Name)
				}
				return Errorf(http.StatusBadRequest, ScimTypeMutability, "attribute %q is immutable and cannot be changed", path)
			}
			out[a.Name] = copyValue(cv)
		case WriteOnly:
			if !sent {
				out[a.Name] = copyValue(cv)
			}
		default:
			cm, isMap := cv.(map[string]any)
			nm, sentMap := nv.(map[string]any)
			if a.Type != TypeComplex || a.MultiValued || !isMap || !sentMap {
				continue
			}
			if err := keepFromCurrent(nm, cm, a.SubAttributes, uri, a.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyValue deep-copies a JSON value.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = copyValue(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = copyValue(e)
		}
		return l
	}
	return v
}

// equalValue compares two canonical values of attribute a: strings by the
// attribute's caseExact, dateTimes as instants, multi-valued attributes
// regardless of order.
func equalValue(a *Attribute, x, y any) bool {
	if !a.MultiValued {
		return equalSingle(a, x, y)
	}
	xs, _ := x.([]any)
	ys, _ := y.([]any)
	if len(xs) != len(ys) {
		return false
	}
	used := make([]bool, len(ys))
outer:
	for _, xe := range xs {
		for j, ye := range ys {
			if !used[j] && equalSingle(a, xe, ye) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

func equalSingle(a *Attribute, x, y any) bool {
	if a.Type == TypeComplex {
		xm, _ := x.(map[string]any)
		ym, _ := y.(map[string]any)
		if len(xm) != len(ym) {
			return false
		}
		for k, xv := range xm {
			sub := a.SubAttribute(k)
			yv, ok := ym[k]
			if sub == nil || !ok || !equalValue(sub, xv, yv) {
				return false
			}
		}
		return true
	}
	xs, xIsString := x.(string)
	ys, yIsString := y.(string)
	if !xIsString || !yIsString {
		return scalarEqual(x, y)
	}
	switch {
	case a.Type == TypeDateTime:
		xt, errX := time.Parse(time.RFC3339Nano, xs)
		yt, errY := time.Parse(time.RFC3339Nano, ys)
		if errX == nil && errY == nil {
			return xt.Equal(yt)
		}
		return xs == ys
	case a.CaseExact:
		return xs == ys
	default:
		return strings.EqualFold(xs, ys)
	}
}

// scalarEqual compares non-string JSON scalars; containers are never equal
// here (and must not reach ==, which panics on maps and slices).
func scalarEqual(x, y any) bool {
	switch xv := x.(type) {
	case float64:
		yv, ok := y.(float64)
		return ok && xv == yv
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	}
	return false
}
