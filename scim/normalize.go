package scim

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NormalizeOptions tune [ResourceType.Normalize] and [ResourceType.Replace].
// The zero value is what a service provider wants for POST and PUT bodies.
type NormalizeOptions struct {
	// RejectUnknown rejects attributes that no schema of the resource type
	// defines with 400 invalidSyntax naming the attribute. By default they
	// are dropped (RFC 7644 §3.3 lets the service provider choose).
	RejectUnknown bool

	// KeepReadOnly keeps readOnly attributes (id, meta, User.groups, ...)
	// instead of dropping them, for re-validating a stored resource such as
	// the result of a PATCH. Client input must be normalized without it
	// (RFC 7643 §7: readOnly values from clients SHALL be ignored).
	KeepReadOnly bool

	// KeepUnknown keeps what no schema of the resource type defines
	// verbatim instead of dropping or rejecting it (it overrides
	// RejectUnknown): unknown top-level attributes and extension objects
	// under unknown schema URIs, unknown attributes inside a known
	// extension object, unknown sub-attributes inside complex values, and
	// unknown URIs in "schemas" (listed after the known ones). It is for a
	// client that changes a resource read from another service provider and
	// writes it back (PATCH emulated with GET and PUT): whatever that
	// provider's custom schemas hold must survive the round trip. Known
	// attributes are still validated and canonicalised.
	KeepUnknown bool
}

// Normalize validates a resource sent by a client (POST body, RFC 7644
// §3.3) against the resource type's schemas and returns it in canonical
// form (RFC 7643 §2, §7):
//   - attribute names, sub-attribute names and schema URIs match
//     case-insensitively; the output uses the schema's spelling;
//   - extension attributes end up in an object under their schema URI,
//     also when sent flat ("urn:...:enterprise:2.0:User:employeeNumber"),
//     unqualified ("employeeNumber") or dotted ("name.givenName",
//     "urn:...:User:manager.value");
//   - null, empty lists and empty objects mean unset and are dropped;
//   - booleans also as the strings "true"/"false" in any case, integers and
//     decimals as JSON numbers (stored as float64); dateTime and binary
//     values are checked but stored as sent, as are all strings;
//   - a single value where a multi-valued attribute is expected is wrapped
//     in a list; a bare value where a complex attribute with a "value"
//     sub-attribute is expected becomes {"value": ...} (manager as an id);
//   - readOnly attributes are dropped (unless opts.KeepReadOnly), unknown
//     attributes are dropped, rejected or kept verbatim per opts;
//   - required attributes and required extensions must be present, and at
//     most one element of a multi-valued attribute may be primary;
//   - "schemas" is rebuilt: the core schema URI plus the URIs of the
//     extensions present. Unknown URIs in the input are tolerated (and
//     kept with opts.KeepUnknown).
//
// in is not modified, and the result shares nothing with it. Client errors
// are *Error with status 400 and scimType invalidSyntax or invalidValue.
func (rt *ResourceType) Normalize(in map[string]any, opts NormalizeOptions) (Resource, error) {
	n, err := rt.normalizer(opts)
	if err != nil {
		return nil, err
	}
	out, err := n.resource(in)
	if err != nil {
		return nil, err
	}
	if err := n.checkRequired(out); err != nil {
		return nil, err
	}
	n.setSchemas(out, in)
	return out, nil
}

// SetSchemas rebuilds res["schemas"] from the extensions res holds: the
// core schema URI followed by the URI of every extension whose object is
// present, in declaration order (RFC 7643 §3). Use it after changing a
// canonical resource, e.g. in PATCH.
func (rt *ResourceType) SetSchemas(res Resource) {
	if v := rt.view.Load(); v != nil {
		(&normalizer{v: v}).setSchemas(res, nil)
	}
}

// normalizer carries one Normalize call.
type normalizer struct {
	v    *rtView
	opts NormalizeOptions
}

func (rt *ResourceType) normalizer(opts NormalizeOptions) (*normalizer, error) {
	v := rt.view.Load()
	if v == nil {
		return nil, Errorf(http.StatusInternalServerError, "", "resource type %q is not registered", rt.Name)
	}
	return &normalizer{v: v, opts: opts}, nil
}

