package scim

import (
	"bytes"
	"net/http"
	"strings"
)

// ParseAttributeList parses values of the "attributes" or
// "excludedAttributes" query parameter (RFC 7644 §3.9, §3.4.2.5), or the
// elements of the same members of a SearchRequest (§3.4.3): comma-separated
// attribute paths, case-insensitive, optionally qualified by a schema URI
// ("urn:...:enterprise:2.0:User:employeeNumber"), or a schema URI alone for
// all of that schema's attributes. It returns the paths resolved to their
// canonical spelling with URI set; a whole schema is a path with only URI.
//
// Leniencies: a value filter is dropped (`emails[type eq "work"]` selects
// emails, `emails[type eq "work"].value` selects emails.value), blanks
// around names are ignored, and paths naming no attribute of the resource
// type are ignored. The result is nil only when the values name nothing at
// all (absent or blank parameter); when every path is unknown it is empty
// but not nil, which [ResourceType.Project] tells apart. A malformed path is
// an *Error 400 invalidValue.
func (rt *ResourceType) ParseAttributeList(values ...string) ([]AttrPath, error) {
	v := rt.view.Load()
	if v == nil {
		return nil, Errorf(http.StatusInternalServerError, "", "resource type %q is not registered", rt.Name)
	}
	var out []AttrPath
	for _, value := range values {
		items, err := splitAttributeList(value)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			if out == nil {
				out = make([]AttrPath, 0, len(items))
			}
			if s := v.schemaByURI(item); s != nil {
				out = append(out, AttrPath{URI: s.ID})
				continue
			}
			p, err := ParseAttrPath(item)
			if err != nil {
				return nil, Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "attributes: %q is not an attribute path", item)
			}
			if r, err := resolveIn(v, p); err == nil {
				out = append(out, r.Path)
			}
		}
	}
	return out, nil
}

// splitAttributeList splits a comma-separated list, dropping value filters
// ("[...]", which may hold quoted commas and brackets).
func splitAttributeList(s string) ([]string, error) {
	var items []string
	var b strings.Builder
	flush := func() {
		if item := strings.TrimSpace(b.String()); item != "" {
			items = append(items, item)
		}
		b.Reset()
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ',':
			flush()
		case '[':
			end := filterEnd(s, i)
			if end < 0 {
				return nil, Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "attributes: unterminated value filter in %q", s)
			}
			i = end
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return items, nil
}

// filterEnd returns the index of the "]" closing the value filter opened at
// s[open], skipping quoted strings; -1 if there is none.
func filterEnd(s string, open int) int {
	inString := false
	for i := open + 1; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == ']':
			return i
		}
	}
	return -1
}

// schemaByURI returns the core or extension schema with the given URI.
func (v *rtView) schemaByURI(uri string) *Schema {
	if strings.EqualFold(uri, v.core.ID) {
		return v.core
	}
	return lookupFold(v.extByURI, uri)
}

// Project returns the representation of res that a response carries (RFC
// 7644 §3.9, §3.4.2.5), following each attribute's "returned"
// characteristic (RFC 7643 §7):
//   - with attributes non-nil (from [ResourceType.ParseAttributeList]):
//     only those attributes or sub-attributes, plus those returned "always"
//     (id, schemas); "request" attributes only when named;
//   - otherwise: every attribute except those returned "request", minus
//     excludedAttributes; "always" attributes cannot be excluded;
//   - attributes returned "never" (password) are never in the result.
//
// Extension attributes live in their extension object, which is dropped
// when nothing in it is left; "schemas" is always kept as it is. When both
// lists are given, excludedAttributes then removes from the attributes
// selection. Paths that name no attribute are ignored.
//
// res is not modified. The result is a new top-level object, but values
// that need no filtering are shared with res: treat both as read-only.
func (rt *ResourceType) Project(res Resource, attributes, excluded []AttrPath) Resource {
	v := rt.view.Load()
	if v == nil || res == nil {
		return res
	}
	var out Resource
	if attributes != nil {
		out = v.include(res, attributes)
	} else {
		out = v.defaultView(res)
	}
	for _, p := range excluded {
		v.exclude(out, p)
	}
	return out
}

// DefaultViewUnchanged reports whether the default projection (no
// attributes, no excludedAttributes) returns unchanged the canonical
// document whose JSON object is raw, so that a server may send raw as it
// is: raw must carry "schemas" and no attribute returned "never" or
// "request" (RFC 7643 §7), nor one with such sub-attributes. The test is a
// byte search and errs on the safe side: a value that merely contains such
// a name, quoted, makes it false.
func (rt *ResourceType) DefaultViewUnchanged(raw []byte) bool {
	v := rt.view.Load()
	if v == nil || !bytes.Contains(raw, schemasKey) {
		return false
	}
	for _, k := range v.hiddenKeys {
		if bytes.Contains(raw, k) {
			return false
		}
	}
	return true
}

