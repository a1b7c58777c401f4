package scim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

// standardSchemas holds the User, EnterpriseUser and Group schemas of
// RFC 7643 §8.7.1, written from the RFC. Deliberate additions: "primary" on
// User.addresses (RFC 7643 §2.4 and §4.1.2 allow it, Entra sends it) and
// "display" on Group.members (RFC 7644 examples and Entra/Okta send it).
//
//go:embed standard_schemas.json
var standardSchemas []byte

// NewStandardRegistry returns a registry holding the RFC 7643 §8.7.1 schemas
// (User, the EnterpriseUser extension and Group) and the resource types of
// RFC 7643 §8.6: User at /Users with the optional EnterpriseUser extension,
// and Group at /Groups. Each call returns an independent registry; add custom
// extensions with [Registry.AddSchema] and [Registry.AddExtension]. The
// schema definitions themselves are shared (they are immutable).
func NewStandardRegistry() *Registry {
	r, err := newStandardRegistry()
	if err != nil {
		panic(fmt.Sprintf("scim: standard schemas: %v", err)) // embedded data is fixed at build time and tested
	}
	return r
}

// parsedStandardSchemas decodes the standard schemas once: registered
// schemas are immutable, so every standard registry shares them.
var parsedStandardSchemas = sync.OnceValues(func() ([]*Schema, error) {
	var schemas []*Schema
	if err := json.Unmarshal(standardSchemas, &schemas); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	for _, s := range schemas {
		if err := prepareAttrs(s.Attributes, false); err != nil {
			return nil, fmt.Errorf("schema %q: %w", s.ID, err)
		}
		s.index = indexSchema(s.Attributes)
	}
	return schemas, nil
})

func newStandardRegistry() (*Registry, error) {
	schemas, err := parsedStandardSchemas()
	if err != nil {
		return nil, err
	}
	r := NewRegistry()
	for _, s := range schemas {
		if err := r.AddSchema(s); err != nil {
			return nil, err
		}
	}
	types := []*ResourceType{
		{ID: "User", Name: "User", Endpoint: "/Users", Description: "User Account", Schema: UserSchema,
			SchemaExtensions: []SchemaExtension{{Schema: EnterpriseUserSchema, Required: false}}},
		{ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Group", Schema: GroupSchema},
	}
	for _, rt := range types {
		if err := r.AddResourceType(rt); err != nil {
			return nil, err
		}
	}
	return r, nil
}
