// Package mapping is the one serializable form of a job's attribute
// mappings — as the store keeps them and the admin API shows them — and
// its compilation into the engine's [provisioning.ObjectMapping], each
// source a [provisioning.ValueSource] (Entra's mapping types Direct,
// Constant, Expression and None; "Customize attribute mappings").
package mapping

import (
	"errors"
	"fmt"

	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Mappings is the JSON form of a job's attribute mappings, as stored and as
// the admin API shows them.
type Mappings struct {
	Users  TypeMapping `json:"users"`
	Groups TypeMapping `json:"groups"`
}

// TypeMapping maps one source object type to one SCIM resource type.
type TypeMapping struct {
	Endpoint   string             `json:"endpoint"`
	Schemas    []string           `json:"schemas,omitempty"`
	Disabled   bool               `json:"disabled,omitempty"` // the type is not provisioned
	Actions    Actions            `json:"actions"`
	Attributes []AttributeMapping `json:"attributes"`
	// Scoping is the type's scoping filters (Entra: "Source object scope"):
	// clauses ANDed within a filter, filters ORed; none: every object of
	// the job's scope.
	Scoping scoping.Filters `json:"scoping,omitempty"`
}

// Actions are the target object actions of a mapping.
type Actions struct {
	Create bool `json:"create"`
	Update bool `json:"update"`
	Delete bool `json:"delete"`
}

// Mapping types (Entra: Direct, Constant, Expression, None).
const (
	MappingDirect     = "direct"
	MappingConstant   = "constant"
	MappingExpression = "expression"
	MappingNone       = "none"
)

// Apply values: when a mapping flows.
const (
	ApplyAlways   = "always"
	ApplyOnCreate = "create"
)

// AttributeMapping is one target attribute's mapping.
type AttributeMapping struct {
	Target string `json:"target"` // SCIM attribute path, e.g. `emails[type eq "work"].value`
	Type   string `json:"type"`   // direct, constant, expression or none
	Source string `json:"source,omitempty"`
	Value  any    `json:"value,omitempty"` // constant
	// Expression, for type expression: an expression of package expr
	// (Entra's functions), parsed when the mapping is compiled.
	Expression string `json:"expression,omitempty"`
	Default    any    `json:"default,omitempty"` // default value if null (create only)
	Apply      string `json:"apply,omitempty"`   // always (default) or create
	Match      int    `json:"match,omitempty"`   // > 0: matching attribute, lower first
	Reference  bool   `json:"reference,omitempty"`
	// ClearWhenEmpty makes a null or empty value clear the target
	// attribute instead of leaving it as it is (Entra cannot flow nulls
	// outbound).
	ClearWhenEmpty bool `json:"clearWhenEmpty,omitempty"`
}

// DefaultMappings returns the engine's default user and group mappings.
func DefaultMappings() Mappings {
	u, _ := typeMappingOf(provisioning.DefaultUserMapping())
	g, _ := typeMappingOf(provisioning.DefaultGroupMapping())
	return Mappings{Users: u, Groups: g}
}

// Compile turns the JSON form into the engine's mappings.
func (m Mappings) Compile() (users, groups provisioning.ObjectMapping, err error) {
	users, uerr := m.Users.compile(provisioning.TypeUser)
	groups, gerr := m.Groups.compile(provisioning.TypeGroup)
	return users, groups, errors.Join(uerr, gerr)
}

func (t TypeMapping) compile(typ provisioning.ObjectType) (provisioning.ObjectMapping, error) {
	om := provisioning.ObjectMapping{
		Type: typ, Endpoint: t.Endpoint, Schemas: t.Schemas, Disabled: t.Disabled, Scoping: t.Scoping,
		Actions: provisioning.Actions{Create: t.Actions.Create, Update: t.Actions.Update, Delete: t.Actions.Delete},
	}
	var errs []error
	for _, a := range t.Attributes {
		// A broken attribute stays in (as far as it compiled), so the
		// engine's checks of the whole mapping report independent problems.
		am, err := a.compile()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s mapping %q: %w", typ, a.Target, err))
		}
		om.Attributes = append(om.Attributes, am)
	}
	return om, errors.Join(errs...)
}

func (a AttributeMapping) compile() (provisioning.AttributeMapping, error) {
	am := provisioning.AttributeMapping{Target: a.Target, Default: a.Default, Match: a.Match, Reference: a.Reference, ClearWhenEmpty: a.ClearWhenEmpty}
	switch a.Apply {
	case "", ApplyAlways:
	case ApplyOnCreate:
		am.Apply = provisioning.ApplyOnCreate
	default:
		return am, fmt.Errorf("apply %q: want %q or %q", a.Apply, ApplyAlways, ApplyOnCreate)
	}
	var err error
	switch a.Type {
	case MappingDirect:
		if a.Source == "" {
			return am, errors.New("a direct mapping needs a source attribute")
		}
		am.Source = provisioning.Direct{Attr: a.Source}
	case MappingConstant:
		if a.Value == nil {
			return am, errors.New("a constant mapping needs a value")
		}
		am.Source = provisioning.Constant{V: a.Value}
	case MappingExpression:
		var e provisioning.Expression
		if e, err = provisioning.ParseExpression(a.Expression); err == nil {
			am.Source = e // a broken one stays None: its error is reported once
		}
	case MappingNone:
	default:
		err = fmt.Errorf("type %q: want direct, constant, expression or none", a.Type)
	}
	return am, err
}

// typeMappingOf renders an engine mapping in the JSON form: an expression
// source as its text.
func typeMappingOf(om provisioning.ObjectMapping) (TypeMapping, error) {
	t := TypeMapping{Endpoint: om.Endpoint, Schemas: om.Schemas, Disabled: om.Disabled, Scoping: om.Scoping,
		Actions: Actions{Create: om.Actions.Create, Update: om.Actions.Update, Delete: om.Actions.Delete}}
	for _, a := range om.Attributes {
		am := AttributeMapping{Target: a.Target, Default: a.Default, Match: a.Match, Reference: a.Reference, ClearWhenEmpty: a.ClearWhenEmpty, Apply: ApplyAlways}
		if a.Apply == provisioning.ApplyOnCreate {
			am.Apply = ApplyOnCreate
		}
		switch src := a.Source.(type) {
		case nil:
			am.Type = MappingNone
		case provisioning.Direct:
			am.Type, am.Source = MappingDirect, src.Attr
		case provisioning.Constant:
			am.Type, am.Value = MappingConstant, src.V
		case provisioning.Expression:
			am.Type, am.Expression = MappingExpression, src.String()
		default:
			return TypeMapping{}, fmt.Errorf("mapping %q: source %T has no JSON form", a.Target, src)
		}
		t.Attributes = append(t.Attributes, am)
	}
	return t, nil
}

// Validate compiles the mappings and checks them as the engine does,
// reporting every problem at once.
func (m Mappings) Validate() error {
	users, groups, err := m.Compile()
	if err = errors.Join(err, provisioning.CheckMappings(users, groups)); err != nil {
		return fmt.Errorf("mappings: %w", err)
	}
	return nil
}

// MatchingTarget is the target attribute of the users mapping's first
// matching attribute: Test Connection queries it ("userName" if none).
func (m Mappings) MatchingTarget() string {
	best, attr := 0, "userName"
	for _, a := range m.Users.Attributes {
		if a.Match > 0 && (best == 0 || a.Match < best) {
			best, attr = a.Match, a.Target
		}
	}
	return attr
}
