package mapping

import (
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

const ent = scim.EnterpriseUserSchema + ":"

// strict declares RFC 7643's User (without the enterprise extension) and
// Group, each with a few attributes.
var strict = &TargetSchema{Declared: true, ResourceTypesDeclared: true,
	Schemas: []*scim.Schema{
		{ID: scim.UserSchema, Attributes: []*scim.Attribute{
			{Name: "userName"}, {Name: "active"}, {Name: "name", SubAttributes: []*scim.Attribute{{Name: "givenName"}}},
			{Name: "emails", MultiValued: true, SubAttributes: []*scim.Attribute{{Name: "value"}, {Name: "type"}}},
		}},
		{ID: scim.GroupSchema, Attributes: []*scim.Attribute{{Name: "displayName"}}},
		{ID: scim.EnterpriseUserSchema, Attributes: []*scim.Attribute{{Name: "department"}}},
	},
	ResourceTypes: []*scim.ResourceType{
		{Name: "User", Endpoint: "/Users", Schema: scim.UserSchema},
		{Name: "Group", Endpoint: "/Groups", Schema: scim.GroupSchema},
	}}

func TestUndeclared(t *testing.T) {
	tests := []struct {
		name   string
		s      *TargetSchema
		typ    provisioning.ObjectType
		target string
		want   string // substring of the reason; "" declared
	}{
		{"core attribute", strict, provisioning.TypeUser, "userName", ""},
		{"core attribute other case", strict, provisioning.TypeUser, "USERNAME", ""},
		{"common attribute", strict, provisioning.TypeUser, "externalId", ""},
		{"sub-attribute", strict, provisioning.TypeUser, "name.givenName", ""},
		{"filtered sub-attribute", strict, provisioning.TypeUser, `emails[type eq "work"].value`, ""},
		{"core attribute by URI", strict, provisioning.TypeUser, scim.UserSchema + ":userName", ""},
		{"unknown attribute", strict, provisioning.TypeUser, "title", `has no attribute "title"`},
		{"unknown sub-attribute", strict, provisioning.TypeUser, "name.middleName", `no sub-attribute "middleName"`},
		{"extension not on the resource type", strict, provisioning.TypeUser, ent + "department", "does not declare the enterprise extension"},
		{"group attribute", strict, provisioning.TypeGroup, "displayName", ""},
		{"user attribute on groups", strict, provisioning.TypeGroup, "userName", `has no attribute "userName"`},
		{"nothing known", nil, provisioning.TypeUser, "title", ""},
		{"404", &TargetSchema{}, provisioning.TypeUser, "title", ""},
		{"no resource types: extension in /Schemas", &TargetSchema{Declared: true, Schemas: strict.Schemas}, provisioning.TypeUser, ent + "department", ""},
		{"no resource types: extension not in /Schemas", &TargetSchema{Declared: true, Schemas: strict.Schemas[:2]}, provisioning.TypeUser, ent + "department", "does not declare the enterprise extension"},
		{"core schema not described", &TargetSchema{Declared: true, Schemas: strict.Schemas[1:2]}, provisioning.TypeUser, "title", ""},
		{"unparsable target left to the engine", strict, provisioning.TypeUser, "emails[", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := "Users"
			if tc.typ == provisioning.TypeGroup {
				ep = "Groups"
			}
			got := tc.s.Undeclared(tc.typ, ep, tc.target)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("Undeclared(%s, %q) = %q, want %q", tc.typ, tc.target, got, tc.want)
			}
		})
	}
}

func TestFitLeavesOutUndeclaredDefaults(t *testing.T) {
	m := DefaultMappings()
	changed := AttributeMapping{Target: "title", Type: MappingConstant, Value: "x"}
	m.Users.Set(changed) // an administrator's mapping stays, for CheckTargets to report
	fitted := m.Fit(strict)
	var kept []string
	for _, a := range fitted.Users.Attributes {
		kept = append(kept, a.Target)
	}
	got := strings.Join(kept, ",")
	for _, want := range []string{"userName", "active", "name.givenName", "title"} {
		if !strings.Contains(got, want) {
			t.Errorf("Fit(strict) users = %s, want %s kept", got, want)
		}
	}
	if strings.Contains(got, "enterprise") || strings.Contains(got, "familyName") {
		t.Errorf("Fit(strict) users = %s, want no enterprise attribute nor name.familyName", got)
	}
	if err := fitted.CheckTargets(strict); err == nil || !strings.Contains(err.Error(), `"title"`) {
		t.Errorf("CheckTargets(fitted) = %v, want the administrator's title mapping reported", err)
	}
	if n := len(DefaultMappings().Fit(nil).Users.Attributes); n != len(DefaultMappings().Users.Attributes) {
		t.Errorf("Fit(nil) = %d user mappings, want all defaults", n)
	}
}

