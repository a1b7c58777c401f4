package patch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// applyCase is one Apply test. want lists the top-level keys of the result
// that differ from the starting resource (null: absent); every other key
// must be unchanged.
type applyCase struct {
	name   string
	rtype  string // default "User"
	doc    string // default baseUser (baseGroup for groups)
	upsert bool
	ops    string
	want   string
}

func TestApply(t *testing.T) {
	cases := []applyCase{
		// Path forms.
		{name: "replace simple attribute", ops: `[{"op":"replace","path":"displayName","value":"Barbara"}]`,
			want: `{"displayName":"Barbara"}`},
		{name: "add simple attribute not yet set", ops: `[{"op":"add","path":"nickName","value":"Babs"}]`,
			want: `{"nickName":"Babs"}`},
		{name: "add on single-valued attribute replaces it", ops: `[{"op":"add","path":"displayName","value":"B. Jensen"}]`,
			want: `{"displayName":"B. Jensen"}`},
		{name: "attribute names in any case", ops: `[{"op":"replace","path":"DisplayName","value":"B"},{"op":"replace","path":"NAME.GIVENNAME","value":"G"}]`,
			want: `{"displayName":"B","name":{"formatted":"Barbara Jensen","familyName":"Jensen","givenName":"G"}}`},
		{name: "replace sub-attribute", ops: `[{"op":"replace","path":"name.familyName","value":"Jensen-Smith"}]`,
			want: `{"name":{"formatted":"Barbara Jensen","familyName":"Jensen-Smith","givenName":"Barbara"}}`},
		{name: "add sub-attribute of unset complex attribute", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","path":"name.givenName","value":"Kim"}]`,
			want: `{"name":{"givenName":"Kim"}}`},
		{name: "extension attribute by URN path", ops: `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"42"}]`,
			want: `{"` + ent + `":{"employeeNumber":"42","department":"Tour Operations","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d","$ref":"../Users/26118915-6090-4610-87e4-49d8ca9f808d"}}}`},
		{name: "extension attribute without URN", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","path":"costCenter","value":"4130"}]`,
			want: `{"` + ent + `":{"costCenter":"4130"}}`},
		{name: "manager as bare id replaces the whole manager", ops: `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}]`,
			want: `{"` + ent + `":{"employeeNumber":"701984","department":"Tour Operations","manager":{"value":"2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}}}`},
		{name: "manager as object with null $ref and read-only displayName", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m1","$ref":null,"displayName":"Boss"}}]`,
			want: `{"` + ent + `":{"manager":{"value":"m1"}}}`},
		{name: "manager as one-element array (Entra docs)", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"Add","path":"manager","value":[{"$ref":"http://example.com/scim/Users/m2","value":"m2"}]}]`,
			want: `{"` + ent + `":{"manager":{"value":"m2","$ref":"http://example.com/scim/Users/m2"}}}`},
		{name: "manager.value sub-attribute path", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m3"}]`,
			want: `{"` + ent + `":{"manager":{"value":"m3"}}}`},
		{name: "value path with sub-attribute", ops: `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"}]`,
			want: `{"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`},
		{name: "value path with sub-attribute on addresses", ops: `[{"op":"replace","path":"addresses[type eq \"home\"].postalCode","value":"91609"}]`,
			want: `{"addresses":[{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91609","country":"USA"}]}`},
		{name: "value path without sub-attribute merges the object", ops: `[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"w@example.com","display":"Work"}}]`,
			want: `{"emails":[{"value":"w@example.com","type":"work","primary":true,"display":"Work"},{"value":"babs@jensen.org","type":"home"}]}`},
		{name: "value filter with quoted boolean", ops: `[{"op":"replace","path":"emails[primary eq \"True\"].value","value":"p@example.com"}]`,
			want: `{"emails":[{"value":"p@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`},
		{name: "value filter with and", ops: `[{"op":"replace","path":"emails[type eq \"home\" and value ew \"jensen.org\"].display","value":"Home"}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home","display":"Home"}]}`},
		{name: "sub-attribute of multi-valued attribute without filter sets every element", ops: `[{"op":"replace","path":"phoneNumbers.display","value":"x"}]`,
			want: `{"phoneNumbers":[{"value":"555-555-8377","type":"work","display":"x"}]}`},

		// Op names and string booleans.
		{name: "op names in any case", ops: `[{"op":"Add","path":"nickName","value":"B"},{"op":"REPLACE","path":"title","value":"T"},{"op":"Remove","path":"displayName"}]`,
			want: `{"nickName":"B","title":"T","displayName":null}`},
		{name: "active as string False", ops: `[{"op":"Replace","path":"active","value":"False"}]`, want: `{"active":false}`},
		{name: "active as string false", ops: `[{"op":"replace","path":"active","value":"false"}]`, want: `{"active":false}`},
		{name: "active as string True", doc: `{"id":"1","userName":"u","active":false}`,
			ops: `[{"op":"replace","path":"active","value":"True"}]`, want: `{"active":true}`},
		{name: "active as boolean", ops: `[{"op":"replace","path":"active","value":false}]`, want: `{"active":false}`},
		{name: "path-less active as string (Okta deactivation shape)", ops: `[{"op":"replace","value":{"active":"False"}}]`, want: `{"active":false}`},
		{name: "string boolean inside a complex value", ops: `[{"op":"add","path":"emails","value":[{"value":"o@example.com","type":"other","primary":"True"}]}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":false},{"value":"babs@jensen.org","type":"home"},{"value":"o@example.com","type":"other","primary":true}]}`},

		// Path-less values.
		{name: "path-less replace with dotted and URN keys lands nested", ops: `[{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]`,
			want: `{"displayName":"Bjfe","name":{"formatted":"Barbara Jensen","familyName":"Unua","givenName":"Kkom"},"` + ent + `":{"employeeNumber":"Aklq","department":"Tour Operations","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d","$ref":"../Users/26118915-6090-4610-87e4-49d8ca9f808d"}}}`},
		{name: "path-less add with dotted key", ops: `[{"op":"add","value":{"name.formatted":"Dr. B. Jensen","nickName":"Babs"}}]`,
			want: `{"nickName":"Babs","name":{"formatted":"Dr. B. Jensen","familyName":"Jensen","givenName":"Barbara"}}`},
		{name: "path-less value with extension object", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":"m9"}}}]`,
			want: `{"` + ent + `":{"department":"Sales","manager":{"value":"m9"}}}`},
		{name: "path-less value with a parent and its sub-attribute", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","value":{"name.givenName":"G","name":{"familyName":"F"}}}]`,
			want: `{"name":{"givenName":"G","familyName":"F"}}`},
		{name: "path-less replace ignores own id and schemas (Okta)", rtype: "Group",
			ops:  `[{"op":"replace","value":{"id":"e9e30dba-f08f-4109-8486-d5c6a331660a","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Guides"}}]`,
			want: `{"displayName":"Guides"}`},
		{name: "path equal to an extension URN", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"division":"West"}}]`,
			want: `{"` + ent + `":{"division":"West"}}`},

		{name: "RFC 7644 3.5.2.1 path-less add of several attributes", ops: `[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"},{"value":"bj@new.org","type":"other"}],"nickname":"Babs"}}]`,
			want: `{"nickName":"Babs","emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"value":"bj@new.org","type":"other"}]}`},
		{name: "RFC 7644 3.5.2.2 remove with a complex value filter", ops: `[{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}]`,
			want: `{"emails":[{"value":"babs@jensen.org","type":"home"}]}`},

		// Upsert on value paths.
		{name: "upsert creates the element", upsert: true, ops: `[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"555-1234"}]`,
			want: `{"phoneNumbers":[{"value":"555-555-8377","type":"work"},{"type":"mobile","value":"555-1234"}]}`},
		{name: "upsert: several ops on one value path make one element", upsert: true,
			ops:  `[{"op":"Add","path":"addresses[type eq \"work\"].postalCode","value":"98052"},{"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"Redmond"},{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1 Microsoft Way"}]`,
			want: `{"addresses":[{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA"},{"type":"work","postalCode":"98052","locality":"Redmond","streetAddress":"1 Microsoft Way"}]}`},
		{name: "upsert of other email keeps the existing primary", upsert: true, ops: `[{"op":"replace","path":"emails[type eq \"other\"].value","value":"o@example.com"}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"type":"other","value":"o@example.com"}]}`},
		{name: "upsert with quoted boolean filter", upsert: true, doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"Add","path":"roles[primary eq \"True\"].value","value":"Admin"}]`,
			want: `{"roles":[{"primary":true,"value":"Admin"}]}`},
		{name: "upsert with object value", upsert: true, doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"add","path":"emails[type eq \"work\"]","value":{"value":"w@example.com","primary":true}}]`,
			want: `{"emails":[{"type":"work","value":"w@example.com","primary":true}]}`},
		{name: "upsert of a primary element takes primary from the others", upsert: true,
			ops:  `[{"op":"add","path":"emails[type eq \"other\" and primary eq true].value","value":"o@example.com"}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":false},{"value":"babs@jensen.org","type":"home"},{"type":"other","primary":true,"value":"o@example.com"}]}`},
		{name: "upsert updates an existing element instead of creating one", upsert: true, ops: `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}]`,
			want: `{"emails":[{"value":"new@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`},

		// Clearing.
		{name: "replace with null clears", ops: `[{"op":"replace","path":"displayName","value":null}]`, want: `{"displayName":null}`},
		{name: "replace with empty string clears", ops: `[{"op":"Replace","path":"title","value":""}]`, want: `{"title":null}`},
		{name: "empty string then null (Entra null update)", ops: `[{"op":"Replace","path":"title","value":""},{"op":"Replace","path":"displayName","value":null}]`,
			want: `{"title":null,"displayName":null}`},
		{name: "clearing a sub-attribute", ops: `[{"op":"replace","path":"name.givenName","value":""}]`,
			want: `{"name":{"formatted":"Barbara Jensen","familyName":"Jensen"}}`},
		{name: "clearing a value path sub-attribute", ops: `[{"op":"replace","path":"emails[type eq \"home\"].type","value":null}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org"}]}`},
		{name: "clearing an extension attribute drops the emptied extension", doc: `{"id":"1","userName":"u","` + ent + `":{"department":"D"}}`,
			ops:  `[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":""}]`,
			want: `{"` + ent + `":null}`},
		{name: "add null to a multi-valued attribute adds nothing", rtype: "Group", ops: `[{"op":"add","path":"members","value":null}]`, want: `{}`},
		{name: "replace null on a multi-valued attribute clears it", ops: `[{"op":"replace","path":"emails","value":null}]`, want: `{"emails":null}`},
		{name: "path-less null clears", ops: `[{"op":"replace","value":{"displayName":null,"name.givenName":""}}]`,
			want: `{"displayName":null,"name":{"formatted":"Barbara Jensen","familyName":"Jensen"}}`},
		{name: "null sub-attribute in a complex value clears it", ops: `[{"op":"replace","path":"name","value":{"givenName":"Babs","formatted":null}}]`,
			want: `{"name":{"familyName":"Jensen","givenName":"Babs"}}`},

		// Multi-valued and complex semantics.
		{name: "add on multi-valued appends", ops: `[{"op":"add","path":"emails","value":[{"value":"o@example.com","type":"other"}]}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"value":"o@example.com","type":"other"}]}`},
		{name: "add single object on multi-valued appends", ops: `[{"op":"add","path":"phoneNumbers","value":{"value":"555-0000","type":"fax"}}]`,
			want: `{"phoneNumbers":[{"value":"555-555-8377","type":"work"},{"value":"555-0000","type":"fax"}]}`},
		{name: "add skips values already present", ops: `[{"op":"add","path":"emails","value":[{"value":"BABS@jensen.org","type":"home"},{"value":"o@example.com"},{"value":"o@example.com"}]}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"value":"o@example.com"}]}`},
		{name: "replace complex attribute merges sub-attributes (RFC 7644 3.5.2.3)", ops: `[{"op":"replace","path":"name","value":{"givenName":"Babs","middleName":"J"}}]`,
			want: `{"name":{"formatted":"Barbara Jensen","familyName":"Jensen","givenName":"Babs","middleName":"J"}}`},
		{name: "replace multi-valued without filter replaces all values", ops: `[{"op":"replace","path":"emails","value":[{"value":"only@example.com","type":"work","primary":true}]}]`,
			want: `{"emails":[{"value":"only@example.com","type":"work","primary":true}]}`},
		{name: "replace multi-valued with empty array unsets it", ops: `[{"op":"replace","path":"phoneNumbers","value":[]}]`,
			want: `{"phoneNumbers":null}`},
		{name: "Entra role replace (AssertiveAppRoleAssignmentsComplex)", ops: `[{"op":"replace","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]}]`,
			want: `{"roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]}`},
		{name: "Entra role add with JSON string value", doc: `{"id":"1","userName":"u"}`,
			ops:  `[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}]`,
			want: `{"roles":[{"value":"{\"id\":\"06b07648\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}`},

		// Remove.
		{name: "remove simple attribute", ops: `[{"op":"remove","path":"title"}]`, want: `{"title":null}`},
		{name: "remove sub-attribute", ops: `[{"op":"remove","path":"name.formatted"}]`,
			want: `{"name":{"familyName":"Jensen","givenName":"Barbara"}}`},
		{name: "remove with value filter removes matching elements", ops: `[{"op":"remove","path":"emails[type eq \"home\"]"}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true}]}`},
		{name: "remove last matching element unsets the attribute", ops: `[{"op":"remove","path":"phoneNumbers[type eq \"work\"]"}]`,
			want: `{"phoneNumbers":null}`},
		{name: "remove sub-attribute of matching elements", ops: `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@jensen.org","type":"home"}]}`},
		{name: "remove with filter that matches nothing changes nothing", ops: `[{"op":"remove","path":"emails[type eq \"other\"]"}]`, want: `{}`},
		{name: "remove absent attribute changes nothing", ops: `[{"op":"remove","path":"nickName"}]`, want: `{}`},
		{name: "remove whole multi-valued attribute", ops: `[{"op":"remove","path":"emails"}]`, want: `{"emails":null}`},
		{name: "remove with value removes only those values", ops: `[{"op":"Remove","path":"emails","value":[{"value":"babs@jensen.org"}]}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true}]}`},
		{name: "remove with empty value array removes nothing", ops: `[{"op":"Remove","path":"emails","value":[]}]`, want: `{}`},
		{name: "remove manager by URN path", ops: `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]`,
			want: `{"` + ent + `":{"employeeNumber":"701984","department":"Tour Operations"}}`},
		{name: "remove manager by value filter on single-valued attribute", ops: `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"]"}]`,
			want: `{"` + ent + `":{"employeeNumber":"701984","department":"Tour Operations"}}`},
		{name: "remove manager by value filter that names another manager", ops: `[{"op":"remove","path":"manager[value eq \"someone-else\"]"}]`, want: `{}`},
		{name: "remove whole extension", ops: `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]`,
			want: `{"` + ent + `":null}`},

		// Primary.
		{name: "making an element primary takes primary from the others", ops: `[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]`,
			want: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":false},{"value":"babs@jensen.org","type":"home","primary":true}]}`},
		{name: "starting resource with two primaries keeps the first", doc: `{"id":"1","userName":"u","emails":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}`,
			ops:  `[{"op":"replace","path":"displayName","value":"D"}]`,
			want: `{"displayName":"D","emails":[{"value":"a@x","primary":true},{"value":"b@x","primary":false}]}`},

		// Groups (members kept in the document).
		{name: "group: add member", rtype: "Group", ops: `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]`,
			want: `{"members":[{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"},{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"},{"value":"f648f8d5ea4e4cd38e9c"}]}`},
		{name: "group: add existing member changes nothing", rtype: "Group", ops: `[{"op":"add","path":"members","value":[{"value":"902c246b-6245-4190-8e05-00816be7344a"}]}]`, want: `{}`},
		{name: "group: member as bare id string", rtype: "Group", doc: `{"id":"g","displayName":"G"}`,
			ops: `[{"op":"add","path":"members","value":"string id 1"}]`, want: `{"members":[{"value":"string id 1"}]}`},
		{name: "group: Entra remove with value removes only that member", rtype: "Group", ops: `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"2819c223-7f76-453a-919d-413861904646"}]}]`,
			want: `{"members":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`},
		{name: "group: remove by value filter", rtype: "Group", ops: `[{"op":"remove","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"]"}]`,
			want: `{"members":[{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"}]}`},
		{name: "group: remove all members", rtype: "Group", ops: `[{"op":"remove","path":"members"}]`, want: `{"members":null}`},
		{name: "group: replace members with empty array", rtype: "Group", ops: `[{"op":"replace","path":"members","value":[]}]`, want: `{"members":null}`},
		{name: "group: replace displayName", rtype: "Group", ops: `[{"op":"Replace","path":"displayName","value":"1879db59updatedDisplayName"}]`,
			want: `{"displayName":"1879db59updatedDisplayName"}`},
		{name: "group: immutable sub-attribute may be set while unset", rtype: "Group", ops: `[{"op":"add","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"].type","value":"User"}]`,
			want: `{"members":[{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"},{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge","type":"User"}]}`},
		{name: "group: immutable sub-attribute may be written with its current value", rtype: "Group", ops: `[{"op":"replace","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"].display","value":"Mandy Pepperidge"}]`, want: `{}`},
		{name: "no operations", ops: `[]`, want: `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runApplyCase(t, tc) })
	}
}

func runApplyCase(t *testing.T, tc applyCase) {
	t.Helper()
	rtName, docJSON := "User", baseUser
	if tc.rtype == "Group" {
		rtName, docJSON = "Group", baseGroup
	}
	if tc.doc != "" {
		docJSON = tc.doc
	}
	rt := resourceType(t, rtName)
	doc := decodeResource(t, docJSON)
	ops := decodeOps(t, tc.ops)
	got, err := Apply(doc, rt, ops, Options{ValuePathUpsert: tc.upsert})
	if err != nil {
		t.Fatalf("Apply(%s) error: %v", tc.ops, err)
	}
	if !jsonEqual(t, doc, decodeResource(t, docJSON)) {
		t.Errorf("Apply modified its input: %s", mustJSON(t, doc))
	}
	want := decodeResource(t, docJSON)
	for k, v := range decodeResource(t, tc.want) {
		if v == nil {
			delete(want, k)
		} else {
			want[k] = v
		}
	}
	rt.SetSchemas(want) // "schemas" lists the extensions present
	for _, k := range keysOf(got, want) {
		if !jsonEqual(t, got[k], want[k]) {
			t.Errorf("Apply(%s)[%q] = %s, want %s", tc.ops, k, mustJSON(t, got[k]), mustJSON(t, want[k]))
		}
	}
}

func keysOf(ms ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func TestApplyErrors(t *testing.T) {
	cases := []struct {
		name     string
		rtype    string
		ops      string
		raw      []scim.PatchOperation // used instead of ops when set
		strict   bool                  // reject unknown attributes
		upsert   bool
		scimType string
		detail   string // substring of the detail
	}{
		{name: "unknown op", ops: `[{"op":"copy","path":"title","value":"x"}]`, scimType: scim.ScimTypeInvalidSyntax, detail: `Operations[0] (copy "title"): unknown op`},
		{name: "add without value", ops: `[{"op":"add","path":"title"}]`, scimType: scim.ScimTypeInvalidValue, detail: "requires a value"},
		{name: "remove without path", ops: `[{"op":"remove"}]`, scimType: scim.ScimTypeNoTarget, detail: "Operations[0] (remove without path)"},
		{name: "malformed path", ops: `[{"op":"replace","path":"emails[type eq","value":"x"}]`, scimType: scim.ScimTypeInvalidPath, detail: "invalid path"},
		{name: "unknown attribute", strict: true, ops: `[{"op":"replace","path":"shoeSize","value":"44"}]`, scimType: scim.ScimTypeInvalidPath, detail: "shoeSize"},
		{name: "unknown sub-attribute", strict: true, ops: `[{"op":"replace","path":"name.nick","value":"x"}]`, scimType: scim.ScimTypeInvalidPath, detail: "name.nick"},
		{name: "unknown sub-attribute after value filter", strict: true, ops: `[{"op":"replace","path":"emails[type eq \"work\"].nick","value":"x"}]`, scimType: scim.ScimTypeInvalidPath, detail: "nick"},
		{name: "value filter on simple attribute", ops: `[{"op":"replace","path":"userName[value eq \"x\"]","value":"y"}]`, scimType: scim.ScimTypeInvalidPath, detail: "not complex"},
		{name: "value filter on unknown sub-attribute", ops: `[{"op":"replace","path":"emails[kind eq \"x\"].value","value":"y"}]`, scimType: scim.ScimTypeInvalidPath, detail: "kind"},
		{name: "read-only id", ops: `[{"op":"replace","path":"id","value":"other"}]`, scimType: scim.ScimTypeMutability, detail: `"id" is read-only`},
		{name: "read-only meta sub-attribute", ops: `[{"op":"replace","path":"meta.created","value":"2020-01-01T00:00:00Z"}]`, scimType: scim.ScimTypeMutability, detail: "read-only"},
		{name: "read-only groups", ops: `[{"op":"add","path":"groups","value":[{"value":"g"}]}]`, scimType: scim.ScimTypeMutability, detail: "groups"},
		{name: "remove read-only meta", ops: `[{"op":"remove","path":"meta"}]`, scimType: scim.ScimTypeMutability, detail: "meta"},
		{name: "path-less value with another id", ops: `[{"op":"replace","value":{"id":"other","displayName":"x"}}]`, scimType: scim.ScimTypeMutability, detail: `"id" is read-only`},
		{name: "path-less value with meta", ops: `[{"op":"replace","value":{"meta":{"version":"W/\"9\""}}}]`, scimType: scim.ScimTypeMutability, detail: "meta"},
		{name: "path-less value that is not an object", ops: `[{"op":"replace","value":"x"}]`, scimType: scim.ScimTypeInvalidValue, detail: "object value"},
		{name: "value path without match and without upsert", ops: `[{"op":"replace","path":"emails[type eq \"other\"].value","value":"o@x"}]`, scimType: scim.ScimTypeNoTarget, detail: "matches the filter"},
		{name: "add on value path without match and without upsert", ops: `[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"1"}]`, scimType: scim.ScimTypeNoTarget, detail: `Operations[0] (Add "phoneNumbers[type eq \"mobile\"].value")`},
		{name: "remove required attribute", ops: `[{"op":"remove","path":"userName"}]`, scimType: scim.ScimTypeInvalidValue, detail: `"userName" is required`},
		{name: "clear required attribute", ops: `[{"op":"replace","path":"userName","value":""}]`, scimType: scim.ScimTypeInvalidValue, detail: `"userName" is required`},
		{name: "non-boolean active", ops: `[{"op":"replace","path":"active","value":"yes"}]`, scimType: scim.ScimTypeInvalidValue, detail: "boolean"},
		{name: "object for simple attribute", ops: `[{"op":"replace","path":"displayName","value":{"a":1}}]`, scimType: scim.ScimTypeInvalidValue, detail: "displayName"},
		{name: "two primaries in one value", ops: `[{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]`, scimType: scim.ScimTypeInvalidValue, detail: "primary"},
		{name: "second operation fails", ops: `[{"op":"replace","path":"displayName","value":"ok"},{"op":"replace","path":"id","value":"x"}]`, scimType: scim.ScimTypeMutability, detail: "Operations[1] "},
		{name: "immutable member value already set", rtype: "Group", ops: `[{"op":"replace","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"].value","value":"other"}]`, scimType: scim.ScimTypeMutability, detail: "immutable"},
		{name: "result fails validation", ops: `[{"op":"add","path":"emails","value":[{"value":5}]}]`, scimType: scim.ScimTypeInvalidValue, detail: "result of the operations"},
		{name: "unquoted filter value without lenient filters", ops: `[{"op":"replace","path":"emails[type eq work].value","value":"x"}]`, scimType: scim.ScimTypeInvalidPath, detail: "invalid path"},
		{name: "upsert from a filter that does not describe a value", upsert: true, ops: `[{"op":"replace","path":"emails[value co \"@nowhere\"].type","value":"work"}]`, scimType: scim.ScimTypeNoTarget, detail: "does not describe a value"},
		{name: "upsert from a filter with or", upsert: true, ops: `[{"op":"add","path":"emails[type eq \"a\" or type eq \"b\"].value","value":"x"}]`, scimType: scim.ScimTypeNoTarget, detail: "does not describe a value"},
		{name: "sub-attribute of an unset multi-valued attribute", ops: `[{"op":"replace","path":"roles.value","value":"x"}]`, scimType: scim.ScimTypeNoTarget, detail: `"roles" has no value`},
		{name: "value that is not JSON", raw: []scim.PatchOperation{{Op: "add", Path: "title", Value: json.RawMessage(`{`)}}, scimType: scim.ScimTypeInvalidSyntax, detail: "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rtName, docJSON := "User", baseUser
			if tc.rtype == "Group" {
				rtName, docJSON = "Group", baseGroup
			}
			doc := decodeResource(t, docJSON)
			ops := tc.raw
			if ops == nil {
				ops = decodeOps(t, tc.ops)
			}
			opts := Options{ValuePathUpsert: tc.upsert, Normalize: scim.NormalizeOptions{RejectUnknown: tc.strict}}
			got, err := Apply(doc, resourceType(t, rtName), ops, opts)
			var se *scim.Error
			if !errors.As(err, &se) {
				t.Fatalf("Apply(%s) = %v, %v; want *scim.Error", tc.ops, got, err)
			}
			if got != nil {
				t.Errorf("Apply(%s) returned a resource with an error", tc.ops)
			}
			if se.Status != 400 || se.ScimType != tc.scimType || !strings.Contains(se.Detail, tc.detail) {
				t.Errorf("Apply(%s) error = %d %s %q, want 400 %s containing %q", tc.ops, se.Status, se.ScimType, se.Detail, tc.scimType, tc.detail)
			}
			if !jsonEqual(t, doc, decodeResource(t, docJSON)) {
				t.Errorf("Apply(%s) modified its input on error", tc.ops)
			}
		})
	}
}