// deferredKey is a dotted or URN-qualified key, handled after the plain
// keys so that it merges into what they set.
type deferredKey struct {
	key string
	val any
}

// resource normalizes a whole resource without the required checks.
func (n *normalizer) resource(in map[string]any) (Resource, error) {
	out := make(Resource, len(in)+1)
	var later []deferredKey
	for k, val := range in {
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if a := lookupFold(n.v.coreAttrs, k); a != nil {
			if err := n.put(out, "", a, val); err != nil {
				return nil, err
			}
			continue
		}
		if s := lookupFold(n.v.extByURI, k); s != nil {
			if err := n.extensionObject(out, s, val); err != nil {
				return nil, err
			}
			continue
		}
		later = append(later, deferredKey{k, val})
	}
	if len(later) > 1 {
		// Whole attributes before sub-attributes, so that these merge into
		// them, and a fixed order for conflicts.
		slices.SortFunc(later, func(a, b deferredKey) int {
			ad, bd := strings.IndexByte(a.key, '.') >= 0, strings.IndexByte(b.key, '.') >= 0
			if ad != bd {
				if ad {
					return 1
				}
				return -1
			}
			return strings.Compare(a.key, b.key)
		})
	}
	for _, d := range later {
		if err := n.laterKey(out, d.key, d.val); err != nil {
			return nil, err
		}
	}
	n.dropEmptyExtensions(out)
	return out, nil
}

// laterKey stores a value given under a key that is neither a core
// attribute nor an extension URI: a path such as "name.givenName" or
// "urn:...:enterprise:2.0:User:manager.value", or an extension attribute
// without its URI ("employeeNumber").
func (n *normalizer) laterKey(out Resource, key string, val any) error {
	p, err := ParseAttrPath(key)
	if err == nil {
		var r Resolved
		if r, err = resolveIn(n.v, p); err == nil {
			return n.putResolved(out, r, val)
		}
	}
	return n.unknown(out, key, key, val)
}

// unknown handles the value of an attribute no schema defines, stored
// under key in container: kept verbatim with KeepUnknown, else rejected
// (naming it as path) with RejectUnknown, else dropped.
func (n *normalizer) unknown(container map[string]any, key, path string, val any) error {
	switch {
	case n.opts.KeepUnknown:
		if val != nil {
			container[key] = copyValue(val)
		}
	case n.opts.RejectUnknown:
		return unknownAttr(path)
	}
	return nil
}

// putResolved stores a value for a resolved path.
func (n *normalizer) putResolved(out Resource, r Resolved, val any) error {
	container, uri := out, ""
	if r.Extension {
		container, uri = n.extContainer(out, lookupFold(n.v.extByURI, r.Path.URI)), r.Path.URI
	}
	if r.Sub == nil {
		return n.put(container, uri, r.Attr, val)
	}
	return n.putSub(container, uri, r.Attr, r.Sub, val)
}

// extensionObject stores the attributes of an extension object
// ({"urn:...:enterprise:2.0:User": {...}}).
func (n *normalizer) extensionObject(out Resource, s *Schema, val any) error {
	if val == nil {
		return nil
	}
	obj, ok := val.(map[string]any)
	if !ok {
		return Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "extension %q must be a JSON object", s.ID)
	}
	container := n.extContainer(out, s)
	var later []deferredKey
	for k, v := range obj {
		a := s.Attribute(k)
		switch {
		case a != nil:
			if err := n.put(container, s.ID, a, v); err != nil {
				return err
			}
		case strings.IndexByte(k, '.') >= 0:
			later = append(later, deferredKey{k, v})
		default:
			if err := n.unknown(container, k, s.ID+":"+k, v); err != nil {
				return err
			}
		}
	}
	for _, d := range later {
		name, sub, _ := strings.Cut(d.key, ".")
		a := s.Attribute(name)
		var subAttr *Attribute
		if a != nil {
			subAttr = a.SubAttribute(sub)
		}
		if subAttr == nil {
			if err := n.unknown(container, d.key, s.ID+":"+d.key, d.val); err != nil {
				return err
			}
			continue
		}
		if err := n.putSub(container, s.ID, a, subAttr, d.val); err != nil {
			return err
		}
	}
	return nil
}

