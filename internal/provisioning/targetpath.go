package provisioning

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/filter"
)

// targetPath is a parsed mapping target (RFC 7644 §3.10 attribute path,
// optionally with an `eq` value filter that selects one element of a
// multi-valued attribute, as in emails[type eq "work"].value).
type targetPath struct {
	raw    string
	wire   string // raw as PATCH paths carry it (see parseTarget)
	uri    string // extension schema URI; "" for core attributes
	attr   string
	sub    string
	filter []eqTerm // the filter's `name eq value` terms; nil without a filter
	// extra is written into a new element besides the filter's terms.
	extra []eqTerm
}

type eqTerm struct {
	name  string
	value any
}

func parseTarget(s string) (targetPath, error) {
	p, err := filter.ParsePath(s, filter.Options{})
	if err != nil {
		return targetPath{}, err
	}
	t := targetPath{raw: s, wire: s, uri: p.Attr.URI, attr: p.Attr.Name, sub: p.Attr.Sub}
	if strings.Contains(strings.ToLower(t.uri), ":core:") {
		t.uri = ""
	}
	if p.Filter == nil {
		return t, nil
	}
	if p.Sub == "" {
		return targetPath{}, errors.New("a value filter needs a sub-attribute after it")
	}
	t.sub = p.Sub
	for _, e := range filter.Conjuncts(p.Filter) {
		c, ok := e.(*filter.Compare)
		if !ok || c.Op != filter.Eq || c.Filter != nil || c.Path.Sub != "" {
			return targetPath{}, errors.New(`only "sub eq value" terms joined by "and" are supported in a value filter`)
		}
		if b, isBool := primaryBool(c); isBool {
			c.Value = b
			t.wire = p.String()
		}
		t.filter = append(t.filter, eqTerm{c.Path.Name, c.Value})
	}
	if t.uri == "" && strings.EqualFold(t.attr, "roles") && slices.ContainsFunc(t.filter, isPrimary) &&
		!slices.ContainsFunc(t.filter, func(e eqTerm) bool { return strings.EqualFold(e.name, "type") }) {
		t.extra = []eqTerm{{"type", roleType}}
	}
	return t, nil
}

// eqFilter is the filter (RFC 7644 §3.4.2.2) that finds the resources
// whose value at t is value: `userName eq "v"`, or for a filtered path
// `emails[type eq "work" and value eq "v"]`.
func (t targetPath) eqFilter(value string) string {
	if t.filter == nil {
		return client.Eq(t.wire, value)
	}
	var b strings.Builder
	b.WriteString(t.top() + "[")
	for _, term := range t.filter {
		v, _ := json.Marshal(term.value)
		b.WriteString(term.name + " eq " + string(v) + " and ")
	}
	b.WriteString(client.Eq(t.sub, value) + "]")
	return b.String()
}

// roleType is the type of the roles Entra sends ("Create with roles":
// "type": "WindowsAzureActiveDirectoryRole", entra-provisioning.md §1.2).
const roleType = "WindowsAzureActiveDirectoryRole"

// primaryBool reads the value of a `primary eq "True"` term (Entra's
// default roles target, roles[primary eq "True"].value) as the boolean
// that primary is (RFC 7643 §2.4): Entra's POST carries "primary": true.
func primaryBool(c *filter.Compare) (bool, bool) {
	s, isString := c.Value.(string)
	if !isString || !strings.EqualFold(c.Path.Name, "primary") {
		return false, false
	}
	b, err := scim.ParseBool(s)
	return b, err == nil
}

func isPrimary(e eqTerm) bool { return strings.EqualFold(e.name, "primary") }

// top is the top-level attribute as used in an attributes= list.
func (t targetPath) top() string {
	if t.uri != "" {
		return t.uri + ":" + t.attr
	}
	return t.attr
}

// element identifies the multi-valued element a filtered path selects, so
// paths that share it (addresses[type eq "work"].streetAddress and
// .postalCode) are written to one element.
func (t targetPath) element() string {
	if t.filter == nil {
		return ""
	}
	return strings.ToLower(t.top()) + fmt.Sprint(t.filter)
}

