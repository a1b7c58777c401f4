package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// Options tune how lenient [Apply] and [ExtractMembers] are. The zero value
// is RFC 7644 strict except for the leniencies every real client needs
// (op names in any case, string booleans, dotted and URN keys in path-less
// values), which are always on.
type Options struct {
	// Filter tunes the parsing of paths and their value filters.
	Filter filter.Options

	// ValuePathUpsert makes an add or replace on a value path that matches
	// no element create one, seeded from the filter's `eq` comparisons
	// (Entra: `addresses[type eq "work"].postalCode` on a user without a
	// work address creates {"type":"work","postalCode":...}). Without it
	// such an operation fails with 400 noTarget (RFC 7644 §3.5.2.3).
	ValuePathUpsert bool

	// Normalize is passed to the final validation of the result
	// ([scim.ResourceType.Normalize]); its unknown-attribute policy also
	// decides whether a path naming an unknown attribute is ignored (the
	// default) or rejected with 400 invalidPath (RejectUnknown or
	// KeepUnknown). With KeepUnknown, attributes of doc that rt does not
	// define are kept verbatim in the result.
	Normalize scim.NormalizeOptions
}

// Apply applies PATCH operations (RFC 7644 §3.5.2) to doc, a canonical
// resource of type rt, and returns the new resource, validated and coerced
// against the schema. doc is not modified. The request is atomic: if any
// operation fails, Apply returns nil and an error and nothing is changed.
//
// Errors are *scim.Error with status 400 and scimType invalidSyntax (unknown
// op, malformed value), invalidPath, invalidValue, noTarget or mutability;
// the detail names the operation's index and path.
//
// Group membership is applied here too when doc carries "members"; a store
// that keeps membership elsewhere first takes member operations out with
// [ExtractMembers].
func Apply(doc scim.Resource, rt *scim.ResourceType, ops []scim.PatchOperation, opts Options) (scim.Resource, error) {
	if rt == nil || rt.CoreSchema() == nil {
		return nil, errors.New("patch: resource type is not registered")
	}
	a := &applier{rt: rt, opts: opts, doc: maps.Clone(doc), owned: map[string]bool{}}
	if a.doc == nil {
		a.doc = scim.Resource{}
	}
	for i, op := range ops {
		if err := a.apply(op); err != nil {
			return nil, opError(i, op, err)
		}
	}
	a.singlePrimary()
	return a.validate()
}

// opKind is a PATCH operation (RFC 7644 §3.5.2).
type opKind int

const (
	opAdd opKind = iota
	opReplace
	opRemove
)

// parseOp reads an op name case-insensitively (Entra sends "Replace").
func parseOp(s string) (opKind, error) {
	switch {
	case strings.EqualFold(s, "add"):
		return opAdd, nil
	case strings.EqualFold(s, "replace"):
		return opReplace, nil
	case strings.EqualFold(s, "remove"):
		return opRemove, nil
	}
	return 0, badRequest(scim.ScimTypeInvalidSyntax, "unknown op %q: want add, replace or remove", s)
}

// decodeValue decodes an operation's value; ok is false if it is absent.
func decodeValue(raw json.RawMessage) (v any, ok bool, err error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false, badRequest(scim.ScimTypeInvalidSyntax, "value is not valid JSON")
	}
	return v, true, nil
}

// applier holds the working copy of one PATCH request.
type applier struct {
	rt    *scim.ResourceType
	opts  Options
	doc   scim.Resource        // shallow copy of the input; see container
	owned map[string]bool      // extension URIs and "URI:name" attribute keys copied from the input
	index map[string]attrIndex // by "URI:name" of multi-valued attributes; see index.go
}

