package filter

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Matcher is a filter compiled against a resource type: every attribute
// path is resolved and every comparison value converted once, so Match only
// walks the resource. A Matcher is immutable and safe for concurrent use.
type Matcher struct {
	expr Expr
	root node
}

// Compile resolves the attribute paths of e against rt and prepares e for
// evaluation with [Matcher.Match]. A nil e compiles to a Matcher that
// matches every resource.
//
// Every error Compile returns means the filter is invalid for rt (the server
// answers 400 invalidFilter):
//   - an unknown attribute, schema or sub-attribute, at any level: RFC 7644
//     §3.4.2.2 lets a service provider reject such filters, and a filter that
//     silently never matches would make Entra create duplicates;
//   - a complex attribute compared without sub-attribute when it has no
//     "value" sub-attribute (`name eq "x"`), or a value path on a
//     non-complex attribute;
//   - an operator the attribute type does not support: gt/ge/lt/le/co/sw/ew
//     on booleans, co/sw/ew on numbers, any operator but eq/ne with null;
//   - a value that cannot be converted to the attribute's type (`active eq
//     "yes"`, `meta.created gt "yesterday"`);
//   - an attribute or sub-attribute that is never returned, such as
//     password (see [scim.Resolved.Readable]): matching on it would
//     disclose it.
func Compile(e Expr, rt *scim.ResourceType) (*Matcher, error) {
	if e == nil {
		return &Matcher{root: allNode{}}, nil
	}
	if rt == nil {
		return nil, fmt.Errorf("filter: no resource type to compile against")
	}
	c := compiler{rt: rt}
	root, expr, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return &Matcher{expr: expr, root: root}, nil
}

// CompileValueFilter compiles the filter of a value path on the complex
// attribute attr (valFilter, RFC 7644 §3.4.2.2), as in the PATCH path
// `emails[type eq "work"].value` (RFC 7644 §3.5.2): its paths name
// sub-attributes of attr. The Matcher's Match then takes one element of attr
// (a JSON object in canonical spelling), not a whole resource. Errors are as
// for [Compile].
func CompileValueFilter(e Expr, attr *scim.Attribute) (*Matcher, error) {
	if attr == nil || attr.Type != scim.TypeComplex {
		return nil, fmt.Errorf("filter: value filter needs a complex attribute")
	}
	if e == nil {
		return &Matcher{root: allNode{}}, nil
	}
	root, expr, err := compiler{parent: attr}.compile(e)
	if err != nil {
		return nil, err
	}
	return &Matcher{expr: expr, root: root}, nil
}

// Match reports whether res, a resource in canonical attribute spelling
// (as stored and returned by the server), satisfies the filter.
func (m *Matcher) Match(res scim.Resource) bool { return m.root.match(res) }

// Expr returns the compiled filter with every attribute path in canonical
// spelling (schema URI filled in, names as the schema spells them; inside
// value filters only the sub-attribute name), a complex attribute compared
// without sub-attribute rewritten to its "value" sub-attribute, and values
// converted to the attribute's type (booleans as bool, numbers as float64,
// a number compared with a string attribute as its JSON text).
// A store can recognise `userName eq "x"` by comparing the path with
// {URI: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "userName"}.
// Nil for a Matcher compiled from nil. The result must not be modified.
func (m *Matcher) Expr() Expr { return m.expr }

// Conjuncts flattens an AND-chain: `a and (b and c)` gives [a b c]; any
// other expression gives itself as the only element; nil gives nil.
func Conjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	return appendConjuncts(nil, e)
}

func appendConjuncts(out []Expr, e Expr) []Expr {
	if x, ok := e.(*And); ok {
		return appendConjuncts(appendConjuncts(out, x.L), x.R)
	}
	return append(out, e)
}

// Disjuncts flattens an OR-chain as [Conjuncts] flattens an AND-chain:
// `a or (b or c)` gives [a b c].
func Disjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	return appendDisjuncts(nil, e)
}

func appendDisjuncts(out []Expr, e Expr) []Expr {
	if x, ok := e.(*Or); ok {
		return appendDisjuncts(appendDisjuncts(out, x.L), x.R)
	}
	return append(out, e)
}

