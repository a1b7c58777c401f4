package provisioning

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
)

// ValueSource computes the source side of an attribute mapping from one
// source object. ok false means null: the attribute does not flow (Entra
// never provisions null values). Direct, Constant and Expression are the
// sources.
type ValueSource interface {
	Value(o *Object) (v any, ok bool, err error)
}

// Direct is Entra's "Direct" mapping type: the value of a source attribute.
type Direct struct{ Attr string }

// Value implements ValueSource.
func (d Direct) Value(o *Object) (any, bool, error) {
	v, ok := o.Attr(d.Attr)
	return v, ok, nil
}

// Constant is Entra's "Constant" mapping type: a fixed value (a string, or
// a bool for boolean targets).
type Constant struct{ V any }

// Value implements ValueSource.
func (c Constant) Value(*Object) (any, bool, error) { return c.V, c.V != nil, nil }

// Expression is Entra's "Expression" mapping type: an expression of
// package expr ("Reference for writing expressions for attribute
// mappings"), parsed once when the mapping is built and evaluated per
// object. String gives its source text.
type Expression struct{ *expr.Expr }

// ParseExpression parses src into an Expression; the error names the
// position (an *expr.SyntaxError).
func ParseExpression(src string) (Expression, error) {
	e, err := expr.Parse(src)
	if err != nil {
		return Expression{}, fmt.Errorf("expression: %w", err)
	}
	return Expression{e}, nil
}

// mustExpression parses a built-in expression.
func mustExpression(src string) Expression {
	e, err := ParseExpression(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Value implements ValueSource.
func (x Expression) Value(o *Object) (any, bool, error) { return x.Eval(o.env()) }

// Apply says when a mapping flows (Entra's "Apply this mapping").
type Apply int

// Apply values.
const (
	ApplyAlways   Apply = iota // on create and on update
	ApplyOnCreate              // only when the target object is created
)

// AttributeMapping maps one target attribute (Entra ATTR: mapping types
// Direct, Constant, Expression and None; default value if null; apply
// always or only on create; matching precedence).
type AttributeMapping struct {
	// Target is the SCIM attribute path (RFC 7644 §3.10, value filters
	// allowed): "userName", "name.givenName", `emails[type eq "work"].value`,
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager".
	Target string
	// Source computes the value; nil is Entra's "None" type: nothing
	// flows except Default on create.
	Source ValueSource
	// Default is used on create when Source yields null (Entra: "Default
	// value if null", applied only on create).
	Default any
	Apply   Apply
	// Match > 0 makes this a matching attribute; lower values are tried
	// first (Entra's matching precedence).
	Match int
	// Reference marks source values that are object ids (manager,
	// members): they flow as the linked target ids, {"value": id}.
	Reference bool
	// ClearWhenEmpty makes a null or empty value clear the target
	// attribute on update instead of leaving it unchanged (Entra cannot
	// flow nulls outbound; Provisio can, when asked).
	ClearWhenEmpty bool
}

// Actions are the target object actions of a mapping (Entra: Create,
// Update, Delete checkboxes). Update also governs disables.
type Actions struct {
	Create, Update, Delete bool
}

// AllActions enables create, update and delete.
var AllActions = Actions{Create: true, Update: true, Delete: true}

// ObjectMapping maps one source object type to one SCIM resource type.
type ObjectMapping struct {
	Type       ObjectType
	Endpoint   string   // e.g. "Users"
	Schemas    []string // "schemas" of created resources
	Attributes []AttributeMapping
	Actions    Actions
	Disabled   bool // the object type is not provisioned (group mapping switched off)
	// Scoping is the type's scoping filters (Entra's "Source object
	// scope"); none: every object of the job's scope is in scope.
	Scoping scoping.Filters
}

// compiledMapping is an ObjectMapping with parsed target paths.
type compiledMapping struct {
	ObjectMapping
	targets  []targetPath // parallel to Attributes
	matching []int        // indexes into Attributes, by precedence
	active   int          // index of the "active" mapping, -1 if none
	scoping  *scoping.Set // Scoping, compiled; never nil
	// redacted marks mappings whose expression is Redact(...): logs show
	// "[Redact]" instead of their values. Parallel to Attributes.
	redacted []bool
	// unique marks create-only mappings using SelectUniqueValue: they are
	// evaluated only for a create, against the target (see evaluateUnique).
	unique []bool
	// roles is set when a mapping reads appRoleAssignments: assignment
	// changes then re-evaluate the users they reach.
	roles bool
	keys  []string // the targets, sorted: the keys of mapped values (see hashKeys)
	exprs bool     // some source is an Expression
}

func compileMapping(m ObjectMapping) (*compiledMapping, error) {
	if m.Endpoint == "" {
		return nil, fmt.Errorf("%s mapping: no endpoint", m.Type)
	}
	c := &compiledMapping{ObjectMapping: m, active: -1}
	seen := map[string]bool{}
	var errs []error
	for i, a := range m.Attributes {
		tp, err := parseTarget(a.Target)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s mapping %q: %w", m.Type, a.Target, err))
			continue
		}
		if key := strings.ToLower(a.Target); seen[key] {
			errs = append(errs, fmt.Errorf("%s mapping %q: target mapped twice", m.Type, a.Target))
		} else {
			seen[key] = true
		}
		if a.Match > 0 {
			c.matching = append(c.matching, i)
		}
		if strings.EqualFold(a.Target, "active") {
			c.active = i
		}
		c.targets = append(c.targets, tp)
		redacted, unique, roles, err := checkSource(a)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s mapping %q: %w", m.Type, a.Target, err))
		}
		c.redacted = append(c.redacted, redacted)
		c.unique = append(c.unique, unique)
		c.roles = c.roles || roles
		_, isExpr := a.Source.(Expression)
		c.exprs = c.exprs || isExpr
	}
	if len(c.matching) == 0 {
		errs = append(errs, fmt.Errorf("%s mapping: no matching attribute", m.Type))
	}
	sc, err := m.Scoping.Compile()
	if err != nil {
		errs = append(errs, fmt.Errorf("%s mapping: %w", m.Type, err))
	}
	c.scoping = sc
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sortByPrecedence(c.matching, m.Attributes)
	for _, a := range m.Attributes {
		c.keys = append(c.keys, a.Target)
	}
	slices.Sort(c.keys)
	return c, nil
}

// checkSource inspects a mapping's source: whether it is redacted, uses
// SelectUniqueValue (Entra: only on create, never on a matching
// attribute) or reads appRoleAssignments.
func checkSource(a AttributeMapping) (redacted, unique, roles bool, err error) {
	switch src := a.Source.(type) {
	case Direct:
		return false, false, strings.EqualFold(src.Attr, attrAppRoles), nil
	case Expression:
		if src.Expr == nil {
			return false, false, false, errors.New("expression: empty")
		}
		roles = slices.ContainsFunc(src.Attributes(), func(n string) bool { return strings.EqualFold(n, attrAppRoles) })
		unique = src.UsesFunction("SelectUniqueValue")
		switch {
		case unique && a.Match > 0:
			err = errors.New("SelectUniqueValue cannot be used on a matching attribute")
		case unique && a.Apply != ApplyOnCreate:
			err = errors.New(`SelectUniqueValue needs "apply this mapping" only on create`)
		}
		return src.Redacted(), unique, roles, err
	}
	return false, false, false, nil
}

func sortByPrecedence(idx []int, attrs []AttributeMapping) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && attrs[idx[j]].Match < attrs[idx[j-1]].Match; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}
