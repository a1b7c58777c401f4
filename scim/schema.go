package scim

import (
	"fmt"
	"strings"
	"sync"
)

// Attribute types (RFC 7643 §2.3).
const (
	TypeString    = "string"
	TypeBoolean   = "boolean"
	TypeDecimal   = "decimal"
	TypeInteger   = "integer"
	TypeDateTime  = "dateTime"
	TypeBinary    = "binary"
	TypeReference = "reference"
	TypeComplex   = "complex"
)

// Mutability values (RFC 7643 §7).
const (
	ReadOnly  = "readOnly"
	ReadWrite = "readWrite"
	Immutable = "immutable"
	WriteOnly = "writeOnly"
)

// Returned values (RFC 7643 §7).
const (
	ReturnedAlways  = "always"
	ReturnedNever   = "never"
	ReturnedDefault = "default"
	ReturnedRequest = "request"
)

// Uniqueness values (RFC 7643 §7).
const (
	UniquenessNone   = "none"
	UniquenessServer = "server"
	UniquenessGlobal = "global"
)

// Attribute describes one attribute and its characteristics (RFC 7643 §2.2, §7).
type Attribute struct {
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description,omitempty"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	Uniqueness      string       `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
}

// SubAttribute finds a sub-attribute by name, case-insensitively.
func (a *Attribute) SubAttribute(name string) *Attribute {
	return findAttr(a.SubAttributes, name)
}

// Schema is a schema definition as served by /Schemas (RFC 7643 §7).
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
}

// Attribute finds a top-level attribute by name, case-insensitively.
func (s *Schema) Attribute(name string) *Attribute {
	return findAttr(s.Attributes, name)
}

func findAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// SchemaExtension names an extension schema of a resource type (RFC 7643 §6).
type SchemaExtension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceType describes a resource endpoint (RFC 7643 §6). Obtain one from
// a [Registry]: the registry links it to its schemas so that [ResourceType.Resolve]
// works.
type ResourceType struct {
	ID               string            `json:"id,omitempty"`
	Name             string            `json:"name"`
	Description      string            `json:"description,omitempty"`
	Endpoint         string            `json:"endpoint"`
	Schema           string            `json:"schema"`
	SchemaExtensions []SchemaExtension `json:"schemaExtensions,omitempty"`

	core       *Schema
	extensions []*Schema
}

// CoreSchema returns the resource type's base schema.
func (rt *ResourceType) CoreSchema() *Schema { return rt.core }

// Extensions returns the resource type's extension schemas in declaration order.
func (rt *ResourceType) Extensions() []*Schema { return rt.extensions }

// Resolved is an attribute path resolved against a resource type.
type Resolved struct {
	Path      AttrPath   // canonical spelling; URI always set
	Attr      *Attribute // the top-level attribute
	Sub       *Attribute // the sub-attribute, nil if Path.Sub is empty
	Extension bool       // the attribute lives in an extension schema (stored under its URI key)
}

// Leaf returns the attribute the path finally names (Sub if set, else Attr).
func (r Resolved) Leaf() *Attribute {
	if r.Sub != nil {
		return r.Sub
	}
	return r.Attr
}

// Resolve finds the attribute p names, case-insensitively. A path without URI
// is looked up in the core schema first, then in the extensions (leniency
// for clients that send unqualified extension attributes). Common attributes
// (id, externalId, meta) resolve to the core schema.
func (rt *ResourceType) Resolve(p AttrPath) (Resolved, error) {
	var schema *Schema
	var ext bool
	var attr *Attribute
	switch {
	case p.URI == "":
		if attr = rt.core.Attribute(p.Name); attr != nil {
			schema = rt.core
			break
		}
		for _, s := range rt.extensions {
			if attr = s.Attribute(p.Name); attr != nil {
				schema, ext = s, true
				break
			}
		}
	case strings.EqualFold(p.URI, rt.core.ID):
		schema, attr = rt.core, rt.core.Attribute(p.Name)
	default:
		for _, s := range rt.extensions {
			if strings.EqualFold(p.URI, s.ID) {
				schema, ext, attr = s, true, s.Attribute(p.Name)
				break
			}
		}
		if schema == nil {
			return Resolved{}, fmt.Errorf("unknown schema %q", p.URI)
		}
	}
	if attr == nil {
		return Resolved{}, fmt.Errorf("unknown attribute %q", p.String())
	}
	r := Resolved{Path: AttrPath{URI: schema.ID, Name: attr.Name}, Attr: attr, Extension: ext}
	if p.Sub != "" {
		r.Sub = attr.SubAttribute(p.Sub)
		if r.Sub == nil {
			return Resolved{}, fmt.Errorf("unknown sub-attribute %q", p.String())
		}
		r.Path.Sub = r.Sub.Name
	}
	return r, nil
}