var schemasKey = []byte(`"schemas"`)

// pick is one attribute selected by "attributes".
type pick struct {
	attr  *Attribute
	whole bool         // the attribute itself was named
	subs  []*Attribute // sub-attributes named
}

// containerPicks is the selection within one container: the resource
// (core and common attributes) or one extension object.
type containerPicks struct {
	all   bool // the whole schema was named
	picks []pick
}

func (c *containerPicks) add(r Resolved) {
	for i := range c.picks {
		if c.picks[i].attr == r.Attr {
			c.picks[i].set(r.Sub)
			return
		}
	}
	c.picks = append(c.picks, pick{attr: r.Attr})
	c.picks[len(c.picks)-1].set(r.Sub)
}

func (p *pick) set(sub *Attribute) {
	if sub == nil {
		p.whole = true
	} else {
		p.subs = append(p.subs, sub)
	}
}

// include builds the projection for an "attributes" list.
func (v *rtView) include(res Resource, attributes []AttrPath) Resource {
	sel := make([]containerPicks, 1+len(v.exts)) // [0]: core; [i+1]: v.exts[i]
	for _, p := range attributes {
		if p.Name == "" {
			if i := v.containerOf(canonicalURI(v, p.URI)); i >= 0 {
				sel[i].all = true
			}
			continue
		}
		r, err := resolveIn(v, p)
		if err != nil {
			continue
		}
		sel[v.containerOf(r.Path.URI)].add(r)
	}
	out := make(Resource, len(attributes)+4)
	// "schemas" and id are among the common attributes returned "always".
	if sel[0].all {
		copyDefault(out, res, commonAttributes, v.core.Attributes)
	} else {
		selectInto(out, res, &sel[0], commonIndex, v.core.index)
	}
	for i, s := range v.exts {
		src, ok := res[s.ID].(map[string]any)
		if !ok || (!sel[i+1].all && len(sel[i+1].picks) == 0 && len(s.index.always) == 0) {
			continue
		}
		dst := make(map[string]any)
		if sel[i+1].all {
			copyDefault(dst, src, s.Attributes)
		} else {
			selectInto(dst, src, &sel[i+1], s.index)
		}
		if len(dst) > 0 {
			out[s.ID] = dst
		}
	}
	return out
}

// containerOf returns the selection index of a canonical schema URI: 0 for
// the core schema, i+1 for v.exts[i], -1 if unknown.
func (v *rtView) containerOf(uri string) int {
	if uri == v.core.ID {
		return 0
	}
	for i, s := range v.exts {
		if uri == s.ID {
			return i + 1
		}
	}
	return -1
}

// copyDefault copies the attributes of src that a default projection
// returns into dst.
func copyDefault(dst, src map[string]any, lists ...[]*Attribute) {
	for _, attrs := range lists {
		for _, a := range attrs {
			if val, ok := src[a.Name]; ok && a.Returned != ReturnedNever && a.Returned != ReturnedRequest {
				setOrDrop(dst, a.Name, defaultValue(a, val))
			}
		}
	}
}

// selectInto copies the attributes returned "always" and the picked ones.
func selectInto(dst, src map[string]any, sel *containerPicks, indexes ...*schemaIndex) {
	for _, ix := range indexes {
		for _, a := range ix.always {
			if val, ok := src[a.Name]; ok {
				setOrDrop(dst, a.Name, defaultValue(a, val))
			}
		}
	}
	for _, p := range sel.picks {
		val, ok := src[p.attr.Name]
		if !ok || p.attr.Returned == ReturnedNever {
			continue
		}
		if p.whole {
			setOrDrop(dst, p.attr.Name, defaultValue(p.attr, val))
		} else {
			setOrDrop(dst, p.attr.Name, subsetValue(p.attr, val, p.subs))
		}
	}
}

// defaultValue filters out sub-attributes returned "never" or "request".
func defaultValue(a *Attribute, val any) any {
	if !a.hiddenSubs {
		return val
	}
	return mapElements(val, func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, x := range m {
			if sub := a.SubAttribute(k); sub == nil || (sub.Returned != ReturnedNever && sub.Returned != ReturnedRequest) {
				out[k] = x
			}
		}
		return out
	})
}

