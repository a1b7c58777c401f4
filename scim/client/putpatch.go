package client

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/provisio-dev/provisio/scim"
)

// patchViaPut emulates PATCH on a target without it (Quirks.PatchNotSupported):
// GET the resource, apply ops locally, PUT the result. It is not atomic: a
// concurrent change between GET and PUT is overwritten.
func (c *Client) patchViaPut(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	cur, err := c.Get(ctx, endpoint, id)
	if err != nil {
		return nil, fmt.Errorf("patch via put: %w", err)
	}
	next, err := applyOps(cur, ops)
	if err != nil {
		return nil, fmt.Errorf("patch via put: %w", err)
	}
	return c.Replace(ctx, endpoint, id, next)
}

// applyOps applies PATCH operations to a deep copy of res. It understands
// the shapes Entra ID and Okta send (RFC 7644 §3.5.2): path-less add and
// replace with an object value (keys may be dotted or URN-qualified),
// "attr", "attr.sub", "urn:...:attr", "attr[sub eq v]" and
// "attr[sub eq v].sub" paths, and remove of multi-valued elements by value.
func applyOps(res scim.Resource, ops []scim.PatchOperation) (scim.Resource, error) {
	out, err := deepCopy(res)
	if err != nil {
		return nil, err
	}
	for i, op := range ops {
		if err := applyOp(out, op); err != nil {
			return nil, fmt.Errorf("operation %d (%s %q): %w", i+1, op.Op, op.Path, err)
		}
	}
	return out, nil
}

func deepCopy(res scim.Resource) (scim.Resource, error) {
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("copy resource: %w", err)
	}
	var out scim.Resource
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("copy resource: %w", err)
	}
	return out, nil
}

