package scim

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestStandardSchemaCharacteristics(t *testing.T) {
	type want struct {
		typ, mutability, returned, uniqueness string
		multi, required, caseExact            bool
		canonical, refs                       string // joined by ","
	}
	tests := []struct {
		rt, path string
		want     want
	}{
		{"User", "userName", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "server", required: true}},
		{"User", "name", want{typ: "complex", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "name.givenName", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "profileUrl", want{typ: "reference", mutability: "readWrite", returned: "default", uniqueness: "none", refs: "external"}},
		{"User", "active", want{typ: "boolean", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "password", want{typ: "string", mutability: "writeOnly", returned: "never", uniqueness: "none"}},
		{"User", "emails", want{typ: "complex", mutability: "readWrite", returned: "default", uniqueness: "none", multi: true}},
		{"User", "emails.type", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none", canonical: "work,home,other"}},
		{"User", "emails.primary", want{typ: "boolean", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "phoneNumbers.type", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none", canonical: "work,home,mobile,fax,pager,other"}},
		{"User", "ims.type", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none", canonical: "aim,gtalk,icq,xmpp,msn,skype,qq,yahoo"}},
		{"User", "photos.value", want{typ: "reference", mutability: "readWrite", returned: "default", uniqueness: "none", refs: "external"}},
		{"User", "photos.type", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none", canonical: "photo,thumbnail"}},
		{"User", "addresses.postalCode", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "addresses.primary", want{typ: "boolean", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "groups", want{typ: "complex", mutability: "readOnly", returned: "default", uniqueness: "none", multi: true}},
		{"User", "groups.$ref", want{typ: "reference", mutability: "readOnly", returned: "default", uniqueness: "none", refs: "User,Group"}},
		{"User", "groups.type", want{typ: "string", mutability: "readOnly", returned: "default", uniqueness: "none", canonical: "direct,indirect"}},
		{"User", "entitlements.value", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "roles", want{typ: "complex", mutability: "readWrite", returned: "default", uniqueness: "none", multi: true}},
		{"User", "x509Certificates.value", want{typ: "binary", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", "employeeNumber", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", entURI + ":manager", want{typ: "complex", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"User", entURI + ":manager.$ref", want{typ: "reference", mutability: "readWrite", returned: "default", uniqueness: "none", refs: "User"}},
		{"User", entURI + ":manager.displayName", want{typ: "string", mutability: "readOnly", returned: "default", uniqueness: "none"}},
		{"User", "id", want{typ: "string", mutability: "readOnly", returned: "always", uniqueness: "server", caseExact: true}},
		{"User", "externalId", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none", caseExact: true}},
		{"User", "meta", want{typ: "complex", mutability: "readOnly", returned: "default", uniqueness: "none"}},
		{"User", "meta.created", want{typ: "dateTime", mutability: "readOnly", returned: "default", uniqueness: "none"}},
		{"User", "meta.location", want{typ: "reference", mutability: "readOnly", returned: "default", uniqueness: "none", caseExact: true, refs: "uri"}},
		{"Group", "displayName", want{typ: "string", mutability: "readWrite", returned: "default", uniqueness: "none"}},
		{"Group", "members", want{typ: "complex", mutability: "readWrite", returned: "default", uniqueness: "none", multi: true}},
		{"Group", "members.value", want{typ: "string", mutability: "immutable", returned: "default", uniqueness: "none"}},
		{"Group", "members.$ref", want{typ: "reference", mutability: "immutable", returned: "default", uniqueness: "none", refs: "User,Group"}},
		{"Group", "members.type", want{typ: "string", mutability: "immutable", returned: "default", uniqueness: "none", canonical: "User,Group"}},
		{"Group", "members.display", want{typ: "string", mutability: "immutable", returned: "default", uniqueness: "none"}},
		{"Group", "id", want{typ: "string", mutability: "readOnly", returned: "always", uniqueness: "server", caseExact: true}},
	}
	reg := NewStandardRegistry()
	for _, tc := range tests {
		t.Run(tc.rt+"/"+tc.path, func(t *testing.T) {
			p, err := ParseAttrPath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := resourceType(t, reg, tc.rt).Resolve(p)
			if err != nil {
				t.Fatalf("Resolve(%s) error = %v", tc.path, err)
			}
			a := r.Leaf()
			got := want{typ: a.Type, mutability: a.Mutability, returned: a.Returned, uniqueness: a.Uniqueness,
				multi: a.MultiValued, required: a.Required, caseExact: a.CaseExact,
				canonical: strings.Join(a.CanonicalValues, ","), refs: strings.Join(a.ReferenceTypes, ",")}
			if got != tc.want {
				t.Errorf("Resolve(%s).Leaf() = %+v, want %+v", tc.path, got, tc.want)
			}
		})
	}
}

func TestStandardRegistry(t *testing.T) {
	reg := NewStandardRegistry()
	var ids []string
	for _, s := range reg.Schemas() {
		ids = append(ids, s.ID)
	}
	if got, want := strings.Join(ids, " "), UserSchema+" "+EnterpriseUserSchema+" "+GroupSchema; got != want {
		t.Errorf("Schemas() = %s, want %s", got, want)
	}
	user, ok := reg.ResourceTypeByEndpoint("users")
	if !ok || user.Name != "User" || user.Endpoint != "/Users" || user.Schema != UserSchema {
		t.Fatalf("ResourceTypeByEndpoint(users) = %+v, %v", user, ok)
	}
	if got := encode(t, user.SchemaExtensions); got != `[{"schema":"`+EnterpriseUserSchema+`","required":false}]` {
		t.Errorf("User.SchemaExtensions = %s", got)
	}
	group, ok := reg.ResourceTypeByEndpoint("/Groups")
	if !ok || group.Name != "Group" || len(group.SchemaExtensions) != 0 {
		t.Errorf("ResourceTypeByEndpoint(/Groups) = %+v, %v", group, ok)
	}
	// Served schemas list neither the common attributes nor "schemas".
	for _, s := range reg.Schemas() {
		for _, name := range []string{"id", "externalId", "meta", "schemas"} {
			if s.Attribute(name) != nil {
				t.Errorf("schema %s lists common attribute %q", s.ID, name)
			}
		}
	}
	// Each call returns an independent registry.
	if err := NewStandardRegistry().AddSchema(&Schema{ID: "urn:x:y", Attributes: []*Attribute{{Name: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.Schema("urn:x:y"); ok {
		t.Error("NewStandardRegistry registries share state")
	}
}

func TestStandardSchemaJSON(t *testing.T) {
	s, ok := NewStandardRegistry().Schema(GroupSchema)
	if !ok {
		t.Fatal("Group schema missing")
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{`"id":"urn:ietf:params:scim:schemas:core:2.0:Group"`, `"name":"members"`, `"referenceTypes":["User","Group"]`, `"uniqueness":"none"`} {
		if !strings.Contains(got, want) {
			t.Errorf("json.Marshal(Group schema) = %s, want it to contain %s", got, want)
		}
	}
	if strings.Contains(got, "subIndex") || strings.Contains(got, "index") {
		t.Errorf("json.Marshal(Group schema) leaks internals: %s", got)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		rt, path string
		want     string // canonical path
		wantExt  bool
		wantErr  string
	}{
		{rt: "User", path: "USERNAME", want: UserSchema + ":userName"},
		{rt: "User", path: "name.FamilyName", want: UserSchema + ":name.familyName"},
		{rt: "User", path: "Urn:Ietf:Params:Scim:Schemas:Core:2.0:User:emails.Value", want: UserSchema + ":emails.value"},
		{rt: "User", path: "ID", want: UserSchema + ":id"},
		{rt: "User", path: "externalid", want: UserSchema + ":externalId"},
		{rt: "User", path: "meta.LASTMODIFIED", want: UserSchema + ":meta.lastModified"},
		{rt: "User", path: UserSchema + ":meta.version", want: UserSchema + ":meta.version"},
		{rt: "Group", path: "meta.resourceType", want: GroupSchema + ":meta.resourceType"},
		{rt: "Group", path: "members.$REF", want: GroupSchema + ":members.$ref"},
		{rt: "User", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", want: entURI + ":manager.value", wantExt: true},
		{rt: "User", path: "department", want: entURI + ":department", wantExt: true},
		{rt: "User", path: "shoeSize", wantErr: `unknown attribute "shoeSize"`},
		{rt: "User", path: "name.shoe", wantErr: `unknown sub-attribute "name.shoe"`},
		{rt: "User", path: "urn:example:other:x", wantErr: `unknown schema "urn:example:other"`},
		{rt: "Group", path: "userName", wantErr: `unknown attribute "userName"`},
		{rt: "Group", path: "employeeNumber", wantErr: `unknown attribute "employeeNumber"`},
		{rt: "User", path: entURI + ":id", wantErr: "unknown attribute"},
	}
	reg := NewStandardRegistry()
	for _, tc := range tests {
		t.Run(tc.rt+"/"+tc.path, func(t *testing.T) {
			p, err := ParseAttrPath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := resourceType(t, reg, tc.rt).Resolve(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve(%s) error = %v, want %q", tc.path, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%s) error = %v", tc.path, err)
			}
			if r.Path.String() != tc.want || r.Extension != tc.wantExt {
				t.Errorf("Resolve(%s) = %s (extension %v), want %s (extension %v)", tc.path, r.Path, r.Extension, tc.want, tc.wantExt)
			}
		})
	}
}

func TestResolveUnregistered(t *testing.T) {
	rt := &ResourceType{Name: "Loose", Schema: UserSchema}
	if _, err := rt.Resolve(AttrPath{Name: "userName"}); err == nil {
		t.Error("Resolve on an unregistered resource type = nil error, want an error")
	}
	if rt.CoreSchema() != nil || rt.Extensions() != nil {
		t.Error("CoreSchema/Extensions of an unregistered resource type are not nil")
	}
}

func TestAddSchemaValidation(t *testing.T) {
	tests := []struct {
		name    string
		schema  *Schema
		wantErr string
	}{
		{"no id", &Schema{}, "schema without id"},
		{"bad name", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "1abc"}}}, `invalid attribute name "1abc"`},
		{"duplicate name", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a"}, {Name: "A"}}}, `attribute "A" defined twice`},
		{"bad type", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Type: "text"}}}, `invalid type "text"`},
		{"bad mutability", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Mutability: "sometimes"}}}, `invalid mutability "sometimes"`},
		{"bad returned", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Returned: "maybe"}}}, `invalid returned "maybe"`},
		{"bad uniqueness", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Uniqueness: "all"}}}, `invalid uniqueness "all"`},
		{"complex without subs", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Type: TypeComplex}}}, "complex attribute without sub-attributes"},
		{"simple with subs", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", SubAttributes: []*Attribute{{Name: "b"}}}}}, "type string cannot have sub-attributes"},
		{"nested complex", &Schema{ID: "urn:a", Attributes: []*Attribute{{Name: "a", Type: TypeComplex,
			SubAttributes: []*Attribute{{Name: "b", Type: TypeComplex, SubAttributes: []*Attribute{{Name: "c"}}}}}}}, "a sub-attribute cannot be complex"},
		{"nil attribute", &Schema{ID: "urn:a", Attributes: []*Attribute{nil}}, "nil attribute"},
		{"registered twice", &Schema{ID: "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"}, "already registered"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := NewStandardRegistry().AddSchema(tc.schema)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("AddSchema(%s) error = %v, want %q", tc.name, err, tc.wantErr)
			}
		})
	}
}

