package mapping

import (
	"encoding/json"
	"reflect"
	"strings"
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

func TestExpressionMapping(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		wantErr string // "" for none
	}{
		{"not", "Not([IsSoftDeleted])", ""},
		{"join", `Join("@", [givenName], "example.com")`, ""},
		{"switch", `Switch([department], "Other", "S", "Sales", "M", "Marketing")`, ""},
		{"empty", "", "expression"},
		{"unknown function at its position", `Join(",", Jion([a]))`, `"title": expression: at 10: unknown function`},
		{"unclosed", "Not([a]", `"title": expression: at `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := TypeMapping{Endpoint: "Users", Attributes: []AttributeMapping{
				{Target: "userName", Type: MappingDirect, Source: "userPrincipalName", Match: 1},
				{Target: "title", Type: MappingExpression, Expression: tc.expr}}}
			om, err := tm.compile(provisioning.TypeUser)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("compile(%q) error = %v, want one containing %q", tc.expr, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("compile(%q) error = %v", tc.expr, err)
			}
			back, err := typeMappingOf(om)
			if err != nil || back.Attributes[1].Expression != tc.expr || back.Attributes[1].Type != MappingExpression {
				t.Errorf("typeMappingOf(compile(%q)) = %+v, %v; want the expression back", tc.expr, back.Attributes[1], err)
			}
		})
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