// node is a compiled expression evaluated against a JSON object: the
// resource, or an element of a multi-valued complex attribute.
type node interface{ match(obj map[string]any) bool }

type allNode struct{}

func (allNode) match(map[string]any) bool { return true }

type andNode struct{ l, r node }

func (n andNode) match(obj map[string]any) bool { return n.l.match(obj) && n.r.match(obj) }

type orNode struct{ l, r node }

func (n orNode) match(obj map[string]any) bool { return n.l.match(obj) || n.r.match(obj) }

type notNode struct{ x node }

func (n notNode) match(obj map[string]any) bool { return !n.x.match(obj) }

// compareNode is true if any value sel selects passes test, or, with
// negate, if none does.
type compareNode struct {
	sel    scim.Resolved
	test   func(v any) bool
	negate bool
}

func (n compareNode) match(obj map[string]any) bool {
	found := false
	for _, v := range scim.Values(obj, n.sel) {
		if n.test(v) {
			found = true
			break
		}
	}
	return found != n.negate
}

// valuePathNode is true if any element sel selects satisfies filter.
type valuePathNode struct {
	sel    scim.Resolved
	filter node
}

func (n valuePathNode) match(obj map[string]any) bool {
	for _, v := range scim.Values(obj, n.sel) {
		if elem, ok := v.(map[string]any); ok && n.filter.match(elem) {
			return true
		}
	}
	return false
}

// compiler compiles expressions at the top level of a resource (parent nil)
// or inside the value filter of the complex attribute parent.
type compiler struct {
	rt     *scim.ResourceType
	parent *scim.Attribute
}

func (c compiler) compile(e Expr) (node, Expr, error) {
	switch x := e.(type) {
	case *And:
		l, le, r, re, err := c.compilePair(x.L, x.R)
		return andNode{l, r}, &And{L: le, R: re}, err
	case *Or:
		l, le, r, re, err := c.compilePair(x.L, x.R)
		return orNode{l, r}, &Or{L: le, R: re}, err
	case *Not:
		n, ne, err := c.compile(x.X)
		return notNode{n}, &Not{X: ne}, err
	case *ValuePath:
		return c.compileValuePath(x)
	case *Compare:
		if x.Filter != nil {
			return c.compileFilteredCompare(x)
		}
		sel, err := c.resolve(x.Path)
		if err != nil {
			return nil, nil, err
		}
		return compileCompare(x, sel)
	}
	return nil, nil, fmt.Errorf("unsupported filter expression %T", e)
}

func (c compiler) compilePair(l, r Expr) (node, Expr, node, Expr, error) {
	ln, le, err := c.compile(l)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	rn, re, err := c.compile(r)
	return ln, le, rn, re, err
}

// resolve resolves p at the compiler's level; attributes that are never
// returned are refused.
func (c compiler) resolve(p scim.AttrPath) (scim.Resolved, error) {
	if c.parent == nil {
		r, err := c.rt.Resolve(p)
		if err == nil {
			err = r.Readable()
		}
		if err != nil {
			return scim.Resolved{}, fmt.Errorf("filter: %w", err)
		}
		return r, nil
	}
	sub := c.parent.SubAttribute(p.Name)
	if p.URI != "" || p.Sub != "" || sub == nil {
		return scim.Resolved{}, fmt.Errorf("filter: unknown sub-attribute %q of %q", p.String(), c.parent.Name)
	}
	full := scim.Resolved{Path: scim.AttrPath{Name: c.parent.Name, Sub: sub.Name}, Attr: c.parent, Sub: sub}
	if err := full.Readable(); err != nil {
		return scim.Resolved{}, fmt.Errorf("filter: %w", err)
	}
	return scim.Resolved{Path: scim.AttrPath{Name: sub.Name}, Attr: sub}, nil
}