func TestAddSchemaDefaults(t *testing.T) {
	s := &Schema{ID: "urn:example:a", Attributes: []*Attribute{{Name: "a"}, {Name: "c", Type: TypeComplex, SubAttributes: []*Attribute{{Name: "b"}}}}}
	if err := NewRegistry().AddSchema(s); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*Attribute{s.Attributes[0], s.Attributes[1].SubAttributes[0]} {
		if a.Type != TypeString || a.Mutability != ReadWrite || a.Returned != ReturnedDefault || a.Uniqueness != UniquenessNone {
			t.Errorf("AddSchema defaults for %s = %s/%s/%s/%s, want string/readWrite/default/none", a.Name, a.Type, a.Mutability, a.Returned, a.Uniqueness)
		}
	}
}

func TestAddResourceTypeErrors(t *testing.T) {
	tests := []struct {
		name    string
		rt      *ResourceType
		wantErr string
	}{
		{"unknown schema", &ResourceType{Name: "X", Schema: "urn:nope"}, `schema "urn:nope" not registered`},
		{"unknown extension", &ResourceType{Name: "X", Schema: UserSchema, SchemaExtensions: []SchemaExtension{{Schema: "urn:nope"}}}, `extension schema "urn:nope" not registered`},
		{"extension twice", &ResourceType{Name: "X", Schema: UserSchema, SchemaExtensions: []SchemaExtension{{Schema: EnterpriseUserSchema}, {Schema: EnterpriseUserSchema}}}, "used twice"},
		{"name taken", &ResourceType{Name: "user", Schema: UserSchema}, `resource type "user" already registered`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := NewStandardRegistry().AddResourceType(tc.rt)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("AddResourceType(%s) error = %v, want %q", tc.name, err, tc.wantErr)
			}
		})
	}
}

