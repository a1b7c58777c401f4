package backend_test

import (
	"slices"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

func TestSortKey(t *testing.T) {
	reg := scim.NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	docs := map[string]scim.Resource{
		"a": {"userName": "Bob", "externalId": "b", "title": "x", "emails": []any{
			map[string]any{"value": "z@x"}, map[string]any{"value": "a@x", "primary": true},
		}, "meta": map[string]any{"created": "2024-01-01T10:00:00+02:00"}},
		"b": {"userName": "alice", "externalId": "B", "active": true, "emails": []any{map[string]any{"value": "m@x"}},
			"meta": map[string]any{"created": "2024-01-01T09:00:00Z"}},
		"c": {"userName": "carol", "active": false},
	}
	tests := []struct {
		name   string
		sortBy string
		desc   bool
		want   []string
	}{
		{"caseInsensitive", "userName", false, []string{"b", "a", "c"}},
		{"descending", "userName", true, []string{"c", "a", "b"}},
		{"caseExact", "externalId", false, []string{"b", "a", "c"}},
		{"missingLastAscending", "title", false, []string{"a", "b", "c"}},
		{"missingLastDescending", "title", true, []string{"a", "b", "c"}},
		{"booleansFalseFirst", "active", false, []string{"c", "b", "a"}},
		{"primaryElement", "emails", false, []string{"a", "b", "c"}},
		{"primaryElementSub", "emails.value", true, []string{"b", "a", "c"}},
		{"dateTimeByInstant", "meta.created", false, []string{"a", "b", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, err := scim.ParseAttrPath(tc.sortBy)
			if err != nil {
				t.Fatalf("ParseAttrPath(%q) = %v", tc.sortBy, err)
			}
			k, err := backend.NewSortKey(users, path, tc.desc)
			if err != nil {
				t.Fatalf("NewSortKey(%q) = %v", tc.sortBy, err)
			}
			got := []string{"a", "b", "c"}
			slices.SortStableFunc(got, func(x, y string) int { return k.Compare(k.Value(docs[x]), k.Value(docs[y])) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("sort by %s (descending %v) = %v, want %v", tc.sortBy, tc.desc, got, tc.want)
			}
		})
	}
}

func TestNewSortKeyRejects(t *testing.T) {
	reg := scim.NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	for _, name := range []string{"nope", "password"} {
		_, err := backend.NewSortKey(users, scim.AttrPath{Name: name}, false)
		if se, ok := err.(*scim.Error); !ok || se.Status != 400 || se.ScimType != scim.ScimTypeInvalidValue {
			t.Errorf("NewSortKey(%s) = %v, want 400 invalidValue", name, err)
		}
	}
}
