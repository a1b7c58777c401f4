package patch

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestExtractMembers(t *testing.T) {
	const (
		u1 = "f648f8d5ea4e4cd38e9c"
		u2 = "7f4bc1a3-285e-48ae-8202-5accb43efb0e"
	)
	cases := []struct {
		name     string
		ops      string
		wantRest string // JSON array of the remaining operations
		want     *MembersChange
	}{
		{name: "no member operations", ops: `[{"op":"Replace","path":"displayName","value":"x"}]`,
			wantRest: `[{"op":"Replace","path":"displayName","value":"x"}]`},
		{name: "Entra add with $ref null", ops: `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"` + u1 + `"}]}]`,
			want: &MembersChange{Add: []scim.Member{{Value: u1}}}},
		{name: "add several members in one operation", ops: `[{"op":"add","path":"members","value":[{"value":"a","display":"A","type":"User"},{"value":"b","$ref":"https://x/Users/b"}]}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "a", Display: "A", Type: "User"}, {Value: "b", Ref: "https://x/Users/b"}}}},
		{name: "Okta add with displayName", ops: `[{"op":"add","path":"members","value":[{"displayName":"new User","value":"u4"}]}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "u4", Display: "new User"}}}},
		{name: "member as bare id string", ops: `[{"op":"add","path":"members","value":"string id 1"}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "string id 1"}}}},
		{name: "Entra remove with value removes only those members", ops: `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"` + u1 + `"}]}]`,
			want: &MembersChange{Remove: []string{u1}}},
		{name: "remove by value filter (aadOptscim062020, Okta)", ops: `[{"op":"remove","path":"members[value eq \"` + u2 + `\"]"}]`,
			want: &MembersChange{Remove: []string{u2}}},
		{name: "remove by value filter joined by or", ops: `[{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}]`,
			want: &MembersChange{Remove: []string{"a", "b"}}},
		{name: "remove without value empties the group", ops: `[{"op":"remove","path":"members"}]`,
			want: &MembersChange{Reset: true}},
		{name: "replace with empty array empties the group (Okta)", ops: `[{"op":"replace","path":"members","value":[]}]`,
			want: &MembersChange{Reset: true}},
		{name: "replace sets exactly the given members", ops: `[{"op":"replace","path":"members","value":[{"value":"a"}]}]`,
			want: &MembersChange{Reset: true, Add: []scim.Member{{Value: "a"}}}},
		{name: "add then remove the same member", ops: `[{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]},{"op":"remove","path":"members[value eq \"a\"]"}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "b"}}, Remove: []string{"a"}}},
		{name: "remove then add the same member", ops: `[{"op":"remove","path":"members[value eq \"a\"]"},{"op":"add","path":"members","value":[{"value":"a"}]}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "a"}}}},
		{name: "remove after reset needs no remove", ops: `[{"op":"remove","path":"members"},{"op":"add","path":"members","value":["a","b"]},{"op":"remove","path":"members","value":[{"value":"b"}]}]`,
			want: &MembersChange{Reset: true, Add: []scim.Member{{Value: "a"}}}},
		{name: "duplicate adds fold into one", ops: `[{"op":"add","path":"members","value":["a","a"]},{"op":"add","path":"members","value":["a"]}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "a"}}}},
		{name: "path-less replace keeps the other keys (Okta push)", ops: `[{"op":"replace","value":{"id":"g1","displayName":"Guides","members":[{"value":"a"}]}}]`,
			wantRest: `[{"op":"replace","value":{"displayName":"Guides","id":"g1"}}]`,
			want:     &MembersChange{Reset: true, Add: []scim.Member{{Value: "a"}}}},
		{name: "path-less add with only members", ops: `[{"op":"add","value":{"Members":[{"value":"a"}]}}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "a"}}}},
		{name: "path-less key with the core schema URI", ops: `[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:Group:members":["a"]}}]`,
			want: &MembersChange{Add: []scim.Member{{Value: "a"}}}},
		{name: "member operations mixed with others keep their order", ops: `[{"op":"Replace","path":"displayName","value":"x"},{"op":"Add","path":"MEMBERS","value":["a"]},{"op":"Replace","path":"externalId","value":"e"}]`,
			wantRest: `[{"op":"Replace","path":"displayName","value":"x"},{"op":"Replace","path":"externalId","value":"e"}]`,
			want:     &MembersChange{Add: []scim.Member{{Value: "a"}}}},
		{name: "add null adds nothing", ops: `[{"op":"add","path":"members","value":null}]`},
		{name: "replace null empties the group", ops: `[{"op":"Replace","path":"members","value":null}]`,
			want: &MembersChange{Reset: true}},
		{name: "remove with empty value array changes nothing", ops: `[{"op":"remove","path":"members","value":[]}]`},
		{name: "path-less remove stays for Apply to reject", ops: `[{"op":"remove"}]`, wantRest: `[{"op":"remove"}]`},
	}
	rt := resourceType(t, "Group")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rest, change, err := ExtractMembers(rt, decodeOps(t, tc.ops), Options{})
			if err != nil {
				t.Fatalf("ExtractMembers(%s) error: %v", tc.ops, err)
			}
			wantRest := tc.wantRest
			if wantRest == "" {
				wantRest = "[]"
			}
			if !jsonEqual(t, rest, decodeOps(t, wantRest)) {
				t.Errorf("ExtractMembers(%s) rest = %s, want %s", tc.ops, mustJSON(t, rest), wantRest)
			}
			if !reflect.DeepEqual(change, tc.want) {
				t.Errorf("ExtractMembers(%s) change = %+v, want %+v", tc.ops, change, tc.want)
			}
		})
	}
}