func (a *applier) apply(op scim.PatchOperation) error {
	kind, err := parseOp(op.Op)
	if err != nil {
		return err
	}
	value, hasValue, err := decodeValue(op.Value)
	if err != nil {
		return err
	}
	path := strings.TrimSpace(op.Path)
	if kind != opRemove && !hasValue {
		return badRequest(scim.ScimTypeInvalidValue, "%s requires a value", kindName(kind))
	}
	if path == "" {
		if kind == opRemove {
			return badRequest(scim.ScimTypeNoTarget, "remove requires a path")
		}
		return a.setObject(kind, value)
	}
	if ext := a.extension(path); ext != nil {
		if kind == opRemove {
			delete(a.doc, ext.ID)
			a.index = nil
			return nil
		}
		return a.setObject(kind, map[string]any{ext.ID: value})
	}
	t, err := a.target(path)
	if err != nil || t == nil {
		return err
	}
	if kind == opRemove {
		return a.remove(t, value, hasValue)
	}
	return a.set(kind, t, value)
}

func kindName(k opKind) string {
	switch k {
	case opAdd:
		return "add"
	case opReplace:
		return "replace"
	}
	return "remove"
}

// setObject applies a path-less add or replace: each key of the value
// object is an attribute path (`displayName`, `name.givenName`,
// `urn:...:enterprise:2.0:User:employeeNumber`) or an extension schema URI
// holding an object of that extension's attributes (RFC 7644 §3.5.2.1).
// "schemas" is ignored (the final validation maintains it) and so is "id"
// if it equals the resource's id (Okta sends
// `{"op":"replace","value":{"id":...,"displayName":...}}`); any other id
// fails as a read-only attribute. Keys are applied in sorted order, so a
// parent ("name") is set before its sub-attributes ("name.givenName").
func (a *applier) setObject(kind opKind, v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return badRequest(scim.ScimTypeInvalidValue, "an operation without path takes an object value, got %s", jsonKind(v))
	}
	for _, k := range sortedKeys(obj) {
		val := obj[k]
		switch ext := a.extension(k); {
		case strings.EqualFold(k, "schemas"):
		case strings.EqualFold(k, "id") && a.isOwnID(val):
		case ext != nil:
			if err := a.setExtension(kind, ext, val); err != nil {
				return err
			}
		default:
			if err := a.setPath(kind, k, val); err != nil {
				return err
			}
		}
	}
	return nil
}

// isOwnID reports whether v is the resource's current id.
func (a *applier) isOwnID(v any) bool {
	id, ok := a.doc["id"].(string)
	s, isString := v.(string)
	return ok && isString && id == s
}

func (a *applier) setExtension(kind opKind, ext *scim.Schema, v any) error {
	if isClear(v) {
		delete(a.doc, ext.ID)
		a.index = nil
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return badRequest(scim.ScimTypeInvalidValue, "extension %q takes an object, got %s", ext.ID, jsonKind(v))
	}
	for _, k := range sortedKeys(obj) {
		if err := a.setPath(kind, ext.ID+":"+k, obj[k]); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) setPath(kind opKind, path string, v any) error {
	t, err := a.target(path)
	if err != nil || t == nil {
		return err
	}
	return a.set(kind, t, v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// extension returns the resource type's extension schema whose URI is s.
func (a *applier) extension(s string) *scim.Schema {
	for _, ext := range a.rt.Extensions() {
		if strings.EqualFold(ext.ID, s) {
			return ext
		}
	}
	return nil
}

// badRequest returns a 400 *scim.Error.
func badRequest(scimType, format string, args ...any) *scim.Error {
	return scim.Errorf(http.StatusBadRequest, scimType, format, args...)
}

// opError names the failing operation in err's detail.
func opError(i int, op scim.PatchOperation, err error) error {
	where := fmt.Sprintf("Operations[%d] (%s %q)", i, op.Op, op.Path)
	if op.Path == "" {
		where = fmt.Sprintf("Operations[%d] (%s without path)", i, op.Op)
	}
	var se *scim.Error
	if !errors.As(err, &se) {
		se = badRequest(scim.ScimTypeInvalidValue, "%s", err.Error())
	}
	return &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: where + ": " + se.Detail}
}
