package scim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// decode parses a JSON object for a test.
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// encode renders a value as compact JSON with sorted keys.
func encode(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %v: %v", v, err)
	}
	return string(b)
}

// canonJSON re-encodes a JSON text so that it compares with encode's output.
func canonJSON(t testing.TB, s string) string {
	t.Helper()
	return encode(t, decode(t, s))
}

// wantError checks that err is an *Error with status 400, the given
// scimType and a detail containing detail.
func wantError(t testing.TB, call string, err error, scimType, detail string) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("%s error = %v, want *scim.Error %s containing %q", call, err, scimType, detail)
	}
	if se.Status != 400 || se.ScimType != scimType || !strings.Contains(se.Detail, detail) {
		t.Fatalf("%s error = %d %s %q, want 400 %s containing %q", call, se.Status, se.ScimType, se.Detail, scimType, detail)
	}
}

// testRegistry is the standard registry plus a custom extension on User
// covering every attribute type, and a Device type with a required extension.
func testRegistry(t testing.TB) *Registry {
	t.Helper()
	r := NewStandardRegistry()
	custom := &Schema{ID: customSchema, Name: "Custom", Attributes: []*Attribute{
		{Name: "level", Type: TypeInteger},
		{Name: "score", Type: TypeDecimal},
		{Name: "hired", Type: TypeDateTime},
		{Name: "badge", Type: TypeBinary},
		{Name: "badgeId", Mutability: Immutable},
		{Name: "tags", MultiValued: true},
		{Name: "secret", Returned: ReturnedRequest},
		{Name: "audit", Type: TypeComplex, SubAttributes: []*Attribute{
			{Name: "by", Required: true},
			{Name: "note", Returned: ReturnedNever},
			{Name: "ticket", Returned: ReturnedRequest},
		}},
	}}
	device := &Schema{ID: "urn:example:scim:schemas:Device", Name: "Device", Attributes: []*Attribute{
		{Name: "serial", Required: true, CaseExact: true},
	}}
	deviceExt := &Schema{ID: "urn:example:scim:schemas:DeviceOwner", Name: "DeviceOwner", Attributes: []*Attribute{
		{Name: "owner", Required: true},
	}}
	for _, s := range []*Schema{custom, device, deviceExt} {
		if err := r.AddSchema(s); err != nil {
			t.Fatalf("AddSchema(%s) = %v", s.ID, err)
		}
	}
	if err := r.AddExtension("User", customSchema, false); err != nil {
		t.Fatalf("AddExtension = %v", err)
	}
	err := r.AddResourceType(&ResourceType{Name: "Device", Endpoint: "/Devices", Schema: device.ID,
		SchemaExtensions: []SchemaExtension{{Schema: deviceExt.ID, Required: true}}})
	if err != nil {
		t.Fatalf("AddResourceType(Device) = %v", err)
	}
	return r
}

const customSchema = "urn:example:scim:schemas:extension:custom:2.0:User"

func resourceType(t testing.TB, r *Registry, name string) *ResourceType {
	t.Helper()
	rt, ok := r.ResourceType(name)
	if !ok {
		t.Fatalf("ResourceType(%q) not found", name)
	}
	return rt
}