func TestAddExtension(t *testing.T) {
	reg := NewStandardRegistry()
	ext := &Schema{ID: "urn:example:scim:schemas:extension:acme:2.0:Group", Name: "AcmeGroup", Attributes: []*Attribute{{Name: "costCode"}}}
	if err := reg.AddExtension("Group", ext.ID, false); err == nil {
		t.Error("AddExtension of an unregistered schema = nil error")
	}
	if err := reg.AddSchema(ext); err != nil {
		t.Fatal(err)
	}
	if err := reg.AddExtension("Nope", ext.ID, false); err == nil {
		t.Error("AddExtension to an unknown resource type = nil error")
	}
	if err := reg.AddExtension("group", strings.ToUpper(ext.ID), true); err != nil {
		t.Fatalf("AddExtension = %v", err)
	}
	if err := reg.AddExtension("Group", ext.ID, false); err == nil {
		t.Error("AddExtension twice = nil error")
	}
	rt := resourceType(t, reg, "Group")
	if got := encode(t, rt.SchemaExtensions); got != `[{"schema":"`+ext.ID+`","required":true}]` {
		t.Errorf("SchemaExtensions = %s", got)
	}
	if s, ok := rt.Extension(strings.ToUpper(ext.ID)); !ok || s != ext {
		t.Errorf("Extension(%s) = %v, %v", ext.ID, s, ok)
	}
	r, err := rt.Resolve(AttrPath{URI: ext.ID, Name: "COSTCODE"})
	if err != nil || r.Path.Name != "costCode" || !r.Extension {
		t.Errorf("Resolve(costCode) = %+v, %v", r, err)
	}
	got, err := rt.Normalize(decode(t, `{"displayName":"g","`+ext.ID+`:costCode":"c1"}`), NormalizeOptions{})
	if err != nil {
		t.Fatalf("Normalize = %v", err)
	}
	want := canonJSON(t, `{"schemas":["`+GroupSchema+`","`+ext.ID+`"],"displayName":"g","`+ext.ID+`":{"costCode":"c1"}}`)
	if g := encode(t, got); g != want {
		t.Errorf("Normalize = %s, want %s", g, want)
	}
	if _, err := rt.Normalize(decode(t, `{"displayName":"g"}`), NormalizeOptions{}); err == nil {
		t.Error("Normalize without the required run-time extension = nil error")
	}
}

