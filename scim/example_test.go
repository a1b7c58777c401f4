package scim_test

import (
	"encoding/json"
	"fmt"

	"github.com/provisio-dev/provisio/scim"
)

// A registry holds the schemas and resource types; the standard one has the
// RFC 7643 User, EnterpriseUser and Group schemas.
func ExampleNewStandardRegistry() {
	reg := scim.NewStandardRegistry()
	for _, rt := range reg.ResourceTypes() {
		fmt.Println(rt.Name, rt.Endpoint, len(rt.Extensions()))
	}
	// Output:
	// User /Users 1
	// Group /Groups 0
}

// Custom extension schemas can be registered at run time.
func ExampleRegistry_AddExtension() {
	reg := scim.NewStandardRegistry()
	badge := &scim.Schema{
		ID:   "urn:example:scim:schemas:extension:badge:2.0:User",
		Name: "Badge",
		Attributes: []*scim.Attribute{
			{Name: "badgeNumber", Type: scim.TypeInteger},
		},
	}
	if err := reg.AddSchema(badge); err != nil {
		panic(err)
	}
	if err := reg.AddExtension("User", badge.ID, false); err != nil {
		panic(err)
	}
	user, _ := reg.ResourceType("User")
	p, _ := scim.ParseAttrPath("BADGENUMBER")
	r, _ := user.Resolve(p)
	fmt.Println(r.Path, r.Attr.Type)
	// Output: urn:example:scim:schemas:extension:badge:2.0:User:badgeNumber integer
}

// Resolve finds an attribute case-insensitively and returns its canonical
// path and characteristics, e.g. to compare values with the right caseExact.
func ExampleResourceType_Resolve() {
	user, _ := scim.NewStandardRegistry().ResourceType("User")
	for _, s := range []string{"USERNAME", "id", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"} {
		p, _ := scim.ParseAttrPath(s)
		r, err := user.Resolve(p)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s caseExact=%v mutability=%s\n", r.Path, r.Leaf().CaseExact, r.Leaf().Mutability)
	}
	// Output:
	// urn:ietf:params:scim:schemas:core:2.0:User:userName caseExact=false mutability=readWrite
	// urn:ietf:params:scim:schemas:core:2.0:User:id caseExact=true mutability=readOnly
	// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value caseExact=false mutability=readWrite
}

// Normalize turns a client's POST body into the canonical resource a store
// keeps: canonical names, extension attributes nested, string booleans
// coerced, readOnly and null values dropped, schemas rebuilt.
func ExampleResourceType_Normalize() {
	user, _ := scim.NewStandardRegistry().ResourceType("User")
	var body map[string]any
	_ = json.Unmarshal([]byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "ignored",
		"USERNAME": "bjensen@example.com",
		"active": "True",
		"emails": {"value": "bjensen@example.com", "primary": true},
		"title": null,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984"
	}`), &body)
	res, err := user.Normalize(body, scim.NormalizeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))

	_, err = user.Normalize(map[string]any{"displayName": "no userName"}, scim.NormalizeOptions{})
	fmt.Println(err)
	// Output:
	// {
	//   "active": true,
	//   "emails": [
	//     {
	//       "primary": true,
	//       "value": "bjensen@example.com"
	//     }
	//   ],
	//   "schemas": [
	//     "urn:ietf:params:scim:schemas:core:2.0:User",
	//     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	//   ],
	//   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
	//     "employeeNumber": "701984"
	//   },
	//   "userName": "bjensen@example.com"
	// }
	// scim 400 invalidValue: attribute "userName" is required
}

// Replace computes the stored result of a PUT: readOnly attributes come
// from the current resource, immutable ones may not change.
func ExampleResourceType_Replace() {
	user, _ := scim.NewStandardRegistry().ResourceType("User")
	current := scim.Resource{
		"schemas":  []any{scim.UserSchema},
		"id":       "2819c223",
		"userName": "bjensen",
		"password": "t1meMachine",
		"nickName": "Babs",
	}
	res, err := user.Replace(current, map[string]any{"id": "other", "userName": "bjensen", "displayName": "Barbara"}, scim.NormalizeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	// Output: {"displayName":"Barbara","id":"2819c223","password":"t1meMachine","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}
}

// Project shapes a response by the attributes and excludedAttributes
// parameters; password (returned "never") is never in it.
func ExampleResourceType_Project() {
	user, _ := scim.NewStandardRegistry().ResourceType("User")
	res := scim.Resource{
		"schemas":  []any{scim.UserSchema},
		"id":       "2819c223",
		"userName": "bjensen",
		"password": "t1meMachine",
		"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
	}
	attrs, err := user.ParseAttributeList(`userName,NAME.givenName,emails[type eq "work"].value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(user.Project(res, attrs, nil))
	fmt.Println(string(out))

	excluded, _ := user.ParseAttributeList("emails,name")
	out, _ = json.Marshal(user.Project(res, nil, excluded))
	fmt.Println(string(out))
	// Output:
	// {"emails":[{"value":"bjensen@example.com"}],"id":"2819c223","name":{"givenName":"Barbara"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}
	// {"id":"2819c223","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}
}
