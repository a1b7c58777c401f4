package memory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// List returns one page of the matching resources (see backend.Backend).
// Without q.SortBy the order is creation order. With it, resources are
// ordered by the attribute's value (for a multi-valued attribute the
// primary value, else the first; RFC 7644 §3.4.2.3), strings compared
// case-insensitively unless caseExact, and resources without a value last
// in ascending order.
func (b *Backend) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	if err := ctx.Err(); err != nil {
		return backend.Page{}, err
	}
	var sortKey *scim.Resolved
	if q.SortBy != (scim.AttrPath{}) {
		r, err := rt.Resolve(q.SortBy)
		if err == nil {
			err = r.Readable()
		}
		if err != nil {
			return backend.Page{}, scim.Errorf(400, scim.ScimTypeInvalidValue, "sortBy: %v", err)
		}
		sortKey = &r
	}
	m, err := filter.Compile(q.Filter, rt)
	if err != nil {
		return backend.Page{}, scim.Errorf(400, scim.ScimTypeInvalidFilter, "%v", err)
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	hits := b.tables[tableKey(rt)].matching(rt, m)
	if sortKey != nil {
		sortEntries(hits, *sortKey, q.Descending)
	}
	page := backend.Page{Total: len(hits), Resources: []scim.Resource{}}
	start := max(q.StartIndex, 1) - 1
	for i := start; i < len(hits) && len(page.Resources) < q.Count; i++ {
		page.Resources = append(page.Resources, hits[i].view(q.Members))
	}
	return page, nil
}

// matching returns the entries that match m, in creation order. A nil
// table (nothing stored yet) has none.
func (t *table) matching(rt *scim.ResourceType, m *filter.Matcher) []*entry {
	if t == nil {
		return nil
	}
	var hits []*entry
	if cands, indexed := t.candidates(rt, m.Expr()); indexed {
		for _, e := range cands {
			if m.Match(e.matchView()) {
				hits = append(hits, e)
			}
		}
		return hits
	}
	all := m.Expr() == nil
	for _, id := range t.order {
		if e := t.byID[id]; e != nil && (all || m.Match(e.matchView())) {
			hits = append(hits, e)
		}
	}
	return hits
}

// matchView is the stored document with members, for filter evaluation
// only: it shares the stored maps and must not be modified or returned.
func (e *entry) matchView() scim.Resource {
	if e.members == nil {
		return e.doc
	}
	out := make(scim.Resource, len(e.doc)+1)
	for k, v := range e.doc {
		out[k] = v
	}
	list := make([]any, len(e.members))
	for i, m := range e.members {
		list[i] = memberJSON(m)
	}
	out["members"] = list
	return out
}

func sortEntries(hits []*entry, key scim.Resolved, desc bool) {
	keys := make(map[*entry]any, len(hits))
	for _, e := range hits {
		keys[e] = sortValue(e.doc, key)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := keys[hits[i]], keys[hits[j]]
		switch {
		case a == nil && b == nil:
			return false
		case a == nil:
			return false // missing values last ascending
		case b == nil:
			return true
		}
		c := compare(a, b)
		if desc {
			return c > 0
		}
		return c < 0
	})
}

// sortValue returns the comparable value of the sort attribute: a string
// (lower-cased unless caseExact), a float64, a bool or a time.Time; nil if
// the resource has none.
func sortValue(doc scim.Resource, key scim.Resolved) any {
	r := key
	var v any
	if key.Attr.MultiValued {
		v = primaryOrFirst(doc, key)
	} else if vals := scim.Values(doc, r); len(vals) > 0 {
		v = vals[0]
	}
	leaf := key.Leaf()
	switch x := v.(type) {
	case string:
		if leaf.Type == scim.TypeDateTime {
			if ts, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return ts
			}
		}
		if !leaf.CaseExact {
			return strings.ToLower(x)
		}
		return x
	case float64, bool:
		return x
	default:
		return nil
	}
}

func primaryOrFirst(doc scim.Resource, key scim.Resolved) any {
	whole := key
	whole.Sub = nil
	whole.Path.Sub = ""
	elems := scim.Values(doc, whole)
	pick := func(el any) any {
		if key.Sub == nil {
			if m, ok := el.(map[string]any); ok {
				return m["value"]
			}
			return el
		}
		if m, ok := el.(map[string]any); ok {
			return m[key.Sub.Name]
		}
		return nil
	}
	for _, el := range elems {
		if m, ok := el.(map[string]any); ok && m["primary"] == true {
			return pick(el)
		}
	}
	if len(elems) > 0 {
		return pick(elems[0])
	}
	return nil
}

// compare orders two sort values of the same kind; values of different
// kinds compare by kind name so the order stays total.
func compare(a, b any) int {
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
