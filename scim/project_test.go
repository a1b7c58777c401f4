package scim

import (
	"strings"
	"testing"
)

const (
	entURI    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	storedBob = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],
		"id":"u1","externalId":"e1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","location":"https://x/Users/u1"},
		"userName":"bob","password":"secret","name":{"givenName":"Bob","familyName":"Smith"},
		"emails":[{"value":"bob@work.example","type":"work","primary":true},{"value":"bob@home.example","type":"home"}],
		"groups":[{"value":"g1","display":"Admins"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1","displayName":"Boss"}},
		"urn:example:scim:schemas:extension:custom:2.0:User":{"level":2,"secret":"s","audit":{"by":"x","note":"n","ticket":"t"}}}`
	bobSchemas = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"]`
)

func TestProject(t *testing.T) {
	tests := []struct {
		name       string
		attributes string
		excluded   string
		want       string
	}{
		{
			name: "default drops never and request",
			want: `{` + bobSchemas + `,"id":"u1","externalId":"e1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","location":"https://x/Users/u1"},
				"userName":"bob","name":{"givenName":"Bob","familyName":"Smith"},
				"emails":[{"value":"bob@work.example","type":"work","primary":true},{"value":"bob@home.example","type":"home"}],
				"groups":[{"value":"g1","display":"Admins"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1","displayName":"Boss"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"level":2,"audit":{"by":"x"}}}`,
		},
		{
			name:       "attributes keeps always-returned id and schemas",
			attributes: "userName",
			want:       `{` + bobSchemas + `,"id":"u1","userName":"bob"}`,
		},
		{
			name:       "attribute names are case-insensitive",
			attributes: "USERNAME, Name.GivenName",
			want:       `{` + bobSchemas + `,"id":"u1","userName":"bob","name":{"givenName":"Bob"}}`,
		},
		{
			name:       "sub-attributes of a multi-valued attribute",
			attributes: "emails.value,emails.type",
			want:       `{` + bobSchemas + `,"id":"u1","emails":[{"value":"bob@work.example","type":"work"},{"value":"bob@home.example","type":"home"}]}`,
		},
		{
			name:       "value filter accepted leniently",
			attributes: `emails[type eq "work"].value,name[givenName eq "a,b]"]`,
			want: `{` + bobSchemas + `,"id":"u1","emails":[{"value":"bob@work.example"},{"value":"bob@home.example"}],
				"name":{"givenName":"Bob","familyName":"Smith"}}`,
		},
		{
			name:       "meta sub-attribute",
			attributes: "meta.created",
			want:       `{` + bobSchemas + `,"id":"u1","meta":{"created":"2020-01-01T00:00:00Z"}}`,
		},
		{
			name:       "extension attribute by URN path",
			attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
			want:       `{` + bobSchemas + `,"id":"u1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42"}}`,
		},
		{
			name:       "extension sub-attribute by URN path",
			attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
			want:       `{` + bobSchemas + `,"id":"u1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`,
		},
		{
			name:       "whole extension by URI",
			attributes: "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER",
			want:       `{` + bobSchemas + `,"id":"u1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1","displayName":"Boss"}}}`,
		},
		{
			name:       "whole core schema by URI",
			attributes: "urn:ietf:params:scim:schemas:core:2.0:User",
			want: `{` + bobSchemas + `,"id":"u1","externalId":"e1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","location":"https://x/Users/u1"},
				"userName":"bob","name":{"givenName":"Bob","familyName":"Smith"},
				"emails":[{"value":"bob@work.example","type":"work","primary":true},{"value":"bob@home.example","type":"home"}],
				"groups":[{"value":"g1","display":"Admins"}]}`,
		},
		{
			name:       "never-returned attribute even when requested",
			attributes: "password,userName",
			want:       `{` + bobSchemas + `,"id":"u1","userName":"bob"}`,
		},
		{
			name:       "request-returned attribute when requested",
			attributes: "urn:example:scim:schemas:extension:custom:2.0:User:secret,urn:example:scim:schemas:extension:custom:2.0:User:audit.ticket",
			want:       `{` + bobSchemas + `,"id":"u1","urn:example:scim:schemas:extension:custom:2.0:User":{"secret":"s","audit":{"ticket":"t"}}}`,
		},
		{
			name:       "requested sub-attribute missing everywhere",
			attributes: "emails.display",
			want:       `{` + bobSchemas + `,"id":"u1"}`,
		},
		{
			name:       "unknown attributes ignored",
			attributes: "shoeSize,userName,urn:example:nothing:here",
			want:       `{` + bobSchemas + `,"id":"u1","userName":"bob"}`,
		},
		{
			name:       "only unknown attributes select the always-returned ones",
			attributes: "shoeSize",
			want:       `{` + bobSchemas + `,"id":"u1"}`,
		},
		{
			name:     "excluded attributes",
			excluded: "emails,groups,meta,externalId,name.familyName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName",
			want: `{` + bobSchemas + `,"id":"u1","userName":"bob","name":{"givenName":"Bob"},
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"level":2,"audit":{"by":"x"}}}`,
		},
		{
			name:     "always-returned attributes cannot be excluded",
			excluded: "id,schemas,userName,name,emails,groups,meta,externalId,urn:example:scim:schemas:extension:custom:2.0:User",
			want:     `{` + bobSchemas + `,"id":"u1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1","displayName":"Boss"}}}`,
		},
		{
			name:     "extension emptied by exclusions is dropped",
			excluded: "employeeNumber,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager,urn:example:scim:schemas:extension:custom:2.0:User,userName,name,emails,groups,meta,externalId",
			want:     `{` + bobSchemas + `,"id":"u1"}`,
		},
		{
			name:     "excluded sub-attribute of a multi-valued attribute",
			excluded: "emails.type,emails.primary",
			want: `{` + bobSchemas + `,"id":"u1","externalId":"e1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","location":"https://x/Users/u1"},
				"userName":"bob","name":{"givenName":"Bob","familyName":"Smith"},
				"emails":[{"value":"bob@work.example"},{"value":"bob@home.example"}],
				"groups":[{"value":"g1","display":"Admins"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m1","displayName":"Boss"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"level":2,"audit":{"by":"x"}}}`,
		},
		{
			name:       "both lists",
			attributes: "userName,name",
			excluded:   "name.givenName",
			want:       `{` + bobSchemas + `,"id":"u1","userName":"bob","name":{"familyName":"Smith"}}`,
		},
	}
	rt := resourceType(t, testRegistry(t), "User")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := parseList(t, rt, tc.attributes)
			excl := parseList(t, rt, tc.excluded)
			res := decode(t, storedBob)
			got := rt.Project(res, attrs, excl)
			if encode(t, res) != canonJSON(t, storedBob) {
				t.Errorf("Project modified its input: %s", encode(t, res))
			}
			if g, w := encode(t, got), canonJSON(t, tc.want); g != w {
				t.Errorf("Project(attributes=%q, excludedAttributes=%q)\n = %s\nwant %s", tc.attributes, tc.excluded, g, w)
			}
		})
	}
}

