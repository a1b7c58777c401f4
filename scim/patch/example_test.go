package patch_test

import (
	"encoding/json"
	"fmt"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/patch"
)

// Entra ID disables a user and updates its name and work e-mail.
func ExampleApply() {
	rt, _ := scim.NewStandardRegistry().ResourceType("User")
	user := scim.Resource{
		"schemas":  []any{scim.UserSchema},
		"id":       "2819c223",
		"userName": "bjensen@example.com",
		"active":   true,
		"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
	}
	var req scim.PatchRequest
	_ = json.Unmarshal([]byte(`{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations": [
	    {"op": "Replace", "path": "active", "value": "False"},
	    {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
	    {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "bjs@example.com"}
	  ]}`), &req)

	updated, err := patch.Apply(user, rt, req.Operations, patch.Options{ValuePathUpsert: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(updated)
	fmt.Println(string(out))

	// Without ValuePathUpsert, RFC 7644 §3.5.2.3 applies.
	_, err = patch.Apply(user, rt, req.Operations, patch.Options{})
	fmt.Println(err)
	// Output:
	// {"active":false,"emails":[{"type":"work","value":"bjs@example.com"}],"id":"2819c223","name":{"familyName":"Jensen-Smith","givenName":"Barbara"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com"}
	// scim 400 noTarget: Operations[2] (Add "emails[type eq \"work\"].value"): no value of "emails" matches the filter
}

// A store keeps membership in its own table: it takes the member operations
// out, applies the rest to the group document, and the change to the rows.
func ExampleExtractMembers() {
	rt, _ := scim.NewStandardRegistry().ResourceType("Group")
	var req scim.PatchRequest
	_ = json.Unmarshal([]byte(`{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations": [
	    {"op": "Replace", "path": "displayName", "value": "Tour Guides"},
	    {"op": "Add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5"}, {"value": "9a2b"}]},
	    {"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "77c1"}]},
	    {"op": "remove", "path": "members[value eq \"9a2b\"]"}
	  ]}`), &req)

	rest, change, err := patch.ExtractMembers(rt, req.Operations, patch.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("reset=%v add=%v remove=%v\n", change.Reset, change.Add, change.Remove)
	fmt.Printf("%d operation(s) left: %s %s\n", len(rest), rest[0].Op, rest[0].Path)
	// Output:
	// reset=false add=[{f648f8d5   }] remove=[77c1 9a2b]
	// 1 operation(s) left: Replace displayName
}