// resolveComplex resolves the attribute of a value path, which must be
// complex, and returns a compiler for its value filter.
func (c compiler) resolveComplex(p scim.AttrPath) (scim.Resolved, compiler, error) {
	if c.parent != nil {
		return scim.Resolved{}, c, fmt.Errorf("filter: value filters cannot be nested (%q inside %q)", p.Name, c.parent.Name)
	}
	sel, err := c.resolve(scim.AttrPath{URI: p.URI, Name: p.Name})
	if err != nil {
		return sel, c, err
	}
	if sel.Attr.Type != scim.TypeComplex {
		return sel, c, fmt.Errorf("filter: value filter on %q, which is not a complex attribute", sel.Path.Name)
	}
	return sel, compiler{rt: c.rt, parent: sel.Attr}, nil
}

func (c compiler) compileValuePath(vp *ValuePath) (node, Expr, error) {
	sel, inner, err := c.resolveComplex(vp.Path)
	if err != nil {
		return nil, nil, err
	}
	fn, fe, err := inner.compile(vp.Filter)
	if err != nil {
		return nil, nil, err
	}
	return valuePathNode{sel: sel, filter: fn}, &ValuePath{Path: sel.Path, Filter: fe}, nil
}

// compileFilteredCompare compiles `attr[filter].sub op value`: true if an
// element of attr matches filter and its sub satisfies `sub op value`.
func (c compiler) compileFilteredCompare(x *Compare) (node, Expr, error) {
	sel, inner, err := c.resolveComplex(x.Path)
	if err != nil {
		return nil, nil, err
	}
	fn, fe, err := inner.compile(x.Filter)
	if err != nil {
		return nil, nil, err
	}
	subSel, err := inner.resolve(scim.AttrPath{Name: x.Path.Sub})
	if err != nil {
		return nil, nil, err
	}
	cn, ce, err := compileCompare(x, subSel)
	if err != nil {
		return nil, nil, err
	}
	canon := ce.(*Compare)
	canon.Path = sel.Path
	canon.Path.Sub = subSel.Path.Name
	canon.Filter = fe
	return valuePathNode{sel: sel, filter: andNode{fn, cn}}, canon, nil
}

// compileCompare compiles `path op value` on the values sel selects.
func compileCompare(x *Compare, sel scim.Resolved) (node, Expr, error) {
	leaf := sel.Leaf()
	if leaf.Type == scim.TypeComplex && x.Op != Pr {
		// RFC 7644 §3.4.2.2: a complex attribute compared without
		// sub-attribute compares its "value" sub-attribute.
		value := leaf.SubAttribute("value")
		if value == nil {
			return nil, nil, fmt.Errorf("filter: cannot compare complex attribute %q; name one of its sub-attributes", sel.Path.String())
		}
		sel.Sub, sel.Path.Sub = value, value.Name
		if err := sel.Readable(); err != nil {
			return nil, nil, fmt.Errorf("filter: %w", err)
		}
		leaf = value
	}
	canon := &Compare{Path: sel.Path, Op: x.Op, Value: x.Value}
	n := compareNode{sel: sel}
	var err error
	switch {
	case !knownOp(x.Op):
		err = fmt.Errorf("filter: unknown operator %q", x.Op)
	case x.Op == Pr:
		n.test = nonEmpty
		canon.Value = nil
	case x.Value == nil:
		// RFC 7643 §2.5: null and unassigned are the same state.
		n.test, n.negate = nonEmpty, x.Op == Eq
		if x.Op != Eq && x.Op != Ne {
			err = fmt.Errorf("filter: operator %q cannot compare with null", x.Op)
		}
	default:
		// ne is true when no value equals the operand ("not identical"),
		// so an absent attribute satisfies ne.
		n.test, canon.Value, err = valueTest(x.Op, x.Value, leaf)
		n.negate = x.Op == Ne
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w (attribute %q)", err, sel.Path.String())
	}
	return n, canon, nil
}

func knownOp(op Op) bool {
	switch op {
	case Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le, Pr:
		return true
	}
	return false
}

// valueTest returns the per-value test for op and the operand converted to
// the leaf attribute's type. For ne it returns the eq test.
func valueTest(op Op, operand any, leaf *scim.Attribute) (func(any) bool, any, error) {
	switch leaf.Type {
	case scim.TypeBoolean:
		return booleanTest(op, operand)
	case scim.TypeInteger, scim.TypeDecimal:
		return numberTest(op, operand)
	case scim.TypeDateTime:
		return dateTimeTest(op, operand)
	default:
		return stringTest(op, operand, leaf.CaseExact)
	}
}