func parseList(t *testing.T, rt *ResourceType, s string) []AttrPath {
	t.Helper()
	if s == "" {
		return nil
	}
	paths, err := rt.ParseAttributeList(s)
	if err != nil {
		t.Fatalf("ParseAttributeList(%q) error = %v", s, err)
	}
	return paths
}

func TestProjectGroupExcludeMembers(t *testing.T) {
	rt := resourceType(t, NewStandardRegistry(), "Group")
	res := decode(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G","members":[{"value":"u1"}]}`)
	got := rt.Project(res, nil, parseList(t, rt, "members"))
	want := canonJSON(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G"}`)
	if g := encode(t, got); g != want {
		t.Errorf("Project(excludedAttributes=members) = %s, want %s", g, want)
	}
}

func TestParseAttributeList(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string // paths joined by "|"
		wantNil bool
		wantErr string
	}{
		{name: "empty", in: []string{""}, want: "", wantNil: true},
		{name: "blank items", in: []string{" , ", ""}, want: "", wantNil: true},
		{name: "canonical spelling and URI", in: []string{"username, NAME.givenname"},
			want: "urn:ietf:params:scim:schemas:core:2.0:User:userName|urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"},
		{name: "several values (SearchRequest)", in: []string{"id", "externalId"},
			want: "urn:ietf:params:scim:schemas:core:2.0:User:id|urn:ietf:params:scim:schemas:core:2.0:User:externalId"},
		{name: "extension attribute", in: []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.value"},
			want: entURI + ":manager.value"},
		{name: "unqualified extension attribute", in: []string{"employeeNumber"}, want: entURI + ":employeeNumber"},
		{name: "whole schema", in: []string{entURI}, want: entURI},
		{name: "value filters dropped", in: []string{`emails[type eq "work"].value,addresses[type eq "a\"],b"]`},
			want: "urn:ietf:params:scim:schemas:core:2.0:User:emails.value|urn:ietf:params:scim:schemas:core:2.0:User:addresses"},
		{name: "empty items and blanks", in: []string{" ,userName,, "}, want: "urn:ietf:params:scim:schemas:core:2.0:User:userName"},
		{name: "unknown ignored", in: []string{"shoeSize,name.shoe,urn:x:y:z"}, want: ""},
		{name: "unterminated filter", in: []string{`emails[type eq "work"`}, wantErr: "unterminated value filter"},
		{name: "malformed path", in: []string{"user name"}, wantErr: `"user name" is not an attribute path`},
		{name: "empty sub-attribute", in: []string{"name."}, wantErr: `"name." is not an attribute path`},
	}
	rt := resourceType(t, NewStandardRegistry(), "User")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rt.ParseAttributeList(tc.in...)
			if tc.wantErr != "" {
				wantError(t, "ParseAttributeList", err, ScimTypeInvalidValue, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ParseAttributeList(%q) error = %v", tc.in, err)
			}
			if (got == nil) != tc.wantNil {
				t.Errorf("ParseAttributeList(%q) = %#v, want nil %v", tc.in, got, tc.wantNil)
			}
			var parts []string
			for _, p := range got {
				parts = append(parts, p.String())
			}
			if g := strings.Join(parts, "|"); g != tc.want {
				t.Errorf("ParseAttributeList(%q) = %s, want %s", tc.in, g, tc.want)
			}
		})
	}
}

func TestProjectUnregistered(t *testing.T) {
	rt := &ResourceType{Name: "Loose"}
	res := Resource{"a": 1}
	if got := rt.Project(res, nil, nil); len(got) != 1 {
		t.Errorf("Project on an unregistered resource type = %v, want the resource unchanged", got)
	}
	if _, err := rt.ParseAttributeList("a"); err == nil {
		t.Error("ParseAttributeList on an unregistered resource type = nil error, want an error")
	}
}
