package filter

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

func TestMatch(t *testing.T) {
	rt := resourceType(t, "User")
	res := bjensen()
	tests := []struct {
		name    string
		filter  string
		lenient bool
		want    bool
	}{
		// strings and caseExact
		{name: "userName eq", filter: `userName eq "bjensen@example.com"`, want: true},
		{name: "userName is not caseExact", filter: `userName eq "BJENSEN@EXAMPLE.COM"`, want: true},
		{name: "attribute name case-insensitive", filter: `USERNAME eq "bjensen@example.com"`, want: true},
		{name: "okta userName in capitals", filter: `userName eq "BJensen@Example.COM"`, want: true},
		{name: "userName eq other", filter: `userName eq "jsmith"`, want: false},
		{name: "id is caseExact", filter: `id eq "2819C223-7F76-453A-919D-413861904646"`, want: false},
		{name: "id eq", filter: `id eq "2819c223-7f76-453a-919d-413861904646"`, want: true},
		{name: "externalId is caseExact", filter: `externalId eq "701984"`, want: true},
		{name: "ne", filter: `userName ne "jsmith"`, want: true},
		{name: "ne equal value", filter: `userName ne "BJensen@example.com"`, want: false},
		{name: "co", filter: `displayName co "JENS"`, want: true},
		{name: "co miss", filter: `displayName co "smith"`, want: false},
		{name: "sw", filter: `userName sw "BJ"`, want: true},
		{name: "sw miss", filter: `userName sw "example"`, want: false},
		{name: "ew", filter: `userName ew "@Example.com"`, want: true},
		{name: "ew miss", filter: `userName ew "bjensen"`, want: false},
		{name: "gt string", filter: `userName gt "a"`, want: true},
		{name: "gt string is case-insensitive", filter: `userName gt "Z"`, want: false},
		{name: "ge string equal", filter: `userName ge "BJENSEN@example.com"`, want: true},
		{name: "lt string", filter: `userName lt "c"`, want: true},
		{name: "le string", filter: `userName le "b"`, want: false},
		{name: "caseExact co", filter: `meta.location co "EXAMPLE"`, want: false},
		{name: "number operand on string attribute", filter: `externalId eq 701984`, want: true},
		{name: "sub-attribute", filter: `name.familyName eq "jensen"`, want: true},
		{name: "absent attribute eq", filter: `name.givenName eq "x"`, want: false},
		{name: "reference caseExact", filter: `groups.$ref eq "x"`, want: false},

		// extension attributes
		{name: "enterprise by urn", filter: enterpriseURI + `:employeeNumber eq "701984"`, want: true},
		{name: "enterprise unqualified", filter: `department eq "tour operations"`, want: true},
		{name: "urn case-insensitive", filter: `URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER eq "701984"`, want: true},
		{name: "manager value by urn", filter: enterpriseURI + `:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, want: true},
		{name: "entra manager check", filter: `id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, want: true},
		{name: "entra manager check reversed", filter: `manager eq "26118915-6090-4610-87e4-49d8ca9f808d" and id eq "other"`, want: false},

		// multi-valued
		{name: "multi-valued any value", filter: `emails.value eq "babs@jensen.org"`, want: true},
		{name: "complex multi-valued compares value", filter: `emails co "jensen.org"`, want: true},
		{name: "complex multi-valued eq", filter: `emails eq "nobody@example.com"`, want: false},
		{name: "multi-valued ne: no value equal", filter: `emails.type ne "home"`, want: false},
		{name: "multi-valued ne: none equal", filter: `emails.type ne "other"`, want: true},
		{name: "multi-valued string case-insensitive", filter: `tags eq "beta"`, want: true},
		{name: "multi-valued string miss", filter: `tags eq "gamma"`, want: false},
		{name: "multi-valued string sw", filter: `tags sw "al"`, want: true},

		// pr and null
		{name: "pr", filter: `userName pr`, want: true},
		{name: "pr empty string", filter: `title pr`, want: false},
		{name: "pr empty array", filter: `phoneNumbers pr`, want: false},
		{name: "pr absent", filter: `nickName pr`, want: false},
		{name: "pr complex", filter: `name pr`, want: true},
		{name: "pr multi-valued complex", filter: `emails pr`, want: true},
		{name: "pr extension complex", filter: `manager pr`, want: true},
		{name: "pr boolean false is present", filter: `emails.primary pr`, want: true},
		{name: "eq null absent sub-attribute", filter: `name.middleName eq null`, want: true},
		{name: "eq null on present attribute", filter: `userType eq null`, want: false},
		{name: "eq null on absent attribute", filter: `nickName eq null`, want: true},
		{name: "eq null empty string", filter: `title eq null`, want: true},
		{name: "eq null empty array", filter: `phoneNumbers eq null`, want: true},
		{name: "ne null", filter: `displayName ne null`, want: true},
		{name: "ne null absent", filter: `phoneNumbers ne null`, want: false},

		// booleans
		{name: "boolean true", filter: `active eq true`, want: true},
		{name: "boolean True", filter: `active eq True`, want: true},
		{name: "boolean false", filter: `active eq false`, want: false},
		{name: "boolean string True", filter: `active eq "True"`, want: true},
		{name: "boolean string FALSE", filter: `active eq "FALSE"`, want: false},
		{name: "boolean ne", filter: `active ne false`, want: true},
		{name: "boolean sub-attribute", filter: `emails.primary eq true`, want: true},

		// numbers
		{name: "integer eq", filter: `loginCount eq 42`, want: true},
		{name: "integer gt", filter: `loginCount gt 41.5`, want: true},
		{name: "integer ge", filter: `loginCount ge 42`, want: true},
		{name: "integer lt", filter: `loginCount lt 42`, want: false},
		{name: "integer le", filter: `loginCount le 42`, want: true},
		{name: "integer ne", filter: `loginCount ne 42`, want: false},
		{name: "integer from string", filter: `loginCount eq "42"`, want: true},
		{name: "decimal lt", filter: `score lt 1`, want: true},
		{name: "number is numeric not lexicographic", filter: `loginCount gt 5`, want: true},

		// dateTime
		{name: "dateTime gt", filter: `meta.created gt "2010-01-01T00:00:00Z"`, want: true},
		{name: "dateTime gt equal", filter: `meta.created gt "2010-01-23T04:56:22Z"`, want: false},
		{name: "dateTime ge equal", filter: `meta.created ge "2010-01-23T04:56:22Z"`, want: true},
		{name: "dateTime eq other offset", filter: `meta.created eq "2010-01-22T20:56:22-08:00"`, want: true},
		{name: "dateTime fractional", filter: `meta.lastModified gt "2011-05-13T11:42:34.1234Z"`, want: true},
		{name: "dateTime fractional lt", filter: `meta.lastModified lt "2011-05-13T11:42:34.1235Z"`, want: true},
		{name: "dateTime 7 digits with offset", filter: `meta.lastModified gt 2015-10-10T14:38:21.8617979-07:00`, lenient: true, want: false},
		{name: "dateTime lt postman", filter: `meta.Created lt 2015-10-10T14:38:21.8617979-07:00`, lenient: true, want: true},
		{name: "dateTime without offset is UTC", filter: `meta.created eq "2010-01-23T04:56:22"`, want: true},
		{name: "dateTime date only", filter: `meta.created gt "2010-01-23"`, want: true},
		{name: "dateTime sw is textual", filter: `meta.created sw "2010-01"`, want: true},
		{name: "entra inbound window", filter: `active eq true and (meta.lastModified ge "2011-05-13T00:00:00Z" and meta.lastModified le "2011-05-14T00:00:00Z")`, want: true},

		// logic
		{name: "and true", filter: `userName pr and active eq true`, want: true},
		{name: "and false", filter: `userName pr and active eq false`, want: false},
		{name: "or", filter: `active eq false or userName pr`, want: true},
		{name: "precedence", filter: `active eq false and userName pr or title pr`, want: false},
		{name: "parentheses", filter: `active eq true and (title pr or userName pr)`, want: true},
		{name: "not", filter: `not (userName eq "x")`, want: true},
		{name: "not true", filter: `not (userName pr)`, want: false},
		{name: "RFC example", filter: `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, want: true},

		// value paths
		{name: "value path", filter: `emails[type eq "work"]`, want: true},
		{name: "value path and in same element", filter: `emails[type eq "work" and value co "@example.com"]`, want: true},
		{name: "value path conditions on different elements", filter: `emails[type eq "home" and value co "@example.com"]`, want: false},
		{name: "value path not", filter: `emails[not (type eq "work")]`, want: true},
		{name: "value path single complex", filter: `name[givenName sw "bar"]`, want: true},
		{name: "value path extension", filter: enterpriseURI + `:manager[displayName eq "john smith"]`, want: true},
		{name: "value path boolean", filter: `addresses[primary eq true and postalCode eq "91608"]`, want: true},
		{name: "value path on empty attribute", filter: `phoneNumbers[type eq "work"]`, want: false},
		{name: "value path sub-attribute case", filter: `EMAILS[TYPE eq "WORK"]`, want: true},
		{name: "entra filtered sub-attribute", filter: `emails[type eq "work"].value eq "bjensen@example.com"`, want: true},
		{name: "entra filtered sub-attribute other element", filter: `emails[type eq "work"].value eq "babs@jensen.org"`, want: false},
		{name: "filtered sub-attribute primary", filter: `emails[primary eq true].value eq "BJENSEN@example.com"`, want: true},
		{name: "postman lenient", lenient: true,
			filter: `name.FamilyName eq Jensen and (emails.Value co example.com or emails.Value co example.org)`, want: true},
		{name: "postman userName sw", filter: `userName sw O`, lenient: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.filter, Options{Lenient: tt.lenient})
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			m, err := Compile(e, rt)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.filter, err)
			}
			if got := m.Match(res); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
			}
			// The canonical expression means the same thing.
			canon, err := Compile(m.Expr(), rt)
			if err != nil {
				t.Fatalf("Compile(Expr() = %q): %v", Format(m.Expr()), err)
			}
			if got := canon.Match(res); got != tt.want {
				t.Errorf("Match(Expr() = %q) = %v, want %v", Format(m.Expr()), got, tt.want)
			}
		})
	}
}

func TestMatchGroup(t *testing.T) {
	rt := resourceType(t, "Group")
	group := scim.Resource{
		"id":          "e9e30dba-f08f-4109-8486-d5c6a331660a",
		"displayName": "Tour Guides",
		"members": []any{
			map[string]any{"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
			map[string]any{"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"},
		},
	}
	tests := []struct {
		name   string
		filter string
		want   bool
	}{
		{name: "entra displayName", filter: `displayName eq "tour guides"`, want: true},
		{name: "postman DisplayName", filter: `DisplayName eq "BobIsAmazing"`, want: false},
		{name: "members value path", filter: `members[value eq "902c246b-6245-4190-8e05-00816be7344a"]`, want: true},
		// RFC 7643 §8.7.1 declares members.value caseExact false.
		{name: "members value follows the schema's caseExact", filter: `members[value eq "902C246B-6245-4190-8E05-00816BE7344A"]`, want: true},
		{name: "id is caseExact", filter: `id eq "E9E30DBA-F08F-4109-8486-D5C6A331660A"`, want: false},
		{name: "members compares value", filter: `members eq "2819c223-7f76-453a-919d-413861904646"`, want: true},
		{name: "id and member", filter: `id eq "e9e30dba-f08f-4109-8486-d5c6a331660a" and members.value eq "x"`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustCompile(t, tt.filter, rt)
			if got := m.Match(group); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func mustCompile(t testing.TB, filter string, rt *scim.ResourceType) *Matcher {
	t.Helper()
	e, err := Parse(filter, Options{})
	if err != nil {
		t.Fatalf("Parse(%q): %v", filter, err)
	}
	m, err := Compile(e, rt)
	if err != nil {
		t.Fatalf("Compile(%q): %v", filter, err)
	}
	return m
}

func TestCompileErrors(t *testing.T) {
	rt := resourceType(t, "User")
	tests := []struct {
		name   string
		filter string
		want   string
	}{
		{name: "unknown attribute", filter: `nickname2 eq "x"`, want: `filter: unknown attribute "nickname2"`},
		{name: "unknown schema", filter: `urn:example:nope:thing eq "x"`, want: `filter: unknown schema "urn:example:nope"`},
		{name: "unknown sub-attribute", filter: `name.middle eq "x"`, want: `filter: unknown sub-attribute "name.middle"`},
		{name: "unknown sub-attribute in value path", filter: `emails[kind eq "work"]`, want: `filter: unknown sub-attribute "kind" of "emails"`},
		{name: "unknown filtered sub-attribute", filter: `emails[type eq "work"].address eq "x"`, want: `filter: unknown sub-attribute "address" of "emails"`},
		{name: "complex without value", filter: `name eq "x"`,
			want: `filter: cannot compare complex attribute "urn:ietf:params:scim:schemas:core:2.0:User:name"; name one of its sub-attributes`},
		{name: "value path on simple attribute", filter: `userName[value eq "x"]`, want: `filter: value filter on "userName", which is not a complex attribute`},
		{name: "boolean gt", filter: `active gt true`,
			want: `filter: operator "gt" not supported for a boolean (attribute "urn:ietf:params:scim:schemas:core:2.0:User:active")`},
		{name: "boolean co", filter: `emails[primary co true]`, want: `filter: operator "co" not supported for a boolean (attribute "primary")`},
		{name: "boolean from bad string", filter: `active eq "yes"`,
			want: `filter: yes is not a boolean (attribute "urn:ietf:params:scim:schemas:core:2.0:User:active")`},
		{name: "number co", filter: `loginCount co 4`,
			want: `filter: operator "co" not supported for a number (attribute "` + testURI + `:loginCount")`},
		{name: "number from string", filter: `loginCount eq "many"`,
			want: `filter: many is not a number (attribute "` + testURI + `:loginCount")`},
		{name: "bad dateTime", filter: `meta.created gt "yesterday"`,
			want: `filter: "yesterday" is not a dateTime (attribute "urn:ietf:params:scim:schemas:core:2.0:User:meta.created")`},
		{name: "dateTime number", filter: `meta.created gt 5`,
			want: `filter: 5 is not a dateTime string (attribute "urn:ietf:params:scim:schemas:core:2.0:User:meta.created")`},
		{name: "string bool", filter: `userName eq true`,
			want: `filter: true is not a string (attribute "urn:ietf:params:scim:schemas:core:2.0:User:userName")`},
		{name: "gt null", filter: `userName gt null`,
			want: `filter: operator "gt" cannot compare with null (attribute "urn:ietf:params:scim:schemas:core:2.0:User:userName")`},
		{name: "error inside or", filter: `userName pr or nick pr`, want: `filter: unknown attribute "nick"`},
		{name: "error inside not", filter: `not (nick pr)`, want: `filter: unknown attribute "nick"`},
		{name: "password", filter: `password sw "$argon2id$"`,
			want: `filter: attribute "urn:ietf:params:scim:schemas:core:2.0:User:password" is never returned, so it cannot be filtered or sorted on`},
		{name: "password pr inside not", filter: `userName pr and not (PASSWORD pr)`,
			want: `filter: attribute "urn:ietf:params:scim:schemas:core:2.0:User:password" is never returned, so it cannot be filtered or sorted on`},
		{name: "extension attribute never returned", filter: testURI + `:pin eq "1234"`,
			want: `filter: attribute "` + testURI + `:pin" is never returned, so it cannot be filtered or sorted on`},
		{name: "sub-attribute never returned", filter: `keys.secret eq "x"`,
			want: `filter: attribute "` + testURI + `:keys.secret" is never returned, so it cannot be filtered or sorted on`},
		{name: "never returned in value path", filter: `keys[type eq "a" and secret sw "x"]`,
			want: `filter: attribute "keys.secret" is never returned, so it cannot be filtered or sorted on`},
		{name: "never returned after value path", filter: `keys[type eq "a"].secret sw "x"`,
			want: `filter: attribute "keys.secret" is never returned, so it cannot be filtered or sorted on`},
		{name: "complex compared through a never returned value", filter: `vault sw "x"`,
			want: `filter: attribute "` + testURI + `:vault.value" is never returned, so it cannot be filtered or sorted on`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.filter, Options{})
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			m, err := Compile(e, rt)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compile(%q) = %v, %v; want error %s", tt.filter, m, err, tt.want)
			}
		})
	}
}

func TestCompileRejectsHandBuiltExprs(t *testing.T) {
	rt := resourceType(t, "User")
	tests := []struct {
		name string
		in   Expr
	}{
		{name: "unknown operator", in: &Compare{Path: path("userName"), Op: "like", Value: "x"}},
		{name: "nested value path", in: &ValuePath{Path: path("emails"), Filter: &ValuePath{Path: path("type"), Filter: eq("value", "x")}}},
		{name: "qualified path in value filter", in: &ValuePath{Path: path("emails"), Filter: cmp(subPath("emails", "type"), Pr, nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := Compile(tt.in, rt); err == nil {
				t.Errorf("Compile(%s) = %v, want error", Format(tt.in), m)
			}
		})
	}
}

func TestCompileWithoutResourceType(t *testing.T) {
	if m, err := Compile(eq("userName", "x"), nil); err == nil {
		t.Errorf("Compile(expr, nil) = %v, want error", m)
	}
}

func TestCompileNilMatchesAll(t *testing.T) {
	m, err := Compile(nil, resourceType(t, "User"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Match(bjensen()) || !m.Match(scim.Resource{}) || m.Expr() != nil {
		t.Errorf("Compile(nil) matcher: Match = false or Expr() = %v, want match-all with nil Expr", m.Expr())
	}
}

func TestMatcherExpr(t *testing.T) {
	rt := resourceType(t, "User")
	tests := []struct {
		name   string
		filter string
		want   string
	}{
		{name: "core attribute", filter: `USERNAME eq "X"`, want: `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "X"`},
		{name: "and chain", filter: `externalId eq "a" and id eq "b"`,
			want: `urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "a" and urn:ietf:params:scim:schemas:core:2.0:User:id eq "b"`},
		{name: "extension unqualified", filter: `employeenumber eq "1"`, want: enterpriseURI + `:employeeNumber eq "1"`},
		{name: "complex rewritten to value", filter: `manager eq "m"`, want: enterpriseURI + `:manager.value eq "m"`},
		{name: "boolean string converted", filter: `active eq "True"`, want: `urn:ietf:params:scim:schemas:core:2.0:User:active eq true`},
		{name: "number string converted", filter: `loginCount gt "5"`, want: testURI + `:loginCount gt 5`},
		{name: "number on string attribute converted", filter: `externalId eq 7`, want: `urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "7"`},
		{name: "value path", filter: `Emails[Type eq "work" and not (Primary eq "false")]`,
			want: `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and not (primary eq false)]`},
		{name: "filtered compare", filter: `emails[TYPE eq "work"].VALUE eq "x"`,
			want: `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value eq "x"`},
		{name: "pr and null", filter: `title pr or title eq null`,
			want: `urn:ietf:params:scim:schemas:core:2.0:User:title pr or urn:ietf:params:scim:schemas:core:2.0:User:title eq null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(mustCompile(t, tt.filter, rt).Expr()); got != tt.want {
				t.Errorf("Format(Expr()) of %q = %s, want %s", tt.filter, got, tt.want)
			}
		})
	}
}