// extContainer returns the object under the extension's URI key, creating it.
func (n *normalizer) extContainer(out Resource, s *Schema) map[string]any {
	if m, ok := out[s.ID].(map[string]any); ok {
		return m
	}
	m := make(map[string]any)
	out[s.ID] = m
	return m
}

func (n *normalizer) dropEmptyExtensions(out Resource) {
	for _, s := range n.v.exts {
		if m, ok := out[s.ID].(map[string]any); ok && len(m) == 0 {
			delete(out, s.ID)
		}
	}
}

func unknownAttr(key string) error {
	return Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "unknown attribute %q", key)
}

// skip reports whether an attribute's input is ignored (RFC 7643 §7: readOnly).
func (n *normalizer) skip(a *Attribute) bool {
	return a.Mutability == ReadOnly && !n.opts.KeepReadOnly
}

// put normalizes val for attribute a and stores it in container.
func (n *normalizer) put(container map[string]any, uri string, a *Attribute, val any) error {
	if n.skip(a) {
		return nil
	}
	x, err := n.value(a, val, errPath{uri, a.Name, ""})
	if err != nil || x == nil {
		return err
	}
	if _, dup := container[a.Name]; dup {
		return Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "attribute %q given more than once", errPath{uri, a.Name, ""})
	}
	container[a.Name] = x
	return nil
}

// putSub stores a sub-attribute given by a dotted key into its (singular)
// complex parent.
func (n *normalizer) putSub(container map[string]any, uri string, a, sub *Attribute, val any) error {
	path := errPath{uri, a.Name, sub.Name}
	if n.skip(a) || n.skip(sub) {
		return nil
	}
	if a.MultiValued {
		return Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "attribute %q: a sub-attribute of a multi-valued attribute needs a value filter", path)
	}
	x, err := n.value(sub, val, path)
	if err != nil || x == nil {
		return err
	}
	parent, _ := container[a.Name].(map[string]any)
	if parent == nil {
		parent = make(map[string]any, 1)
		container[a.Name] = parent
	}
	if _, dup := parent[sub.Name]; dup {
		return Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "attribute %q given more than once", path)
	}
	parent[sub.Name] = x
	return nil
}

// attrName renders an attribute's name for error details: qualified by its
// schema URI for extension attributes.
func attrName(uri, name, sub string) string {
	return AttrPath{URI: uri, Name: name, Sub: sub}.String()
}

// errPath names the attribute being normalized; it is rendered only for an
// error, so that the common path allocates nothing for it.
type errPath struct{ uri, name, sub string }

func (p errPath) String() string { return attrName(p.uri, p.name, p.sub) }

// child names a sub-attribute of p.
func (p errPath) child(sub string) errPath { return errPath{p.uri, p.name, sub} }