// Registry holds schemas and resource types. It is safe for concurrent use.
type Registry struct {
	mu            sync.RWMutex
	schemas       []*Schema
	resourceTypes []*ResourceType
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// AddSchema registers a schema, e.g. a custom extension at run time.
// Registering an ID twice (case-insensitively) is an error.
func (r *Registry) AddSchema(s *Schema) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.schemaLocked(s.ID) != nil {
		return fmt.Errorf("schema %q already registered", s.ID)
	}
	r.schemas = append(r.schemas, s)
	return nil
}

// AddResourceType registers a resource type whose schemas are already
// registered, and links it to them.
func (r *Registry) AddResourceType(rt *ResourceType) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	core := r.schemaLocked(rt.Schema)
	if core == nil {
		return fmt.Errorf("resource type %q: schema %q not registered", rt.Name, rt.Schema)
	}
	exts := make([]*Schema, 0, len(rt.SchemaExtensions))
	for _, e := range rt.SchemaExtensions {
		s := r.schemaLocked(e.Schema)
		if s == nil {
			return fmt.Errorf("resource type %q: extension schema %q not registered", rt.Name, e.Schema)
		}
		exts = append(exts, s)
	}
	for _, have := range r.resourceTypes {
		if strings.EqualFold(have.Name, rt.Name) {
			return fmt.Errorf("resource type %q already registered", rt.Name)
		}
	}
	if rt.ID == "" {
		rt.ID = rt.Name
	}
	rt.core, rt.extensions = core, exts
	r.resourceTypes = append(r.resourceTypes, rt)
	return nil
}

// AddExtension adds an already registered extension schema to a registered
// resource type.
func (r *Registry) AddExtension(resourceType, schemaID string, required bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.schemaLocked(schemaID)
	if s == nil {
		return fmt.Errorf("schema %q not registered", schemaID)
	}
	for _, rt := range r.resourceTypes {
		if strings.EqualFold(rt.Name, resourceType) {
			rt.SchemaExtensions = append(rt.SchemaExtensions, SchemaExtension{Schema: s.ID, Required: required})
			rt.extensions = append(rt.extensions, s)
			return nil
		}
	}
	return fmt.Errorf("resource type %q not registered", resourceType)
}

func (r *Registry) schemaLocked(id string) *Schema {
	for _, s := range r.schemas {
		if strings.EqualFold(s.ID, id) {
			return s
		}
	}
	return nil
}

// Schema returns the schema with the given URI, case-insensitively.
func (r *Registry) Schema(id string) (*Schema, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.schemaLocked(id)
	return s, s != nil
}

// Schemas returns all registered schemas in registration order.
func (r *Registry) Schemas() []*Schema {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Schema(nil), r.schemas...)
}

// ResourceType returns the resource type with the given name ("User"),
// case-insensitively.
func (r *Registry) ResourceType(name string) (*ResourceType, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, rt := range r.resourceTypes {
		if strings.EqualFold(rt.Name, name) {
			return rt, true
		}
	}
	return nil, false
}

// ResourceTypeByEndpoint returns the resource type served at endpoint
// ("/Users" or "Users"), case-insensitively.
func (r *Registry) ResourceTypeByEndpoint(endpoint string) (*ResourceType, bool) {
	endpoint = "/" + strings.TrimPrefix(endpoint, "/")
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, rt := range r.resourceTypes {
		if strings.EqualFold(rt.Endpoint, endpoint) {
			return rt, true
		}
	}
	return nil, false
}

// ResourceTypes returns all registered resource types in registration order.
func (r *Registry) ResourceTypes() []*ResourceType {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*ResourceType(nil), r.resourceTypes...)
}
