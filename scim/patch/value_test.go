package patch

import (
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestEqualValue(t *testing.T) {
	exact := &scim.Attribute{Name: "id", Type: scim.TypeString, CaseExact: true}
	fold := &scim.Attribute{Name: "userName", Type: scim.TypeString}
	emails := resourceType(t, "User").CoreSchema().Attribute("emails")
	cases := []struct {
		name string
		attr *scim.Attribute
		a, b any
		want bool
	}{
		{"caseExact strings differ by case", exact, "Ab", "ab", false},
		{"caseExact strings equal", exact, "ab", "ab", true},
		{"case-insensitive strings", fold, "Ab", "aB", true},
		{"string and number", fold, "1", 1.0, false},
		{"numbers", nil, 1.0, 1.0, true},
		{"booleans", nil, true, false, false},
		{"nulls", nil, nil, nil, true},
		{"objects by sub-attribute case rules", emails, map[string]any{"value": "A@x", "type": "work"}, map[string]any{"value": "a@X", "type": "WORK"}, true},
		{"objects with different keys", emails, map[string]any{"value": "a@x"}, map[string]any{"value": "a@x", "type": "work"}, false},
		{"object and string", emails, map[string]any{"value": "a@x"}, "a@x", false},
		{"arrays", emails, []any{map[string]any{"value": "a@x"}}, []any{map[string]any{"value": "A@x"}}, true},
		{"arrays of different length", emails, []any{map[string]any{"value": "a@x"}}, []any{}, false},
		{"array and object", emails, []any{}, map[string]any{}, false},
		{"arrays in a different order", nil, []any{1.0, 2.0}, []any{2.0, 1.0}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := equalValue(tc.attr, tc.a, tc.b); got != tc.want {
				t.Errorf("equalValue(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestIdentifies(t *testing.T) {
	members := resourceType(t, "Group").CoreSchema().Attribute("members")
	emails := resourceType(t, "User").CoreSchema().Attribute("emails")
	cases := []struct {
		name       string
		attr       *scim.Attribute
		want, elem any
		match      bool
	}{
		{"same member id", members, map[string]any{"value": "u1"}, map[string]any{"value": "u1", "display": "U"}, true},
		{"other member id", members, map[string]any{"value": "u2"}, map[string]any{"value": "u1"}, false},
		{"member ids follow the schema (caseExact false in RFC 7643)", members, map[string]any{"value": "U1"}, map[string]any{"value": "u1"}, true},
		{"id given to a non-object element", members, map[string]any{"value": "u1"}, "u1", false},
		{"without value all given sub-attributes must match", emails, map[string]any{"type": "home"}, map[string]any{"value": "a@x", "type": "home"}, true},
		{"without value a differing sub-attribute does not match", emails, map[string]any{"type": "work"}, map[string]any{"value": "a@x", "type": "home"}, false},
		{"simple values", &scim.Attribute{Name: "tags", Type: scim.TypeString, MultiValued: true}, "x", "X", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := identifies(tc.attr, tc.want, tc.elem); got != tc.match {
				t.Errorf("identifies(%v, %v) = %v, want %v", tc.want, tc.elem, got, tc.match)
			}
		})
	}
}
