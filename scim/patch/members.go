package patch

import (
	"encoding/json"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// MembersChange is the net effect of a sequence of PATCH operations on a
// group's "members": if Reset, all current members are removed first; then
// Remove is taken out and Add is put in (adding an existing member is a
// no-op). Add and Remove are disjoint.
type MembersChange struct {
	Reset  bool
	Add    []scim.Member
	Remove []string // member ids
}

// ExtractMembers takes every operation on "members" out of ops and folds
// them, in order, into one MembersChange, so that a store can apply
// membership as row inserts and deletes instead of rewriting a group that
// may have 100,000 members. It returns ops unchanged and a nil change if
// rt has no "members" attribute or no operation touches members.
//
// Recognised operations (op names in any case):
//
//	add     members               value: [{"value":"id",...}], one object, or "id"   → Add
//	replace members               value as for add; [] or null empties the group  → Reset + Add
//	                              (add with [] or null adds nothing)
//	remove  members               no value                                        → Reset
//	remove  members               value: [{"$ref":null,"value":"id"}] (Entra)     → Remove those ids only, never all
//	remove  members[value eq "id"]  also `value eq "a" or value eq "b"` (Entra, Okta) → Remove
//	add/replace without path      value object with a "members" key: as with the path; the
//	                              other keys stay in rest as a path-less operation
//
// Other paths under members (`members.value`, `members[...].display`, add or
// replace with a value filter) fail with 400 invalidPath. Member objects
// take "value" (required), "$ref", "type" and "display" ("displayName" as
// Okta spells it). Errors name the operation's index in ops; errors that
// [Apply] later reports for rest name indices in rest.
func ExtractMembers(rt *scim.ResourceType, ops []scim.PatchOperation, opts Options) (rest []scim.PatchOperation, change *MembersChange, err error) {
	attr := membersAttr(rt)
	if attr == nil {
		return ops, nil, nil
	}
	f := &memberFold{attr: attr, rt: rt, opts: opts}
	rest = make([]scim.PatchOperation, 0, len(ops))
	for i, op := range ops {
		keep, err := f.take(op)
		if err != nil {
			return nil, nil, opError(i, op, err)
		}
		if keep != nil {
			rest = append(rest, *keep)
		}
	}
	return rest, f.change(), nil
}

func membersAttr(rt *scim.ResourceType) *scim.Attribute {
	if rt == nil || rt.CoreSchema() == nil {
		return nil
	}
	attr := rt.CoreSchema().Attribute("members")
	if attr == nil || !attr.MultiValued || attr.Type != scim.TypeComplex {
		return nil
	}
	return attr
}

// memberFold accumulates member operations in order.
type memberFold struct {
	attr *scim.Attribute
	rt   *scim.ResourceType
	opts Options

	touched bool
	reset   bool
	add     map[string]scim.Member
	addSeq  []string // first-add order; may hold ids since removed
	remove  map[string]bool
	remSeq  []string
}

// take folds op if it is a member operation and returns what remains of it
// for [Apply] (nil if nothing).
func (f *memberFold) take(op scim.PatchOperation) (*scim.PatchOperation, error) {
	kind, err := parseOp(op.Op)
	if err != nil {
		return nil, err
	}
	path := strings.TrimSpace(op.Path)
	if path == "" {
		if kind == opRemove {
			return &op, nil
		}
		return f.takeFromObject(kind, op)
	}
	p, err := filter.ParsePath(path, f.opts.Filter)
	if err != nil {
		return nil, badRequest(scim.ScimTypeInvalidPath, "invalid path: %v", err)
	}
	if !f.isMembers(p.Attr) {
		return &op, nil
	}
	if p.Attr.Sub != "" || p.Sub != "" {
		return nil, badRequest(scim.ScimTypeInvalidPath, "members can only be changed as a whole or by id")
	}
	value, hasValue, err := decodeValue(op.Value)
	if err != nil {
		return nil, err
	}
	if p.Filter != nil {
		return nil, f.removeFiltered(kind, p.Filter)
	}
	switch {
	case kind == opRemove && (!hasValue || value == nil):
		f.doReset()
	case kind == opRemove:
		members, err := parseMembers(value)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			f.doRemove(m.Value)
		}
	case !hasValue:
		return nil, badRequest(scim.ScimTypeInvalidValue, "%s requires a value", kindName(kind))
	default:
		return nil, f.set(kind, value)
	}
	return nil, nil
}

// takeFromObject folds the "members" key of a path-less add or replace and
// returns the operation without it.
func (f *memberFold) takeFromObject(kind opKind, op scim.PatchOperation) (*scim.PatchOperation, error) {
	value, _, err := decodeValue(op.Value)
	if err != nil {
		return nil, err
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return &op, nil // Apply reports the error
	}
	others := make(map[string]any, len(obj))
	for _, k := range sortedKeys(obj) {
		p, err := scim.ParseAttrPath(k)
		if err != nil || !f.isMembers(p) {
			others[k] = obj[k]
			continue
		}
		if p.Sub != "" {
			return nil, badRequest(scim.ScimTypeInvalidPath, "members can only be changed as a whole or by id")
		}
		if err := f.set(kind, obj[k]); err != nil {
			return nil, err
		}
	}
	if len(others) == len(obj) {
		return &op, nil
	}
	if len(others) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(others)
	if err != nil {
		return nil, badRequest(scim.ScimTypeInvalidValue, "%v", err)
	}
	op.Value = raw
	return &op, nil
}

