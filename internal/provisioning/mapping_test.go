package provisioning

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
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

func TestNotNeedsABoolean(t *testing.T) {
	_, _, err := Not{Constant{"yes"}}.Value(&Object{Type: TypeUser, User: &directory.User{}})
	if err == nil {
		t.Errorf("Not{Constant{\"yes\"}}.Value() error = nil, want an error")
	}
	v, ok, err := Not{Direct{"IsSoftDeleted"}}.Value(&Object{Type: TypeUser, User: &directory.User{}, SoftDeleted: true})
	if v != false || !ok || err != nil {
		t.Errorf("Not{IsSoftDeleted}.Value(soft-deleted) = %v, %v, %v; want false, true, nil", v, ok, err)
	}
}

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
