package mapping

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// TestDefaultMappingsRoundTrip: the engine's defaults survive JSON and
// compile back to exactly themselves.
func TestDefaultMappingsRoundTrip(t *testing.T) {
	b, err := json.Marshal(DefaultMappings())
	if err != nil {
		t.Fatal(err)
	}
	var m Mappings
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	users, groups, err := m.Compile()
	if err != nil {
		t.Fatalf("compile(defaults) = %v", err)
	}
	if want := provisioning.DefaultUserMapping(); !reflect.DeepEqual(users, want) {
		t.Errorf("users = %+v, want %+v", users, want)
	}
	if want := provisioning.DefaultGroupMapping(); !reflect.DeepEqual(groups, want) {
		t.Errorf("groups = %+v, want %+v", groups, want)
	}
	if got := m.MatchingTarget(); got != "userName" {
		t.Errorf("MatchingTarget() = %q, want userName", got)
	}
}

func TestParseExpression(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want provisioning.ValueSource
	}{
		{"attribute", "[mail]", provisioning.Direct{Attr: "mail"}},
		{"not", "Not([IsSoftDeleted])", provisioning.Not{Of: provisioning.Direct{Attr: "IsSoftDeleted"}}},
		{"nested not, spaces", " not(Not([accountEnabled])) ", provisioning.Not{Of: provisioning.Not{Of: provisioning.Direct{Attr: "accountEnabled"}}}},
		{"empty", "", nil},
		{"empty brackets", "[]", nil},
		{"unknown function", "Join(\",\", [a])", nil},
		{"unclosed", "Not([a]", nil},
	}
	for _, tc := range tests {
		got, err := parseExpression(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: parseExpression(%q) = %v, want an error", tc.name, tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: parseExpression(%q) = %v, %v, want %v", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestAttributeMappingCompile(t *testing.T) {
	tests := []struct {
		name    string
		in      AttributeMapping
		want    provisioning.AttributeMapping
		wantErr bool
	}{
		{"constant on create", AttributeMapping{Target: "title", Type: MappingConstant, Value: "Staff", Apply: ApplyOnCreate},
			provisioning.AttributeMapping{Target: "title", Source: provisioning.Constant{V: "Staff"}, Apply: provisioning.ApplyOnCreate}, false},
		{"none with default", AttributeMapping{Target: "locale", Type: MappingNone, Default: "en-US"},
			provisioning.AttributeMapping{Target: "locale", Default: "en-US"}, false},
		{"direct without source", AttributeMapping{Target: "title", Type: MappingDirect}, provisioning.AttributeMapping{}, true},
		{"constant without value", AttributeMapping{Target: "title", Type: MappingConstant}, provisioning.AttributeMapping{}, true},
		{"bad apply", AttributeMapping{Target: "title", Type: MappingDirect, Source: "jobTitle", Apply: "sometimes"}, provisioning.AttributeMapping{}, true},
	}
	for _, tc := range tests {
		got, err := tc.in.compile()
		if tc.wantErr {
			if err == nil {
				t.Errorf("%s: compile(%+v) = %+v, want an error", tc.name, tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: compile(%+v) = %+v, %v, want %+v", tc.name, tc.in, got, err, tc.want)
		}
	}
}
