package client

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestApplyOps(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a","active":true,
		"name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"a@x","primary":true}]}`
	group := `{"id":"g1","displayName":"G","members":[{"value":"u1"},{"value":"u2"},{"value":"u3"}]}`
	tests := []struct {
		name    string
		in      string
		ops     string
		want    string
		wantErr bool
	}{
		{name: "replace simple, op case-insensitive", in: user,
			ops:  `[{"op":"Replace","path":"userName","value":"b"}]`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"b","active":true,"name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"a@x","primary":true}]}`},
		{name: "attribute names case-insensitive, sub-attribute", in: `{"Name":{"givenName":"A"}}`,
			ops:  `[{"op":"replace","path":"name.GIVENNAME","value":"Z"}]`,
			want: `{"Name":{"givenName":"Z"}}`},
		{name: "path-less with dotted and urn keys (aadOptscim062020)", in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`,
			ops:  `[{"op":"replace","value":{"name.givenName":"G","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7","active":false}}]`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ent + `"],"name":{"givenName":"G"},"active":false,"` + ent + `":{"employeeNumber":"7"}}`},
		{name: "path-less with extension object (Okta)", in: `{"schemas":["` + ent + `"],"` + ent + `":{"department":"x"}}`,
			ops:  `[{"op":"replace","value":{"` + ent + `":{"department":"y","manager":{"value":"m1"}}}}]`,
			want: `{"schemas":["` + ent + `"],"` + ent + `":{"department":"y","manager":{"value":"m1"}}}`},
		{name: "manager by urn path", in: `{}`,
			ops:  `[{"op":"add","path":"` + ent + `:manager","value":{"value":"m2"}}]`,
			want: `{"schemas":["` + ent + `"],"` + ent + `":{"manager":{"value":"m2"}}}`},
		{name: "filtered sub-attribute replace", in: `{"emails":[{"type":"work","value":"a@x"},{"type":"home","value":"h@x"}]}`,
			ops:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"w@x"}]`,
			want: `{"emails":[{"type":"work","value":"w@x"},{"type":"home","value":"h@x"}]}`},
		{name: "filtered add creates the element", in: `{}`,
			ops:  `[{"op":"add","path":"emails[type eq \"work\"].value","value":"w@x"}]`,
			want: `{"emails":[{"type":"work","value":"w@x"}]}`},
		{name: "add members skips duplicates", in: group,
			ops:  `[{"op":"Add","path":"members","value":[{"value":"u3"},{"value":"u4","$ref":null}]}]`,
			want: `{"id":"g1","displayName":"G","members":[{"value":"u1"},{"value":"u2"},{"value":"u3"},{"value":"u4","$ref":null}]}`},
		{name: "remove members by value list (Entra)", in: group,
			ops:  `[{"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u3"}]}]`,
			want: `{"id":"g1","displayName":"G","members":[{"value":"u2"}]}`},
		{name: "remove member by filter (Okta)", in: group,
			ops:  `[{"op":"remove","path":"members[value eq \"u2\"]"}]`,
			want: `{"id":"g1","displayName":"G","members":[{"value":"u1"},{"value":"u3"}]}`},
		{name: "remove whole attribute", in: group,
			ops:  `[{"op":"remove","path":"members"}]`,
			want: `{"id":"g1","displayName":"G"}`},
		{name: "replace members with empty list", in: group,
			ops:  `[{"op":"replace","path":"members","value":[]}]`,
			want: `{"id":"g1","displayName":"G","members":[]}`},
		{name: "unknown op", in: group, ops: `[{"op":"move","path":"members"}]`, wantErr: true},
		{name: "path-less remove", in: group, ops: `[{"op":"remove"}]`, wantErr: true},
		{name: "path-less with scalar value", in: group, ops: `[{"op":"replace","value":"x"}]`, wantErr: true},
		{name: "unsupported filter", in: group, ops: `[{"op":"remove","path":"members[value sw \"u\"]"}]`, wantErr: true},
		{name: "unbalanced filter", in: group, ops: `[{"op":"remove","path":"members]value eq \"u\"["}]`, wantErr: true},
		{name: "bad filter value", in: group, ops: `[{"op":"remove","path":"members[value eq u2]"}]`, wantErr: true},
		{name: "empty attribute", in: group, ops: `[{"op":"replace","path":".x","value":1}]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in scim.Resource
			var ops []scim.PatchOperation
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.ops), &ops); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(in)
			got, err := applyOps(in, ops)
			if after, _ := json.Marshal(in); string(after) != string(before) {
				t.Errorf("applyOps modified its input: %s", after)
			}
			if tt.wantErr {
				if err == nil {
					t.Errorf("applyOps(%s) = %v, want error", tt.ops, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("applyOps(%s) error: %v", tt.ops, err)
			}
			var want scim.Resource
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("applyOps(%s) = %s, want %s", tt.ops, g, tt.want)
			}
		})
	}
}

// FuzzApplyOps checks that no operation, however malformed, panics or
// modifies the input resource.
func FuzzApplyOps(f *testing.F) {
	f.Add("replace", `emails[type eq "work"].value`, `"x"`)
	f.Add("remove", `members[value eq "u1"]`, ``)
	f.Add("add", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, `{"value":"m"}`)
	f.Add("replace", ``, `{"name.givenName":"a","urn:x:User":{"a":1}}`)
	f.Add("add", `name.givenName`, `[1,2]`)
	f.Fuzz(func(t *testing.T, op, path, value string) {
		in := scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "a", "name": map[string]any{"givenName": "A"},
			"emails": []any{map[string]any{"type": "work", "value": "a@x"}}, "members": []any{map[string]any{"value": "u1"}}}
		before, _ := json.Marshal(in)
		op1 := scim.PatchOperation{Op: op, Path: path}
		if json.Valid([]byte(value)) {
			op1.Value = json.RawMessage(value)
		}
		_, _ = applyOps(in, []scim.PatchOperation{op1})
		if after, _ := json.Marshal(in); string(after) != string(before) {
			t.Errorf("applyOps modified its input: %s", after)
		}
	})
}
