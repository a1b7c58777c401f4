package provisioning

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// diff computes the PATCH operations (RFC 7644 §3.5.2) that turn the
// target values old into new, in mapping order, Entra-shaped but
// RFC-valid: lower-case ops, real booleans, one operation per attribute
// path; a new element of a multi-valued attribute is one "add" of the
// element (so that emails[type eq "work"].value works on servers without
// value-path upserts); members change by "add" and "remove" of the ids
// that differ.
func (c *compiledMapping) diff(old, new map[string]any) ([]scim.PatchOperation, []ModifiedProperty) {
	var ops []scim.PatchOperation
	var mods []ModifiedProperty
	existing := c.existingElements(old)
	added := map[string]int{} // element → index in ops of its "add"
	for i, a := range c.Attributes {
		if a.Apply != ApplyAlways {
			continue
		}
		t := c.targets[i]
		o, hadOld := old[a.Target]
		n, hasNew := new[a.Target]
		hadOld = hadOld && present(o)
		if hadOld == hasNew && (!hasNew || sameValue(o, n)) {
			continue
		}
		mods = append(mods, ModifiedProperty{Name: a.Target, Old: display(o, hadOld), New: display(n, hasNew)})
		if ids, multi := n.([]string); a.Reference && (multi || isList(o)) {
			ops = append(ops, memberOps(a.Target, toStrings(o), ids)...)
			continue
		}
		switch {
		case !hasNew:
			ops = append(ops, op("remove", a.Target, nil))
		case t.filter != nil && !existing[t.element()]:
			if j, ok := added[t.element()]; ok {
				ops[j] = mergeIntoAdd(ops[j], t.sub, wire(n, a.Reference))
				continue
			}
			added[t.element()] = len(ops)
			ops = append(ops, newElement(t, wire(n, a.Reference)))
		case hadOld || t.filter != nil: // a filtered path here selects an existing element (RFC 7644 §3.5.2.3)
			ops = append(ops, op("replace", a.Target, wire(n, a.Reference)))
		default:
			ops = append(ops, op("add", a.Target, wire(n, a.Reference)))
		}
	}
	return ops, mods
}

// existingElements lists the filtered elements the target already has.
func (c *compiledMapping) existingElements(old map[string]any) map[string]bool {
	out := map[string]bool{}
	for i, a := range c.Attributes {
		if t := c.targets[i]; t.filter != nil && present(old[a.Target]) {
			out[t.element()] = true
		}
	}
	return out
}

func op(kind, path string, value any) scim.PatchOperation {
	o := scim.PatchOperation{Op: kind, Path: path}
	if value != nil {
		o.Value, _ = json.Marshal(value)
	}
	return o
}

// newElement is {"op":"add","path":"emails","value":[{"type":"work","value":v}]}.
func newElement(t targetPath, v any) scim.PatchOperation {
	el := map[string]any{t.sub: v}
	for _, term := range t.filter {
		el[term.name] = term.value
	}
	return op("add", t.top(), []any{el})
}

func mergeIntoAdd(o scim.PatchOperation, sub string, v any) scim.PatchOperation {
	var els []map[string]any
	if json.Unmarshal(o.Value, &els) != nil || len(els) != 1 {
		return o
	}
	els[0][sub] = v
	o.Value, _ = json.Marshal(els)
	return o
}

// MaxMembersPerOp is the most member ids one PATCH operation adds or
// removes (about 50 KB of JSON): a group of 100,000 members is written in
// requests each well below a target's body limit (RFC 7644 §3.12 lets a
// service provider refuse large requests with 413).
const MaxMembersPerOp = 1000

// memberOps adds and removes the ids that differ between old and new, at
// most MaxMembersPerOp ids per operation.
func memberOps(path string, old, new []string) []scim.PatchOperation {
	var ops []scim.PatchOperation
	for add := range slices.Chunk(minus(new, old), MaxMembersPerOp) {
		ops = append(ops, op("add", path, wire(add, true)))
	}
	for rm := range slices.Chunk(minus(old, new), MaxMembersPerOp) {
		ops = append(ops, op("remove", path, wire(rm, true)))
	}
	return ops
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}

func isList(v any) bool {
	switch v.(type) {
	case []string, []any:
		return true
	}
	return false
}

// toStrings reads a list of ids, also after a JSON round trip ([]any), sorted.
func toStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case []string:
		out = slices.Clone(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// sameValue compares mapped values, tolerating a JSON round trip and
// targets that return booleans as strings ("True").
func sameValue(a, b any) bool {
	if ab, ok := a.(bool); ok {
		return boolOf(b) == strconv.FormatBool(ab)
	}
	if bb, ok := b.(bool); ok {
		return boolOf(a) == strconv.FormatBool(bb)
	}
	if isList(a) || isList(b) {
		return slices.Equal(toStrings(a), toStrings(b))
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func boolOf(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strings.ToLower(x)
	}
	return fmt.Sprint(v)
}

// display renders a value for a log entry.
func display(v any, ok bool) string {
	if !ok {
		return ""
	}
	if isList(v) {
		return strings.Join(toStrings(v), ",")
	}
	return fmt.Sprint(v)
}

// requests groups ops into PATCH requests with at most one operation on a
// reference list each; the first request also carries every other
// operation. A single request keeps the ops as they are.
func (c *compiledMapping) requests(ops []scim.PatchOperation) [][]scim.PatchOperation {
	var lists, others []scim.PatchOperation
	for _, o := range ops {
		if c.isListRef(o) {
			lists = append(lists, o)
		} else {
			others = append(others, o)
		}
	}
	if len(lists) <= 1 {
		return [][]scim.PatchOperation{ops}
	}
	out := [][]scim.PatchOperation{append(others, lists[0])}
	for _, o := range lists[1:] {
		out = append(out, []scim.PatchOperation{o})
	}
	return out
}

// isListRef reports an operation on a reference list (members).
func (c *compiledMapping) isListRef(o scim.PatchOperation) bool {
	if len(o.Value) == 0 || o.Value[0] != '[' {
		return false
	}
	for _, a := range c.Attributes {
		if a.Reference && a.Target == o.Path {
			return true
		}
	}
	return false
}