func TestConjuncts(t *testing.T) {
	a, b, c := eq("a", "1"), eq("b", "2"), eq("c", "3")
	tests := []struct {
		name string
		in   Expr
		want []Expr
	}{
		{name: "nil", in: nil, want: nil},
		{name: "single", in: a, want: []Expr{a}},
		{name: "left chain", in: &And{&And{a, b}, c}, want: []Expr{a, b, c}},
		{name: "right chain", in: &And{a, &And{b, c}}, want: []Expr{a, b, c}},
		{name: "or is one conjunct", in: &And{a, &Or{b, c}}, want: []Expr{a, &Or{b, c}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Conjuncts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Conjuncts(%s) = %v, want %v", Format(tt.in), got, tt.want)
			}
		})
	}
}

func TestDisjuncts(t *testing.T) {
	a, b, c := eq("a", "1"), eq("b", "2"), eq("c", "3")
	tests := []struct {
		name string
		in   Expr
		want []Expr
	}{
		{name: "nil", in: nil, want: nil},
		{name: "single", in: a, want: []Expr{a}},
		{name: "left chain", in: &Or{&Or{a, b}, c}, want: []Expr{a, b, c}},
		{name: "right chain", in: &Or{a, &Or{b, c}}, want: []Expr{a, b, c}},
		{name: "and is one disjunct", in: &Or{a, &And{b, c}}, want: []Expr{a, &And{b, c}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Disjuncts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Disjuncts(%s) = %v, want %v", Format(tt.in), got, tt.want)
			}
		})
	}
}

