package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// List implements [backend.Backend] (RFC 7644 §3.4.2). The parts of the
// filter the columns answer run in SQL; if anything is left, the whole
// filter is evaluated in Go over the SQL candidates, streamed in order.
// A sortBy on a column sorts in SQL, any other in Go.
func (b resources) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return backend.Page{}, err
	}
	m, err := filter.Compile(q.Filter, rt)
	if err != nil {
		return backend.Page{}, scim.Errorf(statusBadRequest, scim.ScimTypeInvalidFilter, "%v", err)
	}
	pl := plan{rt: rt, matcher: m, start: max(q.StartIndex, 1), count: max(q.Count, 0), raw: q.Raw && !q.Members}
	pl.where, pl.args, pl.exact, pl.selective = pushdown(rt, m.Expr())
	if userName, ok := pl.userNameOnly(q); ok && b.s.lookups != nil {
		return b.listByUserName(ctx, tenant, pl, userName)
	}
	pl.where = "tenant_id = ? AND type = ?" + pl.where
	pl.args = append([]any{tenant, rt.Name}, pl.args...)
	pl.needMembers = mentionsMembers(m.Expr())
	if err := pl.setOrder(q.SortBy, q.Descending); err != nil {
		return backend.Page{}, err
	}

	var page backend.Page
	switch {
	case pl.sortKey != nil:
		page, err = b.listSortedInGo(ctx, tenant, pl)
	case pl.exact:
		page, err = b.listInSQL(ctx, pl)
	default:
		page, err = b.listFiltered(ctx, tenant, pl)
	}
	if err != nil {
		return backend.Page{}, wrapErr(err, "list %s", rt.Name)
	}
	if q.Members && len(page.Resources) > 0 {
		if err := loadMembers(ctx, b.s, tenant, page.Resources); err != nil {
			return backend.Page{}, wrapErr(err, "list %s", rt.Name)
		}
	}
	if page.Resources == nil {
		page.Resources = []scim.Resource{}
	}
	return page, nil
}

// plan is a list request translated to SQL plus what Go must still do.
type plan struct {
	rt          *scim.ResourceType
	matcher     *filter.Matcher
	where       string // SQL condition, placeholders "?"
	args        []any
	exact       bool // where alone decides membership
	selective   selectivity
	needMembers bool // the filter reads members: load them before matching
	raw         bool // documents may stay JSON (backend.Query.Raw)
	orderBy     string
	sortKey     *backend.SortKey // sortBy evaluated in Go; nil if SQL orders
	start       int              // 1-based
	count       int
}

const selectRow = "SELECT id, doc, created, modified, version FROM resources WHERE "

// sortColumns maps core attributes to the columns that order them.
var sortColumns = map[string]string{
	"id":                "id",
	"username":          "user_name",
	"displayname":       "display_name",
	"externalid":        "external_id",
	"meta.created":      "created",
	"meta.lastmodified": "modified",
}

// setOrder chooses SQL or Go ordering for sortBy (RFC 7644 §3.4.2.3):
// stable (created, id) order breaks ties and orders when sortBy is empty;
// resources without a value sort last.
func (p *plan) setOrder(sortBy scim.AttrPath, desc bool) error {
	switch p.selective {
	case unique:
		// At most one row: no ordering to do.
		p.orderBy = ""
	case indexed:
		// Keep the planner on the filter's index instead of walking the
		// (created, id) index in order and filtering.
		p.orderBy = " ORDER BY created + 0, id"
	default:
		p.orderBy = " ORDER BY created, id"
	}
	if sortBy.Name == "" {
		return nil
	}
	if coreAttr(p.rt, sortBy) {
		key := strings.ToLower(sortBy.Name)
		if sortBy.Sub != "" {
			key += "." + strings.ToLower(sortBy.Sub)
		}
		if col, ok := sortColumns[key]; ok {
			dir := ""
			if desc {
				dir = " DESC"
			}
			p.orderBy = fmt.Sprintf(" ORDER BY (%s IS NULL), %s%s, created, id", col, col, dir)
			return nil
		}
	}
	var err error
	p.sortKey, err = backend.NewSortKey(p.rt, sortBy, desc)
	return err
}

// listInSQL answers a filter the columns decide completely: one query for
// the page and, unless the page shows where the end is, one COUNT.
func (b resources) listInSQL(ctx context.Context, p plan) (backend.Page, error) {
	var page backend.Page
	if p.raw {
		page.Raw = []backend.RawResource{}
	}
	if p.count > 0 {
		rows, err := b.s.query(ctx, selectRow+p.where+p.orderBy+" LIMIT ? OFFSET ?", append(p.args, p.count, p.start-1)...)
		if err != nil {
			return page, err
		}
		err = scanRowsAs(rows, p.raw, func(r row) (bool, error) {
			if p.raw {
				page.Raw = append(page.Raw, r.raw())
			} else {
				page.Resources = append(page.Resources, r.resource(p.rt))
			}
			return true, nil
		})
		if err != nil {
			return page, err
		}
		n := len(page.Resources) + len(page.Raw)
		if n < p.count && (n > 0 || p.start == 1) {
			page.Total = p.start - 1 + n
			return page, nil
		}
	}
	err := b.s.queryRow(ctx, "SELECT COUNT(*) FROM resources WHERE "+p.where, p.args...).Scan(&page.Total)
	return page, err
}

