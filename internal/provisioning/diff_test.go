package provisioning

import (
	"testing"
)

func TestDiff(t *testing.T) {
	c := mustCompile(t, DefaultUserMapping())
	g := mustCompile(t, DefaultGroupMapping())
	x := mustCompile(t, ObjectMapping{Type: TypeUser, Endpoint: "Users", Attributes: []AttributeMapping{
		{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
		{Target: "title", Source: mustExpr(t, `Switch([department], "", "S", "Sales")`)},
		{Target: "roles", Source: mustExpr(t, "AppRoleAssignmentsComplex([appRoleAssignments])")},
	}})
	role := func(r string) map[string]any {
		return map[string]any{"primary": false, "type": roleType, "display": r, "value": r}
	}
	tests := []struct {
		name     string
		m        *compiledMapping
		old, new map[string]any
		want     string // JSON of the operations
	}{
		{"equal", c, map[string]any{"displayName": "A"}, map[string]any{"displayName": "A"}, `null`},
		{"replace", c, map[string]any{"displayName": "A"}, map[string]any{"displayName": "B"},
			`[{"op":"replace","path":"displayName","value":"B"}]`},
		{"add", c, map[string]any{}, map[string]any{"name.givenName": "B"},
			`[{"op":"add","path":"name.givenName","value":"B"}]`},
		{"remove a value that became null", c, map[string]any{"title": "Boss"}, map[string]any{},
			`[{"op":"remove","path":"title"}]`},
		{"null does not flow without clearWhenEmpty", x, map[string]any{"title": "Sales"}, map[string]any{}, `null`},
		{"first role", c, map[string]any{}, map[string]any{`roles[primary eq "True"].value`: "Admin"},
			`[{"op":"add","path":"roles","value":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]}]`},
		{"role changed", c, map[string]any{`roles[primary eq "True"].value`: "Admin"}, map[string]any{`roles[primary eq "True"].value`: "User"},
			`[{"op":"replace","path":"roles[primary eq true].value","value":"User"}]`},
		{"role taken away", c, map[string]any{`roles[primary eq "True"].value`: "Admin"}, map[string]any{},
			`[{"op":"remove","path":"roles[primary eq true].value"}]`},
		{"complex roles replaced whole", x, map[string]any{"roles": []any{map[string]any{"value": "A"}}},
			map[string]any{"roles": []map[string]any{role("B")}},
			`[{"op":"replace","path":"roles","value":[{"display":"B","primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"B"}]}]`},
		{"complex roles equal after a JSON round trip", x,
			map[string]any{"roles": []any{map[string]any{"display": "B", "primary": false, "type": roleType, "value": "B"}}},
			map[string]any{"roles": []map[string]any{role("B")}}, `null`},
		{"active is a real boolean", c, map[string]any{"active": false}, map[string]any{"active": true},
			`[{"op":"replace","path":"active","value":true}]`},
		{"string boolean from a target is equal", c, map[string]any{"active": "True"}, map[string]any{"active": true}, `null`},
		{"new element of a multi-valued attribute", c, map[string]any{},
			map[string]any{`addresses[type eq "work"].streetAddress`: "Main St", `addresses[type eq "work"].postalCode`: "8000"},
			`[{"op":"add","path":"addresses","value":[{"postalCode":"8000","streetAddress":"Main St","type":"work"}]}]`},
		{"existing element", c, map[string]any{`emails[type eq "work"].value`: "a@x"}, map[string]any{`emails[type eq "work"].value`: "b@x"},
			`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@x"}]`},
		{"sub-attribute of an existing element", c, map[string]any{`addresses[type eq "work"].postalCode`: "8000"},
			map[string]any{`addresses[type eq "work"].postalCode`: "8000", `addresses[type eq "work"].streetAddress`: "Main St"},
			`[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"Main St"}]`},
		{"manager reference", c, map[string]any{}, map[string]any{enterprise + "manager": "t2"},
			`[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"t2"}}]`},
		{"members added and removed", g, map[string]any{"members": []any{"a", "b"}}, map[string]any{"members": []string{"b", "c"}},
			`[{"op":"add","path":"members","value":[{"value":"c"}]},{"op":"remove","path":"members","value":[{"value":"a"}]}]`},
		{"last members removed", g, map[string]any{"members": []string{"a"}}, map[string]any{},
			`[{"op":"remove","path":"members","value":[{"value":"a"}]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, _ := tt.m.diff(tt.old, tt.new)
			if got := jsonString(t, ops); got != tt.want {
				t.Errorf("diff(%v, %v) = %s, want %s", tt.old, tt.new, got, tt.want)
			}
		})
	}
}

func TestTargetPathGet(t *testing.T) {
	res := map[string]any{
		"userName": "bjensen",
		"name":     map[string]any{"givenName": "Barbara"},
		"Emails":   []any{map[string]any{"type": "Work", "value": "b@x"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"manager": map[string]any{"value": "m1"}},
		"members": []any{map[string]any{"value": "z"}, map[string]any{"value": "a"}},
	}
	tests := []struct {
		path string
		ref  bool
		want string
	}{
		{"userName", false, `"bjensen"`},
		{"name.givenName", false, `"Barbara"`},
		{"name.familyName", false, `null`},
		{`emails[type eq "work"].value`, false, `"b@x"`},
		{`emails[type eq "home"].value`, false, `null`},
		{enterprise + "manager", true, `"m1"`},
		{"members", true, `["a","z"]`},
	}
	for _, tt := range tests {
		tp, err := parseTarget(tt.path)
		if err != nil {
			t.Fatalf("parseTarget(%q): %v", tt.path, err)
		}
		v, _ := tp.get(res, tt.ref)
		if got := jsonString(t, v); got != tt.want {
			t.Errorf("get(%q) = %s, want %s", tt.path, got, tt.want)
		}
	}
}

func TestDiffRedactsLogs(t *testing.T) {
	c := mustCompile(t, ObjectMapping{Type: TypeUser, Endpoint: "Users", Attributes: []AttributeMapping{
		{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
		{Target: "externalId", Source: mustExpr(t, "Redact([employeeId])")},
	}})
	_, mods := c.diff(map[string]any{"externalId": "s3cret-1"}, map[string]any{"externalId": "s3cret-2"})
	if len(mods) != 1 || mods[0].Old != "[Redact]" || mods[0].New != "[Redact]" {
		t.Errorf("diff() modified = %+v, want [Redact] → [Redact]", mods)
	}
}

func TestKeptCarriesUnclearedValues(t *testing.T) {
	c := mustCompile(t, ObjectMapping{Type: TypeUser, Endpoint: "Users", Attributes: []AttributeMapping{
		{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
		{Target: "title", Source: Direct{"jobTitle"}},
		{Target: "displayName", Source: Direct{"displayName"}, ClearWhenEmpty: true},
	}})
	old := map[string]any{"userName": "a", "title": "Boss", "displayName": "A"}
	got := jsonString(t, c.kept(old, map[string]any{"userName": "a"}))
	if want := `{"title":"Boss","userName":"a"}`; got != want {
		t.Errorf("kept() = %s, want %s", got, want)
	}
}

func TestEqFilter(t *testing.T) {
	tests := []struct{ path, want string }{
		{"userName", `userName eq "john@x"`},
		{`emails[type eq "work"].value`, `emails[type eq "work" and value eq "john@x"]`},
		{`roles[primary eq "True"].value`, `roles[primary eq true and value eq "john@x"]`},
	}
	for _, tt := range tests {
		p, err := parseTarget(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.eqFilter("john@x"); got != tt.want {
			t.Errorf("eqFilter(%s) = %s, want %s", tt.path, got, tt.want)
		}
	}
}