func TestExtractMembersErrors(t *testing.T) {
	cases := []struct {
		name     string
		ops      string
		scimType string
		detail   string
	}{
		{name: "member without value", ops: `[{"op":"add","path":"members","value":[{"display":"x"}]}]`, scimType: scim.ScimTypeInvalidValue, detail: "Operations[0]"},
		{name: "member value not a string", ops: `[{"op":"add","path":"members","value":[{"value":7}]}]`, scimType: scim.ScimTypeInvalidValue, detail: "string"},
		{name: "add with value filter", ops: `[{"op":"add","path":"members[value eq \"a\"]","value":{"value":"a"}}]`, scimType: scim.ScimTypeInvalidPath, detail: "only supported with remove"},
		{name: "filter on something else than value", ops: `[{"op":"remove","path":"members[display eq \"a\"]"}]`, scimType: scim.ScimTypeInvalidPath, detail: "value eq"},
		{name: "sub-attribute path", ops: `[{"op":"replace","path":"members.display","value":"x"}]`, scimType: scim.ScimTypeInvalidPath, detail: "as a whole or by id"},
		{name: "malformed path", ops: `[{"op":"remove","path":"members[value eq"}]`, scimType: scim.ScimTypeInvalidPath, detail: "invalid path"},
		{name: "add without value", ops: `[{"op":"add","path":"members"}]`, scimType: scim.ScimTypeInvalidValue, detail: "requires a value"},
		{name: "unknown op", ops: `[{"op":"merge","path":"members","value":[]}]`, scimType: scim.ScimTypeInvalidSyntax, detail: "unknown op"},
		{name: "second operation is named", ops: `[{"op":"add","path":"members","value":["a"]},{"op":"add","path":"members","value":[1]}]`, scimType: scim.ScimTypeInvalidValue, detail: "Operations[1]"},
	}
	rt := resourceType(t, "Group")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rest, change, err := ExtractMembers(rt, decodeOps(t, tc.ops), Options{})
			var se *scim.Error
			if !errors.As(err, &se) {
				t.Fatalf("ExtractMembers(%s) = %v, %v, %v; want *scim.Error", tc.ops, rest, change, err)
			}
			if se.Status != 400 || se.ScimType != tc.scimType || !strings.Contains(se.Detail, tc.detail) {
				t.Errorf("ExtractMembers(%s) error = %d %s %q, want 400 %s containing %q", tc.ops, se.Status, se.ScimType, se.Detail, tc.scimType, tc.detail)
			}
		})
	}
}

func TestExtractMembersNotAGroup(t *testing.T) {
	ops := decodeOps(t, `[{"op":"add","path":"members","value":["a"]}]`)
	rest, change, err := ExtractMembers(resourceType(t, "User"), ops, Options{})
	if err != nil || change != nil || !reflect.DeepEqual(rest, ops) {
		t.Errorf("ExtractMembers(User, %v) = %v, %v, %v; want ops unchanged, nil, nil", ops, rest, change, err)
	}
}

// TestExtractMembersThenApply checks that the folded change and Apply on
// the rest give the same group as Apply on a group that carries members.
func TestExtractMembersThenApply(t *testing.T) {
	rt := resourceType(t, "Group")
	ops := decodeOps(t, `[
		{"op":"Replace","path":"displayName","value":"Renamed"},
		{"op":"Add","path":"members","value":[{"$ref":null,"value":"n1"},{"value":"n2"}]},
		{"op":"Remove","path":"members","value":[{"$ref":null,"value":"2819c223-7f76-453a-919d-413861904646"}]},
		{"op":"remove","path":"members[value eq \"n2\"]"}
	]`)
	full, err := Apply(decodeResource(t, baseGroup), rt, ops, Options{})
	if err != nil {
		t.Fatalf("Apply error: %v", err)
	}
	rest, change, err := ExtractMembers(rt, ops, Options{})
	if err != nil {
		t.Fatalf("ExtractMembers error: %v", err)
	}
	doc := decodeResource(t, baseGroup)
	members := memberIDs(doc["members"])
	delete(doc, "members")
	got, err := Apply(doc, rt, rest, Options{})
	if err != nil {
		t.Fatalf("Apply(rest) error: %v", err)
	}
	if change.Reset {
		members = nil
	}
	for _, id := range change.Remove {
		members = slicesDelete(members, id)
	}
	for _, m := range change.Add {
		members = slicesDelete(members, m.Value)
		members = append(members, m.Value)
	}
	if want := memberIDs(full["members"]); !reflect.DeepEqual(members, want) {
		t.Errorf("members via ExtractMembers = %v, via Apply = %v", members, want)
	}
	delete(full, "members")
	if !jsonEqual(t, got, full) {
		t.Errorf("Apply(rest) = %s, want %s", mustJSON(t, got), mustJSON(t, full))
	}
}

func memberIDs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any)["value"].(string))
	}
	return out
}

func slicesDelete(s []string, v string) []string {
	out := s[:0:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