// listFiltered streams the SQL candidates in order, matches each in Go and
// keeps only the requested page; Total counts every match.
func (b resources) listFiltered(ctx context.Context, tenant string, p plan) (backend.Page, error) {
	var page backend.Page
	end := p.start - 1 + p.count
	err := b.candidates(ctx, tenant, p, func(res scim.Resource) {
		page.Total++
		if page.Total >= p.start && page.Total <= end {
			page.Resources = append(page.Resources, res)
		}
	})
	return page, err
}

// listSortedInGo matches every candidate, sorts (key, id) pairs in Go and
// then reads the page's documents, so memory holds keys, not documents.
func (b resources) listSortedInGo(ctx context.Context, tenant string, p plan) (backend.Page, error) {
	type entry struct {
		key any
		id  string
		seq int // candidate order: (created, id)
	}
	var entries []entry
	err := b.candidates(ctx, tenant, p, func(res scim.Resource) {
		id, _ := res["id"].(string)
		entries = append(entries, entry{key: p.sortKey.Value(res), id: id, seq: len(entries)})
	})
	if err != nil {
		return backend.Page{}, err
	}
	sort.SliceStable(entries, func(i, j int) bool {
		c := p.sortKey.Compare(entries[i].key, entries[j].key)
		if c != 0 {
			return c < 0
		}
		return entries[i].seq < entries[j].seq
	})
	page := backend.Page{Total: len(entries)}
	if p.start > len(entries) || p.count == 0 {
		return page, nil
	}
	ids := make([]string, 0, p.count)
	for _, e := range entries[p.start-1 : min(p.start-1+p.count, len(entries))] {
		ids = append(ids, e.id)
	}
	page.Resources, err = b.readByID(ctx, tenant, p.rt, ids)
	return page, err
}

// readByID reads resources by id and returns them in the order of ids,
// skipping any deleted meanwhile.
func (b resources) readByID(ctx context.Context, tenant string, rt *scim.ResourceType, ids []string) ([]scim.Resource, error) {
	byID := make(map[string]scim.Resource, len(ids))
	for start := 0; start < len(ids); start += membersBatch {
		batch := ids[start:min(start+membersBatch, len(ids))]
		args := []any{tenant, rt.Name}
		for _, id := range batch {
			args = append(args, id)
		}
		rows, err := b.s.query(ctx, selectRow+"tenant_id = ? AND type = ? AND id IN ("+placeholders(len(batch))+")", args...)
		if err != nil {
			return nil, err
		}
		err = scanRows(rows, func(r row) (bool, error) {
			byID[r.id] = r.resource(rt)
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]scim.Resource, 0, len(ids))
	for _, id := range ids {
		if res, ok := byID[id]; ok {
			out = append(out, res)
		}
	}
	return out, nil
}

// candidates calls fn, in the plan's order, for every resource the SQL
// condition selects and the filter matches. Rows are streamed; when the
// filter reads members, candidates are read first and their members loaded
// in batches (no query runs while rows are open, so the read pool cannot
// deadlock).
func (b resources) candidates(ctx context.Context, tenant string, p plan, fn func(scim.Resource)) error {
	rows, err := b.s.query(ctx, selectRow+p.where+p.orderBy, p.args...)
	if err != nil {
		return err
	}
	if !p.needMembers {
		return scanRows(rows, func(r row) (bool, error) {
			if res := r.resource(p.rt); p.matcher.Match(res) {
				fn(res)
			}
			return true, nil
		})
	}
	var all []scim.Resource
	err = scanRows(rows, func(r row) (bool, error) {
		all = append(all, r.resource(p.rt))
		return true, nil
	})
	if err != nil {
		return err
	}
	if err := loadMembers(ctx, b.s, tenant, all); err != nil {
		return err
	}
	for _, res := range all {
		if p.matcher.Match(res) {
			delete(res, "members") // loaded for matching only
			fn(res)
		}
	}
	return nil
}

// scanRows decodes rows of selectRow and calls fn until it returns false.
func scanRows(rows *sql.Rows, fn func(row) (bool, error)) error {
	return scanRowsAs(rows, false, fn)
}

// scanRowsAs is scanRows leaving documents undecoded if raw.
func scanRowsAs(rows *sql.Rows, raw bool, fn func(row) (bool, error)) error {
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.body, &r.created, &r.modified, &r.version); err != nil {
			return err
		}
		if !raw {
			if err := r.decode(); err != nil {
				return err
			}
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
	return rows.Err()
}
