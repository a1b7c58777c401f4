package scim

// Values returns the values a resolved path selects in a canonical resource,
// flattened: for a multi-valued attribute each element (or, with a
// sub-attribute, each element's sub-attribute value); absent and null
// values are omitted. The result aliases res; do not modify it.
func Values(res Resource, r Resolved) []any {
	container := res
	if r.Extension {
		ext, ok := res[r.Path.URI].(map[string]any)
		if !ok {
			return nil
		}
		container = ext
	}
	v, ok := container[r.Path.Name]
	if !ok || v == nil {
		return nil
	}
	var out []any
	add := func(x any) {
		if r.Sub == nil {
			if x != nil {
				out = append(out, x)
			}
			return
		}
		if m, ok := x.(map[string]any); ok {
			if sv, ok := m[r.Sub.Name]; ok && sv != nil {
				out = append(out, sv)
			}
		}
	}
	if list, ok := v.([]any); ok {
		for _, x := range list {
			add(x)
		}
		return out
	}
	add(v)
	return out
}
