package mapping

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

// TargetSchema is what an application declares of itself (RFC 7644 §4):
// its /Schemas and /ResourceTypes, as a job discovered them. Mappings are
// fitted to it and target paths checked against it.
type TargetSchema struct {
	// Declared is false when the application answered /Schemas with 404
	// or with no schema: nothing is known, every target is allowed and all
	// defaults kept. A type whose core schema /Schemas lacks is likewise
	// unchecked.
	Declared bool `json:"declared"`
	// ResourceTypesDeclared is false when /ResourceTypes answered 404:
	// an extension then counts as declared when /Schemas has it.
	ResourceTypesDeclared bool                 `json:"resourceTypesDeclared,omitempty"`
	Schemas               []*scim.Schema       `json:"schemas,omitempty"`
	ResourceTypes         []*scim.ResourceType `json:"resourceTypes,omitempty"`
	Checked               time.Time            `json:"checked"`
}

// commonAttributes are on every resource without being in its schema
// (RFC 7643 §3.1).
var commonAttributes = []string{"id", "externalId", "meta", "schemas"}

// schema finds a schema by URI, case-insensitively.
func (s *TargetSchema) schema(uri string) *scim.Schema {
	for _, sc := range s.Schemas {
		if sc != nil && strings.EqualFold(sc.ID, uri) {
			return sc
		}
	}
	return nil
}

// resourceType finds the resource type served at endpoint ("Users" or
// "/Users"), case-insensitively.
func (s *TargetSchema) resourceType(endpoint string) *scim.ResourceType {
	want := strings.TrimPrefix(endpoint, "/")
	for _, rt := range s.ResourceTypes {
		if rt != nil && strings.EqualFold(strings.TrimPrefix(rt.Endpoint, "/"), want) {
			return rt
		}
	}
	return nil
}

// coreURI is the core schema of a type's endpoint: the resource type's,
// else RFC 7643's for Users and Groups.
func (s *TargetSchema) coreURI(typ provisioning.ObjectType, endpoint string) string {
	if rt := s.resourceType(endpoint); rt != nil {
		return rt.Schema
	}
	if typ == provisioning.TypeGroup {
		return scim.GroupSchema
	}
	return scim.UserSchema
}

// Undeclared says why the application does not accept the target path on
// the type's endpoint, or "" when it does, when nothing is known (s nil
// or not declared) or when the path does not parse (the mapping's own
// checks report that).
func (s *TargetSchema) Undeclared(typ provisioning.ObjectType, endpoint, target string) string {
	if s == nil || !s.Declared {
		return ""
	}
	p, err := filter.ParsePath(target, filter.Options{})
	if err != nil {
		return ""
	}
	sub := p.Attr.Sub
	if sub == "" {
		sub = p.Sub
	}
	core := s.coreURI(typ, endpoint)
	uri := p.Attr.URI
	if uri == "" || strings.EqualFold(uri, core) {
		for _, c := range commonAttributes {
			if strings.EqualFold(p.Attr.Name, c) {
				return ""
			}
		}
		if s.schema(core) == nil {
			return "" // the application does not describe the type: nothing known
		}
		return s.undeclaredIn(core, p.Attr.Name, sub, "")
	}
	if s.ResourceTypesDeclared {
		rt := s.resourceType(endpoint)
		if rt == nil {
			return fmt.Sprintf("the application declares no resource type at /%s", strings.TrimPrefix(endpoint, "/"))
		}
		found := false
		for _, e := range rt.SchemaExtensions {
			found = found || strings.EqualFold(e.Schema, uri)
		}
		if !found {
			return fmt.Sprintf("the application does not declare the %s for %s", extensionName(uri), rt.Name)
		}
	}
	return s.undeclaredIn(uri, p.Attr.Name, sub, extensionName(uri))
}

