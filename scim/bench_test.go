package scim

import (
	"encoding/json"
	"testing"
)

// entraCreate is the user Microsoft Entra ID creates (RFC-shaped, with the
// enterprise extension), decoded once per benchmark.
const entraCreate = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa@testuser.com","active":"True","displayName":"Test User",
	"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb@testuser.com"}],"meta":{"resourceType":"User"},
	"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","department":"Sales","manager":{"value":"m1"}}}`

func BenchmarkNormalize(b *testing.B) {
	rt := resourceType(b, NewStandardRegistry(), "User")
	in := decode(b, entraCreate)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Normalize(in, NormalizeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProject(b *testing.B) {
	rt := resourceType(b, testRegistry(b), "User")
	res := decode(b, storedBob)
	attrs, err := rt.ParseAttributeList("userName,emails.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
	if err != nil {
		b.Fatal(err)
	}
	excluded, err := rt.ParseAttributeList("groups")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name            string
		attrs, excluded []AttrPath
	}{
		{"default", nil, nil},
		{"attributes", attrs, nil},
		{"excludedAttributes", nil, excluded},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rt.Project(res, bc.attrs, bc.excluded)
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	rt := resourceType(b, NewStandardRegistry(), "User")
	p, err := ParseAttrPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
	if err != nil {
		b.Fatal(err)
	}
	q := AttrPath{Name: "UserName"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Resolve(p); err != nil {
			b.Fatal(err)
		}
		if _, err := rt.Resolve(q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewStandardRegistry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewStandardRegistry()
	}
}

// BenchmarkDecodeOnly is the cost of decoding the same body with
// encoding/json, for scale.
func BenchmarkDecodeOnly(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal([]byte(entraCreate), &m); err != nil {
			b.Fatal(err)
		}
	}
}