// subsetValue keeps only the named sub-attributes and those returned
// "always"; nil if nothing is left.
func subsetValue(a *Attribute, val any, subs []*Attribute) any {
	return mapElements(val, func(m map[string]any) map[string]any {
		out := make(map[string]any, len(subs))
		for k, x := range m {
			sub := a.SubAttribute(k)
			if sub != nil && sub.Returned != ReturnedNever && (sub.Returned == ReturnedAlways || containsAttr(subs, sub)) {
				out[k] = x
			}
		}
		return out
	})
}

func containsAttr(list []*Attribute, a *Attribute) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// mapElements applies f to a complex value or to each element of a
// multi-valued complex value, dropping empty results; nil if nothing is
// left. Values of other shapes are returned unchanged.
func mapElements(val any, f func(map[string]any) map[string]any) any {
	switch x := val.(type) {
	case map[string]any:
		if m := f(x); len(m) > 0 {
			return m
		}
		return nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				out = append(out, e)
				continue
			}
			if m = f(m); len(m) > 0 {
				out = append(out, m)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return val
}

// defaultView is the projection without "attributes": everything but the
// attributes returned "never" or "request".
func (v *rtView) defaultView(res Resource) Resource {
	out := make(Resource, len(res))
	for k, x := range res {
		out[k] = x
	}
	hideDefault(out, commonIndex)
	hideDefault(out, v.core.index)
	for _, s := range v.exts {
		if len(s.index.hidden) == 0 {
			continue
		}
		src, ok := out[s.ID].(map[string]any)
		if !ok {
			continue
		}
		ext := make(map[string]any, len(src))
		for k, x := range src {
			ext[k] = x
		}
		hideDefault(ext, s.index)
		setOrDrop(out, s.ID, ext)
	}
	return out
}

// hideDefault removes or filters, in place, the attributes of one
// container that a default projection does not return.
func hideDefault(m map[string]any, ix *schemaIndex) {
	for _, a := range ix.hidden {
		val, ok := m[a.Name]
		if !ok {
			continue
		}
		if a.Returned == ReturnedNever || a.Returned == ReturnedRequest {
			delete(m, a.Name)
			continue
		}
		if x := defaultValue(a, val); x != nil {
			m[a.Name] = x
		} else {
			delete(m, a.Name)
		}
	}
}

// exclude removes one excludedAttributes path from out, a projection whose
// top-level object is not shared; extension objects are copied before they
// change.
func (v *rtView) exclude(out Resource, p AttrPath) {
	if p.Name == "" {
		switch i := v.containerOf(canonicalURI(v, p.URI)); {
		case i == 0:
			for _, attrs := range [][]*Attribute{commonAttributes, v.core.Attributes} {
				for _, a := range attrs {
					if a.Returned != ReturnedAlways {
						delete(out, a.Name)
					}
				}
			}
		case i > 0:
			delete(out, v.exts[i-1].ID)
		}
		return
	}
	r, err := resolveIn(v, p)
	if err != nil || r.Leaf().Returned == ReturnedAlways {
		return
	}
	container := map[string]any(out)
	if r.Extension {
		src, ok := out[r.Path.URI].(map[string]any)
		if !ok {
			return
		}
		container = make(map[string]any, len(src))
		for k, x := range src {
			container[k] = x
		}
	}
	if val, ok := container[r.Attr.Name]; ok {
		if r.Sub == nil {
			delete(container, r.Attr.Name)
		} else {
			sub := r.Sub
			x := mapElements(val, func(m map[string]any) map[string]any {
				if _, has := m[sub.Name]; !has {
					return m
				}
				c := make(map[string]any, len(m))
				for k, e := range m {
					if k != sub.Name {
						c[k] = e
					}
				}
				return c
			})
			setOrDrop(container, r.Attr.Name, x)
		}
	}
	if r.Extension {
		setOrDrop(out, r.Path.URI, container)
	}
}

// canonicalURI returns the canonical spelling of a schema URI of the
// resource type, or uri itself if unknown.
func canonicalURI(v *rtView, uri string) string {
	if s := v.schemaByURI(uri); s != nil {
		return s.ID
	}
	return uri
}

// setOrDrop sets m[k] = x, or deletes k when x is nil or an empty object.
func setOrDrop(m map[string]any, k string, x any) {
	switch y := x.(type) {
	case nil:
		delete(m, k)
	case map[string]any:
		if len(y) == 0 {
			delete(m, k)
			return
		}
		m[k] = y
	default:
		m[k] = x
	}
}
