package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	sortKey     *scim.Resolved // sortBy evaluated in Go; nil if SQL orders
	descending  bool
	start       int // 1-based
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
	p.descending = desc
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
	r, err := p.rt.Resolve(sortBy)
	if err == nil {
		err = r.Readable()
	}
	if err != nil {
		return scim.Errorf(statusBadRequest, scim.ScimTypeInvalidValue, "sortBy: %v", err)
	}
	p.sortKey = &r
	return nil
}

// coreAttr reports whether p names a top-level attribute of rt's core
// schema (or a common attribute), with or without the schema URI.
func coreAttr(rt *scim.ResourceType, p scim.AttrPath) bool {
	return p.URI == "" || strings.EqualFold(p.URI, rt.Schema)
}

// userNameOnly reports whether the whole filter is `userName eq` (the
// pushed-down condition alone) and returns the lower-cased userName.
func (p plan) userNameOnly(q backend.Query) (string, bool) {
	if !p.exact || p.where != " AND user_name = ?" || len(p.args) != 1 || q.SortBy.Name != "" || q.Members {
		return "", false
	}
	v, ok := p.args[0].(string)
	return v, ok
}

// listByUserName answers a `userName eq` filter through the coalesced
// lookups: at most one resource matches.
func (b resources) listByUserName(ctx context.Context, tenant string, p plan, userName string) (backend.Page, error) {
	r, found, err := b.s.lookups.byUserName(ctx, tenant, p.rt, userName)
	if err != nil {
		return backend.Page{}, wrapErr(err, "list %s", p.rt.Name)
	}
	page := backend.Page{Resources: []scim.Resource{}}
	if p.raw {
		page.Raw = []backend.RawResource{}
	}
	if !found {
		return page, nil
	}
	page.Total = 1
	switch {
	case p.start > 1 || p.count == 0:
	case p.raw:
		page.Raw = append(page.Raw, r.raw())
	default:
		if err := r.decode(); err != nil {
			return backend.Page{}, wrapErr(err, "list %s", p.rt.Name)
		}
		page.Resources = append(page.Resources, r.resource(p.rt))
	}
	return page, nil
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
	leaf := p.sortKey.Leaf()
	err := b.candidates(ctx, tenant, p, func(res scim.Resource) {
		id, _ := res["id"].(string)
		entries = append(entries, entry{key: sortValue(res, *p.sortKey), id: id, seq: len(entries)})
	})
	if err != nil {
		return backend.Page{}, err
	}
	sort.SliceStable(entries, func(i, j int) bool {
		c := compareSortValues(entries[i].key, entries[j].key, leaf.CaseExact, p.descending)
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

// selectivity is what the pushed-down conjuncts promise about the rows.
type selectivity int

const (
	scan    selectivity = iota // no indexed equality
	indexed                    // an equality on an indexed column
	unique                     // an equality on a unique column: at most one row
)

// pushdown translates the conjuncts of a compiled filter that the columns
// answer exactly into SQL (" AND ..." form). exact reports that nothing was
// left over.
func pushdown(rt *scim.ResourceType, e filter.Expr) (where string, args []any, exact bool, sel selectivity) {
	exact = true
	var conds []string
	for _, c := range filter.Conjuncts(e) {
		cond, cargs, ok := pushExpr(rt, c)
		if !ok {
			exact = false
			continue
		}
		conds = append(conds, cond)
		args = append(args, cargs...)
		sel = max(sel, selectivityOf(rt, c))
	}
	if len(conds) == 0 {
		return "", nil, exact, sel
	}
	return " AND " + balanced(conds, "AND"), args, exact, sel
}

// selectivityOf classifies a pushed-down conjunct: an equality by its
// column; an OR of equalities on indexed columns is indexed (an index probe
// per value), anything else a scan.
func selectivityOf(rt *scim.ResourceType, e filter.Expr) selectivity {
	switch x := e.(type) {
	case *filter.Or:
		sel := indexed
		for _, d := range filter.Disjuncts(x) {
			sel = min(sel, selectivityOf(rt, d))
		}
		return sel
	case *filter.And:
		sel := scan
		for _, c := range filter.Conjuncts(x) {
			sel = max(sel, selectivityOf(rt, c))
		}
		return sel
	case *filter.Compare:
		switch strings.ToLower(x.Path.Name) {
		case "id", "username":
			return unique
		case "displayname":
			if hasMembers(rt) {
				return unique
			}
			return indexed
		case "externalid":
			return indexed
		}
	}
	return scan
}

// pushExpr translates e if the columns answer it exactly: eq on id,
// externalId (case-exact), userName and displayName (case-insensitive,
// lower-cased columns), active, and AND/OR of those.
func pushExpr(rt *scim.ResourceType, e filter.Expr) (string, []any, bool) {
	switch x := e.(type) {
	case *filter.And:
		return pushAll(rt, filter.Conjuncts(x), "AND")
	case *filter.Or:
		return pushAll(rt, filter.Disjuncts(x), "OR")
	case *filter.Compare:
		col, v, ok := pushCompare(rt, x)
		return col + " = ?", []any{v}, ok
	}
	return "", nil, false
}

// pushAll translates terms joined by op ("AND" or "OR") if every term is
// pushable. Under OR, the equalities on one column become one
// `col IN (...)`: a filter of many OR'ed equalities is one list of index
// probes, not an expression per clause.
func pushAll(rt *scim.ResourceType, terms []filter.Expr, op string) (string, []any, bool) {
	var (
		conds  []string
		args   []any
		cols   []string             // columns of OR'ed equalities, in order of appearance
		values = map[string][]any{} // their values by column
	)
	for _, t := range terms {
		if c, isCmp := t.(*filter.Compare); isCmp && op == "OR" {
			col, v, ok := pushCompare(rt, c)
			if !ok {
				return "", nil, false
			}
			if _, seen := values[col]; !seen {
				cols = append(cols, col)
			}
			values[col] = append(values[col], v)
			continue
		}
		cond, cargs, ok := pushExpr(rt, t)
		if !ok {
			return "", nil, false
		}
		conds = append(conds, cond)
		args = append(args, cargs...)
	}
	for _, col := range cols {
		vs := values[col]
		if len(vs) == 1 {
			conds = append(conds, col+" = ?")
		} else {
			conds = append(conds, col+" IN ("+placeholders(len(vs))+")")
		}
		args = append(args, vs...)
	}
	return "(" + balanced(conds, op) + ")", args, true
}

// balanced joins conds with op in a balanced tree of parentheses. A flat
// chain of n terms is an expression n levels deep to the databases' parsers
// (SQLite refuses more than 1000: "Expression tree is too large";
// PostgreSQL runs out of parser stack); a balanced tree is log2(n) deep.
func balanced(conds []string, op string) string {
	if len(conds) == 1 {
		return conds[0]
	}
	mid := len(conds) / 2
	return "(" + balanced(conds[:mid], op) + " " + op + " " + balanced(conds[mid:], op) + ")"
}

// pushCompare returns the column and value that answer c exactly as
// `column = value`, if any.
func pushCompare(rt *scim.ResourceType, c *filter.Compare) (col string, v any, ok bool) {
	if c.Op != filter.Eq || c.Filter != nil || c.Path.Sub != "" || !coreAttr(rt, c.Path) {
		return "", nil, false
	}
	if strings.EqualFold(c.Path.Name, "active") {
		b, ok := c.Value.(bool)
		return "active", b, ok
	}
	s, ok := c.Value.(string)
	if !ok || !sqlText(s) {
		return "", nil, false
	}
	switch strings.ToLower(c.Path.Name) {
	case "id":
		return "id", s, true
	case "externalid":
		return "external_id", s, caseExact(rt, c.Path, true)
	case "username":
		return "user_name", strings.ToLower(s), !caseExact(rt, c.Path, false)
	case "displayname":
		return "display_name", strings.ToLower(s), !caseExact(rt, c.Path, false)
	}
	return "", nil, false
}

// sqlText reports whether s can be sent as a text parameter: PostgreSQL
// refuses invalid UTF-8 and NUL with an error. Comparisons with other
// strings are left to the Go matcher.
func sqlText(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00")
}

// caseExact reports the schema's caseExact for p, or def if p does not
// resolve.
func caseExact(rt *scim.ResourceType, p scim.AttrPath, def bool) bool {
	r, err := rt.Resolve(p)
	if err != nil {
		return def
	}
	return r.Leaf().CaseExact
}

// mentionsMembers reports whether a filter reads the members attribute.
func mentionsMembers(e filter.Expr) bool {
	switch x := e.(type) {
	case *filter.And:
		return mentionsMembers(x.L) || mentionsMembers(x.R)
	case *filter.Or:
		return mentionsMembers(x.L) || mentionsMembers(x.R)
	case *filter.Not:
		return mentionsMembers(x.X)
	case *filter.ValuePath:
		return strings.EqualFold(x.Path.Name, "members")
	case *filter.Compare:
		return strings.EqualFold(x.Path.Name, "members")
	}
	return false
}

// sortValue is the value a resource sorts by: for a multi-valued attribute
// the primary element's, else the first element's (RFC 7644 §3.4.2.3).
func sortValue(res scim.Resource, r scim.Resolved) any {
	if !r.Attr.MultiValued {
		if vals := scim.Values(res, r); len(vals) > 0 {
			return vals[0]
		}
		return nil
	}
	whole := r
	whole.Sub, whole.Path.Sub = nil, ""
	elems := scim.Values(res, whole)
	sub := "value"
	if r.Sub != nil {
		sub = r.Sub.Name
	}
	for _, e := range elems {
		if m, ok := e.(map[string]any); ok && m["primary"] == true {
			return m[sub]
		}
	}
	if len(elems) == 0 {
		return nil
	}
	if m, ok := elems[0].(map[string]any); ok {
		return m[sub]
	}
	return elems[0]
}

// compareSortValues orders two sort values: missing values last in both
// directions; strings case-insensitively unless caseExact; date-times by
// instant; numbers and booleans naturally. Values of different kinds keep
// their order.
func compareSortValues(a, b any, caseExact, desc bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	c := compareValues(a, b, caseExact)
	if desc {
		return -c
	}
	return c
}

func compareValues(a, b any, caseExact bool) int {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0
		}
		if tx, err := time.Parse(time.RFC3339Nano, x); err == nil {
			if ty, err := time.Parse(time.RFC3339Nano, y); err == nil {
				return tx.Compare(ty)
			}
		}
		if !caseExact {
			x, y = strings.ToLower(x), strings.ToLower(y)
		}
		return strings.Compare(x, y)
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case bool:
		y, ok := b.(bool)
		if !ok || x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	}
	return 0
}

// The filter Entra ID and Okta send before every create, and the most
// frequent request of a provisioning cycle, is `userName eq "..."`. On
// PostgreSQL each lookup is a round trip that wakes a backend process, and
// on a few cores those wake-ups and round trips cost more CPU than the
// index lookups. So concurrent lookups are coalesced: per tenant and
// resource type at most one query runs at once, and lookups arriving
// meanwhile queue up and are answered together by one
// `user_name = ANY($3)` query when it returns. Different tenants do not
// wait for each other (the read pool bounds them). A lone lookup runs at
// once, as before.

// maxLookupBatch bounds the userNames of one coalesced query.
const maxLookupBatch = 64

// lookupKey is what a coalesced query shares.
type lookupKey struct{ tenant, rtype string }

// lookup is one queued userName lookup; r.body is "" when nothing matched.
type lookup struct {
	userName string // lower-cased, as stored in user_name
	r        row    // undecoded
	err      error
	done     chan struct{}
}

// lookups coalesces userName lookups (PostgreSQL only).
type lookups struct {
	s *Store

	mu     sync.Mutex
	queues map[lookupKey][]*lookup // a key is present while a query for it runs
}

// byUserName returns the row of the resource of type rtype whose
// lower-cased userName is userName, its document undecoded; found is false
// if there is none.
func (l *lookups) byUserName(ctx context.Context, tenant string, rt *scim.ResourceType, userName string) (r row, found bool, err error) {
	key := lookupKey{tenant, rt.Name}
	me := &lookup{userName: userName, done: make(chan struct{})}
	l.mu.Lock()
	q, busy := l.queues[key]
	l.queues[key] = append(q, me)
	l.mu.Unlock()
	if busy {
		select {
		case <-me.done:
		case <-ctx.Done():
			return row{}, false, ctx.Err()
		}
	} else {
		// Lead: let lookups that arrived together join the first batch,
		// answer them, and hand what queued up meanwhile to a goroutine
		// so that this request answers at once.
		runtime.Gosched()
		l.serve(context.WithoutCancel(ctx), key, true)
	}
	if me.err != nil || me.r.body == "" {
		return row{}, false, me.err
	}
	return me.r, true, nil
}

// serve answers key's queue one batch at a time until it is empty; with
// once it answers one batch and leaves the rest to a new goroutine. The
// queries answer many requests, so they run without any one's
// cancellation.
func (l *lookups) serve(ctx context.Context, key lookupKey, once bool) {
	for {
		l.mu.Lock()
		q := l.queues[key]
		if len(q) == 0 {
			delete(l.queues, key)
			l.mu.Unlock()
			return
		}
		n := min(len(q), maxLookupBatch)
		batch := q[:n:n]
		l.queues[key] = q[n:]
		l.mu.Unlock()
		l.run(ctx, key, batch)
		if once {
			l.mu.Lock()
			idle := len(l.queues[key]) == 0
			if idle {
				delete(l.queues, key)
			}
			l.mu.Unlock()
			if !idle {
				l.s.bg.Go(func() { l.serve(ctx, key, false) })
			}
			return
		}
	}
}

// run answers a batch with one query and wakes its callers.
func (l *lookups) run(ctx context.Context, key lookupKey, batch []*lookup) {
	defer func() {
		for _, x := range batch {
			close(x.done)
		}
	}()
	names := make([]string, len(batch))
	for i, x := range batch {
		names[i] = x.userName
	}
	var err error
	defer func() {
		if err != nil {
			for _, x := range batch {
				x.err = err
			}
		}
	}()
	rows, err := l.s.query(ctx, "SELECT user_name, id, doc, created, modified, version FROM resources WHERE tenant_id = ? AND type = ? AND user_name = ANY(?)",
		key.tenant, key.rtype, names)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var r row
		if err = rows.Scan(&name, &r.id, &r.body, &r.created, &r.modified, &r.version); err != nil {
			return
		}
		for _, x := range batch {
			if x.userName == name {
				x.r = r
			}
		}
	}
	err = rows.Err()
}
