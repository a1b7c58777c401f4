package filter

import "github.com/provisio-dev/provisio/scim"

// Op is a comparison operator (RFC 7644 §3.4.2.2, Table 3), lower-case.
type Op string

// Comparison operators.
const (
	Eq Op = "eq"
	Ne Op = "ne"
	Co Op = "co"
	Sw Op = "sw"
	Ew Op = "ew"
	Gt Op = "gt"
	Ge Op = "ge"
	Lt Op = "lt"
	Le Op = "le"
	Pr Op = "pr"
)

// Expr is a filter expression node: *Compare, *And, *Or, *Not or *ValuePath.
type Expr interface{ isExpr() }

// Compare is `attrPath op value` or `attrPath pr`.
// Value is a string, float64, bool or nil (JSON null); unused for Pr.
// Inside a ValuePath filter, Path names a sub-attribute of the value path's
// attribute (Path.Name is the sub-attribute name, URI and Sub are empty).
//
// Filter, if set, restricts the comparison to the elements of the
// multi-valued attribute Path.Name that match it; Path.Sub is then compared.
// This is the form Entra uses for matching on e-mail:
// `emails[type eq "work"].value eq "x"` (outside the RFC 7644 grammar).
type Compare struct {
	Path   scim.AttrPath
	Filter Expr
	Op     Op
	Value  any
}

// And is `L and R`.
type And struct{ L, R Expr }

// Or is `L or R`.
type Or struct{ L, R Expr }

// Not is `not (X)`.
type Not struct{ X Expr }

// ValuePath is `attrPath[valFilter]` (e.g. emails[type eq "work"]), true
// when any element of the multi-valued attribute matches Filter.
type ValuePath struct {
	Path   scim.AttrPath // no Sub
	Filter Expr
}

func (*Compare) isExpr()   {}
func (*And) isExpr()       {}
func (*Or) isExpr()        {}
func (*Not) isExpr()       {}
func (*ValuePath) isExpr() {}

// Path is a PATCH path (RFC 7644 §3.5.2):
// attrPath / valuePath [subAttr], e.g. `members`, `name.givenName`,
// `emails[type eq "work"].value`, `members[value eq "2819c223"]`.
// When Filter is set, Attr has no Sub and Sub holds the sub-attribute after
// the closing bracket (may be empty).
type Path struct {
	Attr   scim.AttrPath
	Filter Expr
	Sub    string
}

// Options tune parsing.
type Options struct {
	// Lenient accepts what real clients send outside the grammar: unquoted
	// comparison values (`userName sw O`,
	// `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). Off by default.
	Lenient bool
}