// undeclaredIn checks name (and sub) in the schema uri.
func (s *TargetSchema) undeclaredIn(uri, name, sub, what string) string {
	sc := s.schema(uri)
	if sc == nil {
		if what == "" {
			what = "schema " + uri
		}
		return fmt.Sprintf("the application's /Schemas does not declare the %s", what)
	}
	a := sc.Attribute(name)
	if a == nil {
		return fmt.Sprintf("the application's schema %s has no attribute %q", sc.ID, name)
	}
	if sub != "" && len(a.SubAttributes) > 0 && a.SubAttribute(sub) == nil {
		return fmt.Sprintf("the application's schema %s has no sub-attribute %q of %q", sc.ID, sub, a.Name)
	}
	return ""
}

// extensionName names an extension schema for people: "enterprise
// extension (urn:...)" for RFC 7643's, else its URI.
func extensionName(uri string) string {
	if strings.EqualFold(uri, scim.EnterpriseUserSchema) {
		return "enterprise extension (" + scim.EnterpriseUserSchema + ")"
	}
	return "extension " + uri
}

// Exclusion is a mapping left out because the application does not
// declare its target attribute.
type Exclusion struct {
	Type   provisioning.ObjectType `json:"type"`
	Target string                  `json:"target"`
	Reason string                  `json:"reason"`
}

func (e Exclusion) String() string { return e.Target + " — " + e.Reason }

// Excluded lists the default mappings the application does not take,
// each with the reason.
func (s *TargetSchema) Excluded() []Exclusion {
	var out []Exclusion
	d := DefaultMappings()
	for _, t := range []struct {
		typ provisioning.ObjectType
		tm  TypeMapping
	}{{provisioning.TypeUser, d.Users}, {provisioning.TypeGroup, d.Groups}} {
		for _, a := range t.tm.Attributes {
			if why := s.Undeclared(t.typ, t.tm.Endpoint, a.Target); why != "" {
				out = append(out, Exclusion{Type: t.typ, Target: a.Target, Reason: why})
			}
		}
	}
	return out
}

// Fit leaves out the default mappings of m whose target the application
// does not declare (a mapping an administrator changed stays, and
// CheckTargets reports it).
func (m Mappings) Fit(s *TargetSchema) Mappings {
	d := DefaultMappings()
	m.Users = m.Users.fit(s, provisioning.TypeUser, d.Users)
	m.Groups = m.Groups.fit(s, provisioning.TypeGroup, d.Groups)
	return m
}

func (t TypeMapping) fit(s *TargetSchema, typ provisioning.ObjectType, def TypeMapping) TypeMapping {
	var kept []AttributeMapping
	for _, a := range t.Attributes {
		if s.Undeclared(typ, t.Endpoint, a.Target) != "" && isDefault(a, def) {
			continue
		}
		kept = append(kept, a)
	}
	t.Attributes = kept
	return t
}

// isDefault reports whether a is one of def's mappings unchanged.
func isDefault(a AttributeMapping, def TypeMapping) bool {
	for _, d := range def.Attributes {
		if strings.EqualFold(d.Target, a.Target) {
			return d.Type == a.Type && d.Source == a.Source && d.Expression == a.Expression
		}
	}
	return false
}

// CheckTargets reports every mapping whose target the application does
// not declare (nothing when s is nil or not declared).
func (m Mappings) CheckTargets(s *TargetSchema) error {
	var errs []error
	for _, t := range []struct {
		typ provisioning.ObjectType
		tm  TypeMapping
	}{{provisioning.TypeUser, m.Users}, {provisioning.TypeGroup, m.Groups}} {
		if t.tm.Disabled {
			continue
		}
		for _, a := range t.tm.Attributes {
			if why := s.Undeclared(t.typ, t.tm.Endpoint, a.Target); why != "" {
				errs = append(errs, fmt.Errorf("%s mapping %q: target not accepted: %s", t.typ, a.Target, why))
			}
		}
	}
	return errors.Join(errs...)
}
