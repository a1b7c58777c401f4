package memory

import (
	"context"
	"sort"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// List returns one page of the matching resources (see backend.Backend).
// Without q.SortBy the order is creation order; with it, the order of
// [backend.SortKey] (RFC 7644 §3.4.2.3), creation order among ties.
func (b *Backend) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	if err := ctx.Err(); err != nil {
		return backend.Page{}, err
	}
	var sortKey *backend.SortKey
	if q.SortBy != (scim.AttrPath{}) {
		k, err := backend.NewSortKey(rt, q.SortBy, q.Descending)
		if err != nil {
			return backend.Page{}, err
		}
		sortKey = k
	}
	m, err := filter.Compile(q.Filter, rt)
	if err != nil {
		return backend.Page{}, scim.Errorf(400, scim.ScimTypeInvalidFilter, "%v", err)
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	hits := b.tables[tableKey(rt)].matching(rt, m)
	if sortKey != nil {
		sortEntries(hits, sortKey)
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

// sortEntries orders hits by key, keeping creation order among ties.
func sortEntries(hits []*entry, key *backend.SortKey) {
	keys := make(map[*entry]any, len(hits))
	for _, e := range hits {
		keys[e] = key.Value(e.doc)
	}
	sort.SliceStable(hits, func(i, j int) bool { return key.Compare(keys[hits[i]], keys[hits[j]]) < 0 })
}