// value normalizes one attribute value; nil means unset.
func (n *normalizer) value(a *Attribute, val any, path errPath) (any, error) {
	if val == nil {
		return nil, nil
	}
	if !a.MultiValued {
		if list, ok := val.([]any); ok && a.Type == TypeComplex {
			// Lenient: a one-element list for a singular complex attribute.
			switch len(list) {
			case 0:
				return nil, nil
			case 1:
				val = list[0]
			default:
				return nil, invalidValue(path, "is single-valued")
			}
		}
		return n.single(a, val, path)
	}
	list, ok := val.([]any)
	if !ok {
		x, err := n.single(a, val, path)
		if err != nil || x == nil {
			return nil, err
		}
		return []any{x}, nil
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		x, err := n.single(a, e, path)
		if err != nil {
			return nil, err
		}
		if x != nil {
			out = append(out, x)
		}
	}
	out = mergeDuplicates(a, out)
	primaries := 0
	for _, x := range out {
		if m, ok := x.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
	}
	if primaries > 1 {
		return nil, invalidValue(path, "has more than one primary value")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// mergeDuplicates merges the values of multi-valued attribute a that are
// the same value, as RFC 7643 §2.4 allows no two values with the same
// "type" and "value" (Entra and Okta sometimes send a work e-mail twice):
// complex values with equal "type" (or none) and equal "value", simple
// values that are equal, compared as the attributes' caseExact says. The
// first keeps its place and takes the sub-attributes only the later ones
// have, and it is primary if one of them is. Complex values without a
// "value" sub-attribute (addresses) are kept as they are. Linear in the
// number of values.
func mergeDuplicates(a *Attribute, list []any) []any {
	if len(list) < 2 {
		return list
	}
	seen := make(map[string]int, len(list))
	out := list[:0]
	for _, x := range list {
		k, ok := duplicateKey(a, x)
		if !ok {
			out = append(out, x)
			continue
		}
		i, dup := seen[k]
		if !dup {
			seen[k] = len(out)
			out = append(out, x)
			continue
		}
		if first, ok := out[i].(map[string]any); ok {
			for sub, v := range x.(map[string]any) {
				if _, has := first[sub]; !has || (sub == "primary" && v == true) {
					first[sub] = v
				}
			}
		}
	}
	return out
}

// duplicateKey returns the key by which mergeDuplicates finds equal values.
func duplicateKey(a *Attribute, x any) (string, bool) {
	if a.Type != TypeComplex {
		return ValueKey(a.CaseExact, x)
	}
	valueSub, m := a.SubAttribute("value"), x.(map[string]any)
	if valueSub == nil {
		return "", false
	}
	v, ok := ValueKey(valueSub.CaseExact, m["value"])
	if !ok {
		return "", false
	}
	var typ string
	if typeSub := a.SubAttribute("type"); typeSub != nil {
		typ, _ = ValueKey(typeSub.CaseExact, m["type"])
	}
	return typ + "\x00" + v, true
}

// single normalizes one (element) value of attribute a; nil means unset.
func (n *normalizer) single(a *Attribute, val any, path errPath) (any, error) {
	if val == nil {
		return nil, nil
	}
	if a.Type == TypeComplex {
		return n.complex(a, val, path)
	}
	return coerceSimple(a.Type, val, path)
}

// complex normalizes a complex value.
func (n *normalizer) complex(a *Attribute, val any, path errPath) (any, error) {
	obj, ok := val.(map[string]any)
	if !ok {
		// Lenient: a bare value for a complex attribute with a "value"
		// sub-attribute (Entra sends manager as an id string).
		sub := a.SubAttribute("value")
		if sub == nil || isContainer(val) {
			return nil, invalidValue(path, "must be a JSON object")
		}
		if s, ok := val.(string); ok && s == "" {
			return nil, nil
		}
		obj = map[string]any{sub.Name: val}
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		sub := a.SubAttribute(k)
		if sub == nil {
			if err := n.unknown(out, k, path.child(k).String(), v); err != nil {
				return nil, err
			}
			continue
		}
		if n.skip(sub) {
			continue
		}
		x, err := n.value(sub, v, path.child(sub.Name))
		if err != nil {
			return nil, err
		}
		if x == nil {
			continue
		}
		if _, dup := out[sub.Name]; dup {
			return nil, Errorf(http.StatusBadRequest, ScimTypeInvalidSyntax, "attribute %q given more than once", path.child(sub.Name))
		}
		out[sub.Name] = x
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// coerceSimple checks and coerces a value of a simple type (RFC 7643 §2.3).
func coerceSimple(typ string, val any, path errPath) (any, error) {
	switch typ {
	case TypeBoolean:
		return coerceBool(val, path)
	case TypeInteger:
		f, ok := number(val)
		if !ok || f != math.Trunc(f) {
			return nil, invalidValue(path, "must be an integer")
		}
		return f, nil
	case TypeDecimal:
		f, ok := number(val)
		if !ok {
			return nil, invalidValue(path, "must be a number")
		}
		return f, nil
	}
	s, ok := val.(string)
	if !ok {
		return nil, invalidValue(path, "must be a string")
	}
	switch typ {
	case TypeDateTime:
		if !validDateTime(s) {
			return nil, invalidValue(path, "must be an xsd:dateTime such as 2008-01-23T04:56:22Z")
		}
	case TypeBinary:
		if !validBase64(s) {
			return nil, invalidValue(path, "must be base64")
		}
	}
	return s, nil
}

// coerceBool accepts what [Bool] reads as a boolean.
func coerceBool(val any, path errPath) (any, error) {
	if b, ok := Bool(val); ok {
		return b, nil
	}
	return nil, invalidValue(path, "must be a boolean")
}

// number reads a JSON number as decoded by encoding/json (float64, or
// json.Number with UseNumber) or a Go integer.
func number(val any) (float64, bool) {
	var f float64
	switch x := val.(type) {
	case float64:
		f = x
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return 0, false
		}
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	default:
		return 0, false
	}
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}

// validDateTime accepts xsd:dateTime values (RFC 7643 §2.3.5): RFC 3339
// with any number of fractional digits, or without a time zone.
func validDateTime(s string) bool {
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	_, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return err == nil
}

func validBase64(s string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if _, err := enc.DecodeString(s); err == nil {
			return true
		}
	}
	return false
}

func invalidValue(path errPath, problem string) *Error {
	return Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "attribute %q %s", path, problem)
}

// checkRequired enforces required attributes and extensions (RFC 7643 §2.2,
// §6) on a normalized resource.
func (n *normalizer) checkRequired(out Resource) error {
	if err := checkRequiredIn(out, n.v.core, ""); err != nil {
		return err
	}
	for i, s := range n.v.exts {
		ext, ok := out[s.ID].(map[string]any)
		if !ok {
			if n.v.required[i] {
				return Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "extension %q is required", s.ID)
			}
			continue
		}
		if err := checkRequiredIn(ext, s, s.ID); err != nil {
			return err
		}
	}
	return nil
}

