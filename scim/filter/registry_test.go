package filter

import (
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

const testURI = "urn:example:params:scim:schemas:extension:test:2.0:User"

// testRegistry is the standard registry (RFC 7643 §8.7.1 schemas) plus a
// test extension on User with numeric, multi-valued string and binary
// attributes, which the standard schemas lack, and attributes that are
// never returned (pin; keys.secret; vault's "value").
func testRegistry(t testing.TB) *scim.Registry {
	t.Helper()
	r := scim.NewStandardRegistry()
	ext := &scim.Schema{ID: testURI, Name: "Test", Attributes: []*scim.Attribute{
		{Name: "loginCount", Type: scim.TypeInteger},
		{Name: "score", Type: scim.TypeDecimal},
		{Name: "tags", Type: scim.TypeString, MultiValued: true},
		{Name: "badge", Type: scim.TypeBinary},
		{Name: "pin", Returned: scim.ReturnedNever},
		{Name: "keys", Type: scim.TypeComplex, MultiValued: true, SubAttributes: []*scim.Attribute{
			{Name: "type"}, {Name: "secret", Returned: scim.ReturnedNever},
		}},
		{Name: "vault", Type: scim.TypeComplex, SubAttributes: []*scim.Attribute{
			{Name: "value", Returned: scim.ReturnedNever}, {Name: "display"},
		}},
	}}
	if err := r.AddSchema(ext); err != nil {
		t.Fatal(err)
	}
	if err := r.AddExtension("User", testURI, false); err != nil {
		t.Fatal(err)
	}
	return r
}

func resourceType(t testing.TB, name string) *scim.ResourceType {
	t.Helper()
	rt, ok := testRegistry(t).ResourceType(name)
	if !ok {
		t.Fatalf("resource type %s not registered", name)
	}
	return rt
}

// bjensen is RFC 7643 §8.2's full user, in canonical spelling, with values
// for the test extension.
func bjensen() scim.Resource {
	return scim.Resource{
		"schemas":    []any{scim.UserSchema, scim.EnterpriseUserSchema, testURI},
		"id":         "2819c223-7f76-453a-919d-413861904646",
		"externalId": "701984",
		"userName":   "bjensen@example.com",
		"name": map[string]any{
			"formatted":  "Ms. Barbara J Jensen, III",
			"familyName": "Jensen",
			"givenName":  "Barbara",
		},
		"displayName": "Babs Jensen",
		"userType":    "Employee",
		"title":       "",
		"active":      true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"phoneNumbers": []any{},
		"addresses": []any{
			map[string]any{"type": "work", "postalCode": "91608", "region": "CA", "primary": true},
		},
		"meta": map[string]any{
			"resourceType": "User",
			"created":      "2010-01-23T04:56:22Z",
			"lastModified": "2011-05-13T04:42:34.123456789-07:00",
			"location":     "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
		},
		enterpriseURI: map[string]any{
			"employeeNumber": "701984",
			"department":     "Tour Operations",
			"manager":        map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"},
		},
		testURI: map[string]any{
			"loginCount": 42.0,
			"score":      0.75,
			"tags":       []any{"alpha", "Beta"},
		},
	}
}
