package provisioning

import (
	"encoding/json"
	"fmt"
	"maps"
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
// that differ; a complex list (AppRoleAssignmentsComplex's roles) is
// replaced whole, so roles taken away leave the account (Entra's
// AssertiveAppRoleAssignmentsComplex; its AppRoleAssignmentsComplex only
// adds). A value that became null is removed (§3.5.2.2) only when its
// mapping is ClearWhenEmpty; otherwise, as in Entra, null does not flow
// and the target keeps its value (so a Switch that yields null for an
// unchanged source never nulls its target).
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
		refList := a.Reference && (isList(n) || isList(o))
		if !hasNew && !a.ClearWhenEmpty && !refList {
			continue // null does not flow
		}
		mods = append(mods, c.modified(i, o, hadOld, n, hasNew))
		if refList {
			ops = append(ops, memberOps(t.wire, toStrings(o), toStrings(n))...)
			continue
		}
		switch {
		case !hasNew:
			ops = append(ops, op("remove", t.wire, nil))
		case isComplexList(n):
			ops = append(ops, op("replace", t.wire, n))
		case t.filter != nil && !existing[t.element()]:
			if j, ok := added[t.element()]; ok {
				ops[j] = mergeIntoAdd(ops[j], t.sub, wire(n, a.Reference))
				continue
			}
			added[t.element()] = len(ops)
			ops = append(ops, newElement(t, wire(n, a.Reference)))
		case hadOld || t.filter != nil: // a filtered path here selects an existing element (RFC 7644 §3.5.2.3)
			ops = append(ops, op("replace", t.wire, wire(n, a.Reference)))
		default:
			ops = append(ops, op("add", t.wire, wire(n, a.Reference)))
		}
	}
	return ops, mods
}

// modified is the log's old → new of mapping i, "[Redact]" for a
// redacted one (Entra's Redact).
func (c *compiledMapping) modified(i int, o any, hadOld bool, n any, hasNew bool) ModifiedProperty {
	mp := ModifiedProperty{Name: c.Attributes[i].Target, Old: display(o, hadOld), New: display(n, hasNew)}
	if c.redacted[i] {
		mp.Old, mp.New = redact(mp.Old), redact(mp.New)
	}
	return mp
}

// redacted is what logs show for the value of a Redact expression.
const redacted = "[Redact]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// kept is the values the target holds after an update from old to new:
// new, plus the old values a null did not clear (see diff). The link
// remembers them, so that a value that comes back is compared with what
// the target still has.
func (c *compiledMapping) kept(old, new map[string]any) map[string]any {
	var out map[string]any
	for _, a := range c.Attributes {
		o, hadOld := old[a.Target]
		if _, hasNew := new[a.Target]; hasNew || !hadOld || !present(o) || a.ClearWhenEmpty || a.Apply != ApplyAlways ||
			a.Reference && isList(o) {
			continue
		}
		if out == nil {
			out = maps.Clone(new)
		}
		out[a.Target] = o
	}
	if out == nil {
		return new
	}
	return out
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
	el := t.newElement()
	el[t.sub] = v
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

// isList reports a list of ids (members) or strings.
func isList(v any) bool {
	switch x := v.(type) {
	case []string:
		return true
	case []any:
		return !isComplexList(x)
	}
	return false
}

// isComplexList reports a list of complex values (roles), also after a
// JSON round trip.
func isComplexList(v any) bool {
	switch x := v.(type) {
	case []map[string]any:
		return true
	case []any:
		if len(x) == 0 {
			return false
		}
		_, ok := x[0].(map[string]any)
		return ok
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

// maxLogValues bounds the values of a list a log entry shows: a
// 1,000,000-member group's entry names its first 1,000 members (sorted)
// and the count, not 37 MB of ids built at once.
const maxLogValues = 1000

// display renders a value for a log entry: a list as its values joined by
// commas (a complex list by each element's "value"), cut after
// maxLogValues (see joinCut).
func display(v any, ok bool) string {
	if !ok {
		return ""
	}
	if isComplexList(v) {
		b, _ := json.Marshal(v)
		var els []map[string]any
		_ = json.Unmarshal(b, &els)
		vals := make([]string, len(els))
		for i, el := range els {
			vals[i] = fmt.Sprint(el[findKey(el, "value")])
		}
		return joinCut(vals, maxLogValues)
	}
	if isList(v) {
		ids, ok := v.([]string)
		if !ok || !slices.IsSorted(ids) { // reference lists come sorted: no copy of a long one
			ids = toStrings(v)
		}
		return joinCut(ids, maxLogValues)
	}
	return fmt.Sprint(v)
}

// joinCut joins vals with commas; past max values it shows the first max
// and the count: "a,b, … (1000000 values)".
func joinCut(vals []string, max int) string {
	if len(vals) > max {
		return fmt.Sprintf("%s, … (%d values)", strings.Join(vals[:max], ","), len(vals))
	}
	return strings.Join(vals, ",")
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
