package scim

import (
	"encoding/json"
	"testing"
)

const (
	coreUser  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	entUser   = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]`
	coreGroup = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]`
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name         string
		resourceType string // default User
		opts         NormalizeOptions
		in           string
		want         string // JSON; empty when an error is expected
		wantType     string // scimType of the expected error
		wantDetail   string
	}{
		{
			name: "canonical spelling of names and sub-attribute names",
			in:   `{"USERNAME":"bjensen","NAME":{"GivenName":"Barbara","FAMILYNAME":"Jensen"},"Emails":[{"VALUE":"b@example.com","Type":"work"}]}`,
			want: `{` + coreUser + `,"userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"b@example.com","type":"work"}]}`,
		},
		{
			name: "string values stored as sent",
			in:   `{"userName":"  BJensen@Example.COM ","emails":[{"value":"B@EXAMPLE.com","type":"Work"}]}`,
			want: `{` + coreUser + `,"userName":"  BJensen@Example.COM ","emails":[{"value":"B@EXAMPLE.com","type":"Work"}]}`,
		},
		{
			name: "extension object with URI in another case",
			in:   `{"userName":"a","URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:user":{"EmployeeNumber":"42","Manager":{"VALUE":"m1"}}}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1"}}}`,
		},
		{
			name: "flat URN keys land nested",
			in: `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value":"m1"}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1"}}}`,
		},
		{
			name: "flat URN key merges into the extension object",
			in: `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"},
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42"}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"42"}}`,
		},
		{
			name: "core URN-qualified key",
			in:   `{"urn:ietf:params:scim:schemas:core:2.0:User:userName":"a"}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name: "dotted keys merge into the complex attribute",
			in:   `{"userName":"a","name":{"familyName":"Jensen"},"name.givenName":"Barbara"}`,
			want: `{` + coreUser + `,"userName":"a","name":{"familyName":"Jensen","givenName":"Barbara"}}`,
		},
		{
			name: "dotted key inside an extension object",
			in:   `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager.value":"m1"}}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`,
		},
		{
			name: "unqualified extension attribute",
			in:   `{"userName":"a","department":"Sales"}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}`,
		},
		{
			name: "null means unset, malformed schema URI dropped (Entra create example)",
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
				"externalId":"jyoung","userName":"jyoung@testuser.com","active":true,"addresses":null,"displayName":"Joy Young",
				"emails":[{"type":"work","value":"jyoung@Contoso.com","primary":true}],"meta":{"resourceType":"User"},
				"name":{"familyName":"Young","givenName":"Joy"},"phoneNumbers":null,"preferredLanguage":null,"title":null,
				"department":null,"manager":null}`,
			want: `{` + coreUser + `,"externalId":"jyoung","userName":"jyoung@testuser.com","active":true,"displayName":"Joy Young",
				"emails":[{"type":"work","value":"jyoung@Contoso.com","primary":true}],"name":{"familyName":"Young","givenName":"Joy"}}`,
		},
		{
			name: "empty list, empty object and null elements are unset",
			in:   `{"userName":"a","roles":[],"name":{"givenName":null},"emails":[null,{"value":null}]}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name: "string booleans",
			in:   `{"userName":"a","active":"False","emails":[{"value":"x","primary":"TRUE"}],"phoneNumbers":[{"value":"1","primary":"false"}]}`,
			want: `{` + coreUser + `,"userName":"a","active":false,"emails":[{"value":"x","primary":true}],"phoneNumbers":[{"value":"1","primary":false}]}`,
		},
		{
			name: "string boolean True",
			in:   `{"userName":"a","active":"True"}`,
			want: `{` + coreUser + `,"userName":"a","active":true}`,
		},
		{
			name:     "boolean that is no boolean",
			in:       `{"userName":"a","active":"yes"}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "active" must be a boolean`,
		},
		{
			name:     "number for a string",
			in:       `{"userName":42}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "userName" must be a string`,
		},
		{
			name:     "object for a string",
			in:       `{"userName":"a","displayName":{"x":1}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "displayName" must be a string`,
		},
		{
			name:     "wrong type in a sub-attribute",
			in:       `{"userName":"a","emails":[{"value":true}]}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "emails.value" must be a string`,
		},
		{
			name:     "wrong type in an extension attribute is named with its URI",
			in:       `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":7}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" must be a string`,
		},
		{
			name:     "list for a single-valued simple attribute",
			in:       `{"userName":["a","b"]}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "userName" must be a string`,
		},
		{
			name:     "list of several for a single-valued complex attribute",
			in:       `{"userName":"a","name":[{"givenName":"a"},{"givenName":"b"}]}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "name" is single-valued`,
		},
		{
			name: "list of one for a single-valued complex attribute",
			in:   `{"userName":"a","name":[{"givenName":"a"}]}`,
			want: `{` + coreUser + `,"userName":"a","name":{"givenName":"a"}}`,
		},
		{
			name: "single object wrapped for a multi-valued attribute",
			in:   `{"userName":"a","emails":{"value":"a@example.com","type":"work"}}`,
			want: `{` + coreUser + `,"userName":"a","emails":[{"value":"a@example.com","type":"work"}]}`,
		},
		{
			name: "bare values for a complex attribute with a value sub-attribute",
			in:   `{"userName":"a","emails":["a@example.com"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m1"}`,
			want: `{` + entUser + `,"userName":"a","emails":[{"value":"a@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`,
		},
		{
			name: "empty string manager is unset",
			in:   `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":""}}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name:     "bare value for a complex attribute without a value sub-attribute",
			in:       `{"userName":"a","name":"Barbara"}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "name" must be a JSON object`,
		},
		{
			name: "readOnly attributes ignored",
			in: `{"id":"client-id","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z"},"userName":"a",
				"groups":[{"value":"g1","display":"G"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m","displayName":"Boss"}}}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`,
		},
		{
			name: "readOnly attributes kept on request",
			opts: NormalizeOptions{KeepReadOnly: true},
			in:   `{"ID":"42","Meta":{"Created":"2020-01-01T00:00:00Z","version":"W/\"1\""},"userName":"a","groups":[{"value":"g1"}]}`,
			want: `{` + coreUser + `,"id":"42","meta":{"created":"2020-01-01T00:00:00Z","version":"W/\"1\""},"userName":"a","groups":[{"value":"g1"}]}`,
		},
		{
			name: "writeOnly password accepted",
			in:   `{"userName":"a","password":"t1meMachine"}`,
			want: `{` + coreUser + `,"userName":"a","password":"t1meMachine"}`,
		},
		{
			name:     "required attribute missing",
			in:       `{"displayName":"a"}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "userName" is required`,
		},
		{
			name:     "required attribute empty",
			in:       `{"userName":""}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "userName" is required`,
		},
		{
			name:     "required attribute null",
			in:       `{"userName":null}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "userName" is required`,
		},
		{
			name:     "two primary values",
			in:       `{"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":"True"}]}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "emails" has more than one primary value`,
		},
		{
			name: "same type and value merged (RFC 7643 §2.4)",
			in:   `{"userName":"a","emails":[{"value":"a@x.org","type":"work"},{"value":"b@x.org"},{"value":"A@X.org","type":"Work","primary":true,"display":"A"},{"value":"a@x.org","type":"home"},{"value":"a@x.org","type":"work","display":"other"}]}`,
			want: `{` + coreUser + `,"userName":"a","emails":[{"value":"a@x.org","type":"work","primary":true,"display":"A"},{"value":"b@x.org"},{"value":"a@x.org","type":"home"}]}`,
		},
		{
			name: "duplicates that are both primary are one primary value",
			in:   `{"userName":"a","emails":[{"value":"a","type":"work","primary":true},{"value":"a","type":"work","primary":true}]}`,
			want: `{` + coreUser + `,"userName":"a","emails":[{"value":"a","type":"work","primary":true}]}`,
		},
		{
			name: "duplicates without type merged; values without a value sub-attribute kept",
			in:   `{"userName":"a","ims":[{"value":"me"},{"value":"ME","display":"Me"},{"value":"me","type":"xmpp"}],"addresses":[{"locality":"X"},{"locality":"X"}]}`,
			want: `{` + coreUser + `,"userName":"a","ims":[{"value":"me","display":"Me"},{"value":"me","type":"xmpp"}],"addresses":[{"locality":"X"},{"locality":"X"}]}`,
		},
		{
			name: "one primary value per attribute",
			in:   `{"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":false}],"phoneNumbers":[{"value":"1","primary":true}]}`,
			want: `{` + coreUser + `,"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":false}],"phoneNumbers":[{"value":"1","primary":true}]}`,
		},
		{
			name: "unknown attributes ignored by default",
			in:   `{"userName":"a","favouriteColour":"blue","emails":[{"value":"a","label":"x"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":"9"},"urn:example:other:attr":"x"}`,
			want: `{` + coreUser + `,"userName":"a","emails":[{"value":"a"}]}`,
		},
		{
			name: "unknown attribute rejected", opts: NormalizeOptions{RejectUnknown: true},
			in:       `{"userName":"a","favouriteColour":"blue"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `unknown attribute "favouriteColour"`,
		},
		{
			name: "unknown sub-attribute rejected", opts: NormalizeOptions{RejectUnknown: true},
			in:       `{"userName":"a","emails":[{"value":"a","label":"x"}]}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `unknown attribute "emails.label"`,
		},
		{
			name: "unknown extension attribute rejected", opts: NormalizeOptions{RejectUnknown: true},
			in:       `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":"9"}}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `unknown attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize"`,
		},
		{
			name: "unknown qualified key rejected", opts: NormalizeOptions{RejectUnknown: true},
			in:       `{"userName":"a","urn:example:other:attr":"x"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `unknown attribute "urn:example:other:attr"`,
		},
		{
			name: "unknown attributes kept verbatim", opts: NormalizeOptions{KeepUnknown: true, RejectUnknown: true},
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:acme:2.0:User","URN:EXAMPLE:ACME:2.0:USER",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"USERNAME":"a","favouriteColour":"blue","emails":[{"VALUE":"a","label":{"x":[1]}}],"name.nickname":"n",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":"9","manager.label":"m"},
				"urn:example:acme:2.0:User":{"Badge":7,"nested":{"a":null}},"urn:example:other:attr":"x","dropped":null}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:acme:2.0:User"],
				"userName":"a","favouriteColour":"blue","emails":[{"value":"a","label":{"x":[1]}}],"name.nickname":"n",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":"9","manager.label":"m"},
				"urn:example:acme:2.0:User":{"Badge":7,"nested":{"a":null}},"urn:example:other:attr":"x"}`,
		},
		{
			name: "known attributes still validated when keeping unknown ones", opts: NormalizeOptions{KeepUnknown: true},
			in:       `{"userName":"a","favouriteColour":"blue","active":"maybe"}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "active" must be a boolean`,
		},
		{
			name: "unknown schema URIs dropped without KeepUnknown",
			in:   `{"schemas":["urn:example:acme:2.0:User"],"userName":"a","urn:example:acme:2.0:User":{"badge":7}}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name: "readOnly attributes are not unknown", opts: NormalizeOptions{RejectUnknown: true},
			in:   `{"userName":"a","id":"1","meta":{"resourceType":"User"},"schemas":["x"]}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name:     "same attribute twice in different case",
			in:       `{"userName":"a","USERNAME":"b"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `attribute "userName" given more than once`,
		},
		{
			name:     "same sub-attribute nested and dotted",
			in:       `{"userName":"a","name":{"givenName":"a"},"name.givenName":"b"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `attribute "name.givenName" given more than once`,
		},
		{
			name: "unqualified extension attribute merges with a URN sub-attribute key",
			in:   `{"userName":"a","manager":"m1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref":"../Users/m1"}`,
			want: `{` + entUser + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1","$ref":"../Users/m1"}}}`,
		},
		{
			name:     "unqualified extension attribute conflicting with a URN sub-attribute key",
			in:       `{"userName":"a","manager":"m1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value":"m2"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value" given more than once`,
		},
		{
			name: "dotted key on a readOnly attribute ignored",
			in:   `{"userName":"a","groups.value":"g1","meta.created":"2020-01-01T00:00:00Z"}`,
			want: `{` + coreUser + `,"userName":"a"}`,
		},
		{
			name:     "dotted key on a multi-valued attribute",
			in:       `{"userName":"a","emails.value":"a@example.com"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `attribute "emails.value": a sub-attribute of a multi-valued attribute needs a value filter`,
		},
		{
			name:     "extension that is not an object",
			in:       `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}`,
			wantType: ScimTypeInvalidSyntax, wantDetail: `extension "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" must be a JSON object`,
		},
		{
			name: "custom extension types",
			in: `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":3,"score":4.5,"hired":"2008-01-23T04:56:22.123+01:00",
				"badge":"aGVsbG8=","tags":"solo","audit":{"by":"x"}}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],"userName":"a",
				"urn:example:scim:schemas:extension:custom:2.0:User":{"level":3,"score":4.5,"hired":"2008-01-23T04:56:22.123+01:00","badge":"aGVsbG8=","tags":["solo"],"audit":{"by":"x"}}}`,
		},
		{
			name:     "integer with a fraction",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":3.5}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `:level" must be an integer`,
		},
		{
			name:     "integer as a string",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":"3"}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `:level" must be an integer`,
		},
		{
			name:     "decimal as a boolean",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"score":true}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `:score" must be a number`,
		},
		{
			name:     "bad dateTime",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"hired":"yesterday"}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `:hired" must be an xsd:dateTime`,
		},
		{
			name: "dateTime without time zone",
			in:   `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"hired":"2008-01-23T04:56:22"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],"userName":"a",
				"urn:example:scim:schemas:extension:custom:2.0:User":{"hired":"2008-01-23T04:56:22"}}`,
		},
		{
			name:     "bad binary",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"badge":"not base64!"}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `:badge" must be base64`,
		},
		{
			name:     "required sub-attribute missing",
			in:       `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"audit":{"note":"x"}}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "urn:example:scim:schemas:extension:custom:2.0:User:audit.by" is required`,
		},
		{
			name: "both extensions in declaration order",
			in:   `{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":1},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"division":"d"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],"userName":"a",
				"urn:example:scim:schemas:extension:custom:2.0:User":{"level":1},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"division":"d"}}`,
		},
		{
			name: "group with members and an unknown schema URI (Entra)", resourceType: "Group",
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
				"externalId":"8aa1a0c0","displayName":"Group1936","members":[{"$ref":null,"value":"u1"},{"value":"u2","display":"Two","type":"User"}],"meta":{"resourceType":"Group"}}`,
			want: `{` + coreGroup + `,"externalId":"8aa1a0c0","displayName":"Group1936","members":[{"value":"u1"},{"value":"u2","display":"Two","type":"User"}]}`,
		},
		{
			name: "group without members", resourceType: "Group",
			in:   `{"displayName":"g","members":[]}`,
			want: `{` + coreGroup + `,"displayName":"g"}`,
		},
		{
			name: "required extension missing", resourceType: "Device",
			in:       `{"serial":"s1"}`,
			wantType: ScimTypeInvalidValue, wantDetail: `extension "urn:example:scim:schemas:DeviceOwner" is required`,
		},
		{
			name: "required attribute of a required extension", resourceType: "Device",
			in:       `{"serial":"s1","urn:example:scim:schemas:DeviceOwner":{"owner":""}}`,
			wantType: ScimTypeInvalidValue, wantDetail: `attribute "urn:example:scim:schemas:DeviceOwner:owner" is required`,
		},
		{
			name: "required extension present", resourceType: "Device",
			in:   `{"serial":"s1","urn:example:scim:schemas:DeviceOwner:owner":"o"}`,
			want: `{"schemas":["urn:example:scim:schemas:Device","urn:example:scim:schemas:DeviceOwner"],"serial":"s1","urn:example:scim:schemas:DeviceOwner":{"owner":"o"}}`,
		},
	}
	reg := testRegistry(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.resourceType
			if name == "" {
				name = "User"
			}
			rt := resourceType(t, reg, name)
			in := decode(t, tc.in)
			before := encode(t, in)
			got, err := rt.Normalize(in, tc.opts)
			if after := encode(t, in); after != before {
				t.Errorf("Normalize modified its input: %s, was %s", after, before)
			}
			if tc.want == "" {
				wantError(t, "Normalize("+tc.in+")", err, tc.wantType, tc.wantDetail)
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%s) error = %v", tc.in, err)
			}
			if g, w := encode(t, got), canonJSON(t, tc.want); g != w {
				t.Errorf("Normalize(%s)\n = %s\nwant %s", tc.in, g, w)
			}
		})
	}
}

func TestNormalizeNumbers(t *testing.T) {
	rt := resourceType(t, testRegistry(t), "User")
	tests := []struct {
		name  string
		level any
		want  float64
	}{
		{"float64", float64(7), 7},
		{"json.Number", json.Number("8"), 8},
		{"int", 9, 9},
		{"int64", int64(10), 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"userName": "a", customSchema: map[string]any{"level": tc.level}}
			got, err := rt.Normalize(in, NormalizeOptions{})
			if err != nil {
				t.Fatalf("Normalize(level %v) error = %v", tc.level, err)
			}
			if lv := got[customSchema].(map[string]any)["level"]; lv != tc.want {
				t.Errorf("Normalize(level %#v) level = %#v, want %v", tc.level, lv, tc.want)
			}
		})
	}
}

func TestNormalizeUnregistered(t *testing.T) {
	rt := &ResourceType{Name: "Loose"}
	if _, err := rt.Normalize(map[string]any{"a": 1}, NormalizeOptions{}); err == nil {
		t.Error("Normalize on an unregistered resource type = nil error, want an error")
	}
}

func TestSetSchemas(t *testing.T) {
	rt := resourceType(t, testRegistry(t), "User")
	res := decode(t, `{"schemas":["x"],"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":1}}`)
	rt.SetSchemas(res)
	want := `["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"]`
	if got := encode(t, res["schemas"]); got != want {
		t.Errorf("SetSchemas: schemas = %s, want %s", got, want)
	}
}
