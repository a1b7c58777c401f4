package scim

import "fmt"

// commonAttributes are the attributes every resource has (RFC 7643 §3.1),
// plus "schemas" (RFC 7643 §3). They resolve through every resource type but
// are not listed in served schemas.
var commonAttributes = []*Attribute{
	{Name: "schemas", Type: TypeReference, MultiValued: true, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, ReferenceTypes: []string{"uri"},
		Description: "The schema URIs the resource is built from."},
	{Name: "id", CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: UniquenessServer,
		Description: "A unique identifier for a SCIM resource as defined by the service provider."},
	{Name: "externalId", CaseExact: true,
		Description: "A String that is an identifier for the resource as defined by the provisioning client."},
	{Name: "meta", Type: TypeComplex, Mutability: ReadOnly,
		Description: "A complex attribute containing resource metadata.",
		SubAttributes: []*Attribute{
			{Name: "resourceType", CaseExact: true, Mutability: ReadOnly, Description: "The name of the resource type of the resource."},
			{Name: "created", Type: TypeDateTime, Mutability: ReadOnly, Description: "The DateTime that the resource was added to the service provider."},
			{Name: "lastModified", Type: TypeDateTime, Mutability: ReadOnly, Description: "The most recent DateTime that the details of this resource were updated at the service provider."},
			{Name: "location", Type: TypeReference, CaseExact: true, Mutability: ReadOnly, ReferenceTypes: []string{"uri"}, Description: "The URI of the resource being returned."},
			{Name: "version", CaseExact: true, Mutability: ReadOnly, Description: "The version of the resource being returned."},
		}},
}

// commonIndex indexes commonAttributes.
var commonIndex = func() *schemaIndex {
	if err := prepareAttrs(commonAttributes, false); err != nil {
		panic(err) // static data above
	}
	return indexSchema(commonAttributes)
}()

// prepareAttrs checks attribute definitions (RFC 7643 §2.1-§2.3, §7),
// fills in the §2.2 defaults and indexes sub-attributes. Definitions that
// are already indexed (shared between schemas) are left untouched.
func prepareAttrs(attrs []*Attribute, sub bool) error {
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if a == nil {
			return fmt.Errorf("nil attribute")
		}
		if !validAttrName(a.Name) {
			return fmt.Errorf("invalid attribute name %q", a.Name)
		}
		k := asciiLower(a.Name)
		if seen[k] {
			return fmt.Errorf("attribute %q defined twice", a.Name)
		}
		seen[k] = true
		if a.subIndex != nil {
			continue
		}
		if err := prepareAttr(a, sub); err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
	}
	return nil
}

func prepareAttr(a *Attribute, sub bool) error {
	setDefault(&a.Type, TypeString)
	setDefault(&a.Mutability, ReadWrite)
	setDefault(&a.Returned, ReturnedDefault)
	setDefault(&a.Uniqueness, UniquenessNone)
	if err := checkOneOf("type", a.Type, TypeString, TypeBoolean, TypeDecimal, TypeInteger, TypeDateTime, TypeBinary, TypeReference, TypeComplex); err != nil {
		return err
	}
	if err := checkOneOf("mutability", a.Mutability, ReadOnly, ReadWrite, Immutable, WriteOnly); err != nil {
		return err
	}
	if err := checkOneOf("returned", a.Returned, ReturnedAlways, ReturnedNever, ReturnedDefault, ReturnedRequest); err != nil {
		return err
	}
	if err := checkOneOf("uniqueness", a.Uniqueness, UniquenessNone, UniquenessServer, UniquenessGlobal); err != nil {
		return err
	}
	switch {
	case a.Type != TypeComplex && len(a.SubAttributes) > 0:
		return fmt.Errorf("type %s cannot have sub-attributes", a.Type)
	case a.Type == TypeComplex && sub:
		return fmt.Errorf("a sub-attribute cannot be complex (RFC 7643 §2.3.8)")
	case a.Type == TypeComplex && len(a.SubAttributes) == 0:
		return fmt.Errorf("complex attribute without sub-attributes")
	}
	if a.Type != TypeComplex {
		return nil
	}
	if err := prepareAttrs(a.SubAttributes, true); err != nil {
		return err
	}
	a.subIndex = make(map[string]*Attribute, len(a.SubAttributes))
	for _, s := range a.SubAttributes {
		a.subIndex[asciiLower(s.Name)] = s
		if s.Returned == ReturnedNever || s.Returned == ReturnedRequest {
			a.hiddenSubs = true
		}
	}
	return nil
}

func setDefault(field *string, def string) {
	if *field == "" {
		*field = def
	}
}

func checkOneOf(what, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("invalid %s %q", what, v)
}

// schemaIndex is what the registry precomputes for a schema.
type schemaIndex struct {
	byName map[string]*Attribute // lower-cased name -> attribute
	// hidden lists the attributes a default projection removes or filters:
	// returned "never" or "request", or with such sub-attributes.
	hidden []*Attribute
	always []*Attribute // attributes returned "always"
	// required lists the required attributes a client must send (RFC 7643
	// §2.2: readOnly ones are the service provider's business).
	required []*Attribute
	// requiredSubs lists the complex attributes with required sub-attributes.
	requiredSubs []*Attribute
}

// indexSchema builds the lookup tables of a prepared schema.
func indexSchema(attrs []*Attribute) *schemaIndex {
	ix := &schemaIndex{byName: make(map[string]*Attribute, len(attrs))}
	for _, a := range attrs {
		ix.byName[asciiLower(a.Name)] = a
		if a.Returned == ReturnedNever || a.Returned == ReturnedRequest || a.hiddenSubs {
			ix.hidden = append(ix.hidden, a)
		}
		if a.Returned == ReturnedAlways {
			ix.always = append(ix.always, a)
		}
		if a.Required && a.Mutability != ReadOnly {
			ix.required = append(ix.required, a)
		}
		for _, sub := range a.SubAttributes {
			if sub.Required && sub.Mutability != ReadOnly {
				ix.requiredSubs = append(ix.requiredSubs, a)
				break
			}
		}
	}
	return ix
}
