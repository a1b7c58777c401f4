package scim

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
//
// Attributes are immutable once their schema is registered: the registry
// fills in defaults and builds lookup indexes at registration.
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

	subIndex map[string]*Attribute // lower-cased name -> sub-attribute; nil until indexed
	// hiddenSubs: some sub-attribute is returned "never" or "request", so a
	// projection must filter this attribute's value.
	hiddenSubs bool
}

// SubAttribute finds a sub-attribute by name, case-insensitively.
func (a *Attribute) SubAttribute(name string) *Attribute {
	if a.subIndex != nil {
		return lookupFold(a.subIndex, name)
	}
	return findAttr(a.SubAttributes, name)
}

// Schema is a schema definition as served by /Schemas (RFC 7643 §7).
//
// A schema is immutable once registered.
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`

	index *schemaIndex // nil until registered
}

// Attribute finds a top-level attribute by name, case-insensitively.
func (s *Schema) Attribute(name string) *Attribute {
	if s.index != nil {
		return lookupFold(s.index.byName, name)
	}
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

// lookupFold looks name up in a map keyed by lower-cased (ASCII) names
// without allocating for names up to 64 bytes.
func lookupFold[T any](m map[string]T, name string) T {
	var buf [64]byte
	if len(name) > len(buf) {
		return m[asciiLower(name)]
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return m[string(b)]
}

// asciiLower lower-cases ASCII letters only, matching [lookupFold].
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SchemaExtension names an extension schema of a resource type (RFC 7643 §6).
type SchemaExtension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceType describes a resource endpoint (RFC 7643 §6). Obtain one from
// a [Registry]: the registry links it to its schemas so that [ResourceType.Resolve],
// [ResourceType.Normalize] and [ResourceType.Project] work; on a resource type
// that is not registered they fail with an error.
type ResourceType struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Endpoint    string `json:"endpoint"`
	Schema      string `json:"schema"`
	// SchemaExtensions is rewritten by [Registry.AddExtension]; add run-time
	// extensions before serving, or read the extensions with
	// [ResourceType.Extensions], which is safe for concurrent use.
	SchemaExtensions []SchemaExtension `json:"schemaExtensions,omitempty"`

	view atomic.Pointer[rtView]
}

// rtView is the immutable, precomputed form of a registered resource type.
// [Registry.AddExtension] replaces it as a whole, so readers never lock.
type rtView struct {
	core     *Schema
	exts     []*Schema
	required []bool             // required[i]: exts[i] is a required extension
	extByURI map[string]*Schema // lower-cased URI -> extension
	// coreAttrs maps lower-cased names of core-schema and common attributes.
	coreAttrs map[string]*Attribute
	// unqualified maps lower-cased names of extension attributes (the first
	// extension wins) for clients that send them without their URI.
	unqualified map[string]extAttr
	// hiddenKeys are the JSON keys (quoted) of the attributes a default
	// projection removes or filters, in any container.
	hiddenKeys [][]byte
}

type extAttr struct {
	schema *Schema
	attr   *Attribute
}

func newView(core *Schema, exts []*Schema, required []bool) *rtView {
	v := &rtView{
		core:        core,
		exts:        exts,
		required:    required,
		extByURI:    make(map[string]*Schema, len(exts)),
		coreAttrs:   make(map[string]*Attribute, len(core.Attributes)+len(commonAttributes)),
		unqualified: make(map[string]extAttr),
	}
	for _, a := range commonAttributes {
		v.coreAttrs[asciiLower(a.Name)] = a
	}
	for _, a := range core.Attributes {
		v.coreAttrs[asciiLower(a.Name)] = a
	}
	for _, s := range exts {
		v.extByURI[asciiLower(s.ID)] = s
		for _, a := range s.Attributes {
			k := asciiLower(a.Name)
			if _, dup := v.unqualified[k]; !dup {
				v.unqualified[k] = extAttr{s, a}
			}
		}
	}
	for _, ix := range append([]*schemaIndex{commonIndex, core.index}, extIndexes(exts)...) {
		for _, a := range ix.hidden {
			v.hiddenKeys = append(v.hiddenKeys, []byte(strconv.Quote(a.Name)))
		}
	}
	return v
}

func extIndexes(exts []*Schema) []*schemaIndex {
	out := make([]*schemaIndex, len(exts))
	for i, s := range exts {
		out[i] = s.index
	}
	return out
}

// CoreSchema returns the resource type's base schema, nil if the resource
// type is not registered.
func (rt *ResourceType) CoreSchema() *Schema {
	if v := rt.view.Load(); v != nil {
		return v.core
	}
	return nil
}

// HasMembers reports whether resources of rt have a "members" attribute in
// their core schema (groups, RFC 7643 §4.2), which backends keep apart from
// the document.
func (rt *ResourceType) HasMembers() bool {
	core := rt.CoreSchema()
	return core != nil && core.Attribute("members") != nil
}

// Extensions returns the resource type's extension schemas in declaration
// order. The slice must not be modified.
func (rt *ResourceType) Extensions() []*Schema {
	if v := rt.view.Load(); v != nil {
		return v.exts
	}
	return nil
}

// Extension returns the resource type's extension schema with the given
// URI, case-insensitively.
func (rt *ResourceType) Extension(uri string) (*Schema, bool) {
	v := rt.view.Load()
	if v == nil {
		return nil, false
	}
	s := lookupFold(v.extByURI, uri)
	return s, s != nil
}

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

// Readable returns an error if r names an attribute or sub-attribute that
// is never returned (RFC 7643 §7), such as a User's password (RFC 7643
// §4.1.1). A filter (RFC 7644 §3.4.2.2) or sortBy (§3.4.2.3) on it would
// disclose its value one comparison at a time, so both must refuse it.
func (r Resolved) Readable() error {
	if r.Attr.Returned == ReturnedNever || (r.Sub != nil && r.Sub.Returned == ReturnedNever) {
		return fmt.Errorf("attribute %q is never returned, so it cannot be filtered or sorted on", r.Path.String())
	}
	return nil
}

// Resolve finds the attribute p names, case-insensitively. A path without URI
// is looked up in the core schema first, then in the extensions (leniency
// for clients that send unqualified extension attributes). Common attributes
// (RFC 7643 §3.1: id, externalId, meta, and "schemas") resolve to the core
// schema's URI although the served core schema does not list them.
func (rt *ResourceType) Resolve(p AttrPath) (Resolved, error) {
	v := rt.view.Load()
	if v == nil {
		return Resolved{}, fmt.Errorf("resource type %q is not registered", rt.Name)
	}
	return resolveIn(v, p)
}

func resolveIn(v *rtView, p AttrPath) (Resolved, error) {
	var schema *Schema
	var attr *Attribute
	switch {
	case p.URI == "":
		if attr = lookupFold(v.coreAttrs, p.Name); attr != nil {
			schema = v.core
		} else if e := lookupFold(v.unqualified, p.Name); e.attr != nil {
			schema, attr = e.schema, e.attr
		}
	case strings.EqualFold(p.URI, v.core.ID):
		schema, attr = v.core, lookupFold(v.coreAttrs, p.Name)
	default:
		schema = lookupFold(v.extByURI, p.URI)
		if schema == nil {
			return Resolved{}, fmt.Errorf("unknown schema %q", p.URI)
		}
		attr = schema.Attribute(p.Name)
	}
	if attr == nil {
		return Resolved{}, fmt.Errorf("unknown attribute %q", p.String())
	}
	r := Resolved{Path: AttrPath{URI: schema.ID, Name: attr.Name}, Attr: attr, Extension: schema != v.core}
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

// NewRegistry returns an empty registry. [NewStandardRegistry] returns one
// with the RFC 7643 User, EnterpriseUser and Group schemas.
func NewRegistry() *Registry { return &Registry{} }

// AddSchema registers a schema, e.g. a custom extension at run time. It
// checks the schema (RFC 7643 §2, §7: attribute names, types, characteristic
// values, no complex sub-attributes), fills in the RFC 7643 §2.2 defaults
// for characteristics left empty (type string, mutability readWrite,
// returned default, uniqueness none) and indexes it; s must not be modified
// afterwards. Registering an ID twice (case-insensitively) is an error.
func (r *Registry) AddSchema(s *Schema) error {
	if s.ID == "" {
		return fmt.Errorf("schema without id")
	}
	if err := prepareAttrs(s.Attributes, false); err != nil {
		return fmt.Errorf("schema %q: %w", s.ID, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.schemaLocked(s.ID) != nil {
		return fmt.Errorf("schema %q already registered", s.ID)
	}
	if s.index == nil {
		s.index = indexSchema(s.Attributes)
	}
	r.schemas = append(r.schemas, s)
	return nil
}

// AddResourceType registers a resource type whose schemas are already
// registered, links it to them and precomputes its lookup tables. Schema
// URIs in rt are rewritten to the registered spelling.
func (r *Registry) AddResourceType(rt *ResourceType) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	core := r.schemaLocked(rt.Schema)
	if core == nil {
		return fmt.Errorf("resource type %q: schema %q not registered", rt.Name, rt.Schema)
	}
	exts := make([]*Schema, 0, len(rt.SchemaExtensions))
	required := make([]bool, 0, len(rt.SchemaExtensions))
	for i, e := range rt.SchemaExtensions {
		s := r.schemaLocked(e.Schema)
		if s == nil {
			return fmt.Errorf("resource type %q: extension schema %q not registered", rt.Name, e.Schema)
		}
		if s == core || containsSchema(exts, s) {
			return fmt.Errorf("resource type %q: schema %q used twice", rt.Name, e.Schema)
		}
		rt.SchemaExtensions[i].Schema = s.ID
		exts = append(exts, s)
		required = append(required, e.Required)
	}
	for _, have := range r.resourceTypes {
		if strings.EqualFold(have.Name, rt.Name) {
			return fmt.Errorf("resource type %q already registered", rt.Name)
		}
	}
	if rt.ID == "" {
		rt.ID = rt.Name
	}
	rt.Schema = core.ID
	rt.view.Store(newView(core, exts, required))
	r.resourceTypes = append(r.resourceTypes, rt)
	return nil
}

func containsSchema(list []*Schema, s *Schema) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AddExtension adds an already registered extension schema to a registered
// resource type. Resolve, Normalize and Project see the new extension
// atomically.
func (r *Registry) AddExtension(resourceType, schemaID string, required bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.schemaLocked(schemaID)
	if s == nil {
		return fmt.Errorf("schema %q not registered", schemaID)
	}
	for _, rt := range r.resourceTypes {
		if !strings.EqualFold(rt.Name, resourceType) {
			continue
		}
		v := rt.view.Load()
		if s == v.core || containsSchema(v.exts, s) {
			return fmt.Errorf("resource type %q already uses schema %q", rt.Name, s.ID)
		}
		rt.SchemaExtensions = append(append([]SchemaExtension(nil), rt.SchemaExtensions...), SchemaExtension{Schema: s.ID, Required: required})
		exts := append(append([]*Schema(nil), v.exts...), s)
		req := append(append([]bool(nil), v.required...), required)
		rt.view.Store(newView(v.core, exts, req))
		return nil
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