// TestConcurrentAddExtension runs resolution while an extension is added;
// run with -race.
func TestConcurrentAddExtension(t *testing.T) {
	reg := NewStandardRegistry()
	rt := resourceType(t, reg, "User")
	ext := &Schema{ID: "urn:example:late", Attributes: []*Attribute{{Name: "late"}}}
	if err := reg.AddSchema(ext); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if _, err := rt.Resolve(AttrPath{Name: "userName"}); err != nil {
					t.Errorf("Resolve(userName) = %v", err)
					return
				}
				rt.Project(Resource{"userName": "a", "password": "p"}, nil, nil)
			}
		})
	}
	if err := reg.AddExtension("User", ext.ID, false); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if _, err := rt.Resolve(AttrPath{Name: "late"}); err != nil {
		t.Errorf("Resolve(late) after AddExtension = %v", err)
	}
}

func TestLookupFold(t *testing.T) {
	m := map[string]int{"username": 1, strings.Repeat("a", 70): 2}
	tests := []struct {
		in   string
		want int
	}{
		{"userName", 1}, {"USERNAME", 1}, {"username", 1}, {"user", 0},
		{strings.Repeat("A", 70), 2},
	}
	for _, tc := range tests {
		if got := lookupFold(m, tc.in); got != tc.want {
			t.Errorf("lookupFold(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestConcurrentStandardRegistries builds registries in parallel; they share
// the standard schemas. Run with -race.
func TestConcurrentStandardRegistries(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			rt := resourceType(t, NewStandardRegistry(), "User")
			if _, err := rt.Normalize(map[string]any{"userName": "a"}, NormalizeOptions{}); err != nil {
				t.Errorf("Normalize = %v", err)
			}
		})
	}
	wg.Wait()
}

func TestHasMembers(t *testing.T) {
	reg := NewStandardRegistry()
	users, _ := reg.ResourceType("User")
	groups, _ := reg.ResourceType("Group")
	tests := []struct {
		name string
		rt   *ResourceType
		want bool
	}{
		{"groups", groups, true},
		{"users", users, false},
		{"unregistered", &ResourceType{Name: "Group", Schema: GroupSchema}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rt.HasMembers(); got != tc.want {
				t.Errorf("HasMembers() = %v, want %v", got, tc.want)
			}
		})
	}
}