func TestApplyLenientFilter(t *testing.T) {
	ops := decodeOps(t, `[{"op":"replace","path":"emails[type eq work].value","value":"w@example.com"}]`)
	got, err := Apply(decodeResource(t, baseUser), resourceType(t, "User"), ops, Options{Filter: filter.Options{Lenient: true}})
	if err != nil {
		t.Fatalf("Apply(%v, Lenient) error: %v", ops, err)
	}
	if v := scim.Values(got, mustResolve(t, "emails.value")); !jsonEqual(t, v, []any{"w@example.com", "babs@jensen.org"}) {
		t.Errorf("Apply(%v, Lenient) emails = %v, want the work address replaced", ops, v)
	}
}

func mustResolve(t *testing.T, path string) scim.Resolved {
	t.Helper()
	p, err := scim.ParseAttrPath(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resourceType(t, "User").Resolve(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestApplyUnknownAttributes(t *testing.T) {
	ops := decodeOps(t, `[{"op":"replace","path":"shoeSize","value":"44"},{"op":"add","path":"name.nick","value":"B"},`+
		`{"op":"add","path":"emails[type eq \"work\"].label","value":"x"},{"op":"replace","value":{"hairColour":"red","title":"Chief"}}]`)
	got, err := Apply(decodeResource(t, baseUser), resourceType(t, "User"), ops, Options{})
	if err != nil {
		t.Fatalf("Apply with unknown attributes (default policy) error: %v", err)
	}
	want := decodeResource(t, baseUser)
	want["title"] = "Chief"
	if !jsonEqual(t, got, want) {
		t.Errorf("Apply with unknown attributes = %s, want %s", mustJSON(t, got), mustJSON(t, want))
	}

	strict := Options{Normalize: scim.NormalizeOptions{RejectUnknown: true}}
	_, err = Apply(decodeResource(t, baseUser), resourceType(t, "User"), decodeOps(t, `[{"op":"replace","value":{"hairColour":"red"}}]`), strict)
	var se *scim.Error
	if !errors.As(err, &se) || se.Status != 400 || !strings.Contains(se.Detail, "hairColour") {
		t.Errorf("Apply(path-less unknown key, RejectUnknown) error = %v, want 400 naming hairColour", err)
	}
}

// With KeepUnknown, what the resource type does not define survives a
// PATCH, and an operation naming an unknown attribute fails instead of
// being dropped.
func TestApplyKeepUnknown(t *testing.T) {
	const acme = "urn:example:acme:2.0:User"
	doc := decodeResource(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+acme+`"],"id":"1","userName":"u",
		"`+acme+`":{"badge":7},"favouriteColour":"blue","emails":[{"value":"a@x","type":"work","label":"desk"}],
		"`+ent+`":{"department":"D","costCentre2":"x"}}`)
	keep := Options{Normalize: scim.NormalizeOptions{KeepUnknown: true}}
	ops := decodeOps(t, `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@x"},{"op":"replace","path":"`+ent+`:department","value":"E"}]`)
	got, err := Apply(doc, resourceType(t, "User"), ops, keep)
	if err != nil {
		t.Fatalf("Apply(KeepUnknown) error: %v", err)
	}
	want := decodeResource(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`","`+acme+`"],"id":"1","userName":"u",
		"`+acme+`":{"badge":7},"favouriteColour":"blue","emails":[{"value":"b@x","type":"work","label":"desk"}],
		"`+ent+`":{"department":"E","costCentre2":"x"}}`)
	if !jsonEqual(t, got, want) {
		t.Errorf("Apply(KeepUnknown) = %s, want %s", mustJSON(t, got), mustJSON(t, want))
	}

	for _, op := range []string{
		`[{"op":"replace","path":"favouriteColour","value":"red"}]`,
		`[{"op":"replace","path":"` + acme + `:badge","value":8}]`,
		`[{"op":"replace","value":{"favouriteColour":"red"}}]`,
	} {
		_, err := Apply(doc, resourceType(t, "User"), decodeOps(t, op), keep)
		var se *scim.Error
		if !errors.As(err, &se) || se.Status != 400 || se.ScimType != scim.ScimTypeInvalidPath {
			t.Errorf("Apply(%s, KeepUnknown) error = %v, want 400 invalidPath", op, err)
		}
	}
}
