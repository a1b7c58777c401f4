package patch

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

var registry = scim.NewStandardRegistry()

func resourceType(t testing.TB, name string) *scim.ResourceType {
	t.Helper()
	rt, ok := registry.ResourceType(name)
	if !ok {
		t.Fatalf("resource type %q not registered", name)
	}
	return rt
}

// baseUser is a realistic Entra-provisioned user with the enterprise
// extension.
const baseUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  "meta": {"resourceType": "User", "created": "2026-01-02T03:04:05Z", "lastModified": "2026-01-02T03:04:05Z", "version": "W/\"1\""},
  "userName": "bjensen@example.com",
  "name": {"formatted": "Barbara Jensen", "familyName": "Jensen", "givenName": "Barbara"},
  "displayName": "Babs Jensen",
  "title": "Tour Guide",
  "active": true,
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}
  ],
  "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
  "addresses": [{"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984",
    "department": "Tour Operations",
    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d"}
  }
}`

const baseGroup = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
  "meta": {"resourceType": "Group", "created": "2026-01-02T03:04:05Z", "lastModified": "2026-01-02T03:04:05Z", "version": "W/\"1\""},
  "displayName": "Tour Guides",
  "members": [
    {"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
    {"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"}
  ]
}`

func decodeResource(t testing.TB, s string) scim.Resource {
	t.Helper()
	var r scim.Resource
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("decode resource: %v\n%s", err, s)
	}
	return r
}

func decodeOps(t testing.TB, s string) []scim.PatchOperation {
	t.Helper()
	var ops []scim.PatchOperation
	if err := json.Unmarshal([]byte(s), &ops); err != nil {
		t.Fatalf("decode operations: %v\n%s", err, s)
	}
	return ops
}

// jsonEqual compares two values by their JSON form.
func jsonEqual(t testing.TB, a, b any) bool {
	t.Helper()
	return reflect.DeepEqual(roundTrip(t, a), roundTrip(t, b))
}

func roundTrip(t testing.TB, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(raw)
}