func checkRequiredIn(container map[string]any, s *Schema, uri string) error {
	for _, a := range s.index.required {
		if missing(container[a.Name]) {
			return requiredErr(attrName(uri, a.Name, ""))
		}
	}
	for _, a := range s.index.requiredSubs {
		var elems []any
		switch v := container[a.Name].(type) {
		case map[string]any:
			elems = []any{v}
		case []any:
			elems = v
		}
		for _, e := range elems {
			m, _ := e.(map[string]any)
			for _, sub := range a.SubAttributes {
				if sub.Required && sub.Mutability != ReadOnly && missing(m[sub.Name]) {
					return requiredErr(attrName(uri, a.Name, sub.Name))
				}
			}
		}
	}
	return nil
}

// missing reports whether a required value is absent: unset or an empty
// string (RFC 7643 §4.1.1: "a non-empty userName").
func missing(v any) bool {
	s, isString := v.(string)
	return v == nil || (isString && s == "")
}

func requiredErr(path string) *Error {
	return Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "attribute %q is required", path)
}

// setSchemas rebuilds "schemas": core URI plus the extensions present,
// then, with KeepUnknown, the URIs of in's "schemas" that the resource type
// does not know (in may be nil).
func (n *normalizer) setSchemas(out Resource, in map[string]any) {
	schemas := make([]any, 1, 1+len(n.v.exts))
	schemas[0] = n.v.core.ID
	for _, s := range n.v.exts {
		if _, ok := out[s.ID]; ok {
			schemas = append(schemas, s.ID)
		}
	}
	if n.opts.KeepUnknown {
		schemas = n.appendUnknownSchemas(schemas, in)
	}
	out["schemas"] = schemas
}

// appendUnknownSchemas appends the strings of in's "schemas" that name
// neither the core schema nor an extension, once each (case-insensitively).
func (n *normalizer) appendUnknownSchemas(schemas []any, in map[string]any) []any {
	var list []any
	for k, v := range in {
		if strings.EqualFold(k, "schemas") {
			list, _ = v.([]any)
			break
		}
	}
	for _, v := range list {
		uri, ok := v.(string)
		known := !ok || strings.EqualFold(uri, n.v.core.ID) || lookupFold(n.v.extByURI, uri) != nil
		if known || slices.ContainsFunc(schemas, func(have any) bool { return strings.EqualFold(have.(string), uri) }) {
			continue
		}
		schemas = append(schemas, uri)
	}
	return schemas
}
