package patch

import (
	"maps"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// target is a PATCH path resolved against the resource type
// (RFC 7644 §3.5.2: attrPath / valuePath [subAttr]).
type target struct {
	attr  *scim.Attribute // top-level attribute
	uri   string          // schema URI of attr
	ext   bool            // attr lives in an extension (under uri in the resource)
	sub   *scim.Attribute // sub-attribute, nil if none
	expr  filter.Expr     // value filter, nil if none
	match func(elem map[string]any) bool
}

// name renders the target for error details.
func (t *target) name() string {
	if t.sub != nil {
		return t.attr.Name + "." + t.sub.Name
	}
	return t.attr.Name
}

// target parses and resolves path. It returns nil, nil when the path names
// an unknown attribute and the unknown-attribute policy is to ignore it.
func (a *applier) target(path string) (*target, error) {
	p, err := filter.ParsePath(path, a.opts.Filter)
	if err != nil {
		return nil, badRequest(scim.ScimTypeInvalidPath, "invalid path: %v", err)
	}
	r, err := a.rt.Resolve(p.Attr)
	if err != nil {
		if a.ignoreUnknown() {
			return nil, nil
		}
		return nil, badRequest(scim.ScimTypeInvalidPath, "%v", err)
	}
	t := &target{attr: r.Attr, uri: r.Path.URI, ext: r.Extension, sub: r.Sub}
	if p.Filter == nil {
		return t, nil
	}
	if r.Attr.Type != scim.TypeComplex {
		return nil, badRequest(scim.ScimTypeInvalidPath, "attribute %q is not complex and takes no value filter", r.Attr.Name)
	}
	if p.Sub != "" {
		if t.sub = r.Attr.SubAttribute(p.Sub); t.sub == nil {
			if a.ignoreUnknown() {
				return nil, nil
			}
			return nil, badRequest(scim.ScimTypeInvalidPath, "unknown sub-attribute %q of %q", p.Sub, r.Attr.Name)
		}
	}
	if t.match, err = a.elementMatcher(t, p.Filter); err != nil {
		return nil, badRequest(scim.ScimTypeInvalidPath, "invalid value filter: %v", err)
	}
	t.expr = p.Filter
	return t, nil
}

// seed builds the element an upsert creates from a value filter made of
// `eq` comparisons joined by `and`; ok is false for any other filter.
func seed(attr *scim.Attribute, e filter.Expr) (elem map[string]any, ok bool) {
	elem = map[string]any{}
	var walk func(filter.Expr) bool
	walk = func(e filter.Expr) bool {
		switch x := e.(type) {
		case *filter.And:
			return walk(x.L) && walk(x.R)
		case *filter.Compare:
			if x.Op != filter.Eq || x.Filter != nil || x.Path.URI != "" || x.Path.Sub != "" {
				return false
			}
			sub := attr.SubAttribute(x.Path.Name)
			if sub == nil {
				return false
			}
			v, err := canon(sub, x.Value)
			if err != nil || v == nil {
				return false
			}
			elem[sub.Name] = v
			return true
		}
		return false
	}
	return elem, walk(e)
}

// container returns the object that holds t's attribute, made safe to
// modify: the resource, or the extension object under the schema URI
// (created if create is set). The applier works on a shallow copy of the
// input and copies an extension object and an attribute's value the first
// time an operation touches them (copy on write); nil if the extension
// object is absent and create is not set.
func (a *applier) container(t *target, create bool) map[string]any {
	holder := a.doc
	if t.ext {
		m, ok := a.doc[t.uri].(map[string]any)
		switch {
		case !ok && !create:
			return nil
		case !ok:
			m = map[string]any{}
		case !a.owned[t.uri]:
			m = maps.Clone(m)
		}
		a.doc[t.uri], a.owned[t.uri] = m, true
		holder = m
	}
	key := t.uri + ":" + t.attr.Name
	if !a.owned[key] {
		if v, ok := holder[t.attr.Name]; ok {
			holder[t.attr.Name] = copyValue(v)
		}
		a.owned[key] = true
	}
	return holder
}

// prune drops t's extension object once it is empty.
func (a *applier) prune(t *target) {
	if m, ok := a.doc[t.uri].(map[string]any); t.ext && ok && len(m) == 0 {
		delete(a.doc, t.uri)
	}
}

// elementMatcher compiles a value filter of t's attribute into a test of one
// element. The filter package evaluates value paths on resources, so each
// element is wrapped in a one-attribute resource.
func (a *applier) elementMatcher(t *target, e filter.Expr) (func(map[string]any) bool, error) {
	m, err := filter.Compile(&filter.ValuePath{Path: scim.AttrPath{URI: t.uri, Name: t.attr.Name}, Filter: e}, a.rt)
	if err != nil {
		return nil, err
	}
	name, uri, ext := t.attr.Name, t.uri, t.ext
	return func(elem map[string]any) bool {
		res := scim.Resource{name: elem}
		if ext {
			res = scim.Resource{uri: res}
		}
		return m.Match(res)
	}, nil
}