// refValue is a reference as it is sent, {"value": id} (RFC 7643 §4.1.2
// members, §4.3 manager): the JSON of a map with one key, without a map
// per reference, so a group of 100,000 members costs 1.6 MB of them, not
// 33 MB of maps (issue 15, memory bounded by the batch).
type refValue struct {
	Value string `json:"value"`
}

// wire renders a mapped value as it is sent: references as {"value": id}.
func wire(v any, ref bool) any {
	if !ref {
		return v
	}
	switch x := v.(type) {
	case []string:
		out := make([]refValue, len(x))
		for i, id := range x {
			out[i] = refValue{id}
		}
		return out
	case string:
		return refValue{x}
	}
	return map[string]any{"value": v}
}

// set writes v into a resource being built for a create.
func (t targetPath) set(doc scim.Resource, v any, ref bool) {
	c := map[string]any(doc)
	if t.uri != "" {
		ext, ok := doc[t.uri].(map[string]any)
		if !ok {
			ext = map[string]any{}
			doc[t.uri] = ext
		}
		c = ext
	}
	v = wire(v, ref)
	switch {
	case t.filter != nil:
		list, _ := c[t.attr].([]any)
		el := t.findElement(list)
		if el == nil {
			el = t.newElement()
			c[t.attr] = append(list, el)
		}
		el[t.sub] = v
	case t.sub != "":
		m, ok := c[t.attr].(map[string]any)
		if !ok {
			m = map[string]any{}
			c[t.attr] = m
		}
		m[t.sub] = v
	default:
		c[t.attr] = v
	}
}

// newElement is a new element of the multi-valued attribute t selects:
// the filter's terms and the extra ones.
func (t targetPath) newElement() map[string]any {
	el := map[string]any{}
	for _, term := range t.extra {
		el[term.name] = term.value
	}
	for _, term := range t.filter {
		el[term.name] = term.value
	}
	return el
}

func (t targetPath) findElement(list []any) map[string]any {
	for _, x := range list {
		el, ok := x.(map[string]any)
		if ok && t.selects(el) {
			return el
		}
	}
	return nil
}

func (t targetPath) selects(el map[string]any) bool {
	for _, term := range t.filter {
		v := el[findKey(el, term.name)]
		a, aok := v.(string)
		b, bok := term.value.(string)
		switch want, isBool := term.value.(bool); {
		case aok && bok:
			if !strings.EqualFold(a, b) {
				return false
			}
		case isBool && aok: // a target that answers booleans as strings
			if got, err := scim.ParseBool(a); err != nil || got != want {
				return false
			}
		case v != term.value:
			return false
		}
	}
	return true
}

// get reads the value at t from a target resource, in the form mapping
// produces: scalars as they are, references as ids ([]string sorted for
// multi-valued ones). ok is false when the target has no value.
func (t targetPath) get(res scim.Resource, ref bool) (any, bool) {
	c := map[string]any(res)
	if t.uri != "" {
		ext, ok := res[findKey(res, t.uri)].(map[string]any)
		if !ok {
			return nil, false
		}
		c = ext
	}
	v := c[findKey(c, t.attr)]
	switch {
	case t.filter != nil:
		list, _ := v.([]any)
		el := t.findElement(list)
		if el == nil {
			return nil, false
		}
		v = el[findKey(el, t.sub)]
	case t.sub != "":
		m, _ := v.(map[string]any)
		v = m[findKey(m, t.sub)]
	}
	if ref {
		v = refIDs(v)
	}
	return v, present(v)
}

// refIDs turns {"value": id} or [{"value": id}, ...] (as wire builds them
// or as read from JSON) into id or []string.
func refIDs(v any) any {
	switch x := v.(type) {
	case refValue:
		return x.Value
	case []refValue:
		ids := make([]string, len(x))
		for i, r := range x {
			ids[i] = r.Value
		}
		slices.Sort(ids)
		return ids
	case map[string]any:
		return x[findKey(x, "value")]
	case []any:
		ids := make([]string, 0, len(x))
		for _, el := range x {
			if m, ok := el.(map[string]any); ok {
				if id, ok := m[findKey(m, "value")].(string); ok {
					ids = append(ids, id)
				}
			}
		}
		slices.Sort(ids)
		return ids
	}
	return v
}

func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []string:
		return len(x) > 0
	case []map[string]any:
		return len(x) > 0
	case []refValue:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
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