// isMembers reports whether p names the members attribute (or one of its
// sub-attributes).
func (f *memberFold) isMembers(p scim.AttrPath) bool {
	r, err := f.rt.Resolve(p)
	return err == nil && r.Attr == f.attr
}

// set folds an add or replace of members with value v. Like [Apply], it
// treats null and "" as no members: replace empties the group, add adds
// nothing.
func (f *memberFold) set(kind opKind, v any) error {
	if kind == opReplace {
		f.doReset()
	}
	if isClear(v) {
		return nil
	}
	members, err := parseMembers(v)
	if err != nil {
		return err
	}
	for _, m := range members {
		f.doAdd(m)
	}
	f.touched = true
	return nil
}

// removeFiltered folds `remove members[value eq "id"]`.
func (f *memberFold) removeFiltered(kind opKind, e filter.Expr) error {
	if kind != opRemove {
		return badRequest(scim.ScimTypeInvalidPath, "a value filter on members is only supported with remove")
	}
	ids, ok := filterIDs(e)
	if !ok {
		return badRequest(scim.ScimTypeInvalidPath, `members filter must be value eq "id", optionally joined by or`)
	}
	for _, id := range ids {
		f.doRemove(id)
	}
	return nil
}

// filterIDs returns the ids of `value eq "a" or value eq "b"`.
func filterIDs(e filter.Expr) ([]string, bool) {
	switch x := e.(type) {
	case *filter.Or:
		l, ok := filterIDs(x.L)
		if !ok {
			return nil, false
		}
		r, ok := filterIDs(x.R)
		return append(l, r...), ok
	case *filter.Compare:
		id, ok := x.Value.(string)
		ok = ok && id != "" && x.Op == filter.Eq && x.Filter == nil &&
			x.Path.URI == "" && x.Path.Sub == "" && strings.EqualFold(x.Path.Name, "value")
		return []string{id}, ok
	}
	return nil, false
}

func (f *memberFold) doReset() {
	f.touched, f.reset = true, true
	f.add, f.addSeq, f.remove, f.remSeq = nil, nil, nil, nil
}

func (f *memberFold) doAdd(m scim.Member) {
	f.touched = true
	delete(f.remove, m.Value)
	if f.add == nil {
		f.add = map[string]scim.Member{}
	}
	if _, ok := f.add[m.Value]; !ok {
		f.addSeq = append(f.addSeq, m.Value)
	}
	f.add[m.Value] = m
}

func (f *memberFold) doRemove(id string) {
	f.touched = true
	delete(f.add, id)
	if f.reset {
		return // gone with the reset already
	}
	if f.remove == nil {
		f.remove = map[string]bool{}
	}
	if !f.remove[id] {
		f.remSeq = append(f.remSeq, id)
	}
	f.remove[id] = true
}

// change returns the folded change, nil if no operation touched members.
func (f *memberFold) change() *MembersChange {
	if !f.touched {
		return nil
	}
	c := &MembersChange{Reset: f.reset}
	seen := map[string]bool{}
	for _, id := range f.addSeq {
		if m, ok := f.add[id]; ok && !seen[id] {
			seen[id] = true
			c.Add = append(c.Add, m)
		}
	}
	for _, id := range f.remSeq {
		if f.remove[id] && !seen[id] {
			seen[id] = true
			c.Remove = append(c.Remove, id)
		}
	}
	return c
}

// parseMembers reads member values: an array or a single value, each an
// object with "value" or a bare id string.
func parseMembers(v any) ([]scim.Member, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]scim.Member, 0, len(list))
	for _, x := range list {
		if x == nil {
			continue
		}
		m, err := parseMember(x)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func parseMember(x any) (scim.Member, error) {
	if id, ok := x.(string); ok && id != "" {
		return scim.Member{Value: id}, nil
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return scim.Member{}, badRequest(scim.ScimTypeInvalidValue, "a member is an object with a \"value\" or an id string, got %s", jsonKind(x))
	}
	var m scim.Member
	for k, v := range obj {
		var dst *string
		switch {
		case strings.EqualFold(k, "value"):
			dst = &m.Value
		case strings.EqualFold(k, "$ref"):
			dst = &m.Ref
		case strings.EqualFold(k, "type"):
			dst = &m.Type
		case strings.EqualFold(k, "display"), strings.EqualFold(k, "displayName"):
			dst = &m.Display
		default:
			continue
		}
		s, isString := v.(string)
		if v != nil && !isString {
			return scim.Member{}, badRequest(scim.ScimTypeInvalidValue, "member %q must be a string, got %s", k, jsonKind(v))
		}
		*dst = s
	}
	if m.Value == "" {
		return scim.Member{}, badRequest(scim.ScimTypeInvalidValue, "a member needs a non-empty \"value\" (the member's id)")
	}
	return m, nil
}
