package memory

import (
	"github.com/provisio-dev/provisio/scim"
)

// takeMembers removes "members" from a canonical document and returns them.
func takeMembers(doc scim.Resource) ([]scim.Member, error) {
	raw, ok := doc["members"]
	delete(doc, "members")
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, scim.Errorf(400, scim.ScimTypeInvalidValue, "members must be an array")
	}
	out := make([]scim.Member, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, scim.Errorf(400, scim.ScimTypeInvalidValue, "each member must be an object with a value")
		}
		v, _ := m["value"].(string)
		if v == "" {
			return nil, scim.Errorf(400, scim.ScimTypeInvalidValue, "each member needs a non-empty value")
		}
		mem := scim.Member{Value: v}
		mem.Ref, _ = m["$ref"].(string)
		mem.Type, _ = m["type"].(string)
		mem.Display, _ = m["display"].(string)
		out = append(out, mem)
	}
	return out, nil
}

// resolveMembers checks that each member is a stored resource (else 400
// invalidValue) and sets its type to that resource's type, whatever the
// client sent (RFC 7643 §4.2); display is kept as sent. Call it with the
// lock held.
func (b *Backend) resolveMembers(ms []scim.Member) ([]scim.Member, error) {
	out := make([]scim.Member, len(ms))
	for i, m := range ms {
		m.Type = ""
		for _, t := range b.tables {
			if e := t.byID[m.Value]; e != nil {
				m.Type, _ = e.doc["meta"].(map[string]any)["resourceType"].(string)
				break
			}
		}
		if m.Type == "" {
			return nil, scim.Errorf(400, scim.ScimTypeInvalidValue, "member %q does not exist", m.Value)
		}
		out[i] = m
	}
	return out, nil
}

// applyMembers returns a new member list: cur (or nothing if reset) minus
// remove, plus add; adding an existing member keeps the first occurrence.
func applyMembers(cur []scim.Member, reset bool, add []scim.Member, remove []string) []scim.Member {
	out := make([]scim.Member, 0, len(cur)+len(add))
	if !reset {
		drop := make(map[string]bool, len(remove))
		for _, id := range remove {
			drop[id] = true
		}
		for _, m := range cur {
			if !drop[m.Value] {
				out = append(out, m)
			}
		}
	}
	seen := make(map[string]bool, len(out)+len(add))
	for _, m := range out {
		seen[m.Value] = true
	}
	for _, m := range add {
		if !seen[m.Value] {
			seen[m.Value] = true
			out = append(out, m)
		}
	}
	return out
}

func memberJSON(m scim.Member) map[string]any {
	out := map[string]any{"value": m.Value}
	if m.Ref != "" {
		out["$ref"] = m.Ref
	}
	if m.Type != "" {
		out["type"] = m.Type
	}
	if m.Display != "" {
		out["display"] = m.Display
	}
	return out
}

// deepCopy copies a JSON document so that stored state never aliases
// what callers hold.
func deepCopy(doc scim.Resource) scim.Resource {
	if doc == nil {
		return scim.Resource{}
	}
	return copyValue(doc).(map[string]any)
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = copyValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = copyValue(x)
		}
		return out
	default:
		return v
	}
}
