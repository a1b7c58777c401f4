package provisioning

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/scim"
)

func mustCompile(t *testing.T, m ObjectMapping) *compiledMapping {
	t.Helper()
	c, err := compileMapping(m)
	if err != nil {
		t.Fatalf("compileMapping: %v", err)
	}
	return c
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noRefs(string) (string, bool) { return "", false }

func TestDefaultUserMappingCreate(t *testing.T) {
	c := mustCompile(t, DefaultUserMapping())
	u := &directory.User{ObjectID: "o1", UserPrincipalName: "bjensen@example.com", Mail: "bjensen@example.com",
		MailNickname: "bjensen", DisplayName: "Barbara Jensen", GivenName: "Barbara", Surname: "Jensen",
		Department: "Sales", PostalCode: "8000", StreetAddress: "Main St 1", Manager: "o2", AccountEnabled: true}
	m, err := c.evaluate(&Object{Type: TypeUser, User: u}, func(id string) (string, bool) { return "t-" + id, id == "o2" })
	if err != nil {
		t.Fatal(err)
	}
	want := `{"active":true,"addresses":[{"postalCode":"8000","streetAddress":"Main St 1","type":"work"}],` +
		`"displayName":"Barbara Jensen","emails":[{"type":"work","value":"bjensen@example.com"}],"externalId":"bjensen",` +
		`"name":{"familyName":"Jensen","givenName":"Barbara"},` +
		`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"t-o2"}},` +
		`"userName":"bjensen@example.com"}`
	if got := jsonString(t, m.create); got != want {
		t.Errorf("create resource =\n%s\nwant\n%s", got, want)
	}
	if m.unresolved {
		t.Errorf("unresolved = true with a linked manager")
	}
	if len(m.match) != 1 || m.match[0].value != "bjensen@example.com" {
		t.Errorf("match values = %+v, want userName bjensen@example.com", m.match)
	}
}

func TestMappingTypes(t *testing.T) {
	user := &directory.User{ObjectID: "o1", UserPrincipalName: "a@x", Department: "", JobTitle: "Chief", Manager: "o9"}
	tests := []struct {
		name       string
		mapping    AttributeMapping
		wantCreate string // JSON of the created resource without schemas and userName
		wantValue  string // JSON of the update values without userName
		unresolved bool
	}{
		{"direct", AttributeMapping{Target: "title", Source: Direct{"jobTitle"}}, `{"title":"Chief"}`, `{"title":"Chief"}`, false},
		{"direct null is not provisioned", AttributeMapping{Target: "title", Source: Direct{"department"}}, `{}`, `{}`, false},
		{"constant", AttributeMapping{Target: "title", Source: Constant{"Staff"}}, `{"title":"Staff"}`, `{"title":"Staff"}`, false},
		{"none with default", AttributeMapping{Target: "title", Default: "Unknown"}, `{"title":"Unknown"}`, `{}`, false},
		{"default if null only on create", AttributeMapping{Target: "title", Source: Direct{"department"}, Default: "None"}, `{"title":"None"}`, `{}`, false},
		{"apply only on create", AttributeMapping{Target: "title", Source: Direct{"jobTitle"}, Apply: ApplyOnCreate}, `{"title":"Chief"}`, `{}`, false},
		{"unresolved reference is left out", AttributeMapping{Target: enterprise + "manager", Source: Direct{"manager"}, Reference: true}, `{}`, `{}`, true},
		{"extension attribute", AttributeMapping{Target: "urn:example:ext:1.0:User:costCenter", Source: Constant{"42"}},
			`{"urn:example:ext:1.0:User":{"costCenter":"42"}}`, `{"urn:example:ext:1.0:User:costCenter":"42"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, ObjectMapping{Type: TypeUser, Endpoint: "Users", Schemas: []string{scim.UserSchema},
				Attributes: []AttributeMapping{{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1}, tt.mapping}})
			m, err := c.evaluate(&Object{Type: TypeUser, User: user}, noRefs)
			if err != nil {
				t.Fatal(err)
			}
			delete(m.create, "schemas")
			delete(m.create, "userName")
			delete(m.values, "userName")
			if got := jsonString(t, m.create); got != tt.wantCreate {
				t.Errorf("create = %s, want %s", got, tt.wantCreate)
			}
			if got := jsonString(t, m.values); got != tt.wantValue {
				t.Errorf("values = %s, want %s", got, tt.wantValue)
			}
			if m.unresolved != tt.unresolved {
				t.Errorf("unresolved = %v, want %v", m.unresolved, tt.unresolved)
			}
		})
	}
}

func mustExpr(t *testing.T, src string) Expression {
	t.Helper()
	e, err := ParseExpression(src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExpressionValue(t *testing.T) {
	u := &directory.User{GivenName: "Zoë", Surname: "Ærø", Department: "Sales",
		Extensions: map[string]string{"extension_app_costCenter": "42"}}
	tests := []struct {
		name string
		src  string
		obj  *Object
		want any // nil: null
	}{
		{"not of IsSoftDeleted", "Not([IsSoftDeleted])", &Object{Type: TypeUser, User: u, SoftDeleted: true}, false},
		{"pseudo-attribute any case", "Not([issoftdeleted])", &Object{Type: TypeUser, User: u}, true},
		{"join", `Join(".", NormalizeDiacritics([givenName]), NormalizeDiacritics([surname]))`, &Object{Type: TypeUser, User: u}, "Zoe.AEroe"},
		{"extension any case", "[EXTENSION_APP_COSTCENTER]", &Object{Type: TypeUser, User: u}, "42"},
		{"no roles is null", "SingleAppRoleAssignment([appRoleAssignments])", &Object{Type: TypeUser, User: u}, nil},
		{"first role", "SingleAppRoleAssignment([appRoleAssignments])", &Object{Type: TypeUser, User: u, Roles: []string{"Admin", "User"}}, "Admin"},
		{"roles count", "Count([AppRoleAssignments])", &Object{Type: TypeUser, User: u, Roles: []string{"Admin", "User"}}, int64(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok, err := mustExpr(t, tt.src).Value(tt.obj)
			if err != nil || ok != (tt.want != nil) || ok && v != tt.want {
				t.Errorf("Expression(%s).Value() = %v, %v, %v; want %v", tt.src, v, ok, err, tt.want)
			}
		})
	}
}

func TestScopeRoles(t *testing.T) {
	s := &scope{groupObjs: map[string]*directory.Group{
		"g1": {ObjectID: "g1", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}, {ID: "g2", Kind: directory.KindGroup}}},
		"g2": {ObjectID: "g2", Members: []directory.Member{{ID: "u2", Kind: directory.KindUser}, {ID: "g1", Kind: directory.KindGroup}}},
		"g3": {ObjectID: "g3", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}, {ID: "u2", Kind: directory.KindUser}}},
		"g4": {ObjectID: "g4", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}},
	}}
	s.loadRoles([]directory.Assignment{
		{PrincipalID: "u1", PrincipalKind: directory.KindUser, AppRoleID: "Zed"},
		{PrincipalID: "g1", PrincipalKind: directory.KindGroup, AppRoleID: "Reader"},
		{PrincipalID: "g3", PrincipalKind: directory.KindGroup, AppRoleID: "Admin"},
		{PrincipalID: "g4", PrincipalKind: directory.KindGroup}, // no role
		{PrincipalID: "u3", PrincipalKind: directory.KindUser},
	})
	tests := []struct {
		id   string
		want []string
	}{
		{"u1", []string{"Zed", "Admin", "Reader"}}, // direct first, then sorted
		{"u2", []string{"Admin", "Reader"}},        // Reader through nested g2, once despite the cycle
		{"u3", nil},
		{"g1", []string{"Reader"}}, // a group's own assignment
	}
	for _, tt := range tests {
		if got := s.rolesOf(tt.id); !slices.Equal(got, tt.want) {
			t.Errorf("rolesOf(%s) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func mustParse(src string) *expr.Expr { return mustExpression(src).Expr }

func TestCompileMappingErrors(t *testing.T) {
	tests := []struct {
		name  string
		attrs []AttributeMapping
		want  string
	}{
		{"no matching attribute", []AttributeMapping{{Target: "userName", Source: Direct{"mail"}}}, "no matching attribute"},
		{"bad path", []AttributeMapping{{Target: "userName", Match: 1}, {Target: "emails[type eq", Source: Direct{"mail"}}}, "emails[type eq"},
		{"filter without sub-attribute", []AttributeMapping{{Target: "userName", Match: 1}, {Target: `emails[type eq "work"]`}}, "sub-attribute"},
		{"filter other than eq", []AttributeMapping{{Target: "userName", Match: 1}, {Target: `emails[type co "w"].value`}}, "eq"},
		{"target twice", []AttributeMapping{{Target: "userName", Match: 1}, {Target: "USERNAME"}}, "mapped twice"},
		{"SelectUniqueValue applied always", []AttributeMapping{{Target: "userName", Match: 1},
			{Target: "displayName", Source: Expression{mustParse("SelectUniqueValue([mail], [mailNickname])")}}}, "only on create"},
		{"SelectUniqueValue matching", []AttributeMapping{{Target: "userName", Match: 1, Apply: ApplyOnCreate,
			Source: Expression{mustParse("SelectUniqueValue([mail], [mailNickname])")}}}, "matching attribute"},
		{"empty expression", []AttributeMapping{{Target: "userName", Match: 1}, {Target: "title", Source: Expression{}}}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileMapping(ObjectMapping{Type: TypeUser, Endpoint: "Users", Attributes: tt.attrs})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compileMapping() error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestMatchingPrecedence(t *testing.T) {
	c := mustCompile(t, ObjectMapping{Type: TypeUser, Endpoint: "Users", Attributes: []AttributeMapping{
		{Target: "externalId", Source: Direct{"mailNickname"}, Match: 2},
		{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
	}})
	m, err := c.evaluate(&Object{Type: TypeUser, User: &directory.User{UserPrincipalName: "a@x", MailNickname: "a"}}, noRefs)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.match) != 2 || m.match[0].path.raw != "userName" || m.match[1].path.raw != "externalId" {
		t.Errorf("match order = %+v, want userName then externalId", m.match)
	}
}

// hashValues hashes the bytes encoding/json writes for the map, so the
// hashes links hold stay valid.
func TestHashValuesIsTheHashOfTheJSON(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
	}{
		{"empty", map[string]any{}},
		{"plain", map[string]any{"userName": "a@x", "active": true, "title": "Boss"}},
		{"escapes", map[string]any{"displayName": "Zoë \"Z\" <&> \\ \t", "b": "ok"}},
		{"lists and references", map[string]any{"members": []string{"b", "a"}, "manager": "t1",
			"roles": []map[string]any{{"primary": false, "value": "Admin"}}, "n": int64(3)}},
		{"empty list", map[string]any{"members": []string{}, "a": "x"}},
		{"a list longer than hashChunk", map[string]any{"members": longList(5000), "userName": "a@x"}},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.values)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got, want := hashValues(tt.values), hex.EncodeToString(sum[:16]); got != want {
			t.Errorf("%s: hashValues(%v) = %s, want %s (of %s)", tt.name, tt.values, got, want, b)
		}
	}
}

// longList is n ids, some with characters encoding/json escapes.
func longList(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%07d", i)
		if i%7 == 0 {
			ids[i] += "<é\"&>"
		}
	}
	return ids
}
