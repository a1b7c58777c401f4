package mapping

import (
	"errors"
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// pseudoAttributes are source attributes that are not in the directory's
// catalog: Entra's IsSoftDeleted (every type) and appRoleAssignments (the
// roles given at assignment; users).
var pseudoAttributes = map[provisioning.ObjectType][]string{
	provisioning.TypeUser:  {"IsSoftDeleted", "appRoleAssignments"},
	provisioning.TypeGroup: {"IsSoftDeleted"},
}

// KnownSource reports whether name is a source attribute of the type:
// one of the directory's catalog (extension_* included) or a
// pseudo-attribute, case-insensitively.
func KnownSource(typ provisioning.ObjectType, name string) bool {
	for _, p := range pseudoAttributes[typ] {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	if typ == provisioning.TypeGroup {
		_, ok := directory.LookupGroup(name)
		return ok
	}
	_, ok := directory.LookupUser(name)
	return ok
}

// CheckSources reports, all at once, every source attribute the mappings
// and scoping filters read that the directory does not have, those of
// expressions included (an expression that does not parse is reported by
// Compile, with the position).
func (m Mappings) CheckSources() error {
	return errors.Join(m.Users.checkSources(provisioning.TypeUser), m.Groups.checkSources(provisioning.TypeGroup))
}

func (t TypeMapping) checkSources(typ provisioning.ObjectType) error {
	if t.Disabled {
		return nil
	}
	var errs []error
	unknown := func(what, name string) {
		errs = append(errs, fmt.Errorf("%s: unknown source attribute %q (not in the directory's catalog, not extension_*, IsSoftDeleted or appRoleAssignments)", what, name))
	}
	for _, a := range t.Attributes {
		what := fmt.Sprintf("%s mapping %q", typ, a.Target)
		switch a.Type {
		case MappingDirect:
			if a.Source != "" && !KnownSource(typ, a.Source) {
				unknown(what, a.Source)
			}
		case MappingExpression:
			e, err := expr.Parse(a.Expression)
			if err != nil {
				continue // Compile reports it, with the position
			}
			for _, name := range e.Attributes() {
				if !KnownSource(typ, name) {
					unknown(what+" expression", name)
				}
			}
		}
	}
	for i, f := range t.Scoping {
		for j, c := range f.Clauses {
			if c.Attribute != "" && !KnownSource(typ, c.Attribute) {
				unknown(fmt.Sprintf("%s scoping filter %d clause %d", typ, i+1, j+1), c.Attribute)
			}
		}
	}
	if err := t.Scoping.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s scoping: %w", typ, err))
	}
	return errors.Join(errs...)
}

// Check is every check of a mapping change when it is saved, all problems
// at once: the engine's (Validate), the sources (CheckSources) and the
// targets against what the application declares (CheckTargets; s may be
// nil).
func (m Mappings) Check(s *TargetSchema) error {
	errs := []error{m.Validate()}
	if err := errors.Join(m.CheckSources(), m.CheckTargets(s)); err != nil {
		errs = append(errs, fmt.Errorf("mappings: %w", err))
	}
	return errors.Join(errs...)
}
