package provisioning

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/scim"
)

// resolver maps a source object id to the target id of its link.
type resolver func(sourceID string) (targetID string, ok bool)

// mapped is the result of evaluating an object mapping for one object.
type mapped struct {
	// values holds the target values of the mappings applied always,
	// keyed by target path: what update compares and the link remembers.
	values map[string]any
	hash   string        // hash of values
	create scim.Resource // the resource to POST, create-only mappings and defaults included
	match  []matchValue  // matching attribute values, by precedence
	// unresolved is set when a reference (manager, a member) points at an
	// object that has no target id yet; it is left out until it has one.
	unresolved bool
}

type matchValue struct {
	path  targetPath
	value string
}

// evaluate maps o with every attribute mapping of c.
func (c *compiledMapping) evaluate(o *Object, resolve resolver) (*mapped, error) {
	if c.exprs && o.ev == nil {
		defer o.unbindEnv(o.bindEnv())
	}
	m := &mapped{values: make(map[string]any, len(c.Attributes)), create: make(scim.Resource, len(c.Attributes)+1)}
	for i, a := range c.Attributes {
		if c.unique[i] {
			continue // evaluated for a create only (see evaluateUnique)
		}
		v, ok, err := c.value(a, o)
		if err != nil {
			return nil, c.evalError(i, err)
		}
		if ok && a.Reference {
			var complete bool
			v, ok, complete = resolveRefs(v, resolve)
			m.unresolved = m.unresolved || !complete
		}
		t := c.targets[i]
		if ok && a.Apply == ApplyAlways {
			m.values[a.Target] = v
		}
		if ok {
			t.set(m.create, v, a.Reference)
		} else if a.Default != nil {
			t.set(m.create, a.Default, false)
		}
		if ok && a.Match > 0 {
			if s, isString := v.(string); isString {
				m.match = append(m.match, matchValue{path: t, value: s})
			}
		}
	}
	slices.SortStableFunc(m.match, func(x, y matchValue) int {
		return c.precedence(x.path.raw) - c.precedence(y.path.raw)
	})
	m.create["schemas"] = c.schemasOf(m.create)
	m.hash = hashKeys(m.values, c.keys)
	return m, nil
}

// evalError reports a failed mapping; a redacted one without the reason,
// which may quote the value.
func (c *compiledMapping) evalError(i int, err error) error {
	if c.redacted[i] {
		return fmt.Errorf("mapping %q: the Redact expression failed (reason redacted)", c.Attributes[i].Target)
	}
	return fmt.Errorf("mapping %q: %w", c.Attributes[i].Target, err)
}

// taken reports whether a value is already used by a target attribute
// (SelectUniqueValue's check).
type taken func(ctx context.Context, t targetPath, value string) (bool, error)

// evaluateUnique evaluates the SelectUniqueValue mappings of an object about to
// be created into its resource, each candidate checked with taken
// (Entra: "SelectUniqueValue … only on create"). Like other create-only
// mappings they are not remembered in the link.
func (c *compiledMapping) evaluateUnique(ctx context.Context, o *Object, m *mapped, isTaken taken) error {
	for i, a := range c.Attributes {
		if !c.unique[i] {
			continue
		}
		t := c.targets[i]
		env := &expr.Env{Attr: o.Attr, Taken: func(v string) (bool, error) { return isTaken(ctx, t, v) }}
		v, ok, err := a.Source.(Expression).Eval(env)
		if err != nil {
			return c.evalError(i, err)
		}
		if ok = ok && present(v); ok {
			t.set(m.create, v, false)
		} else if a.Default != nil {
			t.set(m.create, a.Default, false)
		}
	}
	m.create["schemas"] = c.schemasOf(m.create)
	return nil
}

func (c *compiledMapping) precedence(target string) int {
	for _, a := range c.Attributes {
		if a.Target == target {
			return a.Match
		}
	}
	return 0
}

func (c *compiledMapping) value(a AttributeMapping, o *Object) (any, bool, error) {
	if a.Source == nil {
		return nil, false, nil
	}
	v, ok, err := a.Source.Value(o)
	if err != nil || !ok {
		return nil, false, err
	}
	return v, present(v), nil
}

// schemasOf lists the core schema and the extensions doc uses.
func (c *compiledMapping) schemasOf(doc scim.Resource) []any {
	var out []any
	for i, s := range c.Schemas {
		if _, used := doc[s]; i == 0 || used {
			out = append(out, s)
		}
	}
	return out
}

// resolveRefs maps a reference value (one id or a list) to target ids;
// complete is false if some id has no target id yet.
func resolveRefs(v any, resolve resolver) (out any, ok, complete bool) {
	switch x := v.(type) {
	case string:
		id, found := resolve(x)
		return id, found, found
	case []string:
		ids := make([]string, 0, len(x))
		complete = true
		for _, s := range x {
			if id, found := resolve(s); found {
				ids = append(ids, id)
			} else {
				complete = false
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		return ids, len(ids) > 0, complete
	}
	return nil, false, false
}

// hashValues is a stable hash of a values map: of its JSON encoding,
// keys sorted (the bytes encoding/json writes for the map, without its
// reflection over the map; a mapping's hot path).
func hashValues(values map[string]any) string {
	return hashKeys(values, slices.Sorted(maps.Keys(values)))
}

// hashKeys is hashValues given the possible keys of values, sorted (a
// compiled mapping's targets). The JSON is hashed as it is written, a few
// kilobytes at a time: a group's 100,000 member ids are never one buffer.
func hashKeys(values map[string]any, keys []string) string {
	h := sha256.New()
	b := make([]byte, 0, 64*len(values))
	b = append(b, '{')
	first := true
	for _, k := range keys {
		v, ok := values[k]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSON(b, k)
		b = append(b, ':')
		if ids, isList := v.([]string); isList && ids != nil {
			b = append(b, '[')
			for i, id := range ids {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSON(b, id)
				if len(b) >= hashChunk {
					h.Write(b)
					b = b[:0]
				}
			}
			b = append(b, ']')
			continue
		}
		b = appendJSON(b, v)
	}
	b = append(b, '}')
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// hashChunk is the most bytes of JSON hashKeys holds before hashing them.
const hashChunk = 16 << 10

// appendJSON appends v's JSON encoding, as encoding/json writes it.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		if isPlain(x) {
			b = append(b, '"')
			b = append(b, x...)
			return append(b, '"')
		}
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return fmt.Appendf(b, "%v", v)
	}
	return append(b, enc...)
}

// isPlain reports a string encoding/json writes as it is between quotes:
// printable ASCII other than ", \, <, > and &.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