func TestCompileValueFilter(t *testing.T) {
	rt := resourceType(t, "User")
	emails, err := rt.Resolve(scim.AttrPath{Name: "emails"})
	if err != nil {
		t.Fatal(err)
	}
	work := map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}
	tests := []struct {
		name   string
		filter string
		want   bool
		canon  string
	}{
		{name: "type", filter: `TYPE eq "Work"`, want: true, canon: `type eq "Work"`},
		{name: "and", filter: `type eq "work" and primary eq "true"`, want: true, canon: `type eq "work" and primary eq true`},
		{name: "miss", filter: `type eq "home"`, want: false, canon: `type eq "home"`},
		{name: "not", filter: `not (display pr)`, want: true, canon: `not (display pr)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath("emails["+tt.filter+"]", Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := CompileValueFilter(p.Filter, emails.Attr)
			if err != nil {
				t.Fatalf("CompileValueFilter(%q): %v", tt.filter, err)
			}
			if got := m.Match(work); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
			}
			if got := Format(m.Expr()); got != tt.canon {
				t.Errorf("Format(Expr()) of %q = %s, want %s", tt.filter, got, tt.canon)
			}
		})
	}
}

func TestCompileValueFilterErrors(t *testing.T) {
	rt := resourceType(t, "User")
	emails, _ := rt.Resolve(scim.AttrPath{Name: "emails"})
	userName, _ := rt.Resolve(scim.AttrPath{Name: "userName"})
	keys, _ := rt.Resolve(scim.AttrPath{Name: "keys"})
	tests := []struct {
		name string
		e    Expr
		attr *scim.Attribute
	}{
		{name: "unknown sub-attribute", e: eq("kind", "work"), attr: emails.Attr},
		{name: "simple attribute", e: eq("value", "x"), attr: userName.Attr},
		{name: "nil attribute", e: eq("value", "x"), attr: nil},
		{name: "nested value path", e: &ValuePath{Path: path("type"), Filter: eq("value", "x")}, attr: emails.Attr},
		{name: "never returned sub-attribute", e: cmp(path("secret"), Sw, "x"), attr: keys.Attr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := CompileValueFilter(tt.e, tt.attr); err == nil {
				t.Errorf("CompileValueFilter(%s) = %v, want error", Format(tt.e), m)
			}
		})
	}
}

// TestMatchValueTypes covers resource values that do not come from
// encoding/json: Go integers, json.Number, time.Time, numeric strings and
// values of the wrong type.
func TestMatchValueTypes(t *testing.T) {
	rt := resourceType(t, "User")
	created := time.Date(2010, 1, 23, 4, 56, 22, 0, time.UTC)
	tests := []struct {
		name   string
		filter string
		res    scim.Resource
		want   bool
	}{
		{name: "int", filter: `loginCount eq 42`, res: scim.Resource{testURI: map[string]any{"loginCount": 42}}, want: true},
		{name: "int64", filter: `loginCount gt 41`, res: scim.Resource{testURI: map[string]any{"loginCount": int64(42)}}, want: true},
		{name: "json.Number", filter: `loginCount le 42`, res: scim.Resource{testURI: map[string]any{"loginCount": json.Number("42")}}, want: true},
		{name: "numeric string", filter: `loginCount lt 43`, res: scim.Resource{testURI: map[string]any{"loginCount": "42"}}, want: true},
		{name: "non-numeric string", filter: `loginCount lt 43`, res: scim.Resource{testURI: map[string]any{"loginCount": "many"}}, want: false},
		{name: "bool for number", filter: `loginCount ne 1`, res: scim.Resource{testURI: map[string]any{"loginCount": true}}, want: true},
		{name: "time.Time", filter: `meta.created eq "2010-01-23T04:56:22Z"`, res: scim.Resource{"meta": map[string]any{"created": created}}, want: true},
		{name: "bad dateTime in resource", filter: `meta.created lt "2030-01-01T00:00:00Z"`, res: scim.Resource{"meta": map[string]any{"created": "soon"}}, want: false},
		{name: "number for dateTime", filter: `meta.created lt "2030-01-01T00:00:00Z"`, res: scim.Resource{"meta": map[string]any{"created": 5.0}}, want: false},
		{name: "string boolean in resource", filter: `active eq true`, res: scim.Resource{"active": "True"}, want: true},
		{name: "number for string", filter: `userName eq "5"`, res: scim.Resource{"userName": 5.0}, want: false},
		{name: "complex with only empty values is absent", filter: `name pr`, res: scim.Resource{"name": map[string]any{"givenName": ""}}, want: false},
		{name: "non-object element in value path", filter: `emails[type eq "work"]`, res: scim.Resource{"emails": []any{"work"}}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustCompile(t, tt.filter, rt).Match(tt.res); got != tt.want {
				t.Errorf("Match(%q) on %v = %v, want %v", tt.filter, tt.res, got, tt.want)
			}
		})
	}
}

func TestNonEmpty(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want bool
	}{
		{name: "nil", in: nil, want: false},
		{name: "empty string", in: "", want: false},
		{name: "string", in: "x", want: true},
		{name: "false", in: false, want: true},
		{name: "zero", in: 0.0, want: true},
		{name: "empty array", in: []any{}, want: false},
		{name: "array of empties", in: []any{"", nil}, want: false},
		{name: "array", in: []any{"", "x"}, want: true},
		{name: "empty object", in: map[string]any{}, want: false},
		{name: "object of empties", in: map[string]any{"a": ""}, want: false},
		{name: "object", in: map[string]any{"a": "", "b": true}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nonEmpty(tt.in); got != tt.want {
				t.Errorf("nonEmpty(%#v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