func applyOp(res scim.Resource, op scim.PatchOperation) error {
	kind := strings.ToLower(op.Op)
	if kind != "add" && kind != "replace" && kind != "remove" {
		return fmt.Errorf("unknown op %q", op.Op)
	}
	var value any
	if len(op.Value) > 0 {
		if err := json.Unmarshal(op.Value, &value); err != nil {
			return fmt.Errorf("value: %w", err)
		}
	}
	if op.Path != "" {
		return applyPath(res, kind, op.Path, value)
	}
	obj, ok := value.(map[string]any)
	if !ok || kind == "remove" {
		return fmt.Errorf("a path-less %s needs an object value", kind)
	}
	for k, v := range obj {
		if ext, ok := v.(map[string]any); ok && isSchemaURI(res, k) {
			for ek, ev := range ext {
				if err := applyPath(res, kind, k+":"+ek, ev); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyPath(res, kind, k, v); err != nil {
			return err
		}
	}
	return nil
}

// isSchemaURI reports whether key names a whole schema (an extension
// object) rather than an attribute inside one.
func isSchemaURI(res scim.Resource, key string) bool {
	if !strings.HasPrefix(strings.ToLower(key), "urn:") {
		return false
	}
	if schemas, ok := res["schemas"].([]any); ok && slices.ContainsFunc(schemas, func(s any) bool {
		str, _ := s.(string)
		return strings.EqualFold(str, key)
	}) {
		return true
	}
	last := key[strings.LastIndex(key, ":")+1:]
	return last != "" && unicode.IsUpper(rune(last[0]))
}

// patchPath is a parsed PATCH path: [uri:]attr[[filterAttr eq filterValue]][.sub].
type patchPath struct {
	uri, attr, sub string
	filterAttr     string
	filterValue    any
	filtered       bool
}

var valueFilter = regexp.MustCompile(`^(?i)\s*([A-Za-z0-9_$-]+)\s+eq\s+(.+?)\s*$`)

func parsePatchPath(p string) (patchPath, error) {
	var pp patchPath
	if strings.HasPrefix(strings.ToLower(p), "urn:") {
		head := p
		if i := strings.IndexByte(p, '['); i >= 0 {
			head = p[:i]
		}
		i := strings.LastIndexByte(head, ':')
		pp.uri, p = p[:i], p[i+1:]
	}
	if i := strings.IndexByte(p, '['); i >= 0 {
		j := strings.IndexByte(p, ']')
		if j < i {
			return pp, fmt.Errorf("unbalanced filter in path %q", p)
		}
		m := valueFilter.FindStringSubmatch(p[i+1 : j])
		if m == nil {
			return pp, fmt.Errorf("only `attr eq value` filters are supported, got %q", p[i+1:j])
		}
		if err := json.Unmarshal([]byte(m[2]), &pp.filterValue); err != nil {
			return pp, fmt.Errorf("filter value %s: %w", m[2], err)
		}
		pp.filtered, pp.filterAttr = true, m[1]
		p = p[:i] + p[j+1:]
	}
	pp.attr, pp.sub, _ = strings.Cut(p, ".")
	if pp.attr == "" {
		return pp, fmt.Errorf("empty attribute in path")
	}
	return pp, nil
}

// container returns the object holding pp.attr: the resource itself for
// core attributes, the extension object for extension URIs.
func container(res scim.Resource, pp patchPath) map[string]any {
	if pp.uri == "" || strings.Contains(strings.ToLower(pp.uri), ":core:") {
		return res
	}
	key := findKey(res, pp.uri)
	ext, ok := res[key].(map[string]any)
	if !ok {
		ext = map[string]any{}
		res[key] = ext
		schemas, _ := res["schemas"].([]any)
		res["schemas"] = append(schemas, pp.uri)
	}
	return ext
}

// findKey returns the key of m equal to name ignoring case, or name.
func findKey(m map[string]any, name string) string {
	if _, ok := m[name]; ok {
		return name
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

func applyPath(res scim.Resource, kind, path string, value any) error {
	pp, err := parsePatchPath(path)
	if err != nil {
		return err
	}
	m := container(res, pp)
	key := findKey(m, pp.attr)
	switch {
	case pp.filtered:
		return applyFiltered(m, key, kind, pp, value)
	case pp.sub != "":
		sub, ok := m[key].(map[string]any)
		if !ok && m[key] != nil {
			return fmt.Errorf("%s is not a complex single-valued attribute", pp.attr)
		}
		if sub == nil {
			sub = map[string]any{}
			m[key] = sub
		}
		if kind == "remove" {
			delete(sub, findKey(sub, pp.sub))
		} else {
			sub[findKey(sub, pp.sub)] = value
		}
	case kind == "remove":
		list, isList := m[key].([]any)
		values, hasValues := value.([]any)
		if isList && hasValues {
			m[key] = slices.DeleteFunc(list, func(el any) bool { return containsByValue(values, el) })
		} else {
			delete(m, key)
		}
	case kind == "add":
		if list, ok := m[key].([]any); ok {
			m[key] = appendUnique(list, value)
		} else {
			m[key] = value
		}
	default:
		m[key] = value
	}
	return nil
}

// applyFiltered handles attr[f eq v] and attr[f eq v].sub paths.
func applyFiltered(m map[string]any, key, kind string, pp patchPath, value any) error {
	list, _ := m[key].([]any)
	matched := false
	kept := list[:0:0]
	for _, el := range list {
		obj, ok := el.(map[string]any)
		if !ok || !reflect.DeepEqual(obj[findKey(obj, pp.filterAttr)], pp.filterValue) {
			kept = append(kept, el)
			continue
		}
		matched = true
		switch {
		case kind == "remove" && pp.sub == "":
			continue
		case kind == "remove":
			delete(obj, findKey(obj, pp.sub))
		case pp.sub != "":
			obj[findKey(obj, pp.sub)] = value
		default:
			v, ok := value.(map[string]any)
			if !ok {
				return fmt.Errorf("replacing a filtered element needs an object value")
			}
			maps.Copy(obj, v)
		}
		kept = append(kept, obj)
	}
	if !matched && kind != "remove" && pp.sub != "" {
		kept = append(kept, map[string]any{pp.filterAttr: pp.filterValue, pp.sub: value})
	}
	m[key] = kept
	return nil
}

// appendUnique appends value (one element or a list) to list, skipping
// elements whose "value" is already present.
func appendUnique(list []any, value any) []any {
	add, ok := value.([]any)
	if !ok {
		add = []any{value}
	}
	for _, v := range add {
		if !containsByValue(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// containsByValue reports whether list holds el, comparing complex
// elements by their "value" sub-attribute when both have one.
func containsByValue(list []any, el any) bool {
	ev, eok := el.(map[string]any)
	return slices.ContainsFunc(list, func(x any) bool {
		xv, xok := x.(map[string]any)
		if eok && xok && ev["value"] != nil {
			return reflect.DeepEqual(ev["value"], xv["value"])
		}
		return reflect.DeepEqual(x, el)
	})
}
