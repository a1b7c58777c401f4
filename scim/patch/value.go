package patch

import (
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// canon returns v shaped for one value of attr (for a multi-valued
// attribute: one element): keys of complex values in the schema's canonical
// spelling, null sub-attributes dropped (null means unset, RFC 7643 §2.5),
// readOnly sub-attributes dropped (clients echo them back), string booleans
// ("True", "false") turned into booleans, and the lenient shapes real
// clients send for complex values:
//   - a bare value for a complex attribute that has a "value" sub-attribute
//     becomes {"value": v} (Entra's manager id),
//   - a one-element array for a single value is unwrapped (Entra's
//     `"manager": [{"value": ...}]`).
//
// Other type checks are left to the final validation against the schema.
// The result shares no maps or slices with v.
func canon(attr *scim.Attribute, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if list, ok := v.([]any); ok && len(list) == 1 {
		v = list[0]
	}
	switch attr.Type {
	case scim.TypeComplex:
		return canonComplex(attr, v)
	case scim.TypeBoolean:
		return canonBool(attr, v)
	}
	switch v.(type) {
	case []any, map[string]any:
		return nil, fmt.Errorf("%q takes a single %s value, got %s", attr.Name, attr.Type, jsonKind(v))
	}
	return v, nil
}

func canonBool(attr *scim.Attribute, v any) (any, error) {
	if b, ok := scim.Bool(v); ok {
		return b, nil
	}
	return nil, fmt.Errorf("%q takes a boolean, got %s", attr.Name, jsonKind(v))
}

func canonComplex(attr *scim.Attribute, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		valueSub := attr.SubAttribute("value")
		if valueSub == nil || isContainer(v) {
			return nil, fmt.Errorf("%q takes an object, got %s", attr.Name, jsonKind(v))
		}
		m = map[string]any{valueSub.Name: v}
	}
	out := make(map[string]any, len(m))
	for k, sv := range m {
		sub := attr.SubAttribute(k)
		if sub == nil {
			// Unknown sub-attribute: kept for the final validation, which
			// applies the server's unknown-attribute policy.
			if sv != nil {
				out[k] = copyValue(sv)
			}
			continue
		}
		if sub.Mutability == scim.ReadOnly {
			continue
		}
		c, err := canon(sub, sv)
		if err != nil {
			return nil, fmt.Errorf("in %q: %w", attr.Name, err)
		}
		if c != nil {
			out[sub.Name] = c
		}
	}
	return out, nil
}

// canonList returns v as the list of elements of the multi-valued attr:
// an array's elements or a single value, each through [canon], without nulls.
func canonList(attr *scim.Attribute, v any) ([]any, error) {
	in, ok := v.([]any)
	if !ok {
		in = []any{v}
	}
	out := make([]any, 0, len(in))
	for _, x := range in {
		if _, nested := x.([]any); nested {
			return nil, fmt.Errorf("%q: nested arrays are not allowed", attr.Name)
		}
		c, err := canon(attr, x)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// isClear reports whether a written value means "unset": JSON null or the
// empty string (Entra's SCIM_Null_Update_Test sends both).
func isClear(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

func isContainer(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// copyValue deep-copies a decoded JSON value.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

// equalValue reports whether a and b are the same value of attr, comparing
// strings case-insensitively unless attr is caseExact.
func equalValue(attr *scim.Attribute, a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && len(x) == len(y) && subsetOf(attr, x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(attr, x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		if attr != nil && !attr.CaseExact {
			return strings.EqualFold(x, y)
		}
		return x == y
	}
	return a == b
}

// subsetOf reports whether every sub-attribute of want has an equal value
// in have: adding {"value":"x"} to members that hold
// {"value":"x","display":"X"} changes nothing (RFC 7644 §3.5.2.1: "If the
// target location already contains the value specified, no changes SHOULD
// be made").
func subsetOf(attr *scim.Attribute, want, have map[string]any) bool {
	for k, wv := range want {
		hv, ok := have[k]
		if !ok {
			return false
		}
		var sub *scim.Attribute
		if attr != nil {
			sub = attr.SubAttribute(k)
		}
		if !equalValue(sub, wv, hv) {
			return false
		}
	}
	return true
}

// sameElement reports whether elem is already represented by want in a
// multi-valued attr: for complex values want's sub-attributes all match.
func sameElement(attr *scim.Attribute, want, elem any) bool {
	w, ok := want.(map[string]any)
	if !ok {
		return equalValue(attr, want, elem)
	}
	e, ok := elem.(map[string]any)
	return ok && subsetOf(attr, w, e)
}

// identifies reports whether the value given to a remove (Entra's
// `{"op":"Remove","path":"members","value":[{"value":"id"}]}`) names elem:
// by the "value" sub-attribute when want has one, otherwise by all of want's
// sub-attributes.
func identifies(attr *scim.Attribute, want, elem any) bool {
	w, ok := want.(map[string]any)
	if !ok {
		return equalValue(attr, want, elem)
	}
	if id, ok := w["value"]; ok {
		e, ok := elem.(map[string]any)
		return ok && equalValue(attr.SubAttribute("value"), id, e["value"])
	}
	return sameElement(attr, want, elem)
}
