package backend

import (
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// SortKey orders resources by a Query's SortBy (RFC 7644 §3.4.2.3), one
// way for every backend: by the attribute's value, for a multi-valued
// attribute the primary element's, else the first element's; strings
// case-insensitively unless the attribute is caseExact, dateTimes by
// instant, numbers and booleans (false first) naturally; resources without
// a value last in both directions. Values of different kinds order by kind,
// so the order is total.
type SortKey struct {
	attr       scim.Resolved
	descending bool
}

// NewSortKey resolves sortBy against rt. An attribute that does not
// resolve, or is never returned, is a 400 invalidValue.
func NewSortKey(rt *scim.ResourceType, sortBy scim.AttrPath, descending bool) (*SortKey, error) {
	r, err := rt.Resolve(sortBy)
	if err == nil {
		err = r.Readable()
	}
	if err != nil {
		return nil, scim.Errorf(400, scim.ScimTypeInvalidValue, "sortBy: %v", err)
	}
	return &SortKey{attr: r, descending: descending}, nil
}

// Value returns what res sorts by, ready for [SortKey.Compare]: a string
// (lower-cased unless caseExact), a time.Time for a dateTime, the JSON value
// otherwise; nil if res has none.
func (k *SortKey) Value(res scim.Resource) any {
	v := k.raw(res)
	s, ok := v.(string)
	if !ok {
		return v
	}
	leaf := k.attr.Leaf()
	if leaf.Type == scim.TypeDateTime {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	if !leaf.CaseExact {
		return strings.ToLower(s)
	}
	return s
}

// raw is the attribute's value in res as stored.
func (k *SortKey) raw(res scim.Resource) any {
	r := k.attr
	if !r.Attr.MultiValued {
		if vals := scim.Values(res, r); len(vals) > 0 {
			return vals[0]
		}
		return nil
	}
	whole := r
	whole.Sub, whole.Path.Sub = nil, ""
	elems := scim.Values(res, whole)
	if len(elems) == 0 {
		return nil
	}
	pick := elems[0]
	for _, e := range elems {
		if m, ok := e.(map[string]any); ok && m["primary"] == true {
			pick = e
			break
		}
	}
	m, ok := pick.(map[string]any)
	switch {
	case ok && r.Sub != nil:
		return m[r.Sub.Name]
	case ok:
		return m["value"]
	case r.Sub != nil:
		return nil
	}
	return pick
}

// Compare orders two results of [SortKey.Value] in the key's direction:
// negative if a comes first, positive if b does, 0 if they tie.
func (k *SortKey) Compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	c := compareValues(a, b)
	if k.descending {
		return -c
	}
	return c
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	return strings.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b))
}