func TestCheckSources(t *testing.T) {
	tests := []struct {
		name string
		typ  provisioning.ObjectType
		a    AttributeMapping
		f    scoping.Filters
		want []string // substrings; none: valid
	}{
		{"catalog attribute other case", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingDirect, Source: "GIVENNAME"}, nil, nil},
		{"extension attribute", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingDirect, Source: "extension_costCenter"}, nil, nil},
		{"pseudo-attributes", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingExpression, Expression: "IIF([IsSoftDeleted], \"\", SingleAppRoleAssignment([appRoleAssignments]))"}, nil, nil},
		{"unknown direct", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingDirect, Source: "shoeSize"}, nil, []string{`"shoeSize"`}},
		{"unknown in a nested expression", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingExpression, Expression: `Join(" ", [givenName], ToLower([nick]))`}, nil, []string{`"nick"`}},
		{"unparsable expression left to Compile", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingExpression, Expression: `Join(" ", [givenName]`}, nil, nil},
		{"user attribute on a group", provisioning.TypeGroup, AttributeMapping{Target: "x", Type: MappingDirect, Source: "surname"}, nil, []string{`"surname"`}},
		{"scoping attribute", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingDirect, Source: "mail"},
			scoping.Filters{{Clauses: []scoping.Clause{{Attribute: "shoe", Operator: scoping.Equals, Value: "1"}}}}, []string{"scoping filter 1 clause 1", `"shoe"`}},
		{"every problem at once", provisioning.TypeUser, AttributeMapping{Target: "x", Type: MappingExpression, Expression: "Join([a], [b])"}, nil, []string{`"a"`, `"b"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Mappings
			tm, _ := m.Of(tc.typ)
			tm.Attributes, tm.Scoping = []AttributeMapping{tc.a}, tc.f
			err := m.CheckSources()
			if len(tc.want) == 0 && err != nil {
				t.Errorf("CheckSources(%+v) = %v, want nil", tc.a, err)
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("CheckSources(%+v) = %v, want it to say %s", tc.a, err, w)
				}
			}
		})
	}
}

func TestSetAndRemove(t *testing.T) {
	var tm TypeMapping
	if tm.Set(AttributeMapping{Target: "nickName", Type: MappingDirect, Source: "mail"}) {
		t.Errorf("Set(nickName) on none = replaced, want added")
	}
	if !tm.Set(AttributeMapping{Target: "NICKNAME", Type: MappingConstant, Value: "x"}) || len(tm.Attributes) != 1 || tm.Attributes[0].Type != MappingConstant {
		t.Errorf("Set(NICKNAME) = %+v, want nickName replaced in place", tm.Attributes)
	}
	if !tm.Remove("nickname") || len(tm.Attributes) != 0 || tm.Remove("nickname") {
		t.Errorf("Remove(nickname) twice = %+v, want removed once", tm.Attributes)
	}
}

// TestCheckReportsABrokenExpressionOnce: the position of a syntax error is
// reported once, by the compiler, and nothing else complains of it.
func TestCheckReportsABrokenExpressionOnce(t *testing.T) {
	m := DefaultMappings()
	m.Users.Attributes = append(m.Users.Attributes, AttributeMapping{Target: "nickName", Type: MappingExpression, Expression: `Left([givenName], 3`})
	err := m.Check(nil)
	if err == nil {
		t.Fatal("Check(broken expression) = nil, want the syntax error")
	}
	msg := err.Error()
	if n := strings.Count(msg, "missing )"); n != 1 || !strings.Contains(msg, "at 19") || strings.Contains(msg, "empty") {
		t.Errorf("Check(broken expression) = %q, want the syntax error at 19 exactly once and nothing else", msg)
	}
}
