package sqlstore

import (
	"strings"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// The pushdown: the parts of a compiled filter that the columns of the
// resources table answer exactly, translated to SQL (see List).

// coreAttr reports whether p names a top-level attribute of rt's core
// schema (or a common attribute), with or without the schema URI.
func coreAttr(rt *scim.ResourceType, p scim.AttrPath) bool {
	return p.URI == "" || strings.EqualFold(p.URI, rt.Schema)
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
			if rt.HasMembers() {
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