// nonEmpty reports whether v counts as present for pr: not "", not an
// empty array or object, not an object whose values are all empty.
func nonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return slices.ContainsFunc(x, nonEmpty)
	case map[string]any:
		for _, e := range x {
			if nonEmpty(e) {
				return true
			}
		}
		return false
	}
	return true
}

func booleanTest(op Op, operand any) (func(any) bool, any, error) {
	if op != Eq && op != Ne {
		return nil, nil, fmt.Errorf("filter: operator %q not supported for a boolean", op)
	}
	want, ok := scim.Bool(operand)
	if !ok {
		return nil, nil, fmt.Errorf("filter: %v is not a boolean", operand)
	}
	return func(v any) bool {
		b, ok := scim.Bool(v)
		return ok && b == want
	}, want, nil
}

// toFloat converts a JSON number (or a numeric string) to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		if !isJSONNumber(x) {
			return 0, false
		}
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// ordered turns a three-way comparison result into op's verdict.
func ordered(op Op, c int) bool {
	switch op {
	case Eq, Ne:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func numberTest(op Op, operand any) (func(any) bool, any, error) {
	if op == Co || op == Sw || op == Ew {
		return nil, nil, fmt.Errorf("filter: operator %q not supported for a number", op)
	}
	want, ok := toFloat(operand)
	if !ok {
		return nil, nil, fmt.Errorf("filter: %v is not a number", operand)
	}
	return func(v any) bool {
		f, ok := toFloat(v)
		if !ok {
			return false
		}
		switch {
		case f < want:
			return ordered(op, -1)
		case f > want:
			return ordered(op, 1)
		}
		return ordered(op, 0)
	}, want, nil
}

// parseDateTime parses an xsd:dateTime (RFC 7643 §2.3.5) as RFC 3339 with
// optional fractional seconds; without offset it is taken as UTC.
func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func dateTimeTest(op Op, operand any) (func(any) bool, any, error) {
	s, ok := operand.(string)
	if !ok {
		return nil, nil, fmt.Errorf("filter: %v is not a dateTime string", operand)
	}
	if op == Co || op == Sw || op == Ew {
		return stringTest(op, s, false)
	}
	want, ok := parseDateTime(s)
	if !ok {
		return nil, nil, fmt.Errorf("filter: %q is not a dateTime", s)
	}
	return func(v any) bool {
		var t time.Time
		switch x := v.(type) {
		case string:
			if t, ok = parseDateTime(x); !ok {
				return false
			}
		case time.Time:
			t = x
		default:
			return false
		}
		return ordered(op, t.Compare(want))
	}, s, nil
}

// stringTest compares strings, case-insensitively unless caseExact. A
// number operand is compared by its JSON text (`employeeNumber eq 701984`).
func stringTest(op Op, operand any, caseExact bool) (func(any) bool, any, error) {
	var want string
	switch x := operand.(type) {
	case string:
		want = x
	case float64:
		want = formatNumber(x)
	default:
		return nil, nil, fmt.Errorf("filter: %v is not a string", operand)
	}
	fold := func(s string) string { return s }
	if !caseExact {
		fold = strings.ToLower
	}
	w := fold(want)
	var test func(s string) bool
	switch op {
	case Eq, Ne:
		if caseExact {
			test = func(s string) bool { return s == want }
		} else {
			test = func(s string) bool { return strings.EqualFold(s, want) }
		}
	case Co:
		test = func(s string) bool { return strings.Contains(fold(s), w) }
	case Sw:
		test = func(s string) bool { return strings.HasPrefix(fold(s), w) }
	case Ew:
		test = func(s string) bool { return strings.HasSuffix(fold(s), w) }
	default:
		test = func(s string) bool { return ordered(op, strings.Compare(fold(s), w)) }
	}
	return func(v any) bool {
		s, ok := v.(string)
		return ok && test(s)
	}, want, nil
}
